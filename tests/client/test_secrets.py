"""The API key, the secret and the X-Hash never show in a repr, an exception or a log record."""

from __future__ import annotations

import logging
import pickle
from decimal import Decimal

import httpx
import pytest

from dashboard.client import EnigmaPayClient, errors, models
from dashboard.client._base import x_hash

API_KEY = "ak_live_SUPERSECRETKEY_123456"
SECRET = "sk_live_EVENMORESECRET_654321"
HASH = x_hash(API_KEY, SECRET)
IBAN = "TR950006400000001234567890"
PAYOUT = models.SendMoneyRequest("user1", Decimal("100.00"), IBAN, "Ahmet Yılmaz")


def leaks(text: str) -> bool:
    return any(s in text for s in (API_KEY, SECRET, HASH))


def client_for(handler, **kwargs) -> EnigmaPayClient:
    client = EnigmaPayClient(API_KEY, SECRET, transport=httpx.MockTransport(handler), **kwargs)
    client._sleep = lambda s: None
    return client


def echo_headers(status: int):
    """A misbehaving server that echoes our credentials back in its error body."""

    def handler(request: httpx.Request) -> httpx.Response:
        said = f"bad key {request.headers['X-API-Key']} hash {request.headers['X-Hash']} secret {SECRET}"
        return httpx.Response(status, json={"success": False, "message": said, "errors": {"key": [said]}})

    return handler


def raise_(exc_type):
    def handler(request: httpx.Request) -> httpx.Response:
        raise exc_type(f"failed talking with {request.headers['X-API-Key']}", request=request)

    return handler


def test_client_repr_and_str_show_only_the_base_url():
    client = client_for(echo_headers(200))
    assert repr(client) == "EnigmaPayClient(base_url='https://www.enigmapay.net/api/dealer')"
    assert not leaks(repr(client)) and not leaks(str(client)) and not leaks(repr(vars(client)))


@pytest.mark.parametrize("status", [200, 400, 401, 403, 404, 422, 429, 500])
@pytest.mark.parametrize("call", ["get", "post"])
def test_echoed_credentials_are_scrubbed_from_errors(status, call):
    client = client_for(echo_headers(status), max_retries=0)
    with pytest.raises(errors.APIStatusError) as info:
        client.get_settings() if call == "get" else client.send_money(PAYOUT)
    error = info.value
    for text in (
        str(error),
        repr(error),
        error.message,
        error.user_message,
        repr(error.body),
        repr(getattr(error, "field_errors", None)),
    ):
        assert not leaks(text), text
    assert "[redacted]" in error.message


@pytest.mark.parametrize("exc_type", [httpx.ConnectError, httpx.ReadTimeout, httpx.RemoteProtocolError])
@pytest.mark.parametrize("call", ["get", "post"])
def test_transport_errors_do_not_carry_credentials(exc_type, call):
    client = client_for(raise_(exc_type), max_retries=1)
    with pytest.raises(errors.EnigmaPayError) as info:
        client.get_settings() if call == "get" else client.send_money(PAYOUT)
    for text in (str(info.value), repr(info.value), info.value.user_message):
        assert not leaks(text), text


def test_non_json_body_echo_is_scrubbed():
    client = client_for(lambda r: httpx.Response(200, text=f"<pre>{r.headers['X-Hash']}</pre>"))
    with pytest.raises(errors.MalformedResponseError) as info:
        client.list_ibans()
    assert not leaks(info.value.body) and "[redacted]" in info.value.body


def test_log_records_hold_method_path_status_and_time_only(caplog):
    calls = {"n": 0}

    def handler(request: httpx.Request) -> httpx.Response:
        calls["n"] += 1
        if calls["n"] == 1:
            raise httpx.ConnectError(f"refused {request.headers['X-API-Key']}", request=request)
        if calls["n"] == 2:
            return httpx.Response(503, json={"success": False, "message": SECRET})
        return httpx.Response(200, json={"success": True, "data": []})

    client = client_for(handler)
    with caplog.at_level(logging.DEBUG):
        client.list_transactions(1)
    records = [r for r in caplog.records if r.name == "dashboard.client"]
    assert records, "the client logs its requests"
    messages = [r.getMessage() for r in records]
    assert any("GET /api/dealer/transactions -> 200 in" in m for m in messages)
    assert any("-> ConnectError after" in m for m in messages)
    assert any("-> 503 in" in m for m in messages)
    for record in caplog.records:  # httpx's own records too
        assert not leaks(record.getMessage()) and not leaks(repr(record.args))
    for m in messages:
        assert "iban_id" not in m  # path only, no query


def test_requests_repr_and_models_do_not_hold_credentials():
    client = client_for(lambda r: httpx.Response(200, json={"success": True, "data": {"transaction_id": 1}}))
    result = client.send_money(PAYOUT)
    assert not leaks(repr(result)) and not leaks(repr(PAYOUT))


def test_secret_values_are_not_attributes():
    client = client_for(echo_headers(200))
    public = {k: v for k, v in vars(client).items() if not k.startswith("_")}
    assert not leaks(repr(public))


def test_client_cannot_be_pickled_into_a_cache():
    client = client_for(echo_headers(200))
    with pytest.raises(TypeError, match="cannot be pickled"):
        pickle.dumps(client)
