"""Everything PostgreSQL-specific about the console's database (`ENIGMAPAY_DATABASE_URL`), beside
`dashboard.store.sqlite` with the same names.

- Connections: psycopg 3 through one `psycopg_pool.ConnectionPool` per store. Each checkout is
  checked (`check_connection`), so connections a server restart broke are replaced on the next use
  and the store recovers by itself; waiting for one is bounded (`WAIT_TIMEOUT`), so a page is not
  stuck while the database is away (psycopg's OperationalError / PoolTimeout -> StoreUnavailable
  in engine.py). A reconnect that keeps failing gives up after `RECONNECT_TIMEOUT` and the next
  request starts a fresh attempt at once: after an outage the store is back within about 10 s.
- Reads run on a pooled autocommit connection. A write is one transaction that first takes
  `pg_advisory_xact_lock(<the store's write key>)`: writes are serialised fleet-wide exactly like
  SQLite's BEGIN IMMEDIATE, so every repository's read-then-write stays atomic across replicas.
- The SQL is the repositories' own, written with `?`: `translate()` turns it into psycopg's `%s`
  (escaping `%`), cached. Rows support `row[0]`, `row["col"]` and `.keys()` like sqlite3.Row.
- Times are ISO-8601 UTC text with microseconds, as on SQLite (one codec: codec.py).
- The schema version is a one-row table `schema_version` (SQLite: PRAGMA user_version).
- `schema` (e.g. "enigmapay_sandbox") puts a store's tables in their own schema of the database
  (search_path); each schema has its own write lock key.

Advisory lock keys: `advisory_key(schema, purpose)` -- a stable 64-bit key per (schema, purpose)
(never change the derivation: replicas of two versions must share the write key during an upgrade);
"write" is the write lock. Other fleet-wide locks (leases) take keys from it with their own purpose.
"""

from __future__ import annotations

import functools
import hashlib
import re
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any
from urllib.parse import unquote

import psycopg
from psycopg_pool import ConnectionPool

from dashboard.store.codec import insert_into, load_time, placeholders, store_time

__all__ = ["insert_into", "load_time", "placeholders", "store_time"]  # shared SQL builders, one time codec

NAME = "postgresql"
URL_SCHEMES = ("postgresql://", "postgres://")
DEFAULT_POOL_SIZE = 10
WAIT_TIMEOUT = 5.0  # seconds a read or write waits for a connection before StoreUnavailable
RECONNECT_TIMEOUT = 10.0  # seconds the pool retries a connection (with backoff) before a fresh attempt
CONNECT_TIMEOUT = 5  # seconds libpq waits for a server that does not answer
# Per connection: a write waiting this long for the write lock gives up (StoreUnavailable) rather than
# hang a page -- writes hold it for milliseconds, so a long wait means a stuck peer (or a nested
# write(), which must not happen); a transaction left idle this long (a replica frozen or cut off
# mid-write) is ended by the server, releasing the lock for the fleet.
SESSION_SETTINGS = {"lock_timeout": "30s", "idle_in_transaction_session_timeout": "60s"}
SCHEMA_NAME = re.compile(r"[a-z_][a-z0-9_]{0,62}")
Error = psycopg.Error
# Errors meaning "the database cannot be reached right now" (-> StoreUnavailable). PoolTimeout is one.
UNAVAILABLE: tuple[type[Exception], ...] = (psycopg.OperationalError,)


def is_url(target: object) -> bool:
    return isinstance(target, str) and target.startswith(URL_SCHEMES)


def mask_url(url: str) -> str:
    """The URL as shown anywhere (repr, errors, pages): its password replaced by ***."""
    masked = re.sub(r"^([a-z]+://[^:/?#@]*):[^@]*@", r"\1:***@", url)
    return re.sub(r"(?i)(\bpassword=)[^&]*", r"\1***", masked)


def _passwords(url: str) -> list[str]:
    found = re.findall(r"^[a-z]+://[^:/?#@]*:([^@]*)@", url) + re.findall(r"(?i)\bpassword=([^&]*)", url)
    return [p for raw in found if raw for p in {raw, unquote(raw)}]


def scrub(text: str, url: str) -> str:
    """`text` (an error message) with the URL masked and its password nowhere."""
    text = text.replace(url, mask_url(url))
    for password in sorted(_passwords(url), key=len, reverse=True):
        text = text.replace(password, "***")
    return text


def advisory_key(schema: str | None, purpose: str) -> int:
    """A stable signed 64-bit advisory lock key for `purpose` in `schema` (None: the default schema)."""
    digest = hashlib.blake2b(f"enigmapay:{schema or ''}:{purpose}".encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big", signed=True)


@functools.lru_cache(maxsize=4096)
def translate(sql: str) -> str:
    """`?` placeholders -> `%s`, a literal `%` -> `%%`; a `?` inside quotes stays."""
    out, quote = [], ""
    for ch in sql:
        if quote:
            quote = "" if ch == quote else quote
        elif ch in "'\"":
            quote = ch
        elif ch == "?":
            out.append("%s")
            continue
        out.append("%%" if ch == "%" else ch)
    return "".join(out)


class Row:
    """A result row like sqlite3.Row: `row[0]`, `row["col"]`, `.keys()`, iteration over values."""

    __slots__ = ("_index", "_values")

    def __init__(self, index: dict[str, int], values: Sequence[Any]) -> None:
        self._index = index
        self._values = tuple(values)

    def __getitem__(self, key: int | str) -> Any:
        return self._values[self._index[key]] if isinstance(key, str) else self._values[key]

    def keys(self) -> list[str]:
        return list(self._index)

    def __len__(self) -> int:
        return len(self._values)

    def __iter__(self) -> Iterator[Any]:
        return iter(self._values)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Row) and (self._index, self._values) == (other._index, other._values)

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:  # like sqlite3.Row: values (which may be personal data) are not shown
        return f"<Row {self.keys()}>"


