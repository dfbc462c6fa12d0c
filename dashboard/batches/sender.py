"""Sending approved batches: each row once, through the journal, a few at a time, at a set rate.

Exactly once per row: a row's journal operation id is fixed (`desk.operation_id`: batch id + row
number), and the journal claims an id once across reruns, tabs, processes and replicas; a second
submit of it returns the stored entry and calls nothing. On top of that a process claims a row in
the store before sending it, so two processes do not even try the same row; a claim expires
(`claim_ttl`), so the rows a crashed process held are taken again after a restart -- and the
journal then answers with the entry the crash left (pending, settled like any payout, never sent
again). A 429 proves a row was not sent: the row goes back to the queue under a new attempt id and
the whole process slows down (half the rate, and the wait EnigmaPay asked for).

One `BatchSender` per process (dashboard.services) owns a daemon thread that drains the batches
that are sending; `wake()` starts it or makes it look now, and it also looks every `idle_wait`.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import time
import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from typing import Any

from dashboard.batches.desk import AWAITING, CANCELLED, EXPIRED, SENDING, BatchDesk, operation_id
from dashboard.batches.desk import REJECTED as REJECTED_BATCH
from dashboard.client.errors import RateLimitError
from dashboard.client.models import SendMoneyRequest
from dashboard.client.protocol import MoneyClient
from dashboard.journal import REJECTED, ApprovalRequired, Journal
from dashboard.store import BatchItemRow, Store

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 5  # 429s on one row before it is left rejected
CLAIM_CHUNK = 4  # rows a worker claims at once (one commit); each is still checked just before it is sent
DEFAULT_RETRY_AFTER = 1.0


class AdaptiveRate:
    """At most `rate` sends a second across this process's workers; a 429 halves the rate (down to
    `floor`) and holds every worker for the wait EnigmaPay asked; each success wins back a little."""

    def __init__(self, rate: float, *, floor: float = 0.2, clock: Callable[[], float] = time.monotonic) -> None:
        if not rate > 0:
            raise ValueError("rate must be greater than zero")
        self.base = self.rate = float(rate)
        self.floor = min(floor, self.base)
        self._clock = clock
        self._lock = threading.Lock()
        self._next = 0.0

    def acquire(self, stop: threading.Event | None = None) -> None:
        with self._lock:
            now = self._clock()
            slot = max(now, self._next)
            self._next = slot + 1 / self.rate
        wait = slot - now
        if wait > 0:
            if stop is not None:
                stop.wait(wait)
            else:
                time.sleep(wait)

    def slow_down(self, retry_after: float | None) -> None:
        with self._lock:
            self.rate = max(self.floor, self.rate / 2)
            self._next = max(self._next, self._clock() + (retry_after or DEFAULT_RETRY_AFTER))

    def succeeded(self) -> None:
        with self._lock:
            self.rate = min(self.base, self.rate + self.base / 20)


class _Watching:
    """The client for one send, noting a 429 (the journal records it as rejected: nothing was sent)."""

    def __init__(self, client: MoneyClient) -> None:
        self._client = client
        self.rate_limited: float | None = None

    def send_money(self, req: SendMoneyRequest) -> Any:
        try:
            return self._client.send_money(req)
        except RateLimitError as exc:
            self.rate_limited = exc.retry_after if exc.retry_after is not None else DEFAULT_RETRY_AFTER
            raise

    def __getattr__(self, name: str) -> Any:
        return getattr(self._client, name)


class BatchSender:
    """Drains approved batches; thread-safe, one per process."""

    def __init__(
        self,
        desk: BatchDesk,
        store: Store,
        journal: Journal,
        client: Callable[[], MoneyClient],
        *,
        concurrency: int = 4,
        rate: float = 10.0,
        claim_ttl: timedelta = timedelta(minutes=5),
        idle_wait: float = 5.0,
        clock: Callable[[], datetime] | None = None,
    ) -> None:
        if concurrency < 1:
            raise ValueError("concurrency must be at least 1")
        self.desk, self._store, self._journal, self._client = desk, store, journal, client
        self.concurrency = concurrency
        self.rate = AdaptiveRate(rate)
        self.claim_ttl = claim_ttl
        self.idle_wait = idle_wait
        self._clock = clock or (lambda: datetime.now(UTC))
        self.claimant = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._thread_lock = threading.Lock()

    # -- the thread ----------------------------------------------------------------------------

    def wake(self) -> None:
        """Look for work now (starting the thread on first use)."""
        with self._thread_lock:
            if self._stop.is_set():
                return
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(target=self._loop, name="batch-sender", daemon=True)
                self._thread.start()
        self._wake.set()

    def stop(self, timeout: float = 10.0) -> None:
        """Finish the rows in flight, claim no more (their batches go on after a restart)."""
        self._stop.set()
        self._wake.set()
        thread = self._thread
        if thread is not None and thread is not threading.current_thread():
            thread.join(timeout)

    def _loop(self) -> None:
        while not self._stop.is_set():
            self._wake.clear()
            try:
                self.run_once()
            except Exception:
                log.exception("batch sending failed; trying again shortly")
            self._wake.wait(self.idle_wait)

    # -- the work ------------------------------------------------------------------------------

    def run_once(self) -> int:
        """Take up approvals, then send every row of every sending batch; returns rows finished."""
        for batch in self.desk.open_batches():
            if batch.state == AWAITING:
                self.desk.sync(batch.id)
        now = self._clock()
        self._store.batches.release_abandoned(now=now, batch_states=(CANCELLED, REJECTED_BATCH, EXPIRED))
        sent = 0
        for batch in self._store.batches.recent(states=(SENDING,), limit=500):
            if self._stop.is_set():
                break
            sent += self.drain(batch.id)
        return sent

    def drain(self, batch_id: str) -> int:
        """Send the rows of one sending batch with `concurrency` workers until none is left to claim."""
        approval_id = self.desk.approval_id(batch_id)
        if approval_id is None:
            log.warning("batch %s is sending but not approved: nothing sent", batch_id)
            return 0
        batch = self._store.batches.get(batch_id)
        if batch is None:
            return 0
        with ThreadPoolExecutor(self.concurrency, thread_name_prefix="batch-row") as pool:
            counts = list(pool.map(lambda _: self._worker(batch_id, batch.maker, approval_id), range(self.concurrency)))
        self.desk.finish_if_done(batch_id)
        return sum(counts)

    def _worker(self, batch_id: str, maker: str, approval_id: str) -> int:
        done = 0
        while not self._stop.is_set():
            now = self._clock()
            claimed = self._store.batches.claim(
                batch_id,
                claimant=self.claimant,
                now=now,
                until=now + self.claim_ttl,
                limit=CLAIM_CHUNK,
                operation_id=lambda row_no, attempt: operation_id(batch_id, row_no, attempt),
            )
            if not claimed:
                return done
            for item in claimed:
                self.send_row(item, maker, approval_id)  # a pause or cancel meanwhile sends the rest back unsent
                done += 1
        return done

    def send_row(self, item: BatchItemRow, maker: str, approval_id: str) -> None:
        """One claimed row through the journal (its fixed operation id, the batch's approved request),
        then its outcome recorded."""
        self.rate.acquire(self._stop)
        batch = self._store.batches.get(item.batch_id)
        if batch is None or batch.state != SENDING or self._stop.is_set():
            # Paused, cancelled or stopping while this row waited for its slot: it was never sent.
            dropped = batch is None or batch.state in (CANCELLED, REJECTED_BATCH, EXPIRED)
            self._release(item, "cancelled" if dropped else "queued")
            return
        watching = _Watching(self._client())
        try:
            op = self._journal.submit_payout(
                operation_id(item.batch_id, item.row_no, item.attempt),  # the id stored with the claim
                _request(item),
                actor=maker,
                confirm_duplicate=bool(item.confirm_duplicate),
                client=watching,
                approval_id=approval_id,
            )
        except ApprovalRequired:
            # The journal itself found the approval not (or no longer) valid: nothing journaled or sent.
            log.error("batch %s: the journal refused its approval; pausing the batch", item.batch_id)
            self._release(item, "queued")
            self.desk.pause(item.batch_id, actor="system")
            return
        if watching.rate_limited is not None and op.state == REJECTED and item.attempt < MAX_ATTEMPTS:
            self.rate.slow_down(watching.rate_limited)
            log.warning("batch %s row %d: 429, slowing down and trying it again", item.batch_id, item.row_no)
            self._release(item, "queued", attempt=item.attempt + 1)
            return
        if watching.rate_limited is None:
            self.rate.succeeded()
        self._release(item, "done")

    def _release(self, item: BatchItemRow, state: str, **changes: Any) -> None:
        """The claimed row leaves `sending`: done, back in the queue, or cancelled."""
        changes["updated_at"] = self._clock()
        self._store.batches.finish(item.batch_id, item.row_no, claimant=self.claimant, changes=changes, state=state)


def _request(item: BatchItemRow) -> SendMoneyRequest:
    """The row's payout as checked when the file was previewed (the form's checks, stored with the row)."""
    return SendMoneyRequest(
        username=item.username or "",
        amount=item.amount,  # type: ignore[arg-type]
        customer_iban=item.customer_iban or "",
        customer_name=item.customer_name or "",
        description=item.description or "",
    )
