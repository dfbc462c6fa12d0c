"""Property-based tests of the tolerant reader: any response body gives a model or a MalformedResponseError.

Each endpoint's parser gets envelopes whose `data` is a JSON value of any shape or a record of the
documented shape with odd field values (numbers as text, Turkish words, dates of every kind, ids in
other scripts...). Through the client, a 200 with random bytes gives a model or one of the client's
typed errors, never anything else.
"""

from __future__ import annotations

import json

import httpx
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dashboard.client import EnigmaPayClient, _reader, errors, models

MANY = settings(max_examples=500, deadline=None, suppress_health_check=[HealthCheck.too_slow])
SOME = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
TZ = "Europe/Istanbul"

any_text = st.text(max_size=12)  # any code point but lone surrogates: bodies arrive as decoded JSON
json_scalars = st.none() | st.booleans() | st.integers() | st.floats() | any_text
json_values = st.recursive(
    json_scalars, lambda inner: st.lists(inner, max_size=4) | st.dictionaries(any_text, inner, max_size=4), max_leaves=8
)
odd_values = json_values | st.sampled_from(
    [
        "",
        " ",
        "0",
        "-1",
        "٩٩٩٨",
        "0123",
        "9" * 5000,
        "1e400",
        "NaN",
        "Infinity",
        "1,234.50",
        "125.000,00 ₺",
        "Aktif",
        "Pasif",
        "Tamamlandı",
        "İPTAL EDİLDİ",
        "çekim",
        "2025-11-26 14:30:00",
        "2025-11-26T14:30:00Z",
        "9999-12-31T23:59:59-14:00",
        "0001-01-01T00:00:00+14:00",
        "2025-13-45",
        1e308,
        -1e308,
        2**63,
        -(2**63),
    ]
)


def records(fields: tuple[str, ...]):
    """A dict with some of the documented fields (odd values) and maybe unknown ones."""
    return st.builds(
        lambda known, extra: {**extra, **known},
        st.fixed_dictionaries({}, optional={name: odd_values for name in fields}),
        st.dictionaries(any_text, json_values, max_size=2),
    )


channel = records(("status", "commission", "deposit_commission", "withdrawal_commission", "withdrawal_fee"))
settings_data = records(()).flatmap(
    lambda extra: st.fixed_dictionaries(
        {},
        optional={
            "credit_card": channel | odd_values,
            "eiban": channel | odd_values,
            "manual_iban": channel | odd_values,
        },
    ).map(lambda d: {**extra, **d})
)
iban_record = records(("id", "iban", "owner_name", "bank_name", "status", "balance", "formatted_balance"))
transaction_record = records(_reader.TRANSACTION_FIELDS)
page_meta = records(("current_page", "last_page", "next_page_url", "meta", "links"))
id_record = records(
    (
        "transaction_id",
        "id",
        "status",
        "message",
        "amount",
        "created_at",
        "completed_at",
        "payment_url",
        "order_id",
        "currency",
    )
)


def envelopes(data):
    """`{success, data, message, info, ...}` with the given data, or no data at all."""
    return st.builds(
        lambda meta, data, has_data: {**meta, "success": True, **({"data": data} if has_data else {})},
        page_meta,
        data | json_values,
        st.booleans(),
    )


def model_or_malformed(parse, body):
    try:
        return parse(body)
    except errors.MalformedResponseError as exc:
        assert exc.message
        return None


@MANY
@given(body=envelopes(settings_data))
def test_settings(body):
    assert isinstance(model_or_malformed(_reader.parse_settings, body), (models.DealerSettings, type(None)))


@MANY
@given(
    body=envelopes(
        st.lists(iban_record | json_values, max_size=4)
        | st.fixed_dictionaries({"data": st.lists(iban_record, max_size=3)})
    )
)
def test_ibans(body):
    result = model_or_malformed(_reader.parse_ibans, body)
    assert result is None or all(isinstance(i, models.Iban) and isinstance(i.id, int) for i in result)


@MANY
@given(body=envelopes(st.lists(transaction_record | json_values, max_size=4)), iban_id=st.none() | st.integers(1, 9))
def test_transaction_pages_and_records(body, iban_id):
    page = model_or_malformed(_reader.read_transaction_page, body)
    if page is not None:
        for record in page.records:
            tx = _reader.parse_transaction(record, TZ, iban_id)
            assert isinstance(tx, models.Transaction)
            assert tx.id is None or 1 <= tx.id <= models.MAX_TRANSACTION_ID


@MANY
@given(body=envelopes(id_record))
def test_transfer_status_and_card_payment(body):
    for parse in (
        _reader.parse_transfer,
        lambda b: _reader.parse_transaction_status(b, TZ),
        _reader.parse_card_payment,
    ):
        result = model_or_malformed(parse, body)
        tx_id = getattr(result, "transaction_id", getattr(result, "id", None))
        assert tx_id is None or 1 <= tx_id <= models.MAX_TRANSACTION_ID


@MANY
@given(body=json_values | page_meta)
def test_envelope_and_error_bodies(body):
    assert model_or_malformed(_reader.envelope_ok, body) in (True, False, None)
    assert isinstance(_reader.error_message(body), (str, type(None)))
    assert isinstance(_reader.field_errors(body), dict)


@SOME
@given(
    content=st.binary(max_size=300)
    | envelopes(st.lists(transaction_record, max_size=3)).map(lambda b: json.dumps(b).encode())
)
def test_arrow_fast_path_gives_a_page_or_none(content):
    assert isinstance(_reader.arrow_transaction_page(content), (_reader.TransactionPage, type(None)))


@SOME
@given(
    content=st.binary(max_size=200)
    | envelopes(id_record | settings_data | st.lists(iban_record, max_size=3)).map(lambda b: json.dumps(b).encode())
)
def test_client_answers_a_model_or_a_typed_error(content):
    transport = httpx.MockTransport(lambda request: httpx.Response(200, content=content))
    with EnigmaPayClient("key", "secret", transport=transport, max_retries=0) as client:
        for call in (
            client.get_settings,
            client.list_ibans,
            lambda: client.get_transaction_status(7),
            lambda: client.list_transactions(1),
        ):
            try:
                call()
            except errors.EnigmaPayError as exc:
                assert exc.user_message
