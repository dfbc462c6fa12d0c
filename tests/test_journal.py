"""Journal: exactly-once submits, duplicate holds, outcome mapping, settling, and a real crash."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from types import SimpleNamespace

import pytest

from dashboard.audit import AuditLog
from dashboard.client.checks import InputError
from dashboard.client.errors import (
    APIConnectionError,
    APIError,
    APITimeoutError,
    AuthenticationError,
    FeatureDisabledError,
    MalformedResponseError,
    NotFoundError,
    OutcomeUnknownError,
    RateLimitError,
    ServerError,
    ValidationError,
)
from dashboard.journal import (
    CONFIRMED,
    FAILED_BEFORE_SEND,
    HELD,
    NOT_SENT,
    PENDING,
    REJECTED,
    UNKNOWN,
    Journal,
    new_operation_id,
)

REPO = Path(__file__).resolve().parents[1]
IBAN = "TR330006100519786457841326"
OTHER_IBAN = "TR320010009999901234567890"
T0 = datetime(2025, 11, 26, 9, 0, tzinfo=UTC)


# -- stand-ins for the client's models (its errors are the real classes: the journal catches by class) --


class Status(str):
    """Enough of the client's Status enum: .name and .is_final."""

    @property
    def name(self) -> str:
        return self.upper()

    @property
    def is_final(self) -> bool:
        return self in ("completed", "failed", "cancelled", "rejected")


@dataclass(frozen=True)
class SendMoneyRequest:
    username: str = "user7"
    amount: Decimal = Decimal("1500.50")
    customer_iban: str = IBAN
    customer_name: str = "Ali Veli"
    description: str = ""


@dataclass(frozen=True)
class CardPaymentRequest:
    username: str = "user7"
    firstname: str = "Ali"
    lastname: str = "Veli"
    email: str = "ali@example.com"
    phone: str = "5551234567"
    amount: Decimal = Decimal("250.00")
    description: str = ""


def tx(id, *, type="withdrawal", iban=IBAN, amount="1500.50", username="user7", at=T0 + timedelta(seconds=5)):
    return SimpleNamespace(
        id=id,
        type=SimpleNamespace(name=type.upper()),
        customer_iban=iban,
        amount=Decimal(amount),
        username=username,
        created_at=at,
        status=Status("completed"),
        status_text="Completed",
    )


@dataclass
class FakeClient:
    send: object = None  # a result, an exception, or a callable(request)
    history: dict[int, list] = field(default_factory=dict)
    statuses: dict[int, object] = field(default_factory=dict)
    calls: list = field(default_factory=list)
    delay: float = 0.0

    def _answer(self, behaviour, request):
        self.calls.append(request)
        time.sleep(self.delay)
        if isinstance(behaviour, BaseException):
            raise behaviour
        return behaviour(request) if callable(behaviour) else behaviour

    def send_money(self, request):
        default = SimpleNamespace(transaction_id=9001, status=Status("pending"), status_text="Pending", message="ok")
        return self._answer(self.send or default, request)

    def create_card_payment(self, request):
        default = SimpleNamespace(
            payment_url="https://pay.example/CC-1",
            order_id="CC-20251126-ABC123",
            transaction_id=9100,
            message="created",
        )
        return self._answer(self.send or default, request)

    def list_ibans(self):
        return [SimpleNamespace(id=i) for i in self.history]

    def list_transactions(self, iban_id, start_date=None, end_date=None):
        assert start_date is not None and end_date is not None
        return self.history[iban_id]

    def get_transaction_status(self, transaction_id):
        answer = self.statuses.get(transaction_id, NotFoundError("no such transaction"))
        if isinstance(answer, BaseException):
            raise answer
        return answer


class Clock:
    def __init__(self, start: datetime = T0) -> None:
        self.now = start

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **kwargs) -> None:
        self.now += timedelta(**kwargs)


@pytest.fixture
def clock():
    return Clock()


@pytest.fixture
def store(any_store):
    return any_store


