"""Property-based tests of the callback parser and route: whatever arrives, no exception escapes.

Every body either parses into an event the store can keep (with an id by the one rule and an amount
that can be real, or none) or is refused with a CallbackRejected message, which the route answers
with a 400. Bodies: JSON values of any shape, callback-shaped objects with odd field values and raw
number tokens, random text (lone surrogates included) and random bytes.
"""

from __future__ import annotations

import json
import warnings
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

with warnings.catch_warnings():  # as in test_callbacks.py
    warnings.simplefilter("ignore")
    from starlette.testclient import TestClient

from starlette.applications import Starlette

from dashboard.callbacks import CallbackIntake, CallbackRejected, make_callback_route, parse_callback
from dashboard.client.models import MAX_TRANSACTION_ID
from dashboard.store import Store

TOKEN = "property-callback-token-0123456789"
MANY = settings(max_examples=1000, deadline=None, suppress_health_check=[HealthCheck.too_slow])
SOME = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])

# Text of any code point, lone surrogates included (json.dumps writes them as "\udXXX" escapes).
any_text = st.text(st.characters(exclude_categories=()), max_size=12)
json_scalars = st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False) | any_text
json_values = st.recursive(
    json_scalars, lambda inner: st.lists(inner, max_size=4) | st.dictionaries(any_text, inner, max_size=4), max_leaves=8
)
# Values a callback's fields are likely to be wrong with: digit strings in other scripts, padded,
# signed or leading-zero ids, ids around 2^63, status words, long strings.
id_values = (
    st.integers(min_value=-3, max_value=2**64)
    | st.sampled_from([0, 1, MAX_TRANSACTION_ID, MAX_TRANSACTION_ID + 1])
    | st.from_regex(r"\A[ +\-#]?[0-9٠-٩０-９]{0,21} ?\Z")
    | json_values
)
status_values = st.sampled_from(["Completed", "Tamamlandı", "pending", " ", "", "x" * 65]) | any_text | json_values
string_values = any_text | st.text(max_size=300) | json_values
# Amounts as raw JSON number tokens (also the non-JSON NaN / Infinity a sender might write) or values.
amount_tokens = st.decimals(allow_nan=True, allow_infinity=True).map(str) | st.sampled_from(
    ["0", "-0", "0.00", "-5", "500.005", "1e-400", "1e400", "1E13", "9999999999999.99", "0.01", "NaN", "-Infinity"]
)
amount_values = st.decimals(allow_nan=False, allow_infinity=False).map(str) | json_values


@st.composite
def callback_bodies(draw) -> bytes:
    """A JSON object shaped like a callback: some of the fields, each maybe odd, maybe extras."""
    fields = draw(
        st.fixed_dictionaries(
            {},
            optional={
                "transaction_id": id_values,
                "status": status_values,
                "amount": amount_values,
                "username": string_values,
                "description": string_values,
                "completed_at": string_values,
            },
        )
    )
    fields.update(draw(st.dictionaries(any_text, json_values, max_size=2)))
    text = json.dumps(fields)
    if draw(st.booleans()):  # the amount as a raw number token instead
        fields.pop("amount", None)
        text = json.dumps(fields)[:-1] + (", " if fields else "") + f'"amount": {draw(amount_tokens)}}}'
    return text.encode()


bodies = (
    callback_bodies()
    | json_values.map(lambda v: json.dumps(v).encode())
    | any_text.map(lambda t: t.encode("utf-8", "surrogatepass"))
    | st.binary(max_size=200)
    | st.integers(1, 32_000).map(lambda depth: b"[" * depth + b"]" * depth)  # nesting up to the size limit
)


def check_parsed(body: bytes) -> dict | None:
    """Parse; a rejection must carry a message, an event must be one the rest of the code can trust."""
    try:
        event = parse_callback(body)
    except CallbackRejected as exc:
        assert str(exc).strip()
        return None
    assert isinstance(event["transaction_id"], int) and 1 <= event["transaction_id"] <= MAX_TRANSACTION_ID
    assert isinstance(event["status_text"], str) and event["status_text"] == event["status_text"].strip() != ""
    amount = event["amount"]
    assert amount is None or (isinstance(amount, Decimal) and 0 < amount < 10**13 and amount == round(amount, 2))
    assert (event["amount_problem"] is None) or amount is None
    for value in (event["status_text"], event["username"], event["description"], event["completed_at"]):
        assert value is None or isinstance(value.encode("utf-8"), bytes)  # storable: no lone surrogate
    return event


@pytest.fixture(scope="module")
def intake(tmp_path_factory):
    store = Store(tmp_path_factory.mktemp("properties") / "console.sqlite3")
    yield CallbackIntake(store, token=TOKEN)
    store.close()


@MANY
@given(body=bodies)
def test_any_body_parses_into_a_storable_event_or_a_message(intake, body):
    event = check_parsed(body)
    if event is not None:
        intake.accept(event, "127.0.0.1")  # what the route does next: must not raise either


@MANY
@given(body=callback_bodies())
def test_callback_shaped_bodies_parse_or_say_why(body):
    check_parsed(body)


@pytest.fixture(scope="module")
def http(intake):
    with TestClient(Starlette(routes=[make_callback_route(intake)])) as client:  # re-raises server exceptions
        yield client


@SOME
@given(body=bodies)
def test_the_route_answers_200_or_400_with_a_message(http, body):
    response = http.post(f"/callbacks/{TOKEN}", content=body, headers={"content-type": "application/json"})
    assert response.status_code in (200, 400), response.text
    if response.status_code == 400:
        assert response.json()["success"] is False and response.json()["message"]