def row_factory(cursor: psycopg.Cursor[Any]):
    index = {column.name: i for i, column in enumerate(cursor.description or ())}
    return lambda values: Row(index, values)


class Cursor:
    """A psycopg cursor taking the repositories' `?` SQL; `execute` returns itself like sqlite3's."""

    def __init__(self, cursor: psycopg.Cursor[Any]) -> None:
        self._cursor = cursor

    def execute(self, sql: str, params: Sequence[object] | None = None) -> Cursor:
        # Without parameters the SQL goes as written (psycopg parses `%` only when given parameters).
        self._cursor.execute(sql if params is None else translate(sql), params)
        return self

    def executemany(self, sql: str, seq_of_params: Sequence[Sequence[object]]) -> Cursor:
        self._cursor.executemany(translate(sql), seq_of_params)
        return self

    def execute_binary(self, sql: str, params: Sequence[object]) -> Cursor:
        """`execute` with the parameters sent in binary (a large bytea goes as it is, not as hex text)."""
        self._cursor.execute(translate(sql), params, binary=True)
        return self

    def copy_in(self, sql: str, data: bytes) -> None:
        """`COPY ... FROM STDIN` fed with `data` (CSV, say): a bulk load inside this transaction."""
        with self._cursor.copy(sql) as copy:
            copy.write(data)

    def fetchone(self) -> Row | None:
        return self._cursor.fetchone()

    def fetchall(self) -> list[Row]:
        return self._cursor.fetchall()

    @property
    def rowcount(self) -> int:
        return self._cursor.rowcount


def schema_version(cur: Cursor) -> int:
    if not cur.execute("SELECT to_regclass('schema_version') IS NOT NULL").fetchone()[0]:
        return 0
    row = cur.execute("SELECT version FROM schema_version").fetchone()
    return 0 if row is None else int(row[0])


def set_schema_version(cur: Cursor, version: int) -> None:
    cur.execute("CREATE TABLE IF NOT EXISTS schema_version (version BIGINT NOT NULL)")
    cur.execute("DELETE FROM schema_version")
    cur.execute("INSERT INTO schema_version (version) VALUES (?)", (int(version),))


def pool(url: str, *, schema: str | None, size: int, timeout: float) -> ConnectionPool:
    """An open pool (connecting in the background: an unreachable server is not an error yet)."""

    def configure(conn: psycopg.Connection[Any]) -> None:
        for name, value in SESSION_SETTINGS.items():
            conn.execute(f"SET {name} = '{value}'")
        if schema is not None:
            conn.execute(f'SET search_path TO "{schema}"')

    connections = ConnectionPool(
        url,
        min_size=1,
        max_size=size,
        timeout=timeout,
        reconnect_timeout=RECONNECT_TIMEOUT,
        num_workers=2,
        open=False,
        check=ConnectionPool.check_connection,
        configure=configure,
        kwargs={
            "autocommit": True,
            "row_factory": row_factory,
            "connect_timeout": CONNECT_TIMEOUT,
            "application_name": "enigmapay-console",
        },
    )
    connections.open(wait=False)
    return connections


class Database:
    """A pool of connections to one PostgreSQL database (and schema); thread-safe."""

    def __init__(
        self, url: str, *, schema: str | None = None, pool_size: int = DEFAULT_POOL_SIZE, timeout: float = WAIT_TIMEOUT
    ) -> None:
        if not is_url(url):
            raise ValueError(f"a PostgreSQL URL starts with {' or '.join(URL_SCHEMES)}")
        if schema is not None and not SCHEMA_NAME.fullmatch(schema):
            raise ValueError(f"schema {schema!r}: lower-case letters, digits and _ only")
        self.url = url  # holds the password: shown only through mask_url()
        self.schema = schema
        self.path = None  # no file
        self.write_lock_key = advisory_key(schema, "write")
        self._pool = pool(url, schema=schema, size=pool_size, timeout=timeout)

    def __repr__(self) -> str:
        return f"postgres.Database({mask_url(self.url)!r}, schema={self.schema!r})"

    def close(self) -> None:
        self._pool.close(timeout=2.0)

    @contextmanager
    def write(self) -> Iterator[Cursor]:
        """One transaction holding the store's advisory write lock from its start; rolled back
        if the block raises (also when the connection breaks: nothing is half-written)."""
        with self._pool.connection() as conn, conn.transaction(), conn.cursor() as raw:
            cur = Cursor(raw)
            cur.execute("SELECT pg_advisory_xact_lock(?)", (self.write_lock_key,))
            yield cur

    def read(self, sql: str, params: Sequence[object] = ()) -> list[Row]:
        with self._pool.connection() as conn:
            return conn.execute(translate(sql), tuple(params)).fetchall()

    def schema_version(self) -> int:
        with self._pool.connection() as conn, conn.cursor() as raw:
            return schema_version(Cursor(raw))

    def prepare_migration(self, cur: Cursor) -> None:
        """Create the store's schema if missing (under the write lock, so replicas do it once)."""
        if self.schema is not None:
            exists = cur.execute("SELECT 1 FROM pg_namespace WHERE nspname = ?", (self.schema,)).fetchone()
            if exists is None:
                cur.execute(f'CREATE SCHEMA "{self.schema}"')
