"""Models: enums, immutability, and request bodies written without floats."""

from __future__ import annotations

import dataclasses
import json
from decimal import Decimal

import pytest

from dashboard.client import models
from dashboard.client.models import Status, TxType

IBAN = "TR950006400000001234567890"


def test_final_statuses():
    assert {s for s in Status if s.is_final} == {Status.COMPLETED, Status.FAILED, Status.CANCELLED, Status.REJECTED}
    assert not Status.UNKNOWN.is_final and not Status.PENDING.is_final


def test_parse_classmethods_return_members():
    assert Status.parse("Tamamlandı") is Status.COMPLETED
    assert TxType.parse("çekim") is TxType.WITHDRAWAL


def test_models_are_frozen_and_slotted():
    result = models.TransferResult(1, Status.PENDING, "Pending", "")
    with pytest.raises(dataclasses.FrozenInstanceError):
        result.status = Status.COMPLETED  # type: ignore[misc]
    assert not hasattr(result, "__dict__")
    assert result.extra == {}


@pytest.mark.parametrize(
    "amount, token",
    [
        (Decimal("500"), b"500.00"),
        (Decimal("0.1"), b"0.10"),
        (Decimal("1234567.89"), b"1234567.89"),
        (Decimal("1E+2"), b"100.00"),
        (Decimal("99999999999999999.99"), b"99999999999999999.99"),
    ],
)
def test_send_money_amount_is_a_two_decimal_json_number(amount, token):
    body = models.SendMoneyRequest("u", amount, IBAN, "Ad Soyad", "").to_json()
    assert b'"amount":' + token + b"," in body
    assert json.loads(body, parse_float=Decimal)["amount"] == amount  # exact, no float on the way
    assert "description" not in json.loads(body)


def test_send_money_body_is_utf8_json_with_description():
    body = models.SendMoneyRequest("u1", Decimal("10.50"), IBAN, "Şükrü Öğüt", 'say "hi"').to_json()
    assert json.loads(body.decode("utf-8")) == {
        "username": "u1",
        "amount": 10.5,
        "customer_iban": IBAN,
        "customer_name": "Şükrü Öğüt",
        "description": 'say "hi"',
    }
    assert "Şükrü".encode() in body


@pytest.mark.parametrize("amount", [Decimal("1.005"), Decimal("NaN"), Decimal("Infinity")])
def test_to_json_refuses_amounts_it_cannot_write_exactly(amount):
    with pytest.raises(ValueError):
        models.SendMoneyRequest("u", amount, IBAN, "Ad Soyad").to_json()


def test_card_payment_body():
    req = models.CardPaymentRequest("u", "Ayşe", "Öz", "a@b.co", "+905321234567", Decimal("200"), "Order 5")
    body = req.to_json()
    assert b'"amount":200.00' in body
    assert list(json.loads(body)) == ["username", "firstname", "lastname", "email", "phone", "amount", "description"]


# --- the one rule for transaction ids -----------------------------------------------------------------


@pytest.mark.parametrize(
    "value, expected",
    [(1, 1), ("1", 1), ("123456", 123456), (2**63 - 1, 2**63 - 1), ("9223372036854775807", 2**63 - 1)],
)
def test_transaction_id_rule_accepts(value, expected):
    assert models.parse_transaction_id(value) == expected


@pytest.mark.parametrize(
    "value",
    [
        "٩٩٩٨",
        "１２３",
        "²",
        " 123",
        "123 ",
        "+5",
        "-5",
        "1_000",
        "0x1F",
        "1e3",
        "12.0",
        "",
        "0",
        "0123",
        "00",
        "9223372036854775808",
        "9" * 5000,
        0,
        -1,
        2**63,
        True,
        False,
        1.0,
        None,
        [1],
        {"id": 1},
    ],
)
def test_transaction_id_rule_refuses_with_a_message(value):
    with pytest.raises(models.TransactionIdError) as info:
        models.parse_transaction_id(value)
    assert isinstance(info.value, ValueError) and str(info.value).startswith("A transaction id")
