"""The console's embedded database: SQLite in WAL mode behind a narrow `Store` class.

All SQL of the project lives here. Methods take and return plain dicts with Python values
(aware datetimes, `Decimal` amounts, decoded JSON), so another engine (PostgreSQL) could stand
in later without touching the journal, the audit log or the callback intake.

Column conventions, applied by `_encode`/`_decode` in one place:
- `*_at`      TEXT, ISO 8601 in UTC ("2025-11-26T11:30:00.000000+00:00"): sorts as text.
- `amount`    TEXT decimal ("1500.00"), never REAL; `*_kurus` INTEGER for matching and sums.
- `*_json`    TEXT JSON; exposed without the suffix (`request_json` <-> `request`).

Concurrency: one connection guarded by a lock. The console writes a handful of rows a second,
so serialising in-process access costs nothing and removes SQLITE_BUSY handling between our own
threads (Streamlit script threads, the callback route's threadpool). `busy_timeout` covers other
processes on the same file. Durability: `synchronous=FULL` -- in WAL mode NORMAL may lose the last
commits on power loss, and the journal's promise is that an intent is on disk *before* money
moves; an fsync per commit is negligible at our write rate.
"""

from __future__ import annotations

import json
import os
import sqlite3
import threading
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import datetime, timedelta, timezone
from decimal import Decimal
from pathlib import Path
from typing import Any

DB_FILENAME = "console.sqlite3"
BUSY_TIMEOUT_MS = 5000

