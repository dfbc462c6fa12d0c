"""The cookie routes, served by Starlette's TestClient (the same routes st.App mounts)."""

from http.cookies import SimpleCookie

import pytest
from starlette.applications import Starlette
from starlette.testclient import TestClient

from dashboard.auth import COOKIE_NAME
from dashboard.auth.routes import auth_routes, safe_next

from .conftest import PASSWORDS


@pytest.fixture
def client(auth):
    with TestClient(Starlette(routes=auth_routes(lambda: auth)), follow_redirects=False) as c:
        yield c


def ticket(auth, name="alice"):
    return auth.issue_ticket(auth.sign_in(name, PASSWORDS[name]))


def set_cookie(response) -> SimpleCookie:
    header = response.headers.get("set-cookie")
    assert header, "no Set-Cookie"
    parsed = SimpleCookie()
    parsed.load(header)
    return parsed, header.lower()


def test_complete_sets_the_cookie_and_redirects(client, auth):
    response = client.get("/auth/complete", params={"ticket": ticket(auth), "next": "/transactions?iban=3"})
    assert response.status_code == 303
    assert response.headers["location"] == "/transactions?iban=3"
    assert response.headers["cache-control"] == "no-store"
    cookies, raw = set_cookie(response)
    morsel = cookies[COOKIE_NAME]
    assert auth.resolve(morsel.value).user == "alice"
    assert "httponly" in raw and "samesite=lax" in raw and "path=/" in raw
    assert "secure" not in raw  # plain http on loopback
    assert morsel["max-age"] == str(12 * 3600)


def test_cookie_is_secure_behind_an_https_proxy(client, auth):
    response = client.get("/auth/complete", params={"ticket": ticket(auth)}, headers={"X-Forwarded-Proto": "https"})
    assert response.status_code == 303 and response.headers["location"] == "/"
    assert "; secure" in set_cookie(response)[1]


def test_cookie_is_secure_over_https(auth):
    with TestClient(
        Starlette(routes=auth_routes(lambda: auth)), base_url="https://console.example", follow_redirects=False
    ) as c:
        assert "; secure" in set_cookie(c.get("/auth/complete", params={"ticket": ticket(auth)}))[1]


def test_ticket_is_single_use(client, auth):
    t = ticket(auth)
    assert client.get("/auth/complete", params={"ticket": t}).status_code == 303
    again = client.get("/auth/complete", params={"ticket": t})
    assert again.status_code == 400 and "set-cookie" not in again.headers
    assert "expired or was already used" in again.text


def test_expired_ticket_is_refused(client, auth, clock):
    t = ticket(auth)
    clock.advance(seconds=61)
    response = client.get("/auth/complete", params={"ticket": t})
    assert response.status_code == 400 and "set-cookie" not in response.headers


def test_missing_or_made_up_ticket_is_refused(client):
    assert client.get("/auth/complete").status_code == 400
    assert client.get("/auth/complete", params={"ticket": "x" * 43}).status_code == 400


@pytest.mark.parametrize(
    "target",
    [
        "//evil.example/",
        "https://evil.example/",
        "http:evil.example",
        "/\\evil.example",
        "\\\\evil.example",
        "/\t/evil.example",
        "/\r\nSet-Cookie:x=1",
        "javascript:alert(1)",
        "evil.example",
        "/auth/sign-out",
        " /x",
    ],
)
def test_open_redirects_are_refused(client, auth, target):
    response = client.get("/auth/complete", params={"ticket": ticket(auth), "next": target})
    assert response.status_code == 303
    assert response.headers["location"] == "/"


def test_safe_next_keeps_same_site_paths():
    assert safe_next("/lookup?transaction_id=7") == "/lookup?transaction_id=7"
    assert safe_next("/a%2F%2Fb") == "/a%2F%2Fb"  # percent-encoded stays encoded: still a path here
    assert safe_next(None) == "/" and safe_next("") == "/"


