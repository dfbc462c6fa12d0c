"""Input validation: each field's rules, all errors collected at once, cleaned values returned."""

from __future__ import annotations

import subprocess
import sys
from decimal import Decimal

import pytest

from dashboard import validation as v
from dashboard.client import models
from dashboard.validation import InputError

IBAN = "TR950006400000001234567890"


def error_of(check, *args, **kwargs) -> dict[str, str]:
    with pytest.raises(InputError) as info:
        check(*args, **kwargs)
    return info.value.errors


# --- amount ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "value, expected",
    [
        ("1500", Decimal("1500.00")),
        ("1.500,50", Decimal("1500.50")),
        ("1,500.50", Decimal("1500.50")),
        ("  250,5 TL ", Decimal("250.50")),
        ("₺0,01", Decimal("0.01")),
        (Decimal("10"), Decimal("10.00")),
        (Decimal("10.500"), Decimal("10.50")),
        (7, Decimal("7.00")),
        (1500.5, Decimal("1500.50")),
        ("1000000", Decimal("1000000.00")),
    ],
)
def test_amount_accepted(value, expected):
    amount = v.check_amount(value)
    assert amount == expected and str(amount) == str(expected)


@pytest.mark.parametrize(
    "value, fragment",
    [
        ("", "Enter an amount"),
        (None, "Enter an amount"),
        ("abc", "only digits"),
        ("0", "more than zero"),
        ("-5", "more than zero"),
        ("1.500", "ambiguous"),
        ("10,005", "at most 2"),
        ("10,0051", "two decimals"),
        (Decimal("0.001"), "two decimals"),
        ("1000000,01", "limit"),
        (Decimal("NaN"), "not an amount"),
        (float("inf"), "not an amount"),
        (True, "not an amount"),
        ([1], "not an amount"),
        ("1\x002", "control"),
    ],
)
def test_amount_refused(value, fragment):
    errors = error_of(v.check_amount, value)
    assert list(errors) == ["amount"] and fragment in errors["amount"]


def test_amount_minimum_and_custom_field():
    assert v.check_amount("200", minimum=v.CARD_MIN_AMOUNT) == Decimal("200.00")
    errors = error_of(v.check_amount, "199,99", minimum=v.CARD_MIN_AMOUNT, field="card_amount")
    assert errors == {"card_amount": "The amount must be at least ₺200.00."}


# Item 5 of the hardening issue: each rejection names the real reason.
@pytest.mark.parametrize(
    "value, says",
    [
        # Three digits after the separator with a last digit other than 0: too many decimals, not "ambiguous".
        ("0.001", "'0.001' has 3 decimals; use at most 2 (kuruş)."),
        ("200,001", "'200,001' has 3 decimals; use at most 2 (kuruş). For the whole number write 200001."),
        # Both readings are amounts: ambiguous, and the way out uses the digits typed.
        ("2.500", "'2.500' is ambiguous: write 2500 for the whole number or 2.50 for lira and kuruş."),
    ],
)
def test_amount_rejection_names_the_real_reason(value, says):
    assert error_of(v.check_amount, value) == {"amount": says}


@pytest.mark.parametrize("value, expected", [("0.500", Decimal("0.50")), ("1500,000", Decimal("1500.00"))])
def test_three_zero_decimals_that_cannot_be_thousands_are_read_as_decimals(value, expected):
    assert v.check_amount(value) == expected


@pytest.mark.parametrize("value", ["9" * 30, 1e300, Decimal("1E+400")])
def test_a_huge_amount_is_refused_as_above_the_limit_not_a_crash(value):
    # Was: decimal.InvalidOperation from rounding a number past Decimal's precision (found by hypothesis).
    assert "limit" in error_of(v.check_amount, value)["amount"]


@pytest.mark.parametrize(
    "check, value, says",
    [
        (v.check_name, "😀", "A name has only letters, spaces, apostrophes, hyphens and dots; remove “😀”."),
        (
            v.check_name,
            "Ali 3 😀 3",
            "A name has only letters, spaces, apostrophes, hyphens and dots; remove “3”, “😀”.",
        ),
        (v.check_username, "a\u00a0b", "A username has only printable characters; remove U+00A0."),
        (v.check_email, "plain", "An email address has a name, an @ and a domain, e.g. name@example.com."),
        (
            v.check_email,
            "ayşe@example.com",
            "The part before the @ has only Latin letters, digits and . _ - + and similar; remove “ş”.",
        ),
        (
            v.check_email,
            "a..b@c.com",
            "The part before the @ cannot start or end with a dot or have two dots in a row.",
        ),
        (v.check_email, "a@b", "The part after the @ is not a domain name, e.g. example.com."),
        (v.check_email, "x" * 65 + "@b.com", "The part before the @ has at most 64 characters (this one has 65)."),
        (
            v.check_phone,
            "0532-ABC-45-67",
            "A phone number has only digits, spaces, dashes, dots, brackets and a leading +; remove “A”, “B”, “C”.",
        ),
        (v.check_phone, "+1 212 555 0100", "Only Turkish phone numbers (+90) are accepted."),
        (
            v.check_phone,
            "٠٥٣٢١٢٣٤٥٦٧",
            "A phone number has only digits, spaces, dashes, dots, brackets and a leading +; remove “٠”, “٥”, “٣”, “٢”, “١” ….",
        ),
    ],
)
def test_each_rejection_says_what_is_wrong(check, value, says):
    assert list(error_of(check, value).values()) == [says]


