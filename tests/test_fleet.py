"""A fleet on one database (dashboard.fleet, store.fleet): leases, the shared /ibans answer and its
slot, generation counters. Two "replicas" are two Store objects on the same database with
different holder ids. Runs on SQLite and on PostgreSQL (`open_store`); the advisory lock tests
need PostgreSQL only (`postgres_url`)."""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest

from dashboard.client import errors, models
from dashboard.fleet import (
    LEASE_TTL,
    RENEW_EVERY,
    TAKEOVER_WITHIN,
    GenerationWatch,
    LeasedJob,
    LeaseKeeper,
    SharedAnswer,
    TableLease,
    ibans_from_json,
    ibans_to_json,
    open_lease,
)
from dashboard.fleet.leases import CLOCK_MARGIN, JOB_TICK
from dashboard.store import Store, StoreUnavailable
from dashboard.store.fleet import AdvisoryLock
from dashboard.store.postgres import advisory_key

T0 = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)
ROOT = Path(__file__).resolve().parents[1]


class Clock:
    """A wall clock and a monotonic clock that only move when told."""

    def __init__(self) -> None:
        self.now, self.mono = T0, 1000.0

    def __call__(self) -> datetime:
        return self.now

    def monotonic(self) -> float:
        return self.mono

    def advance(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)
        self.mono += seconds


@pytest.fixture
def replicas(open_store) -> Callable[[], Store]:
    """Factory: each call opens one more Store on this test's database (one replica's store), on
    SQLite and on PostgreSQL (tests/conftest.py's `store_target`)."""
    return open_store


# -- leases -------------------------------------------------------------------------------------


def test_a_table_lease_is_held_by_one_holder_until_it_expires(replicas):
    a, b = replicas(), replicas()
    assert a.fleet.take_lease("settling", "a", now=T0, until=T0 + timedelta(seconds=30))
    assert not b.fleet.take_lease("settling", "b", now=T0 + timedelta(seconds=29), until=T0 + timedelta(seconds=59))
    assert a.fleet.take_lease("settling", "a", now=T0 + timedelta(seconds=20), until=T0 + timedelta(seconds=50))
    assert not b.fleet.take_lease("settling", "b", now=T0 + timedelta(seconds=49), until=T0 + timedelta(seconds=79))
    assert b.fleet.take_lease("settling", "b", now=T0 + timedelta(seconds=50), until=T0 + timedelta(seconds=80))
    assert a.fleet.lease("settling").holder == "b"
    assert not a.fleet.take_lease("settling", "a", now=T0 + timedelta(seconds=51), until=T0 + timedelta(seconds=81))
    assert a.fleet.take_lease("snapshots", "a", now=T0, until=T0 + timedelta(seconds=30))  # leases are independent

    a.fleet.release_lease("settling", "a")  # not a's any more: nothing happens
    assert b.fleet.lease("settling").holder == "b"
    b.fleet.release_lease("settling", "b")
    assert a.fleet.lease("settling") is None
    assert a.fleet.take_lease("settling", "a", now=T0 + timedelta(seconds=52), until=T0 + timedelta(seconds=82))