def make(store, clock, client=None, **kwargs):
    client = client or FakeClient()
    return Journal(store, client, clock=clock, **kwargs), client


# -- submitting ----------------------------------------------------------------------------------


def test_payout_confirmed_with_intent_and_outcome_audited(store, clock):
    journal, client = make(store, clock)
    op = journal.submit_payout(
        "a" * 32, SendMoneyRequest(customer_iban="tr33 0006 1005 1978 6457 8413 26"), actor="ayse"
    )
    assert (op.state, op.transaction_id, op.status, op.status_final) == (CONFIRMED, 9001, "pending", False)
    assert op.amount == Decimal("1500.50") and op.customer_iban == IBAN and op.masked_iban == "TR33 **** **** 1326"
    entries = AuditLog(store).query(action="send_money")
    assert sorted(e.outcome for e in entries) == ["confirmed", "intent"]
    assert {e.iban_masked for e in entries} == {"TR33 **** **** 1326"}
    assert journal.find_by_transaction(9001).id == op.id and journal.recent(5)[0].id == op.id


def test_intent_is_committed_before_the_call(store, clock, open_store):
    seen = []
    other = open_store()

    def send(request):
        # Another connection (as after a crash) must already see the intent.
        seen.append(other.operations.get("b" * 32).state)
        return SimpleNamespace(transaction_id=1, status=Status("pending"), status_text="Pending", message="")

    journal, _ = make(store, clock, FakeClient(send=send))
    journal.submit_payout("b" * 32, SendMoneyRequest(), actor="ayse")
    assert seen == [PENDING]


def test_repeated_submit_returns_first_outcome_and_calls_once(store, clock):
    journal, client = make(store, clock)
    op_id = new_operation_id()
    first = journal.submit_payout(op_id, SendMoneyRequest(), actor="ayse")
    again = [journal.submit_payout(op_id, SendMoneyRequest(amount=Decimal("9")), actor="x") for _ in range(3)]
    assert len(client.calls) == 1
    assert all(op == first for op in again)


def test_eight_threads_same_operation_call_the_api_once(store, clock):
    journal, client = make(store, clock, FakeClient(delay=0.05))
    op_id = new_operation_id()
    barrier = threading.Barrier(8)
    results, errors = [], []

    def submit():
        try:
            barrier.wait()
            results.append(journal.submit_payout(op_id, SendMoneyRequest(), actor="ayse"))
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=submit) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(10)
    assert not errors and len(results) == 8
    assert len(client.calls) == 1
    assert {op.id for op in results} == {op_id}
    assert {op.state for op in results} <= {PENDING, CONFIRMED}  # losers see the in-flight entry
    assert journal.get(op_id).state == CONFIRMED


def test_same_content_is_held_until_confirmed(store, clock):
    journal, client = make(store, clock)
    first = journal.submit_payout(new_operation_id(), SendMoneyRequest(), actor="ayse")
    clock.advance(minutes=3)
    second_id = new_operation_id()
    held = journal.submit_payout(
        second_id, SendMoneyRequest(customer_iban="TR33 0006 1005 1978 6457 8413 26"), actor="mehmet"
    )
    assert (held.state, held.duplicate_of) == (HELD, first.id)
    assert journal.submit_payout(second_id, SendMoneyRequest(), actor="mehmet").state == HELD
    assert len(client.calls) == 1
    clock.advance(seconds=30)
    sent = journal.submit_payout(second_id, SendMoneyRequest(), actor="mehmet", confirm_duplicate=True)
    assert (sent.state, sent.duplicate_of, sent.created_at) == (CONFIRMED, first.id, clock.now)
    assert len(client.calls) == 2
    # confirmed once: a further confirm (rerun) does not send a third time
    journal.submit_payout(second_id, SendMoneyRequest(), actor="mehmet", confirm_duplicate=True)
    assert len(client.calls) == 2