# Item 4: a value past its limit gets a message naming the limit (and is never emptied or cut).
@pytest.mark.parametrize(
    "check, field, limit",
    [
        (v.check_username, "username", 64),
        (v.check_name, "name", 100),
        (v.check_description, "description", 255),
        (v.check_email, "email", 254),
        (v.check_phone, "phone", 32),
        (v.check_amount, "amount", 32),
        (v.check_iban, "iban", 42),
    ],
)
def test_a_too_long_value_gets_a_message_naming_the_limit(check, field, limit):
    assert v.MAX_CHARS[field] == limit
    message = next(iter(error_of(check, "7" * (limit + 1)).values()))
    assert f"at most {limit} characters (this one has {limit + 1})" in message
    assert "at most 100 characters (this one has 10000)" in error_of(v.check_name, "Ali" * 3333 + "x")["name"]


def test_limits_are_the_documented_ones():
    assert v.MAX_PAYOUT == Decimal("1000000.00") and v.CARD_MIN_AMOUNT == Decimal("200")


# --- IBAN --------------------------------------------------------------------------------------------


def test_iban_cleaned_compact_upper():
    assert v.check_iban(" tr95 0006 4000 0000 1234 5678 90 ") == IBAN
    assert v.check_iban("TR95-0006-4000-0000-1234-5678-90") == IBAN


@pytest.mark.parametrize(
    "value, fragment",
    [
        ("", "Enter"),
        ("DE89370400440532013000", "starts with TR"),
        ("TR95000640000000123456789", "26 characters"),
        ("TR950006400000001234567891", "check digits"),
        ("TR95\u200b0006400000001234567890", "control"),
    ],
)
def test_iban_refused(value, fragment):
    assert fragment in error_of(v.check_iban, value)["customer_iban"]


def test_reexports_for_the_forms():
    assert v.normalize_iban("tr95 0006") == "TR950006" and v.iban_is_valid(IBAN)


# --- names, username, description ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "value, expected",
    [
        ("Ahmet Yılmaz", "Ahmet Yılmaz"),
        ("  ŞÜKRÜ  ÖĞÜT ", "ŞÜKRÜ ÖĞÜT"),
        ("İpek Çağla", "İpek Çağla"),
        ("O'Neil-Smith Jr.", "O'Neil-Smith Jr."),
        ("Kâzım", "Kâzım"),
        ("Al", "Al"),
        ("Nuri Bilge’ceylan", "Nuri Bilge’ceylan"),
    ],
)
def test_names_accepted(value, expected):
    assert v.check_name(value, field="customer_name") == expected


@pytest.mark.parametrize(
    "value, fragment",
    [
        ("", "Enter"),
        ("A", "at least 2"),
        ("x" * 101, "at most 100"),
        ("Ahmet 3", "only letters"),
        ("a@b", "only letters"),
        ("Ahmet\tYılmaz", "control"),
        ("Ali\u202eılaV", "control"),
        ("..", "needs letters"),
        (5, "Enter text"),
    ],
)
def test_names_refused(value, fragment):
    assert fragment in error_of(v.check_name, value, field="firstname")["firstname"]


@pytest.mark.parametrize(
    "value, expected", [("user123", "user123"), (" bob smith ", "bob smith"), ("x" * 64, "x" * 64)]
)
def test_username_accepted(value, expected):
    assert v.check_username(value) == expected


@pytest.mark.parametrize(
    "value, fragment",
    [("", "Enter"), ("   ", "Enter"), ("x" * 65, "at most 64"), ("a\nb", "control"), ("a\u00a0b", "printable")],
)
def test_username_refused(value, fragment):
    assert fragment in error_of(v.check_username, value)["username"]


def test_description():
    assert v.check_description(None) == "" and v.check_description("  ") == ""
    assert v.check_description(" Çekim talebi #12 ") == "Çekim talebi #12"
    assert v.check_description("x" * 255) == "x" * 255
    assert "255" in error_of(v.check_description, "x" * 256)["description"]
    assert "control" in error_of(v.check_description, "line1\nline2")["description"]


# --- email, phone -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "value, expected",
    [
        ("ayse@example.com", "ayse@example.com"),
        (" Ayse.Oz+tag@Mail.Example.COM ", "Ayse.Oz+tag@mail.example.com"),
        ("a@b.co", "a@b.co"),
    ],
)
def test_email_accepted(value, expected):
    assert v.check_email(value) == expected


