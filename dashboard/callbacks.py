"""Callback intake: the provider's status-change POSTs, stored once, verified before trusted.

The guide documents no signature (API.md §7), so the sender is authenticated by a secret token in
the URL (`POST /callbacks/{token}`) and optionally a source-IP allow-list. Checks run cheapest and
least revealing first: source IP (403), token (404, the same answer as an unknown path), size
(413), shape (400). Nothing is stored unless all pass; 200 `{"success": true}` is sent only after
the insert committed, so the provider's retries cover every failure before that.

Why 403 for a disallowed IP: it is checked before the token, so it reveals nothing about the token,
and a provider that moved to a new address sees a clear refusal in its delivery log instead of a
"not found" that looks like a wrong URL.

Behind a reverse proxy `request.client` is the proxy: run uvicorn with `--forwarded-allow-ips` set
to the proxy so it substitutes the real source. Access logs print paths, so install
`redact_access_log()` to keep the token out of them.

Events are hints: `verify_pending` asks transaction-status about each one. Verification states:
    pending     not yet checked
    verified    the API reports the same status (and amount)
    superseded  a non-final event whose transaction the API reports in a later status
    mismatch    a final event the API contradicts (status or amount) -- look at it
    unverified  the API does not know the transaction: flagged as forged, never trusted
    invalid_amount  the body's amount cannot be real: kept for a person, never checked or trusted

Verification drains the backlog oldest first at a configured rate of status checks
(ENIGMAPAY_VERIFY_RATE; `RateLimiter`), a few checks at a time. Each batch is claimed in the store
before it is checked, so two consoles on one data folder never check the same event; a claim
expires, so the claims of a process that died are taken again.
"""

from __future__ import annotations

import hmac
import ipaddress
import json
import logging
import math
import os
import re
import threading
import time
import uuid
from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from decimal import Decimal
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.requests import ClientDisconnect, Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import Route

from dashboard.client.errors import NotFoundError, ValidationError
from dashboard.client.models import TransactionIdError, parse_transaction_id
from dashboard.journal import status_key
from dashboard.money import to_decimal, to_kurus
from dashboard.store import CallbackEventRow, CurrentStatusRow, Store

log = logging.getLogger(__name__)

MAX_BODY = 64 * 1024
# Verification state of an event whose amount cannot be real (see read_amount): never trusted.
INVALID_AMOUNT = "invalid_amount"
MIN_TOKEN_LENGTH = 16
_STRING_LIMITS = {"username": 255, "description": 255, "completed_at": 64}
# Starlette's answer for an unknown path: a wrong token must look exactly like it.
_NOT_FOUND = ("Not Found", 404)
# A claim outlives the slowest batch (a status call may take its timeout and retries) plus slack;
# after that another process may take the events over.
CLAIM_FOR = timedelta(minutes=5)
BATCH_SECONDS = 10  # one claimed batch is about this much work at the configured rate
MAX_VERIFY_WORKERS = 16


class RateLimiter:
    """At most `rate` acquisitions per second, evenly spaced, across all threads of a process."""

    def __init__(
        self, rate: float, *, clock: Callable[[], float] = time.monotonic, sleep: Callable[[float], None] = time.sleep
    ) -> None:
        if not rate > 0:
            raise ValueError("rate must be greater than zero")
        self.rate = rate
        self._clock, self._sleep = clock, sleep
        self._lock = threading.Lock()
        self._next_slot: float | None = None

    def acquire(self) -> None:
        """Wait for this caller's slot (a slot is reserved under the lock; the wait is outside it)."""
        with self._lock:
            now = self._clock()
            slot = now if self._next_slot is None else max(now, self._next_slot)
            self._next_slot = slot + 1 / self.rate
        if slot > now:
            self._sleep(slot - now)


def verification_plan(rate: float) -> tuple[int, int]:
    """(events per claimed batch, checks at once) for `rate` status checks per second: a batch is
    BATCH_SECONDS of work, and with one worker per check a second the rate holds even when each
    call takes a second."""
    return max(1, math.ceil(rate * BATCH_SECONDS)), min(MAX_VERIFY_WORKERS, max(1, math.ceil(rate)))


class CallbackRejected(ValueError):
    """A body that is not a callback; the message goes back in the 400 answer."""