@pytest.mark.parametrize(
    ("change", "held"),
    [
        ({}, True),
        ({"amount": Decimal("1500.51")}, False),
        ({"customer_iban": OTHER_IBAN}, False),
        ({"username": "user8"}, False),
        ({"customer_name": "Someone Else", "description": "x"}, True),  # same money to the same account
    ],
)
def test_what_counts_as_same_content(store, clock, change, held):
    journal, _ = make(store, clock)
    journal.submit_payout(new_operation_id(), SendMoneyRequest(), actor="ayse")
    op = journal.submit_payout(new_operation_id(), SendMoneyRequest(**change), actor="ayse")
    assert (op.state == HELD) is held


def test_no_hold_outside_the_window_or_after_a_refusal(store, clock):
    journal, client = make(store, clock)
    journal.submit_payout(new_operation_id(), SendMoneyRequest(), actor="ayse")
    clock.advance(minutes=10, seconds=1)
    assert journal.submit_payout(new_operation_id(), SendMoneyRequest(), actor="ayse").state == CONFIRMED
    client.send = ValidationError("invalid", field_errors={"amount": ["too much"]})
    clock.advance(minutes=11)
    assert journal.submit_payout(new_operation_id(), SendMoneyRequest(), actor="ayse").state == REJECTED
    client.send = None
    assert journal.submit_payout(new_operation_id(), SendMoneyRequest(), actor="ayse").state == CONFIRMED


OUTCOMES = [
    (OutcomeUnknownError("read timeout"), UNKNOWN),
    (APIConnectionError("refused"), FAILED_BEFORE_SEND),
    (APITimeoutError("connect timeout"), FAILED_BEFORE_SEND),
    (InputError({"customer_iban": "bad iban"}), FAILED_BEFORE_SEND),
    (ValidationError("invalid", field_errors={"customer_iban": ["invalid"]}), REJECTED),
    (AuthenticationError("401"), REJECTED),
    (FeatureDisabledError("403"), REJECTED),
    (RateLimitError("429"), REJECTED),
    (APIError("api error", status_code=409), REJECTED),
    (APIError("api error", status_code=502), UNKNOWN),
    (ServerError("500"), UNKNOWN),
    (MalformedResponseError("html"), UNKNOWN),
    (RuntimeError("bug after sending?"), UNKNOWN),
]


@pytest.mark.parametrize(("error", "state"), OUTCOMES, ids=[type(e).__name__ + str(s) for e, s in OUTCOMES])
def test_outcome_mapping(store, clock, error, state):
    journal, client = make(store, clock, FakeClient(send=error))
    op = journal.submit_payout(new_operation_id(), SendMoneyRequest(), actor="ayse")
    assert op.state == state
    assert op.message
    assert op.transaction_id is None
    assert journal.submit_payout(op.id, SendMoneyRequest(), actor="ayse").state == state
    assert len(client.calls) == 1  # never retried
    if isinstance(error, ValidationError):
        assert op.field_errors == {"customer_iban": ["invalid"]}
    [outcome] = AuditLog(store).query(action="send_money")[:1]
    assert outcome.outcome == state


def test_real_client_errors_map_the_same(store, clock):
    errors = pytest.importorskip("dashboard.client.errors")
    cases = [
        (errors.OutcomeUnknownError("timeout"), UNKNOWN),
        (errors.APIConnectionError("refused"), FAILED_BEFORE_SEND),
        (errors.APITimeoutError("connect"), FAILED_BEFORE_SEND),
        (errors.ServerError(status_code=500, body="{}", message="boom"), UNKNOWN),
        (errors.NotFoundError(status_code=404, body="{}", message="nope"), REJECTED),
    ]
    from dashboard.journal import outcome_state

    try:
        cases.append(
            (
                errors.ValidationError(status_code=422, body="{}", message="bad", field_errors={"amount": ["x"]}),
                REJECTED,
            )
        )
    except TypeError:  # constructor signature not ours to pin down
        pass
    for error, state in cases:
        assert outcome_state(error) == state, error


def test_result_without_transaction_id_is_unknown(store, clock):
    send = SimpleNamespace(transaction_id=None, status=Status("pending"), status_text="", message="ok")
    journal, _ = make(store, clock, FakeClient(send=send))
    assert journal.submit_payout(new_operation_id(), SendMoneyRequest(), actor="ayse").state == UNKNOWN


