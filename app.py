"""The server `make run` starts: Streamlit (console.py) plus our own HTTP routes on the same port.

`streamlit run app.py` finds the `app` object below and serves it as an ASGI app:
- `GET /healthz`               liveness, for load balancers and the Docker HEALTHCHECK; its body also
                               says whether the database answers (see `health`)
- `POST /callbacks/<token>`    EnigmaPay's status callbacks (dashboard.callbacks)
- `GET /auth/complete`, `GET /auth/sign-out`, `GET /auth/sso`   set / clear the sign-in cookie, start
                               single sign-on (dashboard.auth.routes); Streamlit itself serves st.login's
                               /auth/login, /auth/logout and /oauth2callback
The lifespan runs the per-process background work (dashboard.background).

A database that cannot be reached (`StoreUnavailable`): the callback route answers 503 with
`Retry-After` (nothing stored, the provider retries), the sign-in routes a 503 page, and the console's
pages say so (dashboard/ui/outage.py); everything recovers by itself once the database is back.

The routes get the callback intake and the authenticator from dashboard.services (no Streamlit).
This module is imported before Streamlit's runtime exists, so it must not import
dashboard.background (which imports dashboard.data_access) at module level: decorating its
st.cache_data functions then would bind them to a throw-away in-memory cache ("No runtime found,
using MemoryCacheStorageManager"). The lifespan imports it when it first runs.
"""

import asyncio
import contextlib
import logging

import streamlit as st
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse
from starlette.routing import Route
from streamlit.runtime.pages_manager import PagesManager

from dashboard import services
from dashboard.auth.routes import auth_routes
from dashboard.callbacks import redact_access_log, unavailable
from dashboard.store import StoreUnavailable
from dashboard.ui import client_options

# A `pages/` folder beside the entry script switches Streamlit to its old automatic multipage mode
# until some script run calls st.navigation: the first request for e.g. /send_money after a start
# would run pages/send_money.py directly, skipping console.py (its sidebar and its sign-in gate).
# console.py's st.navigation is the only router, from the first request on.
PagesManager.uses_pages_directory = False
# Tables offer no built-in CSV download, even where our .streamlit/config.toml is missing.
client_options.enforce()


log = logging.getLogger(__name__)

HEALTH_DATABASE_TIMEOUT = 2.0  # seconds /healthz waits for the database's answer


def _database_state() -> str:
    """ "ok" when the store answers a trivial query, "unreachable" when it cannot be reached,
    "error" when the console's records cannot be opened at all (e.g. the configuration)."""
    try:
        services.records().store.ping()
    except StoreUnavailable:
        return "unreachable"
    except Exception as exc:
        log.warning("health check: the console's records cannot be opened (%s)", type(exc).__name__)
        return "error"
    return "ok"


async def health(request: Request) -> JSONResponse:
    """Liveness: 200 `{"status": "ok", "database": "ok" | "unreachable" | "error"}` while this process
    serves requests, whatever the database does.

    Why not a 503 when the database is down: the process is healthy and recovers by itself when the
    database is back (nothing is cached broken). A failing health check would make Docker, an
    orchestrator or the load balancer restart or drop *every* replica at once for an outage none of
    them can fix: the pages' clear "database cannot be reached" message and the callback route's
    503 + Retry-After would turn into the proxy's bare 502. The body says what is wrong, for a
    monitor to alert on (`database` != "ok").
    """
    try:
        database = await asyncio.wait_for(run_in_threadpool(_database_state), HEALTH_DATABASE_TIMEOUT)
    except TimeoutError:  # no answer in time: as good as unreachable for whoever is asking
        database = "unreachable"
    return JSONResponse({"status": "ok", "database": database})


async def callback(request: Request):
    # Services open lazily (first use may start the sandbox): keep that off the event loop.
    try:
        records = await run_in_threadpool(services.records)
    except StoreUnavailable:  # the store cannot even be opened: nothing stored, the provider retries
        return unavailable()
    intake = records.callbacks
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
