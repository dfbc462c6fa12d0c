"""Issue 13, the history mirror in the store (store/mirror.py), on SQLite and on PostgreSQL:

1. Writing a year (1,000,000 rows, 20 IBANs) into the mirror <= 2x a bare bulk insert of the same rows
   into the same engine. Measured: `MirrorRepository.write_days` once per IBAN for the whole year, from
   the history frames (so the frame -> rows conversion, search text, day states and month blocks are
   all in the figure). Baseline: the same rows, already Python tuples (not timed), into a table of the
   same columns and primary key: executemany on SQLite, COPY (psycopg `write_row`) on PostgreSQL,
   through the same engine's write transaction.
2. Reading that year back into the history frame (`MirrorRepository.read`), what a warm view after a
   restart costs, against the cold fetch's own floor: the frame assembled from the same rows' typed
   parts in memory (`history.assemble`, the last step of every fetch) -- the warm read's target is
   <= 0.2x a cold fetch, which also has the network and JSON; printed as INFO with both times.
3. Memory after a year-long view: RSS after `read` (frame alive, everything else dropped) minus RSS
   before, against the frame's own size (`memory_usage(deep=True)`): <= 1.5x.

The frames are synthetic but typed exactly like the console's (history.ingest), with realistic
text (names, IBANs, descriptions) and statuses (~2% not final). A figure is the best of `--repeat`;
the bare insert and the mirror write take turns (bare, mirror, bare, mirror, ...).
`python -m bench mirror_write [-- --rows 200000 --engines sqlite]`.
"""

from __future__ import annotations

import argparse
import gc
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, date, datetime
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa

from bench._common import header, info, ms, rss_mib, verdict

TZ = "Europe/Istanbul"
YEAR = (date(2025, 1, 1), date(2025, 12, 31))
SYNCED = datetime(2026, 1, 2, 9, 0, tzinfo=UTC)
WRITERS = 2  # history/load.py's mirror writers: one IBAN's rows converted while another's are written


def synthetic_frames(rows: int, ibans: int) -> list[tuple[int, str, pd.DataFrame]]:
    """(iban_id, iban, frame) per IBAN: a year of history frames as `history.ingest` types them."""
    from dashboard.history.assemble import assemble
    from dashboard.history.schema import STATUSES, TYPES

    rng = np.random.default_rng(13)
    first = pd.Timestamp("2025-01-01", tz=TZ).value // 1000
    span = 365 * 86_400_000_000
    out = []
    per = rows // ibans
    for k in range(ibans):
        n = per
        created = np.sort(rng.integers(first, first + span, n))[::-1]
        status = np.where(rng.random(n) < 0.02, STATUSES.index("Failed"), STATUSES.index("Completed"))
        kind = rng.integers(0, 2, n)
        amount = rng.integers(1_000, 5_000_000, n)
        users = rng.integers(0, 20_000, n)
        part = {
            "id": pd.arrays.IntegerArray(np.arange(k * per + n, k * per, -1, dtype=np.int64), np.zeros(n, bool)),
            "iban_id": np.full(n, 1000 + k, dtype=np.int64),
            "iban": pd.Categorical.from_codes(np.zeros(n, np.int8), [f"TR{k:02d}00061005197864578413{k:02d}"]),
            "type": pd.Categorical.from_codes(kind.astype(np.int8), list(TYPES)),
            "status": pd.Categorical.from_codes(status.astype(np.int8), list(STATUSES)),
            "amount_kurus": amount,
            "commission_kurus": amount // 100,
            "signed_kurus": np.where(kind == 0, amount, -amount),
            "username": pa.array([f"player{u}" for u in users], pa.large_string()),
            "customer_name": pa.array([f"Şule Yılmaz {u}" for u in users], pa.large_string()),
            "customer_iban": pa.array([f"TR{u:06d}00010012345678901234" for u in users], pa.large_string()),
            "description": pa.array([f"Yatırım #{i} ref {u}" for i, u in enumerate(users)], pa.large_string()),
            "created_at": pd.DatetimeIndex(created.view("datetime64[us]")).tz_localize("UTC").tz_convert(TZ).array,
            "completed_at": pd.DatetimeIndex((created + 60_000_000).view("datetime64[us]"))
            .tz_localize("UTC")
            .tz_convert(TZ)
            .array,
        }
        out.append((1000 + k, str(part["iban"].categories[0]), assemble([part], TZ)))
    return out


