"""Everything SQLite-specific about the console's database, in one place (the default engine).

`dashboard.store.postgres` stands beside this module with the same names: how to open a
connection (`Database`), how a write transaction takes its lock, where the schema version is kept,
how a datetime is stored. The schema's migrations are shared (`dashboard.store.migrations`). The
repositories' SQL otherwise sticks to what both engines share (`ON CONFLICT ... DO UPDATE` upserts,
`RETURNING`, `excluded.`, the column `"user"` quoted); it is written with `?` placeholders (lists
of them from `codec.placeholders()`), which the PostgreSQL dialect translates.

Concurrency: one connection guarded by a lock. The console writes a handful of rows a second, so
serialising in-process access costs nothing and removes busy handling between our own threads
(Streamlit script threads, the callback route's threadpool).

Durability: `synchronous=FULL` -- in WAL mode NORMAL may lose the last commits on power loss, and
the journal's promise is that an intent is on disk *before* money moves; an fsync per commit is
negligible at our write rate. `busy_timeout` covers other processes on the same file.
"""

from __future__ import annotations

import os
import sqlite3
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from dashboard.store.codec import insert_into, load_time, placeholders, store_time

__all__ = ["insert_into", "load_time", "placeholders", "store_time"]  # shared by both engines (codec.py)

NAME = "sqlite"
DB_FILENAME = "console.sqlite3"
BUSY_TIMEOUT_MS = 5000
# A write takes the database's write lock up front, so read-then-write is atomic also against
# other processes on the same file.
BEGIN_WRITE = "BEGIN IMMEDIATE"
Cursor = sqlite3.Cursor
Error = sqlite3.Error
# Errors meaning "the database cannot be reached right now" (-> StoreUnavailable): none for a local file.
UNAVAILABLE: tuple[type[Exception], ...] = ()


def default_path(data_dir: str | os.PathLike[str]) -> Path:
    return Path(data_dir) / DB_FILENAME


def connect(path: str | os.PathLike[str]) -> sqlite3.Connection:
    """One connection to the file at `path` (created if missing), WAL, synchronous=FULL."""
    if str(path) == ":memory:":
        raise ValueError("use a file: an in-memory database is private to one connection")
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    # isolation_level=None: we issue BEGIN/COMMIT ourselves, so nothing commits implicitly.
    conn = sqlite3.connect(path, isolation_level=None, check_same_thread=False, timeout=BUSY_TIMEOUT_MS / 1000)
    conn.row_factory = sqlite3.Row
    conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("PRAGMA synchronous = FULL")
    conn.execute("PRAGMA foreign_keys = ON")
    return conn


def schema_version(cur: sqlite3.Cursor | sqlite3.Connection) -> int:
    return int(cur.execute("PRAGMA user_version").fetchone()[0])


def set_schema_version(cur: sqlite3.Cursor, version: int) -> None:
    cur.execute(f"PRAGMA user_version = {int(version)}")


class Database:
    """The file's one connection, shared by the process's threads under a lock."""

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.path = Path(path)
        self._lock = threading.RLock()
        self._conn = connect(path)

    def close(self) -> None:
        with self._lock:
            self._conn.close()

    @contextmanager
    def write(self) -> Iterator[sqlite3.Cursor]:
        """One transaction holding the file's write lock from its start (BEGIN IMMEDIATE)."""
        with self._lock:
            cur = self._conn.cursor()
            cur.execute(BEGIN_WRITE)
            try:
                yield cur
            except BaseException:
                cur.execute("ROLLBACK")
                raise
            cur.execute("COMMIT")

    def read(self, sql: str, params: Sequence[object] = ()) -> list[Any]:
        with self._lock:
            return self._conn.execute(sql, params).fetchall()

    def schema_version(self) -> int:
        with self._lock:
            return schema_version(self._conn)

    def prepare_migration(self, cur: sqlite3.Cursor) -> None:
        """Nothing to prepare: the file is the schema."""
