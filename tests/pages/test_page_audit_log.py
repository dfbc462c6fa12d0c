"""Audit log page: money actions and exports with actor and masked IBAN, filters, audited CSV export."""

import csv
import io
from datetime import timedelta
from decimal import Decimal

from dashboard.timeutil import now
from tests.pages.test_page_send_money import GOOD, confirm, fill, review

PAGE = "audit_log"
FULL_IBAN = "TR330006100519786457841326"
MASKED = "TR33 **** **** 1326"


def table(at):
    return at.dataframe[0].value


def rows_of_csv(data: bytes) -> list[dict[str, str]]:
    assert data.startswith(b"\xef\xbb\xbf")
    return list(csv.DictReader(io.StringIO(data[3:].decode("utf-8"))))


def make_history(console):
    """The operator pays out; the viewer exports the transactions (each signed in as a demo account)."""
    confirm(review(fill(console.open("send_money", user="operator"))))
    console.open("transactions", user="viewer")
    console.download(".csv")


def test_payout_and_export_appear_with_actor_and_masked_iban_only(console):
    make_history(console)
    at = console.open(PAGE)
    assert not at.exception and not at.error
    shown = table(at)
    payout = shown[(shown["Action"] == "send_money") & (shown["Outcome"] == "confirmed")]
    assert list(payout["Actor"]) == ["operator"]
    assert list(payout["IBAN (masked)"]) == [MASKED]
    assert list(payout["Amount (₺)"]) == [Decimal("1500.50")]
    assert "transaction_id=" in payout["Details"].iloc[0]
    intent = shown[(shown["Action"] == "send_money") & (shown["Outcome"] == "intent")]
    assert list(intent["Actor"]) == ["operator"]  # the intent is recorded before the call
    export = shown[shown["Action"] == "export"]
    assert list(export["Actor"]) == ["viewer"] and list(export["Outcome"]) == ["downloaded"]
    everything = shown.astype(str).to_csv()
    assert FULL_IBAN not in everything and GOOD["iban"] not in everything


def test_filters_narrow_the_rows(console):
    make_history(console)
    at = console.open(PAGE)
    total = len(table(at))
    assert total == 6  # three sign-ins (operator, viewer, admin), intent, confirmed, export

    at.multiselect(key="audit_actors").select("viewer").run()
    assert set(table(at)["Actor"]) == {"viewer"} and len(table(at)) == 2  # sign-in, export
    at.multiselect(key="audit_actors").unselect("viewer").run()

    at.multiselect(key="audit_actions").select("send_money").run()
    assert set(table(at)["Action"]) == {"send_money"} and len(table(at)) == 2
    at.multiselect(key="audit_actions").unselect("send_money").run()

    yesterday = now("Europe/Istanbul").date() - timedelta(days=1)
    at.date_input(key="audit_range").set_value((yesterday - timedelta(days=3), yesterday)).run()
    assert len(table(at)) == 0
    assert "0 of 0 entries" in " ".join(c.value for c in at.caption)


def test_csv_export_is_exactly_the_filtered_rows_and_is_itself_audited(console):
    make_history(console)
    at = console.open(PAGE, user="admin")
    at.multiselect(key="audit_actions").select("send_money").run()
    shown = table(at)

    rows = rows_of_csv(console.download(".csv"))
    assert len(rows) == len(shown) == 2
    assert [r["Actor"] for r in rows] == list(shown["Actor"])
    assert [r["Outcome"] for r in rows] == list(shown["Outcome"])
    assert [r["IBAN (masked)"] for r in rows] == [MASKED, MASKED]
    assert [Decimal(r["Amount (₺)"]) for r in rows] == list(shown["Amount (₺)"])  # a number, not "₺…"
    assert [r["Time (Europe/Istanbul)"] for r in rows] == [t.strftime("%Y-%m-%d %H:%M:%S") for t in shown["Time"]]
    assert all(FULL_IBAN not in value for r in rows for value in r.values())

    audited = console.store().audit.query(action="export", actor="admin")
    assert len(audited) == 1
    details = audited[0].details
    assert details["dataset"] == "audit_log" and details["rows"] == 2 and "send_money" in details["filter"]

    again = console.open(PAGE)
    exports = table(again)[table(again)["Action"] == "export"]
    assert set(exports["Actor"]) == {"viewer", "admin"}