@dataclass(frozen=True)
class CallbackEvent:
    """One stored event (a repeated delivery of the same transaction_id + status counts, not repeats)."""

    id: int
    transaction_id: int
    status: str
    status_text: str
    amount: Decimal | None
    username: str | None
    description: str | None
    completed_at_text: str | None
    received_at: datetime
    last_received_at: datetime | None
    delivery_count: int
    verification: str
    api_status_text: str | None
    source_ip: str | None
    operation_id: str | None
    extra: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def from_row(cls, row: CallbackEventRow) -> CallbackEvent:
        raw = row.raw or {}
        return cls(
            id=row.id, transaction_id=row.transaction_id, status=row.status,
            status_text=row.status_text, amount=row.amount, username=row.username,
            description=row.description, completed_at_text=row.completed_at_text,
            received_at=row.received_at, last_received_at=row.last_received_at,
            delivery_count=row.delivery_count, verification=row.verification,
            api_status_text=row.api_status_text, source_ip=row.source_ip,
            operation_id=row.operation_id,
            extra={k: v for k, v in raw.items() if k not in _KNOWN_FIELDS},
        )  # fmt: skip


_KNOWN_FIELDS = ("transaction_id", "status", "amount", "username", "description", "completed_at")


def parse_callback(body: bytes) -> dict[str, Any]:
    """Validate a callback body; returns the typed fields plus `raw_json` (the body, extras kept).

    A body that is not a callback raises CallbackRejected (answered 400). A numeric `amount` that
    cannot be real does not: the event is kept with `amount` None and `amount_problem` saying why
    (`read_amount` says why it is not refused).
    """
    data, text = _read_json(body)
    if not isinstance(data, dict):
        raise CallbackRejected("body is not a JSON object")
    tx = data.get("transaction_id")
    if tx is None:
        raise CallbackRejected("transaction_id is missing")
    try:
        tx = parse_transaction_id(tx)  # the one rule lookup and the journal use too
    except TransactionIdError as exc:
        raise CallbackRejected(f"transaction_id: {exc}") from None
    status = data.get("status")
    if status is None:
        raise CallbackRejected("status is missing")
    if not isinstance(status, str) or not status.strip() or len(status) > 64:
        raise CallbackRejected("status must be a non-empty string of at most 64 characters")
    amount, problem = read_amount(data.get("amount"))
    strings = {}
    for name, limit in _STRING_LIMITS.items():
        value = data.get(name)
        if value is not None and (not isinstance(value, str) or len(value) > limit):
            raise CallbackRejected(f"{name} must be a string of at most {limit} characters")
        strings[name] = value
    # The body text itself is kept (unknown fields included) rather than a re-encoding of it.
    return {"transaction_id": tx, "status_text": status.strip(), "amount": amount, "amount_problem": problem,
            **strings, "raw_json": text}  # fmt: skip


def _read_json(body: bytes) -> tuple[Any, str]:
    """UTF-8 JSON text -> (value, text); anything that could never be stored is CallbackRejected."""
    try:
        text = body.decode("utf-8")
        data = json.loads(text, parse_float=Decimal, parse_constant=_refuse_constant)
    except (UnicodeDecodeError, ValueError):  # ValueError: not JSON, NaN/Infinity, an int of > 4300 digits
        raise CallbackRejected("body is not JSON") from None
    except RecursionError:  # "[[[[..." 30,000 deep: Python's parser gives up, the body is not a callback
        raise CallbackRejected("body is nested too deeply") from None
    if _has_lone_surrogate(data):
        # "\ud83d" alone is valid JSON but no UTF-8 text: SQLite (and the page showing it) would fail on it.
        raise CallbackRejected("body has a string that is not valid Unicode (a lone surrogate)")
    return data, text


def _has_lone_surrogate(value: Any) -> bool:
    """True when any key or string anywhere in a parsed JSON value cannot be encoded as UTF-8."""
    stack = [value]  # a loop, not recursion: the value may be nested as deep as the parser allowed
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            stack.extend(item.keys())
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
        elif isinstance(item, str) and not item.isascii():
            try:
                item.encode("utf-8")
            except UnicodeEncodeError:
                return True
    return False


# More lira than any real transaction (and more kuruş than SQLite's INTEGER holds).
_AMOUNT_LIMIT = Decimal(10) ** 13


