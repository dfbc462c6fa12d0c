"""Two-factor sign-in in the console (AppTest): the code step of the sign-in page, the enrolment a
user whose role requires it gets before anything else, the Two-factor page. Codes are computed with
pyotp, as the person's authenticator app would."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pyotp
import pytest
from streamlit.testing.v1 import AppTest

from dashboard import data_access
from dashboard.auth import COOKIE_NAME, Role, User, hash_password, write_users_file
from dashboard.auth.totp_factor import WRONG_CODE
from dashboard.ui import access
from tests.pages.conftest import CONSOLE, TIMEOUT

# Configured accounts (not the sandbox's demo ones): operators and admins must use a second factor.
PASSWORDS = {"olga": "olga-operator-pass", "vera": "vera-viewer-pass"}
ROLES = {"olga": Role.OPERATOR, "vera": Role.VIEWER}


@pytest.fixture
def accounts(console):
    users = {name: User(name, ROLES[name], hash_password(pw)) for name, pw in PASSWORDS.items()}
    write_users_file(console.data_dir / "users.toml", users)
    return console


def button(at: AppTest, label: str):
    return next(b for b in at.button if b.label == label)


def signed_out(console) -> AppTest:
    console.monkeypatch.setattr(access, "request_cookies", lambda: {})
    at = AppTest.from_file(CONSOLE, default_timeout=TIMEOUT)
    at.run()
    return at


def carrying_cookie_of(console, name: str) -> AppTest:
    """The console in a browser that went through sign-in with the password (no second factor yet)."""
    auth = data_access.authenticator()
    _session, cookie = auth.complete(auth.issue_ticket(auth.sign_in(name, PASSWORDS[name])))
    console.monkeypatch.setattr(access, "request_cookies", lambda: {COOKIE_NAME: cookie})
    at = AppTest.from_file(CONSOLE, default_timeout=TIMEOUT)
    at.run()
    return at


def password(at: AppTest, name: str) -> AppTest:
    at.text_input(key="signin_name").input(name)
    at.text_input(key="signin_password").input(PASSWORDS[name])
    return button(at, "Sign in").click().run()


def code(at: AppTest, value: str) -> AppTest:
    at.text_input(key="two_factor_code").input(value)
    return button(at, "Verify").click().run()


def enrolled(name: str) -> tuple[str, list[str]]:
    """Enrol `name` directly (secret, recovery codes), confirmed with the previous step's code so that
    the current one is still unused for the test's sign-in."""
    two = data_access.authenticator().two_factor
    enrolment = two.begin_enrolment(name)
    codes = two.confirm_enrolment(name, pyotp.TOTP(enrolment.secret).at(datetime.now(UTC) - timedelta(seconds=30)))
    return enrolment.secret, codes


# --- sign-in with a code -------------------------------------------------------------------------


def test_sign_in_asks_for_the_code_after_the_password_and_signs_in_with_it(accounts):
    secret, _ = enrolled("olga")
    at = password(signed_out(accounts), "olga")
    assert not at.exception and not at.error
    assert "6-digit code" in at.caption[0].value
    assert [t.key for t in at.text_input] == ["two_factor_code"]  # the password form is gone
    assert accounts.store().engine.read("SELECT id FROM auth_sessions") == []  # no session before the code
    at = code(at, pyotp.TOTP(secret).now())
    assert not at.exception and not at.error
    assert "Signed in" in at.info[0].value
    signed = accounts.store().audit.query(action="sign_in")
    assert [(e.actor, e.details["second_factor"]) for e in signed] == [("olga", "totp")]
    assert [e.actor for e in accounts.store().audit.query(action="two_factor_verified")] == ["olga"]


def test_a_wrong_code_is_refused_and_repeated_ones_are_throttled(accounts):
    secret, _ = enrolled("olga")
    right = pyotp.TOTP(secret).now()
    wrong = "000000" if right != "000000" else "111111"
    at = password(signed_out(accounts), "olga")
    for _ in range(5):
        at = code(at, wrong)
        assert [e.value for e in at.error] == [WRONG_CODE]
    at = code(at, right)  # the right code, but locked now
    assert "Too many attempts" in at.error[0].value and not at.info
    failed = accounts.store().audit.query(action="two_factor_failed")
    assert [e.outcome for e in failed].count("wrong_code") == 5 and failed[0].outcome == "locked"
    assert accounts.store().audit.query(action="sign_in") == []


def test_a_recovery_code_signs_in_once(accounts):
    _, recovery = enrolled("olga")
    at = code(password(signed_out(accounts), "olga"), recovery[0])
    assert not at.error and "Signed in" in at.info[0].value
    at = code(password(signed_out(accounts), "olga"), recovery[0])
    assert [e.value for e in at.error] == [WRONG_CODE] and not at.info
    used = accounts.store().audit.query(action="two_factor_recovery_used")
    assert [(e.actor, e.details["left"]) for e in used] == [("olga", 9)]


def test_back_returns_to_the_password_form(accounts):
    enrolled("olga")
    at = password(signed_out(accounts), "olga")
    at = button(at, "Back to user name and password").click().run()
    assert {t.key for t in at.text_input} == {"signin_name", "signin_password"}


