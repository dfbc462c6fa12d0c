"""Single sign-on on the sign-in page (AppTest): the button, the way back from the provider (a
session for an identity with a role, the page first asked for), a refusal with no data, the ID
token's expiry, and local accounts beside it or switched off. `at.user` stands in for st.user."""

from __future__ import annotations

import time
from urllib.parse import parse_qs, urlsplit

import pytest
from streamlit.runtime.secrets import secrets_singleton
from streamlit.testing.v1 import AppTest

from dashboard import data_access
from dashboard.auth import COOKIE_NAME, SSO_NO_ROLE
from dashboard.auth.routes import SSO_NEXT_COOKIE, pack_next
from dashboard.ui import access, browser, sso_sign_in
from tests.helpers.markdown import shown
from tests.pages.conftest import CONSOLE, TIMEOUT

AUTH = """
[auth]
redirect_uri = "http://127.0.0.1:8501/oauth2callback"
cookie_secret = "a-cookie-secret-of-enough-length-0123456789"
[auth.company]
client_id = "console"
client_secret = "client-secret-xyz"
server_metadata_url = "http://127.0.0.1:9/.well-known/openid-configuration"
"""


@pytest.fixture
def sso_console(console, tmp_path, monkeypatch):
    (tmp_path / ".streamlit").mkdir()
    (tmp_path / ".streamlit" / "secrets.toml").write_text(AUTH, encoding="utf-8")
    monkeypatch.setenv("ENIGMAPAY_SSO_ROLE_CLAIM", "groups")
    monkeypatch.setenv("ENIGMAPAY_SSO_CLAIM_ROLES", "console-ops=operator")
    secrets_singleton._reset()
    sent: list[str] = []
    monkeypatch.setattr(sso_sign_in, "send_browser_to", sent.append)
    monkeypatch.setattr(browser, "send_browser_to", sent.append)  # what hand_over (sign-in done) uses
    console.sent = sent
    yield console
    secrets_singleton._reset()


def run(console, user: dict | None = None, cookies: dict | None = None) -> AppTest:
    console.monkeypatch.setattr(access, "request_cookies", lambda: cookies or {})
    at = AppTest.from_file(CONSOLE, default_timeout=TIMEOUT)
    at.user = user or {}
    at.run()
    return at


def operator(**extra) -> dict:
    return {
        "is_logged_in": True,
        "sub": "u-7",
        "email": "op@example.com",
        "groups": ["console-ops"],
        "exp": int(time.time()) + 3600,
        **extra,
    }


def test_the_sign_in_page_offers_the_provider_beside_the_password_form(sso_console):
    at = run(sso_console)
    assert not at.exception
    button = at.button(key="sso_sign_in")
    assert button.label == "Sign in with company"
    assert {t.key for t in at.text_input} == {"signin_name", "signin_password"}  # local accounts too
    button.click().run()
    (target,) = sso_console.sent
    query = parse_qs(urlsplit(target).query)
    assert urlsplit(target).path == "/auth/sso" and query["login"][0].startswith("/auth/login?provider=")
    assert query["next"] == ["/"]


def test_back_from_the_provider_an_operator_gets_a_session_and_the_page_asked_for(sso_console):
    at = run(sso_console, operator(), {SSO_NEXT_COOKIE: pack_next("/transactions?iban=3")})
    assert not at.exception and not at.error
    (target,) = sso_console.sent
    query = parse_qs(urlsplit(target).query)
    assert urlsplit(target).path == "/auth/complete" and query["next"] == ["/transactions?iban=3"]
    (line,) = sso_console.store().audit.query(action="sign_in")
    assert (line.actor, line.details["method"], line.details["role"]) == ("op@example.com", "sso", "operator")

    auth = data_access.authenticator()
    _session, cookie = auth.complete(query["ticket"][0])
    at = run(sso_console, operator(), {COOKIE_NAME: cookie})
    assert not at.exception
    assert any("op@example.com" in shown(c.value) for c in at.sidebar.caption)
    at.switch_page("pages/send_money.py").run()  # an operator page
    assert not at.exception and not at.error


def test_an_identity_without_a_role_is_refused_and_sees_no_data(sso_console):
    cookies = {SSO_NEXT_COOKIE: pack_next("/overview")}
    at = run(sso_console, operator(email="eve@example.com", groups=["marketing"]), cookies)
    assert [e.value for e in at.error] == [SSO_NO_ROLE]
    assert not sso_console.sent and not at.metric and sso_console.calls("GET /ibans") == 0
    assert at.button(key="sso_sign_out").label == "Sign out of company"
    at.run()  # a rerun shows the refusal again but audits it once
    assert [e.value for e in at.error] == [SSO_NO_ROLE]
    (line,) = sso_console.store().audit.query(action="sign_in_failed")
    assert (line.actor, line.outcome) == ("eve@example.com", "no_role")
    assert data_access.authenticator().active_sessions() == []


def test_the_session_ends_when_the_id_token_has_expired(sso_console):
    auth = data_access.authenticator()
    who = auth.sso.identity(operator())
    _session, cookie = auth.complete(auth.issue_ticket(auth.sign_in_sso(who)))
    at = run(sso_console, operator(exp=int(time.time()) - 1), {COOKIE_NAME: cookie})
    assert not at.exception and at.title[0].value == "Sign in"
    assert auth.resolve(cookie) is None
    assert any("expired" in i.value for i in at.info)


def test_an_identity_signed_in_at_the_provider_alone_does_not_sign_in(sso_console):
    """Only a browser that asked (the /auth/sso cookie) is signed in on the way back: a session an
    administrator ended does not come back by itself from Streamlit's identity cookie."""
    at = run(sso_console, operator())
    assert not sso_console.sent and at.title[0].value == "Sign in"
    assert data_access.authenticator().active_sessions() == []


def test_local_accounts_can_be_switched_off(sso_console):
    sso_console.monkeypatch.setenv("ENIGMAPAY_LOCAL_SIGN_IN", "false")
    at = run(sso_console)
    assert not at.exception and not at.text_input and not at.table  # no password form, no demo accounts
    assert at.button(key="sso_sign_in").label == "Sign in with company"


def test_the_sign_in_button_speaks_turkish(sso_console):
    sso_console.monkeypatch.setenv("ENIGMAPAY_LANGUAGE", "tr")
    at = run(sso_console)
    assert at.button(key="sso_sign_in").label == "company ile oturum aç"
