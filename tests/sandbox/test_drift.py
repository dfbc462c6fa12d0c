"""The sandbox's balances agree with its transactions, until it is told to drift one (on purpose)."""

from __future__ import annotations

import time
from decimal import Decimal

import pytest

from dashboard.client import EnigmaPayClient
from dashboard.sandbox import SANDBOX_API_KEY, SANDBOX_SECRET_KEY
from dashboard.sandbox.__main__ import main
from dashboard.sandbox.drift import DriftError, parse_drift, request_drift


def _client(srv) -> EnigmaPayClient:
    return EnigmaPayClient(SANDBOX_API_KEY, SANDBOX_SECRET_KEY, base_url=srv.base_url)


def _explained(client: EnigmaPayClient, iban_id: int) -> Decimal:
    """What the transactions did to the balance: completed deposits net of commission, minus
    completed withdrawals and their commission (the console's convention, dashboard.history.balance)."""
    total = Decimal(0)
    for tx in client.list_transactions(iban_id):
        if tx.status.name != "COMPLETED":
            continue
        total += tx.amount - tx.commission if tx.type.name == "DEPOSIT" else -(tx.amount + tx.commission)
    return total


def _balances(client: EnigmaPayClient) -> dict[int, Decimal]:
    return {i.id: i.balance for i in client.list_ibans()}


def test_balances_are_opening_plus_what_the_transactions_explain(make_sandbox):
    srv = make_sandbox(ibans=3, transactions=1_500)
    with _client(srv) as client:
        payout = srv.state.send_money("u1", Decimal("250.00"), "TR330006100519786457841326", "Ali Veli", None)
        deadline = time.monotonic() + 10
        while not srv.state.transaction(payout.id).is_final and time.monotonic() < deadline:
            time.sleep(0.05)
        srv.state.advance()
        assert srv.state.transaction(payout.id).is_final
        balances = _balances(client)
        for account in srv.state.data.accounts:
            opening = Decimal(account.opening_kurus) / 100
            assert balances[account.id] == opening + _explained(client, account.id)


def test_drift_moves_only_the_reported_balance_of_one_iban(make_sandbox):
    srv = make_sandbox(ibans=3, transactions=600)
    with _client(srv) as client:
        before = _balances(client)
        explained = _explained(client, 2)
        after = request_drift(srv.root_url, 2, Decimal("-150.25"))
        assert after == [{"iban_id": 2, "drift": "-150.25"}]
        now = _balances(client)  # seen at once, not a minute later
        assert now[2] == before[2] - Decimal("150.25")
        assert now[1] == before[1] and now[3] == before[3]
        assert _explained(client, 2) == explained  # no transaction behind it
        request_drift(srv.root_url, 2, Decimal("50"))
        assert srv.state.drifts() == {2: -10025}


def test_drift_endpoint_refuses_bad_input_and_changes_nothing(make_sandbox):
    srv = make_sandbox(ibans=2, transactions=100)
    import httpx

    admin = httpx.Client(base_url=srv.root_url, trust_env=False)
    try:
        for body in (
            {"iban_id": 1, "amount": 1.5},  # a float: not exact
            {"iban_id": 1, "amount": "1.005"},
            {"iban_id": 1, "amount": "0"},
            {"iban_id": "1", "amount": "5"},
            {"amount": "5"},
            {"iban_id": 1, "amount": "abc"},
        ):
            response = admin.post("/__sandbox__/drift", json=body)
            assert response.status_code == 422, body
            assert response.json()["success"] is False
        assert admin.post("/__sandbox__/drift", json={"iban_id": 99, "amount": "5"}).status_code == 404
        assert srv.state.drifts() == {}
        assert admin.get("/__sandbox__/drift").json() == {"success": True, "data": []}
    finally:
        admin.close()


@pytest.mark.parametrize(
    ("body", "expected"), [({"iban_id": 3, "amount": "-150.25"}, (3, -15025)), ({"iban_id": 1, "amount": 7}, (1, 700))]
)
def test_parse_drift_reads_exact_lira(body, expected):
    assert parse_drift(body) == expected


def test_parse_drift_says_why():
    with pytest.raises(DriftError, match="two decimals"):
        parse_drift({"iban_id": 1, "amount": "0.001"})


def test_cli_drifts_a_running_sandbox(make_sandbox, capsys):
    srv = make_sandbox(ibans=2, transactions=100)
    with pytest.raises(SystemExit) as done:
        main(["drift", "--url", srv.root_url, "--iban-id", "1", "--amount", "12.34"])
    assert done.value.code == 0
    assert "IBAN 1: drift 12.34 TRY" in capsys.readouterr().out
    assert srv.state.drifts() == {1: 1234}
    with pytest.raises(SystemExit) as refused:
        main(["drift", "--url", srv.root_url, "--iban-id", "9", "--amount", "1"])
    assert refused.value.code == 1
    assert "IBAN not found" in capsys.readouterr().out