# Ordered migrations: index i upgrades user_version i -> i+1. Append only; never edit a shipped one.
# Each is a tuple of statements (triggers contain ';', so no naive splitting of a script).
MIGRATIONS: tuple[tuple[str, ...], ...] = (
    # v1: payout journal, append-only audit log, raw callback events.
    (
        """CREATE TABLE operations (
            id TEXT PRIMARY KEY,
            kind TEXT NOT NULL CHECK (kind IN ('payout', 'card_payment')),
            state TEXT NOT NULL,
            created_at TEXT NOT NULL,
            updated_at TEXT NOT NULL,
            actor TEXT NOT NULL,
            amount TEXT NOT NULL,
            amount_kurus INTEGER NOT NULL,
            username TEXT NOT NULL,
            customer_iban TEXT,
            customer_name TEXT,
            description TEXT,
            request_json TEXT NOT NULL,
            transaction_id INTEGER,
            status_text TEXT,
            message TEXT,
            field_errors_json TEXT,
            duplicate_of TEXT
        )""",
        "CREATE INDEX operations_created ON operations (created_at)",
        "CREATE INDEX operations_state ON operations (state)",
        "CREATE INDEX operations_transaction ON operations (transaction_id)",
        """CREATE INDEX operations_same_content
            ON operations (kind, customer_iban, amount_kurus, username, created_at)""",
        """CREATE TABLE audit_log (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            at TEXT NOT NULL,
            actor TEXT NOT NULL,
            action TEXT NOT NULL,
            amount TEXT,
            iban_masked TEXT,
            outcome TEXT NOT NULL,
            details_json TEXT
        )""",
        "CREATE INDEX audit_at ON audit_log (at)",
        """CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
            BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END""",
        """CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
            BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END""",
        """CREATE TABLE callback_events (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            transaction_id INTEGER NOT NULL,
            status TEXT NOT NULL,
            status_text TEXT NOT NULL,
            amount TEXT,
            username TEXT,
            description TEXT,
            completed_at_text TEXT,
            raw_json TEXT NOT NULL,
            received_at TEXT NOT NULL,
            source_ip TEXT,
            UNIQUE (transaction_id, status)
        )""",
        "CREATE INDEX callback_events_received ON callback_events (received_at)",
    ),
    # v2: card payment results, normalised status, manual resolution, delivery counts,
    # verification of callbacks, status checks, derived current status, balance snapshots.
    (
        "ALTER TABLE operations ADD COLUMN status TEXT",
        "ALTER TABLE operations ADD COLUMN status_final INTEGER NOT NULL DEFAULT 0",
        "ALTER TABLE operations ADD COLUMN payment_url TEXT",
        "ALTER TABLE operations ADD COLUMN order_id TEXT",
        "ALTER TABLE operations ADD COLUMN resolved_by TEXT",
        "ALTER TABLE operations ADD COLUMN resolution_note TEXT",
        "ALTER TABLE callback_events ADD COLUMN amount_kurus INTEGER",
        "ALTER TABLE callback_events ADD COLUMN delivery_count INTEGER NOT NULL DEFAULT 1",
        "ALTER TABLE callback_events ADD COLUMN last_received_at TEXT",
        "ALTER TABLE callback_events ADD COLUMN verification TEXT NOT NULL DEFAULT 'pending'",
        "ALTER TABLE callback_events ADD COLUMN verified_at TEXT",
        "ALTER TABLE callback_events ADD COLUMN api_status_text TEXT",
        "CREATE INDEX callback_events_verification ON callback_events (verification, received_at)",
        """CREATE TABLE status_checks (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            transaction_id INTEGER NOT NULL,
            checked_at TEXT NOT NULL,
            source TEXT NOT NULL,
            status TEXT NOT NULL,
            status_text TEXT,
            status_final INTEGER NOT NULL,
            amount TEXT,
            created_at TEXT,
            completed_at TEXT
        )""",
        "CREATE INDEX status_checks_transaction ON status_checks (transaction_id, checked_at)",
        """CREATE TABLE transaction_status (
            transaction_id INTEGER PRIMARY KEY,
            status TEXT NOT NULL,
            status_text TEXT,
            status_final INTEGER NOT NULL,
            source TEXT NOT NULL,
            updated_at TEXT NOT NULL
        )""",
        """CREATE TABLE balance_snapshots (
            iban_id INTEGER NOT NULL,
            taken_at TEXT NOT NULL,
            balance_kurus INTEGER NOT NULL,
            PRIMARY KEY (iban_id, taken_at)
        )""",
        "CREATE INDEX balance_snapshots_taken ON balance_snapshots (taken_at)",
    ),
    # v3: sign-in -- server-side sessions (id = SHA-256 of the cookie token, never the token),
    # one-time sign-in tickets, failed-attempt counters for throttling.
    (
        """CREATE TABLE auth_sessions (
            id TEXT PRIMARY KEY,
            user TEXT NOT NULL,
            role TEXT NOT NULL,
            password_tag TEXT NOT NULL,
            created_at TEXT NOT NULL,
            last_seen_at TEXT NOT NULL
        )""",
        "CREATE INDEX auth_sessions_user ON auth_sessions (user)",
        """CREATE TABLE auth_tickets (
            id TEXT PRIMARY KEY,
            session_id TEXT NOT NULL,
            expires_at TEXT NOT NULL
        )""",
        """CREATE TABLE auth_throttle (
            key TEXT PRIMARY KEY,
            failures INTEGER NOT NULL,
            last_failure_at TEXT NOT NULL,
            locked_until_at TEXT
        )""",
    ),
    # v4: per-user preferences (the console's language), remembered across sessions.
    (
        """CREATE TABLE user_preferences (
            user TEXT PRIMARY KEY,
            language TEXT,
            updated_at TEXT NOT NULL
        )""",
    ),
    # v5: background work. Settling backs off per entry (attempts so far, when next, when it gave
    # up and left the entry to a person, the last outcome logged); callback verification is claimed
    # by one process at a time (claim expires, so a crashed process's claims are retaken).
    (
        "ALTER TABLE operations ADD COLUMN settle_attempts INTEGER NOT NULL DEFAULT 0",
        "ALTER TABLE operations ADD COLUMN next_settle_at TEXT",
        "ALTER TABLE operations ADD COLUMN settle_stopped_at TEXT",
        "ALTER TABLE operations ADD COLUMN settle_outcome TEXT",
        "ALTER TABLE callback_events ADD COLUMN verify_claimed_by TEXT",
        "ALTER TABLE callback_events ADD COLUMN verify_claim_expires_at TEXT",
    ),
    # v6: the outcome (payout / card payment) each user last dismissed, so a reload after that shows
    # nothing while a newer outcome stays on screen until dismissed; and each user's latest entries.
    (
        """CREATE TABLE dismissed_outcomes (
            user TEXT NOT NULL,
            kind TEXT NOT NULL,
            operation_id TEXT NOT NULL,
            dismissed_at TEXT NOT NULL,
            PRIMARY KEY (user, kind)
        )""",
        "CREATE INDEX operations_actor ON operations (actor, kind, created_at)",
    ),
)
SCHEMA_VERSION = len(MIGRATIONS)

_DECIMAL_COLUMNS = frozenset({"amount"})
_BOOL_COLUMNS = frozenset({"status_final"})
_OPERATION_COLUMNS = frozenset(
    {
        "id", "kind", "state", "created_at", "updated_at", "actor", "amount", "amount_kurus",
        "username", "customer_iban", "customer_name", "description", "request_json",
        "transaction_id", "status_text", "message", "field_errors_json", "duplicate_of", "status",
        "status_final", "payment_url", "order_id", "resolved_by", "resolution_note",
        "settle_attempts", "next_settle_at", "settle_stopped_at", "settle_outcome",
    }
)  # fmt: skip


class StoreError(RuntimeError):
    """The database file cannot be used by this version of the console."""


def default_path(data_dir: str | os.PathLike[str]) -> Path:
    return Path(data_dir) / DB_FILENAME