def test_the_code_step_speaks_turkish(accounts):
    enrolled("olga")
    at = signed_out(accounts)
    at.session_state["lang"] = "tr"
    at.run()
    at.text_input(key="signin_name").input("olga")
    at.text_input(key="signin_password").input(PASSWORDS["olga"])
    at = button(at, "Oturum aç").click().run()
    assert "6 haneli kodu" in at.caption[0].value and button(at, "Doğrula")


# --- enrolment before anything else --------------------------------------------------------------


def test_an_operator_without_a_second_factor_must_enrol_before_anything_else(accounts):
    at = carrying_cookie_of(accounts, "olga")
    assert not at.exception and not at.error
    assert at.title[0].value == "Two-factor sign-in"
    assert "must use two-factor sign-in: set it up before you continue" in at.info[0].value
    assert not at.metric and not at.dataframe and accounts.calls("GET /ibans") == 0
    assert [b.key for b in at.sidebar.button] == ["sidebar_sign_out"]  # no menu, only a way out
    with pytest.raises(ValueError, match="Could not find a navigation page"):
        at.switch_page("pages/send_money.py")  # no other page is even registered
    secret = at.code[0].value.replace(" ", "")  # the key for manual entry, as a person reads it
    assert len(secret) == 32 and len(at.get("image")) == 1  # and the QR code

    wrong = "000000" if pyotp.TOTP(secret).now() != "000000" else "111111"
    at.text_input(key="two_factor_confirm_code").input(wrong)
    at = button(at, "Confirm").click().run()
    assert [e.value for e in at.error] == [WRONG_CODE]
    assert not data_access.authenticator().two_factor.enrolled("olga")

    at.text_input(key="two_factor_confirm_code").input(pyotp.TOTP(secret).now())
    at = button(at, "Confirm").click().run()
    assert not at.exception and not at.error
    recovery = at.code[0].value.splitlines()
    assert len(recovery) == 10 and "not shown again" in at.warning[0].value
    assert at.title[0].value == "Two-factor sign-in" and not at.metric  # still nothing else until saved
    at = button(at, "I have saved them: continue").click().run()
    assert not at.exception and not at.error
    assert at.title[0].value == "Overview"
    enrolled_lines = accounts.store().audit.query(action="two_factor_enrolled")
    assert [e.actor for e in enrolled_lines] == ["olga"]


def test_a_viewer_is_not_made_to_enrol(accounts):
    at = carrying_cookie_of(accounts, "vera")
    assert not at.exception and at.title[0].value == "Overview"


def test_the_gate_also_guards_the_page_check(accounts, monkeypatch):
    """Even a page script run without the gate (as if navigation were bypassed) says not allowed."""
    at = carrying_cookie_of(accounts, "olga")
    assert at.title[0].value == "Two-factor sign-in"
    monkeypatch.setattr("dashboard.ui.two_factor.gate", lambda *a, **k: False)
    at = AppTest.from_file(CONSOLE, default_timeout=TIMEOUT)
    at.run()
    assert [e.value for e in at.error] == ["Not allowed: your role cannot open this page."]


# --- the Two-factor page -------------------------------------------------------------------------


def test_any_user_can_set_it_up_on_the_two_factor_page_and_renew_recovery_codes(console):
    at = console.open("two_factor", user="viewer")  # a demo account: never required, allowed
    assert not at.exception and at.title[0].value == "Two-factor sign-in"
    assert "off for your account" in at.info[0].value
    at = button(at, "Set up two-factor sign-in").click().run()
    secret = at.code[0].value.replace(" ", "")
    at.text_input(key="two_factor_confirm_code").input(pyotp.TOTP(secret).at(datetime.now(UTC) - timedelta(seconds=30)))
    at = button(at, "Confirm").click().run()
    first = at.code[0].value.splitlines()
    at = button(at, "I have saved them: continue").click().run()
    assert not at.exception and at.title[0].value == "Two-factor sign-in"
    assert "on for your account" in at.success[0].value
    assert "Recovery codes left: 10" in [c.value for c in at.caption]

    at.text_input(key="two_factor_regenerate_code").input("123")
    at = button(at, "New recovery codes").click().run()
    assert [e.value for e in at.error] == [WRONG_CODE]
    at.text_input(key="two_factor_regenerate_code").input(pyotp.TOTP(secret).now())
    at = button(at, "New recovery codes").click().run()
    second = at.code[0].value.splitlines()
    assert len(second) == 10 and set(second).isdisjoint(first)
    two = data_access.authenticator().two_factor
    with pytest.raises(Exception, match="already used"):
        two.verify("viewer", first[0])
    assert two.verify("viewer", second[0]) == "recovery_code"


def test_single_user_mode_has_no_second_factor(console, monkeypatch):
    monkeypatch.setenv("ENIGMAPAY_AUTH_DISABLED", "true")
    at = console.open("two_factor", user=None)
    assert not at.exception and not at.error
    assert any("no second factor to set up" in i.value for i in at.info)
