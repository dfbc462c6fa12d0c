"""EnigmaPayClient end to end through httpx.MockTransport: every endpoint, headers, pagination."""

from __future__ import annotations

import hashlib
import json
import time
from datetime import date, datetime
from decimal import Decimal
from urllib.parse import parse_qs

import httpx
import pytest

from dashboard.client import DEFAULT_BASE_URL, EnigmaPayClient, InputError, errors, models
from dashboard.client.models import Status, TxType
from dashboard.timeutil import zone
from tests.helpers.fake_client import API_KEY, BASE, SECRET, recording_client

IBAN = "TR950006400000001234567890"  # valid mod-97, İş Bankası
IST = zone("Europe/Istanbul")


def ok(data, **extra) -> httpx.Response:
    return httpx.Response(200, json={"success": True, "data": data, **extra})


SETTINGS = {
    "credit_card": {"status": "Aktif", "commission": "3.50"},
    "eiban": {
        "status": "Pasif",
        "deposit_commission": "0.00",
        "withdrawal_commission": "1.25",
        "withdrawal_fee": "5.00",
    },
    "manual_iban": {"status": "Active", "deposit_commission": "0.00"},
}
IBANS = [
    {
        "id": 1,
        "iban": "TR330006100519786457841326",
        "owner_name": "John Doe",
        "bank_name": "Sample Bank",
        "status": "Active",
        "balance": 125000.00,
        "formatted_balance": "125,000.00 ₺",
    }
]
TRANSACTIONS = [
    {
        "id": 10,
        "type": "deposit",
        "amount": "1500.50",
        "commission": 0,
        "status": "Completed",
        "username": "user1",
        "customer_name": "Ayşe Yılmaz",
        "customer_iban": IBAN,
        "description": "",
        "created_at": "2025-11-26 14:30:00",
        "completed_at": "2025-11-26 14:35:00",
    },
    {"id": 11, "type": "çekim", "amount": 200, "status": "Beklemede", "created_at": "2025-11-27 09:00:00"},
]


def api(request: httpx.Request) -> httpx.Response:
    """One routing function standing in for EnigmaPay."""
    path = request.url.path.removeprefix("/api/dealer")
    if (request.method, path) == ("GET", "/settings"):
        return ok(SETTINGS, info="Connection successful")
    if (request.method, path) == ("GET", "/ibans"):
        return ok(IBANS)
    if (request.method, path) == ("GET", "/transactions"):
        return ok(TRANSACTIONS)
    if (request.method, path) == ("GET", "/transaction-status"):
        tx = int(request.url.params["transaction_id"])
        return ok(
            {
                "id": tx,
                "status": "Completed",
                "amount": 500.00,
                "created_at": "2025-11-26 14:30:00",
                "completed_at": "2025-11-26 14:35:00",
            }
        )
    if (request.method, path) == ("POST", "/send-money"):
        return httpx.Response(
            200,
            json={"success": True, "message": "Transfer started", "data": {"transaction_id": 123, "status": "Pending"}},
        )
    if (request.method, path) == ("POST", "/credit-card/payment"):
        return httpx.Response(
            200,
            json={
                "success": True,
                "message": "Payment created successfully",
                "data": {
                    "payment_url": "https://payment.gateway.com/pay/abc123",
                    "order_id": "CC-20251126-ABC123",
                    "transaction_id": 456,
                    "amount": 500.00,
                    "currency": "TRY",
                },
            },
        )
    return httpx.Response(404, json={"success": False, "message": f"no route {request.method} {path}"})


def make_client(handler=api, **kwargs) -> tuple[EnigmaPayClient, list[httpx.Request]]:
    return recording_client(handler, **kwargs)


def send_request(**overrides) -> models.SendMoneyRequest:
    fields = dict(
        username="user1",
        amount=Decimal("500.00"),
        customer_iban=IBAN,
        customer_name="Ahmet Yılmaz",
        description="Withdrawal request",
    )
    return models.SendMoneyRequest(**{**fields, **overrides})


