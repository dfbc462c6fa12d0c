"""The store on either engine: what must hold on both (quoting, rollback, wide integers) and what is
PostgreSQL's own (placeholders, the migration race, an outage and recovery, the URL's password,
the sandbox's schema). Store-level behaviour of each repository is in test_store, test_callbacks,
test_journal and tests/auth, which run on both engines."""

from __future__ import annotations

import ast
import re
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from dashboard.config import Secret, Settings
from dashboard.services import SANDBOX_SCHEMA, open_store
from dashboard.store import SCHEMA_VERSION, Store, StoreUnavailable
from dashboard.store.postgres import advisory_key, mask_url, translate
from tests.helpers.postgres import PostgresServer

T0 = datetime(2025, 11, 26, 9, 0, tzinfo=UTC)
STORE_DIR = Path(__file__).resolve().parents[1] / "dashboard" / "store"
PASSWORD = "s3cr3t-Pw%2Fx"  # percent-encoded "/" inside: masked in both spellings


def with_password(url: str, password: str = PASSWORD) -> str:
    """The test server trusts loopback, so any password connects: enough to see where it shows."""
    return url.replace("postgresql://postgres@", f"postgresql://postgres:{password}@")


# -- both engines --------------------------------------------------------------------------------


def test_the_user_column_is_the_user_not_current_user(any_store):
    """Unquoted, `user` is CURRENT_USER on PostgreSQL ('postgres' in the tests): a WHERE on it would
    match every row or none. Two users' languages, dismissed outcomes and sessions stay apart."""
    store = any_store
    store.accounts.set_language("ayse", "tr", at=T0)
    store.accounts.set_language("postgres", "en", at=T0)
    assert (store.accounts.language("ayse"), store.accounts.language("postgres")) == ("tr", "en")
    assert store.accounts.language("nobody") is None
    store.operations.set_dismissed_outcome("ayse", "payout", "op-a", at=T0)
    store.operations.set_dismissed_outcome("postgres", "payout", "op-p", at=T0)
    assert store.operations.dismissed_outcome("ayse", "payout") == "op-a"
    assert store.operations.dismissed_outcome("postgres", "payout") == "op-p"
    assert store.operations.dismissed_outcome("nobody", "payout") is None


