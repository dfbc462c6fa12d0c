"""The Starlette app: the dealer API under /api/dealer and test controls under /__sandbox__.

Each API route is wrapped the same way (see `_api`): count the call, apply injected faults,
check the two auth headers, settle due payouts, then run the handler. Routing comes first,
as in Laravel, so an unknown path is 404 and a wrong method 405 whatever the credentials.
"""

from __future__ import annotations

import asyncio
import hmac
import html
import math
from collections.abc import Awaitable, Callable
from contextlib import asynccontextmanager
from decimal import Decimal
from typing import Any
from urllib.parse import parse_qs

import orjson
from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response
from starlette.routing import Route

from dashboard.sandbox import validation as v
from dashboard.sandbox.config import SandboxConfig, request_hash
from dashboard.sandbox.data import date_wall_start
from dashboard.sandbox.drift import get_drift, post_drift
from dashboard.sandbox.faults import API_PREFIX, Faults
from dashboard.sandbox.state import InsufficientBalance, SandboxState

ADMIN_PREFIX = "/__sandbox__"
MAX_PER_PAGE = 10_000
CARD_MINIMUM = Decimal(200)  # the guide: "min: 200 TL"
_LOOPBACK = {"127.0.0.1", "::1", "localhost", "testclient"}
# What a truncated upstream answer looks like: a 200 whose body stops mid-JSON.
MALFORMED_BODY = b'{"success": true, "data": [{"id": 1, "amount": 5'

Handler = Callable[[Request, SandboxState], Awaitable[Response]]


class JSON(Response):
    """JSON through orjson: pages of 10,000 records serialise in milliseconds."""

    media_type = "application/json"

    def render(self, content: Any) -> bytes:
        return orjson.dumps(content)


def fail(status: int, message: str, **extra: Any) -> JSON:
    return JSON({"success": False, "message": message, **extra}, status_code=status)


def invalid(errors: v.Errors) -> JSON:
    return fail(422, errors.summary(), errors=dict(errors))


async def json_body(request: Request) -> dict[str, Any]:
    """The JSON object sent, or {} for an empty/invalid/non-object body (Laravel then reports required fields)."""
    try:
        body = orjson.loads(await request.body() or b"{}")
    except orjson.JSONDecodeError:
        return {}
    return body if isinstance(body, dict) else {}


def _authorized(request: Request, config: SandboxConfig) -> bool:
    key = request.headers.get("x-api-key", "")
    given = request.headers.get("x-hash", "").lower()
    expected = request_hash(config.api_key, config.secret_key)
    key_ok = hmac.compare_digest(key.encode(), config.api_key.encode())
    hash_ok = hmac.compare_digest(given.encode(), expected.encode())
    return key_ok and hash_ok


async def _wait(state: SandboxState, seconds: float) -> None:
    """Sleep without blocking other requests; give up early when the server is stopping."""
    deadline = asyncio.get_running_loop().time() + seconds
    while not state.stopping.is_set():
        remaining = deadline - asyncio.get_running_loop().time()
        if remaining <= 0:
            return
        await asyncio.sleep(min(remaining, 0.05))


def _api(state: SandboxState, method: str, path: str, handler: Handler) -> Route:
    key = f"{method} {path}"

    async def endpoint(request: Request) -> Response:
        state.record_call(key)
        decision = state.decide_fault(path)
        if decision.hang:
            await _wait(state, decision.hang)
        if decision.latency:
            await asyncio.sleep(decision.latency)
        if state.stopping.is_set():
            return fail(503, "Service Unavailable")
        if decision.kind == "rate_limit":
            headers = {"Retry-After": str(decision.retry_after)}
            return JSON({"success": False, "message": "Too Many Attempts."}, 429, headers=headers)
        if decision.kind == "error":
            return fail(500, "Server Error")
        if decision.kind == "malformed":
            return Response(MALFORMED_BODY, 200, media_type="application/json")
        if not _authorized(request, state.config):
            return fail(401, "Unauthenticated.")
        state.advance()  # lazily, so a read never shows a payout older than its due transitions
        return await handler(request, state)

    return Route(API_PREFIX + path, endpoint, methods=[method])


# --- dealer API ---------------------------------------------------------------------------------
async def settings(request: Request, state: SandboxState) -> Response:
    return JSON({"success": True, "data": state.settings(), "info": "Connection successful"})


async def ibans(request: Request, state: SandboxState) -> Response:
    return JSON({"success": True, "data": state.ibans()})


