"""No string is left untranslated: every text a person can see exists in Turkish and English.

Three nets: (1) every literal passed to t()/ui.t()/translate() in the UI code has a Turkish entry;
(2) no Streamlit display call in the UI code gets an English literal that bypasses t();
(3) every message the domain produces (input checks, API errors, sign-in, journal, statuses...)
translates, found by producing them.
"""

from __future__ import annotations

import ast
from decimal import Decimal
from pathlib import Path

import pytest

from dashboard import history
from dashboard.i18n import CATALOG, is_translated, translate
from dashboard.money import format_try

ROOT = Path(__file__).resolve().parents[1]
UI_FILES = sorted([*ROOT.glob("pages/*.py"), ROOT / "console.py", *ROOT.glob("dashboard/ui/*.py")])
# Domain modules whose operator-facing messages are stored and shown (journal entries, reasons).
MESSAGE_FILES = [
    *sorted(ROOT.glob("dashboard/journal/*.py")),
    *sorted(ROOT.glob("dashboard/approvals/*.py")),
    ROOT / "dashboard/ui/audit_view.py",
]
# Errors whose first argument is a message for a person (shown translated by the pages).
MESSAGE_ERRORS = {"ApprovalError", "ApprovalRequired"}
TR = CATALOG["tr"]

# Streamlit calls that put text on screen, and the keyword arguments that carry it.
DISPLAY = {
    "title",
    "header",
    "subheader",
    "caption",
    "markdown",
    "text",
    "info",
    "warning",
    "error",
    "success",
    "toast",
    "button",
    "download_button",
    "link_button",
    "text_input",
    "text_area",
    "number_input",
    "selectbox",
    "multiselect",
    "radio",
    "checkbox",
    "toggle",
    "date_input",
    "segmented_control",
    "pills",
    "metric",
    "expander",
    "tabs",
    "form_submit_button",
    "badge",
    "dialog",
    "spinner",
    "status",
    "Page",
    "progress",
    "TextColumn",
    "NumberColumn",
    "DatetimeColumn",
    "Column",
}
TEXT_KWARGS = {"label", "title", "text", "placeholder", "help", "body"}