def read_amount(value: object) -> tuple[Decimal | None, str | None]:
    """A callback's `amount` -> (amount, None), (None, None) when absent, or (None, why it cannot be real).

    Decision (README "Callbacks"): the amount is optional. One that is no number at all is a body
    of the wrong shape, refused like any other field (CallbackRejected, 400). A number that cannot
    be a real amount (zero, negative, more than two decimals, too large) does not refuse the event:
    a 400 would make the provider retry a body that can never pass and lose the status change it
    reports. The event is stored without an amount and marked `invalid_amount`: never trusted,
    never verified, never matched to a payout, never moves the transaction's status.
    """
    if value is None:
        return None, None
    amount = None if isinstance(value, bool) or not isinstance(value, (int, Decimal, str)) else to_decimal(value)
    if amount is None:  # also "NaN" / "Infinity" as text: to_decimal takes only finite numbers
        raise CallbackRejected("amount must be a number")
    if amount <= 0:
        return None, "amount is not positive"
    if amount >= _AMOUNT_LIMIT:
        return None, "amount is too large to be real"
    if amount != amount.quantize(Decimal("0.01")):
        return None, "amount has more than two decimals"
    return amount, None


def _refuse_constant(name: str) -> None:
    raise ValueError(name)  # NaN / Infinity are not JSON


class CallbackIntake:
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
        self._clock = clock or (lambda: datetime.now(timezone.utc))
        self._claimant = f"{os.getpid()}-{uuid.uuid4().hex[:12]}"  # who holds a verification claim

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
            return PlainTextResponse(*_NOT_FOUND)
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
        except Exception:
            log.exception("storing a callback failed")
            return _fail("temporarily unavailable", 503)  # the provider retries
        return JSONResponse({"success": True})

    def accept(self, event: Mapping[str, Any], source_ip: str | None = None) -> bool:
        """Store a parsed event; True when new, False for a repeated delivery."""
        key, final = status_key(event["status_text"])
        amount, problem = read_amount(event.get("amount"))  # again: accept() is also called with dicts
        problem = event.get("amount_problem") or problem
        impossible_amount = problem is not None
        row = {
            "transaction_id": event["transaction_id"], "status": key, "status_text": event["status_text"],
            "amount": amount, "amount_kurus": to_kurus(amount) if amount is not None else None,
            "username": event.get("username"), "description": event.get("description"),
            "completed_at_text": event.get("completed_at"),
            "raw_json": event.get("raw_json") or json.dumps(dict(event), default=str),
            "received_at": self._clock(), "source_ip": source_ip,
            "verification": INVALID_AMOUNT if impossible_amount else "pending",
        }  # fmt: skip
        if impossible_amount:
            log.warning("callback for transaction %s kept as %s: %s", event["transaction_id"], INVALID_AMOUNT,
                        problem)  # fmt: skip
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

    # -- verification ---------------------------------------------------------------------

    def backlog(self) -> tuple[int, datetime | None]:
        """(events waiting for verification, when the oldest of them was received)."""
        return self._store.callbacks.backlog()

    def verify_pending(
        self, client: Any, *, limit: int = 100, limiter: RateLimiter | None = None, workers: int = 1
    ) -> dict[str, int]:
        """Check up to `limit` pending events against transaction-status, oldest first, one call per
        transaction, `workers` calls at once, paced by `limiter`. The events are claimed first (see
        the module docstring). Returns counts per outcome.

        A network or server error stops the run (it would fail for the rest too); the events not
        checked stay `pending` and their claims are given back for the next run.
        """
        now = self._clock()
        hold = CLAIM_FOR + timedelta(seconds=limit / limiter.rate if limiter else 0)
        events = self._store.callbacks.claim_pending(claimant=self._claimant, now=now, until=now + hold, limit=limit)
        by_tx: dict[int, list[CallbackEventRow]] = {}
        for e in events:
            by_tx.setdefault(e.transaction_id, []).append(e)
        stop = threading.Event()

        def check(transaction_id: int) -> dict[str, int] | None:
            if limiter is not None and not stop.is_set():
                limiter.acquire()
            return None if stop.is_set() else self._verify_transaction(client, transaction_id, by_tx[transaction_id], stop)

        with ThreadPoolExecutor(max_workers=max(1, workers), thread_name_prefix="verify") as pool:
            results = list(pool.map(check, by_tx))
        counts = {"verified": 0, "superseded": 0, "mismatch": 0, "unverified": 0, "errors": 0}
        unchecked: list[int] = []
        for transaction_id, result in zip(by_tx, results):
            if result is None or result.get("errors"):
                unchecked += [e.id for e in by_tx[transaction_id]]
            for outcome, n in (result or {}).items():
                counts[outcome] += n
        self._store.callbacks.release_claims(unchecked, claimant=self._claimant)
        return counts

    def _verify_transaction(
        self, client: Any, transaction_id: int, group: list[CallbackEventRow], stop: threading.Event
    ) -> dict[str, int]:
        """One status check for the events of one transaction; counts per outcome."""
        try:
            api = client.get_transaction_status(transaction_id)
        except Exception as exc:  # noqa: BLE001
            if isinstance(exc, (NotFoundError, ValidationError)):
                self._store.callbacks.set_verification(
                    [e.id for e in group], verification="unverified", at=self._clock(), api_status_text=None
                )
                log.warning("callback for unknown transaction %s flagged unverified", transaction_id)
                return {"unverified": len(group)}
            if not stop.is_set():
                stop.set()
                log.warning("verifying callbacks stopped: %s", type(exc).__name__)
            return {"errors": 1}
        self._record_check(transaction_id, api)
        api_key, _ = status_key(getattr(api, "status", None))
        api_text = getattr(api, "status_text", None) or api_key
        api_amount = getattr(api, "amount", None)
        counts: dict[str, int] = {}
        for e in group:
            outcome = _verdict(e, api_key, api_amount)
            self._store.callbacks.set_verification([e.id], verification=outcome, at=self._clock(),
                                                  api_status_text=api_text)  # fmt: skip
            counts[outcome] = counts.get(outcome, 0) + 1
        return counts

    def _record_check(self, transaction_id: int, api: Any) -> None:
        key, final = status_key(getattr(api, "status", None))
        self._store.callbacks.record_status_check({
            "transaction_id": transaction_id, "checked_at": self._clock(), "source": "callback",
            "status": key, "status_text": getattr(api, "status_text", None), "status_final": final,
            "amount": to_decimal(getattr(api, "amount", None)),
            "created_at": getattr(api, "created_at", None), "completed_at": getattr(api, "completed_at", None),
        })  # fmt: skip


