"""What a fleet of consoles on one database coordinates through it (tables `leases`,
`shared_answers`, `generations`): the atomic steps only. The rules (lease times, how fresh an answer
must be, when to read a generation) live in the domain package `dashboard.fleet`.

Every step is one statement or one write transaction, so two processes (on one SQLite file or one
PostgreSQL database) never both win a lease or a slot. Times are the callers' clocks: hosts of one
fleet keep their clocks in step (NTP), as the lease times assume.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from dashboard.store import postgres
from dashboard.store.codec import encode, placeholders, time_value
from dashboard.store.engine import Engine, StoreUnavailable
from dashboard.store.rows import LeaseRow, SharedAnswerRow, from_record

log = logging.getLogger(__name__)


class FleetRepository:
    """`store.fleet`: leases, shared upstream answers with their ask slot, generation counters."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    # -- leases ----------------------------------------------------------------------------

    def take_lease(self, name: str, holder: str, *, now: datetime, until: datetime) -> bool:
        """Take lease `name` for `holder` until `until` when it is free, expired at `now`, or already
        `holder`'s (then this renews it). True when `holder` holds it now."""
        with self._engine.write() as cur:
            cur.execute(
                """INSERT INTO leases (name, holder, expires_at) VALUES (?, ?, ?)
                   ON CONFLICT (name) DO UPDATE SET holder = excluded.holder, expires_at = excluded.expires_at
                   WHERE leases.holder = excluded.holder OR leases.expires_at <= ?
                   RETURNING holder""",
                (name, holder, time_value(until), time_value(now)),
            )
            return cur.fetchone() is not None

    def release_lease(self, name: str, holder: str) -> None:
        """Give lease `name` back (a replica shutting down), if `holder` still holds it."""
        with self._engine.write() as cur:
            cur.execute("DELETE FROM leases WHERE name = ? AND holder = ?", (name, holder))

    def lease(self, name: str) -> LeaseRow | None:
        row = self._engine.read_one("SELECT * FROM leases WHERE name = ?", (name,))
        return None if row is None else from_record(LeaseRow, row)

    # -- shared answers and their ask slot ----------------------------------------------------

    def answer(self, name: str) -> SharedAnswerRow | None:
        row = self._engine.read_one("SELECT * FROM shared_answers WHERE name = ?", (name,))
        return None if row is None else from_record(SharedAnswerRow, row)

    def claim_ask(self, name: str, holder: str, *, now: datetime, next_at: datetime) -> int | None:
        """The compare-and-set slot: `holder` may ask upstream for answer `name` when nobody may ask
        before `now` (`next_ask_at` unset or past); the next ask is then not before `next_at`. Returns the answer's epoch at the claim (give it to
        `store_answer`), None when not claimed."""
        with self._engine.write() as cur:
            cur.execute(
                """INSERT INTO shared_answers (name, asked_by, asked_at, next_ask_at) VALUES (?, ?, ?, ?)
                   ON CONFLICT (name) DO UPDATE SET asked_by = excluded.asked_by, asked_at = excluded.asked_at,
                     next_ask_at = excluded.next_ask_at
                   WHERE shared_answers.next_ask_at IS NULL
                     OR shared_answers.next_ask_at <= excluded.asked_at
                   RETURNING epoch""",
                (name, holder, time_value(now), time_value(next_at)),
            )
            row = cur.fetchone()
        return None if row is None else int(row[0])

    def store_answer(self, name: str, answer: Any, *, fetched_at: datetime, epoch: int) -> bool:
        """Keep `answer` (JSON-able), given by the provider at `fetched_at` and asked for in `epoch`,
        unless a newer answer (later, or of a later epoch) is stored already. True when kept."""
        values = encode({"answer": answer, "fetched_at": fetched_at})
        with self._engine.write() as cur:
            cur.execute(
                """INSERT INTO shared_answers (name, answer_json, fetched_at, epoch, fetched_epoch)
                   VALUES (?, ?, ?, ?, ?)
                   ON CONFLICT (name) DO UPDATE SET answer_json = excluded.answer_json,
                     fetched_at = excluded.fetched_at, fetched_epoch = excluded.fetched_epoch
                   WHERE (shared_answers.fetched_at IS NULL
                          OR shared_answers.fetched_at <= excluded.fetched_at)
                     AND (shared_answers.fetched_epoch IS NULL
                          OR shared_answers.fetched_epoch <= excluded.fetched_epoch)
                   RETURNING name""",
                (name, values["answer_json"], values["fetched_at"], int(epoch), int(epoch)),
            )
            return cur.fetchone() is not None

    def ask_failed(self, name: str, holder: str, *, retry_at: datetime) -> None:
        """`holder`'s ask failed: nobody waits for it any more, and the next ask (of any replica) may
        come at `retry_at`, sooner than the interval claimed (only while the slot is still `holder`'s)."""
        with self._engine.write() as cur:
            cur.execute(
                """UPDATE shared_answers SET asked_by = NULL,
                     next_ask_at = CASE WHEN next_ask_at > ? THEN ? ELSE next_ask_at END
                   WHERE name = ? AND asked_by = ?""",
                (time_value(retry_at), time_value(retry_at), name, holder),
            )

    def advisory_lock(self, name: str, holder: str = "") -> AdvisoryLock:
        """Lease `name` as a PostgreSQL advisory lock on its own connection (PostgreSQL stores only)."""
        url, key = self._engine.own_connection_url(), self._engine.lock_key(f"lease:{name}")
        return AdvisoryLock(url, name, key=key, holder=holder)

    # -- generations ---------------------------------------------------------------------------

    def generation(self, name: str) -> int:
        """Counter `name` (0 until first bumped)."""
        row = self._engine.read_one("SELECT value FROM generations WHERE name = ?", (name,))
        return 0 if row is None else int(row["value"])

    def bump(self, name: str, *, at: datetime, stale_answers: Iterable[str] = ()) -> int:
        """Move counter `name` on, and in the same transaction make the shared answers named stale
        with their slot free (the next read asks upstream). Returns the counter's new value."""
        answers = list(stale_answers)
        with self._engine.write() as cur:
            cur.execute(
                """INSERT INTO generations (name, value, changed_at) VALUES (?, 1, ?)
                   ON CONFLICT (name) DO UPDATE SET value = generations.value + 1, changed_at = excluded.changed_at
                   RETURNING value""",
                (name, time_value(at)),
            )
            value = int(cur.fetchone()[0])
            if answers:
                cur.execute(
                    f"""UPDATE shared_answers SET epoch = epoch + 1, next_ask_at = NULL
                        WHERE name IN ({placeholders(answers)})""",
                    answers,
                )
        return value


