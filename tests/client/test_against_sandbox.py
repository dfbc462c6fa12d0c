"""The client against the project's sandbox over real loopback HTTP: both sides read the same contract."""

from __future__ import annotations

import time
from decimal import Decimal

import pytest

from dashboard import validation
from dashboard.client import EnigmaPayClient, errors
from dashboard.client.models import Status
from dashboard.sandbox import SANDBOX_API_KEY, SANDBOX_SECRET_KEY, Faults


def client_for(srv, **kwargs) -> EnigmaPayClient:
    client = EnigmaPayClient(SANDBOX_API_KEY, SANDBOX_SECRET_KEY, base_url=srv.base_url, **kwargs)
    client._sleeps = []
    client._sleep = client._sleeps.append
    return client


def test_reads_and_pagination(make_sandbox):
    srv = make_sandbox(per_page=40)
    with client_for(srv) as client:
        settings = client.get_settings()
        assert settings.credit_card.active and settings.info
        ibans = client.list_ibans()
        assert ibans and all(i.iban.startswith("TR") and isinstance(i.balance, Decimal) for i in ibans)
        pages = list(client.iter_transaction_pages(ibans[0].id))
        txs = client.list_transactions(ibans[0].id)
    assert len(pages) > 2 and all(len(p) <= 40 for p in pages)
    assert len(txs) == sum(len(p) for p in pages)
    assert len({t.id for t in txs}) == len(txs)  # every page once
    assert all(t.status is not Status.UNKNOWN and t.created_at is not None for t in txs)


def test_payout_lifecycle_and_errors(make_sandbox):
    srv = make_sandbox()
    with client_for(srv) as client:
        request = validation.check_send_money(
            username="u1", amount="150,00", customer_iban="TR950006400000001234567890", customer_name="Ahmet Yılmaz"
        )
        result = client.send_money(request)
        assert result.transaction_id is not None and not result.status.is_final
        deadline = time.monotonic() + 10
        while not (status := client.get_transaction_status(result.transaction_id)).status.is_final:
            assert time.monotonic() < deadline
            time.sleep(0.1)
        assert status.amount == Decimal("150.00")
        with pytest.raises(errors.NotFoundError):
            client.get_transaction_status(987654321)
    with EnigmaPayClient("wrong-key", "wrong-secret", base_url=srv.base_url) as bad:
        with pytest.raises(errors.AuthenticationError):
            bad.list_ibans()


def test_rate_limit_is_waited_out_on_reads(make_sandbox):
    srv = make_sandbox(faults=Faults(rate_limit_every=2, retry_after_seconds=1, paths=("/ibans",)))
    with client_for(srv) as client:
        client.list_ibans()
        client.list_ibans()  # the sandbox's 2nd call is a 429 with Retry-After: 1
    assert client._sleeps == [1.0]


def test_payout_is_not_retried_on_a_server_error(make_sandbox):
    srv = make_sandbox(faults=Faults(error_rate=1.0, paths=("/send-money",)))
    with client_for(srv) as client:
        request = validation.check_send_money(
            username="u1", amount="99", customer_iban="TR950006400000001234567890", customer_name="Ahmet Yılmaz"
        )
        with pytest.raises(errors.ServerError):
            client.send_money(request)
    assert client._sleeps == []
    assert sum(n for key, n in srv.state.call_counts().items() if "send-money" in key) == 1


def test_arrow_pages_carry_the_same_records_as_dict_pages(sandbox):
    from dashboard.client import EnigmaPayClient
    from dashboard.sandbox import SANDBOX_API_KEY, SANDBOX_SECRET_KEY

    with EnigmaPayClient(SANDBOX_API_KEY, SANDBOX_SECRET_KEY, base_url=sandbox.base_url) as client:
        iban = client.list_ibans()[0]
        dicts = [r for page in client.iter_transaction_pages(iban.id) for r in page]
        arrow = list(client.iter_transaction_pages(iban.id, arrow=True))
    assert arrow and all(not isinstance(page, list) for page in arrow)  # every sandbox page took the fast path
    assert [r["id"] for page in arrow for r in page.to_pylist()] == [r["id"] for r in dicts]


def card_request(amount: str = "250"):
    return validation.check_card_payment(
        username="u7",
        firstname="Ayşe",
        lastname="Öztürk",
        email="ayse@example.com",
        phone="0532 123 45 67",
        amount=amount,
    )


def test_card_payment_link_and_its_status(make_sandbox):
    srv = make_sandbox()
    with client_for(srv) as client:
        link = client.create_card_payment(card_request())
        assert link.payment_url.startswith(srv.root_url) and link.order_id.startswith("CC-")
        assert link.amount == Decimal("250.00") and link.currency == "TRY"
        status = client.get_transaction_status(link.transaction_id)
        assert status.status is Status.PENDING and status.amount == Decimal("250.00")


def test_card_payment_with_the_channel_off_is_feature_disabled(make_sandbox):
    srv = make_sandbox(credit_card_enabled=False)
    with client_for(srv) as client:
        assert not client.get_settings().credit_card.active
        with pytest.raises(errors.FeatureDisabledError) as info:
            client.create_card_payment(card_request())
    assert "not enabled" in info.value.message


def test_sandbox_refusal_arrives_as_a_validation_error_with_field_errors(make_sandbox):
    srv = make_sandbox()
    with client_for(srv) as client:
        too_much = validation.check_send_money(
            username="u1", amount="999999", customer_iban="TR950006400000001234567890", customer_name="Ahmet Yılmaz"
        )
        with pytest.raises(errors.ValidationError) as info:
            client.send_money(too_much)
    assert "amount" in info.value.field_errors


def test_a_payout_whose_answer_never_comes_is_outcome_unknown_and_sent_once(make_sandbox):
    srv = make_sandbox(faults=Faults(hang_paths=("send-money",), hang_seconds=5))
    with client_for(srv, timeout=0.5) as client:
        request = validation.check_send_money(
            username="u1", amount="99", customer_iban="TR950006400000001234567890", customer_name="Ahmet Yılmaz"
        )
        with pytest.raises(errors.OutcomeUnknownError):
            client.send_money(request)
    assert client._sleeps == []
    assert srv.state.call_counts().get("POST /send-money") == 1
