"""The console's database: one `Store` that callers hold, one repository per area.

    store = Store.in_dir(data_dir)                       SQLite, <data_dir>/console.sqlite3 (the default)
    store = Store.from_url("postgresql://...", schema=None)  PostgreSQL (ENIGMAPAY_DATABASE_URL)
    store = Store.open(url_or_path)                      either, by what it is given
    store.operations   journal entries, dismissed outcomes        (store/operations.py)
    store.audit        append-only audit log lines                (store/audit_rows.py)
    store.callbacks    callback events, status checks, current status (store/callbacks.py)
    store.balances     balance snapshots                          (store/balances.py)
    store.accounts     sign-in sessions, tickets, throttle, preferences (store/accounts.py)
    store.two_factor   TOTP factors and recovery codes             (store/two_factor.py)
    store.batches      payout batches from a file and their rows  (store/batches.py)
    store.approvals    requests waiting for a second person       (store/approvals.py)
    store.fleet        leases, shared upstream answers, generation counters (store/fleet.py)
    store.mirror       the history mirror: transactions as last reported, synced days (store/mirror.py)

Repositories return typed rows (store/rows.py). The connection, its transaction helper and the
migrations' runner are in store/engine.py; the schema's one migration history for both engines is
store/migrations.py; everything SQLite-specific is in store/sqlite.py, everything PostgreSQL-specific
in store/postgres.py.
"""

from __future__ import annotations

import os
from pathlib import Path

from dashboard.store import postgres
from dashboard.store.accounts import AccountRepository
from dashboard.store.approvals import ApprovalRepository
from dashboard.store.audit_rows import AuditRepository
from dashboard.store.balances import BalanceRepository
from dashboard.store.batches import BatchRepository
from dashboard.store.callbacks import CallbackRepository
from dashboard.store.engine import Engine, StoreError, StoreUnavailable
from dashboard.store.fleet import FleetRepository
from dashboard.store.migrations import SCHEMA_VERSION
from dashboard.store.mirror import MirrorRepository
from dashboard.store.operations import OperationRepository
from dashboard.store.rows import (
    ApprovalRow,
    AuditRow,
    BatchItemRow,
    BatchRow,
    CallbackEventRow,
    CurrentStatusRow,
    LeaseRow,
    OperationRow,
    SessionRow,
    SharedAnswerRow,
    SnapshotRow,
    StatusCheckRow,
    ThrottleRow,
    TwoFactorRow,
)
from dashboard.store.sqlite import default_path
from dashboard.store.two_factor import TwoFactorRepository

__all__ = [
    "SCHEMA_VERSION",
    "ApprovalRow",
    "AuditRow",
    "BatchItemRow",
    "BatchRow",
    "CallbackEventRow",
    "CurrentStatusRow",
    "LeaseRow",
    "OperationRow",
    "SessionRow",
    "SharedAnswerRow",
    "SnapshotRow",
    "StatusCheckRow",
    "Store",
    "StoreError",
    "StoreUnavailable",
    "ThrottleRow",
    "TwoFactorRow",
    "default_path",
]


class Store:
    """The console's database. Thread-safe; every write is one transaction (see store/engine.py)."""

    def __init__(
        self,
        target: str | os.PathLike[str],
        *,
        schema: str | None = None,
        pool_size: int | None = None,
        timeout: float | None = None,
    ) -> None:
        self._build(Engine(target, schema=schema, pool_size=pool_size, timeout=timeout))

    def _build(self, engine: Engine) -> None:
        self.engine = engine
        self.audit = AuditRepository(self.engine)
        self.operations = OperationRepository(self.engine, self.audit)
        self.callbacks = CallbackRepository(self.engine)
        self.balances = BalanceRepository(self.engine)
        self.accounts = AccountRepository(self.engine)
        self.two_factor = TwoFactorRepository(self.engine)
        self.batches = BatchRepository(self.engine, self.audit)
        self.approvals = ApprovalRepository(self.engine, self.audit)
        self.fleet = FleetRepository(self.engine)
        self.mirror = MirrorRepository(self.engine)

    @classmethod
    def open(cls, target: str | os.PathLike[str], **options) -> Store:
        """A `postgresql://` / `postgres://` URL opens PostgreSQL; anything else is a SQLite file path."""
        return cls(target, **options)

    @classmethod
    def from_url(
        cls, url: str, *, schema: str | None = None, pool_size: int | None = None, timeout: float | None = None
    ) -> Store:
        """The store on PostgreSQL (`schema`: its own schema in that database, e.g. the sandbox's)."""
        if not postgres.is_url(url):
            raise ValueError(f"a database URL starts with {' or '.join(postgres.URL_SCHEMES)}")
        return cls(url, schema=schema, pool_size=pool_size, timeout=timeout)

    @classmethod
    def in_dir(cls, data_dir: str | os.PathLike[str]) -> Store:
        """The default database, `<data_dir>/console.sqlite3`."""
        return cls(default_path(data_dir))

    def reopen(self) -> Store:
        """Another store on the same database, as another process (or replica) would open it."""
        other = object.__new__(Store)
        other._build(self.engine.reopen())
        return other

    def __repr__(self) -> str:
        return f"Store({self.engine.location!r})"

    def ping(self) -> None:
        """One trivial query: returns when the database answers, raises StoreUnavailable when it cannot
        be reached (the health check's question)."""
        self.engine.read("SELECT 1")

    @property
    def path(self) -> Path | None:
        """The SQLite file; None on PostgreSQL."""
        return self.engine.path

    def close(self) -> None:
        self.engine.close()