def card_request(**overrides) -> models.CardPaymentRequest:
    fields = dict(
        username="user1",
        firstname="Ayşe",
        lastname="Öztürk",
        email="ayse@example.com",
        phone="0532 123 45 67",
        amount=Decimal("500"),
        description="",
    )
    return models.CardPaymentRequest(**{**fields, **overrides})


# --- endpoints ---------------------------------------------------------------------------------------


def test_get_settings_parses_channels():
    client, seen = make_client()
    settings = client.get_settings()
    assert seen[0].method == "GET" and str(seen[0].url) == f"{BASE}/settings"
    assert settings.credit_card == models.CreditCardChannel(True, "Aktif", Decimal("3.50"))
    assert settings.eiban == models.EibanChannel(False, "Pasif", Decimal("0.00"), Decimal("1.25"), Decimal("5.00"))
    assert settings.manual_iban == models.ManualIbanChannel(True, "Active", Decimal("0.00"))
    assert settings.info == "Connection successful"


def test_list_ibans():
    client, seen = make_client()
    [iban] = client.list_ibans()
    assert str(seen[0].url) == f"{BASE}/ibans"
    assert iban == models.Iban(
        id=1,
        iban="TR330006100519786457841326",
        owner_name="John Doe",
        bank_name="Sample Bank",
        status_text="Active",
        active=True,
        balance=Decimal("125000.0"),
        formatted_balance="125,000.00 ₺",
        extra={},
    )


def test_list_transactions_sends_params_and_parses_records():
    client, seen = make_client()
    txs = client.list_transactions(7, date(2025, 11, 1), date(2025, 11, 30))
    assert seen[0].url.path == "/api/dealer/transactions"
    assert dict(seen[0].url.params) == {"iban_id": "7", "start_date": "2025-11-01", "end_date": "2025-11-30"}
    first, second = txs
    assert first.id == 10 and first.type is TxType.DEPOSIT and first.amount == Decimal("1500.50")
    assert first.commission == Decimal("0") and first.status is Status.COMPLETED
    assert first.created_at == datetime(2025, 11, 26, 14, 30, tzinfo=IST)
    assert first.completed_at == datetime(2025, 11, 26, 14, 35, tzinfo=IST)
    assert first.customer_name == "Ayşe Yılmaz" and first.iban_id == 7  # filled in from the request
    assert second.type is TxType.WITHDRAWAL and second.status is Status.PENDING and second.status_text == "Beklemede"
    assert second.commission is None and second.username == "" and second.completed_at is None


def test_list_transactions_without_dates_sends_only_iban_id():
    client, seen = make_client()
    client.list_transactions(3)
    assert dict(seen[0].url.params) == {"iban_id": "3"}


def test_iter_transaction_pages_yields_raw_records_unchanged():
    client, _ = make_client()
    pages = list(client.iter_transaction_pages(7))
    assert pages == [TRANSACTIONS]


def test_get_transaction_status():
    client, seen = make_client()
    status = client.get_transaction_status(123)
    assert seen[0].method == "GET" and dict(seen[0].url.params) == {"transaction_id": "123"}
    assert status == models.TransactionStatus(
        id=123,
        status=Status.COMPLETED,
        status_text="Completed",
        amount=Decimal("500.0"),
        created_at=datetime(2025, 11, 26, 14, 30, tzinfo=IST),
        completed_at=datetime(2025, 11, 26, 14, 35, tzinfo=IST),
        extra={},
    )
    assert status.status.is_final


