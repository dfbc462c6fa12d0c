"""Accounts and roles in the console: who sees which pages, what a hand-typed URL shows, sign-in."""

import pytest

from dashboard.auth import WRONG_CREDENTIALS, Role
from dashboard.ui.pages import visible_url_paths
from tests.helpers.markdown import shown

MONITOR = ["overview", "balances", "transactions", "search", "customer", "reconciliation", "alerts", "statements"]
ACT = ["send-money", "batch-payouts", "card-payment", "lookup", "operations", "approvals", "callbacks"]
ACCOUNT = ["two-factor", "sessions"]  # every signed-in user's own account, last in the menu
VIEWER = MONITOR + ACCOUNT
OPERATOR = MONITOR + ACT + ACCOUNT
APPROVER = MONITOR + ["batch-payouts", "approvals"] + ACCOUNT
ADMIN = MONITOR + ACT + ["audit-log", "settings"] + ACCOUNT


@pytest.mark.parametrize(
    "role, pages", [(Role.VIEWER, VIEWER), (Role.OPERATOR, OPERATOR), (Role.APPROVER, APPROVER), (Role.ADMIN, ADMIN)]
)
def test_each_role_sees_exactly_its_pages(role, pages):
    assert visible_url_paths(role) == pages


FORBIDDEN = [
    ("viewer", "send_money", "send_username"),
    ("viewer", "card_payment", "card_username"),
    ("viewer", "lookup", "transaction_id"),
    ("operator", "audit_log", "audit_actors"),
    ("operator", "settings", None),
    ("viewer", "approvals", None),
    ("approver", "send_money", "send_username"),  # an approver approves; never initiates
    ("approver", "operations", None),
]


@pytest.mark.parametrize("user, page, widget", FORBIDDEN)
def test_a_hand_typed_url_shows_not_allowed_and_no_data(console, user, page, widget):
    at = console.open(page, user=user)
    assert not at.exception
    assert [e.value for e in at.error] == ["Not allowed: your role cannot open this page."]
    assert not at.main.metric and not at.main.dataframe and not at.main.button  # nothing of the page
    if widget:
        assert all(w.key != widget for w in [*at.text_input, *at.multiselect])
    assert console.calls("POST /send-money") == 0


def test_viewer_can_use_monitor_pages_and_export(console):
    at = console.open("transactions", user="viewer")
    assert not at.exception and not at.error
    assert len(at.get("download_button")) == 2


def test_signed_out_visitor_gets_only_the_sign_in_form(console):
    at = console.open(user=None)
    assert not at.exception
    assert at.title[0].value == "Sign in"
    assert {t.key for t in at.text_input} == {"signin_name", "signin_password"}
    assert not at.metric and console.calls("GET /ibans") == 0
    with pytest.raises(ValueError, match="Could not find a navigation page"):
        at.switch_page("pages/send_money.py")  # not even registered while signed out


def test_sandbox_sign_in_page_lists_the_demo_accounts_as_sandbox_only(console):
    at = console.open(user=None)
    assert any("only on the built-in sandbox" in c.value for c in at.caption)
    table = at.table[0].value
    assert list(table.iloc[:, 0]) == ["viewer", "operator", "approver", "admin"]


def sign_in(at, name, password):
    at.text_input(key="signin_name").input(name)
    at.text_input(key="signin_password").input(password)
    return at.button[0].click().run()


def test_wrong_password_is_refused_and_repeated_failures_are_throttled(console):
    at = console.open(user=None)
    for _ in range(5):
        sign_in(at, "operator", "not-the-password")
        assert at.error[0].value == WRONG_CREDENTIALS
    sign_in(at, "operator", "operator-demo-pass")  # right password, but locked now
    assert "Too many attempts" in at.error[0].value
    failed = console.store().audit.query(action="sign_in_failed")
    assert [e.outcome for e in failed].count("wrong_password") == 5
    assert any(e.outcome == "locked" for e in failed)


def test_right_password_signs_in_and_is_audited(console):
    at = sign_in(console.open(user=None), "viewer", "viewer-demo-pass")
    assert not at.exception and not at.error
    assert "Signed in" in at.info[0].value
    signed = console.store().audit.query(action="sign_in")
    assert [(e.actor, e.outcome) for e in signed] == [("viewer", "ok")]


def test_sidebar_shows_who_is_signed_in_with_a_sign_out_button(console):
    at = console.open(user="operator")
    assert any("Signed in as **operator**" in c.value for c in at.sidebar.caption)
    assert any(b.key == "sidebar_sign_out" for b in at.sidebar.button)


def test_single_user_mode_says_so_on_every_page(console, monkeypatch):
    monkeypatch.setenv("ENIGMAPAY_AUTH_DISABLED", "true")
    for page in ("overview", "send_money", "audit_log"):
        at = console.open(page, user=None)
        assert not at.exception
        assert any("Sign-in is off" in w.value for w in at.warning), page


def test_live_api_without_accounts_refuses_to_start(console, monkeypatch):
    monkeypatch.setenv("ENIGMAPAY_API_KEY", "live-key")
    monkeypatch.setenv("ENIGMAPAY_SECRET_KEY", "live-secret")
    at = console.open(user=None)
    assert not at.exception
    assert "No sign-in accounts are configured" in shown(at.error[0].value)
    assert "python -m dashboard.auth add-user" in shown(at.error[0].value)