def test_sign_out_clears_cookie_and_ends_the_session(client, auth):
    done = client.get("/auth/complete", params={"ticket": ticket(auth)})
    cookie = set_cookie(done)[0][COOKIE_NAME].value
    assert client.cookies.get(COOKIE_NAME) == cookie  # the client's jar plays the browser
    other_tab_session = auth.resolve(cookie)
    response = client.get("/auth/sign-out", params={"token": auth.sessions.sign_out_token(other_tab_session)})
    assert response.status_code == 303 and response.headers["location"] == "/"
    raw = set_cookie(response)[1]
    assert f"{COOKIE_NAME}=" in raw and ("max-age=0" in raw or "expires=thu, 01 jan 1970" in raw)
    assert auth.resolve(cookie) is None


def test_sign_out_url_works_end_to_end(client, auth):
    cookie = set_cookie(client.get("/auth/complete", params={"ticket": ticket(auth)}))[0][COOKIE_NAME].value
    url = auth.sign_out_url(auth.resolve(cookie))
    assert client.get(url).status_code == 303
    assert auth.resolve(cookie) is None


def test_sign_out_without_the_token_does_nothing(client, auth):
    cookie = set_cookie(client.get("/auth/complete", params={"ticket": ticket(auth)}))[0][COOKIE_NAME].value
    for params in ({}, {"token": "forged"}):
        response = client.get("/auth/sign-out", params=params)
        assert response.status_code == 403 and "set-cookie" not in response.headers
    assert auth.resolve(cookie).user == "alice"


def test_sign_out_with_a_dead_cookie_just_clears_it(client):
    client.cookies.set(COOKIE_NAME, "garbage")
    response = client.get("/auth/sign-out")
    assert response.status_code == 303 and f"{COOKIE_NAME}=" in response.headers["set-cookie"]


def test_routes_answer_404_when_sign_in_is_disabled():
    with TestClient(Starlette(routes=auth_routes(lambda: None)), follow_redirects=False) as c:
        assert c.get("/auth/complete", params={"ticket": "x" * 43}).status_code == 404
        assert c.get("/auth/sign-out").status_code == 404


def test_send_browser_to_enqueues_a_page_navigation(monkeypatch):
    from streamlit.runtime.scriptrunner_utils import script_run_context

    from dashboard.ui.browser import send_browser_to

    sent = []

    class Ctx:
        def enqueue(self, message):
            sent.append(message)

    monkeypatch.setattr(script_run_context, "get_script_run_ctx", lambda *a, **k: Ctx())
    send_browser_to("/auth/complete?ticket=abc&next=%2Foverview")
    send_browser_to("https://evil.example/")
    assert [m.auth_redirect.url for m in sent] == ["/auth/complete?ticket=abc&next=%2Foverview", "/"]


MOUNT_CHECK = """
import os, sys
from pathlib import Path
import streamlit as st
from starlette.testclient import TestClient
from dashboard.audit import AuditLog
from dashboard.auth import COOKIE_NAME, Authenticator, Role, User, hash_password
from dashboard.auth.routes import auth_routes
from dashboard.store import Store

here = Path(sys.argv[1])
(here / "script.py").write_text("import streamlit as st\\nst.write('hi')\\n")
store = Store(here / "db.sqlite3")
auth = Authenticator({"ann": User("ann", Role.ADMIN, hash_password("ann-password-1"))}, store, AuditLog(store),
                     secret=os.urandom(32))
app = st.App(str(here / "script.py"), routes=auth_routes(lambda: auth))
with TestClient(app, follow_redirects=False) as c:
    r = c.get("/auth/complete", params={"ticket": auth.issue_ticket(auth.sign_in("ann", "ann-password-1")),
                                         "next": "/overview"})
    assert r.status_code == 303 and r.headers["location"] == "/overview", r
    assert auth.resolve(c.cookies.get(COOKIE_NAME)).user == "ann"
    assert c.get("/_stcore/health").status_code == 200
print("mounted-ok")
"""


def test_routes_mount_in_st_app(tmp_path):
    # In a subprocess: the first st.App of a process pins its script folder for the whole process.
    import subprocess
    import sys

    done = subprocess.run(
        [sys.executable, "-c", MOUNT_CHECK, str(tmp_path)], capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0 and "mounted-ok" in done.stdout, done.stderr[-2000:]
