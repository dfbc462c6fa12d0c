"""Frames of the console's own records (audit log, journal entries, callbacks, timelines)."""

from datetime import UTC, datetime
from decimal import Decimal
from types import SimpleNamespace

from dashboard import export
from dashboard.audit import AuditEntry
from dashboard.callbacks import TimelineItem
from dashboard.ui import audit_view

AT = datetime(2025, 11, 26, 9, 30, tzinfo=UTC)


def entries():
    return [
        AuditEntry(
            3,
            AT,
            "ayse",
            "send_money",
            "confirmed",
            Decimal("1500.50"),
            "TR33 **** **** 1326",
            {"operation_id": "abc", "transaction_id": 42},
        ),
        AuditEntry(2, AT, "mehmet", "export", "downloaded", None, None, {"format": "csv", "filter": None}),
        AuditEntry(1, AT, "ayse", "sign_in", "ok"),
    ]


def test_audit_frame_keeps_values_typed_and_local():
    frame = audit_view.audit_frame(entries(), "Europe/Istanbul")
    assert list(frame.columns) == list(audit_view.AUDIT_COLUMNS)
    assert str(frame["Time"].dt.tz) == "Europe/Istanbul" and frame["Time"].iloc[0].hour == 12
    assert list(frame["Amount (₺)"])[0] == Decimal("1500.50") and frame["Amount (₺)"].isna().tolist() == [
        False,
        True,
        True,
    ]
    assert frame["Details"].tolist() == ["operation_id=abc, transaction_id=42", "format=csv", ""]


def test_audit_csv_writes_money_as_a_number_and_blank_when_missing():
    data = export.to_csv_bytes(audit_view.audit_frame(entries(), "Europe/Istanbul"))
    lines = data[3:].decode().splitlines()
    assert lines[0].startswith('"Time (Europe/Istanbul)","Actor"')
    assert ",1500.50," in lines[1] and '"TR33 **** **** 1326"' in lines[1]
    assert '"mehmet","export",,,"downloaded"' in lines[2]


def test_filter_audit_by_actors_and_actions():
    frame = audit_view.audit_frame(entries(), "UTC")
    assert len(audit_view.filter_audit(frame)) == 3
    assert audit_view.filter_audit(frame, actors=["ayse"])["Action"].tolist() == ["send_money", "sign_in"]
    assert audit_view.filter_audit(frame, actors=["ayse"], actions=["export"]).empty
    assert audit_view.filter_audit(frame, actions=["export", "sign_in"])["Actor"].tolist() == ["mehmet", "ayse"]


def test_empty_frames_have_their_columns():
    assert list(audit_view.audit_frame([], "UTC").columns) == list(audit_view.AUDIT_COLUMNS)
    assert "Verification" in audit_view.events_frame([], "UTC").columns
    assert "State" in audit_view.operations_frame([], "UTC").columns


def test_events_and_operations_frames_show_money_as_lira_text():
    event = SimpleNamespace(
        received_at=AT,
        transaction_id=7,
        status_text="Tamamlandı",
        amount=Decimal("12.5"),
        username="u",
        verification="unverified",
        api_status_text=None,
        delivery_count=3,
        operation_id=None,
    )
    frame = audit_view.events_frame([event], "UTC")
    assert frame["Amount"].tolist() == ["₺12.50"] and frame["Verification"].tolist() == ["⛔ unverified (forged?)"]
    assert audit_view.verification_counts([event, event]) == {"unverified": 2}
    op = SimpleNamespace(
        created_at=AT,
        state="unknown",
        kind="payout",
        amount=Decimal("1500.5"),
        username="u",
        masked_iban="TR33 **** **** 1326",
        transaction_id=None,
        status_text=None,
        status=None,
        actor="ayse",
        resolution_note=None,
        message="lost",
        id="op1",
    )
    ops = audit_view.operations_frame([op], "UTC", "tr")
    # States and kinds are shown in the chosen language (the table is for the screen only).
    assert ops.iloc[0].tolist()[1:6] == [
        "sonucu bilinmiyor",
        "para gönderimi",
        "1.500,50 ₺",
        "u",
        "TR33 **** **** 1326",
    ]
    assert ops.iloc[0, 6] == "henüz bilinmiyor"  # no transaction id yet: said in words, not a grey "None"


def test_an_operation_without_a_transaction_id_says_why():
    """The Operations table (screen only): each state without an id in words; an id stays its digits."""
    base = dict(created_at=AT, kind="payout", amount=Decimal("1"), username="u", masked_iban="TR33 **** **** 1326")
    base |= dict(status_text=None, status=None, actor="ayse", resolution_note=None, message=None, id="op")
    states = {
        "held": "not sent yet",
        "pending": "not known yet",
        "unknown": "not known yet",
        "rejected": "none (refused)",
        "failed_before_send": "not sent",
        "not_sent": "not sent",
    }
    ops = [SimpleNamespace(**base, state=s, transaction_id=None) for s in states]
    ops.append(SimpleNamespace(**base, state="confirmed", transaction_id=9_007_199_254_740_993))  # > 2^53: exact
    frame = audit_view.operations_frame(ops, "UTC")
    assert frame["Transaction id"].tolist() == [*states.values(), "9007199254740993"]
    assert frame["Transaction id"].notna().all() and frame["Operation"].notna().all()


def test_timeline_frame_labels_sources():
    items = [
        TimelineItem(AT, "journal", "payout submitted"),
        TimelineItem(AT, "status_check", "status checked", "Completed"),
    ]
    frame = audit_view.timeline_frame(items, "UTC")
    assert frame["Source"].tolist() == ["📒 journal", "🔎 status check"]


def test_open_reason_in_words():
    assert "stopped" in audit_view.open_reason(SimpleNamespace(state="pending", message=None))
    assert audit_view.open_reason(SimpleNamespace(state="unknown", message="No match yet")) == "No match yet"
    assert "may or may not" in audit_view.open_reason(SimpleNamespace(state="unknown", message=None))