@pytest.mark.parametrize(
    "value",
    [
        "",
        "plain",
        "a@b",
        "a@@b.com",
        "a b@c.com",
        ".a@b.com",
        "a..b@c.com",
        "a@-b.com",
        "a@b.c",
        "x" * 65 + "@b.com",
        "a@" + "b" * 250 + ".com",
        "ayşe@example.com",
    ],
)
def test_email_refused(value):
    assert "email" in error_of(v.check_email, value)


@pytest.mark.parametrize(
    "value",
    [
        "0532 123 45 67",
        "+90 532 123 45 67",
        "+90 (532) 123-45-67",
        "05321234567",
        "5321234567",
        "905321234567",
        "0090 532 123 4567",
        "(0532) 123.45.67",
    ],
)
def test_phone_normalised(value):
    assert v.check_phone(value) == "+905321234567"


@pytest.mark.parametrize(
    "value",
    [
        "",
        "12345",
        "0532 123 45 6",
        "0532 123 45 678",
        "+1 212 555 0100",
        "00532 123 45 67",
        "0532-ABC-45-67",
        "٠٥٣٢١٢٣٤٥٦٧",
    ],
)
def test_phone_refused(value):
    assert "phone" in error_of(v.check_phone, value)


# --- whole requests ----------------------------------------------------------------------------------


def test_check_send_money_returns_a_clean_request():
    req = v.check_send_money(
        username=" user1 ",
        amount="1.500,50",
        customer_iban="tr95 0006 4000 0000 1234 5678 90",
        customer_name=" Ahmet  Yılmaz ",
        description=" Çekim ",
    )
    assert req == models.SendMoneyRequest("user1", Decimal("1500.50"), IBAN, "Ahmet Yılmaz", "Çekim")


def test_check_send_money_collects_every_error_at_once():
    errors = error_of(
        v.check_send_money, username="", amount="0", customer_iban="TR00", customer_name="X", description="x" * 300
    )
    assert set(errors) == {"username", "amount", "customer_iban", "customer_name", "description"}
    assert all(isinstance(m, str) and m for m in errors.values())


def test_check_card_payment_returns_a_clean_request():
    req = v.check_card_payment(
        username="u1",
        firstname="Ayşe",
        lastname="Öztürk",
        email="Ayse@Example.com",
        phone="0532 123 45 67",
        amount="250",
    )
    assert req == models.CardPaymentRequest(
        "u1", "Ayşe", "Öztürk", "Ayse@example.com", "+905321234567", Decimal("250.00"), ""
    )


def test_check_card_payment_collects_every_error_and_enforces_the_minimum():
    errors = error_of(
        v.check_card_payment,
        username="",
        firstname="1",
        lastname="",
        email="x",
        phone="1",
        amount="199,99",
        description="\x07",
    )
    assert set(errors) == {"username", "firstname", "lastname", "email", "phone", "amount", "description"}
    assert "₺200.00" in errors["amount"]


def test_input_error_message_lists_fields():
    error = InputError({"amount": "Enter an amount.", "email": "Bad."})
    assert str(error) == "amount: Enter an amount.; email: Bad." and error.errors["email"] == "Bad."
    assert isinstance(error, ValueError)


@pytest.mark.parametrize("first", ["dashboard.validation", "dashboard.client", "dashboard.client.models"])
def test_modules_import_in_any_order(first):
    # validation builds on the client (never the reverse): any import order works.
    code = f"import {first}; import dashboard.validation, dashboard.client; print('ok')"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert out.returncode == 0 and out.stdout.strip() == "ok", out.stderr


@pytest.mark.parametrize(
    "raw, expected",
    [("123", 123), (" #42 ", 42), (" 123 ", 123), ("9223372036854775807", 2**63 - 1)],  # the receiver's largest id
)
def test_transaction_id_accepts_whole_numbers(raw, expected):
    assert v.check_transaction_id(raw) == expected


@pytest.mark.parametrize(
    "raw, says",
    [
        ("", "Enter a transaction id"),
        ("abc", "digits 0-9"),
        ("12.5", "digits 0-9"),
        ("-3", "digits 0-9"),
        ("0", "1 or more"),
        ("9223372036854775808", "at most"),
        ("1" * 5000, "at most"),  # int() itself would refuse more than 4300 digits with a ValueError
        ("12 34", "digits 0-9"),
        ("٩٩٩٨", "digits 0-9"),  # Arabic-Indic digits: int() reads 9998
        ("１２３", "digits 0-9"),  # full-width digits, likewise
        ("²", "digits 0-9"),
        ("0007", "does not start with 0"),  # int() reads 7: a different transaction, silently
        (" 0123 ", "does not start with 0"),
        ("##12", "digits 0-9"),
    ],
)
def test_transaction_id_refuses_anything_else_saying_why(raw, says):
    with pytest.raises(InputError) as info:
        v.check_transaction_id(raw)
    assert says in info.value.errors["transaction_id"]
