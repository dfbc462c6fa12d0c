"""Callback intake: authentication, validation, dedup, ordering, verification, timeline, real-server load."""

from __future__ import annotations

import json
import logging
import socket
import threading
import time
import warnings
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from types import SimpleNamespace

import httpx
import pytest
import uvicorn
from starlette.applications import Starlette

with warnings.catch_warnings():  # starlette 1.x nudges towards httpx2; httpx is what the project pins
    warnings.simplefilter("ignore")
    from starlette.testclient import TestClient

from dashboard.callbacks import CallbackIntake, RateLimiter, make_callback_route, parse_callback, redact_access_log
from dashboard.client.errors import APIConnectionError, NotFoundError
from dashboard.journal import Journal, new_operation_id

TOKEN = "s3cret-callback-token-0123456789"
T0 = datetime(2025, 11, 26, 9, 0, tzinfo=UTC)
GOOD = {
    "transaction_id": 12345,
    "status": "Completed",
    "amount": 1500.5,
    "username": "user7",
    "description": "payout",
    "completed_at": "2025-11-26 12:30:00",
}


class Clock:
    def __init__(self) -> None:
        self.now = T0

    def __call__(self) -> datetime:
        self.now += timedelta(seconds=1)
        return self.now


@pytest.fixture
def store(any_store):
    return any_store


@pytest.fixture
def clock():
    return Clock()


def app_for(intake: CallbackIntake) -> Starlette:
    return Starlette(routes=[make_callback_route(intake)])


@pytest.fixture
def intake(store, clock):
    return CallbackIntake(store, token=TOKEN, clock=clock)


@pytest.fixture
def http(intake):
    with TestClient(app_for(intake), client=("203.0.113.7", 40000)) as client:
        yield client


def post(http, body, token=TOKEN, **kwargs):
    content = body if isinstance(body, (bytes, str)) else json.dumps(body)
    return http.post(f"/callbacks/{token}", content=content, headers={"content-type": "application/json"}, **kwargs)


def stored(store):
    return store.callbacks.events(limit=1000, oldest_first=True)


# -- the route -------------------------------------------------------------------------------------


def test_good_callback_is_stored_then_acknowledged(http, store):
    response = post(http, {**GOOD, "new_field": {"x": 1}})
    assert (response.status_code, response.json()) == (200, {"success": True})
    [event] = stored(store)
    assert (event.transaction_id, event.status, event.status_text) == (12345, "completed", "Completed")
    assert event.amount == Decimal("1500.5") and event.amount_kurus == 150050
    assert event.source_ip == "203.0.113.7" and event.verification == "pending"
    assert event.raw["new_field"] == {"x": 1}  # unknown fields kept
    assert store.callbacks.current_status(12345).status == "completed"


def test_digit_string_id_and_numeric_string_amount_accepted(http, store):
    assert post(http, {"transaction_id": "77", "status": "Beklemede", "amount": "250.00"}).status_code == 200
    [event] = stored(store)
    assert (event.transaction_id, event.status, event.amount) == (77, "pending", Decimal("250.00"))


@pytest.mark.parametrize(
    "body",
    [
        b"{not json",
        b"\xff\xfe",
        b"",
        b"[1, 2]",
        b'"a string"',
        b"null",
        {"unrelated": 1},
        {"status": "Completed"},
        {"transaction_id": 1},
        {"transaction_id": "12a", "status": "Completed"},
        {"transaction_id": 1.5, "status": "Completed"},
        {"transaction_id": True, "status": "Completed"},
        {"transaction_id": -4, "status": "Completed"},
        {"transaction_id": 2**70, "status": "Completed"},
        {"transaction_id": 1, "status": 3},
        {"transaction_id": 1, "status": ""},
        {"transaction_id": 1, "status": "x" * 65},
        {"transaction_id": 1, "status": "Completed", "amount": "lots"},
        {"transaction_id": 1, "status": "Completed", "amount": True},
        {"transaction_id": 1, "status": "Completed", "amount": [1]},
        {"transaction_id": 1, "status": "Completed", "username": 5},
        {"transaction_id": 1, "status": "Completed", "description": "d" * 256},
        {"transaction_id": 1, "status": "Completed", "completed_at": 1700000000},
        b'{"transaction_id": 1, "status": "Completed", "amount": NaN}',
    ],
)
def test_malformed_bodies_are_400_and_store_nothing(http, store, body):
    response = post(http, body)
    assert response.status_code == 400
    assert response.json()["success"] is False and response.json()["message"]
    assert stored(store) == []