def test_no_repository_sql_names_the_user_column_unquoted():
    """Every SQL string under dashboard/store spells the column `"user"`, also SQL added later."""
    sql_start = re.compile(r"^\s*(SELECT|INSERT|UPDATE|DELETE|CREATE|ALTER|WITH)\b", re.I)
    unquoted = re.compile(r'(?<!["\w])user(?!["\w])')
    found = []
    for path in sorted(STORE_DIR.glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            texts = []
            if isinstance(node, ast.Constant) and isinstance(node.value, str):
                texts = [node.value]
            elif isinstance(node, ast.JoinedStr):
                texts = ["".join(v.value for v in node.values if isinstance(v, ast.Constant))]
            found += [f"{path.name}:{node.lineno}" for t in texts if sql_start.match(t) and unquoted.search(t)]
    assert not found, f'quote the column as "user": {found}'


def test_a_failed_write_leaves_nothing(any_store):
    store = any_store
    with pytest.raises(RuntimeError), store.engine.write() as cur:
        cur.execute("INSERT INTO balance_snapshots (iban_id, taken_at, balance_kurus) VALUES (?, ?, ?)", (1, "t", 5))
        raise RuntimeError("something after the first statement failed")
    with pytest.raises(store.engine.Error), store.engine.write() as cur:
        cur.execute("INSERT INTO balance_snapshots (iban_id, taken_at, balance_kurus) VALUES (?, ?, ?)", (1, "t", 5))
        cur.execute("INSERT INTO no_such_table VALUES (1)")
    assert store.engine.read("SELECT * FROM balance_snapshots") == []
    assert store.balances.add([{"iban_id": 1, "taken_at": T0, "balance_kurus": 5}]) == 1  # usable after


def test_kurus_sums_and_transaction_ids_beyond_32_bits(any_store):
    store = any_store
    big = 10**14  # a trillion lira in kuruş
    assert store.balances.add([{"iban_id": 2**40, "taken_at": T0, "balance_kurus": big}]) == 1
    [row] = store.balances.snapshots(iban_id=2**40)
    assert (row.iban_id, row.balance_kurus) == (2**40, big)
    total = store.engine.read_one("SELECT SUM(balance_kurus) * 100 AS s FROM balance_snapshots")["s"]
    assert total == big * 100
    store.callbacks.record_status_check(
        {"transaction_id": 2**63 - 1, "checked_at": T0, "source": "api", "status": "completed", "status_final": True}
    )
    assert store.callbacks.current_status(2**63 - 1).status == "completed"


def test_the_audit_log_refuses_update_and_delete(any_store):
    store = any_store
    store.audit.append({"at": T0, "actor": "ayse", "action": "x", "outcome": "ok"})
    for sql in ("UPDATE audit_log SET actor = 'mallory'", "DELETE FROM audit_log"):
        with pytest.raises(store.engine.Error, match="append-only"), store.engine.write() as cur:
            cur.execute(sql)
    assert [a.actor for a in store.audit.query()] == ["ayse"]


# -- PostgreSQL ----------------------------------------------------------------------------------


def test_placeholders_are_translated_outside_quotes_and_percent_escaped():
    assert translate("SELECT * FROM t WHERE a = ? AND b LIKE 'x%?' AND \"c?\" = ?") == (
        "SELECT * FROM t WHERE a = %s AND b LIKE 'x%%?' AND \"c?\" = %s"
    )
    assert translate("SELECT 'it''s ?', ?") == "SELECT 'it''s ?', %s"


def test_replicas_starting_together_migrate_once(postgres_url):
    """Eight stores open one fresh database at the same moment: each migration step would fail if run
    twice (CREATE TABLE), so all succeeding at the latest version means it ran once."""
    barrier, results = threading.Barrier(8), []

    def start() -> None:
        barrier.wait()
        try:
            store = Store.open(postgres_url)
            results.append(store.engine.schema_version)
            store.close()
        except Exception as exc:  # pragma: no cover - reported below
            results.append(exc)

    threads = [threading.Thread(target=start) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert results == [SCHEMA_VERSION] * 8


def test_a_failed_migration_leaves_the_database_as_it_was(postgres_url, monkeypatch):
    import dashboard.store.migrations as migrations

    broken = (*migrations.MIGRATIONS[:-1], (*migrations.MIGRATIONS[-1], "THIS IS NOT SQL"))
    monkeypatch.setattr(migrations, "MIGRATIONS", broken)
    with pytest.raises(Exception, match="syntax"):
        Store.open(postgres_url)
    monkeypatch.undo()
    store = Store.open(postgres_url)  # nothing of the failed attempt was left: it migrates from scratch
    try:
        assert store.engine.schema_version == SCHEMA_VERSION
    finally:
        store.close()


def test_a_newer_schema_is_refused(postgres_url, postgres_server):
    Store.open(postgres_url).close()
    postgres_server.psql(f"UPDATE schema_version SET version = {SCHEMA_VERSION + 1}", postgres_url.rsplit("/", 1)[1])
    with pytest.raises(Exception, match=f"v{SCHEMA_VERSION + 1}"):
        Store.open(postgres_url)


def test_the_password_never_shows(postgres_url):
    url = with_password(postgres_url)
    store = Store.from_url(url)
    try:
        shown = repr(store) + repr(store.engine) + store.engine.location + repr(store.engine._db)
        assert "s3cr3t" not in shown and "***" in shown
    finally:
        store.close()
    assert mask_url("postgres://u:p%40ss@h/db?sslmode=require&password=x") == (
        "postgres://u:***@h/db?sslmode=require&password=***"
    )


def test_an_unreachable_server_is_store_unavailable_without_the_password(postgres_server):
    url = with_password(f"postgresql://postgres@127.0.0.1:{postgres_server.port + 1}/nothing_here")
    started = time.monotonic()
    with pytest.raises(StoreUnavailable) as caught:
        Store.from_url(url, timeout=1.0)
    assert time.monotonic() - started < 10
    assert "s3cr3t" not in str(caught.value) and "s3cr3t" not in repr(caught.value)
    assert caught.value.__cause__ is None and caught.value.__suppress_context__


def test_a_connection_lost_mid_write_writes_nothing_and_the_pool_recovers(postgres_url):
    store = Store.from_url(postgres_url)
    try:
        with pytest.raises(StoreUnavailable), store.engine.write() as cur:
            cur.execute(
                "INSERT INTO balance_snapshots (iban_id, taken_at, balance_kurus) VALUES (?, ?, ?)", (1, "t", 5)
            )
            cur.execute("SELECT pg_terminate_backend(pg_backend_pid())")
        assert store.balances.snapshots() == []
        assert store.balances.add([{"iban_id": 1, "taken_at": T0, "balance_kurus": 5}]) == 1
    finally:
        store.close()


@pytest.fixture
def own_server():
    """A server of this test's own, to stop and start (the shared one must stay up)."""
    server = PostgresServer.start()
    yield server
    server.stop()


def test_outage_pages_get_store_unavailable_then_the_store_recovers_by_itself(own_server):
    url = with_password(own_server.create_database("outage"))
    store = Store.from_url(url, timeout=1.0)
    try:
        store.balances.add([{"iban_id": 1, "taken_at": T0, "balance_kurus": 5}])
        own_server.pause()
        for call in (
            store.balances.snapshots,
            lambda: store.balances.add([{"iban_id": 1, "taken_at": T0 + timedelta(minutes=1), "balance_kurus": 6}]),
        ):
            with pytest.raises(StoreUnavailable) as caught:
                call()
            assert "s3cr3t" not in str(caught.value)
        own_server.resume()
        deadline, recovered = time.monotonic() + 20, None
        while time.monotonic() < deadline:
            try:
                recovered = store.balances.snapshots()
                break
            except StoreUnavailable:
                time.sleep(0.2)
        assert recovered is not None and [r.balance_kurus for r in recovered] == [5]  # the failed write left nothing
    finally:
        store.close()


def test_the_sandbox_keeps_its_records_in_its_own_schema(postgres_url):
    settings = Settings(database_url=Secret(postgres_url))
    real, sandbox = open_store(settings, sandbox=False), open_store(settings, sandbox=True)
    try:
        sandbox.accounts.set_language("ayse", "tr", at=T0)
        assert real.accounts.language("ayse") is None and sandbox.accounts.language("ayse") == "tr"
        assert sandbox.engine.read_one("SELECT current_schema() AS s")["s"] == SANDBOX_SCHEMA
        assert real.engine.read_one("SELECT current_schema() AS s")["s"] == "public"
    finally:
        real.close()
        sandbox.close()


def test_a_writer_waiting_on_a_stuck_peer_gives_up_in_bounded_time(postgres_url, monkeypatch):
    """A replica frozen mid-write holds the write lock: the others' writes give up with StoreUnavailable
    after lock_timeout (30 s in production, 0.3 s here) instead of hanging, and go through once it is free."""
    from dashboard.store import postgres

    first = Store.from_url(postgres_url)
    monkeypatch.setitem(postgres.SESSION_SETTINGS, "lock_timeout", "300ms")
    second = Store.from_url(postgres_url)
    try:
        with first.engine.write():
            started = time.monotonic()
            with pytest.raises(StoreUnavailable, match="lock"):
                second.balances.add([{"iban_id": 1, "taken_at": T0, "balance_kurus": 5}])
            assert time.monotonic() - started < 5
        assert second.balances.add([{"iban_id": 1, "taken_at": T0, "balance_kurus": 5}]) == 1
    finally:
        first.close()
        second.close()


def test_reopen_is_another_connection_to_the_same_database(any_store):
    store = any_store
    other = store.reopen()
    try:
        store.accounts.set_language("ayse", "tr", at=T0)
        assert other.accounts.language("ayse") == "tr"
        assert other.engine.name == store.engine.name and repr(other) == repr(store)
    finally:
        other.close()


def test_every_integer_column_on_postgresql_is_64_bit(postgres_url):
    """Kuruş sums and transaction ids overflow int4: migrations' INTEGER becomes BIGINT (also in the
    migrations appended later), ids are identity columns."""
    store = Store.from_url(postgres_url)
    try:
        columns = store.engine.read(
            """SELECT table_name, column_name, data_type, is_identity FROM information_schema.columns
               WHERE table_schema = current_schema()"""
        )
        narrow = [(c["table_name"], c["column_name"]) for c in columns if c["data_type"] in ("integer", "smallint")]
        assert not narrow, narrow
        ids = {c["table_name"] for c in columns if c["column_name"] == "id" and c["is_identity"] == "YES"}
        assert {"audit_log", "callback_events", "status_checks"} <= ids
    finally:
        store.close()


def test_both_engines_build_the_same_tables_and_columns(postgres_url, tmp_path):
    sqlite_store, pg_store = Store.open(tmp_path / "console.sqlite3"), Store.from_url(postgres_url)
    try:
        tables = sqlite_store.engine.read(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite%'"
        )
        on_sqlite = {
            t["name"]: {c["name"] for c in sqlite_store.engine.read(f"PRAGMA table_info({t['name']})")} for t in tables
        }
        on_pg: dict[str, set[str]] = {}
        for c in pg_store.engine.read(
            """SELECT table_name, column_name FROM information_schema.columns
               WHERE table_schema = current_schema() AND table_name != 'schema_version'"""
        ):
            on_pg.setdefault(c["table_name"], set()).add(c["column_name"])
        assert on_pg == on_sqlite and len(on_sqlite) >= 10
    finally:
        sqlite_store.close()
        pg_store.close()


def test_lock_keys_are_stable_per_purpose_and_schema(postgres_url):
    real, sandbox = Store.from_url(postgres_url), Store.from_url(postgres_url, schema=SANDBOX_SCHEMA)
    try:
        assert real.engine.lock_key("write") == real.engine._db.write_lock_key  # the one writes take
        assert sandbox.engine.lock_key("write") == sandbox.engine._db.write_lock_key
        keys = {real.engine.lock_key(p) for p in ("write", "lease:a", "lease:b")}
        keys |= {sandbox.engine.lock_key(p) for p in ("write", "lease:a", "lease:b")}
        assert len(keys) == 6 and all(-(2**63) <= k < 2**63 for k in keys)
        # The same on every replica, every start and every version: during a rolling upgrade old and
        # new replicas must serialise their writes on one key. Changing it needs a full stop of the fleet.
        assert real.engine.lock_key("write") == advisory_key(None, "write") == -8504305269107061791
    finally:
        real.close()
        sandbox.close()
