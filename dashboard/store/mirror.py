"""The history mirror (issue 13): every IBAN's transactions as the API last reported them.

Tables (migration v12; values as in store/mirror_codec.py):
- `mirror_transactions`: one row per (iban_id, tx_id), with the history frame's fields, `day`
  (dealer-local date), `search_text`, `final`, `synced_at` and `missing_since` (NULL unless the API
  stopped reporting the row on a later sync of its day; cleared when it is reported again).
- `mirror_days`: which days of an IBAN are synced, when, how many rows they held and how many of
  those were not final yet (the sync planner reads it, never the transactions).
- `mirror_blocks`: each IBAN's month of reported rows as one compressed Arrow block: a year comes
  back as a few hundred blocks rather than a million rows (the warm view's speed).

`write_days` replaces what is known of whole days: upserts the reported rows (a newer report wins,
an older one never overwrites a newer), marks the days' rows it did not report as missing, and
rewrites the days' state and blocks -- one transaction, so readers see a day before or after, never
half. Bulk paths: SQLite executemany of one upsert, fed row tuples made lazily from the Arrow
columns (the values one write holds constant -- iban_id, iban, synced_at -- repeated, not made into
a Python object per row; no list of a batch's tuples kept alive for the garbage collector to walk);
PostgreSQL COPY (CSV made by Arrow) into a temporary table and one INSERT ... SELECT ... ON CONFLICT.
"""

from __future__ import annotations

import io
import itertools
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from dashboard.history.assemble import assemble
from dashboard.history.ingest import empty_frame, id_sort_key, newest_first_order
from dashboard.iban import normalize_iban
from dashboard.store.codec import load_time, placeholders, store_time
from dashboard.store.engine import Cursor, Engine
from dashboard.store.mirror_codec import BLOCK_COLUMNS, ROW_COLUMNS, block_bytes, block_table, part_of, row_table

DAYS_PER_STATEMENT = 500
UPSERT_BATCH = 20_000  # SQLite rows per executemany call: the Python values of one batch at a time
_CONSTANT = ("iban_id", "iban", "synced_at")  # one value for all the rows of a write_days
_COLUMNS = ", ".join(ROW_COLUMNS)
_UPDATE = ", ".join(f"{c} = excluded.{c}" for c in ROW_COLUMNS if c not in ("iban_id", "tx_id"))
_ON_CONFLICT = f"""ON CONFLICT (iban_id, tx_id) DO UPDATE SET {_UPDATE}, missing_since = NULL
    WHERE mirror_transactions.synced_at <= excluded.synced_at"""
_UPSERT = f"INSERT INTO mirror_transactions ({_COLUMNS}) VALUES ({placeholders(ROW_COLUMNS)}) {_ON_CONFLICT}"
_PG_STAGE = "CREATE TEMPORARY TABLE mirror_stage (LIKE mirror_transactions) ON COMMIT DROP"
_PG_COPY = f"COPY mirror_stage ({_COLUMNS}) FROM STDIN (FORMAT csv)"
_PG_MERGE = f"INSERT INTO mirror_transactions ({_COLUMNS}) SELECT {_COLUMNS} FROM mirror_stage {_ON_CONFLICT}"
_DAYS_UPSERT = """INSERT INTO mirror_days (iban_id, day, iban, synced_at, row_count, open_rows) VALUES {values}
    ON CONFLICT (iban_id, day) DO UPDATE SET iban = excluded.iban, synced_at = excluded.synced_at,
        row_count = excluded.row_count, open_rows = excluded.open_rows
    WHERE mirror_days.synced_at <= excluded.synced_at"""
_ROW_TYPES = {
    **dict.fromkeys(("iban_id", "tx_id", "amount_kurus", "commission_kurus", "signed_kurus"), pa.int64()),
    **dict.fromkeys(("iban", "type", "status"), pa.string()),
    **dict.fromkeys(("username", "customer_name", "customer_iban", "description"), pa.large_string()),
    **dict.fromkeys(("created_at", "completed_at"), pa.int64()),
}
_ROW_READ = ", ".join([*_ROW_TYPES, "missing_since"])


@dataclass(frozen=True)
class IbanSync:
    """What the mirror holds for one IBAN."""

    iban_id: int
    iban: str
    last_synced_at: datetime | None
    rows: int  # held: reported at the last sync of their day, plus the missing ones
    missing_rows: int  # no longer reported by the API (kept, marked)
    first_day: date | None
    last_day: date | None


@dataclass(frozen=True)
class DayState:
    """One synced day of one IBAN."""

    synced_at: datetime
    rows: int
    open_rows: int  # rows whose status was not final at that sync