def test_client_factory_failure_is_failed_before_send(store, clock):
    def factory():
        raise RuntimeError("no api key configured")

    journal = Journal(store, factory, clock=clock)
    assert journal.submit_payout(new_operation_id(), SendMoneyRequest(), actor="ayse").state == FAILED_BEFORE_SEND


def test_client_factory_is_called_per_submit(store, clock):
    client = FakeClient()
    journal = Journal(store, lambda: client, clock=clock)
    journal.submit_payout(new_operation_id(), SendMoneyRequest(), actor="ayse")
    assert len(client.calls) == 1


def test_card_payment_once_with_link(store, clock):
    journal, client = make(store, clock)
    op_id = new_operation_id()
    op = journal.submit_card_payment(op_id, CardPaymentRequest(), actor="ayse")
    assert (op.kind, op.state, op.transaction_id) == ("card_payment", CONFIRMED, 9100)
    assert (op.payment_url, op.order_id) == ("https://pay.example/CC-1", "CC-20251126-ABC123")
    assert (op.firstname, op.email, op.customer_name) == ("Ali", "ali@example.com", "Ali Veli")
    assert journal.submit_card_payment(op_id, CardPaymentRequest(), actor="ayse") == op
    assert len(client.calls) == 1
    assert [e.outcome for e in AuditLog(store).query(action="card_payment")] == ["confirmed", "intent"]


def test_sub_kurus_amount_refused_before_journaling(store, clock):
    journal, client = make(store, clock)
    with pytest.raises(ValueError):
        journal.submit_payout("c" * 32, SendMoneyRequest(amount=Decimal("1.005")), actor="ayse")
    assert journal.get("c" * 32) is None and not client.calls


# -- settling ------------------------------------------------------------------------------------


def completed_callback(store, transaction_id: int, at) -> None:
    """A final 'Completed' callback of 1,500.50 for user7 (the default payout here), received at `at`."""
    store.callbacks.add_event(
        {
            "transaction_id": transaction_id,
            "status": "completed",
            "status_text": "Completed",
            "amount": Decimal("1500.50"),
            "amount_kurus": 150050,
            "username": "user7",
            "raw_json": "{}",
            "received_at": at,
        },
        status_final=True,
    )


def unknown_payout(journal, client, **request):
    client.send = OutcomeUnknownError("read timeout")
    op = journal.submit_payout(new_operation_id(), SendMoneyRequest(**request), actor="ayse")
    client.send = None
    assert op.state == UNKNOWN
    return op


def test_unsettled_lists_unknown_and_stale_pending_only(store, clock):
    journal, client = make(store, clock)
    unknown = unknown_payout(journal, client)
    store.operations.claim(
        {**asdict(store.operations.get(unknown.id)), "id": "p" * 32, "state": PENDING, "transaction_id": None},
        duplicate_since=None,
        active_states=(),
    )  # a pending entry, as a crashed process leaves it
    assert [op.id for op in journal.unsettled()] == [unknown.id]
    clock.advance(minutes=6)
    assert {op.id for op in journal.unsettled()} == {unknown.id, "p" * 32}


def test_settle_finds_the_payout_in_history(store, clock):
    journal, client = make(store, clock)
    op = unknown_payout(journal, client)
    client.history = {
        1: [tx(501, type="deposit"), tx(502, iban=OTHER_IBAN), tx(503, amount="1500.00")],
        2: [tx(504, username="user8"), tx(505, at=T0 - timedelta(hours=1)), tx(506)],
    }
    settled = journal.settle(op.id, actor="mehmet")
    assert (settled.state, settled.transaction_id, settled.status, settled.status_final) == (
        CONFIRMED,
        506,
        "completed",
        True,
    )
    assert "history" in settled.message
    assert [(e.outcome, e.actor) for e in AuditLog(store).query(action="settle")] == [(CONFIRMED, "mehmet")]


