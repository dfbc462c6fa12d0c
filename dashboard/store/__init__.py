"""The console's database: one `Store` that callers hold, one repository per area.

    store = Store.in_dir(data_dir)
    store.operations   journal entries, dismissed outcomes        (store/operations.py)
    store.audit        append-only audit log lines                (store/audit_rows.py)
    store.callbacks    callback events, status checks, current status (store/callbacks.py)
    store.balances     balance snapshots                          (store/balances.py)
    store.accounts     sign-in sessions, tickets, throttle, preferences (store/accounts.py)

Repositories return typed rows (store/rows.py). The connection, its transaction helper and the
migrations are in store/engine.py; everything SQLite-specific is in store/sqlite.py.
"""

from __future__ import annotations

import os
from pathlib import Path

from dashboard.store.accounts import AccountRepository
from dashboard.store.audit_rows import AuditRepository
from dashboard.store.balances import BalanceRepository
from dashboard.store.callbacks import CallbackRepository
from dashboard.store.engine import Engine, StoreError, StoreUnavailable
from dashboard.store.operations import OperationRepository
from dashboard.store.rows import (
    AuditRow,
    CallbackEventRow,
    CurrentStatusRow,
    OperationRow,
    SessionRow,
    SnapshotRow,
    StatusCheckRow,
    ThrottleRow,
)
from dashboard.store.sqlite import SCHEMA_VERSION, default_path

__all__ = [
    "SCHEMA_VERSION",
    "AuditRow",
    "CallbackEventRow",
    "CurrentStatusRow",
    "OperationRow",
    "SessionRow",
    "SnapshotRow",
    "StatusCheckRow",
    "Store",
    "StoreError",
    "StoreUnavailable",
    "ThrottleRow",
    "default_path",
]


class Store:
    """The console's database. Thread-safe; every write is one transaction."""

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.engine = Engine(path)
        self.audit = AuditRepository(self.engine)
        self.operations = OperationRepository(self.engine, self.audit)
        self.callbacks = CallbackRepository(self.engine)
        self.balances = BalanceRepository(self.engine)
        self.accounts = AccountRepository(self.engine)

    @classmethod
    def in_dir(cls, data_dir: str | os.PathLike[str]) -> Store:
        """The default database, `<data_dir>/console.sqlite3`."""
        return cls(default_path(data_dir))

    def __repr__(self) -> str:
        return f"Store({str(self.engine.path)!r})"

    def ping(self) -> None:
        """One trivial query: returns when the database answers, raises StoreUnavailable when it cannot
        be reached (the health check's question)."""
        self.engine.read("SELECT 1")

    @property
    def path(self) -> Path:
        return self.engine.path

    def close(self) -> None:
        self.engine.close()
