"""Retry policy: GETs retried with exact, patched sleeps; POSTs sent exactly once, whatever happens."""

from __future__ import annotations

from decimal import Decimal

import httpx
import pytest

from dashboard.client import errors, models
from tests.helpers.fake_client import recording_client

IBAN = "TR950006400000001234567890"
OK_IBANS = {"success": True, "data": [{"id": 1, "iban": IBAN, "status": "Aktif", "balance": "10.00"}]}
OK_PAYOUT = {"success": True, "data": {"transaction_id": 9, "status": "Pending"}}


def fail_with(kind: str, request: httpx.Request) -> httpx.Response:
    """Raise or return the failure named `kind`."""
    exceptions = {
        "connect_error": httpx.ConnectError,
        "connect_timeout": httpx.ConnectTimeout,
        "pool_timeout": httpx.PoolTimeout,
        "read_timeout": httpx.ReadTimeout,
        "write_timeout": httpx.WriteTimeout,
        "read_error": httpx.ReadError,
        "remote_protocol": httpx.RemoteProtocolError,
    }
    if kind in exceptions:
        raise exceptions[kind]("simulated", request=request)
    status = int(kind)
    return httpx.Response(status, json={"success": False, "message": f"HTTP {status}"})


def make_client(handler, **kwargs):
    """(client, seen, sleeps): the sleeps the retries asked for, with no jitter."""
    client, seen = recording_client(handler, **kwargs)
    sleeps: list[float] = []
    client._sleep = sleeps.append
    client._jitter = lambda: 1.0
    return client, seen, sleeps


def flaky(failures: int, kind: str, success_body: dict):
    calls = {"n": 0}

    def handler(request: httpx.Request) -> httpx.Response:
        calls["n"] += 1
        if calls["n"] <= failures:
            return fail_with(kind, request)
        return httpx.Response(200, json=success_body)

    return handler


RETRYABLE_KINDS = [
    "connect_error",
    "connect_timeout",
    "read_timeout",
    "read_error",
    "remote_protocol",
    "408",
    "429",
    "500",
    "502",
    "503",
    "504",
]


@pytest.mark.parametrize("kind", RETRYABLE_KINDS)
@pytest.mark.parametrize("failures", [0, 1, 2])
def test_get_is_retried_until_success(failures, kind):
    client, seen, sleeps = make_client(flaky(failures, kind, OK_IBANS))
    [iban] = client.list_ibans()
    assert iban.balance == Decimal("10.00")
    assert len(seen) == failures + 1
    assert sleeps == [0.5, 1.0][:failures]


@pytest.mark.parametrize(
    "kind, expected",
    [
        ("connect_error", errors.APIConnectionError),
        ("read_error", errors.APIConnectionError),
        ("remote_protocol", errors.APIConnectionError),
        ("connect_timeout", errors.APITimeoutError),
        ("read_timeout", errors.APITimeoutError),
        ("429", errors.RateLimitError),
        ("500", errors.ServerError),
        ("408", errors.APIError),
    ],
)
def test_get_gives_up_after_max_retries(kind, expected):
    client, seen, sleeps = make_client(flaky(99, kind, OK_IBANS))
    with pytest.raises(expected):
        client.list_ibans()
    assert len(seen) == 3
    assert sleeps == [0.5, 1.0]


@pytest.mark.parametrize("kind", ["400", "401", "403", "404", "422"])
def test_get_client_errors_are_not_retried(kind):
    client, seen, sleeps = make_client(flaky(99, kind, OK_IBANS))
    with pytest.raises(errors.APIStatusError):
        client.list_ibans()
    assert len(seen) == 1 and sleeps == []


def test_backoff_doubles_up_to_the_cap():
    client, seen, sleeps = make_client(flaky(99, "503", OK_IBANS), max_retries=6)
    with pytest.raises(errors.ServerError):
        client.get_settings()
    assert len(seen) == 7
    assert sleeps == [0.5, 1.0, 2.0, 4.0, 8.0, 8.0]


def test_jitter_scales_the_backoff():
    client, _, sleeps = make_client(flaky(2, "500", OK_IBANS))
    client._jitter = lambda: 0.75
    client.list_ibans()
    assert sleeps == [0.375, 0.75]