def _verdict(event: CallbackEventRow, api_key: str, api_amount: Any) -> str:
    api_amount = to_decimal(api_amount)
    amount_differs = event.amount is not None and api_amount is not None and event.amount != api_amount
    if event.status == api_key and not amount_differs:
        return "verified"
    _, event_final = status_key(event.status_text)
    return "mismatch" if event_final or amount_differs else "superseded"


def _fail(message: str, status: int) -> JSONResponse:
    return JSONResponse({"success": False, "message": message}, status_code=status)


def make_callback_route(intake: CallbackIntake, path: str = "/callbacks/{token}") -> Route:
    """The Starlette route to mount into the console's server (st.App(routes=[...]))."""
    return Route(path, intake.handle, methods=["POST"], name="enigmapay_callback")


# -- timeline -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class TimelineItem:
    at: datetime
    source: str  # "journal" | "callback" | "status_check"
    title: str
    status_text: str | None = None
    detail: str = ""


def timeline(store: Store, transaction_id: int) -> list[TimelineItem]:
    """Everything known about one provider transaction -- journal, callbacks, status checks -- by time."""
    items: list[TimelineItem] = []
    for op in store.operations.by_transaction(transaction_id):
        who = f"by {op.actor}, operation {op.id[:8]}"
        items.append(TimelineItem(op.created_at, "journal", f"{op.kind} submitted", None, who))
        items.append(TimelineItem(op.updated_at, "journal", f"{op.kind} {op.state}",
                                  op.status_text, op.message or ""))  # fmt: skip
    for e in store.callbacks.events(limit=10_000, transaction_id=transaction_id, oldest_first=True):
        repeats = f", delivered {e.delivery_count}x" if e.delivery_count > 1 else ""
        items.append(TimelineItem(e.received_at, "callback", "callback received", e.status_text,
                                  f"verification: {e.verification}{repeats}"))  # fmt: skip
    for c in store.callbacks.status_checks(transaction_id):
        items.append(TimelineItem(c.checked_at, "status_check", "status checked", c.status_text or c.status,
                                  f"source: {c.source}"))  # fmt: skip
    return sorted(items, key=lambda item: item.at)


# -- access-log redaction -----------------------------------------------------------------------

_TOKEN_IN_PATH = re.compile(r"(/callbacks/)[^/?\s]+")


class _RedactCallbackToken(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.args, tuple):
            record.args = tuple(_TOKEN_IN_PATH.sub(r"\1***", a) if isinstance(a, str) else a for a in record.args)
        if isinstance(record.msg, str):
            record.msg = _TOKEN_IN_PATH.sub(r"\1***", record.msg)
        return True


def redact_access_log(logger_name: str = "uvicorn.access") -> None:
    """Replace the token in logged callback paths by ***. Idempotent."""
    logger = logging.getLogger(logger_name)
    if not any(isinstance(f, _RedactCallbackToken) for f in logger.filters):
        logger.addFilter(_RedactCallbackToken())
