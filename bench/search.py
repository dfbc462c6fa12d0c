"""Issue 13, all-time search: a query over 1,000,000 mirrored rows (20 IBANs, a year) <= 2x DuckDB
over the same data, in the same run.

How: the sandbox's demo year (the same generator the sandbox serves) as one history frame; the
console's search index (`dashboard.history.search.SearchIndex`) built from it, as the mirror's
first load builds it. Each query asks what the console shows: how many rows match and the newest
200 of them. The baseline is DuckDB over an in-memory table of the same rows with the text fields
already folded and joined by \x1f into one column (the mirror's `search_text`; the index folds each
distinct value once when loading, so DuckDB gets the same head start): `count(*)` and
`ORDER BY created_at DESC, id DESC LIMIT 200` with the same conditions (`search_query`: every word in the joined
text, or the id -- exact or by its first digits, as id ranges -- or the amount; a run of IBAN blocks
as one string when that finds a row). Both answers
are checked to agree (count and ids) before any time is reported. Figures are the best of 5.
Also printed: building the index, a refresh replacing one IBAN's last 3 days, memory held.
"""

from __future__ import annotations

import argparse
import time
from datetime import timedelta

import numpy as np
import pandas as pd
import pyarrow as pa

from bench._common import best_of, header, info, ms, quiet, verdict

TZ = "Europe/Istanbul"
LIMIT = 200
TEXT = ("username", "customer_name", "customer_iban", "description")


def demo_frame(transactions: int, ibans: int) -> pd.DataFrame:
    """The sandbox's demo year as one history-schema frame (built column-wise, no API)."""
    from dashboard.history.schema import STATUSES, TYPES
    from dashboard.sandbox import data as demo

    anchor = int(pd.Timestamp("2026-12-01 12:00").timestamp())  # wall seconds: the local clock as if UTC
    d = demo.generate(13, ibans, transactions, 365, anchor)
    cust, n = d.customer, d.size

    def strings(pool: list, index: np.ndarray) -> pd.arrays.ArrowStringArray:
        return pd.array(pa.array([p or "" for p in pool]).take(pa.array(index)), dtype=pd.StringDtype("pyarrow"))

    def times(walls: np.ndarray) -> pd.Series:
        local = pd.to_datetime(walls, unit="s").as_unit("us")
        return pd.Series(local).where(walls >= 0).dt.tz_localize(TZ, ambiguous="NaT", nonexistent="NaT")

    kinds = np.array(demo.TYPES)[d.kind]
    signed = np.where(d.kind == demo.DEPOSIT, d.amount, -d.amount)
    return pd.DataFrame(
        {
            "id": pd.array(np.arange(1, n + 1), dtype="Int64"),
            "iban_id": np.array([a.id for a in d.accounts], dtype=np.int64)[d.iban_index],
            "iban": pd.Categorical.from_codes(d.iban_index.astype(np.int32), [a.iban for a in d.accounts]),
            "type": pd.Categorical(kinds, categories=TYPES),
            "status": pd.Categorical(np.array(demo.STATUSES)[d.status], categories=STATUSES),
            "amount_kurus": d.amount,
            "commission_kurus": d.commission,
            "signed_kurus": signed,
            "username": strings(d.usernames, cust),
            "customer_name": strings(d.customer_names, cust),
            "customer_iban": strings(d.customer_ibans, cust),
            "description": strings(d.descriptions, d.description),
            "created_at": times(d.created).array,
            "completed_at": times(d.completed).array,
        }
    )