def test_send_money_posts_exact_json_body():
    client, seen = make_client()
    result = client.send_money(send_request(customer_iban="tr95 0006 4000 0000 1234 5678 90", amount=Decimal("500")))
    request = seen[0]
    assert request.method == "POST" and str(request.url) == f"{BASE}/send-money"
    # Exactly two decimals, a JSON number, and the IBAN sent compact upper case.
    assert b'"amount":500.00' in request.content
    assert json.loads(request.content) == {
        "username": "user1",
        "amount": 500.0,
        "customer_iban": IBAN,
        "customer_name": "Ahmet Yılmaz",
        "description": "Withdrawal request",
    }
    assert result == models.TransferResult(123, Status.PENDING, "Pending", "Transfer started", {})


def test_create_card_payment():
    client, seen = make_client()
    payment = client.create_card_payment(card_request())
    assert seen[0].method == "POST" and seen[0].url.path == "/api/dealer/credit-card/payment"
    assert json.loads(seen[0].content) == {
        "username": "user1",
        "firstname": "Ayşe",
        "lastname": "Öztürk",
        "email": "ayse@example.com",
        "phone": "+905321234567",
        "amount": 500.0,
    }
    assert payment == models.CardPayment(
        payment_url="https://payment.gateway.com/pay/abc123",
        order_id="CC-20251126-ABC123",
        transaction_id=456,
        amount=Decimal("500.0"),
        currency="TRY",
        message="Payment created successfully",
        extra={},
    )


# --- invalid input never reaches the network ---------------------------------------------------------


@pytest.mark.parametrize(
    "request_",
    [
        send_request(amount=Decimal("0")),
        send_request(amount=Decimal("10.005")),
        send_request(customer_iban="TR950006400000001234567891"),
        send_request(customer_name="X"),
        send_request(username="   "),
        send_request(description="x" * 256),
    ],
)
def test_invalid_send_money_makes_no_request(request_):
    client, seen = make_client()
    with pytest.raises(InputError):
        client.send_money(request_)
    assert seen == []


@pytest.mark.parametrize(
    "request_",
    [card_request(amount=Decimal("199.99")), card_request(email="not-an-email"), card_request(phone="12345")],
)
def test_invalid_card_payment_makes_no_request(request_):
    client, seen = make_client()
    with pytest.raises(InputError):
        client.create_card_payment(request_)
    assert seen == []


# --- transport details -------------------------------------------------------------------------------


def test_every_request_carries_auth_and_json_headers():
    client, seen = make_client()
    client.get_settings()
    client.send_money(send_request())
    expected_hash = hashlib.sha256((API_KEY + SECRET).encode()).hexdigest()
    for request in seen:
        assert request.headers["X-API-Key"] == API_KEY
        assert request.headers["X-Hash"] == expected_hash
        assert request.headers["Accept"] == "application/json"
        assert request.headers["Content-Type"] == "application/json"
        assert request.headers["User-Agent"].startswith("enigmapay-console/")
        assert SECRET not in str(request.headers.raw) and SECRET.encode() not in request.content


def test_x_hash_matches_php_reference_value():
    # printf 'keysecret' | sha256sum  ==  PHP hash('sha256', 'key' . 'secret'): key first, lowercase hex
    seen: list[httpx.Request] = []
    client = EnigmaPayClient(
        "keyA", "secretB", transport=httpx.MockTransport(lambda r: (seen.append(r), ok(SETTINGS))[1])
    )
    client.get_settings()
    assert seen[0].headers["X-Hash"] == hashlib.sha256(b"keyAsecretB").hexdigest()
    from dashboard.client._base import x_hash

    assert x_hash("key", "secret") == "d6ff67573947d391ee2589b6a3534a3b300a1c6105acd079b9745b37bd9e4260"


@pytest.mark.parametrize("base_url", [BASE, BASE + "/"])
def test_base_url_with_or_without_trailing_slash(base_url):
    client, seen = make_client(base_url=base_url)
    client.list_ibans()
    assert str(seen[0].url) == f"{BASE}/ibans"
    assert repr(client) == f"EnigmaPayClient(base_url={BASE!r})"


