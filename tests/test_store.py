"""Store: pragmas, migrations (including an in-place upgrade of a v1 file), thread safety, snapshots.

Tests taking `store` (or `open_store`) run on both engines, SQLite and PostgreSQL; the PostgreSQL
specifics (pool, outage, migration race, masking) are in test_store_engines.py."""

from __future__ import annotations

import sqlite3
import threading
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from dashboard.store import SCHEMA_VERSION, Store, StoreError, default_path

T0 = datetime(2025, 11, 26, 9, 0, tzinfo=UTC)

# The v1 schema as it shipped, written out by hand: the test must not borrow from the code under test.
V1_SQL = """
CREATE TABLE operations (
    id TEXT PRIMARY KEY, kind TEXT NOT NULL CHECK (kind IN ('payout', 'card_payment')),
    state TEXT NOT NULL, created_at TEXT NOT NULL, updated_at TEXT NOT NULL, actor TEXT NOT NULL,
    amount TEXT NOT NULL, amount_kurus INTEGER NOT NULL, username TEXT NOT NULL, customer_iban TEXT,
    customer_name TEXT, description TEXT, request_json TEXT NOT NULL, transaction_id INTEGER,
    status_text TEXT, message TEXT, field_errors_json TEXT, duplicate_of TEXT);
CREATE INDEX operations_created ON operations (created_at);
CREATE INDEX operations_state ON operations (state);
CREATE INDEX operations_transaction ON operations (transaction_id);
CREATE INDEX operations_same_content ON operations (kind, customer_iban, amount_kurus, username, created_at);
CREATE TABLE audit_log (
    id INTEGER PRIMARY KEY AUTOINCREMENT, at TEXT NOT NULL, actor TEXT NOT NULL, action TEXT NOT NULL,
    amount TEXT, iban_masked TEXT, outcome TEXT NOT NULL, details_json TEXT);
CREATE INDEX audit_at ON audit_log (at);
CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
    BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
    BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;
CREATE TABLE callback_events (
    id INTEGER PRIMARY KEY AUTOINCREMENT, transaction_id INTEGER NOT NULL, status TEXT NOT NULL,
    status_text TEXT NOT NULL, amount TEXT, username TEXT, description TEXT, completed_at_text TEXT,
    raw_json TEXT NOT NULL, received_at TEXT NOT NULL, source_ip TEXT, UNIQUE (transaction_id, status));
CREATE INDEX callback_events_received ON callback_events (received_at);
INSERT INTO operations VALUES ('op1', 'payout', 'confirmed', '2025-11-01T10:00:00.000000+00:00',
    '2025-11-01T10:00:01.000000+00:00', 'ayse', '1500.50', 150050, 'user7', 'TR330006100519786457841326',
    'Ali Veli', NULL, '{"username": "user7"}', 4711, 'Completed', 'ok', NULL, NULL);
INSERT INTO audit_log (at, actor, action, amount, iban_masked, outcome, details_json)
    VALUES ('2025-11-01T10:00:00.000000+00:00', 'ayse', 'send_money', '1500.50', 'TR33 **** **** 1326', 'confirmed', '{}');
INSERT INTO callback_events (transaction_id, status, status_text, amount, username, raw_json, received_at)
    VALUES (4711, 'completed', 'Completed', '1500.50', 'user7', '{"transaction_id": 4711}', '2025-11-01T10:05:00.000000+00:00');
PRAGMA user_version = 1;
"""


def _columns(path, table):
    with sqlite3.connect(path) as conn:
        return {r[1] for r in conn.execute(f"PRAGMA table_info({table})")}


def test_new_file_is_wal_full_sync_current_version(tmp_path):
    store = Store.in_dir(tmp_path / "data")
    assert store.path == default_path(tmp_path / "data") == tmp_path / "data" / "console.sqlite3"
    assert store.engine.schema_version == SCHEMA_VERSION >= 2
    conn = store.engine._db._conn  # pragmas are per connection: look at ours
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert conn.execute("PRAGMA synchronous").fetchone()[0] == 2  # FULL
    assert conn.execute("PRAGMA busy_timeout").fetchone()[0] >= 1000
    for table in ("operations", "audit_log", "callback_events", "status_checks", "balance_snapshots"):
        assert _columns(store.path, table)