def test_nulls_for_optional_fields_are_fine(http, store):
    body = {"transaction_id": 5, "status": "Failed", "amount": None, "username": None, "completed_at": None}
    assert post(http, body).status_code == 200
    assert stored(store)[0].amount is None


def test_wrong_token_is_an_ordinary_404_and_stores_nothing(http, store, caplog):
    caplog.set_level(logging.DEBUG)
    wrong = post(http, GOOD, token="s3cret-callback-token-0123456788")
    unknown_path = http.post("/no/such/path", content=json.dumps(GOOD))
    assert wrong.status_code == unknown_path.status_code == 404
    assert (
        wrong.content == unknown_path.content and wrong.headers["content-type"] == unknown_path.headers["content-type"]
    )
    assert stored(store) == []
    ours = " ".join(r.getMessage() for r in caplog.records if r.name.startswith("dashboard"))
    assert "wrong token" in ours  # logged (the test client's own httpx log lines are not ours)
    assert TOKEN not in ours and "0123456788" not in ours


def test_get_is_not_allowed(http, store):
    assert http.get(f"/callbacks/{TOKEN}").status_code == 405


def test_disallowed_source_ip_is_403_before_the_token_is_looked_at(store, clock):
    intake = CallbackIntake(store, token=TOKEN, allowed_ips=frozenset({"198.51.100.0/24", "192.0.2.9"}), clock=clock)
    with TestClient(app_for(intake), client=("203.0.113.7", 1)) as outsider:
        assert post(outsider, GOOD).status_code == 403
        assert post(outsider, GOOD, token="wrong-but-long-enough-token").status_code == 403
    with TestClient(app_for(intake), client=("198.51.100.20", 1)) as provider:
        assert post(provider, GOOD).status_code == 200
    with TestClient(app_for(intake), client=("testclient", 1)) as unparseable:
        assert post(unparseable, GOOD).status_code == 403
    assert len(stored(store)) == 1


def test_oversize_body_is_413_by_header_or_by_stream(store, clock):
    intake = CallbackIntake(store, token=TOKEN, max_body=1024, clock=clock)
    big = json.dumps({**GOOD, "padding": "x" * 2000})
    with TestClient(app_for(intake)) as http:
        assert post(http, big).status_code == 413

        def chunks():  # no Content-Length: the stream itself is cut off
            for _ in range(10):
                yield b"x" * 512

        response = http.post(f"/callbacks/{TOKEN}", content=chunks())
        assert response.status_code == 413
        assert post(http, json.dumps({**GOOD, "padding": "x" * 800})).status_code == 200
    assert len(stored(store)) == 1


def test_duplicate_delivery_is_acknowledged_and_stored_once(http, store):
    for _ in range(3):
        assert post(http, GOOD).status_code == 200
    assert post(http, {**GOOD, "status": "TAMAMLANDI"}).status_code == 200  # same status in Turkish
    [event] = stored(store)
    assert event.delivery_count == 4 and event.last_received_at > event.received_at


def test_out_of_order_events_never_undo_a_final_status(http, store):
    for status in ("Pending", "Completed", "Processing", "Pending"):
        assert post(http, {**GOOD, "status": status}).status_code == 200
    assert [e.status for e in stored(store)] == ["pending", "completed", "processing"]
    current = store.callbacks.current_status(12345)
    assert (current.status, current.status_final, current.source) == ("completed", True, "callback")