def test_defaults():
    client = EnigmaPayClient(API_KEY, SECRET)
    try:
        assert client.base_url == DEFAULT_BASE_URL == "https://www.enigmapay.net/api/dealer"
        assert client.timeout == httpx.Timeout(30.0, connect=5.0)
        assert client.max_retries == 2
    finally:
        client.close()


def test_float_timeout_is_the_read_timeout_and_connect_stays_short():
    client, _ = make_client(timeout=12.5)
    assert client.timeout == httpx.Timeout(12.5, connect=5.0)
    assert client._http.timeout == client.timeout


def test_accepts_secret_wrappers():
    from dashboard.config import Secret

    seen: list[httpx.Request] = []
    client = EnigmaPayClient(
        Secret(API_KEY), Secret(SECRET), transport=httpx.MockTransport(lambda r: (seen.append(r), ok(SETTINGS))[1])
    )
    client.get_settings()
    assert seen[0].headers["X-API-Key"] == API_KEY


@pytest.mark.parametrize("api_key, secret", [("", SECRET), (API_KEY, "  "), (API_KEY + "\n", SECRET + "x\ny")])
def test_rejects_missing_or_unsendable_credentials(api_key, secret):
    with pytest.raises(ValueError) as info:
        EnigmaPayClient(api_key, secret)
    assert SECRET not in str(info.value) and API_KEY not in str(info.value)


def test_context_manager_closes_the_pool():
    with make_client()[0] as client:
        client.get_settings()
    assert client._http.is_closed


@pytest.mark.parametrize("bad", ["7", 7.0, True])
def test_ids_must_be_ints(bad):
    client, seen = make_client()
    with pytest.raises(TypeError):
        client.list_transactions(bad)
    with pytest.raises(TypeError):
        client.get_transaction_status(bad)
    assert seen == []


@pytest.mark.parametrize("bad", [0, -1, 2**63])
def test_transaction_id_out_of_range_is_refused_before_any_request(bad):
    client, seen = make_client()
    with pytest.raises(models.TransactionIdError):
        client.get_transaction_status(bad)
    assert seen == []


def test_the_largest_transaction_id_is_asked_for():
    client, seen = make_client()
    assert client.get_transaction_status(2**63 - 1).id == 2**63 - 1
    assert seen[0].url.params["transaction_id"] == "9223372036854775807"


# --- pagination --------------------------------------------------------------------------------------


def _page_handler(pages: dict[str, dict], key=lambda r: r.url.params.get("page", "1")):
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, json=pages[key(request)])

    return handler


def test_follows_absolute_next_page_url_keeping_params():
    pages = {
        "1": {
            "success": True,
            "data": [{"id": 1}],
            "current_page": 1,
            "last_page": 3,
            "next_page_url": f"{BASE}/transactions?page=2",
        },
        "2": {
            "success": True,
            "data": [{"id": 2}],
            "current_page": 2,
            "last_page": 3,
            "next_page_url": f"{BASE}/transactions?page=3",
        },
        "3": {"success": True, "data": [{"id": 3}], "current_page": 3, "last_page": 3, "next_page_url": None},
    }
    client, seen = make_client(_page_handler(pages), page_concurrency=1)
    txs = client.list_transactions(5, date(2025, 1, 1), date(2025, 1, 31))
    assert [t.id for t in txs] == [1, 2, 3]
    assert len(seen) == 3
    for request in seen[1:]:
        assert request.url.params["iban_id"] == "5"
        assert request.url.params["start_date"] == "2025-01-01" and request.url.params["end_date"] == "2025-01-31"
    assert [r.url.params.get("page") for r in seen] == [None, "2", "3"]