def _ts(value: datetime) -> str:
    if value.tzinfo is None:
        raise ValueError("naive datetime: the store only takes aware datetimes")
    return value.astimezone(timezone.utc).isoformat(timespec="microseconds")


def _encode(row: Mapping[str, Any]) -> dict[str, Any]:
    """Python values -> column values (see the module docstring for the conventions)."""
    out: dict[str, Any] = {}
    for key, value in row.items():
        if key in ("request", "field_errors", "details", "raw"):
            out[f"{key}_json"] = None if value is None else json.dumps(value, ensure_ascii=False, default=str)
        elif isinstance(value, datetime):
            out[key] = _ts(value)
        elif isinstance(value, Decimal):
            out[key] = str(value)
        elif isinstance(value, bool):
            out[key] = int(value)
        elif isinstance(value, float):
            raise TypeError(f"{key}: floats are not stored (money is Decimal or int kuruş)")
        else:
            out[key] = value
    return out


def _decode(row: sqlite3.Row | None) -> dict[str, Any] | None:
    if row is None:
        return None
    out: dict[str, Any] = {}
    for key in row.keys():
        value = row[key]
        if key.endswith("_json"):
            out[key[:-5]] = None if value is None else json.loads(value)
        elif key.endswith("_at") and isinstance(value, str):
            out[key] = datetime.fromisoformat(value)
        elif key in _DECIMAL_COLUMNS and value is not None:
            out[key] = Decimal(value)
        elif key in _BOOL_COLUMNS:
            out[key] = bool(value)
        else:
            out[key] = value
    return out


def _placeholders(values: Sequence[object]) -> str:
    return ",".join("?" * len(values))