def test_default_jitter_stays_in_range():
    client, _, _ = make_client(flaky(0, "500", OK_IBANS))
    del client._jitter  # back to the class's own method
    values = [client._jitter() for _ in range(200)]
    assert all(0.75 < v <= 1.0 for v in values) and len(set(values)) > 1


@pytest.mark.parametrize("retry_after, expected", [("3", 3.0), ("0", 0.0), ("600", 60.0), ("junk", 0.5)])
def test_retry_after_is_honoured_and_capped(retry_after, expected):
    calls = {"n": 0}

    def handler(request: httpx.Request) -> httpx.Response:
        calls["n"] += 1
        if calls["n"] == 1:
            return httpx.Response(429, headers={"Retry-After": retry_after}, json={"success": False})
        return httpx.Response(200, json=OK_IBANS)

    client, seen, sleeps = make_client(handler)
    client.list_ibans()
    assert sleeps == [expected] and len(seen) == 2


def test_max_retries_zero_disables_retries():
    client, seen, sleeps = make_client(flaky(1, "500", OK_IBANS), max_retries=0)
    with pytest.raises(errors.ServerError):
        client.list_ibans()
    assert len(seen) == 1 and sleeps == []


def test_every_page_of_a_history_gets_its_own_retries():
    calls = {"n": 0}

    def handler(request: httpx.Request) -> httpx.Response:
        calls["n"] += 1
        if calls["n"] in (2, 3):  # page 2 fails twice
            raise httpx.ReadTimeout("simulated", request=request)
        page = int(request.url.params.get("page", "1"))
        return httpx.Response(200, json={"success": True, "data": [{"id": page}], "current_page": page, "last_page": 2})

    client, seen, sleeps = make_client(handler)
    assert [t.id for t in client.list_transactions(1)] == [1, 2]
    assert len(seen) == 4 and sleeps == [0.5, 1.0]


# --- POST: never retried -----------------------------------------------------------------------------

PAYOUT = models.SendMoneyRequest("user1", Decimal("100.00"), IBAN, "Ahmet Yılmaz")
CARD = models.CardPaymentRequest("user1", "Ayşe", "Öztürk", "a@example.com", "05321234567", Decimal("250"))


@pytest.mark.parametrize(
    "kind, expected",
    [
        # Never left the machine: safe to say "not sent".
        ("connect_error", errors.APIConnectionError),
        ("connect_timeout", errors.APITimeoutError),
        ("pool_timeout", errors.APITimeoutError),
        # Sent, answer lost: the payout may have happened.
        ("read_timeout", errors.OutcomeUnknownError),
        ("write_timeout", errors.OutcomeUnknownError),
        ("read_error", errors.OutcomeUnknownError),
        ("remote_protocol", errors.OutcomeUnknownError),
        # The server answered: its answer stands, no second try.
        ("408", errors.APIError),
        ("429", errors.RateLimitError),
        ("500", errors.ServerError),
        ("503", errors.ServerError),
    ],
)
@pytest.mark.parametrize("operation", ["send-money", "credit-card/payment"])
def test_post_is_sent_exactly_once(kind, expected, operation):
    client, seen, sleeps = make_client(flaky(1, kind, OK_PAYOUT), max_retries=5)
    call = (
        (lambda: client.send_money(PAYOUT)) if operation == "send-money" else (lambda: client.create_card_payment(CARD))
    )
    with pytest.raises(expected) as info:
        call()
    assert len(seen) == 1 and sleeps == []
    assert type(info.value) is expected
    if expected is errors.OutcomeUnknownError:
        assert info.value.operation == operation
        assert "may or may not" in info.value.user_message and "Do not send it again" in info.value.user_message


def test_read_timeout_on_payout_is_outcome_unknown_after_one_request():
    client, seen, _ = make_client(flaky(1, "read_timeout", OK_PAYOUT))
    with pytest.raises(errors.OutcomeUnknownError) as info:
        client.send_money(PAYOUT)
    assert len(seen) == 1 and seen[0].method == "POST"
    assert "payout" in info.value.user_message
    # The next, separate call goes through: nothing was queued for a silent resend.
    assert client.send_money(PAYOUT).transaction_id == 9
    assert len(seen) == 2