def _is_words(node: ast.AST) -> bool:
    """A literal a person would read: a str (or f-string) with at least two letters in a row."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        text = node.value
    elif isinstance(node, ast.JoinedStr):
        text = "".join(v.value for v in node.values if isinstance(v, ast.Constant))
    else:
        return False
    text = text.replace(":material/", "")  # icon names are not words
    return any(a.isalpha() and b.isalpha() for a, b in zip(text, text[1:])) and not text.startswith(
        (":material", "pages/")
    )


def _calls(path: Path):
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Call):
            fn = node.func
            yield node, (fn.attr if isinstance(fn, ast.Attribute) else getattr(fn, "id", None))


def literal_t_strings() -> dict[str, str]:
    found = {}
    for path in UI_FILES:
        for node, name in _calls(path):
            if name in ("t", "translate") and node.args and isinstance(node.args[0], ast.Constant):
                found[node.args[0].value] = f"{path.relative_to(ROOT)}:{node.lineno}"
    return found


def test_every_t_literal_has_a_turkish_entry():
    missing = {text: where for text, where in literal_t_strings().items() if text not in TR}
    assert not missing, "untranslated:\n" + "\n".join(
        f"{w}: {t!r}" for t, w in sorted(missing.items(), key=lambda x: x[1])
    )


def test_no_display_call_shows_an_untranslated_literal():
    bare = []
    for path in UI_FILES:
        for node, name in _calls(path):
            if name not in DISPLAY:
                continue
            args = node.args[:1] + [k.value for k in node.keywords if k.arg in TEXT_KWARGS]
            for arg in args:
                if _is_words(arg):
                    bare.append(f"{path.relative_to(ROOT)}:{node.lineno}: {ast.unparse(arg)[:60]}")
    assert not bare, "wrap these in ui.t():\n" + "\n".join(bare)


def test_placeholders_survive_translation():
    import re

    field = re.compile(r"\{(\w+)")
    wrong = {k: v for k, v in TR.items() if set(field.findall(k)) != set(field.findall(v))}
    assert not wrong, wrong


def test_a_filled_in_domain_message_is_translated_with_its_values():
    key = next(k for k in TR if "{" in k)  # any key with a placeholder
    import re

    names = re.findall(r"\{(\w+)", key)
    values = {n: f"<{i}>" for i, n in enumerate(names)}
    filled = key.format(**values)
    out = translate(filled, "tr")
    assert out != filled and all(v in out for v in values.values())


# --- messages the domain produces ---------------------------------------------------------------


def _domain_messages() -> list[str]:
    from dashboard import validation
    from dashboard.auth import CODE_NEEDED, DEMO_NOTICE, SIGN_IN_EXPIRED, SINGLE_USER_NOTICE, WRONG_CREDENTIALS
    from dashboard.auth.totp_factor import MESSAGES as TWO_FACTOR_MESSAGES
    from dashboard.client import errors
    from dashboard.iban import iban_problem
    from dashboard.money import AmountError, parse_amount_input

    messages: set[str] = {WRONG_CREDENTIALS, SINGLE_USER_NOTICE, DEMO_NOTICE, "Too many attempts; try again in 30 s."}
    messages |= {CODE_NEEDED, SIGN_IN_EXPIRED, *TWO_FACTOR_MESSAGES}
    for cls in [getattr(errors, n) for n in dir(errors)]:
        if isinstance(cls, type) and issubclass(cls, errors.EnigmaPayError):
            messages.add(cls("technical detail").user_message)
            if issubclass(cls, errors.OutcomeUnknownError):
                messages.add(cls("x", operation="send-money").user_message)
                messages.add(cls("x", operation="credit-card/payment").user_message)
    for text in ("", "1.500", "1,5,0", "abc", "1.2.3", "1234.567,89"):
        try:
            parse_amount_input(text)
        except AmountError as exc:
            messages.add(str(exc))
    for text in (
        "",
        "DE89370400440532013000",
        "TR33 0006 1005",
        "TR33000610051978645784132X",
        "TR330006100519786457841327",
        "TR33-0006!",
    ):
        if iban_problem(text):
            messages.add(iban_problem(text))
    bad_payouts = [
        dict(username="", amount="", customer_iban="", customer_name=""),
        dict(username="x" * 65, amount="0", customer_iban="TR330006100519786457841327", customer_name="A"),
        dict(username="\x07", amount="-5", customer_iban="xx", customer_name="Ali 123", description="d" * 300),
        dict(username="u", amount="1,234", customer_iban="TR33", customer_name="x" * 101, description="\u202e"),
        dict(username="u", amount="2000000", customer_iban="TR330006100519786457841326", customer_name="Ali Veli"),
        dict(username="u", amount="1.005", customer_iban="TR330006100519786457841326", customer_name="Ali Veli"),
        dict(username="u", amount="10.123", customer_iban="TR330006100519786457841326", customer_name="Ali Veli"),
    ]
    for fields in bad_payouts:
        try:
            validation.check_send_money(**fields)
        except validation.InputError as exc:
            messages.update(exc.errors.values())
    bad_cards = [
        dict(username="", firstname="", lastname="", email="", phone="", amount=""),
        dict(username="u", firstname="A", lastname="B", email="no-at", phone="12", amount="199.99"),
        dict(username="u", firstname="Ali", lastname="Veli", email="a@b", phone="+1 555 0100", amount="abc"),
        dict(username="u", firstname="Ali", lastname="Veli", email="é@x.com", phone="0012345678901", amount="-1"),
    ]
    for fields in bad_cards:
        try:
            validation.check_card_payment(**fields)
        except validation.InputError as exc:
            messages.update(exc.errors.values())
    for raw in ("", "abc", "-1", "0", "0123", "٩٩٩٨", "9" * 20):
        try:
            validation.check_transaction_id(raw)
        except validation.InputError as exc:
            messages.update(exc.errors.values())
    return sorted(m for m in messages if m)


def _template(node: ast.AST) -> str | None:
    """A message literal as its catalog key: f"found in the {found_in}." -> "found in the {found_in}."."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.JoinedStr):
        return "".join(
            v.value if isinstance(v, ast.Constant) else "{" + ast.unparse(v.value) + "}" for v in node.values
        )
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):  # "..." "..." split over lines
        left, right = _template(node.left), _template(node.right)
        return left + right if left is not None and right is not None else None
    return None


