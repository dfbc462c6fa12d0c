"""The single sign-on side of the cookie routes: /auth/sso remembers the deep link (Secure behind an
https proxy), /auth/complete forgets it, and signing out of an SSO session goes on to Streamlit's
/auth/logout (its identity cookie)."""

from datetime import timedelta

import pytest
from starlette.applications import Starlette
from starlette.testclient import TestClient

from dashboard.auth import COOKIE_NAME, Role, SsoConfig
from dashboard.auth.routes import SSO_NEXT_COOKIE, auth_routes, pack_next, unpack_next

from .conftest import PASSWORDS, T0
from .test_routes import set_cookie

SSO = SsoConfig(provider="company", role_claim="groups", claim_roles=(("ops", Role.OPERATOR),))
LOGIN = "/auth/login?provider=eyJhbGciOi.payload.sig"


@pytest.fixture
def sso_auth(make_auth):
    return make_auth(sso=SSO)


@pytest.fixture
def client(sso_auth):
    with TestClient(Starlette(routes=auth_routes(lambda: sso_auth)), follow_redirects=False) as c:
        yield c


def test_sso_start_remembers_the_deep_link_and_goes_on_to_the_provider(client):
    response = client.get("/auth/sso", params={"login": LOGIN, "next": "/transactions?iban=3"})
    assert response.status_code == 303 and response.headers["location"] == LOGIN
    cookies, raw = set_cookie(response)
    assert unpack_next(cookies[SSO_NEXT_COOKIE].value) == "/transactions?iban=3"
    assert "httponly" in raw and "samesite=lax" in raw and "secure" not in raw


def test_sso_start_cookie_is_secure_behind_an_https_proxy(client):
    response = client.get("/auth/sso", params={"login": LOGIN, "next": "/"}, headers={"X-Forwarded-Proto": "https"})
    _, raw = set_cookie(response)
    assert "secure" in raw


@pytest.mark.parametrize(
    "login",
    ["https://evil.example/auth/login?provider=x", "//evil.example/auth/login?x", "/overview", "", "/auth/complete?x"],
)
def test_sso_start_goes_nowhere_but_streamlits_login(client, login):
    response = client.get("/auth/sso", params={"login": login, "next": "/"})
    assert response.status_code == 400 and "set-cookie" not in response.headers


def test_sso_start_keeps_no_foreign_next(client):
    response = client.get("/auth/sso", params={"login": LOGIN, "next": "https://evil.example/"})
    cookies, _ = set_cookie(response)
    assert unpack_next(cookies[SSO_NEXT_COOKIE].value) == "/"


def test_sso_routes_are_absent_without_sso(make_auth):
    with TestClient(Starlette(routes=auth_routes(lambda: make_auth())), follow_redirects=False) as c:
        assert c.get("/auth/sso", params={"login": LOGIN}).status_code == 404


def test_complete_forgets_the_deep_link_and_sets_a_new_session_id(client, sso_auth):
    who = SSO.identity(
        {"is_logged_in": True, "sub": "u-1", "groups": ["ops"], "exp": (T0 + timedelta(hours=1)).timestamp()}
    )
    session = sso_auth.sign_in_sso(who)
    client.cookies.set(SSO_NEXT_COOKIE, pack_next("/transactions?iban=3"))
    response = client.get(
        "/auth/complete", params={"ticket": sso_auth.issue_ticket(session), "next": "/transactions?iban=3"}
    )
    assert response.headers["location"] == "/transactions?iban=3"
    headers = response.headers.get_list("set-cookie")
    assert any(h.startswith(f"{SSO_NEXT_COOKIE}=") and "max-age=0" in h.lower() for h in headers)
    cookie = next(h for h in headers if h.startswith(f"{COOKIE_NAME}=")).split(";")[0].split("=", 1)[1]
    resolved = sso_auth.resolve(cookie)
    assert resolved.user == "company:u-1" and resolved.id != session.id  # the browser's id is new


def test_signing_out_of_an_sso_session_also_signs_out_of_streamlits_identity(client, sso_auth):
    who = SSO.identity({"is_logged_in": True, "sub": "u-1", "groups": ["ops"]})
    session, cookie = sso_auth.complete(sso_auth.issue_ticket(sso_auth.sign_in_sso(who)))
    client.cookies.set(COOKIE_NAME, cookie)
    response = client.get(sso_auth.sign_out_url(session))
    assert response.status_code == 303 and response.headers["location"] == "/auth/logout"
    assert sso_auth.resolve(cookie) is None


def test_signing_out_of_a_password_session_goes_home(client, sso_auth):
    session, cookie = sso_auth.complete(sso_auth.issue_ticket(sso_auth.sign_in("alice", PASSWORDS["alice"])))
    client.cookies.set(COOKIE_NAME, cookie)
    assert client.get(sso_auth.sign_out_url(session)).headers["location"] == "/"


def test_next_cookie_values_survive_and_damage_is_refused():
    assert unpack_next(pack_next("/transactions?iban=3&x=a;b")) == "/transactions?iban=3&x=a;b"
    assert unpack_next("not base64 !!") is None and unpack_next(None) is None
    assert unpack_next(pack_next("//evil.example")) == "/"
