"""Everything SQLite-specific about the console's database, in one place.

A second engine (PostgreSQL) stands beside this module with the same names: how to open a
connection, how a write transaction takes its lock, where the schema version is kept, how a
datetime is stored, and the schema's migrations. The repositories' SQL otherwise sticks to what
both engines share (`ON CONFLICT ... DO UPDATE` upserts, `RETURNING`, `excluded.`); it is written
with `?` placeholders (lists of them from `placeholders()`), which an engine of another
parameter style translates.

Durability: `synchronous=FULL` -- in WAL mode NORMAL may lose the last commits on power loss, and
the journal's promise is that an intent is on disk *before* money moves; an fsync per commit is
negligible at our write rate. `busy_timeout` covers other processes on the same file.
"""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path

NAME = "sqlite"
DB_FILENAME = "console.sqlite3"
BUSY_TIMEOUT_MS = 5000
# A write takes the database's write lock up front, so read-then-write is atomic also against
# other processes on the same file.
BEGIN_WRITE = "BEGIN IMMEDIATE"
Cursor = sqlite3.Cursor


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
    # v7 on this branch: v10 in the plan of issue 14 (the lead renumbers on merging): payout batches
    # from a file. One row per batch, one item per file row (its checks, its state, the journal
    # operation that sent it; claimed by one process at a time, the claim expiring after a crash).
    (
        """CREATE TABLE payout_batches (
            id TEXT PRIMARY KEY,
            created_at TEXT NOT NULL,
            updated_at TEXT NOT NULL,
            maker TEXT NOT NULL,
            file_name TEXT NOT NULL,
            state TEXT NOT NULL,
            rows_in_file INTEGER NOT NULL,
            to_send INTEGER NOT NULL,
            amount TEXT NOT NULL,
            amount_kurus INTEGER NOT NULL,
            include_flagged INTEGER NOT NULL,
            summary_json TEXT NOT NULL,
            state_by TEXT,
            started_at TEXT,
            finished_at TEXT
        )""",
        "CREATE INDEX payout_batches_state ON payout_batches (state, created_at)",
        "CREATE INDEX payout_batches_maker ON payout_batches (maker, created_at)",
        """CREATE TABLE payout_batch_items (
            batch_id TEXT NOT NULL,
            row_no INTEGER NOT NULL,
            state TEXT NOT NULL,
            cells_json TEXT NOT NULL,
            problems_json TEXT,
            details_json TEXT,
            username TEXT,
            amount TEXT,
            amount_kurus INTEGER,
            customer_iban TEXT,
            customer_name TEXT,
            description TEXT,
            confirm_duplicate INTEGER NOT NULL DEFAULT 0,
            attempt INTEGER NOT NULL DEFAULT 1,
            operation_id TEXT,
            claimed_by TEXT,
            claim_expires_at TEXT,
            updated_at TEXT NOT NULL,
            PRIMARY KEY (batch_id, row_no)
        )""",
        "CREATE INDEX payout_batch_items_state ON payout_batch_items (batch_id, state, row_no)",
    ),
    # v8 on this branch: v11 of issue 14 (four-eyes approval; the lead renumbers it when merging): requests that wait for a
    # second person. One per (kind, reference); `payload_json` is what a single payout sends once
    # approved (never shown), `summary_json` what people see (IBANs masked); `dispatched_at` is set
    # once an approved payout has gone through the journal.
    (
        """CREATE TABLE approval_requests (
            id TEXT PRIMARY KEY,
            kind TEXT NOT NULL CHECK (kind IN ('batch', 'payout')),
            reference TEXT NOT NULL,
            state TEXT NOT NULL,
            maker TEXT NOT NULL,
            amount TEXT NOT NULL,
            amount_kurus INTEGER NOT NULL,
            item_count INTEGER NOT NULL,
            summary_json TEXT NOT NULL,
            payload_json TEXT,
            created_at TEXT NOT NULL,
            expires_at TEXT NOT NULL,
            decided_at TEXT,
            decided_by TEXT,
            note TEXT,
            dispatched_at TEXT,
            UNIQUE (kind, reference)
        )""",
        "CREATE INDEX approval_requests_state ON approval_requests (state, created_at)",
        "CREATE INDEX approval_requests_maker ON approval_requests (maker, created_at)",
    ),
)
SCHEMA_VERSION = len(MIGRATIONS)


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


def placeholders(values: Sequence[object]) -> str:
    """`?, ?, ?` for the values of an IN list or a VALUES row."""
    return ",".join("?" * len(values))


def insert_into(table: str, values: Sequence[str]) -> str:
    """`INSERT INTO table (a, b) VALUES (?, ?)` for these columns; callers append ON CONFLICT / RETURNING."""
    return f"INSERT INTO {table} ({', '.join(values)}) VALUES ({placeholders(values)})"


def store_time(value: datetime) -> str:
    """An aware datetime as stored: ISO 8601 text in UTC with microseconds, so it sorts as text."""
    if value.tzinfo is None:
        raise ValueError("naive datetime: the store only takes aware datetimes")
    return value.astimezone(UTC).isoformat(timespec="microseconds")


def load_time(value: str) -> datetime:
    return datetime.fromisoformat(value)