class MirrorRepository:
    """`store.mirror`: the history mirror."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def write_days(
        self,
        iban_id: int,
        iban: str,
        start: date,
        end: date,
        frame: pd.DataFrame,
        synced_at: datetime,
        *,
        tz: str | None = None,
    ) -> int:
        """Record `frame` (the history frame of this IBAN's days `start`..`end`, as just fetched) as
        what the API reports for those days at `synced_at` (aware). Rows outside the days are
        ignored; days another sync recorded later than `synced_at` are left as they are. Returns
        the rows written."""
        if start > end:
            raise ValueError("start must not be after end")
        stamp = store_time(synced_at)
        iban = normalize_iban(iban)
        tz = tz or str(frame["created_at"].dt.tz)
        table = row_table(frame, iban_id=iban_id, iban=iban, tz=tz, first_day=start, synced_at=stamp)
        table = _latest_per_id(_within(table, start.isoformat(), end.isoformat()))
        first, last = start.isoformat(), end.isoformat()
        with self._engine.write() as cur:
            newer = cur.execute(
                "SELECT day FROM mirror_days WHERE iban_id = ? AND day >= ? AND day <= ? AND synced_at > ?",
                (iban_id, first, last, stamp),
            ).fetchall()
            newer_days = sorted(r[0] for r in newer)
            if newer_days:
                table = table.filter(pc.invert(pc.is_in(table["day"], pa.array(newer_days, pa.string()))))
            held = cur.execute(
                "SELECT 1 FROM mirror_transactions WHERE iban_id = ? AND day >= ? AND day <= ? LIMIT 1",
                (iban_id, first, last),
            ).fetchone()
            self._upsert(cur, table, fresh=held is None, constant=(int(iban_id), iban, stamp))
            if held is not None:  # else every row of the days is one just written: none to mark
                cur.execute(
                    """UPDATE mirror_transactions SET missing_since = ? WHERE iban_id = ? AND day >= ? AND day <= ?
                       AND synced_at < ? AND missing_since IS NULL""",
                    (stamp, iban_id, first, last, stamp),
                )
            _write_day_states(cur, table, iban_id, iban, start, end, set(newer_days), stamp)
            _write_blocks(cur, table, iban_id, iban, start, end, set(newer_days))
        return table.num_rows

    def _upsert(self, cur: Cursor, table: pa.Table, fresh: bool, constant: tuple[int, str, str]) -> None:
        if table.num_rows == 0:
            return
        if self._engine.name == "postgresql":
            out = io.BytesIO()
            pacsv.write_csv(
                table.select(list(ROW_COLUMNS)), out, write_options=pacsv.WriteOptions(include_header=False)
            )
            data = out.getvalue()
            del out
            if fresh:  # days never held a row: straight in (a repeated id elsewhere: the merge below)
                cur.execute("SAVEPOINT mirror_copy")
                try:
                    cur.copy_in(_PG_COPY.replace("mirror_stage", "mirror_transactions"), data)  # type: ignore[attr-defined]
                    cur.execute("RELEASE SAVEPOINT mirror_copy")
                    return
                except self._engine.Error:
                    cur.execute("ROLLBACK TO SAVEPOINT mirror_copy")
            cur.execute(_PG_STAGE)
            cur.copy_in(_PG_COPY, data)  # type: ignore[attr-defined]
            cur.execute(_PG_MERGE)
            cur.execute("DROP TABLE mirror_stage")
            return
        fixed = dict(zip(_CONSTANT, constant, strict=True))
        for offset in range(0, table.num_rows, UPSERT_BATCH):
            piece = table.slice(offset, UPSERT_BATCH)
            columns = [
                itertools.repeat(fixed[c], piece.num_rows) if c in fixed else piece[c].to_pylist() for c in ROW_COLUMNS
            ]
            # A lazy iterator: each row's tuple is bound and freed before the next one is made.
            cur.executemany(_UPSERT, zip(*columns))  # type: ignore[arg-type]

    def day_states(self, iban_ids: Iterable[int], start: date, end: date) -> dict[int, dict[date, DayState]]:
        """The synced days of these IBANs between two dates: {iban_id: {day: DayState}}."""
        ids = sorted({int(i) for i in iban_ids})
        out: dict[int, dict[date, DayState]] = {i: {} for i in ids}
        if not ids:
            return out
        rows = self._engine.read(  # synced_at as text: the days of one sync share it, parsed once below
            f"""SELECT iban_id, day, synced_at AS synced_text, row_count, open_rows FROM mirror_days
                WHERE iban_id IN ({placeholders(ids)}) AND day >= ? AND day <= ?""",
            (*ids, start.isoformat(), end.isoformat()),
        )
        times: dict[str, datetime] = {}
        for r in rows:
            text = r["synced_text"]
            at = times.get(text) or times.setdefault(text, load_time(text))
            state = DayState(synced_at=at, rows=int(r["row_count"]), open_rows=int(r["open_rows"]))
            out[int(r["iban_id"])][date.fromisoformat(r["day"])] = state
        return out

    def read(
        self, iban_ids: Iterable[int], start: date | None, end: date | None, tz: str, *, include_missing: bool = False
    ) -> pd.DataFrame:
        """The history frame (newest first) of these IBANs' mirrored days between two local dates
        (None: unbounded). Rows the API stopped reporting are left out, unless `include_missing`:
        then they are in, and a bool column `missing` says which."""
        ids = sorted({int(i) for i in iban_ids})
        if include_missing:
            return self._read_rows(ids, start, end, tz)
        return assemble(list(self.read_parts(ids, start, end, tz).values()), tz)

    def read_parts(
        self,
        iban_ids: Iterable[int],
        start: date | None,
        end: date | None,
        tz: str,
        *,
        skip: Mapping[int, Sequence[tuple[date, date]]] | None = None,
    ) -> dict[int, dict]:
        """`read`'s rows as typed parts per IBAN id (for `history.assemble`), leaving out the days of
        `skip` ({iban_id: [(first, last), ...]}: the ranges being fetched afresh). IBANs without a
        row are not in it."""
        ids = sorted({int(i) for i in iban_ids})
        if not ids:
            return {}
        first, last = (start.isoformat() if start else "0000-00-00"), (end.isoformat() if end else "9999-99-99")
        parts = {}
        for iban_id in ids:  # one IBAN's blocks at a time: the transient is one IBAN's, not the year's
            rows = self._engine.read(
                """SELECT iban, month, block FROM mirror_blocks WHERE iban_id = ? AND month >= ? AND month <= ?
                   ORDER BY month DESC""",
                (iban_id, first[:7], last[:7]),
            )
            if not rows:
                continue
            iban = rows[0]["iban"]
            skipped = (skip or {}).get(iban_id, ())
            tables = []
            while rows:
                row = rows.pop(0)
                tables.append(_block_days(row["month"], block_table(row["block"]), first, last, skipped))
            table = pa.concat_tables(tables)
            del tables
            if table.num_rows:
                parts[iban_id] = part_of(table, iban_id=iban_id, iban=iban, tz=tz)
        return parts

    def _read_rows(self, ids: list[int], start: date | None, end: date | None, tz: str) -> pd.DataFrame:
        if not ids:
            frame = empty_frame(tz)
            frame["missing"] = np.zeros(0, dtype=bool)
            return frame
        first, last = (start.isoformat() if start else "0000-00-00"), (end.isoformat() if end else "9999-99-99")
        rows = self._engine.read(
            f"""SELECT {_ROW_READ} FROM mirror_transactions WHERE iban_id IN ({placeholders(ids)})
                AND day >= ? AND day <= ? ORDER BY created_at IS NULL, created_at DESC, tx_id DESC""",
            (*ids, first, last),
        )
        if not rows:
            return self._read_rows([], start, end, tz)
        table = pa.table({n: pa.array([r[n] for r in rows], type=t) for n, t in _ROW_TYPES.items()})
        missing = np.array([r["missing_since"] is not None for r in rows], dtype=bool)
        del rows
        ids_column = pc.if_else(pc.less(table["tx_id"], 0), pa.scalar(None, pa.int64()), table["tx_id"])
        table = table.append_column("id", ids_column)
        part = part_of(table, tz=tz)
        order = newest_first_order(part["created_at"].asi8, id_sort_key(part["id"]))
        frame = assemble([part], tz)
        frame["missing"] = missing if order is None else missing[order]
        return frame

    def sync_status(self) -> list[IbanSync]:
        """Per IBAN: when it was last synced, how many rows are held (and how many are missing)."""
        days = self._engine.read(
            """SELECT iban_id, MAX(iban) AS iban, MAX(synced_at) AS last_synced_at, SUM(row_count) AS reported,
                      MIN(day) AS first_day, MAX(day) AS last_day
               FROM mirror_days GROUP BY iban_id ORDER BY iban_id"""
        )
        missing = {
            int(r["iban_id"]): int(r["n"])
            for r in self._engine.read(
                """SELECT iban_id, COUNT(*) AS n FROM mirror_transactions
                   WHERE missing_since IS NOT NULL GROUP BY iban_id"""
            )
        }
        out = []
        for r in days:
            gone = missing.get(int(r["iban_id"]), 0)
            out.append(
                IbanSync(
                    iban_id=int(r["iban_id"]),
                    iban=r["iban"],
                    last_synced_at=r["last_synced_at"],
                    rows=int(r["reported"] or 0) + gone,
                    missing_rows=gone,
                    first_day=date.fromisoformat(r["first_day"]),
                    last_day=date.fromisoformat(r["last_day"]),
                )
            )
        return out


def _within(table: pa.Table, first: str, last: str) -> pa.Table:
    """The rows whose day is in first..last ('YYYY-MM-DD' text compares as dates)."""
    day = table["day"]
    keep = pc.and_(pc.greater_equal(day, first), pc.less_equal(day, last))
    return table if pc.all(keep).as_py() is not False else table.filter(keep)


def _block_days(month: str, table: pa.Table, first: str, last: str, skip: Sequence[tuple[date, date]]) -> pa.Table:
    """A month block's rows of the days first..last outside the `skip` ranges; a block wholly inside
    first..last and touching no skipped month is taken as it is (no comparison per row)."""
    if not first[:7] < month < last[:7]:
        table = _within(table, first, last)
    touched = [(a, b) for a, b in skip if a.isoformat()[:7] <= month <= b.isoformat()[:7]]
    return _without(table, touched) if touched else table


def _without(table: pa.Table, ranges: Sequence[tuple[date, date]]) -> pa.Table:
    """The rows whose day is in none of the ranges."""
    for first, last in ranges:
        day = table["day"]
        inside = pc.and_(pc.greater_equal(day, first.isoformat()), pc.less_equal(day, last.isoformat()))
        table = table.filter(pc.invert(inside))
    return table


def _latest_per_id(table: pa.Table) -> pa.Table:
    """One row per tx_id (a page shifting during paging repeats a row): a final status over a
    non-final one (a status only moves on to final), else the later row."""
    ids = np.asarray(table["tx_id"])
    if len(np.unique(ids)) == len(ids):
        return table
    order = np.lexsort((np.arange(len(ids)), np.asarray(table["final"]), ids))
    last_of_each = np.append(ids[order][1:] != ids[order][:-1], True)
    return table.take(pa.array(np.sort(order[last_of_each])))


def _write_day_states(
    cur: Cursor, table: pa.Table, iban_id: int, iban: str, start: date, end: date, newer: set[str], stamp: str
) -> None:
    counts: dict[str, tuple[int, int]] = {}
    if table.num_rows:
        grouped = table.group_by("day").aggregate([("tx_id", "count"), ("final", "sum")])
        for day, n, final in zip(*(grouped[c].to_pylist() for c in ("day", "tx_id_count", "final_sum"))):
            counts[day] = (int(n), int(n) - int(final or 0))
    days = (d.isoformat() for d in pd.date_range(start, end, freq="D").date)
    rows = [(iban_id, d, iban, stamp, *counts.get(d, (0, 0))) for d in days if d not in newer]
    for offset in range(0, len(rows), DAYS_PER_STATEMENT):  # one statement per many days: one round trip
        chunk = rows[offset : offset + DAYS_PER_STATEMENT]
        values = ", ".join(["(?, ?, ?, ?, ?, ?)"] * len(chunk))
        cur.execute(_DAYS_UPSERT.format(values=values), [v for row in chunk for v in row])


def _write_blocks(
    cur: Cursor, table: pa.Table, iban_id: int, iban: str, start: date, end: date, newer: set[str]
) -> None:
    """Rewrite the month blocks the days touch: their other days kept, the written days replaced."""
    months = sorted({d.strftime("%Y-%m") for d in pd.date_range(start, end, freq="D").date})
    first, last = start.isoformat(), end.isoformat()
    keep_newer = pa.array(sorted(newer), pa.string())
    for month in months:
        old = cur.execute(
            "SELECT block FROM mirror_blocks WHERE iban_id = ? AND month = ?", (iban_id, month)
        ).fetchone()
        pieces = []
        if old is not None:
            kept = block_table(old[0])
            day = kept["day"]
            outside = pc.or_(pc.or_(pc.less(day, first), pc.greater(day, last)), pc.is_in(day, keep_newer))
            pieces.append(kept.filter(outside))
        fresh = table.filter(pc.starts_with(table["day"], month + "-"))
        pieces.append(fresh.select(list(BLOCK_COLUMNS)))
        block = pa.concat_tables(pieces) if len(pieces) > 1 else pieces[0]
        if block.num_rows == 0:
            cur.execute("DELETE FROM mirror_blocks WHERE iban_id = ? AND month = ?", (iban_id, month))
            continue
        execute = getattr(cur, "execute_binary", cur.execute)  # PostgreSQL: the block as bytes, not hex text
        execute(
            """INSERT INTO mirror_blocks (iban_id, month, iban, row_count, block) VALUES (?, ?, ?, ?, ?)
               ON CONFLICT (iban_id, month) DO UPDATE SET iban = excluded.iban, row_count = excluded.row_count,
                   block = excluded.block""",
            (iban_id, month, iban, block.num_rows, block_bytes(block)),
        )