# -- PostgreSQL: a lease as an advisory lock ----------------------------------------------------

# The server ends a lock connection that says nothing for this long, so a leader that hangs (process
# alive, socket open) frees its lock too; keepalives find a vanished host. Holders ping more often.
LOCK_IDLE_TIMEOUT_S = 30
LOCK_CONNECT_TIMEOUT_S = 5


class AdvisoryLock:
    """Lease `name` on PostgreSQL: `pg_try_advisory_lock` held on a connection of its own, opened from
    the store's URL (not the pool). The lock lives exactly as long as that session: when the holder
    dies its connection closes and the lock is free at once; a hung holder's session is ended by the
    server after LOCK_IDLE_TIMEOUT_S without a ping. Not thread-safe: one lease keeper uses it."""

    def __init__(self, url: str, name: str, *, key: int | None = None, holder: str = "") -> None:
        self._url = url  # may carry a password: never in repr, logs or exceptions
        self.name, self.holder = name, holder  # the holder shows in pg_stat_activity.application_name
        # The store's key for this lease (Engine.lock_key): apart from other stores' (schemas).
        self._key = postgres.advisory_key(None, f"lease:{name}") if key is None else key
        self._conn: Any = None
        self._held = False

    def __repr__(self) -> str:
        return f"AdvisoryLock({self.name!r}, held={self._held})"

    def hold(self) -> bool:
        """Keep or take the lock; True while this session holds it. A lost session means a lost lock:
        the ping notices, and the lock is asked for again on a new connection.
        StoreUnavailable when the database cannot be reached."""
        import psycopg  # only on PostgreSQL

        if self._held and self._ping():
            return True
        try:
            return self._try_lock()
        except psycopg.Error:
            self._drop()  # e.g. the server ended the idle session of a follower: once more, afresh
        try:
            return self._try_lock()
        except psycopg.Error as exc:
            self._drop()
            raise StoreUnavailable(
                f"lease {self.name}: the database cannot be reached ({type(exc).__name__})"
            ) from None

    def _try_lock(self) -> bool:
        if self._conn is None:
            self._conn = self._connect()
        row = self._conn.execute("SELECT pg_try_advisory_lock(%s)", (self._key,)).fetchone()
        self._held = bool(row[0])
        return self._held

    def release(self) -> None:
        """Give the lock back (at once, not when the server gets round to the closed session), and
        end the session."""
        if self._held and self._conn is not None:
            with contextlib.suppress(Exception):
                self._conn.execute("SELECT pg_advisory_unlock(%s)", (self._key,))
        self._drop()

    def _ping(self) -> bool:
        """Whether the session holding the lock is still alive (else it is dropped: the lock is gone)."""
        import psycopg

        try:
            self._conn.execute("SELECT 1")
            return True
        except psycopg.Error:
            self._drop()
            return False

    def _connect(self) -> Any:
        import psycopg

        conn = psycopg.connect(
            self._url,
            autocommit=True,
            connect_timeout=LOCK_CONNECT_TIMEOUT_S,
            keepalives=1,
            keepalives_idle=10,
            keepalives_interval=5,
            keepalives_count=3,
            application_name=f"lease:{self.name}:{self.holder}"[:63],
        )
        try:
            conn.execute(f"SET idle_session_timeout = '{int(LOCK_IDLE_TIMEOUT_S)}s'")
        except psycopg.errors.UndefinedObject:  # PostgreSQL before 14: only a dead holder frees its lock
            log.warning("lease %s: this PostgreSQL has no idle_session_timeout; a hung holder keeps it", self.name)
        return conn

    def _drop(self) -> None:
        conn, self._conn, self._held = self._conn, None, False
        if conn is not None:
            with contextlib.suppress(Exception):
                conn.close()
