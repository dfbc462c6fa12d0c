"""Every class of the error hierarchy, raised through the client from real-looking answers."""

from __future__ import annotations

from decimal import Decimal

import httpx
import pytest

from dashboard.client import EnigmaPayClient, errors, models
from tests.helpers.fake_client import recording_client

IBAN = "TR950006400000001234567890"


def make_client(handler) -> tuple[EnigmaPayClient, list[httpx.Request]]:
    return recording_client(handler, max_retries=0)


def answer(status: int, body=None, *, text: str | None = None, headers=None):
    def handler(request: httpx.Request) -> httpx.Response:
        if text is not None:
            return httpx.Response(status, text=text, headers=headers)
        return httpx.Response(status, json=body, headers=headers)

    return handler


PAYOUT = models.SendMoneyRequest("user1", Decimal("100.00"), IBAN, "Ahmet Yılmaz")


@pytest.mark.parametrize(
    "status, cls, code",
    [
        (401, errors.AuthenticationError, "auth"),
        (403, errors.FeatureDisabledError, "feature_disabled"),
        (404, errors.NotFoundError, "not_found"),
        (422, errors.ValidationError, "validation"),
        (429, errors.RateLimitError, "rate_limited"),
        (500, errors.ServerError, "server"),
        (503, errors.ServerError, "server"),
        (400, errors.APIError, "api"),
        (409, errors.APIError, "api"),
        (302, errors.APIError, "api"),
    ],
)
def test_status_codes_map_to_classes(status, cls, code):
    client, _ = make_client(answer(status, {"success": False, "message": "Provider says no"}))
    with pytest.raises(cls) as info:
        client.get_settings()
    error = info.value
    assert type(error) is cls
    assert isinstance(error, errors.APIStatusError) and isinstance(error, errors.EnigmaPayError)
    assert error.status_code == status and error.code == code
    assert "Provider says no" in error.message and error.body == {"success": False, "message": "Provider says no"}
    assert error.user_message and error.user_message != error.message


def test_success_false_under_200_is_an_api_error():
    client, _ = make_client(answer(200, {"success": False, "message": "Insufficient balance"}))
    with pytest.raises(errors.APIError) as info:
        client.send_money(PAYOUT)
    assert info.value.status_code == 200
    assert "Insufficient balance" in info.value.message
    assert "Insufficient balance" in info.value.user_message  # the operator needs the provider's reason


def test_validation_error_carries_laravel_field_errors():
    body = {
        "success": False,
        "message": "The given data was invalid.",
        "errors": {"customer_iban": ["The customer iban is invalid."], "amount": ["The amount must be at least 10."]},
    }
    client, _ = make_client(answer(422, body))
    with pytest.raises(errors.ValidationError) as info:
        client.send_money(PAYOUT)
    assert info.value.field_errors == {
        "customer_iban": ["The customer iban is invalid."],
        "amount": ["The amount must be at least 10."],
    }
    assert "The customer iban is invalid." in info.value.user_message
    assert info.value.message.endswith("The given data was invalid.")


def test_validation_error_without_field_errors_shows_the_provider_message():
    client, _ = make_client(answer(422, {"success": False, "message": "Daily limit reached"}))
    with pytest.raises(errors.ValidationError) as info:
        client.send_money(PAYOUT)
    assert info.value.field_errors == {}
    assert "Daily limit reached" in info.value.user_message


@pytest.mark.parametrize("header, expected", [("7", 7.0), ("2.5", 2.5), (None, None), ("soon", None)])
def test_rate_limit_retry_after_seconds(header, expected):
    headers = {"Retry-After": header} if header else None
    client, _ = make_client(answer(429, {"success": False, "message": "Too Many Attempts."}, headers=headers))
    with pytest.raises(errors.RateLimitError) as info:
        client.list_ibans()
    assert info.value.retry_after == expected


def test_rate_limit_retry_after_http_date():
    from dashboard.client._base import parse_retry_after

    assert parse_retry_after("Wed, 21 Oct 2015 07:28:30 GMT", now=1445412480.0) == pytest.approx(30.0)
    assert parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT", now=1445412480.0 + 100) == 0.0
    assert parse_retry_after("-3") is None


@pytest.mark.parametrize(
    "status, text",
    [(200, "<html>Bad gateway</html>"), (200, ""), (200, "{not json"), (502, "<html>502 Bad Gateway</html>")],
)
def test_non_json_bodies(status, text):
    client, _ = make_client(answer(status, text=text))
    expected = errors.MalformedResponseError if status == 200 else errors.ServerError
    with pytest.raises(expected) as info:
        client.get_settings()
    assert info.value.body == text


