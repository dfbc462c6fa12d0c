"""The dealer API over real HTTP: auth, shapes, validation, pagination, filters, determinism."""

from __future__ import annotations

from datetime import datetime

import httpx
import pytest

from dashboard.client._reader import TRANSACTION_FIELDS
from dashboard.iban import iban_is_valid
from dashboard.sandbox import SANDBOX_API_KEY, SANDBOX_SECRET_KEY, auth_headers, request_hash

VALID_IBAN = "TR330006100519786457841326"


@pytest.fixture
def api(sandbox, http_client) -> httpx.Client:
    return http_client(sandbox)


# --- auth and routing ----------------------------------------------------------------------------
@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"X-API-Key": SANDBOX_API_KEY},
        {"X-API-Key": "wrong", "X-Hash": request_hash("wrong", SANDBOX_SECRET_KEY)},
        {"X-API-Key": SANDBOX_API_KEY, "X-Hash": request_hash(SANDBOX_API_KEY, "wrong-secret")},
        {"X-API-Key": SANDBOX_API_KEY, "X-Hash": SANDBOX_SECRET_KEY},  # the secret itself is not the hash
    ],
)
def test_bad_credentials_are_401(sandbox, http_client, headers):
    response = http_client(sandbox, headers=headers).get("/settings")
    assert response.status_code == 401
    assert response.json() == {"success": False, "message": "Unauthenticated."}


def test_hash_compares_case_insensitively(sandbox, http_client):
    headers = auth_headers()
    headers["X-Hash"] = headers["X-Hash"].upper()
    assert http_client(sandbox, headers=headers).get("/settings").status_code == 200


def test_unknown_path_404_and_wrong_method_405_as_json(api):
    missing = api.get("/no-such-endpoint")
    assert missing.status_code == 404 and missing.json()["success"] is False
    wrong = api.post("/settings")
    assert wrong.status_code == 405 and wrong.json()["success"] is False
    assert "GET" in wrong.headers["allow"]


# --- settings and ibans -------------------------------------------------------------------------------
def test_settings_shape(api):
    body = api.get("/settings").json()
    assert body["success"] is True and body["info"] == "Connection successful"
    assert body["data"] == {
        "credit_card": {"status": "Aktif", "commission": "3.50"},
        "eiban": {
            "status": "Aktif",
            "deposit_commission": "1.00",
            "withdrawal_commission": "0.50",
            "withdrawal_fee": "2.50",
        },
        "manual_iban": {"status": "Aktif", "deposit_commission": "1.25"},
    }


def test_ibans_shape(api):
    ibans = api.get("/ibans").json()["data"]
    assert len(ibans) == 5
    assert len({i["bank_name"] for i in ibans}) == 5
    for item in ibans:
        assert set(item) == {"id", "iban", "owner_name", "bank_name", "status", "balance", "formatted_balance"}
        assert iban_is_valid(item["iban"]) and item["status"] == "Active"
        assert isinstance(item["balance"], float) and item["balance"] >= 0
        assert item["formatted_balance"] == f"{item['balance']:,.2f} ₺"


# --- transactions -------------------------------------------------------------------------------------
def walk(api: httpx.Client, **params) -> tuple[list[dict], list[dict]]:
    """Follow next_page_url to the end; returns (records, page envelopes without data)."""
    records, envelopes = [], []
    response = api.get("/transactions", params=params)
    while True:
        body = response.json()
        assert response.status_code == 200 and body["success"] is True
        records += body.pop("data")
        envelopes.append(body)
        if body["next_page_url"] is None:
            return records, envelopes
        response = api.get(body["next_page_url"])


def test_pagination_walks_to_the_end_and_totals_match(api):
    grand_total = 0
    for iban_id in range(1, 6):
        records, envelopes = walk(api, iban_id=iban_id, per_page=250)
        total = envelopes[0]["total"]
        assert len(records) == total == len({r["id"] for r in records})
        assert [e["current_page"] for e in envelopes] == list(range(1, envelopes[0]["last_page"] + 1))
        assert all(r["iban_id"] == iban_id for r in records)
        keys = [(r["created_at"], r["id"]) for r in records]
        assert keys == sorted(keys, reverse=True)  # newest first
        grand_total += total
    assert grand_total == 3_000


def test_next_page_url_keeps_the_query(api):
    body = api.get("/transactions", params={"iban_id": 1, "per_page": 10, "start_date": "2026-01-01"}).json()
    url = httpx.URL(body["next_page_url"])
    assert url.params["iban_id"] == "1" and url.params["start_date"] == "2026-01-01"
    assert url.params["per_page"] == "10" and url.params["page"] == "2"
    assert body["per_page"] == 10 and len(body["data"]) == 10


def test_default_per_page_and_page_past_the_end(sandbox, api):
    body = api.get("/transactions", params={"iban_id": 1}).json()
    assert body["per_page"] == sandbox.config.per_page
    past = api.get("/transactions", params={"iban_id": 1, "page": 999}).json()
    assert past["data"] == [] and past["next_page_url"] is None and past["total"] == body["total"]


def test_record_shape(api):
    record = api.get("/transactions", params={"iban_id": 2, "per_page": 1}).json()["data"][0]
    assert set(record) >= set(TRANSACTION_FIELDS)
    assert record["type"] in ("deposit", "withdrawal")
    datetime.strptime(record["created_at"], "%Y-%m-%d %H:%M:%S")


