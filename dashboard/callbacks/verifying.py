"""Verifying stored callbacks against transaction-status, oldest first, at a set rate."""

from __future__ import annotations

import logging
import math
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta
from typing import Any

from dashboard.client.errors import NotFoundError, ValidationError
from dashboard.journal import status_key
from dashboard.money import to_decimal
from dashboard.store import CallbackEventRow, Store

log = logging.getLogger(__name__)

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


class Verifying:
    """The half of `CallbackIntake` that checks stored events; claimed first, so one process checks each."""

    _store: Store
    _clock: Callable[[], datetime]
    _claimant: str

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
            return (
                None if stop.is_set() else self._verify_transaction(client, transaction_id, by_tx[transaction_id], stop)
            )

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
        except Exception as exc:
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
            self._store.callbacks.set_verification(
                [e.id], verification=outcome, at=self._clock(), api_status_text=api_text
            )
            counts[outcome] = counts.get(outcome, 0) + 1
        return counts

    def _record_check(self, transaction_id: int, api: Any) -> None:
        key, final = status_key(getattr(api, "status", None))
        self._store.callbacks.record_status_check(
            {
                "transaction_id": transaction_id,
                "checked_at": self._clock(),
                "source": "callback",
                "status": key,
                "status_text": getattr(api, "status_text", None),
                "status_final": final,
                "amount": to_decimal(getattr(api, "amount", None)),
                "created_at": getattr(api, "created_at", None),
                "completed_at": getattr(api, "completed_at", None),
            }
        )


def _verdict(event: CallbackEventRow, api_key: str, api_amount: Any) -> str:
    api_amount = to_decimal(api_amount)
    amount_differs = event.amount is not None and api_amount is not None and event.amount != api_amount
    if event.status == api_key and not amount_differs:
        return "verified"
    _, event_final = status_key(event.status_text)
    return "mismatch" if event_final or amount_differs else "superseded"