def _bare_table(engine) -> None:
    from dashboard.store.mirror_codec import ROW_COLUMNS

    types = {"iban_id", "tx_id", "amount_kurus", "commission_kurus", "signed_kurus", "created_at", "completed_at"}
    number = "BIGINT" if engine.name == "postgresql" else "INTEGER"
    columns = ", ".join(f"{c} {number if c in types | {'final'} else 'TEXT'}" for c in ROW_COLUMNS)
    with engine.write() as cur:
        cur.execute(f"CREATE TABLE bare_rows ({columns}, PRIMARY KEY (iban_id, tx_id))")


def bare_insert(engine, tuples: list[tuple]) -> float:
    """Seconds to insert the tuples into a fresh bare table: executemany (SQLite) / COPY (PostgreSQL)."""
    from dashboard.store.codec import placeholders
    from dashboard.store.mirror_codec import ROW_COLUMNS

    with engine.write() as cur:
        cur.execute("DROP TABLE IF EXISTS bare_rows")
    _bare_table(engine)
    cols = ", ".join(ROW_COLUMNS)
    t0 = time.perf_counter()
    with engine.write() as cur:
        if engine.name == "postgresql":
            with cur._cursor.copy(f"COPY bare_rows ({cols}) FROM STDIN") as copy:
                for row in tuples:
                    copy.write_row(row)
        else:
            cur.executemany(f"INSERT INTO bare_rows ({cols}) VALUES ({placeholders(ROW_COLUMNS)})", tuples)
    return time.perf_counter() - t0


def mirror_write(store, frames) -> float:
    with store.engine.write() as cur:
        for table in ("mirror_transactions", "mirror_days", "mirror_blocks"):
            cur.execute(f"DELETE FROM {table}")
    t0 = time.perf_counter()
    with ThreadPoolExecutor(max_workers=WRITERS) as pool:  # as the loader writes: IBANs as they arrive
        list(pool.map(lambda f: store.mirror.write_days(f[0], f[1], *YEAR, f[2], SYNCED, tz=TZ), frames))
    return time.perf_counter() - t0


def as_tuples(frames) -> list[tuple]:
    from dashboard.store.mirror_codec import ROW_COLUMNS, row_table

    out: list[tuple] = []
    for iban_id, iban, frame in frames:
        table = row_table(frame, iban_id=iban_id, iban=iban, tz=TZ, first_day=YEAR[0], synced_at="x")
        out.extend(zip(*(table[c].to_pylist() for c in ROW_COLUMNS)))
    return out


def run_engine(name: str, target: str, frames, repeat: int) -> None:
    from dashboard.history.assemble import assemble, frame_part
    from dashboard.store import Store

    header(f"mirror on {name}: {sum(len(f) for _, _, f in frames):,} rows, {len(frames)} IBANs")
    store = Store.open(target)
    bares, writes, cpu = [], [], {"bare": [], "mirror": []}
    for _ in range(repeat):  # alternately: a shared machine's load drifts over minutes, both see it
        tuples = as_tuples(frames)
        c0 = time.process_time()
        bares.append(bare_insert(store.engine, tuples))
        cpu["bare"].append(time.process_time() - c0)
        del tuples
        gc.collect()
        with store.engine.write() as cur:
            cur.execute("DROP TABLE bare_rows")
        c0 = time.process_time()
        writes.append(mirror_write(store, frames))
        cpu["mirror"].append(time.process_time() - c0)
    bare, wrote = min(bares), min(writes)
    # The process's CPU time (all threads; the server's own on PostgreSQL is not in it): less swayed
    # than wall time by other work on the machine, so the two figures can be read side by side.
    info(f"write {name} cpu", f"mirror {ms(min(cpu['mirror']))}, bare {ms(min(cpu['bare']))} (best of each)")
    info(f"write {name}", f"mirror {ms(wrote)}, bare bulk insert {ms(bare)}")
    info(f"write {name} runs", f"mirror {', '.join(map(ms, writes))}; bare {', '.join(map(ms, bares))}")
    verdict(f"write 1M rows {name}", wrote / bare, 2.0, "mirror write / bare bulk insert")

    parts_time = []
    for _ in range(repeat):
        parts = [frame_part(f, TZ) for _, _, f in frames]
        t0 = time.perf_counter()
        assemble(parts, TZ)
        parts_time.append(time.perf_counter() - t0)
        del parts
    ids = [i for i, _, _ in frames]
    reads = []
    for _ in range(repeat):
        gc.collect()
        t0 = time.perf_counter()
        back = store.mirror.read(ids, *YEAR, TZ)
        reads.append(time.perf_counter() - t0)
        del back
    info(
        f"read {name}",
        f"a year back into a frame {ms(min(reads))}; assembling it from parts in memory {ms(min(parts_time))}",
    )
    store.close()


