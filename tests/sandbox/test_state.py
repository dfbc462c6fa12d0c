"""Payout lifecycle, balance snapshots and card payments, driven by a fake clock."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import httpx
import pytest

from dashboard.sandbox import FakeClock

CUSTOMER_IBAN = "TR330006100519786457841326"


def payout(api: httpx.Client, amount: object = "1000.00", **extra) -> dict:
    body = {"username": "user123", "amount": amount, "customer_iban": CUSTOMER_IBAN, "customer_name": "Şule Yılmaz"}
    response = api.post("/send-money", json={**body, **extra})
    assert response.status_code == 200, response.text
    return response.json()


def status_of(api: httpx.Client, tx_id: int) -> dict:
    return api.get("/transaction-status", params={"transaction_id": tx_id}).json()["data"]


def balances(api: httpx.Client) -> dict[int, Decimal]:
    return {i["id"]: Decimal(repr(i["balance"])) for i in api.get("/ibans").json()["data"]}


@pytest.fixture
def clock(sandbox_anchor) -> FakeClock:
    return FakeClock(sandbox_anchor + timedelta(seconds=10))


def test_send_money_answer(make_sandbox, http_client, clock):
    api = http_client(make_sandbox(clock=clock))
    body = payout(api, amount=100.1, description="Çekim")
    assert body["success"] is True and body["message"] == "Transfer request received"
    data = body["data"]
    assert data["status"] == "Pending" and data["amount"] == 100.1 and data["customer_iban"] == CUSTOMER_IBAN
    assert data["created_at"] == "2026-11-20 12:00:10"
    assert data["transaction_id"] == 3_001  # after the 3,000 demo records


def test_iban_input_is_normalised(make_sandbox, http_client, clock):
    api = http_client(make_sandbox(clock=clock))
    spaced = "tr33 0006 1005 1978 6457 8413 26"
    assert payout(api, customer_iban=spaced)["data"]["customer_iban"] == CUSTOMER_IBAN


def test_lifecycle_pending_processing_final(make_sandbox, http_client, clock):
    srv = make_sandbox(clock=clock, processing_after=2.0, settle_after=6.0, failure_rate=0.5)
    api = http_client(srv)
    ids = [payout(api)["data"]["transaction_id"] for _ in range(12)]
    clock.advance(1.9)
    srv.state.advance()
    assert {srv.state.transaction(i).status for i in ids} == {"Pending"}
    clock.advance(0.2)
    assert srv.state.advance() == 12
    assert {status_of(api, i)["status"] for i in ids} == {"Processing"}
    assert all(status_of(api, i)["completed_at"] is None for i in ids)
    clock.advance(4.0)
    finals = [status_of(api, i) for i in ids]  # a read settles due payouts lazily
    assert {f["status"] for f in finals} == {"Completed", "Failed"}
    assert all(f["completed_at"] == "2026-11-20 12:00:16" for f in finals)
    assert srv.state.advance() == 0  # final statuses stay put


def test_outcomes_are_deterministic_per_seed(make_sandbox, http_client, sandbox_anchor):
    outcomes = []
    for _ in range(2):
        clock = FakeClock(sandbox_anchor)
        srv = make_sandbox(clock=clock, failure_rate=0.5)
        api = http_client(srv)
        ids = [payout(api)["data"]["transaction_id"] for _ in range(10)]
        clock.advance(60)
        outcomes.append([status_of(api, i)["status"] for i in ids])
    assert outcomes[0] == outcomes[1]
    assert len(set(outcomes[0])) == 2


def test_balance_snapshot_refreshes_once_a_minute(make_sandbox, http_client, clock):
    srv = make_sandbox(clock=clock, failure_rate=0.0)
    api = http_client(srv)
    before = balances(api)
    richest = max(before, key=before.get)
    tx = payout(api, amount="1000.00")["data"]["transaction_id"]
    clock.advance(7)  # 12:00:17: settled, but still the same clock minute
    srv.state.advance()
    assert status_of(api, tx)["status"] == "Completed"
    assert balances(api) == before
    clock.advance(45)  # 12:01:02
    after = balances(api)
    # 1000 + 0.50% commission (5.00) + 2.50 fee
    assert after[richest] == before[richest] - Decimal("1007.50")
    assert {k: v for k, v in after.items() if k != richest} == {k: v for k, v in before.items() if k != richest}


def test_pending_payout_holds_funds_until_it_fails(make_sandbox, http_client, clock):
    srv = make_sandbox(clock=clock, failure_rate=1.0)
    api = http_client(srv)
    before = balances(api)
    richest = max(before, key=before.get)
    big = str((before[richest] / Decimal("1.01")).quantize(Decimal("0.01")))  # leaves room for commission and fee
    assert sorted(before.values())[-2] < Decimal(big)  # no other IBAN could cover it
    tx = payout(api, amount=big)["data"]["transaction_id"]
    held = api.post(
        "/send-money",
        json={"username": "u", "amount": big, "customer_iban": CUSTOMER_IBAN, "customer_name": "Ali Veli"},
    )
    assert held.status_code == 422 and held.json()["message"] == "Insufficient balance."
    clock.advance(120)
    assert status_of(api, tx)["status"] == "Failed"
    assert balances(api)[richest] == before[richest]
    again = payout(api, amount=big)["data"]["transaction_id"]  # the hold is released
    assert srv.state.transaction(again).iban_index + 1 == richest


def test_insufficient_balance_is_422(make_sandbox, http_client, clock):
    api = http_client(make_sandbox(clock=clock))
    too_much = max(balances(api).values()) + 1
    response = api.post(
        "/send-money",
        json={"username": "u", "amount": str(too_much), "customer_iban": CUSTOMER_IBAN, "customer_name": "Ali Veli"},
    )
    assert response.status_code == 422
    assert response.json()["message"] == "Insufficient balance." and "amount" in response.json()["errors"]


def test_new_payouts_merge_into_history_in_time_order(make_sandbox, http_client, sandbox_anchor):
    clock = FakeClock(sandbox_anchor - timedelta(days=2, hours=3))  # inside the demo history
    srv = make_sandbox(clock=clock)
    api = http_client(srv)
    new = []
    for _ in range(3):
        new.append(payout(api, amount="10.00")["data"]["transaction_id"])
        clock.advance(3600 * 5)
    iban_id = srv.state.transaction(new[0]).iban_index + 1
    records, url = [], f"/transactions?iban_id={iban_id}&per_page=7"
    while url:
        body = api.get(url).json()
        records += body["data"]
        url = body["next_page_url"]
    assert len(records) == body["total"] == len({r["id"] for r in records})
    assert [r["id"] for r in records if r["id"] in new] == new[::-1]
    keys = [r["created_at"] for r in records]
    assert keys == sorted(keys, reverse=True)
    day = records[[r["id"] for r in records].index(new[1])]["created_at"][:10]
    same_day = api.get(
        "/transactions", params={"iban_id": iban_id, "start_date": day, "end_date": day, "per_page": 10_000}
    ).json()
    assert new[1] in [r["id"] for r in same_day["data"]]


# --- card payments ----------------------------------------------------------------------------------
CARD = {
    "username": "user123",
    "firstname": "Çağlar",
    "lastname": "Öztürk",
    "email": "caglar@example.com",
    "phone": "+90 532 123 45 67",
    "amount": 250,
}


def test_card_payment_disabled_is_403_and_settings_say_pasif(make_sandbox, http_client):
    srv = make_sandbox(credit_card_enabled=False)
    api = http_client(srv)
    assert api.get("/settings").json()["data"]["credit_card"]["status"] == "Pasif"
    response = api.post("/credit-card/payment", json=CARD)
    assert response.status_code == 403
    assert response.json() == {"success": False, "message": "Credit card payments are not enabled for this dealer."}


@pytest.mark.parametrize(
    "change, field",
    [
        ({"amount": 199.99}, "amount"),
        ({"amount": "abc"}, "amount"),
        ({"email": "nope"}, "email"),
        ({"phone": "12"}, "phone"),
        ({"firstname": ""}, "firstname"),
        ({"lastname": None}, "lastname"),
    ],
)
def test_card_payment_validation(sandbox, http_client, change, field):
    body = {k: v for k, v in {**CARD, **change}.items() if v is not None}
    response = http_client(sandbox).post("/credit-card/payment", json=body)
    assert response.status_code == 422 and list(response.json()["errors"]) == [field]


def test_card_payment_link_and_payment_page(make_sandbox, http_client, clock):
    srv = make_sandbox(clock=clock)
    api = http_client(srv)
    body = api.post("/credit-card/payment", json={**CARD, "amount": "200"}).json()
    assert body["success"] is True and body["message"] == "Payment created successfully"
    data = body["data"]
    assert data["currency"] == "TRY" and data["amount"] == 200.0
    assert data["order_id"].startswith("CC-20261120-") and len(data["order_id"]) == 18
    assert data["payment_url"] == f"{srv.root_url}/__sandbox__/pay/{data['order_id']}"
    assert status_of(api, data["transaction_id"])["status"] == "Pending"
    newest = api.get("/transactions", params={"iban_id": 1, "per_page": 1}).json()["data"][0]
    assert newest["id"] == data["transaction_id"] and newest["type"] == "deposit" and newest["commission"] == 7.0

    with httpx.Client(trust_env=False) as browser:
        page = browser.get(data["payment_url"])
        assert page.status_code == 200 and data["order_id"] in page.text and "<form" in page.text
        paid = browser.post(data["payment_url"], data={"action": "pay"}, follow_redirects=True)
        assert "Completed" in paid.text and "<form" not in paid.text
        assert browser.get(f"{srv.root_url}/__sandbox__/pay/CC-00000000-NOPE00").status_code == 404
    assert status_of(api, data["transaction_id"])["status"] == "Completed"
    assert status_of(api, data["transaction_id"])["completed_at"] == "2026-11-20 12:00:10"