def test_replicas_racing_for_a_free_lease_give_it_to_exactly_one(replicas):
    stores = [replicas() for _ in range(8)]
    won: list[str] = []
    start = threading.Barrier(len(stores))

    def race(n: int) -> None:
        start.wait()
        if stores[n].fleet.take_lease("verification", f"r{n}", now=T0, until=T0 + timedelta(seconds=30)):
            won.append(f"r{n}")

    threads = [threading.Thread(target=race, args=(n,)) for n in range(len(stores))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(won) == 1 and stores[0].fleet.lease("verification").holder == won[0]


def _keeper(store: Store, holder: str, clock: Clock) -> LeaseKeeper:
    leases = [TableLease(store.fleet, name, holder, clock=clock) for name in ("snapshots", "settling")]
    return LeaseKeeper(leases, monotonic=clock.monotonic)


def test_a_killed_leaders_work_is_taken_over_within_the_documented_bound_and_never_by_two_at_once(replicas):
    clock = Clock()
    a, b = _keeper(replicas(), "host:1:aa", clock), _keeper(replicas(), "host:2:bb", clock)
    a.renew()
    b.renew()
    assert a.leading("settling") and a.leading("snapshots")
    assert not b.leading("settling") and not b.leading("snapshots")

    # A healthy leader renewing every RENEW_EVERY keeps its leases for good.
    for _ in range(10):
        clock.advance(RENEW_EVERY)
        a.renew()
        b.renew()
        assert a.leading("settling") and not b.leading("settling")

    # The leader dies right after its last renewal: the follower keeps trying every RENEW_EVERY.
    died = clock.mono
    while not b.leading("settling"):
        clock.advance(RENEW_EVERY)
        b.renew()
        # The dead leader's memory of its lease ran out before anyone else could take it.
        assert not (a.leading("settling") and b.leading("settling"))
    taken_after = clock.mono - died
    assert LEASE_TTL <= taken_after <= LEASE_TTL + RENEW_EVERY
    assert taken_after + JOB_TICK <= TAKEOVER_WITHIN
    assert b.leading("snapshots")

    # Had it not died but stalled, it would have stopped counting on the lease before the expiry.
    assert not a.leading("settling")
    a.renew()  # it comes back: the renewal fails (b holds it) and it knows at once
    assert not a.leading("settling") and b.leading("settling")


def test_a_leader_that_cannot_renew_stops_acting_before_its_lease_could_be_taken(replicas):
    clock = Clock()
    store = replicas()
    a = _keeper(store, "a", clock)
    a.renew()
    store.close()  # its database is gone: renewals fail (and are logged), nothing is raised
    clock.advance(LEASE_TTL - CLOCK_MARGIN - 0.1)
    a.renew()
    assert a.leading("settling")
    clock.advance(0.1)
    assert not a.leading("settling")  # CLOCK_MARGIN before the lease expires in the database


def test_a_leased_job_runs_on_the_leader_only_every_interval_and_at_once_after_a_takeover(replicas):
    clock = Clock()
    a, b = _keeper(replicas(), "a", clock), _keeper(replicas(), "b", clock)
    a.renew()
    b.renew()
    job_a = LeasedJob(a, "settling", 30.0, monotonic=clock.monotonic)
    job_b = LeasedJob(b, "settling", 30.0, monotonic=clock.monotonic)
    assert job_a.due() and not job_b.due()
    clock.advance(10)
    a.renew()
    assert not job_a.due()  # ran 10 s ago
    clock.advance(20)
    a.renew()
    assert job_a.due()
    a.release_all()  # a clean shutdown hands the lease over at b's next renewal
    assert not job_a.due()
    b.renew()
    assert job_b.due() and not job_b.due()


def test_lease_keepers_release_their_leases_when_the_process_stops(replicas):
    import asyncio

    store = replicas()
    keeper = LeaseKeeper([TableLease(store.fleet, "settling", "a")])

    async def run_briefly() -> None:
        task = asyncio.create_task(keeper.keep(every=0.01))
        for _ in range(200):
            await asyncio.sleep(0.01)
            if keeper.leading("settling"):
                break
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task

    asyncio.run(run_briefly())
    assert store.fleet.lease("settling") is None and not keeper.leading("settling")


def test_each_engine_gives_one_leader_per_job_and_a_new_one_when_it_stops(replicas):
    a_store, b_store = replicas(), replicas()
    a = LeaseKeeper(open_lease(a_store, name, "a") for name in ("snapshots", "settling"))
    b = LeaseKeeper(open_lease(b_store, name, "b") for name in ("snapshots", "settling"))
    kind = AdvisoryLock if a_store.engine.name == "postgresql" else TableLease
    assert all(isinstance(lease, kind) for lease in [*a.leases.values(), *b.leases.values()])
    a.renew()
    b.renew()
    assert a.leading("settling") and a.leading("snapshots") and not b.leading("settling")
    a.renew()
    b.renew()
    assert a.leading("settling") and not b.leading("settling")
    a.release_all()  # a stops cleanly
    b.renew()
    assert b.leading("settling") and b.leading("snapshots") and not a.leading("settling")
    a.renew()
    assert not a.leading("settling")
    b.release_all()


# -- the shared /ibans answer ---------------------------------------------------------------------


def _ibans(balance: str = "1500.50") -> list[models.Iban]:
    return [
        models.Iban(
            1, "TR330006100519786457841326", "Ayşe", "Bank", "Aktif", True, Decimal(balance), balance, {"x": 1}
        ),
        models.Iban(2, "TR330006100519786457841327", "Ali", "Bank", "Pasif", False, Decimal("0.01"), "0,01", {}),
    ]


class Upstream:
    """A fake /ibans: counts calls; `fail` makes the next calls raise; `balance` is what it answers."""

    def __init__(self, clock: Clock) -> None:
        self.clock, self.calls, self.balance, self.fail = clock, 0, "1500.50", False

    def __call__(self) -> list[models.Iban]:
        self.calls += 1
        if self.fail:
            raise errors.ServerError("upstream down", status_code=503, body=None)
        return _ibans(self.balance)


def _shared(store: Store, holder: str, clock: Clock, upstream: Upstream, **kwargs) -> SharedAnswer:
    return SharedAnswer(
        store.fleet,
        "ibans:fp",
        holder,
        upstream,
        encode=ibans_to_json,
        decode=ibans_from_json,
        clock=clock,
        sleep=lambda s: clock.advance(s),
        **kwargs,
    )


def test_the_ask_slot_is_won_by_one_replica_at_a_time(replicas):
    stores = [replicas() for _ in range(6)]
    won: list[int] = []
    start = threading.Barrier(len(stores))
    next_at = T0 + timedelta(seconds=60)

    def race(n: int) -> None:
        start.wait()
        if stores[n].fleet.claim_ask("ibans:fp", f"r{n}", now=T0, next_at=next_at) is not None:
            won.append(n)

    threads = [threading.Thread(target=race, args=(n,)) for n in range(len(stores))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(won) == 1
    fleet = stores[0].fleet
    assert fleet.answer("ibans:fp").asked_by == f"r{won[0]}"
    assert fleet.claim_ask("ibans:fp", "x", now=next_at - timedelta(microseconds=1), next_at=next_at) is None
    assert fleet.claim_ask("ibans:fp", "y", now=next_at, next_at=next_at + timedelta(seconds=60)) == 0
    fleet.ask_failed("ibans:fp", "x", retry_at=next_at)  # not x's slot any more: nothing changes
    assert fleet.answer("ibans:fp").asked_by == "y"
    fleet.ask_failed("ibans:fp", "y", retry_at=next_at + timedelta(seconds=10))
    row = fleet.answer("ibans:fp")
    assert row.asked_by is None and row.next_ask_at == next_at + timedelta(seconds=10)


def test_the_iban_list_round_trips_through_json_exactly():
    ibans = _ibans("123456789.99")
    assert ibans_from_json(ibans_to_json(ibans)) == ibans
    assert ibans_to_json(ibans)[0]["balance"] == "123456789.99"


def test_the_fleet_asks_ibans_at_most_once_a_minute_and_shows_when_the_provider_answered(replicas):
    clock, upstream = Clock(), Upstream(Clock())
    a = _shared(replicas(), "a", clock, upstream)
    b = _shared(replicas(), "b", clock, upstream)
    value, at = a.get()
    assert upstream.calls == 1 and value == _ibans() and at == T0
    clock.advance(30)
    assert b.get() == (_ibans(), T0)  # b had nothing: it reads a's answer, with a's time
    assert upstream.calls == 1

    asked = []
    for _ in range(600):  # ten minutes of both replicas asking every second
        clock.advance(1)
        for replica in (a, b):
            calls = upstream.calls
            value, at = replica.get()
            if upstream.calls > calls:
                asked.append(clock.now)
            assert clock.now - at < timedelta(seconds=61)  # never older than the minute (plus this tick)
    gaps = [(later - earlier).total_seconds() for earlier, later in zip(asked, asked[1:])]
    assert len(asked) == 10 and min(gaps) >= 60  # at T0 + 1, 2, ... 10 minutes


def test_a_replica_that_loses_the_slot_waits_for_the_winners_answer_then_keeps_the_stored_one(replicas):
    clock, upstream = Clock(), Upstream(Clock())
    store_a, store_b = replicas(), replicas()
    a = _shared(store_a, "a", clock, upstream)
    a.get()
    clock.advance(61)
    # a replica claimed the slot a moment ago and is still asking: b waits for its answer
    assert store_a.fleet.claim_ask("ibans:fp", "c", now=clock.now, next_at=clock.now + timedelta(seconds=60)) == 0
    polls = []

    def answer_while_waiting(seconds: float) -> None:
        polls.append(seconds)
        clock.advance(seconds)
        if len(polls) == 3:
            store_a.fleet.store_answer("ibans:fp", ibans_to_json(_ibans("7.00")), fetched_at=clock.now, epoch=0)

    b = SharedAnswer(
        store_b.fleet, "ibans:fp", "b", upstream, encode=ibans_to_json, decode=ibans_from_json, clock=clock,
        sleep=answer_while_waiting,
    )  # fmt: skip
    value, at = b.get()
    assert value[0].balance == Decimal("7.00") and at == clock.now and len(polls) == 3 and upstream.calls == 1

    # The next winner hangs: after WAIT_FOR_OTHER b keeps the stored answer, with its true time.
    clock.advance(61)
    assert store_a.fleet.claim_ask("ibans:fp", "c", now=clock.now, next_at=clock.now + timedelta(seconds=60)) == 0
    stored_at = at
    value, at = b.get()
    assert value[0].balance == Decimal("7.00") and at == stored_at and upstream.calls == 1


def test_a_failed_ask_frees_the_slot_a_little_later_and_the_last_answer_stays(replicas):
    clock, upstream = Clock(), Upstream(Clock())
    a, b = _shared(replicas(), "a", clock, upstream), _shared(replicas(), "b", clock, upstream)
    a.get()
    clock.advance(61)
    upstream.fail = True
    with pytest.raises(errors.ServerError):
        a.get()
    assert upstream.calls == 2
    value, at = b.get()  # nobody may ask for ASK_RETRY; b serves the stored answer without waiting
    assert at == T0 and upstream.calls == 2
    clock.advance(10)
    upstream.fail = False
    value, at = b.get()
    assert upstream.calls == 3 and at == clock.now


def test_refresh_keeps_the_fleets_minute_and_asks_once_the_stored_answer_is_a_minute_old(replicas):
    # The provider refreshes balances once a minute: a sooner ask would only repeat them, and people
    # pressing Refresh must not take the fleet past one /ibans a minute.
    clock, upstream = Clock(), Upstream(Clock())
    a, b = _shared(replicas(), "a", clock, upstream), _shared(replicas(), "b", clock, upstream)
    a.get()
    clock.advance(10)
    b.refresh()  # a person pressed Refresh on b
    assert b.get() == (_ibans(), T0) and upstream.calls == 1  # the stored answer, with its true time
    clock.advance(50)
    a.refresh()  # a minute after the answer: upstream, once for the fleet
    assert a.get() == (_ibans(), clock.now) and upstream.calls == 2
    b.refresh()
    assert b.get() == (_ibans(), clock.now) and upstream.calls == 2  # b reads a's answer


def test_a_first_start_with_nothing_stored_asks_upstream_itself_when_the_winner_does_not_answer(replicas):
    clock, upstream = Clock(), Upstream(Clock())
    store = replicas()
    assert store.fleet.claim_ask("ibans:fp", "c", now=T0, next_at=T0 + timedelta(seconds=60)) == 0  # c hangs
    b = _shared(replicas(), "b", clock, upstream)
    value, at = b.get()
    assert upstream.calls == 1 and value == _ibans() and clock.now - T0 >= timedelta(seconds=5)
    row = store.fleet.answer("ibans:fp")
    assert row.fetched_at == at and row.fetched_epoch != row.epoch  # stored as a fallback, never as fresh


# -- generations: a payout on one replica --------------------------------------------------------


def test_a_payout_on_one_replica_is_seen_by_the_others_within_the_read_interval(replicas):
    clock = Clock()
    a = GenerationWatch(replicas().fleet, "money", every=3.0, monotonic=clock.monotonic, clock=clock)
    b = GenerationWatch(replicas().fleet, "money", every=3.0, monotonic=clock.monotonic, clock=clock)
    assert a.current() == b.current() == 0
    assert a.bump() == 1 and a.current() == 1  # the replica that moved money knows at once
    clock.advance(2.9)
    assert b.current() == 0  # not read again yet: a page render pays no query
    clock.advance(0.1)
    assert b.current() == 1
    assert b.bump() == 2 and a.bump() == 3


def test_a_payout_makes_the_stored_balances_stale_and_frees_the_slot(replicas):
    clock, upstream = Clock(), Upstream(Clock())
    store_a, store_b = replicas(), replicas()
    a, b = _shared(store_a, "a", clock, upstream), _shared(store_b, "b", clock, upstream)
    money_a = GenerationWatch(store_a.fleet, "money", monotonic=clock.monotonic, clock=clock)
    money_b = GenerationWatch(store_b.fleet, "money", monotonic=clock.monotonic, clock=clock)
    a.get(money_a.current())
    b.get(money_b.current())
    clock.advance(1)
    upstream.balance = "1000.00"
    money_a.bump(stale_answers=["ibans:fp"])
    value, at = a.get(money_a.current())  # the payout's replica: fresh balances at once, one call
    assert value[0].balance == Decimal("1000.00") and at == clock.now and upstream.calls == 2
    value, _ = b.get(money_b.current())  # b has not read the counter yet: its copy is still served
    assert value[0].balance == Decimal("1500.50")
    clock.advance(2)
    value, at = b.get(money_b.current())  # newer generation: b reads the stored answer, no call
    assert value[0].balance == Decimal("1000.00") and upstream.calls == 2


def test_an_answer_asked_before_a_payout_never_counts_as_fresh_after_it(replicas):
    store = replicas()
    epoch = store.fleet.claim_ask("ibans:fp", "a", now=T0, next_at=T0 + timedelta(seconds=60))
    store.fleet.bump("money", at=T0, stale_answers=["ibans:fp"])  # money moved while a was asking
    new_epoch = store.fleet.claim_ask("ibans:fp", "b", now=T0, next_at=T0 + timedelta(seconds=60))
    assert new_epoch == epoch + 1
    assert store.fleet.store_answer("ibans:fp", ["new"], fetched_at=T0 + timedelta(seconds=1), epoch=new_epoch)
    assert not store.fleet.store_answer("ibans:fp", ["old"], fetched_at=T0 + timedelta(seconds=2), epoch=epoch)
    row = store.fleet.answer("ibans:fp")
    assert row.answer == ["new"] and row.fetched_epoch == row.epoch


# -- PostgreSQL: leases as advisory locks --------------------------------------------------------

HOLD_AND_WAIT = """
import sys, time
from dashboard.store.fleet import AdvisoryLock
from dashboard.store.postgres import advisory_key
lock = AdvisoryLock(sys.argv[1], "settling")
print("held" if lock.hold() else "not held", flush=True)
time.sleep(600)
"""


def test_an_advisory_lease_is_free_at_once_when_its_holding_process_is_killed(postgres_url):
    import subprocess
    import sys
    import time

    leader = subprocess.Popen(
        [sys.executable, "-c", HOLD_AND_WAIT, postgres_url], stdout=subprocess.PIPE, text=True, cwd=ROOT
    )
    try:
        assert leader.stdout.readline().strip() == "held"
        follower = LeaseKeeper([AdvisoryLock(postgres_url, "settling")])
        follower.renew()
        assert not follower.leading("settling")
        leader.kill()  # SIGKILL: no clean-up, the server sees the connection close
        leader.wait(timeout=10)
        killed = time.monotonic()
        while not follower.leading("settling"):
            assert time.monotonic() - killed < 5, "the lock should be free as soon as its session ends"
            time.sleep(0.05)
            follower.renew()
        # A follower renewing every RENEW_EVERY seconds takes over within that, far inside the bound.
        assert RENEW_EVERY + JOB_TICK <= TAKEOVER_WITHIN
        follower.release_all()
    finally:
        leader.kill()
        leader.wait(timeout=10)


def test_an_advisory_lease_of_a_hung_holder_ends_with_its_idle_session_and_the_holder_notices(
    postgres_url, monkeypatch
):
    import time

    from dashboard.store import fleet as store_fleet

    monkeypatch.setattr(store_fleet, "LOCK_IDLE_TIMEOUT_S", 1)
    a, b = AdvisoryLock(postgres_url, "settling"), AdvisoryLock(postgres_url, "settling")
    assert a.hold() and not b.hold()
    assert a.hold() and not b.hold()  # pinged: still a's
    time.sleep(2.5)  # a hangs: no ping, the server ends its session
    assert b.hold()
    assert not a.hold()  # a comes back: its ping fails, the lock is b's now
    other_store = AdvisoryLock(postgres_url, "settling", key=advisory_key("another_schema", "lease:settling"))
    assert other_store.hold()  # the same job of another store (schema) on this database is apart
    for lock in (a, b, other_store):
        lock.release()
    assert a.hold()  # released locks are free at once


def test_an_advisory_lock_never_shows_the_password_of_its_url():
    lock = AdvisoryLock("postgresql://console:s3cret-pw@127.0.0.1:1/db", "settling")
    assert "s3cret" not in repr(lock)
    with pytest.raises(StoreUnavailable) as raised:
        lock.hold()  # nothing listens on port 1
    assert "s3cret" not in str(raised.value) and raised.value.__cause__ is None


class StoreDown:
    """A store (and its fleet repository) whose database is out of reach."""

    @property
    def fleet(self) -> StoreDown:
        return self

    def __getattr__(self, name):
        def unavailable(*args, **kwargs):
            raise StoreUnavailable("The database cannot be reached right now")

        return unavailable


def test_with_the_database_out_of_reach_balances_still_come_from_upstream_and_a_payout_still_counts():
    clock, upstream = Clock(), Upstream(Clock())
    shared = _shared(StoreDown(), "a", clock, upstream)
    assert shared.get() == (_ibans(), T0) and upstream.calls == 1
    clock.advance(30)
    assert shared.get() == (_ibans(), T0) and upstream.calls == 1  # this replica's copy, for the minute
    money = GenerationWatch(StoreDown().fleet, "money", monotonic=clock.monotonic, clock=clock)
    assert money.current() == 0
    assert money.bump(stale_answers=["ibans:fp"]) == 0  # logged; the caller drops its own caches


def test_the_sandbox_schemas_leases_are_apart_from_the_real_stores_on_one_database(postgres_url):
    stores = [Store.from_url(postgres_url), Store.from_url(postgres_url, schema="enigmapay_sandbox")]
    stores.append(Store.from_url(postgres_url))  # another replica of the real store
    try:
        leads = [LeaseKeeper([open_lease(store, "settling", "a")]) for store in stores[:2]]
        for keeper in leads:
            keeper.renew()
        assert all(keeper.leading("settling") for keeper in leads)
        follower = LeaseKeeper([open_lease(stores[2], "settling", "b")])
        follower.renew()
        assert not follower.leading("settling")
        for keeper in [*leads, follower]:
            keeper.release_all()
    finally:
        for store in stores:
            store.close()