class NoApi:
    """The year is synced and final: a view of it must not ask the API anything."""

    def iter_transaction_pages(self, *args, **kwargs):
        raise AssertionError("the mirror should have served the whole year")


def memory_after_view(target: str, ibans: int) -> None:
    """A fresh process's year-long view through the loader (HistoryLoader + MirrorSync, as
    data_access builds it), everything served by the mirror: RSS growth with the frame cached vs
    the frame's own size."""
    from dashboard.client import models
    from dashboard.history.cache import FrameCache
    from dashboard.history.load import HistoryLoader
    from dashboard.history.mirrored import MirrorSync
    from dashboard.loaded import LastGood
    from dashboard.store import Store

    header("memory after a year-long view from the mirror")
    store = Store.open(target)
    accounts = [
        models.Iban(1000 + k, "", "", "", "", True, None, "")  # type: ignore[arg-type]
        for k in range(ibans)
    ]
    loader = HistoryLoader(FrameCache(300), NoApi, "bench", TZ, LastGood(), MirrorSync(store.mirror, lookback_days=3))
    gc.collect()
    before = rss_mib()
    t0 = time.perf_counter()
    frame, _, error = loader.load(accounts, *YEAR)
    took = time.perf_counter() - t0
    assert error is None
    gc.collect()
    after = rss_mib()
    size = frame.memory_usage(deep=True).sum() / 2**20
    info("memory", f"RSS +{after - before:,.0f} MiB for a {size:,.0f} MiB frame ({len(frame):,} rows, {ms(took)})")
    verdict("memory after a year-long view", (after - before) / size, 1.5, "RSS growth / frame size")
    store.close()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--ibans", type=int, default=20)
    parser.add_argument("--repeat", type=int, default=2)
    parser.add_argument("--engines", default="sqlite,postgresql")
    parser.add_argument("--memory", help="only the memory figure, on this SQLite file")
    args = parser.parse_args()
    if args.memory:
        memory_after_view(args.memory, args.ibans)
        return
    frames = synthetic_frames(args.rows, args.ibans)
    engines = args.engines.split(",")
    with tempfile.TemporaryDirectory(prefix="mirror-bench-") as folder:
        sqlite_file = str(Path(folder) / "console.sqlite3")
        if "sqlite" in engines:
            run_engine("sqlite", sqlite_file, frames, args.repeat)
        if "postgresql" in engines:
            from tests.helpers.postgres import PostgresServer

            server = PostgresServer.start()
            try:
                run_engine("postgresql", server.create_database("mirror_bench"), frames, args.repeat)
            finally:
                server.stop()
        if "sqlite" in engines:  # in a fresh process: RSS not inflated (nor reused) by the runs above
            subprocess.run(
                [sys.executable, "-m", "bench.mirror_write", "--memory", sqlite_file, "--ibans", str(args.ibans)],
                check=True,
            )


if __name__ == "__main__":
    main()