async def transactions(request: Request, state: SandboxState) -> Response:
    q = request.query_params
    errors = v.Errors()
    iban_id = v.integer_param(q, "iban_id", errors)
    start = v.date_param(q, "start_date", errors)
    end = v.date_param(q, "end_date", errors)
    if start and end and start > end:
        errors.add("end_date", "The end date field must be a date after or equal to start date.")
    page = v.integer_param(q, "page", errors, required=False, minimum=1)
    per_page = v.integer_param(q, "per_page", errors, required=False, minimum=1, maximum=MAX_PER_PAGE)
    if errors:
        return invalid(errors)
    index = state.account_index(iban_id)
    if index is None:
        return fail(404, "IBAN not found")
    page = page or 1
    per_page = per_page or state.config.per_page
    lo = date_wall_start(start) if start else None
    hi = date_wall_start(end) + 86400 if end else None  # end date inclusive
    rows, total = state.transactions_page(index, lo, hi, page, per_page)
    last_page = max(1, math.ceil(total / per_page))
    return JSON(
        {
            "success": True,
            "data": rows,
            "current_page": page,
            "last_page": last_page,
            "per_page": per_page,
            "total": total,
            "from": (page - 1) * per_page + 1 if rows else None,
            "to": (page - 1) * per_page + len(rows) if rows else None,
            "next_page_url": str(request.url.include_query_params(page=page + 1)) if page < last_page else None,
            "prev_page_url": str(request.url.include_query_params(page=page - 1)) if page > 1 else None,
        }
    )


async def send_money(request: Request, state: SandboxState) -> Response:
    body = await json_body(request)
    errors = v.Errors()
    username = v.string(body, "username", errors, max_len=255)
    amount = v.amount(body, "amount", errors)
    customer_iban = v.iban(body, "customer_iban", errors)
    customer_name = v.string(body, "customer_name", errors, min_len=3, max_len=100)
    description = v.string(body, "description", errors, required=False, max_len=255)
    if errors:
        return invalid(errors)
    try:
        tx = state.send_money(username, amount, customer_iban, customer_name, description)
    except InsufficientBalance:
        return fail(422, "Insufficient balance.", errors={"amount": ["Insufficient balance."]})
    record = tx.record(state.data.accounts[tx.iban_index].id, state.tz)
    return JSON(
        {
            "success": True,
            "message": "Transfer request received",
            "data": {
                "transaction_id": tx.id,
                "status": tx.status,
                "amount": record["amount"],
                "customer_iban": tx.customer_iban,
                "created_at": record["created_at"],
            },
        }
    )


async def transaction_status(request: Request, state: SandboxState) -> Response:
    errors = v.Errors()
    tx_id = v.integer_param(request.query_params, "transaction_id", errors)
    if errors:
        return invalid(errors)
    found = state.transaction_status(tx_id)
    if found is None:
        return fail(404, "Transaction not found")
    return JSON({"success": True, "data": found})


async def card_payment(request: Request, state: SandboxState) -> Response:
    if not state.credit_card_enabled:
        return fail(403, "Credit card payments are not enabled for this dealer.")
    body = await json_body(request)
    errors = v.Errors()
    username = v.string(body, "username", errors, max_len=255)
    firstname = v.string(body, "firstname", errors, max_len=100)
    lastname = v.string(body, "lastname", errors, max_len=100)
    v.email(body, "email", errors)
    v.phone(body, "phone", errors)
    amount = v.amount(body, "amount", errors, minimum=CARD_MINIMUM)
    description = v.string(body, "description", errors, required=False, max_len=255)
    if errors:
        return invalid(errors)
    tx = state.create_card_payment(username, firstname, lastname, amount, description)
    root = str(request.base_url).rstrip("/")
    return JSON(
        {
            "success": True,
            "message": "Payment created successfully",
            "data": {
                "payment_url": f"{root}{ADMIN_PREFIX}/pay/{tx.order_id}",
                "order_id": tx.order_id,
                "transaction_id": tx.id,
                "amount": float(amount),
                "currency": "TRY",
            },
        }
    )


# --- sandbox controls ------------------------------------------------------------------------------
def _loopback_only(handler: Handler, state: SandboxState) -> Callable[[Request], Awaitable[Response]]:
    async def endpoint(request: Request) -> Response:
        host = request.client.host if request.client else ""
        if host not in _LOOPBACK and not host.startswith("127."):
            return fail(403, "Sandbox controls answer loopback clients only.")
        return await handler(request, state)

    return endpoint


async def health(request: Request, state: SandboxState) -> Response:
    return JSON(
        {
            "success": True,
            "data": {
                "status": "ok",
                "transactions": state.data.size,
                "ibans": len(state.data.accounts),
                "anchor": state.anchor.isoformat(),
                "now": state.now().isoformat(),
            },
        }
    )


async def stats(request: Request, state: SandboxState) -> Response:
    calls = state.call_counts()
    return JSON({"calls": calls, "total": sum(calls.values())})


async def stats_reset(request: Request, state: SandboxState) -> Response:
    state.reset_stats()
    return JSON({"success": True})


async def get_faults(request: Request, state: SandboxState) -> Response:
    return JSON({"success": True, "data": state.faults.to_dict()})


