"""The database every repository shares: opening either engine, migrating, reads and one write helper.

    Engine("data/console.sqlite3")                    the embedded SQLite file (the default)
    Engine("postgresql://user:pw@host/db", schema=..) PostgreSQL (ENIGMAPAY_DATABASE_URL), pooled

Both give the same guarantees: `write()` is one transaction holding the database's write lock from
its start (SQLite: BEGIN IMMEDIATE on the file; PostgreSQL: `pg_advisory_xact_lock` on the store's
key), so writes are serialised across threads, processes and replicas, and every repository's
read-then-write inside one `write()` is atomic fleet-wide. Reads see committed data. Everything
engine-specific is in `dashboard.store.sqlite` / `dashboard.store.postgres`; the schema is the
shared history in `dashboard.store.migrations`.

Errors: the database being out of reach (server down, network, no pooled connection within the
wait timeout) raises `StoreUnavailable`, whose message never holds the URL's password; the failed
write was rolled back. Any other database error propagates as the driver's (`Engine.Error`).
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Protocol

from dashboard.store import migrations, postgres, sqlite
from dashboard.store.codec import decode


class Cursor(Protocol):
    """What a repository may do inside `Engine.write()` (sqlite3.Cursor and postgres.Cursor)."""

    @property
    def rowcount(self) -> int: ...

    def execute(self, sql: str, params: Sequence[object] = ..., /) -> Any: ...

    def executemany(self, sql: str, seq_of_params: Sequence[Sequence[object]], /) -> Any: ...

    def fetchone(self) -> Any: ...

    def fetchall(self) -> list[Any]: ...


class StoreError(RuntimeError):
    """The database cannot be used by this version of the console."""


class StoreUnavailable(StoreError):
    """The database cannot be reached right now (server down, network, pool exhausted). Nothing of the
    failed call was written; the same call succeeds once the database is back. Pages say so, the
    callback route answers 503 so the provider retries."""


class Engine:
    """One open database, migrated to the current schema. Thread-safe.

    `target`: a path (SQLite) or a `postgresql://` / `postgres://` URL. On PostgreSQL `schema`
    keeps this store's tables in their own schema of the database; `pool_size` and `timeout` (the
    seconds a call waits for a connection) tune the pool.
    """

    def __init__(
        self,
        target: str | os.PathLike[str],
        *,
        schema: str | None = None,
        pool_size: int | None = None,
        timeout: float | None = None,
    ) -> None:
        self._target = target  # a URL holds the password: never shown (see __repr__ / location)
        self._options = {"schema": schema, "pool_size": pool_size, "timeout": timeout}
        self.dialect: Any
        if postgres.is_url(target):
            self.dialect = postgres
            self._db: Any = postgres.Database(
                str(target),
                schema=schema,
                pool_size=pool_size or postgres.DEFAULT_POOL_SIZE,
                timeout=postgres.WAIT_TIMEOUT if timeout is None else timeout,
            )
        else:
            if schema is not None:
                raise ValueError("a schema is for PostgreSQL; a SQLite store is one file")
            self.dialect = sqlite
            self._db = sqlite.Database(target)
        self.name: str = self.dialect.NAME  # "sqlite" or "postgresql": which engine holds the store
        self.Error: type[Exception] = self.dialect.Error  # the driver's base error class
        try:
            self._migrate()
        except BaseException:
            self._db.close()
            raise

    @property
    def path(self) -> Path | None:
        """The SQLite file; None on PostgreSQL."""
        return self._db.path

    @property
    def location(self) -> str:
        """Where the store is, safe to show: the file, or the URL with its password masked (+ schema)."""
        if self.name == sqlite.NAME:
            return str(self._db.path)
        schema = self._options["schema"]
        return postgres.mask_url(str(self._target)) + (f" (schema {schema})" if schema else "")

    def __repr__(self) -> str:
        return f"Engine({self.location!r})"

    def own_connection_url(self) -> str:
        """The URL of a PostgreSQL store, for a connection of its own outside the pool (the fleet's
        lease locks, keyed by `lock_key`). It holds the password: never show it. ValueError on SQLite."""
        if self.name != postgres.NAME:
            raise ValueError("a connection of its own is for a PostgreSQL store")
        return self._db.url

    def lock_key(self, purpose: str) -> int:
        """A PostgreSQL advisory lock key for `purpose` ("write" is the write lock's), stable across
        replicas and distinct per schema (the sandbox's locks never block the real store's)."""
        return postgres.advisory_key(self._options["schema"], purpose)

    def reopen(self) -> Engine:
        """Another engine on the same database, as another process (or replica) would open it."""
        return Engine(self._target, **self._options)

    def close(self) -> None:
        self._db.close()

    @contextmanager
    def write(self) -> Iterator[Cursor]:
        """One write transaction holding the write lock: committed when the block ends, rolled
        back if it raises (StoreUnavailable when the database went away meanwhile). Never nest
        one in another: on PostgreSQL the inner one would wait for the outer's lock (until
        lock_timeout). A connection lost during COMMIT itself leaves the outcome unknown to this
        process -- which is why the repositories' writes are safe to repeat (ids, ON CONFLICT)."""
        try:
            with self._db.write() as cur:
                yield cur
        except self.dialect.UNAVAILABLE as exc:
            raise self._unavailable(exc) from None

    def read(self, sql: str, params: Sequence[object] = ()) -> list[dict[str, Any]]:
        """Rows of a query, decoded (`codec.decode`)."""
        rows = self._unavailable_as_store_error(lambda: self._db.read(sql, params))
        return [decode(r) for r in rows]

    def read_one(self, sql: str, params: Sequence[object] = ()) -> dict[str, Any] | None:
        rows = self.read(sql, params)
        return rows[0] if rows else None

    @property
    def schema_version(self) -> int:
        return self._unavailable_as_store_error(self._db.schema_version)

    def _unavailable(self, exc: Exception) -> StoreUnavailable:
        detail = postgres.scrub(str(exc), str(self._target)) if self.name == postgres.NAME else str(exc)
        return StoreUnavailable(f"The database ({self.location}) cannot be reached right now: {detail}")

    def _unavailable_as_store_error(self, call):
        try:
            return call()
        except self.dialect.UNAVAILABLE as exc:
            raise self._unavailable(exc) from None

    def _migrate(self) -> None:
        """All pending migrations in one write transaction: under the write lock the version is read
        again, so replicas starting together migrate once; a failure leaves the old schema intact."""
        history = migrations.MIGRATIONS  # looked up now, so a test can swap the list
        latest = len(history)
        with self.write() as cur:
            self._db.prepare_migration(cur)
            version = self.dialect.schema_version(cur)
            if version > latest:
                raise StoreError(f"{self.location} has schema v{version}; this console knows up to v{latest}")
            for number in range(version, latest):
                for statement in migrations.statements(history[number], self.name):
                    cur.execute(statement)
            if version != latest:
                self.dialect.set_schema_version(cur, latest)