def test_store_failure_is_not_acknowledged(store, clock, monkeypatch):
    intake = CallbackIntake(store, token=TOKEN, clock=clock)

    def broken(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(store.callbacks, "add_event", broken)
    with TestClient(app_for(intake)) as http:
        response = post(http, GOOD)
    assert response.status_code == 503 and response.json()["success"] is False


def test_short_token_refused_and_never_in_repr(store):
    with pytest.raises(ValueError):
        CallbackIntake(store, token="short")
    assert TOKEN not in repr(CallbackIntake(store, token=TOKEN))


def test_access_log_redaction():
    record = logging.LogRecord(
        "uvicorn.access",
        logging.INFO,
        "",
        0,
        '%s - "%s %s HTTP/%s" %d',
        ("1.2.3.4:5", "POST", f"/callbacks/{TOKEN}?a=1", "1.1", 200),
        None,
    )
    redact_access_log("test.redaction")
    redact_access_log("test.redaction")
    logger = logging.getLogger("test.redaction")
    assert len(logger.filters) == 1
    logger.filters[0].filter(record)
    assert TOKEN not in record.getMessage() and "/callbacks/***?a=1" in record.getMessage()


def test_parse_callback_keeps_amount_exact():
    event = parse_callback(b'{"transaction_id": 1, "status": "Completed", "amount": 0.1}')
    assert event["amount"] == Decimal("0.1")


# -- one rule for transaction ids (models.parse_transaction_id) -------------------------------------


@pytest.mark.parametrize(
    "sent, says",
    [
        ("0123", "does not start with 0"),
        (" 123 ", "digits 0-9"),
        ("٩٩٩٨", "digits 0-9"),
        ("9223372036854775808", "at most"),
    ],
)
def test_transaction_ids_int_would_misread_are_refused(http, store, sent, says):
    response = post(http, {"transaction_id": sent, "status": "Completed"})
    assert response.status_code == 400 and says in response.json()["message"]
    assert stored(store) == []


@pytest.mark.parametrize("sent", [2**63 - 1, "9223372036854775807"])
def test_the_largest_id_is_stored_and_lookup_accepts_it(http, store, sent):
    from dashboard.validation import check_transaction_id

    assert post(http, {"transaction_id": sent, "status": "Completed"}).status_code == 200
    [event] = stored(store)
    assert event.transaction_id == 2**63 - 1
    assert check_transaction_id(str(event.transaction_id)) == 2**63 - 1  # the lookup page's own check


# -- bodies that can never be a callback: 400, nothing stored, at most one log line -----------------

DEEP_ARRAY = b"[" * 30_000 + b"]" * 30_000
DEEP_IN_A_FIELD = b'{"transaction_id": 1, "status": "Completed", "extra": ' + DEEP_ARRAY + b"}"


@pytest.mark.parametrize(
    "body, says",
    [
        (DEEP_ARRAY, "nested too deeply"),  # was a 500 with a RecursionError traceback
        (DEEP_IN_A_FIELD, "nested too deeply"),
        (b'{"transaction_id": 1, "status": "Completed", "username": "\\ud83d"}', "lone surrogate"),  # was a 503
        (b'{"transaction_id": 1, "status": "\\udc00Completed"}', "lone surrogate"),
        (b'{"transaction_id": 1, "status": "Completed", "\\ud83d": 1}', "lone surrogate"),  # an unknown key
        (b'{"transaction_id": 1, "status": "Completed", "x": [{"y": "\\ud83d"}]}', "lone surrogate"),
        (b'{"transaction_id": 1, "status": "Compl\xffeted"}', "not JSON"),  # invalid UTF-8
        (b'{"transaction_id": 1, "status": "Completed", "x": "\xed\xa0\xbd"}', "not JSON"),  # an encoded surrogate
        (b'{"transaction_id": 1, "status": "Completed", "amount": Infinity}', "not JSON"),
        (b'{"transaction_id": 1, "status": "Completed", "amount": "NaN"}', "amount must be a number"),
        (b'{"transaction_id": 1, "status": "Completed", "amount": "-Infinity"}', "amount must be a number"),
        (b'{"transaction_id": 1, "status": "Completed", "amount": ' + b"9" * 5000 + b"}", "not JSON"),
    ],
)
def test_bodies_that_can_never_be_stored_are_400_with_one_log_line_at_most(http, store, caplog, body, says):
    caplog.set_level(logging.DEBUG)
    assert len(body) <= 64 * 1024
    response = post(http, body)
    assert response.status_code == 400 and says in response.json()["message"]
    assert stored(store) == []
    server_side = [r for r in caplog.records if not r.name.startswith(("httpx", "httpcore"))]
    assert len(server_side) <= 1 and not any(r.exc_info for r in server_side)


def test_a_valid_surrogate_pair_is_an_emoji_and_fine(http, store):
    assert post(http, b'{"transaction_id": 1, "status": "Completed", "username": "\\ud83d\\ude00"}').status_code == 200
    assert stored(store)[0].username == "\U0001f600"


@pytest.mark.timeout(30)
def test_a_sender_that_disconnects_mid_body_costs_one_log_line_and_nothing_stored(store, caplog):
    caplog.set_level(logging.INFO)
    intake = CallbackIntake(store, token=TOKEN)
    with serving(app_for(intake), log_config=None) as root:  # log_config=None: uvicorn's lines reach caplog
        port = int(root.rsplit(":", 1)[1])
        body = json.dumps({**GOOD, "padding": "x" * 1000}).encode()
        for _ in range(3):
            with socket.create_connection(("127.0.0.1", port)) as sock:
                head = (
                    f"POST /callbacks/{TOKEN} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                    f"Content-Length: {len(body)}\r\n\r\n"
                ).encode()
                sock.sendall(head + body[: len(body) // 2])
                time.sleep(0.1)  # the server is reading the body when the sender goes away
        deadline = time.monotonic() + 5
        while sum("disconnected" in r.getMessage() for r in caplog.records) < 3 and time.monotonic() < deadline:
            time.sleep(0.05)
        time.sleep(0.3)  # anything the server would log after our line
        assert httpx.post(f"{root}/callbacks/{TOKEN}", json=GOOD).status_code == 200  # the server still serves
    lines = [r for r in caplog.records if not r.name.startswith(("httpx", "httpcore")) and r.levelno >= logging.WARNING]
    assert len(lines) == 3, [r.getMessage() for r in lines]  # one per connection
    assert all("disconnected" in r.getMessage() and not r.exc_info for r in lines)
    assert all(TOKEN not in r.getMessage() for r in lines)
    assert [e.transaction_id for e in stored(store)] == [GOOD["transaction_id"]]  # only the whole one


# -- amounts that cannot be real: stored, flagged, never trusted (README "Callbacks") -----------------


@pytest.mark.parametrize(
    "amount, problem",
    [
        (b"-5.00", "not positive"),
        (b"0", "not positive"),
        (b"0.00", "not positive"),
        (b'"-1"', "not positive"),
        (b"500.005", "more than two decimals"),
        (b"1e-400", "more than two decimals"),
        (b'"0.001"', "more than two decimals"),
        (b"1e400", "too large"),
        (b"10000000000000", "too large"),
        (b"1e13", "too large"),
    ],
)
def test_an_impossible_amount_is_kept_as_invalid_and_never_trusted(http, store, intake, caplog, amount, problem):
    caplog.set_level(logging.DEBUG)
    body = b'{"transaction_id": 321, "status": "Completed", "username": "user7", "amount": ' + amount + b"}"
    response = post(http, body)
    assert (response.status_code, response.json()) == (200, {"success": True})  # the provider stops retrying
    [event] = stored(store)
    assert event.verification == "invalid_amount"
    assert event.amount is None and event.amount_kurus is None  # never shown or matched as money
    assert event.raw["amount"] is not None  # what was sent stays in the stored body, for a person
    assert store.callbacks.current_status(321) is None  # an untrusted event moves no status
    assert intake.verify_pending(StatusClient({})) == {
        "verified": 0,
        "superseded": 0,
        "mismatch": 0,
        "unverified": 0,
        "errors": 0,
    }
    ours = [r.getMessage() for r in caplog.records if r.name.startswith("dashboard")]
    assert len(ours) == 1 and problem in ours[0]


def test_the_smallest_and_largest_real_amounts_are_kept(http, store):
    assert post(http, {"transaction_id": 1, "status": "Completed", "amount": "0.01"}).status_code == 200
    assert post(http, b'{"transaction_id": 2, "status": "Completed", "amount": 9999999999999.99}').status_code == 200
    first, second = stored(store)
    assert (first.amount_kurus, first.verification) == (1, "pending")
    assert (second.amount, second.amount_kurus) == (Decimal("9999999999999.99"), 999999999999999)


# -- verification ----------------------------------------------------------------------------------


class StatusClient:
    def __init__(self, answers):
        self.answers, self.calls = answers, []

    def get_transaction_status(self, transaction_id):
        self.calls.append(transaction_id)
        answer = self.answers[transaction_id]
        if isinstance(answer, BaseException):
            raise answer
        return answer


def api(status, amount="1500.50"):
    return SimpleNamespace(status=status, status_text=status, amount=Decimal(amount), created_at=T0, completed_at=None)


def test_forged_event_is_flagged_unverified_and_genuine_one_verified(intake, store):
    intake.accept(parse_callback(json.dumps({**GOOD, "transaction_id": 1, "amount": "1500.50"}).encode()))
    intake.accept(parse_callback(json.dumps({**GOOD, "transaction_id": 666}).encode()))
    client = StatusClient({1: api("Completed"), 666: NotFoundError("unknown transaction")})
    counts = intake.verify_pending(client)
    assert counts == {"verified": 1, "superseded": 0, "mismatch": 0, "unverified": 1, "errors": 0}
    by_tx = {e.transaction_id: e for e in intake.recent_events()}
    assert by_tx[1].verification == "verified" and by_tx[1].api_status_text == "Completed"
    assert by_tx[666].verification == "unverified"
    assert [c.status for c in store.callbacks.status_checks(1)] == ["completed"] and store.callbacks.status_checks(
        666
    ) == []
    assert intake.verify_pending(client) == {
        "verified": 0,
        "superseded": 0,
        "mismatch": 0,
        "unverified": 0,
        "errors": 0,
    }
    assert client.calls == [1, 666]  # each checked once


def test_mismatch_superseded_and_network_errors(intake, store):
    intake.accept(parse_callback(json.dumps({**GOOD, "transaction_id": 2}).encode()))  # says Completed
    intake.accept(parse_callback(json.dumps({**GOOD, "transaction_id": 3, "status": "Pending"}).encode()))
    intake.accept(parse_callback(json.dumps({**GOOD, "transaction_id": 4, "amount": "99"}).encode()))
    intake.accept(parse_callback(json.dumps({**GOOD, "transaction_id": 5}).encode()))
    client = StatusClient({2: api("Failed"), 3: api("Completed"), 4: api("Completed"), 5: APIConnectionError("down")})
    counts = intake.verify_pending(client)
    assert counts == {"verified": 0, "superseded": 1, "mismatch": 2, "unverified": 0, "errors": 1}
    states = {e.transaction_id: e.verification for e in intake.recent_events()}
    assert states == {2: "mismatch", 3: "superseded", 4: "mismatch", 5: "pending"}
    # The API is the truth: it replaces even a final status from a callback.
    assert store.callbacks.current_status(2).status == "failed" and store.callbacks.current_status(2).source == "api"


class SlowStatusClient:
    """transaction-status for any id, answering after `latency` s; records (when, id) of every call."""

    def __init__(self, latency: float = 0.0) -> None:
        self.latency, self.calls, self._lock = latency, [], threading.Lock()

    def get_transaction_status(self, transaction_id):
        with self._lock:
            self.calls.append((time.monotonic(), transaction_id))
        time.sleep(self.latency)
        return api("Completed")


def burst(intake, n: int, first_id: int = 1) -> list[int]:
    """`n` callbacks for distinct transactions, received one after the other (oldest = first_id)."""
    for tid in range(first_id, first_id + n):
        intake.accept(parse_callback(json.dumps({**GOOD, "transaction_id": tid, "amount": "1500.50"}).encode()))
    return list(range(first_id, first_id + n))


def test_a_burst_drains_at_the_configured_rate_with_checks_running_concurrently(intake, store):
    ids = burst(intake, 150)
    client = SlowStatusClient(latency=0.05)  # one at a time would take 150 x 50 ms = 7.5 s
    started = time.monotonic()
    counts = intake.verify_pending(client, limit=1000, limiter=RateLimiter(100), workers=8)
    elapsed = time.monotonic() - started
    assert counts["verified"] == 150 and sorted(tid for _, tid in client.calls) == ids
    assert 1.4 <= elapsed < 6.0  # 150 checks at 100/s: 1.5 s; one at a time would be 7.5 s
    times = sorted(at for at, _ in client.calls)
    # About the rate in any half second. The calls are stamped in worker threads after the limiter
    # let them go, so a busy machine can bunch a few; the limiter's exact spacing is checked with a
    # fake clock in test_rate_limiter_spaces_calls_evenly.
    for i, at in enumerate(times):
        assert sum(1 for other in times[i:] if other - at < 0.5) <= 51 + 4


def test_rate_limiter_spaces_calls_evenly():
    now, slept = [0.0], []

    def sleep(seconds):
        slept.append(seconds)
        now[0] += seconds

    limiter = RateLimiter(4, clock=lambda: now[0], sleep=sleep)
    for _ in range(5):
        limiter.acquire()
    assert slept == [0.25, 0.25, 0.25, 0.25] and now[0] == 1.0


def test_verification_is_oldest_first(intake, store):
    ids = burst(intake, 30)
    client = SlowStatusClient()
    intake.verify_pending(client, limit=10)
    assert [tid for _, tid in client.calls] == ids[:10]
    waiting = {e.transaction_id for e in intake.recent_events() if e.verification == "pending"}
    assert waiting == set(ids[10:])
    assert intake.backlog() == (20, store.callbacks.events(transaction_id=11)[0].received_at)


def test_two_intakes_on_one_database_never_verify_one_event_twice(open_store, clock):
    first_store, second_store = open_store(), open_store()
    first = CallbackIntake(first_store, token=TOKEN, clock=clock)
    second = CallbackIntake(second_store, token=TOKEN, clock=clock)  # as a second console process builds it
    ids = burst(first, 200)
    client = SlowStatusClient(latency=0.005)
    with ThreadPoolExecutor(2) as pool:
        for run in [
            pool.submit(intake.verify_pending, client, limit=50) for intake in (first, second) for _ in range(4)
        ]:
            run.result()
    checked = [tid for _, tid in client.calls]
    assert sorted(checked) == ids  # each event verified exactly once, by one of the two
    assert {e.verification for e in first.recent_events(limit=500)} == {"verified"}


def test_a_crashed_process_claims_are_retaken_after_they_expire(intake, store, clock):
    burst(intake, 5)
    store.callbacks.claim_pending(
        claimant="crashed-process", now=clock(), until=clock.now + timedelta(minutes=5), limit=10
    )
    client = SlowStatusClient()
    assert intake.verify_pending(client)["verified"] == 0 and client.calls == []  # someone holds them
    clock.now += timedelta(minutes=6)
    assert intake.verify_pending(client)["verified"] == 5


def test_events_left_unchecked_by_an_api_error_are_released_for_the_next_run(intake, store):
    burst(intake, 3)
    failing = StatusClient({1: APIConnectionError("down"), 2: api("Completed"), 3: api("Completed")})
    first = intake.verify_pending(failing)
    assert (first["errors"], first["verified"], failing.calls) == (1, 0, [1])  # the run stops at the failure
    assert intake.verify_pending(SlowStatusClient())["verified"] == 3  # none stayed claimed


def test_timeline_joins_journal_callbacks_and_checks_in_time_order(store, clock, intake):
    result = SimpleNamespace(transaction_id=4711, status="Pending", status_text="Pending", message="ok")
    journal = Journal(store, SimpleNamespace(send_money=lambda r: result), clock=clock)
    request = SimpleNamespace(
        username="user7",
        amount=Decimal("1500.50"),
        customer_iban="TR330006100519786457841326",
        customer_name="Ali Veli",
        description="",
    )
    op = journal.submit_payout(new_operation_id(), request, actor="ayse")
    intake.accept(parse_callback(json.dumps({**GOOD, "transaction_id": 4711, "status": "Processing"}).encode()))
    intake.accept(parse_callback(json.dumps({**GOOD, "transaction_id": 4711}).encode()))
    intake.verify_pending(StatusClient({4711: api("Completed")}))

    items = intake.timeline(4711)
    assert [(i.source, i.title) for i in items] == [
        ("journal", "payout submitted"),
        ("journal", "payout confirmed"),
        ("callback", "callback received"),
        ("callback", "callback received"),
        ("status_check", "status checked"),
    ]
    assert [i.at for i in items] == sorted(i.at for i in items)
    assert [i.status_text for i in items if i.source == "callback"] == ["Processing", "Completed"]
    assert {e.operation_id for e in intake.recent_events()} == {op.id}
    assert journal.get(op.id).status == "completed"  # the status check reached the journal entry


def test_recent_events_since_and_limit(intake):
    for tid in range(1, 6):
        intake.accept(parse_callback(json.dumps({**GOOD, "transaction_id": tid}).encode()))
    assert [e.transaction_id for e in intake.recent_events(limit=2)] == [5, 4]
    assert [e.transaction_id for e in intake.recent_events(since=T0 + timedelta(seconds=4))] == [5, 4]


# -- a real server under concurrent load -----------------------------------------------------------


@contextmanager
def serving(app, **config) -> Iterator[str]:
    """Run `app` on a real uvicorn on 127.0.0.1 (ephemeral port) in a thread; yields the root URL."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", access_log=False, **config))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 5
    while not server.started:
        assert thread.is_alive() and time.monotonic() < deadline, "server did not start"
        time.sleep(0.01)
    try:
        yield f"http://127.0.0.1:{sock.getsockname()[1]}"
    finally:
        server.should_exit = True
        thread.join(5)
        sock.close()


@pytest.mark.timeout(30)
def test_concurrent_posts_through_uvicorn_are_stored_exactly_once(store):
    intake = CallbackIntake(store, token=TOKEN)
    started = time.monotonic()
    with serving(app_for(intake)) as root:
        # 200 deliveries of 150 distinct events: every fourth one is a repeat delivery.
        bodies = [
            {"transaction_id": 1000 + (i if i % 4 else i - 1), "status": "Completed", "amount": "10.00"}
            for i in range(1, 201)
        ]
        url = f"{root}/callbacks/{TOKEN}"

        def deliver(chunk):
            with httpx.Client(timeout=5) as client:
                return [(b["transaction_id"], client.post(url, json=b).status_code) for b in chunk]

        with ThreadPoolExecutor(8) as pool:
            answers = [a for part in pool.map(deliver, [bodies[i::8] for i in range(8)]) for a in part]
    assert time.monotonic() - started < 15
    acknowledged = [tid for tid, code in answers if code == 200]
    assert len(acknowledged) == 200
    events = stored(store)
    assert sorted(e.transaction_id for e in events) == sorted(set(acknowledged))
    assert sum(e.delivery_count for e in events) == len(acknowledged)


# -- end to end with the real client and the sandbox ------------------------------------------------


@pytest.mark.timeout(60)
def test_real_client_payout_callbacks_verification_and_timeline(store, make_sandbox):
    client_pkg = pytest.importorskip("dashboard.client")
    from dashboard.client import models
    from dashboard.iban import make_tr_iban
    from dashboard.sandbox import SANDBOX_API_KEY, SANDBOX_SECRET_KEY

    intake = CallbackIntake(store, token=TOKEN)
    with serving(app_for(intake)) as root:
        sandbox = make_sandbox(callback_url=f"{root}/callbacks/{TOKEN}", failure_rate=0.0)
        client = client_pkg.EnigmaPayClient(SANDBOX_API_KEY, SANDBOX_SECRET_KEY, base_url=sandbox.base_url)
        journal = Journal(store, client)
        request = models.SendMoneyRequest(
            username="user7",
            amount=Decimal("150.00"),
            customer_iban=make_tr_iban("00062", "0000000000001234"),
            customer_name="Ali Veli",
        )
        op = journal.submit_payout(new_operation_id(), request, actor="ayse")
        assert op.state == "confirmed" and op.transaction_id
        deadline = time.monotonic() + 20
        while (
            store.callbacks.current_status(op.transaction_id) is None
            or not store.callbacks.current_status(op.transaction_id).status_final
        ):
            assert time.monotonic() < deadline, "no final callback arrived"
            time.sleep(0.05)
        # A forged event for a transaction the provider never made, posted like any other.
        with httpx.Client() as http:
            assert (
                http.post(
                    f"{root}/callbacks/{TOKEN}",
                    json={"transaction_id": 987654321, "status": "Completed", "amount": "150.00", "username": "user7"},
                ).status_code
                == 200
            )
    counts = intake.verify_pending(client)
    assert counts["unverified"] == 1 and counts["mismatch"] == 0 and counts["errors"] == 0
    assert counts["verified"] >= 1
    assert journal.refresh_status(op.id).status == "completed"
    sources = [item.source for item in intake.timeline(op.transaction_id)]
    assert sources[:2] == ["journal", "journal"] and "callback" in sources and "status_check" in sources
