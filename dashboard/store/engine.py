"""The database connection every repository shares: opening, migrating, one transaction helper.

Concurrency: one connection guarded by a lock. The console writes a handful of rows a second, so
serialising in-process access costs nothing and removes busy handling between our own threads
(Streamlit script threads, the callback route's threadpool). Engine-specific details come from
`dashboard.store.sqlite`.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from dashboard.store import sqlite as dialect
from dashboard.store.codec import decode

Cursor = dialect.Cursor


class StoreError(RuntimeError):
    """The database cannot be used by this version of the console."""


class StoreUnavailable(StoreError):
    """The database cannot be reached right now (server down, network, pool exhausted). Nothing of the
    failed call was written; the same call succeeds once the database is back. Pages say so, the
    callback route answers 503 so the provider retries."""


class Engine:
    """One open database, migrated to the current schema. Thread-safe."""

    name = dialect.NAME  # "sqlite" or "postgresql": which engine holds the store

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.path = Path(path)
        self._lock = threading.RLock()
        self._conn = dialect.connect(path)
        self._migrate()

    def __repr__(self) -> str:
        return f"Engine({str(self.path)!r})"

    def close(self) -> None:
        with self._lock:
            self._conn.close()

    @contextmanager
    def write(self) -> Iterator[Cursor]:
        """One write transaction (see `dialect.BEGIN_WRITE` for its locking): committed when the
        block ends, rolled back if it raises."""
        with self._lock:
            cur = self._conn.cursor()
            cur.execute(dialect.BEGIN_WRITE)
            try:
                yield cur
            except BaseException:
                cur.execute("ROLLBACK")
                raise
            cur.execute("COMMIT")

    def read(self, sql: str, params: Sequence[object] = ()) -> list[dict[str, Any]]:
        """Rows of a query, decoded (`codec.decode`)."""
        with self._lock:
            rows = self._conn.execute(sql, params).fetchall()
        return [decode(r) for r in rows]

    def read_one(self, sql: str, params: Sequence[object] = ()) -> dict[str, Any] | None:
        rows = self.read(sql, params)
        return rows[0] if rows else None

    @property
    def schema_version(self) -> int:
        with self._lock:
            return dialect.schema_version(self._conn)

    def _migrate(self) -> None:
        migrations = dialect.MIGRATIONS  # looked up now, so a test can swap the list
        latest = len(migrations)
        with self.write() as cur:
            version = dialect.schema_version(cur)
            if version > latest:
                raise StoreError(f"{self.path} has schema v{version}; this console knows up to v{latest}")
            # All pending migrations in this one transaction: a failure leaves the old file intact.
            for number in range(version, latest):
                for statement in migrations[number]:
                    cur.execute(statement)
            dialect.set_schema_version(cur, latest)
