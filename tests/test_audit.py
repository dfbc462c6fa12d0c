"""Audit log: append-only even against raw SQL, IBANs masked, secrets redacted, queries filter."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from dashboard.audit import REDACTED, AuditLog
from dashboard.store import Store

IBAN = "TR330006100519786457841326"
T0 = datetime(2025, 11, 26, 9, 0, tzinfo=UTC)


@pytest.fixture
def clock():
    now = [T0]

    def tick() -> datetime:
        now[0] += timedelta(minutes=1)
        return now[0]

    return tick


@pytest.fixture
def audit(tmp_path, clock):
    return AuditLog(Store(tmp_path / "db.sqlite3"), clock=clock)


def test_record_masks_iban_and_keeps_decimal(audit):
    audit.record(
        "send_money",
        actor="ayse",
        amount=Decimal("1500.50"),
        iban="tr33 0006 1005 1978 6457 8413 26",
        outcome="confirmed",
        details={"note": f"to {IBAN}", "operation_id": "abc"},
    )
    [entry] = audit.query()
    assert entry.iban_masked == "TR33 **** **** 1326"
    assert entry.amount == Decimal("1500.50")
    assert entry.details == {"note": "to TR33 **** **** 1326", "operation_id": "abc"}
    raw = sqlite3.connect(audit._store.path).execute("SELECT * FROM audit_log").fetchall()
    assert IBAN not in repr(raw) and "5784" not in repr(raw)


def test_secrets_in_details_are_redacted(audit):
    audit.record(
        "sign_in",
        actor="ayse",
        outcome="ok",
        details={"password": "hunter2", "nested": {"api_key": "k", "X-Hash": "h"}, "ok": 1},
    )
    [entry] = audit.query()
    assert entry.details == {"password": REDACTED, "nested": {"api_key": REDACTED, "X-Hash": REDACTED}, "ok": 1}
    assert "hunter2" not in repr(sqlite3.connect(audit._store.path).execute("SELECT * FROM audit_log").fetchall())


def test_unknown_action_and_float_amount_refused(audit):
    with pytest.raises(ValueError):
        audit.record("delete_everything", actor="x", outcome="ok")
    with pytest.raises(TypeError):
        audit.record("send_money", actor="x", outcome="ok", amount=1.5)  # type: ignore[arg-type]


@pytest.mark.parametrize("sql", ["UPDATE audit_log SET actor = 'mallory'", "DELETE FROM audit_log"])
def test_raw_sql_cannot_rewrite_history(audit, sql):
    audit.record("export", actor="ayse", outcome="ok")
    conn = sqlite3.connect(audit._store.path)
    with pytest.raises(sqlite3.IntegrityError, match="append-only"):
        conn.execute(sql)
    conn.rollback()
    assert [e.actor for e in audit.query()] == ["ayse"]


def test_store_offers_no_update_or_delete_for_audit():
    names = [n for n in dir(Store) if "audit" in n]
    assert not [n for n in names if any(w in n for w in ("update", "delete", "remove", "edit"))]


def test_query_filters_and_orders_newest_first(audit):
    for actor, action in [("ayse", "sign_in"), ("mehmet", "export"), ("ayse", "export"), ("ayse", "sign_in_failed")]:
        audit.record(action, actor=actor, outcome="ok")  # at T0+1..4 min
    assert [e.action for e in audit.query(actor="ayse")] == ["sign_in_failed", "export", "sign_in"]
    assert [e.actor for e in audit.query(action="export")] == ["ayse", "mehmet"]
    window = audit.query(since=T0 + timedelta(minutes=2), until=T0 + timedelta(minutes=4))
    assert [(e.actor, e.action) for e in window] == [("ayse", "export"), ("mehmet", "export")]
    assert len(audit.query(limit=1)) == 1