def test_v1_file_upgrades_in_place_keeping_rows(tmp_path):
    path = tmp_path / "console.sqlite3"
    with sqlite3.connect(path) as conn:
        conn.executescript(V1_SQL)
    assert "payment_url" not in _columns(path, "operations")

    store = Store(path)

    assert store.engine.schema_version == SCHEMA_VERSION
    assert {"status", "status_final", "payment_url", "order_id", "resolved_by"} <= _columns(path, "operations")
    assert {"delivery_count", "verification", "amount_kurus"} <= _columns(path, "callback_events")
    op = store.operations.get("op1")
    assert op.amount == Decimal("1500.50") and op.transaction_id == 4711
    assert op.request == {"username": "user7"} and op.payment_url is None and op.status_final is False
    assert op.created_at == datetime(2025, 11, 1, 10, tzinfo=UTC)
    [audit] = store.audit.query()
    assert audit.actor == "ayse" and audit.amount == Decimal("1500.50")
    [event] = store.callbacks.events()
    assert event.delivery_count == 1 and event.verification == "pending"
    assert event.operation_id == "op1"  # joined through the transaction id
    # Opening again is a no-op: migrations are not re-applied.
    store.close()
    assert Store(path).operations.get("op1").state == "confirmed"


def test_file_from_a_newer_version_is_refused(tmp_path):
    path = tmp_path / "console.sqlite3"
    with sqlite3.connect(path) as conn:
        conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    with pytest.raises(StoreError):
        Store(path)


def test_failed_migration_leaves_the_old_file_intact(tmp_path, monkeypatch):
    path = tmp_path / "console.sqlite3"
    with sqlite3.connect(path) as conn:
        conn.executescript(V1_SQL)
    import dashboard.store.migrations as store_module

    broken = (*store_module.MIGRATIONS[:-1], (*store_module.MIGRATIONS[-1], "THIS IS NOT SQL"))
    monkeypatch.setattr(store_module, "MIGRATIONS", broken)
    with pytest.raises(sqlite3.OperationalError):
        Store(path)
    assert "payment_url" not in _columns(path, "operations")
    with sqlite3.connect(path) as conn:
        assert conn.execute("PRAGMA user_version").fetchone()[0] == 1


def test_in_memory_is_refused():
    with pytest.raises(ValueError):
        Store(":memory:")


@pytest.fixture
def store(any_store):
    return any_store


def test_floats_and_naive_datetimes_are_refused(store):
    with pytest.raises(TypeError):
        store.balances.add([{"iban_id": 1, "taken_at": T0, "balance_kurus": 12.5}])
    with pytest.raises(ValueError):
        store.balances.add([{"iban_id": 1, "taken_at": datetime(2025, 1, 1), "balance_kurus": 1}])


def test_balance_snapshots_roundtrip_and_ignore_repeats(store):
    rows = [
        {"iban_id": i, "taken_at": T0 + timedelta(minutes=m), "balance_kurus": 100 * i + m}
        for i in (1, 2)
        for m in (0, 1)
    ]
    assert store.balances.add(rows) == 4
    assert store.balances.add(rows[:1]) == 0
    later = store.balances.snapshots(since=T0 + timedelta(minutes=1))
    assert [(r.iban_id, r.balance_kurus) for r in later] == [(1, 101), (2, 201)]
    assert later[0].taken_at == T0 + timedelta(minutes=1)
    assert len(store.balances.snapshots(iban_id=2)) == 2


def test_concurrent_writes_from_threads_all_land(store):
    errors = []

    def write(worker: int) -> None:
        try:
            store.balances.add(
                [{"iban_id": worker, "taken_at": T0 + timedelta(seconds=s), "balance_kurus": s} for s in range(50)]
            )
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=write, args=(w,)) for w in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    assert len(store.balances.snapshots()) == 400


def _intent(op_id: str) -> dict:
    return {
        "id": op_id,
        "kind": "payout",
        "state": "pending",
        "created_at": T0,
        "updated_at": T0,
        "actor": "ayse",
        "amount": Decimal("10.00"),
        "amount_kurus": 1000,
        "username": "user7",
        "request": {},
    }


def test_a_claim_and_its_audit_line_commit_in_one_transaction(store):
    line = {"at": T0, "actor": "ayse", "action": "send_money", "outcome": "intent"}
    with pytest.raises(store.engine.Error):  # the audit line cannot be written: the claim is not either
        store.operations.claim(_intent("op1"), duplicate_since=None, active_states=(), audit={**line, "nope": 1})
    assert store.operations.get("op1") is None and store.audit.query() == []
    outcome, row = store.operations.claim(_intent("op1"), duplicate_since=None, active_states=(), audit=line)
    assert (outcome, row.state) == ("claimed", "pending")
    assert [a.outcome for a in store.audit.query()] == ["intent"]
