"""HTTP routes that carry the session cookie (a Streamlit script cannot set cookies itself).

Mount with `st.App("console.py", routes=[*auth_routes(get_authenticator), ...])`:

- `GET /auth/complete?ticket=T&next=/path`: consumes the one-time ticket the script issued after
  `sign_in`, sets the HttpOnly session cookie and redirects (303) to `next` (a same-site path only).
- `GET /auth/sign-out?token=S`: ends the session (everywhere) and clears the cookie, then redirects
  to `/` -- or, for a single sign-on session, to Streamlit's `/auth/logout`, which clears its
  identity cookie (and signs out at the provider where it offers that). `S` is the per-session
  sign-out token (`Authenticator.sign_out_url`), so a link on another site cannot sign anyone out.
- `GET /auth/sso?login=/auth/login?provider=...&next=/path`: single sign-on starts here. Remembers
  `next` (the page that was asked for) in a short-lived cookie, then goes on to Streamlit's
  `/auth/login` (the provider). Back from the provider, the sign-in page reads that cookie: it is
  also the sign that this browser asked to sign in just now (an identity left in Streamlit's
  cookie does not sign anyone in by itself), and /auth/complete clears it.

Every cookie set here is `Secure` when the browser came over https, also through a proxy that
says so in `X-Forwarded-Proto`.

The routes read and write the store (tickets, sessions): when the database cannot be reached they
answer a 503 page with `Retry-After` and change nothing (no cookie set or cleared).
"""

from __future__ import annotations

import base64
import binascii
import functools
import html
from collections.abc import Callable
from urllib.parse import urlsplit

from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response
from starlette.routing import Route

from dashboard.auth.authenticator import Authenticator
from dashboard.auth.sessions import COOKIE_NAME
from dashboard.auth.sso import METHOD_SSO
from dashboard.store import StoreUnavailable

SSO_NEXT_COOKIE = "enigmapay_sso_next"
SSO_NEXT_MAX_AGE = 600  # seconds to get through the provider's sign-in
IDENTITY_LOGOUT_PATH = "/auth/logout"  # Streamlit's: clears st.user's cookie
_LOGIN_PREFIX = "/auth/login?"  # Streamlit's: on to the provider

_NO_STORE = {"Cache-Control": "no-store", "Referrer-Policy": "no-referrer", "X-Content-Type-Options": "nosniff"}
RETRY_AFTER_SECONDS = 30


def safe_next(value: str | None, *, allow_auth: bool = False) -> str:
    """`value` if it is a path on this site ("/transactions?x=1"), else "/" (no open redirect).
    Paths under /auth/ are refused too (no loops), unless `allow_auth`."""
    if not value or len(value) > 2048 or not value.startswith("/") or value.startswith("//"):
        return "/"
    if "\\" in value or any(ord(ch) < 0x21 or ord(ch) == 0x7F for ch in value):
        return "/"
    parts = urlsplit(value)
    if parts.scheme or parts.netloc or (parts.path.startswith("/auth/") and not allow_auth):
        return "/"
    return value


def pack_next(path: str) -> str:
    """A same-site path as a cookie value (base64url: a path's `/ ? = ;` have no place in a cookie)."""
    return base64.urlsafe_b64encode(safe_next(path).encode("utf-8")).decode("ascii")


def unpack_next(value: str | None) -> str | None:
    """The path `pack_next` stored; None for a missing or damaged value."""
    if not value or len(value) > 3000:
        return None
    try:
        return safe_next(base64.urlsafe_b64decode(value.encode("ascii")).decode("utf-8"))
    except (binascii.Error, UnicodeError, ValueError):
        return None


def is_https(request: Request) -> bool:
    """The browser reached us over https (directly, or via a proxy saying so in X-Forwarded-Proto)."""
    forwarded = request.headers.get("x-forwarded-proto", "").split(",")[0].strip().lower()
    return request.url.scheme == "https" or forwarded == "https"