def test_follows_relative_next_page_url_and_nested_laravel_form():
    pages = {
        "1": {
            "success": True,
            "data": {
                "data": [{"id": 1}],
                "current_page": 1,
                "last_page": 2,
                "next_page_url": "/api/dealer/transactions?page=2",
            },
        },
        "2": {"success": True, "data": {"data": [{"id": 2}], "current_page": 2, "last_page": 2, "next_page_url": None}},
    }
    client, seen = make_client(_page_handler(pages))
    assert [r["id"] for page in client.iter_transaction_pages(9) for r in page] == [1, 2]
    assert str(seen[1].url) == f"{BASE}/transactions?iban_id=9&page=2"


def test_query_only_relative_next_page_url():
    pages = {
        "1": {"success": True, "data": [{"id": 1}], "next_page_url": "?page=2"},
        "2": {"success": True, "data": [{"id": 2}], "next_page_url": None},
    }
    client, seen = make_client(_page_handler(pages))
    assert [t.id for t in client.list_transactions(9)] == [1, 2]
    assert seen[1].url.path == "/api/dealer/transactions"


def test_pages_by_number_when_there_is_no_next_url():
    pages = {str(n): {"success": True, "data": [{"id": n}], "current_page": n, "last_page": 4} for n in range(1, 5)}
    client, seen = make_client(_page_handler(pages), page_concurrency=1)
    assert [t.id for t in client.list_transactions(1)] == [1, 2, 3, 4]
    assert [r.url.params.get("page") for r in seen] == [None, "2", "3", "4"]


def test_api_resource_form_with_meta_and_links():
    pages = {
        "1": {
            "data": [{"id": 1}],
            "links": {"next": f"{BASE}/transactions?page=2"},
            "meta": {"current_page": 1, "last_page": 2},
        },
        "2": {"data": [{"id": 2}], "links": {"next": None}, "meta": {"current_page": 2, "last_page": 2}},
    }
    client, _ = make_client(_page_handler(pages))
    assert [t.id for t in client.list_transactions(1)] == [1, 2]


def test_http_next_page_link_is_followed_over_the_configured_https():
    pages = {
        "1": {
            "success": True,
            "data": [{"id": 1}],
            "next_page_url": "http://api.example.test/api/dealer/transactions?page=2",
        },
        "2": {"success": True, "data": [{"id": 2}], "next_page_url": None},
    }
    client, seen = make_client(_page_handler(pages))
    client.list_transactions(1)
    assert seen[1].url.scheme == "https"


def test_next_page_on_another_host_is_refused():
    pages = {"1": {"success": True, "data": [{"id": 1}], "next_page_url": "https://evil.example/steal?page=2"}}
    client, seen = make_client(_page_handler(pages))
    with pytest.raises(errors.MalformedResponseError):
        client.list_transactions(1)
    assert len(seen) == 1 and all(r.url.host == "api.example.test" for r in seen)


def test_repeated_next_page_url_stops_the_loop():
    body = {
        "success": True,
        "data": [{"id": 1}],
        "current_page": 1,
        "last_page": 9,
        "next_page_url": f"{BASE}/transactions?iban_id=1&page=2",
    }
    client, seen = make_client(lambda r: httpx.Response(200, json=body), page_concurrency=1)
    with pytest.raises(errors.MalformedResponseError, match="repeats"):
        client.list_transactions(1)
    assert len(seen) == 2


def test_a_fanned_out_page_answering_for_another_page_is_malformed():
    # The same body for every page (a server ignoring `page`): concurrently, page 2 says it is page 1.
    body = {"success": True, "data": [{"id": 1}], "current_page": 1, "last_page": 9}
    client, seen = make_client(lambda r: httpx.Response(200, json=body))
    with pytest.raises(errors.MalformedResponseError, match="page 2 answered as page 1"):
        client.list_transactions(1)


def test_too_many_pages_stops_the_loop():
    def endless(request: httpx.Request) -> httpx.Response:
        n = int(request.url.params.get("page", "1"))
        return httpx.Response(200, json={"success": True, "data": [], "current_page": n, "last_page": 10**9})

    client, seen = make_client(endless, page_concurrency=1)
    client.max_pages = 5
    with pytest.raises(errors.MalformedResponseError, match="exceeds 5"):
        list(client.iter_transaction_pages(1))
    assert len(seen) == 5