def test_settle_skips_transactions_already_tied_to_another_entry(store, clock):
    journal, client = make(store, clock)
    journal.submit_payout(new_operation_id(), SendMoneyRequest(), actor="ayse")  # confirmed as 9001
    clock.advance(minutes=11)  # past the duplicate window
    op = unknown_payout(journal, client)
    client.history = {1: [tx(9001, at=clock.now)]}
    assert journal.settle(op.id).state == UNKNOWN


def test_settle_with_two_matches_stays_unknown_for_an_operator(store, clock):
    journal, client = make(store, clock)
    op = unknown_payout(journal, client)
    client.history = {1: [tx(601), tx(602)]}
    settled = journal.settle(op.id)
    assert settled.state == UNKNOWN and "601" in settled.message and "602" in settled.message
    resolved = journal.mark_resolved(op.id, actor="ayse", note="checked with EnigmaPay", transaction_id=602)
    assert (resolved.state, resolved.transaction_id, resolved.resolved_by) == (CONFIRMED, 602, "ayse")


def test_no_match_stays_unknown_until_an_operator_declares_it(store, clock):
    journal, client = make(store, clock)
    op = unknown_payout(journal, client)
    client.history = {1: []}
    assert journal.settle(op.id).state == UNKNOWN
    clock.advance(minutes=16)
    late = journal.settle(op.id)
    assert late.state == UNKNOWN and "mark it resolved" in late.message
    with pytest.raises(ValueError):
        journal.mark_resolved(op.id, actor="ayse", note=" ")
    done = journal.mark_resolved(op.id, actor="ayse", note="EnigmaPay support: never arrived")
    assert (done.state, done.resolution_note) == (NOT_SENT, "EnigmaPay support: never arrived")
    assert AuditLog(store).query(action="mark_resolved")[0].outcome == NOT_SENT
    with pytest.raises(ValueError):
        journal.mark_resolved(op.id, actor="ayse", note="again")


def test_settle_links_a_matching_callback_confirmed_by_the_api(store, clock):
    journal, client = make(store, clock)
    op = unknown_payout(journal, client)
    client.history = {1: [tx(700, type="deposit", amount="99.00")]}
    clock.advance(minutes=1)
    for tid in (701, 702):  # 702 is a forgery: the API does not know it
        completed_callback(store, tid, clock())
    # Two candidates: ambiguous.
    assert journal.settle(op.id).state == UNKNOWN
    # Once 702 is flagged as forged, the one left is checked with the API and linked.
    store.callbacks.set_verification([2], verification="unverified", at=clock(), api_status_text=None)
    client.statuses[701] = SimpleNamespace(
        status=Status("completed"), status_text="Completed", amount=Decimal("1500.50"), created_at=T0, completed_at=None
    )
    settled = journal.settle(op.id)
    assert (settled.state, settled.transaction_id) == (CONFIRMED, 701)
    assert "callback" in settled.message
    assert [c.status for c in store.callbacks.status_checks(701)] == ["completed"]


def test_callback_candidate_unknown_to_the_api_is_not_linked(store, clock):
    journal, client = make(store, clock)
    op = unknown_payout(journal, client)
    completed_callback(store, 801, clock())
    assert journal.settle(op.id).state == UNKNOWN


def test_refresh_status_moves_a_confirmed_payout_to_final(store, clock):
    journal, client = make(store, clock)
    op = journal.submit_payout(new_operation_id(), SendMoneyRequest(), actor="ayse")
    client.statuses[9001] = SimpleNamespace(
        status=Status("completed"), status_text="Completed", amount=Decimal("1500.50"), created_at=T0, completed_at=T0
    )
    clock.advance(minutes=1)
    refreshed = journal.refresh_status(op.id)
    assert (refreshed.status, refreshed.status_final, refreshed.status_text) == ("completed", True, "Completed")
    assert store.callbacks.status_checks(9001)[0].source == "journal"
    assert journal.settle_all() == []  # nothing left to do


