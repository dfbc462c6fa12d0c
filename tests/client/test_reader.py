"""The tolerant reader: every variant of a response body it promises to accept."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

import httpx
import pytest

from dashboard.client import EnigmaPayClient, _reader, errors
from dashboard.client.models import Status, TxType
from dashboard.timeutil import zone

IST = zone("Europe/Istanbul")


@pytest.mark.parametrize(
    "word, status",
    [
        ("Pending", Status.PENDING),
        ("PENDING", Status.PENDING),
        ("beklemede", Status.PENDING),
        ("Processing", Status.PROCESSING),
        ("İşleniyor", Status.PROCESSING),
        ("İŞLENİYOR", Status.PROCESSING),
        ("isleniyor", Status.PROCESSING),
        ("Completed", Status.COMPLETED),
        ("Tamamlandı", Status.COMPLETED),
        ("TAMAMLANDI", Status.COMPLETED),
        ("Başarılı", Status.COMPLETED),
        ("BAŞARILI", Status.COMPLETED),
        ("basarili", Status.COMPLETED),
        ("Failed", Status.FAILED),
        ("Başarısız", Status.FAILED),
        ("BAŞARISIZ", Status.FAILED),
        ("Cancelled", Status.CANCELLED),
        ("Canceled", Status.CANCELLED),
        ("İptal", Status.CANCELLED),
        ("İPTAL EDİLDİ", Status.CANCELLED),
        ("iptal edildi", Status.CANCELLED),
        ("iptal_edildi", Status.CANCELLED),
        ("Rejected", Status.REJECTED),
        ("Reddedildi", Status.REJECTED),
        ("REDDEDİLDİ", Status.REJECTED),
        ("  completed  ", Status.COMPLETED),
        ("Refunded", Status.UNKNOWN),
        ("", Status.UNKNOWN),
        (None, Status.UNKNOWN),
        (3, Status.UNKNOWN),
    ],
)
def test_status_words(word, status):
    assert _reader.parse_status(word) is status
    assert Status.parse(word) is status


def test_turkish_dotted_capital_i_folds_cleanly():
    assert "İ".lower() == "i̇"  # the trap: 'i' + COMBINING DOT ABOVE
    assert _reader.normalize_word("İPTAL") == "iptal"
    assert _reader.normalize_word("ÇEKİM") == "cekim"


@pytest.mark.parametrize(
    "word, tx_type",
    [
        ("deposit", TxType.DEPOSIT),
        ("Deposit", TxType.DEPOSIT),
        ("yatırım", TxType.DEPOSIT),
        ("YATIRIM", TxType.DEPOSIT),
        ("yatirim", TxType.DEPOSIT),
        ("withdrawal", TxType.WITHDRAWAL),
        ("çekim", TxType.WITHDRAWAL),
        ("ÇEKİM", TxType.WITHDRAWAL),
        ("cekim", TxType.WITHDRAWAL),
        ("refund", TxType.UNKNOWN),
        (None, TxType.UNKNOWN),
    ],
)
def test_transaction_types(word, tx_type):
    assert TxType.parse(word) is tx_type


@pytest.mark.parametrize(
    "value, active",
    [
        ("Aktif", True),
        ("AKTİF", True),
        ("Active", True),
        ("active", True),
        (True, True),
        (1, True),
        ("Pasif", False),
        ("Inactive", False),
        ("INACTIVE", False),
        (None, False),
        ("", False),
        (False, False),
    ],
)
def test_active_flags(value, active):
    assert _reader.parse_active(value) is active


def test_transaction_numbers_as_strings_or_numbers_and_unknown_fields_kept():
    record = {
        "id": "42",
        "type": "yatırım",
        "amount": "1,250.75",
        "commission": 12.5,
        "status": "Tamamlandı",
        "created_at": "2025-11-26T11:30:00Z",
        "bonus_code": "X1",
        "iban_id": "3",
    }
    tx = _reader.parse_transaction(record, "Europe/Istanbul", iban_id=99)
    assert tx.id == 42 and tx.iban_id == 3  # the record's own iban_id wins
    assert tx.amount == Decimal("1250.75") and tx.commission == Decimal("12.5")
    assert tx.type is TxType.DEPOSIT and tx.status is Status.COMPLETED and tx.status_text == "Tamamlandı"
    assert tx.created_at == datetime(2025, 11, 26, 14, 30, tzinfo=IST)
    assert tx.extra == {"bonus_code": "X1"}


def test_transaction_with_nothing_but_junk_does_not_crash():
    tx = _reader.parse_transaction(
        {"amount": "n/a", "status": {"odd": 1}, "created_at": "yesterday", "id": True}, "Europe/Istanbul"
    )
    assert tx.id is None and tx.amount is None and tx.status is Status.UNKNOWN and tx.created_at is None
    assert tx.username == "" and tx.description == "" and tx.type is TxType.UNKNOWN and tx.iban_id is None


def test_unknown_status_keeps_the_raw_text():
    tx = _reader.parse_transaction({"status": "Refunded"}, "Europe/Istanbul")
    assert tx.status is Status.UNKNOWN and tx.status_text == "Refunded"


def test_settings_with_missing_channel_and_extra_fields():
    body = {
        "success": True,
        "info": "Connection successful",
        "data": {
            "credit_card": {"status": "ACTIVE", "commission": 3.5, "limit": "5000"},
            "crypto": {"status": "Aktif"},
        },
    }
    s = _reader.parse_settings(body)
    assert s.credit_card.active and s.credit_card.commission == Decimal("3.5")
    assert s.eiban.active is False and s.eiban.status_text == "" and s.eiban.withdrawal_fee is None
    assert s.manual_iban.deposit_commission is None
    assert s.extra == {"credit_card.limit": "5000", "crypto": {"status": "Aktif"}}


def test_iban_variants():
    body = {
        "success": True,
        "data": [
            {
                "id": "2",
                "iban": "tr33 0006 1005 1978 6457 8413 26",
                "status": "Pasif",
                "balance": "1,500.25",
                "branch": "Kadıköy",
            },
            {"id": 3, "formatted_balance": "125,000.00 ₺"},
            {"id": 4, "formatted_balance": "125.000,00 ₺"},  # Turkish style is not guessed at
        ],
    }
    a, b, c = _reader.parse_ibans(body)
    assert a.id == 2 and a.iban == "TR330006100519786457841326" and a.active is False
    assert a.balance == Decimal("1500.25") and a.formatted_balance == "" and a.extra == {"branch": "Kadıköy"}
    assert b.balance == Decimal("125000.00") and b.owner_name == "" and b.status_text == ""
    assert c.balance == Decimal("0")


def test_ibans_empty_or_null_data():
    assert _reader.parse_ibans({"success": True, "data": []}) == []
    assert _reader.parse_ibans({"success": True, "data": None}) == []


@pytest.mark.parametrize(
    "data, expected_id",
    [({"transaction_id": 77, "status": "Beklemede"}, 77), ({"id": "78"}, 78), ({}, None), (None, None)],
)
def test_transfer_result_variants(data, expected_id):
    result = _reader.parse_transfer({"success": True, "message": "Queued", "data": data})
    assert result.transaction_id == expected_id and result.message == "Queued"


def test_transfer_message_from_data_and_extra_kept():
    result = _reader.parse_transfer(
        {"success": True, "data": {"id": 5, "status": "İşleniyor", "message": "ok", "fee": "2.00"}}
    )
    assert result.status is Status.PROCESSING and result.message == "ok" and result.extra == {"fee": "2.00"}


def test_card_payment_defaults():
    payment = _reader.parse_card_payment({"success": True, "data": {"payment_url": "https://p/x", "amount": "250"}})
    assert payment.currency == "TRY" and payment.order_id == "" and payment.transaction_id is None
    assert payment.amount == Decimal("250") and payment.message == ""


@pytest.mark.parametrize(
    "body, records, current, last, next_url",
    [
        ({"success": True, "data": [{"id": 1}]}, [{"id": 1}], None, None, None),
        ({"success": True, "data": None}, [], None, None, None),
        ({"success": True, "data": [{"id": 1}, "junk", 5]}, [{"id": 1}], None, None, None),
        (
            {"success": True, "data": [], "current_page": 2, "last_page": "3", "next_page_url": " /x?page=3 "},
            [],
            2,
            3,
            "/x?page=3",
        ),
        (
            {"success": True, "data": {"data": [{"id": 9}], "current_page": 1, "last_page": 1, "next_page_url": None}},
            [{"id": 9}],
            1,
            1,
            None,
        ),
        (
            {"data": [{"id": 9}], "meta": {"current_page": 1, "last_page": 2}, "links": {"next": "https://h/x?page=2"}},
            [{"id": 9}],
            1,
            2,
            "https://h/x?page=2",
        ),
        # Laravel's LengthAwarePaginator also has a list called "links" (for rendering); it is not the API form.
        ({"data": [], "links": [{"url": None, "label": "1"}], "current_page": 1, "last_page": 1}, [], 1, 1, None),
    ],
)
def test_transaction_page_shapes(body, records, current, last, next_url):
    page = _reader.read_transaction_page(body)
    assert page.records == records and page.current_page == current
    assert page.last_page == last and page.next_page_url == next_url


@pytest.mark.parametrize(
    "body, ok",
    [
        ({"success": True, "data": 1}, True),
        ({"success": "true"}, True),
        ({"success": 1}, True),
        ({"data": []}, True),
        ({"success": False}, False),
        ({"success": "false", "data": {}}, False),
    ],
)
def test_envelope_flags(body, ok):
    assert _reader.envelope_ok(body) is ok


@pytest.mark.parametrize("body", [[], "x", None, {"message": "hi"}, {"success": "perhaps"}])
def test_envelope_shapes_that_are_malformed(body):
    with pytest.raises(errors.MalformedResponseError):
        _reader.envelope_ok(body)


def test_field_errors_tolerates_strings():
    assert _reader.field_errors({"errors": {"amount": "too small", "x": ["a", "", None]}}) == {
        "amount": ["too small"],
        "x": ["a"],
    }
    assert _reader.field_errors({"errors": ["not a dict"]}) == {}


def test_reader_through_the_client_with_a_nonstandard_timezone():
    body = {"success": True, "data": {"id": 1, "status": "Başarısız", "created_at": "2025-01-01 00:00:00"}}
    client = EnigmaPayClient(
        "key_1234", "secret_1234", transport=httpx.MockTransport(lambda r: httpx.Response(200, json=body)), tz="UTC"
    )
    status = client.get_transaction_status(1)
    assert status.status is Status.FAILED and status.created_at.utcoffset().total_seconds() == 0


@pytest.mark.parametrize("sent", ["٩٩٩٨", " 0123 ", "0123", "１２", 0, -7, 2**63, "9" * 5000, True, 12.5])
def test_an_id_that_is_no_transaction_id_is_read_as_none(sent):
    # The one rule (models.parse_transaction_id): int() would read "٩٩٩٨" as 9998 and " 0123 " as 123.
    body = {"success": True, "data": {"transaction_id": sent, "id": sent, "status": "Pending"}}
    assert _reader.parse_transfer(body).transaction_id is None
    assert _reader.parse_transaction_status(body, IST).id is None
    assert _reader.parse_card_payment(body).transaction_id is None
    assert _reader.parse_transaction({"id": sent}, IST).id is None


@pytest.mark.parametrize("sent, expected", [(2**63 - 1, 2**63 - 1), ("9223372036854775807", 2**63 - 1), (77.0, 77)])
def test_transaction_ids_up_to_the_largest_are_read(sent, expected):
    body = {"success": True, "data": {"transaction_id": sent, "status": "Pending"}}
    assert _reader.parse_transfer(body).transaction_id == expected


@pytest.mark.parametrize("sent", ["٣", "9" * 5000])
def test_an_iban_id_in_other_digits_or_too_long_is_malformed_not_a_crash(sent):
    with pytest.raises(errors.MalformedResponseError):
        _reader.parse_ibans({"success": True, "data": [{"id": sent, "iban": "TR33"}]})