async def put_faults(request: Request, state: SandboxState) -> Response:
    """Replace the faults (missing keys take their healthy defaults; `{}` clears every fault)."""
    try:
        faults = Faults.from_dict(await json_body(request))
    except (TypeError, ValueError) as exc:
        return fail(422, str(exc))
    state.set_faults(faults)
    return JSON({"success": True, "data": faults.to_dict()})


async def put_callback_url(request: Request, state: SandboxState) -> Response:
    url = (await json_body(request)).get("url")
    if url is not None and not (isinstance(url, str) and url.startswith(("http://", "https://"))):
        return fail(422, "url must be an http(s) URL or null")
    state.set_callback_url(url)
    return JSON({"success": True, "data": {"url": state.callback_url}})


async def callbacks(request: Request, state: SandboxState) -> Response:
    return JSON({"success": True, "data": [d.to_dict() for d in state.deliveries()]})


async def put_credit_card(request: Request, state: SandboxState) -> Response:
    enabled = (await json_body(request)).get("enabled")
    if not isinstance(enabled, bool):
        return fail(422, "enabled must be true or false")
    state.set_credit_card_enabled(enabled)
    return JSON({"success": True, "data": {"enabled": enabled}})


_PAY_PAGE = """<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Sandbox payment {order}</title>
<style>body{{font-family:sans-serif;max-width:28rem;margin:3rem auto}}button{{font-size:1rem;margin-right:.5rem}}</style>
</head><body><h1>EnigmaPay sandbox payment</h1>
<p>This page stands in for the card payment page. No card is charged.</p>
<dl><dt>Order</dt><dd>{order}</dd><dt>Customer</dt><dd>{name}</dd><dt>Amount</dt><dd>{amount} TRY</dd>
<dt>Status</dt><dd id="status">{status}</dd></dl>{form}</body></html>"""
_PAY_FORM = """<form method="post"><button name="action" value="pay">Pay</button>
<button name="action" value="decline">Decline</button></form>"""


async def pay_page(request: Request) -> Response:
    state: SandboxState = request.app.state.sandbox
    order_id = request.path_params["order_id"]
    tx = state.card_payment(order_id)
    if tx is None:
        return HTMLResponse("<!doctype html><p>Unknown payment.</p>", status_code=404)
    if request.method == "POST":
        action = parse_qs((await request.body()).decode("utf-8", "replace")).get("action", ["pay"])[0]
        state.complete_card_payment(order_id, success=action != "decline")
        return RedirectResponse(request.url.path, status_code=303)
    page = _PAY_PAGE.format(
        order=html.escape(order_id),
        name=html.escape(tx.customer_name),
        amount=f"{tx.amount / 100:,.2f}",
        status=html.escape(tx.status),
        form="" if tx.is_final else _PAY_FORM,
    )
    return HTMLResponse(page)


# --- errors and assembly ---------------------------------------------------------------------------
async def _http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    message = {404: "Not Found", 405: "Method Not Allowed"}.get(exc.status_code, str(exc.detail))
    # exc.headers carries Allow on a 405.
    return JSON({"success": False, "message": message}, status_code=exc.status_code, headers=exc.headers)


async def _server_error(request: Request, exc: Exception) -> Response:
    return fail(500, "Server Error")


def create_app(config: SandboxConfig | None = None) -> Starlette:
    """A fresh sandbox: its own state (on `app.state.sandbox`), ticker and callback workers."""
    state = SandboxState(config or SandboxConfig())

    @asynccontextmanager
    async def lifespan(app: Starlette):
        state.start_background()
        try:
            yield
        finally:
            state.close()

    api = [
        ("GET", "/settings", settings),
        ("GET", "/ibans", ibans),
        ("GET", "/transactions", transactions),
        ("POST", "/send-money", send_money),
        ("GET", "/transaction-status", transaction_status),
        ("POST", "/credit-card/payment", card_payment),
    ]
    admin = [
        ("GET", "/health", health),
        ("GET", "/stats", stats),
        ("POST", "/stats/reset", stats_reset),
        ("GET", "/faults", get_faults),
        ("PUT", "/faults", put_faults),
        ("PUT", "/callback-url", put_callback_url),
        ("GET", "/callbacks", callbacks),
        ("PUT", "/credit-card", put_credit_card),
        ("GET", "/drift", get_drift),
        ("POST", "/drift", post_drift),
    ]
    routes = [_api(state, method, path, handler) for method, path, handler in api]
    routes += [
        Route(ADMIN_PREFIX + path, _loopback_only(handler, state), methods=[method]) for method, path, handler in admin
    ]
    routes.append(Route(ADMIN_PREFIX + "/pay/{order_id}", pay_page, methods=["GET", "POST"]))
    app = Starlette(
        routes=routes, exception_handlers={HTTPException: _http_error, Exception: _server_error}, lifespan=lifespan
    )
    app.state.sandbox = state
    return app
