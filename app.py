"""The server `make run` starts: Streamlit (console.py) plus our own HTTP routes on the same port.

`streamlit run app.py` finds the `app` object below and serves it as an ASGI app:
- `GET /healthz`               liveness, for load balancers and the Docker HEALTHCHECK
- `POST /callbacks/<token>`    EnigmaPay's status callbacks (dashboard.callbacks)
- `GET /auth/complete`, `GET /auth/sign-out`, `GET /auth/sso`   set / clear the sign-in cookie, start
                               single sign-on (dashboard.auth.routes); Streamlit itself serves st.login's
                               /auth/login, /auth/logout and /oauth2callback
The lifespan runs the per-process background work (dashboard.background).

The routes get the callback intake and the authenticator from dashboard.services (no Streamlit).
This module is imported before Streamlit's runtime exists, so it must not import
dashboard.background (which imports dashboard.data_access) at module level: decorating its
st.cache_data functions then would bind them to a throw-away in-memory cache ("No runtime found,
using MemoryCacheStorageManager"). The lifespan imports it when it first runs.
"""

import asyncio
import contextlib

import streamlit as st
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse
from starlette.routing import Route
from streamlit.runtime.pages_manager import PagesManager

from dashboard import services
from dashboard.auth.routes import auth_routes
from dashboard.callbacks import redact_access_log
from dashboard.ui import client_options

# A `pages/` folder beside the entry script switches Streamlit to its old automatic multipage mode
# until some script run calls st.navigation: the first request for e.g. /send_money after a start
# would run pages/send_money.py directly, skipping console.py (its sidebar and its sign-in gate).
# console.py's st.navigation is the only router, from the first request on.
PagesManager.uses_pages_directory = False
# Tables offer no built-in CSV download, even where our .streamlit/config.toml is missing.
client_options.enforce()


async def health(request: Request) -> JSONResponse:
    return JSONResponse({"status": "ok"})


async def callback(request: Request):
    # Services open lazily (first use may start the sandbox): keep that off the event loop.
    intake = (await run_in_threadpool(services.records)).callbacks
    if intake is None:  # live API with no callback token configured: nothing listens here
        return PlainTextResponse("Not Found", status_code=404)
    return await intake.handle(request)


def _origin() -> str:
    address = st.get_option("server.address") or "127.0.0.1"
    host = "127.0.0.1" if address in ("0.0.0.0", "::", "localhost") else address
    return f"http://{host}:{st.get_option('server.port')}"


@contextlib.asynccontextmanager
async def lifespan(_app):
    from dashboard import background  # here, not at the top: see the module docstring

    redact_access_log()  # access logs must not carry the callback token
    task = asyncio.create_task(background.run(_origin()))
    try:
        yield
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task


app = st.App(
    "console.py",
    routes=[
        Route("/healthz", health, methods=["GET"]),
        Route("/callbacks/{token}", callback, methods=["POST"]),
        *auth_routes(services.authenticator),
    ],
    lifespan=lifespan,
)
