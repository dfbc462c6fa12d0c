"""The callback route: authenticate, read, store, answer (200 only once stored)."""

from __future__ import annotations

import hmac
import ipaddress
import json
import logging
import os
import uuid
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.requests import ClientDisconnect, Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import Route

from dashboard.callbacks.events import CallbackEvent, TimelineItem, timeline
from dashboard.callbacks.parsing import (
    INVALID_AMOUNT,
    MAX_BODY,
    MIN_TOKEN_LENGTH,
    NOT_FOUND,
    CallbackRejected,
    parse_callback,
    read_amount,
)
from dashboard.callbacks.verifying import Verifying
from dashboard.journal import status_key
from dashboard.money import to_kurus
from dashboard.outage import OutageLog
from dashboard.store import CurrentStatusRow, Store, StoreUnavailable

log = logging.getLogger(__name__)

# How long the provider is asked to wait before retrying a callback the console could not store (the
# database cannot be reached). Long enough not to hammer a recovering database, short enough that a
# status change arrives soon after it is back.
RETRY_AFTER_SECONDS = 30


class CallbackIntake(Verifying):
    """Authenticates, validates and stores callbacks; verifies them later against the API."""

    def __init__(
        self,
        store: Store,
        *,
        token: str,
        allowed_ips: frozenset[str] | None = None,
        max_body: int = MAX_BODY,
        clock: Callable[[], datetime] | None = None,
    ) -> None:
        if not isinstance(token, str) or len(token) < MIN_TOKEN_LENGTH:
            raise ValueError(f"the callback token needs at least {MIN_TOKEN_LENGTH} characters")
        self._store = store
        self._token = token.encode()
        self._networks = (
            None if allowed_ips is None else tuple(ipaddress.ip_network(ip, strict=False) for ip in allowed_ips)
        )
        self.max_body = max_body
        self._clock = clock or (lambda: datetime.now(UTC))
        self._claimant = f"{os.getpid()}-{uuid.uuid4().hex[:12]}"  # who holds a verification claim
        self.outage = OutageLog(log, "callback intake (answering 503, the provider retries)")

    def __repr__(self) -> str:
        return f"CallbackIntake(store={self._store!r}, token=***, allowed_ips={self._networks!r})"

    # -- the HTTP side --------------------------------------------------------------------

    def ip_allowed(self, host: str | None) -> bool:
        if self._networks is None:
            return True
        try:
            address = ipaddress.ip_address(host or "")
        except ValueError:
            return False
        return any(address in network for network in self._networks)

    def callback_path(self) -> str:
        """`/callbacks/<token>`: holds the secret, so only for registering the URL, never for logs."""
        return f"/callbacks/{self._token.decode()}"

    def token_matches(self, token: str) -> bool:
        return hmac.compare_digest(token.encode(), self._token)

    async def handle(self, request: Request) -> Response:
        """`POST /callbacks/{token}`."""
        source = request.client.host if request.client else None
        if not self.ip_allowed(source):
            log.warning("callback refused: source %s not allowed", source)
            return _fail("forbidden", 403)
        if not self.token_matches(request.path_params.get("token", "")):
            log.warning("callback refused: wrong token from %s", source)  # never the token itself
            return PlainTextResponse(*NOT_FOUND)
        length = request.headers.get("content-length")
        if length is not None:
            if not length.isdigit():
                return _fail("bad Content-Length", 400)
            if int(length) > self.max_body:
                return _fail("body too large", 413)
        body = bytearray()
        try:
            async for chunk in request.stream():
                body += chunk
                if len(body) > self.max_body:  # stop reading: at most max_body + one chunk in memory
                    return _fail("body too large", 413)
        except ClientDisconnect:
            # Nobody is left to answer; one line, no traceback (a stream of these is a flood otherwise).
            log.warning("callback from %s: sender disconnected before the whole body arrived", source)
            return _fail("body incomplete", 400)
        try:
            event = parse_callback(bytes(body))
        except CallbackRejected as exc:
            return _fail(str(exc), 400)
        try:
            await run_in_threadpool(self.accept, event, source)
        except StoreUnavailable as exc:  # nothing was written: the provider retries it later
            self.outage.failed(exc)
            return unavailable()
        except Exception:
            log.exception("storing a callback failed")
            return unavailable()  # the provider retries
        self.outage.worked()
        return JSONResponse({"success": True})

    def accept(self, event: Mapping[str, Any], source_ip: str | None = None) -> bool:
        """Store a parsed event; True when new, False for a repeated delivery."""
        key, final = status_key(event["status_text"])
        amount, problem = read_amount(event.get("amount"))  # again: accept() is also called with dicts
        problem = event.get("amount_problem") or problem
        impossible_amount = problem is not None
        row = {
            "transaction_id": event["transaction_id"],
            "status": key,
            "status_text": event["status_text"],
            "amount": amount,
            "amount_kurus": to_kurus(amount) if amount is not None else None,
            "username": event.get("username"),
            "description": event.get("description"),
            "completed_at_text": event.get("completed_at"),
            "raw_json": event.get("raw_json") or json.dumps(dict(event), default=str),
            "received_at": self._clock(),
            "source_ip": source_ip,
            "verification": INVALID_AMOUNT if impossible_amount else "pending",
        }
        if impossible_amount:
            log.warning("callback for transaction %s kept as %s: %s", event["transaction_id"], INVALID_AMOUNT, problem)
        return self._store.callbacks.add_event(row, status_final=final, moves_status=not impossible_amount)

    # -- reading --------------------------------------------------------------------------

    def recent_events(self, limit: int = 100, since: datetime | None = None) -> list[CallbackEvent]:
        """Newest first, each with the journal entry it belongs to (if any)."""
        return [CallbackEvent.from_row(r) for r in self._store.callbacks.events(limit=limit, since=since)]

    def current_status(self, transaction_id: int) -> CurrentStatusRow | None:
        """Derived current status: status, status_text, status_final, source ('callback'|'api'), updated_at."""
        return self._store.callbacks.current_status(transaction_id)

    def timeline(self, transaction_id: int) -> list[TimelineItem]:
        return timeline(self._store, transaction_id)


def _fail(message: str, status: int) -> JSONResponse:
    return JSONResponse({"success": False, "message": message}, status_code=status)


def unavailable() -> JSONResponse:
    """503 with Retry-After: the callback was not stored (nothing of it), send it again later."""
    response = _fail("temporarily unavailable", 503)
    response.headers["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response


def make_callback_route(intake: CallbackIntake, path: str = "/callbacks/{token}") -> Route:
    """The Starlette route to mount into the console's server (st.App(routes=[...]))."""
    return Route(path, intake.handle, methods=["POST"], name="enigmapay_callback")