def _page(status: int, title: str, text: str) -> HTMLResponse:
    body = (
        f"<!doctype html><meta charset='utf-8'><title>{html.escape(title)}</title>"
        f"<p>{html.escape(text)}</p><p><a href='/'>Back to the console</a></p>"
    )
    return HTMLResponse(body, status_code=status, headers=_NO_STORE)


def _cookie_options(request: Request) -> dict:
    return {"path": "/", "secure": is_https(request), "httponly": True, "samesite": "lax"}


def _unless_store_unavailable(endpoint: Callable[[Request], Response]) -> Callable[[Request], Response]:
    """`endpoint`, answering a clear 503 page (and changing nothing) when the database cannot be reached."""

    @functools.wraps(endpoint)
    def guarded(request: Request) -> Response:
        try:
            return endpoint(request)
        except StoreUnavailable:
            response = _page(
                503,
                "Database unreachable",
                "The console's database cannot be reached right now. Nothing was changed: try again in a minute.",
            )
            response.headers["Retry-After"] = str(RETRY_AFTER_SECONDS)
            return response

    return guarded


def auth_routes(get_authenticator: Callable[[], Authenticator | None]) -> list[Route]:
    """The routes; `get_authenticator()` is called per request (None: sign-in disabled -> 404)."""

    # Plain (sync) endpoints: Starlette runs them in its thread pool, off the event loop, which
    # the store's fsync'd writes must not block.
    def complete(request: Request) -> Response:
        auth = get_authenticator()
        if auth is None:
            return _page(404, "Not found", "Sign-in is not enabled.")
        done = auth.complete(request.query_params.get("ticket"))
        if done is None:
            return _page(
                400, "Sign-in link expired", "This sign-in link has expired or was already used. Sign in again."
            )
        _session, cookie = done
        response = RedirectResponse(safe_next(request.query_params.get("next")), status_code=303, headers=_NO_STORE)
        options = _cookie_options(request)
        response.set_cookie(COOKIE_NAME, cookie, max_age=int(auth.sessions.absolute_timeout.total_seconds()), **options)
        if SSO_NEXT_COOKIE in request.cookies:
            response.delete_cookie(SSO_NEXT_COOKIE, **options)
        return response

    def sign_out(request: Request) -> Response:
        auth = get_authenticator()
        if auth is None:
            return _page(404, "Not found", "Sign-in is not enabled.")
        session = auth.resolve(request.cookies.get(COOKIE_NAME))
        if session is not None:
            if not auth.sessions.check_sign_out_token(session, request.query_params.get("token")):
                return _page(403, "Sign-out link not valid", "Use the Sign out button in the console.")
            auth.sign_out(session)
        sso = session is not None and session.method == METHOD_SSO
        response = RedirectResponse(IDENTITY_LOGOUT_PATH if sso else "/", status_code=303, headers=_NO_STORE)
        response.delete_cookie(COOKIE_NAME, **_cookie_options(request))
        return response

    def sso_start(request: Request) -> Response:
        auth = get_authenticator()
        if auth is None or auth.sso is None:
            return _page(404, "Not found", "Single sign-on is not enabled.")
        login = request.query_params.get("login") or ""
        if safe_next(login, allow_auth=True) != login or not login.startswith(_LOGIN_PREFIX):
            return _page(400, "Sign-in link not valid", "Use the sign-in button in the console.")
        response = RedirectResponse(login, status_code=303, headers=_NO_STORE)
        next_path = pack_next(request.query_params.get("next") or "/")
        response.set_cookie(SSO_NEXT_COOKIE, next_path, max_age=SSO_NEXT_MAX_AGE, **_cookie_options(request))
        return response

    return [
        Route("/auth/complete", _unless_store_unavailable(complete), methods=["GET"]),
        Route("/auth/sign-out", _unless_store_unavailable(sign_out), methods=["GET"]),
        Route("/auth/sso", _unless_store_unavailable(sso_start), methods=["GET"]),
    ]