def test_non_json_body_is_kept_to_about_500_chars():
    client, _ = make_client(answer(200, text="x" * 10_000))
    with pytest.raises(errors.MalformedResponseError) as info:
        client.get_settings()
    assert len(info.value.body) == 500


@pytest.mark.parametrize("body", [[1, 2, 3], "just a string", {"status": "ok"}, {"success": "maybe", "data": {}}])
def test_wrong_shaped_envelopes_are_malformed(body):
    client, _ = make_client(answer(200, body))
    with pytest.raises(errors.MalformedResponseError):
        client.get_settings()


@pytest.mark.parametrize(
    "call, data",
    [
        (lambda c: c.list_ibans(), {"not": "a list"}),
        (lambda c: c.list_ibans(), [{"iban": "TR..", "balance": 1}]),  # no id
        (lambda c: c.list_ibans(), ["not an object"]),
        (lambda c: c.get_settings(), ["a", "list"]),
        (lambda c: c.list_transactions(1), "text"),
        (lambda c: c.get_transaction_status(1), [1]),
    ],
)
def test_wrong_shaped_data_is_malformed(call, data):
    client, _ = make_client(answer(200, {"success": True, "data": data}))
    with pytest.raises(errors.MalformedResponseError):
        call(client)


def test_malformed_answer_to_a_payout_warns_not_to_resend():
    client, seen = make_client(answer(200, {"success": True, "data": ["unexpected"]}))
    with pytest.raises(errors.MalformedResponseError) as info:
        client.send_money(PAYOUT)
    assert len(seen) == 1
    assert "Do not send it again" in info.value.user_message


def test_server_error_on_a_payout_warns_not_to_resend():
    client, seen = make_client(answer(504, {"success": False, "message": "Gateway Timeout"}))
    with pytest.raises(errors.ServerError) as info:
        client.send_money(PAYOUT)
    assert len(seen) == 1
    assert "may or may not" in info.value.user_message


def test_forbidden_card_payment_says_to_ask_for_activation():
    req = models.CardPaymentRequest("u", "Ayşe", "Öztürk", "a@example.com", "05321234567", Decimal("250"))
    client, _ = make_client(answer(403, {"success": False, "message": "Credit card feature is not active"}))
    with pytest.raises(errors.FeatureDisabledError) as info:
        client.create_card_payment(req)
    assert "support" in info.value.user_message


def test_errors_can_be_built_with_just_a_message():
    # UI code and other tests construct errors to exercise their rendering.
    assert errors.AuthenticationError("x").status_code == 401
    assert errors.ServerError("x").status_code == 500
    assert errors.APIError("x").status_code is None
    assert errors.RateLimitError("x", retry_after=30).user_message.startswith("EnigmaPay is limiting")
    assert "30 seconds" in errors.RateLimitError("x", retry_after=30).user_message
    unknown = errors.OutcomeUnknownError("x", operation="send-money")
    assert unknown.operation == "send-money" and unknown.code == "outcome_unknown"
    assert "payout" in unknown.user_message and "may or may not" in unknown.user_message
    assert str(errors.NotFoundError("technical")) == "technical"


def test_hierarchy():
    assert issubclass(errors.APITimeoutError, errors.APIConnectionError)
    for cls in (
        errors.AuthenticationError,
        errors.FeatureDisabledError,
        errors.NotFoundError,
        errors.ValidationError,
        errors.RateLimitError,
        errors.ServerError,
        errors.APIError,
    ):
        assert issubclass(cls, errors.APIStatusError)
    for cls in (
        errors.APIConnectionError,
        errors.OutcomeUnknownError,
        errors.MalformedResponseError,
        errors.APIStatusError,
    ):
        assert issubclass(cls, errors.EnigmaPayError)
    assert not issubclass(errors.OutcomeUnknownError, errors.APIConnectionError)  # must not be handled as "not sent"
    codes = {
        c.code
        for c in (
            errors.AuthenticationError,
            errors.FeatureDisabledError,
            errors.ValidationError,
            errors.NotFoundError,
            errors.RateLimitError,
            errors.ServerError,
            errors.APIConnectionError,
            errors.APITimeoutError,
            errors.OutcomeUnknownError,
            errors.MalformedResponseError,
            errors.APIError,
        )
    }
    assert codes == {
        "auth",
        "feature_disabled",
        "validation",
        "not_found",
        "rate_limited",
        "server",
        "network",
        "timeout",
        "outcome_unknown",
        "malformed",
        "api",
    }