def _stored_messages() -> list[str]:
    found = set()
    for path in MESSAGE_FILES:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            values = []
            if isinstance(node, ast.Dict):
                values += [
                    v for k, v in zip(node.keys, node.values) if isinstance(k, ast.Constant) and k.value == "message"
                ]
            elif isinstance(node, ast.Call):
                values += [k.value for k in node.keywords if k.arg == "message"]
                if getattr(node.func, "id", None) in MESSAGE_ERRORS and node.args:
                    values.append(node.args[0])
                if getattr(node.func, "attr", None) == "_note" and len(node.args) == 2:  # Journal._note(op, message)
                    values.append(node.args[1])
            elif isinstance(node, ast.Assign) and any(getattr(t, "id", "") == "message" for t in node.targets):
                values.append(node.value)
            elif isinstance(node, ast.FunctionDef) and ("reason" in node.name or "message" in node.name):
                values += [r.value for r in ast.walk(node) if isinstance(r, ast.Return) and r.value is not None]
            while any(isinstance(v, (ast.IfExp, ast.BoolOp)) for v in values):
                values = [
                    x
                    for v in values
                    for x in (
                        [v.body, v.orelse]
                        if isinstance(v, ast.IfExp)
                        else v.values
                        if isinstance(v, ast.BoolOp)
                        else [v]
                    )
                ]
            for value in values:
                for c in [value]:
                    text = _template(c)
                    if text and _is_words(ast.Constant(text)):
                        found.add(text)
    return sorted(found)


@pytest.mark.parametrize("message", _stored_messages())
def test_every_stored_operator_message_is_translated(message):
    assert message in TR or is_translated(message), f"no Turkish for {message!r}"


@pytest.mark.parametrize("message", _domain_messages())
def test_every_domain_message_is_translated(message):
    assert is_translated(message), f"no Turkish for {message!r}"


def test_fixed_vocabulary_is_translated():
    from dashboard.auth import Role
    from dashboard.ui import audit_view
    from dashboard.ui.pages import PAGES

    words = {entry.section for entry in PAGES} | {entry.title for entry in PAGES}
    words |= {r.value for r in Role} | {s for s in history.STATUSES} | {"Deposit", "Withdrawal", "Unknown"}
    words |= {"today", "7 days", "30 days", "this month"} | {
        k.capitalize() for k in history.date_presets(__import__("datetime").date.today())
    }
    words |= {
        "payout",
        "card_payment",
        "unknown",
        "pending",
        "not_sent",
        "confirmed",
        "rejected",
        "held",
        "failed_before_send",
        "waiting",
        "approved",
        "expired",
        "batch",
    }
    for table in ("VERIFICATION_LABELS", "VERIFICATION_HELP"):
        words |= set(getattr(audit_view, table, {}).values())
    missing = sorted(w for w in words if isinstance(w, str) and w and not is_translated(w))
    assert not missing, missing


def test_money_is_formatted_for_the_language():
    assert format_try(Decimal("125000"), "tr") == "125.000,00 ₺"
    assert format_try(Decimal("125000"), "en") == "₺125,000.00"
    assert format_try(Decimal("-1234.5"), "tr") == "-1.234,50 ₺"


def test_table_labels_exist_in_both_languages():
    assert set(history.LABELS["tr"]) == set(history.LABELS["en"])


def test_the_two_factor_settings_are_described_in_turkish():
    from dashboard.config import SETTINGS

    for name in ("ENIGMAPAY_TWO_FACTOR_ROLES", "ENIGMAPAY_TWO_FACTOR_KEY"):
        assert is_translated(SETTINGS[name][0]), name