def test_too_many_pages_told_by_the_first_page_asks_for_none_of_them():
    def endless(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, json={"success": True, "data": [], "current_page": 1, "last_page": 10**9})

    client, seen = make_client(endless)
    client.max_pages = 5
    with pytest.raises(errors.MalformedResponseError, match="exceeds 5"):
        list(client.iter_transaction_pages(1))
    assert len(seen) == 1


def test_pages_are_fetched_lazily():
    pages = {str(n): {"success": True, "data": [{"id": n}], "current_page": n, "last_page": 3} for n in range(1, 4)}
    client, seen = make_client(_page_handler(pages), page_concurrency=1)
    iterator = client.iter_transaction_pages(1)
    assert seen == []
    next(iterator)
    assert len(seen) == 1


def test_concurrent_pages_read_ahead_a_bounded_number_and_stop_when_closed():
    pages = {str(n): {"success": True, "data": [{"id": n}], "current_page": n, "last_page": 100} for n in range(1, 101)}
    client, seen = make_client(_page_handler(pages), page_concurrency=2)
    iterator = client.iter_transaction_pages(1)
    assert next(iterator) == [{"id": 1}]
    time.sleep(0.3)
    assert len(seen) == 1 + 2 * 2  # the first page, then twice the concurrency ahead of the consumer
    assert next(iterator) == [{"id": 2}]
    iterator.close()  # every thread stopped and awaited: nothing more is asked for
    asked = len(seen)
    time.sleep(0.2)
    assert len(seen) == asked <= 1 + 2 * 2 + 1


def test_query_params_parse_back():
    # The date parameters use Y-m-d, whatever date subclass is passed.
    client, seen = make_client()
    client.list_transactions(1, datetime(2025, 3, 4, 10, 0), date(2025, 3, 5))
    assert parse_qs(seen[0].url.query.decode()) == {
        "iban_id": ["1"],
        "start_date": ["2025-03-04"],
        "end_date": ["2025-03-05"],
    }


def test_one_client_shared_between_threads():
    from concurrent.futures import ThreadPoolExecutor

    client, seen = make_client()
    with ThreadPoolExecutor(max_workers=8) as pool:
        results = list(pool.map(lambda _: client.list_ibans()[0].id, range(64)))
    assert results == [1] * 64 and len(seen) == 64


@pytest.mark.parametrize(
    "link",
    [
        f"{BASE}/transactions?page=2\x00",
        f"{BASE}/transactions?page=2&x=" + "a" * 70_000,
        "/" + "p" * 70_000,
        "https://" + "h" * 70_000 + "/x",
    ],
)
def test_a_next_page_url_httpx_cannot_send_is_a_malformed_answer(link):
    # A control character, or a link past httpx's URL length limit: a typed error, never httpx.InvalidURL.
    body = {"success": True, "data": [{"id": 1}], "next_page_url": link}
    client, seen = make_client(lambda r: httpx.Response(200, json=body))
    with pytest.raises(errors.MalformedResponseError):
        client.list_transactions(1)
    assert len(seen) == 1


@pytest.mark.parametrize(
    ("method", "error"), [("GET", errors.MalformedResponseError), ("POST", errors.APIConnectionError)]
)
def test_a_request_httpx_cannot_build_is_a_typed_error_and_nothing_is_sent(method, error):
    client, seen = make_client(lambda r: httpx.Response(200, json={"success": True, "data": []}))
    with pytest.raises(error):
        client._request(method, f"{BASE}/transactions?x=" + "a" * 70_000, operation="test")
    with pytest.raises(error):
        client._request(method, f"{BASE}/transactions", operation="test", params={"x": "a" * 70_000})
    assert seen == []