class Store:
    """The console's database. Thread-safe; every write is one transaction."""

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.path = Path(path)
        if str(path) == ":memory:":
            raise ValueError("use a file: an in-memory database is private to one connection")
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._lock = threading.RLock()
        # isolation_level=None: we issue BEGIN/COMMIT ourselves, so nothing commits implicitly.
        self._conn = sqlite3.connect(
            self.path, isolation_level=None, check_same_thread=False, timeout=BUSY_TIMEOUT_MS / 1000
        )
        self._conn.row_factory = sqlite3.Row
        self._conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        self._conn.execute("PRAGMA journal_mode = WAL")
        self._conn.execute("PRAGMA synchronous = FULL")
        self._conn.execute("PRAGMA foreign_keys = ON")
        self._migrate()

    @classmethod
    def in_dir(cls, data_dir: str | os.PathLike[str]) -> Store:
        """The default database, `<data_dir>/console.sqlite3`."""
        return cls(default_path(data_dir))

    def __repr__(self) -> str:
        return f"Store({str(self.path)!r})"

    def close(self) -> None:
        with self._lock:
            self._conn.close()

    # -- plumbing -------------------------------------------------------------------------

    @contextmanager
    def _write(self) -> Iterator[sqlite3.Cursor]:
        """One IMMEDIATE transaction: takes the write lock up front, so read-then-write is atomic
        also against other processes."""
        with self._lock:
            cur = self._conn.cursor()
            cur.execute("BEGIN IMMEDIATE")
            try:
                yield cur
            except BaseException:
                cur.execute("ROLLBACK")
                raise
            cur.execute("COMMIT")

    def _read(self, sql: str, params: Sequence[object] = ()) -> list[dict[str, Any]]:
        with self._lock:
            rows = self._conn.execute(sql, params).fetchall()
        return [_decode(r) for r in rows]  # type: ignore[misc]

    def _read_one(self, sql: str, params: Sequence[object] = ()) -> dict[str, Any] | None:
        rows = self._read(sql, params)
        return rows[0] if rows else None

    @property
    def schema_version(self) -> int:
        with self._lock:
            return int(self._conn.execute("PRAGMA user_version").fetchone()[0])

    def _migrate(self) -> None:
        with self._write() as cur:
            version = int(cur.execute("PRAGMA user_version").fetchone()[0])
            if version > SCHEMA_VERSION:
                raise StoreError(
                    f"{self.path} has schema v{version}; this console knows up to v{SCHEMA_VERSION}"
                )
            # All pending migrations in this one transaction: a failure leaves the old file intact.
            for number in range(version, SCHEMA_VERSION):
                for statement in MIGRATIONS[number]:
                    cur.execute(statement)
            cur.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")

    # -- operations (journal) -------------------------------------------------------------

    def claim_operation(
        self,
        row: Mapping[str, Any],
        *,
        duplicate_since: datetime | None,
        active_states: Sequence[str],
        audit: Mapping[str, Any] | None = None,
    ) -> tuple[str, dict[str, Any]]:
        """Atomically decide what a submit does; returns (outcome, row).

        - "existing": an entry with this id exists (and is not a held one being confirmed): untouched.
        - "held": `duplicate_since` is set and a same-content payout in `active_states` was created
          since then; the new entry is stored with state "held" and `duplicate_of`.
        - "claimed": the intent (row["state"], normally "pending") is committed -- by insert, or by
          promoting a held entry when `duplicate_since` is None (the operator confirmed).
        `audit` is appended in the same transaction only when the outcome is "claimed".
        """
        values = _encode(row)
        unknown = set(values) - _OPERATION_COLUMNS
        if unknown:
            raise ValueError(f"unknown operation columns: {sorted(unknown)}")
        with self._write() as cur:
            existing = cur.execute("SELECT * FROM operations WHERE id = ?", (values["id"],)).fetchone()
            if existing is not None:
                if existing["state"] != "held" or duplicate_since is not None:
                    return "existing", _decode(existing)  # type: ignore[return-value]
                # The intent starts now (confirming may come minutes after the hold).
                changes = {k: v for k, v in values.items() if k != "id"}
                changes["duplicate_of"] = existing["duplicate_of"]
                sets = ", ".join(f"{k} = ?" for k in changes)
                cur.execute(
                    f"UPDATE operations SET {sets} WHERE id = ? AND state = 'held'",
                    (*changes.values(), values["id"]),
                )
                outcome = "claimed" if cur.rowcount == 1 else "existing"
            else:
                outcome = "claimed"
                if duplicate_since is not None and values["kind"] == "payout":
                    earlier = cur.execute(
                        f"""SELECT id FROM operations
                            WHERE kind = 'payout' AND customer_iban = ? AND amount_kurus = ?
                              AND username = ? AND created_at >= ?
                              AND state IN ({_placeholders(active_states)})
                            ORDER BY created_at DESC LIMIT 1""",
                        (values["customer_iban"], values["amount_kurus"], values["username"],
                         _ts(duplicate_since), *active_states),
                    ).fetchone()  # fmt: skip
                    if earlier is not None:
                        values = {**values, "state": "held", "duplicate_of": earlier["id"]}
                        outcome = "held"
                cols = ", ".join(values)
                cur.execute(
                    f"INSERT INTO operations ({cols}) VALUES ({_placeholders(values)})"
                    " ON CONFLICT (id) DO NOTHING",
                    tuple(values.values()),
                )
                if cur.rowcount != 1:  # cannot happen under BEGIN IMMEDIATE; the constraint is the backstop
                    outcome = "existing"
            if outcome == "claimed" and audit is not None:
                self._insert_audit(cur, audit)
            result = cur.execute("SELECT * FROM operations WHERE id = ?", (values["id"],)).fetchone()
        return outcome, _decode(result)  # type: ignore[return-value]

    def transition_operation(
        self,
        operation_id: str,
        *,
        from_states: Iterable[str],
        changes: Mapping[str, Any],
        audit: Mapping[str, Any] | None = None,
    ) -> bool:
        """Compare-and-set: apply `changes` only if the entry is in one of `from_states`.

        Returns whether it applied; `audit` is appended in the same transaction when it did.
        """
        values = _encode(changes)
        unknown = set(values) - _OPERATION_COLUMNS
        if unknown or "id" in values:
            raise ValueError(f"cannot set operation columns: {sorted(unknown | ({'id'} & set(values)))}")
        states = tuple(from_states)
        sets = ", ".join(f"{k} = ?" for k in values)
        with self._write() as cur:
            cur.execute(
                f"UPDATE operations SET {sets} WHERE id = ? AND state IN ({_placeholders(states)})",
                (*values.values(), operation_id, *states),
            )
            applied = cur.rowcount == 1
            if applied and audit is not None:
                self._insert_audit(cur, audit)
        return applied

    def get_operation(self, operation_id: str) -> dict[str, Any] | None:
        return self._read_one("SELECT * FROM operations WHERE id = ?", (operation_id,))

    def operations_by_transaction(self, transaction_id: int) -> list[dict[str, Any]]:
        return self._read(
            "SELECT * FROM operations WHERE transaction_id = ? ORDER BY created_at", (transaction_id,)
        )

    def linked_transaction_ids(self, transaction_ids: Iterable[int]) -> set[int]:
        """Which of these provider transactions are already tied to a journal entry."""
        ids = list({int(t) for t in transaction_ids})
        if not ids:
            return set()
        rows = self._read(
            f"SELECT DISTINCT transaction_id FROM operations WHERE transaction_id IN ({_placeholders(ids)})",
            ids,
        )
        return {r["transaction_id"] for r in rows}

    def latest_operation_of(self, actor: str, kind: str, *, except_states: Iterable[str] = ()) -> dict[str, Any] | None:
        """`actor`'s newest entry of `kind` ('payout' / 'card_payment'), ignoring `except_states`."""
        states = tuple(except_states)
        sql = "SELECT * FROM operations WHERE actor = ? AND kind = ?"
        if states:
            sql += f" AND state NOT IN ({_placeholders(states)})"
        return self._read_one(sql + " ORDER BY created_at DESC LIMIT 1", (actor, kind, *states))

    def recent_operations(self, limit: int = 50) -> list[dict[str, Any]]:
        return self._read("SELECT * FROM operations ORDER BY created_at DESC LIMIT ?", (int(limit),))

    def operations_in_states(
        self, states: Iterable[str], *, created_before: datetime | None = None
    ) -> list[dict[str, Any]]:
        states = tuple(states)
        sql = f"SELECT * FROM operations WHERE state IN ({_placeholders(states)})"
        params: list[object] = list(states)
        if created_before is not None:
            sql += " AND created_at < ?"
            params.append(_ts(created_before))
        return self._read(sql + " ORDER BY created_at", params)

    def confirmed_without_final_status(self) -> list[dict[str, Any]]:
        return self._read(
            """SELECT * FROM operations WHERE state = 'confirmed' AND transaction_id IS NOT NULL
               AND status_final = 0 ORDER BY created_at"""
        )

    def schedule_settle(self, operation_id: str, schedule: Mapping[str, Any]) -> None:
        """Store settling's bookkeeping for an entry (settle_attempts, next_settle_at,
        settle_stopped_at, settle_outcome), whatever its state."""
        values = _encode(schedule)
        allowed = {"settle_attempts", "next_settle_at", "settle_stopped_at", "settle_outcome"}
        if not values or set(values) - allowed:
            raise ValueError(f"settle schedule columns are {sorted(allowed)}")
        sets = ", ".join(f"{k} = ?" for k in values)
        with self._write() as cur:
            cur.execute(f"UPDATE operations SET {sets} WHERE id = ?", (*values.values(), operation_id))

    # -- audit log (append-only: there is deliberately no update or delete method) --------

    @staticmethod
    def _insert_audit(cur: sqlite3.Cursor, entry: Mapping[str, Any]) -> int:
        values = _encode(entry)
        cols = ", ".join(values)
        cur.execute(f"INSERT INTO audit_log ({cols}) VALUES ({_placeholders(values)})", tuple(values.values()))
        return int(cur.lastrowid or 0)

    def append_audit(self, entry: Mapping[str, Any]) -> int:
        with self._write() as cur:
            return self._insert_audit(cur, entry)

    def query_audit(
        self,
        *,
        since: datetime | None = None,
        until: datetime | None = None,
        actor: str | None = None,
        action: str | None = None,
        limit: int = 500,
    ) -> list[dict[str, Any]]:
        """Newest first; `since` inclusive, `until` exclusive."""
        where, params = ["1 = 1"], []
        for clause, value in (("at >= ?", since), ("at < ?", until)):
            if value is not None:
                where.append(clause)
                params.append(_ts(value))
        for clause, value in (("actor = ?", actor), ("action = ?", action)):
            if value is not None:
                where.append(clause)
                params.append(value)
        params.append(int(limit))
        return self._read(
            f"SELECT * FROM audit_log WHERE {' AND '.join(where)} ORDER BY at DESC, id DESC LIMIT ?", params
        )

    # -- callback events ------------------------------------------------------------------

    def add_callback_event(self, event: Mapping[str, Any], *, status_final: bool, moves_status: bool = True) -> bool:
        """Store one delivery; returns True when new, False for a duplicate (delivery counted).

        In the same transaction the transaction's derived current status moves to this event's
        status -- unless the current one is final: out-of-order deliveries never undo a final status.
        An event that is never trusted (`moves_status=False`) is only stored.
        """
        values = _encode(event)
        cols = ", ".join(values)
        with self._write() as cur:
            cur.execute(
                f"""INSERT INTO callback_events ({cols}) VALUES ({_placeholders(values)})
                    ON CONFLICT (transaction_id, status) DO UPDATE SET
                      delivery_count = delivery_count + 1, last_received_at = excluded.received_at
                    RETURNING delivery_count""",
                tuple(values.values()),
            )
            inserted = cur.fetchone()[0] == 1
            if inserted and moves_status:
                self._upsert_current_status(
                    cur, values["transaction_id"], values["status"], values["status_text"],
                    status_final, "callback", values["received_at"],
                )  # fmt: skip
        return inserted

    @staticmethod
    def _upsert_current_status(
        cur: sqlite3.Cursor, transaction_id: int, status: str, status_text: str | None,
        final: bool, source: str, at: str,
    ) -> None:  # fmt: skip
        # A callback never replaces a final status; the API (source 'api') is the truth and always does.
        cur.execute(
            """INSERT INTO transaction_status (transaction_id, status, status_text, status_final, source, updated_at)
               VALUES (?, ?, ?, ?, ?, ?)
               ON CONFLICT (transaction_id) DO UPDATE SET
                 status = excluded.status, status_text = excluded.status_text,
                 status_final = excluded.status_final, source = excluded.source,
                 updated_at = excluded.updated_at
               WHERE excluded.source = 'api' OR transaction_status.status_final = 0""",
            (transaction_id, status, status_text, int(final), source, at),
        )

    def current_status(self, transaction_id: int) -> dict[str, Any] | None:
        return self._read_one("SELECT * FROM transaction_status WHERE transaction_id = ?", (transaction_id,))

    def callback_events(
        self,
        *,
        limit: int = 100,
        since: datetime | None = None,
        transaction_id: int | None = None,
        verification: str | None = None,
        oldest_first: bool = False,
    ) -> list[dict[str, Any]]:
        """Events (with the journal entry they belong to, if any, as `operation_id`)."""
        where, params = ["1 = 1"], []
        if since is not None:
            where.append("e.received_at >= ?")
            params.append(_ts(since))
        if transaction_id is not None:
            where.append("e.transaction_id = ?")
            params.append(transaction_id)
        if verification is not None:
            where.append("e.verification = ?")
            params.append(verification)
        order = "ASC" if oldest_first else "DESC"
        params.append(int(limit))
        return self._read(
            f"""SELECT e.*, (SELECT o.id FROM operations o WHERE o.transaction_id = e.transaction_id
                             ORDER BY o.created_at LIMIT 1) AS operation_id
                FROM callback_events e WHERE {' AND '.join(where)}
                ORDER BY e.received_at {order}, e.id {order} LIMIT ?""",
            params,
        )

    def unlinked_callback_candidates(
        self, *, username: str, amount_kurus: int, since: datetime
    ) -> list[dict[str, Any]]:
        """Callback events that could belong to a payout whose answer was lost: same username and
        amount, received since `since`, not flagged as forged, transaction not tied to any entry."""
        return self._read(
            """SELECT e.* FROM callback_events e
               WHERE e.username = ? AND e.amount_kurus = ? AND e.received_at >= ?
                 AND e.verification != 'unverified'
                 AND NOT EXISTS (SELECT 1 FROM operations o WHERE o.transaction_id = e.transaction_id)
               ORDER BY e.received_at""",
            (username, amount_kurus, _ts(since)),
        )

    def set_callback_verification(
        self, event_ids: Iterable[int], *, verification: str, at: datetime, api_status_text: str | None
    ) -> None:
        ids = list(event_ids)
        if not ids:
            return
        with self._write() as cur:
            cur.execute(
                f"""UPDATE callback_events SET verification = ?, verified_at = ?, api_status_text = ?,
                      verify_claimed_by = NULL, verify_claim_expires_at = NULL
                    WHERE id IN ({_placeholders(ids)})""",
                (verification, _ts(at), api_status_text, *ids),
            )

    def claim_pending_callbacks(self, *, claimant: str, now: datetime, until: datetime, limit: int) -> list[dict[str, Any]]:
        """Claim up to `limit` pending events for verification by `claimant`, oldest first: events
        nobody holds, or whose claim expired (its process died). One IMMEDIATE transaction, so two
        processes on one file never claim the same event."""
        with self._write() as cur:
            rows = cur.execute(
                """SELECT * FROM callback_events
                   WHERE verification = 'pending'
                     AND (verify_claim_expires_at IS NULL OR verify_claim_expires_at <= ?)
                   ORDER BY received_at, id LIMIT ?""",
                (_ts(now), int(limit)),
            ).fetchall()
            ids = [r["id"] for r in rows]
            if ids:
                cur.execute(
                    f"""UPDATE callback_events SET verify_claimed_by = ?, verify_claim_expires_at = ?
                        WHERE id IN ({_placeholders(ids)})""",
                    (claimant, _ts(until), *ids),
                )
        return [_decode(r) for r in rows]  # type: ignore[misc]

    def release_callback_claims(self, event_ids: Iterable[int], *, claimant: str) -> None:
        """Give back claims not verified (API unavailable): the next run, of any process, retries them."""
        ids = list(event_ids)
        if not ids:
            return
        with self._write() as cur:
            cur.execute(
                f"""UPDATE callback_events SET verify_claimed_by = NULL, verify_claim_expires_at = NULL
                    WHERE verify_claimed_by = ? AND verification = 'pending' AND id IN ({_placeholders(ids)})""",
                (claimant, *ids),
            )

    def callback_backlog(self) -> tuple[int, datetime | None]:
        """(events waiting for verification, when the oldest of them was received)."""
        row = self._read_one(
            "SELECT COUNT(*) AS waiting, MIN(received_at) AS oldest_at FROM callback_events WHERE verification = 'pending'"
        )
        return (row["waiting"], row["oldest_at"]) if row else (0, None)

    # -- status checks --------------------------------------------------------------------

    def record_status_check(self, check: Mapping[str, Any]) -> int:
        """Store one transaction-status answer. In the same transaction it becomes the derived
        current status (the API is authoritative) and the status of a confirmed journal entry."""
        values = _encode(check)
        cols = ", ".join(values)
        with self._write() as cur:
            cur.execute(
                f"INSERT INTO status_checks ({cols}) VALUES ({_placeholders(values)})", tuple(values.values())
            )
            check_id = int(cur.lastrowid or 0)
            self._upsert_current_status(
                cur, values["transaction_id"], values["status"], values.get("status_text"),
                bool(values["status_final"]), "api", values["checked_at"],
            )  # fmt: skip
            # updated_at is left alone: it marks the entry's last state change, the check has its own time.
            cur.execute(
                """UPDATE operations SET status = ?, status_text = ?, status_final = ?
                   WHERE transaction_id = ? AND state = 'confirmed'""",
                (values["status"], values.get("status_text"), values["status_final"], values["transaction_id"]),
            )
        return check_id

    def status_checks(self, transaction_id: int) -> list[dict[str, Any]]:
        return self._read(
            "SELECT * FROM status_checks WHERE transaction_id = ? ORDER BY checked_at, id", (transaction_id,)
        )

    # -- balance snapshots ----------------------------------------------------------------

    def add_balance_snapshots(self, snapshots: Iterable[Mapping[str, Any]]) -> int:
        """Rows of iban_id, taken_at (aware), balance_kurus (int); a repeated (iban_id, taken_at) is ignored."""
        rows = [
            (int(s["iban_id"]), _ts(s["taken_at"]), _int_kurus(s["balance_kurus"])) for s in snapshots
        ]
        with self._write() as cur:
            cur.executemany(
                """INSERT INTO balance_snapshots (iban_id, taken_at, balance_kurus) VALUES (?, ?, ?)
                   ON CONFLICT (iban_id, taken_at) DO NOTHING""",
                rows,
            )
            return cur.rowcount

    def balance_snapshots(self, since: datetime | None = None, iban_id: int | None = None) -> list[dict[str, Any]]:
        where, params = ["1 = 1"], []
        if since is not None:
            where.append("taken_at >= ?")
            params.append(_ts(since))
        if iban_id is not None:
            where.append("iban_id = ?")
            params.append(iban_id)
        return self._read(
            f"SELECT * FROM balance_snapshots WHERE {' AND '.join(where)} ORDER BY taken_at, iban_id", params
        )

    # -- sign-in: sessions, tickets, throttling (policy lives in dashboard.auth) -------------
    # Session and ticket ids are SHA-256 hex digests of tokens; the tokens are never stored.

    def create_auth_session(self, row: Mapping[str, Any]) -> None:
        """Row: id, user, role, password_tag, created_at, last_seen_at."""
        values = _encode(row)
        with self._write() as cur:
            cur.execute(
                f"INSERT INTO auth_sessions ({', '.join(values)}) VALUES ({_placeholders(values)})",
                tuple(values.values()),
            )

    def auth_session(self, session_id: str) -> dict[str, Any] | None:
        return self._read_one("SELECT * FROM auth_sessions WHERE id = ?", (session_id,))

    def touch_auth_session(self, session_id: str, at: datetime) -> bool:
        with self._write() as cur:
            cur.execute("UPDATE auth_sessions SET last_seen_at = ? WHERE id = ?", (_ts(at), session_id))
            return cur.rowcount == 1

    def delete_auth_session(self, session_id: str) -> bool:
        with self._write() as cur:
            cur.execute("DELETE FROM auth_tickets WHERE session_id = ?", (session_id,))
            cur.execute("DELETE FROM auth_sessions WHERE id = ?", (session_id,))
            return cur.rowcount == 1

    def delete_auth_sessions_of(self, user: str) -> int:
        with self._write() as cur:
            cur.execute(
                "DELETE FROM auth_tickets WHERE session_id IN (SELECT id FROM auth_sessions WHERE user = ?)", (user,)
            )
            cur.execute("DELETE FROM auth_sessions WHERE user = ?", (user,))
            return cur.rowcount

    def purge_auth_records(self, *, seen_before: datetime, created_before: datetime, now: datetime) -> int:
        """Drop sessions idle since `seen_before` or created before `created_before`, and stale tickets."""
        with self._write() as cur:
            cur.execute(
                "DELETE FROM auth_sessions WHERE last_seen_at < ? OR created_at < ?",
                (_ts(seen_before), _ts(created_before)),
            )
            removed = cur.rowcount
            cur.execute(
                "DELETE FROM auth_tickets WHERE expires_at <= ? OR session_id NOT IN (SELECT id FROM auth_sessions)",
                (_ts(now),),
            )
            return removed

    def add_auth_ticket(self, ticket_id: str, *, session_id: str, expires_at: datetime) -> None:
        with self._write() as cur:
            cur.execute(
                "INSERT INTO auth_tickets (id, session_id, expires_at) VALUES (?, ?, ?)",
                (ticket_id, session_id, _ts(expires_at)),
            )

    def consume_auth_ticket(self, ticket_id: str, *, at: datetime, new_session_id: str) -> dict[str, Any] | None:
        """Use a ticket once: delete it and, if it was unexpired and its session exists, re-key that
        session to `new_session_id` (the cookie's token is minted only now). Returns the session row."""
        with self._write() as cur:
            ticket = cur.execute(
                "DELETE FROM auth_tickets WHERE id = ? RETURNING session_id, expires_at", (ticket_id,)
            ).fetchone()
            if ticket is None or ticket["expires_at"] <= _ts(at):
                return None
            cur.execute("UPDATE auth_sessions SET id = ? WHERE id = ?", (new_session_id, ticket["session_id"]))
            if cur.rowcount != 1:
                return None
            row = cur.execute("SELECT * FROM auth_sessions WHERE id = ?", (new_session_id,)).fetchone()
        return _decode(row)

    def auth_locks(self, keys: Sequence[str]) -> dict[str, dict[str, Any]]:
        """Throttle rows (failures, last_failure_at, locked_until_at) for the keys that have one."""
        if not keys:
            return {}
        rows = self._read(f"SELECT * FROM auth_throttle WHERE key IN ({_placeholders(keys)})", list(keys))
        return {r["key"]: r for r in rows}

    def record_auth_failure(
        self,
        keys: Sequence[str],
        *,
        at: datetime,
        reset_before: datetime,
        lockout: Callable[[str, int], timedelta | None],
    ) -> dict[str, int]:
        """Count one failed attempt against each key, in one transaction; returns failures per key.

        A key whose last failure is older than `reset_before` starts again at 1. `lockout(key,
        failures)` says how long the key is now locked (None: not locked)."""
        counts: dict[str, int] = {}
        with self._write() as cur:
            for key in keys:
                failures = cur.execute(
                    """INSERT INTO auth_throttle (key, failures, last_failure_at) VALUES (?, 1, ?)
                       ON CONFLICT (key) DO UPDATE SET
                         failures = CASE WHEN auth_throttle.last_failure_at < ? THEN 1
                                         ELSE auth_throttle.failures + 1 END,
                         last_failure_at = excluded.last_failure_at
                       RETURNING failures""",
                    (key, _ts(at), _ts(reset_before)),
                ).fetchone()[0]
                counts[key] = failures
                duration = lockout(key, failures)
                cur.execute(
                    "UPDATE auth_throttle SET locked_until_at = ? WHERE key = ?",
                    (_ts(at + duration) if duration else None, key),
                )
        return counts

    def clear_auth_failures(self, key: str) -> None:
        with self._write() as cur:
            cur.execute("DELETE FROM auth_throttle WHERE key = ?", (key,))

    # -- per-user preferences ---------------------------------------------------------------

    def user_language(self, user: str) -> str | None:
        """The language `user` last chose, or None if they never chose one."""
        row = self._read_one("SELECT language FROM user_preferences WHERE user = ?", (user,))
        return row["language"] if row else None

    def set_user_language(self, user: str, language: str, *, at: datetime) -> None:
        with self._write() as cur:
            cur.execute(
                """INSERT INTO user_preferences (user, language, updated_at) VALUES (?, ?, ?)
                   ON CONFLICT (user) DO UPDATE SET language = excluded.language, updated_at = excluded.updated_at""",
                (user, language, _ts(at)),
            )


    def dismissed_outcome(self, user: str, kind: str) -> str | None:
        """The id of the `kind` outcome `user` last dismissed, or None."""
        row = self._read_one("SELECT operation_id FROM dismissed_outcomes WHERE user = ? AND kind = ?", (user, kind))
        return row["operation_id"] if row else None

    def set_dismissed_outcome(self, user: str, kind: str, operation_id: str, *, at: datetime) -> None:
        with self._write() as cur:
            cur.execute(
                """INSERT INTO dismissed_outcomes (user, kind, operation_id, dismissed_at) VALUES (?, ?, ?, ?)
                   ON CONFLICT (user, kind) DO UPDATE SET operation_id = excluded.operation_id,
                   dismissed_at = excluded.dismissed_at""",
                (user, kind, operation_id, _ts(at)),
            )


def _int_kurus(value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError("balance_kurus must be an int number of kuruş")
    return value
