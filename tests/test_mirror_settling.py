"""Settling reads the mirror (journal/mirror_search.py), on SQLite and PostgreSQL: with a client that
gives raw pages, the days to search are synced into the mirror by the planner's rules and the
mirror's rows are searched; checks a few seconds apart share one sync; never a second send."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest

from dashboard.journal import CONFIRMED, UNKNOWN, Journal
from tests.test_journal import OTHER_IBAN, T0, Clock, FakeClient, tx, unknown_payout

TZ = ZoneInfo("Europe/Istanbul")
IBANS = [
    SimpleNamespace(id=1, iban="TR560001000000000000000001"),
    SimpleNamespace(id=2, iban="TR560001000000000000000002"),
]


@dataclass
class PagesClient(FakeClient):
    """FakeClient whose history also comes as raw pages, as the real client gives them."""

    page_calls: list = field(default_factory=list)

    def iter_transaction_pages(self, iban_id, start_date=None, end_date=None, *, arrow=False):
        self.page_calls.append((iban_id, start_date, end_date))
        rows = [
            {
                "id": t.id,
                "type": t.type.name.lower(),
                "amount": str(t.amount),
                "commission": 0,
                "status": "completed",
                "username": t.username,
                "customer_iban": t.customer_iban,
                "description": "",
                "created_at": t.created_at.astimezone(TZ).strftime("%Y-%m-%d %H:%M:%S"),
            }
            for t in self.history.get(iban_id, [])
            if start_date <= t.created_at.astimezone(TZ).date() <= end_date
        ]
        yield rows


@pytest.fixture
def clock():
    return Clock()


def make(store, clock):
    client = PagesClient()
    return Journal(store, client, clock=clock, ibans=lambda: IBANS), client


def test_settle_finds_the_payout_in_the_mirror(any_store, clock):
    journal, client = make(any_store, clock)
    op = unknown_payout(journal, client)
    client.history = {
        1: [tx(501, type="deposit"), tx(502, iban=OTHER_IBAN), tx(503, amount="1500.00")],
        2: [tx(504, username="user8"), tx(505, at=T0 - timedelta(hours=1)), tx(506)],
    }
    settled = journal.settle(op.id, actor="mehmet")
    assert (settled.state, settled.transaction_id, settled.status_final) == (CONFIRMED, 506, True)
    day = T0.astimezone(TZ).date()
    assert sorted(client.page_calls) == [(1, day, day), (2, day, day)]
    assert [(s.iban_id, s.rows) for s in any_store.mirror.sync_status()] == [(1, 3), (2, 3)]
    assert len(client.calls) == 1  # the one send that timed out; settling never sends


def test_checks_seconds_apart_share_one_sync_then_fetch_again(any_store, clock):
    journal, client = make(any_store, clock)
    op = unknown_payout(journal, client)
    client.history = {1: [tx(601, amount="1.00")]}
    assert journal.settle(op.id).state == UNKNOWN
    assert len(client.page_calls) == 2
    client.history = {1: [tx(601, amount="1.00"), tx(602, at=clock.now)]}  # the payout shows up
    clock.advance(seconds=5)
    assert journal.settle(op.id).state == UNKNOWN  # read from the mirror synced 5 s ago
    assert len(client.page_calls) == 2
    clock.advance(seconds=30)
    settled = journal.settle(op.id)
    assert (settled.state, settled.transaction_id) == (CONFIRMED, 602) and len(client.page_calls) == 4


def test_a_transaction_tied_to_another_entry_or_missing_is_not_the_payout(any_store, clock):
    journal, client = make(any_store, clock)
    op = unknown_payout(journal, client)
    client.history = {1: [tx(701)]}
    journal.settle(op.id)  # 701 matches: confirmed
    assert journal.get(op.id).transaction_id == 701
    clock.advance(minutes=11)  # past the duplicate window
    other = unknown_payout(journal, client)
    client.history = {1: []}  # 701 no longer reported: marked missing in the mirror, not a match
    assert journal.settle(other.id).state == UNKNOWN
    assert any_store.mirror.sync_status()[0].missing_rows == 1
