"""data_access in a fleet: the balances come from the answer the fleet shares in the store, a payout
on any replica drops every replica's balances and history. The other replica is a second Store on
the same database, as another process would open it; on SQLite and on PostgreSQL."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from datetime import timedelta

import pytest

from dashboard import data_access, services
from dashboard.fleet import ibans_to_json
from dashboard.fleet.generation import READ_EVERY
from dashboard.store import Store
from dashboard.timeutil import now


@pytest.fixture(params=["sqlite", "postgresql"])
def other_replica(request, console, monkeypatch) -> Iterator[Callable[[], Store]]:
    """The console's store on this engine; the factory opens the store another replica would open."""
    opened: list[Store] = []
    if request.param == "sqlite":
        target: Callable[[], Store] = console.store
    else:
        url = request.getfixturevalue("postgres_url")
        monkeypatch.setenv("ENIGMAPAY_DATABASE_URL", url)
        services.reset()
        target = lambda: Store.from_url(url, schema=services.SANDBOX_SCHEMA)  # noqa: E731

    assert services.records().store.engine.name == request.param

    def open_store() -> Store:
        opened.append(target())
        return opened[-1]

    yield open_store
    for store in opened:
        store.close()


def _answer_name() -> str:
    return f"ibans:{data_access._fingerprint()}"


def test_balances_are_the_fleets_stored_answer_with_the_time_the_provider_gave_it(console, other_replica):
    loaded = data_access.load_ibans()
    assert loaded.ok and console.calls("GET /ibans") == 1
    stored = other_replica().fleet.answer(_answer_name())
    assert stored.fetched_at == loaded.fetched_at and len(stored.answer) == len(loaded.value)

    services.shared_ibans().forget()  # this replica's copy gone: the stored answer is fresh, no call
    again = data_access.load_ibans()
    assert console.calls("GET /ibans") == 1 and again.value == loaded.value
    assert again.fetched_at == loaded.fetched_at and str(again.fetched_at.tzinfo) == "Europe/Istanbul"

    data_access.refresh_all()  # a person pressed Refresh within the minute: the fleet's answer, no call
    assert data_access.load_ibans().fetched_at == loaded.fetched_at and console.calls("GET /ibans") == 1


def test_a_replica_serves_the_answer_another_replica_stored_without_asking_upstream(console, other_replica):
    other = other_replica()
    ibans = data_access.backend().client.list_ibans()  # what the other replica got from the API earlier
    calls = console.calls("GET /ibans")
    at = now() - timedelta(seconds=20)
    epoch = other.fleet.claim_ask(_answer_name(), "other", now=at, next_at=at + timedelta(seconds=60))
    other.fleet.store_answer(_answer_name(), ibans_to_json(ibans), fetched_at=at, epoch=epoch)

    loaded = data_access.load_ibans()
    assert loaded.ok and loaded.value == ibans and loaded.fetched_at == at
    assert console.calls("GET /ibans") == calls


def test_a_payout_on_another_replica_drops_this_replicas_balances_and_history(console, other_replica):
    ibans = data_access.load_ibans().value
    today = now().date()
    frame = data_access.load_history(ibans, today - timedelta(days=6), today).value
    assert console.calls("GET /ibans") == 1

    other_replica().fleet.bump("money", at=now(), stale_answers=[_answer_name()])  # the other replica's payout
    assert data_access.load_ibans().value == ibans and console.calls("GET /ibans") == 1  # not read yet
    time.sleep(READ_EVERY)
    data_access.load_ibans()
    assert console.calls("GET /ibans") == 2  # stale in the store, the slot free: asked again
    assert data_access.load_history(ibans, today - timedelta(days=6), today).value is not frame


def test_a_payout_here_moves_the_generation_every_replica_reads(console, other_replica):
    data_access.load_ibans()
    data_access.after_money_moved()
    other = other_replica()
    assert other.fleet.generation("money") == 1
    row = other.fleet.answer(_answer_name())
    assert row.fetched_epoch != row.epoch and row.next_ask_at is None  # stale for everyone, slot free
    data_access.load_ibans()
    assert console.calls("GET /ibans") == 2


def test_a_history_fetched_while_money_moved_is_not_kept(console, other_replica):
    # A fetch that was under way when a payout went out may hold the history from before it: the
    # caller gets it (it asked before), the cache does not keep it for the next one.
    ibans = data_access.load_ibans().value
    today = now().date()
    moved: list[bool] = []

    def payout_mid_fetch(done, total, iban) -> None:
        if not moved:
            moved.append(True)
            data_access.after_money_moved()  # another session of this replica sends a payout

    first = data_access.load_history(ibans, today - timedelta(days=6), today, payout_mid_fetch).value
    assert moved and first is not None
    again = data_access.load_history(ibans, today - timedelta(days=6), today).value
    assert again is not first  # fetched anew, not the frame from before the payout