def test_settle_all_keeps_going_past_a_failure(store, clock):
    journal, client = make(store, clock)
    first = unknown_payout(journal, client)
    second = unknown_payout(journal, client, username="user9")
    calls = []

    def list_ibans():
        calls.append(1)
        if len(calls) == 1:
            raise APIConnectionError("down")
        return [SimpleNamespace(id=1)]

    client.list_ibans = list_ibans
    client.history = {1: [tx(901, username="user9")]}
    results = {op.id: op for op in journal.settle_all()}
    assert results[first.id].state == UNKNOWN
    assert (results[second.id].state, results[second.id].transaction_id) == (CONFIRMED, 901)


def test_late_answer_wins_over_a_settle_that_gave_up(store, clock):
    """A slow call outlives pending_grace; settle marks it unknown; the real answer still lands."""
    journal, client = make(store, clock)
    release = threading.Event()
    started = threading.Event()

    def slow(request):
        started.set()
        release.wait(5)
        return SimpleNamespace(transaction_id=4242, status=Status("pending"), status_text="Pending", message="")

    client.send = slow
    op_id = new_operation_id()
    worker = threading.Thread(target=journal.submit_payout, args=(op_id, SendMoneyRequest()), kwargs={"actor": "a"})
    worker.start()
    started.wait(5)
    clock.advance(minutes=6)
    client.history = {1: []}
    assert journal.settle(op_id).state == UNKNOWN
    release.set()
    worker.join(5)
    assert (journal.get(op_id).state, journal.get(op_id).transaction_id) == (CONFIRMED, 4242)


# -- a real crash ----------------------------------------------------------------------------------


