"""Property-based tests of every form validator (dashboard.validation) and the amount parser (money).

For thousands of generated inputs each -- any text (no lone surrogates: no browser sends them),
digits with separators, emoji, other scripts' digits, huge strings -- three things hold:
- nothing but the validation error escapes (InputError; AmountError from the parser);
- every rejection names each field with a non-empty message that has a Turkish translation;
- what is accepted is clean: checking it again gives it back (formatted amounts and IBANs too),
  within the field's length limit.

The number of examples tried is written at the end of the run ("validation properties: ...").
"""

from __future__ import annotations

from collections import Counter
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dashboard import validation as v
from dashboard.i18n import is_translated
from dashboard.iban import format_iban, make_tr_iban
from dashboard.money import AmountError, format_try, parse_amount_input

EXAMPLES = 800  # per field check and per parser property: about 9,000 examples in all, ~20 s
_HEALTH = [HealthCheck.too_slow, HealthCheck.data_too_large]
PROPERTIES = settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=_HEALTH)
# A whole request draws five or six texts per example: fewer examples, as many values checked.
REQUEST_PROPERTIES = settings(max_examples=EXAMPLES // 3, deadline=None, suppress_health_check=_HEALTH)
TRIED: Counter[str] = Counter()

# --- inputs ---------------------------------------------------------------------------------------

EMOJI = st.characters(min_codepoint=0x1F300, max_codepoint=0x1FAFF)
OTHER_DIGITS = st.sampled_from("٠١٢٣٤٥٦٧٨٩۰۱۲۳۴۵۶۷۸۹०१२३४५६७८९０１２３４５６７８９")
AMOUNT_CHARS = st.sampled_from(list("0123456789") * 4 + list(".,+- ") + ["₺", "TL", "TRY", "\u00a0", "e", "E"])
NAME_CHARS = st.sampled_from(list("AaÇçĞğİıÖöŞşÜüâ") + list(" '’.-") + ["\u0301", "3", "@", "\t", "\u200b"])


def _joined(pieces: st.SearchStrategy[str], max_size: int = 40) -> st.SearchStrategy[str]:
    return st.lists(pieces, max_size=max_size).map("".join)


HUGE = st.builds(lambda piece, n: piece * n, st.text(min_size=1, max_size=3), st.integers(300, 20_000))
TEXT = st.one_of(
    st.text(),  # any unicode except lone surrogates
    st.text(max_size=400),
    _joined(st.one_of(AMOUNT_CHARS, OTHER_DIGITS, EMOJI)),
    _joined(st.one_of(NAME_CHARS, EMOJI)),
    st.from_regex(r"\A[ ]?(?:TR|tr)?[0-9 ]{0,30}\Z"),
    st.emails().map(lambda e: e if len(e) < 400 else e[:400]),
    HUGE,
)
ANY_VALUE = st.one_of(TEXT, st.none(), st.integers(), st.floats(), st.decimals(), st.booleans())

FIELD_CHECKS = {
    "username": v.check_username,
    "name": v.check_name,
    "description": v.check_description,
    "email": v.check_email,
    "phone": v.check_phone,
    "iban": v.check_iban,
    "amount": v.check_amount,
}


@pytest.fixture(scope="module", autouse=True)
def report_examples(request):
    yield
    total = sum(TRIED.values())
    detail = ", ".join(f"{name} {n}" for name, n in sorted(TRIED.items()))
    reporter = request.config.pluginmanager.get_plugin("terminalreporter")
    line = f"validation properties: {total} examples tried ({detail})"
    if reporter is not None:
        reporter.write_line(line)
    else:  # pragma: no cover - without a terminal (xdist workers)
        print(line)


def _rejection_is_a_message(error: v.InputError) -> None:
    assert error.errors, "a rejection names at least one field"
    for field, message in error.errors.items():
        assert isinstance(message, str) and message.strip(), f"{field}: empty message"
        assert is_translated(message), f"{field}: no Turkish for {message!r}"


def _check(check, value, **kwargs):
    """The cleaned value, or None after asserting the rejection is a proper message."""
    try:
        return check(value, **kwargs)
    except v.InputError as error:
        _rejection_is_a_message(error)
        return None


# --- every field check ----------------------------------------------------------------------------


@pytest.mark.parametrize("field", sorted(FIELD_CHECKS))
@PROPERTIES
@given(value=ANY_VALUE)
def test_field_check_accepts_clean_values_or_says_why(field, value):
    TRIED[field] += 1
    check = FIELD_CHECKS[field]
    cleaned = _check(check, value)
    if cleaned is None:
        return
    if isinstance(value, str):
        assert len(value.strip()) <= v.MAX_CHARS[field] or field in ("name",)  # a name's inner spaces collapse
    assert check(cleaned if not isinstance(cleaned, Decimal) else str(cleaned)) == cleaned  # idempotent
    if field == "phone":
        assert cleaned.startswith("+90") and len(cleaned) == 13 and cleaned[3:].isdigit() and cleaned[3] != "0"
    if field == "iban":
        assert check(format_iban(cleaned)) == cleaned and len(cleaned) == 26
    if field in ("username", "name", "description", "email"):
        assert len(cleaned) <= v.MAX_CHARS[field]


@PROPERTIES
@given(value=ANY_VALUE)
def test_transaction_id_check(value):
    TRIED["transaction_id"] += 1
    number = _check(v.check_transaction_id, value)
    if number is not None:
        assert number > 0 and v.check_transaction_id(str(number)) == number


# --- amounts --------------------------------------------------------------------------------------


@PROPERTIES
@given(text=TEXT)
def test_amount_parser_reads_or_says_why(text):
    TRIED["parse_amount_input"] += 1
    try:
        amount = parse_amount_input(text)
    except AmountError as error:
        assert str(error).strip() and is_translated(str(error)), f"no Turkish for {error}"
        return
    assert amount.is_finite()


@PROPERTIES
@given(
    amount=st.decimals(min_value=Decimal("0.01"), max_value=v.MAX_PAYOUT, places=2),
    style=st.sampled_from(["en", "tr", "plain", "comma", "tl"]),
)
def test_an_accepted_amount_round_trips_through_every_way_of_writing_it(amount, style):
    TRIED["amount round trip"] += 1
    written = {
        "en": format_try(amount, "en"),  # ₺1,500.50
        "tr": format_try(amount, "tr"),  # 1.500,50 ₺
        "plain": f"{amount:.2f}",  # 1500.50
        "comma": f"{amount:.2f}".replace(".", ","),  # 1500,50
        "tl": f"{amount:.2f} TL",
    }[style]
    cleaned = v.check_amount(written)
    assert cleaned == amount and v.check_amount(format_try(cleaned, "tr")) == cleaned


# --- whole requests -------------------------------------------------------------------------------


@REQUEST_PROPERTIES
@given(
    username=TEXT,
    amount=ANY_VALUE,
    iban=st.one_of(TEXT, st.just(make_tr_iban("00061", "0" * 16))),
    name=TEXT,
    description=TEXT,
)
def test_send_money_request_is_clean_or_every_problem_is_said(username, amount, iban, name, description):
    TRIED["check_send_money"] += 1
    try:
        request = v.check_send_money(
            username=username, amount=amount, customer_iban=iban, customer_name=name, description=description
        )
    except v.InputError as error:
        _rejection_is_a_message(error)
        assert set(error.errors) <= {"username", "amount", "customer_iban", "customer_name", "description"}
        return
    assert request.amount == v.check_amount(str(request.amount))


@REQUEST_PROPERTIES
@given(username=TEXT, first=TEXT, last=TEXT, email=TEXT, phone=TEXT, amount=ANY_VALUE)
def test_card_payment_request_is_clean_or_every_problem_is_said(username, first, last, email, phone, amount):
    TRIED["check_card_payment"] += 1
    try:
        request = v.check_card_payment(
            username=username, firstname=first, lastname=last, email=email, phone=phone, amount=amount
        )
    except v.InputError as error:
        _rejection_is_a_message(error)
        return
    assert request.amount >= v.CARD_MIN_AMOUNT