def queries(frame: pd.DataFrame) -> dict[str, str]:
    """What a support desk types: names (a frequent and a rare customer), a username, an IBAN in
    blocks, a transaction id and its first digits, a description word, nothing to find; and queries
    of several words, each in some field: a name and an amount, a name and IBAN blocks, a username
    and the first digits of one of their ids."""
    rare = frame.iloc[len(frame) // 3]
    iban = str(frame["customer_iban"].iloc[7])
    lira, kurus = divmod(int(rare["amount_kurus"]), 100)
    first_name = str(rare["customer_name"]).split()[0]
    rare_iban = str(rare["customer_iban"]).replace(" ", "")
    return {
        "frequent name": str(frame["customer_name"].iloc[0]).split()[0].upper(),
        "full name": str(rare["customer_name"]),
        "username": str(rare["username"]),
        "IBAN in blocks": " ".join(iban[i : i + 4] for i in range(0, len(iban), 4)),
        "transaction id": str(int(frame["id"].iloc[len(frame) // 2])),
        "id prefix": str(int(frame["id"].iloc[len(frame) // 2]))[:4],
        "description word": "havale",
        "no match": "zzqx nobody",
        "name + amount": f"{first_name} {lira:,}".replace(",", ".") + f",{kurus:02d}",
        "name + IBAN blocks": f"{first_name} {rare_iban[:4]} {rare_iban[4:8]} {rare_iban[8:12]}",
        "username + id prefix": f"{rare['username']} {str(int(rare['id']))[:3]}",
    }


def duckdb_table(frame: pd.DataFrame):
    """DuckDB over the same rows, text fields pre-folded (each distinct value folded once)."""
    import duckdb

    from dashboard.history.schema import fold

    folded = {}
    for name in TEXT:
        codes, uniques = pd.factorize(frame[name].astype(object))
        compact = name == "customer_iban"
        folded[name] = np.array([fold(u).replace(" ", "") if compact else fold(u) for u in uniques], dtype=object)[
            codes
        ]
    table = pa.table(
        {
            "id": pa.array(frame["id"].to_numpy(dtype=np.int64, na_value=-1)),
            "iban_id": pa.array(frame["iban_id"].to_numpy()),
            "created_at": pa.array(frame["created_at"].array.asi8),
            "status": pa.array(frame["status"].astype(str).to_numpy()),
            "amount_kurus": pa.array(frame["amount_kurus"].to_numpy()),
            **{name: pa.array(frame[name].astype(object).to_numpy()) for name in TEXT},
            # the mirror's own layout: the folded fields joined by \x1f (a query never contains it)
            "search_text": pa.array(["\x1f".join(v) for v in zip(*(folded[name] for name in TEXT))]),
            # (the customer IBAN without spaces, as the index holds it: any spacing typed matches)
        }
    )
    con = duckdb.connect()
    con.register("rows_in", table)
    con.execute("CREATE TABLE mirror AS SELECT * FROM rows_in")
    con.unregister("rows_in")
    return con


def _word_condition(word, max_id: int) -> tuple[str, list[object]]:
    """One word as SQL: in the joined text, or the id (exact, or its first digits as id ranges), or the amount."""
    from dashboard.history.search_query import id_ranges

    conds: list[str] = []
    params: list[object] = []
    if word.in_text:
        conds.append("contains(search_text, ?)")
        params.append(word.text)
    if word.id_prefix is not None:
        for low, high in id_ranges(word.id_prefix, max_id):
            conds.append("(id >= ? AND id < ?)")
            params += [low, high]
    elif word.id_exact is not None:
        conds.append("id = ?")
        params.append(word.id_exact)
    if word.amount_kurus is not None:
        conds.append("amount_kurus = ?")
        params.append(word.amount_kurus)
    return "(" + (" OR ".join(conds) or "false") + ")", params


def duckdb_search(con, query: str) -> tuple[int, list[int]]:
    """The same query (`search_query.parse_query`: every word in some field; a run of digit blocks as
    one string when that finds a row, else word by word), exact ids first, then newest first."""
    from dashboard.history.search_query import parse_query

    parsed = parse_query(query)
    if not parsed:
        return 0, []
    max_id = con.execute("SELECT max(id) FROM mirror").fetchone()[0]
    conds: list[str] = []
    params: list[object] = []
    for word in parsed.words:
        cond, values = _word_condition(word, max_id)
        conds.append(cond)
        params += values
    for run in parsed.runs:
        where = " AND ".join([*conds, "contains(search_text, ?)"])
        if con.execute(f"SELECT EXISTS (SELECT 1 FROM mirror WHERE {where})", [*params, run.compact]).fetchone()[0]:
            conds.append("contains(search_text, ?)")
            params.append(run.compact)
            continue
        for word in run.words:
            cond, values = _word_condition(word, max_id)
            conds.append(cond)
            params += values
    where = " AND ".join(conds)
    count = con.execute(f"SELECT count(*) FROM mirror WHERE {where}", params).fetchone()[0]
    exact = ", ".join(str(i) for i in parsed.exact_ids)
    first = f"(id IN ({exact})) DESC, " if exact else ""
    top = con.execute(
        f"SELECT id FROM mirror WHERE {where} ORDER BY {first}created_at DESC, id DESC LIMIT {LIMIT}", params
    ).fetchall()
    return count, [r[0] for r in top]


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m bench search")
    p.add_argument("--transactions", type=int, default=1_000_000)
    p.add_argument("--ibans", type=int, default=20)
    p.add_argument("--store", action="store_true", help="also: the first search over a SQLite mirror of the rows")
    args = p.parse_args(argv)
    quiet()
    from dashboard.history.search import SearchIndex

    header(f"all-time search over {args.transactions:,} rows, {args.ibans} IBANs")
    t0 = time.perf_counter()
    frame = demo_frame(args.transactions, args.ibans)
    info("search", f"demo frame built in {time.perf_counter() - t0:.1f} s")
    built, index = best_of(lambda: SearchIndex.empty(TZ).with_rows(frame), repeat=1)
    frame_bytes = int(frame.memory_usage(deep=True).sum())
    info(
        "search",
        f"index built from the frame in {ms(built)}; holds {index.nbytes / 2**20:,.0f} MiB "
        f"(the frame: {frame_bytes / 2**20:,.0f} MiB)",
    )
    con = duckdb_table(frame)
    ours_total = duck_total = 0.0
    ours_by: dict[str, float] = {}
    duck_by: dict[str, float] = {}
    for label, query in queries(frame).items():
        ours, result = best_of(lambda q=query: index.search(q, LIMIT), repeat=5)
        duck, (count, ids) = best_of(lambda q=query: duckdb_search(con, q), repeat=5)
        got = result.rows["id"].tolist()
        if result.count != count or got != ids:
            raise SystemExit(f"answers differ for {query!r}: index {result.count} rows, DuckDB {count}")
        info("search", f"{label:20} {query!r:34} {count:>7,} rows: index {ms(ours)}, DuckDB {ms(duck)}")
        ours_total, duck_total = ours_total + ours, duck_total + duck
        kind = "several words" if len(query.split()) > 1 else "one word"
        ours_by[kind], duck_by[kind] = ours_by.get(kind, 0.0) + ours, duck_by.get(kind, 0.0) + duck
    for kind in ours_by:
        ratio = ours_by[kind] / duck_by[kind]
        info("search", f"queries of {kind}: index / DuckDB {ratio:.2f}x ({ms(ours_by[kind])} / {ms(duck_by[kind])})")
    verdict(
        "search", ours_total / duck_total, 2.0, f"all queries, index / DuckDB ({ms(ours_total)} / {ms(duck_total)})"
    )
    refresh_cost(index, frame)
    if args.store:
        store_cost(frame)
    return 0


def store_cost(frame: pd.DataFrame) -> None:
    """The year written into a SQLite mirror (the mirror's write_days, per IBAN), then a process's
    first search (the index loaded from the mirror), a second one, and a refresh after one IBAN's
    last 3 days are synced again."""
    import tempfile
    from datetime import UTC, datetime

    from dashboard.history.mirror_search import MirrorSearch
    from dashboard.store import Store
    from dashboard.store.mirror_changes import MirrorChanges

    with tempfile.TemporaryDirectory() as folder:
        store = Store.in_dir(folder)
        days = frame["created_at"].dt.date
        first, last = days.min(), days.max()
        t0 = time.perf_counter()
        for iban_id in sorted(frame["iban_id"].unique()):
            part = frame[frame["iban_id"].to_numpy() == iban_id]
            store.mirror.write_days(
                int(iban_id), str(part["iban"].iloc[0]), first, last, part, datetime.now(UTC), tz=TZ
            )
        info("search", f"mirror written (SQLite, {len(frame):,} rows) in {time.perf_counter() - t0:.1f} s")
        search = MirrorSearch(store.mirror, MirrorChanges(store.engine), TZ)
        t0 = time.perf_counter()
        count = search.search("havale", LIMIT).count
        info("search", f"first search of a process (index loaded from the mirror): {ms(time.perf_counter() - t0)}")
        again, _ = best_of(lambda: search.search("havale", LIMIT), repeat=3)
        info("search", f"next search: {ms(again)} ({count:,} rows)")
        recent = [last - timedelta(days=k) for k in range(3)]
        part = frame[(frame["iban_id"] == 1).to_numpy() & days.isin(recent).to_numpy()]
        iban = str(frame["iban"][frame["iban_id"].to_numpy() == 1].iloc[0])
        store.mirror.write_days(1, iban, recent[-1], last, part, datetime.now(UTC), tz=TZ)
        t0 = time.perf_counter()
        search.refresh_now()  # what a search does when its look is due (every 10 s)
        info("search", f"refresh after one IBAN's last 3 days were synced again: {ms(time.perf_counter() - t0)}")
        assert search.refreshes == 1
        store.close()


def refresh_cost(index, frame: pd.DataFrame) -> None:
    """A refresh: one IBAN's last 3 days replaced by the same rows read again from the mirror."""
    last = frame["created_at"].max().date()
    days = [last - timedelta(days=k) for k in range(3)]
    local = frame["created_at"].dt.date
    rows = frame[(frame["iban_id"] == 1).to_numpy() & local.isin(days).to_numpy()]
    took, updated = best_of(lambda: index.replace_days(1, days, rows), repeat=3)
    assert len(updated) == len(index)
    info("search", f"refresh of one IBAN's last 3 days ({len(rows):,} rows): {ms(took)}")


if __name__ == "__main__":
    raise SystemExit(main())
