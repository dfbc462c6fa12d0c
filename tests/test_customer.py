"""The customer view (dashboard.history.customer): totals, statuses and "where is my withdrawal?"
from a customer's mirrored rows and the journal's entries for them."""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import numpy as np
import pytest

from dashboard.history import customer as c
from dashboard.history.ingest import records_to_frame
from dashboard.history.search import MISSING
from dashboard.journal.records import Operation

TZ = "Europe/Istanbul"
AT = datetime(2026, 3, 1, 12, 0, tzinfo=ZoneInfo(TZ))


def rec(id_, day, type_, amount, status):
    return {
        "id": id_,
        "type": type_,
        "amount": amount,
        "commission": "0",
        "status": status,
        "username": "ayse_k",
        "customer_name": "Ayşe Kaya",
        "customer_iban": "TR120006200000000000000042",
        "description": "",
        "created_at": f"2026-02-{day:02d} 10:00:00",
    }


def op(id_, state, amount, *, tx=None, minutes=0, kind="payout", status=None, stopped=False):
    return Operation(
        id=id_,
        kind=kind,
        state=state,
        created_at=AT + timedelta(minutes=minutes),
        updated_at=AT,
        actor="desk",
        amount=Decimal(amount),
        username="ayse_k",
        customer_iban="TR990006200000000000000099",
        transaction_id=tx,
        status=status,
        settle_stopped_at=AT if stopped else None,
    )


@pytest.fixture
def rows():
    frame = records_to_frame(
        [
            rec(1, 1, "deposit", "1000.00", "Completed"),
            rec(2, 2, "deposit", "50.00", "Failed"),
            rec(3, 3, "withdrawal", "300.00", "Completed"),
            rec(4, 4, "withdrawal", "200.00", "Pending"),
            rec(5, 5, "withdrawal", "75.50", "Rejected"),
        ],
        iban_id=1,
        iban="TR330006100519786457841326",
        tz=TZ,
    )
    frame[MISSING] = np.zeros(len(frame), dtype=bool)
    return frame


def test_totals_count_completed_money_and_open_items(rows):
    ops = [op("a", "unknown", "120.00", minutes=5), op("b", "confirmed", "300.00", tx=3)]
    t = c.totals(rows, ops)
    assert (t.deposits, t.deposited) == (1, Decimal("1000.00"))
    assert (t.withdrawals, t.withdrawn) == (1, Decimal("300.00"))
    # the Pending provider row (200) and the unknown payout not yet linked to a row (120)
    assert (t.open_count, t.open_amount) == (2, Decimal("320.00"))


def test_status_table_lists_every_status_with_exact_amounts(rows):
    table = c.status_table(rows)
    got = {(r.type, r.status): (r.count, r.amount) for r in table.itertuples()}
    assert got == {
        ("deposit", "Completed"): (1, Decimal("1000.00")),
        ("deposit", "Failed"): (1, Decimal("50.00")),
        ("withdrawal", "Completed"): (1, Decimal("300.00")),
        ("withdrawal", "Pending"): (1, Decimal("200.00")),
        ("withdrawal", "Rejected"): (1, Decimal("75.50")),
    }


def test_where_is_my_withdrawal_answers_each_case_open_first(rows):
    ops = [
        op("sent", "confirmed", "300.00", tx=3, status="completed"),
        op("lost", "unknown", "120.00", minutes=5),
        op("stuck", "unknown", "80.00", minutes=1, stopped=True),
        op("refused", "rejected", "10.00", minutes=2),
        op("card", "confirmed", "99.00", kind="card_payment", minutes=3),
    ]
    answers = c.withdrawal_answers(rows, ops)
    by = {(a.operation_id or a.transaction_id): a for a in answers}
    assert by["sent"].answer == c.ANSWER_COMPLETED and by["sent"].transaction_id == 3
    assert by["lost"].answer == c.ANSWER_UNKNOWN and by["lost"].open
    assert by["stuck"].answer == c.ANSWER_NEEDS_PERSON
    assert by["refused"].answer == c.ANSWER_NOT_SENT and by["refused"].values == {"state": "rejected"}
    assert by[4].answer == c.ANSWER_IN_PROGRESS and by[4].open  # the provider's Pending row, sent elsewhere
    assert by[5].answer == c.ANSWER_FAILED and by[5].values == {"status": "Rejected"}
    assert "card" not in by and 3 not in by  # card payments are not withdrawals; row 3 is joined to "sent"
    assert [a.open for a in answers] == [True, True, True, False, False, False]
    assert [a.operation_id or a.transaction_id for a in answers[:3]] == ["lost", "stuck", 4]


def test_a_row_the_api_stopped_reporting_says_so(rows):
    rows.loc[rows["id"] == 4, MISSING] = True
    answers = {a.transaction_id: a for a in c.withdrawal_answers(rows, [])}
    assert answers[4].answer == c.ANSWER_MISSING and answers[4].values == {"status": "Pending"}


def test_customer_view_joins_names_ibans_and_keeps_operations_newest_first(rows):
    ops = [op("x", "confirmed", "5.00", minutes=1), op("y", "unknown", "6.00", minutes=9)]
    view = c.customer_view("ayse_k", rows, ops)
    assert [o.id for o in view.operations] == ["y", "x"]
    assert view.names == ("Ayşe Kaya",)
    assert view.ibans == ("TR120006200000000000000042", "TR990006200000000000000099")


def test_a_customer_with_nothing_anywhere(rows):
    view = c.customer_view("nobody", rows.iloc[0:0], [])
    assert view.totals == c.Totals(0, Decimal(0), 0, Decimal(0), 0, Decimal(0))
    assert view.withdrawals == () and view.statuses.empty