def crash_after_intent(db: Path | str, op_id: str) -> None:
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    proc = subprocess.run(
        [sys.executable, str(REPO / "tests" / "helpers" / "journal_crash.py"), str(db), op_id, T0.isoformat()],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 17, proc.stderr


@pytest.mark.parametrize("found", [True, False], ids=["history-has-it", "no-match"])
def test_crash_between_intent_and_answer_is_recovered(store_target, open_store, found):
    op_id = new_operation_id()
    crash_after_intent(store_target, op_id)

    clock = Clock(T0 + timedelta(minutes=6))
    client = FakeClient(history={3: [tx(777, amount="2500.00")] if found else [tx(778, amount="2499.99")]})
    journal = Journal(open_store(), client, clock=clock)
    [op] = journal.unsettled()
    assert (op.id, op.state, op.amount, op.actor) == (op_id, PENDING, Decimal("2500.00"), "ayse")
    assert [e.outcome for e in AuditLog(open_store()).query()] == ["intent"]  # the intent audit survived too

    settled = journal.settle(op_id)
    if found:
        assert (settled.state, settled.transaction_id) == (CONFIRMED, 777)
        assert journal.unsettled() == []
    else:
        assert settled.state == UNKNOWN and "stopped" in settled.message
        assert [o.id for o in journal.unsettled()] == [op_id]
    assert not client.calls  # settling never resends


def test_awaiting_answer_tells_this_processs_calls_from_ones_nobody_awaits(store, clock):
    """A pending entry is "waiting for its answer" only while this journal is calling; the same
    entry seen from another journal on the store (another process, or after a crash) is not."""
    started, release = threading.Event(), threading.Event()

    def slow(request):
        started.set()
        release.wait(10)
        return SimpleNamespace(transaction_id=9001, status=Status("pending"), status_text="Pending", message="ok")

    journal, _ = make(store, clock, FakeClient(send=slow))
    other, _ = make(store, clock)  # the same store, as a second process (or the restarted one) sees it
    sender = threading.Thread(
        target=journal.submit_payout, args=("w" * 32, SendMoneyRequest()), kwargs={"actor": "ayse"}
    )
    sender.start()
    try:
        assert started.wait(10)
        calling, unawaited = journal.awaiting_answer()
        assert ([op.id for op in calling], unawaited) == (["w" * 32], [])
        calling, unawaited = other.awaiting_answer()
        assert (calling, [op.id for op in unawaited]) == ([], ["w" * 32])
        clock.advance(minutes=6)  # past the grace: it is open (needs attention), no longer "awaiting"
        assert other.awaiting_answer() == ([], []) and [op.id for op in other.unsettled()] == ["w" * 32]
    finally:
        release.set()
        sender.join(10)
    assert journal.awaiting_answer() == ([], [])


# -- settling backs off and stops ----------------------------------------------------------------


def _run_settling(journal, clock, *, hours: float, tick_s: int = 30) -> None:
    """The background loop: settle_all every `tick_s` seconds for `hours`."""
    for _ in range(int(hours * 3600 // tick_s)):
        journal.settle_all()
        clock.advance(seconds=tick_s)


def _expected_gaps(count: int) -> list[float]:
    return [min(30 * 2**i, 30 * 60) for i in range(count)]  # 30 s, 1, 2, 4, ... min, capped at 30 min


def test_settling_a_status_the_api_does_not_know_backs_off_then_leaves_it_to_a_person(store, clock, caplog):
    journal, client = make(store, clock, settle_horizon=timedelta(hours=24))
    card = journal.submit_card_payment(new_operation_id(), CardPaymentRequest(), actor="ayse")  # transaction 9100
    asked: list[datetime] = []
    unknown_to_api = client.get_transaction_status

    def get_transaction_status(transaction_id):
        asked.append(clock())
        return unknown_to_api(transaction_id)  # NotFoundError, every time

    client.get_transaction_status = get_transaction_status
    with caplog.at_level("INFO", logger="dashboard.journal"):
        _run_settling(journal, clock, hours=26)

    gaps = [(b - a).total_seconds() for a, b in zip(asked, asked[1:])]
    assert gaps == _expected_gaps(len(gaps))
    assert asked[0] == T0 and asked[-1] < T0 + timedelta(hours=24)  # none after the horizon
    assert len(asked) < 60  # was one per 30 s: 2,880 in 24 h
    stopped = journal.get(card.id)
    assert stopped.needs_person and "needs a person" in stopped.message.lower()
    lines = [r.getMessage() for r in caplog.records if r.getMessage().startswith("settle ")]
    assert len(lines) == 2, lines  # the failure once, the hand-over to a person once
    assert "NotFoundError" in lines[0] and "person" in lines[1]


def test_an_unknown_payout_is_searched_with_backoff_and_listed_for_a_person_after_the_horizon(store, clock, caplog):
    journal, client = make(store, clock, settle_horizon=timedelta(hours=2))
    op = unknown_payout(journal, client)
    client.history = {1: []}
    searched: list[datetime] = []
    list_ibans = client.list_ibans
    client.list_ibans = lambda: searched.append(clock()) or list_ibans()

    with caplog.at_level("INFO", logger="dashboard.journal"):
        _run_settling(journal, clock, hours=0.27)  # 16 minutes: 6 searches, not 32
        assert len(searched) == 6
        _run_settling(journal, clock, hours=3)
    gaps = [(b - a).total_seconds() for a, b in zip(searched, searched[1:])]
    assert gaps == _expected_gaps(len(gaps)) and searched[-1] < op.created_at + timedelta(hours=2)
    left = journal.get(op.id)
    assert left.state == UNKNOWN and left.needs_person and [o.id for o in journal.unsettled()] == [op.id]
    assert [e.outcome for e in AuditLog(store).query(action="settle")] == ["needs_person"]
    lines = [r.getMessage() for r in caplog.records if r.getMessage().startswith("settle ")]
    assert len(lines) == 3, lines  # still unknown, no match after settle_after, left to a person
    # A person may still check by hand, whatever the schedule says.
    client.history = {1: [tx(4242, at=op.created_at)]}
    assert journal.settle(op.id, actor="ayse").state == CONFIRMED


# -- the last outcome shown again after a reload (item 7 of the hardening issue) ------------------


def test_last_outcome_is_the_actors_newest_sent_entry_until_dismissed(store, clock):
    journal, _ = make(store, clock)
    assert journal.last_outcome("ayse", "payout") is None
    first = journal.submit_payout(new_operation_id(), SendMoneyRequest(), actor="ayse")
    clock.advance(minutes=1)
    card = journal.submit_card_payment(new_operation_id(), CardPaymentRequest(), actor="ayse")
    assert journal.last_outcome("ayse", "payout").id == first.id  # per kind
    assert journal.last_outcome("ayse", "card_payment").id == card.id
    assert journal.last_outcome("mehmet", "payout") is None  # per signed-in user
    # The same payout again is held (nothing sent): the last outcome stays the sent one.
    clock.advance(minutes=1)
    held = journal.submit_payout(new_operation_id(), SendMoneyRequest(), actor="ayse")
    assert held.state == HELD and journal.last_outcome("ayse", "payout").id == first.id
    # Declining the held one dismisses it, and with it every older outcome.
    journal.dismiss_outcome("ayse", held.id)
    assert journal.last_outcome("ayse", "payout") is None
    assert journal.last_outcome("ayse", "card_payment").id == card.id
    # A newer payout shows until it is dismissed in turn.
    clock.advance(minutes=1)
    newer = journal.submit_payout(new_operation_id(), SendMoneyRequest(amount=Decimal("10.00")), actor="ayse")
    assert journal.last_outcome("ayse", "payout").id == newer.id
    journal.dismiss_outcome("ayse", newer.id)
    assert journal.last_outcome("ayse", "payout") is None


# -- one rule for transaction ids (models.parse_transaction_id) ---------------------------------


@pytest.mark.parametrize("answered", ["٩٩٩٨", " 0123 ", "0123", 9001.0, 0, -5, 2**63, True])
def test_an_answer_id_that_is_no_transaction_id_is_not_trusted(store, clock, answered):
    # int() would read "٩٩٩٨" as 9998 and " 0123 " as 123: the entry would be tied to another transaction.
    send = SimpleNamespace(transaction_id=answered, status=Status("pending"), status_text="Pending", message="ok")
    journal, _ = make(store, clock, FakeClient(send=send))
    op = journal.submit_payout(new_operation_id(), SendMoneyRequest(), actor="ayse")
    assert (op.state, op.transaction_id) == (UNKNOWN, None)  # settling finds the real one


def test_the_largest_transaction_id_is_kept_exactly(store, clock):
    send = SimpleNamespace(transaction_id=2**63 - 1, status=Status("pending"), status_text="Pending", message="ok")
    journal, _ = make(store, clock, FakeClient(send=send))
    op = journal.submit_payout(new_operation_id(), SendMoneyRequest(), actor="ayse")
    assert (op.state, op.transaction_id) == (CONFIRMED, 2**63 - 1)
    assert journal.find_by_transaction(2**63 - 1).id == op.id


@pytest.mark.parametrize("typed", ["٩٩٩٨", "0123", 0, 2**63, "12a"])
def test_resolving_by_hand_with_no_transaction_id_changes_nothing(store, clock, typed):
    journal, client = make(store, clock)
    op = unknown_payout(journal, client)
    with pytest.raises(ValueError, match="transaction id"):
        journal.mark_resolved(op.id, actor="ayse", note="checked", transaction_id=typed)
    assert journal.get(op.id).state == UNKNOWN and not AuditLog(store).query(action="mark_resolved")


def test_settling_takes_the_ibans_from_the_shared_answer_when_given_one(store, clock):
    # On a fleet the dealer's IBANs come from the /ibans answer shared by every replica (asked at
    # most once a minute for all of them): settling must not ask /ibans on its own.
    shared_asks: list[int] = []

    def shared_ibans():
        shared_asks.append(1)
        return [SimpleNamespace(id=1)]

    journal, client = make(store, clock, ibans=shared_ibans)
    op = unknown_payout(journal, client)
    client.list_ibans = lambda: pytest.fail("settling asked /ibans itself")
    client.history = {1: [tx(4242, at=op.created_at)]}
    assert journal.settle(op.id, actor="ayse").state == CONFIRMED
    assert shared_asks