def test_date_filter_is_inclusive_on_local_dates(api):
    everything, _ = walk(api, iban_id=1, per_page=5000)
    start, end = "2026-03-01", "2026-03-31"
    expected = [r for r in everything if start <= r["created_at"][:10] <= end]
    filtered, _ = walk(api, iban_id=1, start_date=start, end_date=end, per_page=40)
    assert filtered == expected and len(expected) > 10
    one_day = expected[0]["created_at"][:10]
    day_only, _ = walk(api, iban_id=1, start_date=one_day, end_date=one_day)
    assert day_only and all(r["created_at"].startswith(one_day) for r in day_only)
    open_ended, _ = walk(api, iban_id=1, start_date="2026-11-20")
    assert [r for r in everything if r["created_at"] >= "2026-11-20"] == open_ended


@pytest.mark.parametrize(
    "params, field",
    [
        ({}, "iban_id"),
        ({"iban_id": "abc"}, "iban_id"),
        ({"iban_id": "1.5"}, "iban_id"),
        ({"iban_id": 1, "start_date": "2026/01/01"}, "start_date"),
        ({"iban_id": 1, "end_date": "2026-02-30"}, "end_date"),
        ({"iban_id": 1, "start_date": "2026-05-02", "end_date": "2026-05-01"}, "end_date"),
        ({"iban_id": 1, "per_page": 10_001}, "per_page"),
        ({"iban_id": 1, "page": 0}, "page"),
    ],
)
def test_transactions_validation(api, params, field):
    response = api.get("/transactions", params=params)
    assert response.status_code == 422
    body = response.json()
    assert body["success"] is False and list(body["errors"]) == [field]
    assert body["message"] == body["errors"][field][0]


def test_unknown_iban_is_404(api):
    response = api.get("/transactions", params={"iban_id": 99})
    assert response.status_code == 404 and response.json()["success"] is False


# --- transaction-status ---------------------------------------------------------------------------------
def test_transaction_status_of_history(api):
    record = api.get("/transactions", params={"iban_id": 3, "per_page": 1}).json()["data"][0]
    body = api.get("/transaction-status", params={"transaction_id": record["id"]}).json()
    assert body == {
        "success": True,
        "data": {k: record[k] for k in ("id", "status", "amount", "created_at", "completed_at")},
    }


@pytest.mark.parametrize(
    "params, status", [({}, 422), ({"transaction_id": "x"}, 422), ({"transaction_id": 10**9}, 404)]
)
def test_transaction_status_errors(api, params, status):
    response = api.get("/transaction-status", params=params)
    assert response.status_code == status
    if status == 404:
        assert response.json() == {"success": False, "message": "Transaction not found"}
    else:
        assert "transaction_id" in response.json()["errors"]


# --- send-money validation (no money moves when it fails) ------------------------------------------------
GOOD_PAYOUT = {"username": "user123", "amount": 500.0, "customer_iban": VALID_IBAN, "customer_name": "John Doe"}


@pytest.mark.parametrize(
    "change, field",
    [
        ({"username": None}, "username"),
        ({"username": 5}, "username"),
        ({"amount": None}, "amount"),
        ({"amount": "abc"}, "amount"),
        ({"amount": True}, "amount"),
        ({"amount": 0}, "amount"),
        ({"amount": -5}, "amount"),
        ({"amount": "10.005"}, "amount"),
        ({"amount": 0.105}, "amount"),
        ({"customer_iban": "TR330006100519786457841327"}, "customer_iban"),
        ({"customer_iban": "DE89370400440532013000"}, "customer_iban"),
        ({"customer_name": "Jo"}, "customer_name"),
        ({"customer_name": "x" * 101}, "customer_name"),
        ({"description": "d" * 256}, "description"),
    ],
)
def test_send_money_validation(api, change, field):
    body = {k: v for k, v in {**GOOD_PAYOUT, **change}.items() if v is not None}
    response = api.post("/send-money", json=body)
    assert response.status_code == 422
    payload = response.json()
    assert payload["success"] is False and list(payload["errors"]) == [field]


def test_send_money_empty_or_broken_body_reports_every_required_field(api):
    for content in (b"", b"not json", b"[1, 2]"):
        response = api.post("/send-money", content=content)
        assert response.status_code == 422
        errors = response.json()["errors"]
        assert set(errors) == {"username", "amount", "customer_iban", "customer_name"}
        assert errors["username"] == ["The username field is required."]
        assert response.json()["message"] == "The username field is required. (and 3 more errors)"


# --- determinism -----------------------------------------------------------------------------------------
def test_same_seed_same_data_over_http(make_sandbox, http_client):
    a, b, c = make_sandbox(), make_sandbox(), make_sandbox(seed=8)
    pages = []
    for srv in (a, b, c):
        api = http_client(srv)
        pages.append(
            (api.get("/ibans").json(), api.get("/transactions", params={"iban_id": 2, "per_page": 300}).json()["data"])
        )
    assert pages[0] == pages[1]
    assert pages[0] != pages[2]


def test_default_anchor_is_now_truncated_to_the_minute(make_sandbox, http_client):
    srv = make_sandbox(anchor=None, transactions=500)
    anchor, now = srv.state.anchor, srv.state.now()
    assert anchor.second == 0 and anchor.microsecond == 0
    assert 0 <= (now - anchor).total_seconds() < 120
    api = http_client(srv)
    newest = max(
        r["created_at"]
        for i in range(1, 6)
        for r in api.get("/transactions", params={"iban_id": i, "per_page": 1}).json()["data"]
    )
    assert newest <= anchor.strftime("%Y-%m-%d %H:%M:%S")
