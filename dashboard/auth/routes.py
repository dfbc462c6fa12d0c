"""HTTP routes that carry the session cookie (a Streamlit script cannot set cookies itself).

Mount with `st.App("console.py", routes=[*auth_routes(get_authenticator), ...])`:

- `GET /auth/complete?ticket=T&next=/path`: consumes the one-time ticket the script issued after
  `sign_in`, sets the HttpOnly session cookie and redirects (303) to `next` (a same-site path only).
- `GET /auth/sign-out?token=S`: ends the session (everywhere) and clears the cookie, then redirects
  to `/`. `S` is the per-session sign-out token (`Authenticator.sign_out_url`), so a link on
  another site cannot sign anyone out.

Both read and write the store (tickets, sessions): when the database cannot be reached they answer
a 503 page with `Retry-After` and change nothing (no cookie set or cleared).
"""

from __future__ import annotations

import functools
import html
from collections.abc import Callable
from urllib.parse import urlsplit

from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response
from starlette.routing import Route

from dashboard.auth.authenticator import Authenticator
from dashboard.auth.sessions import COOKIE_NAME
from dashboard.store import StoreUnavailable

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
        response.set_cookie(
            COOKIE_NAME,
            cookie,
            max_age=int(auth.sessions.absolute_timeout.total_seconds()),
            path="/",
            secure=is_https(request),
            httponly=True,
            samesite="lax",
        )
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
        response = RedirectResponse("/", status_code=303, headers=_NO_STORE)
        response.delete_cookie(COOKIE_NAME, path="/", secure=is_https(request), httponly=True, samesite="lax")
        return response

    return [
        Route("/auth/complete", _unless_store_unavailable(complete), methods=["GET"]),
        Route("/auth/sign-out", _unless_store_unavailable(sign_out), methods=["GET"]),
    ]
