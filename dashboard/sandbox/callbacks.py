"""Outbound callback delivery: POST each status change to the dealer's URL, retrying with backoff.

Several worker threads deliver, so events may arrive out of order, and a retried event can
overtake a newer one, as the provider's own deliveries may (see docs/api-contract.md, section 7).
"""

from __future__ import annotations

import heapq
import itertools
import threading
import time
from dataclasses import dataclass, field
from typing import Any

import httpx


@dataclass
class Delivery:
    """One event's delivery: the last answer, and every attempt's status (None = no answer)."""

    url: str
    body: dict[str, Any]
    status: int | None = None
    attempts: int = 0
    delivered: bool = False
    error: str | None = None
    history: list[int | None] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {
            "url": self.url,
            "body": self.body,
            "status": self.status,
            "attempts": self.attempts,
            "delivered": self.delivered,
            "error": self.error,
            "history": list(self.history),
        }


class CallbackDispatcher:
    """A delay queue of deliveries served by worker threads started on first use."""

    def __init__(self, attempts: int = 4, backoff: float = 0.5, timeout: float = 5.0, workers: int = 2) -> None:
        self._max_attempts = max(1, attempts)
        self._backoff = backoff
        self._timeout = timeout
        self._workers_wanted = max(1, workers)
        self._cond = threading.Condition()
        self._queue: list[tuple[float, int, Delivery]] = []  # (due monotonic time, seq, delivery)
        self._seq = itertools.count()
        self._deliveries: list[Delivery] = []
        self._unfinished = 0
        self._closed = False
        self._threads: list[threading.Thread] = []
        self._http: httpx.Client | None = None

    def submit(self, url: str, body: dict[str, Any]) -> None:
        with self._cond:
            if self._closed:
                return
            self._start_workers()
            delivery = Delivery(url=url, body=body)
            self._deliveries.append(delivery)
            self._unfinished += 1
            heapq.heappush(self._queue, (time.monotonic(), next(self._seq), delivery))
            self._cond.notify()

    def deliveries(self) -> list[Delivery]:
        """Snapshot copies, safe to inspect while workers keep delivering."""
        with self._cond:
            return [Delivery(**{**d.__dict__, "history": list(d.history)}) for d in self._deliveries]

    def wait_idle(self, timeout: float = 10.0) -> bool:
        """Block until every submitted event is delivered or has used up its attempts."""
        deadline = time.monotonic() + timeout
        with self._cond:
            while self._unfinished:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    return False
                self._cond.wait(remaining)
            return True

    def close(self) -> None:
        with self._cond:
            self._closed = True
            self._cond.notify_all()
        for thread in self._threads:
            thread.join(timeout=self._timeout + 1)
        if self._http is not None:
            self._http.close()

    def _start_workers(self) -> None:
        if self._threads:
            return
        # trust_env=False: a proxy from the environment must not swallow loopback callbacks.
        self._http = httpx.Client(timeout=self._timeout, trust_env=False)
        for i in range(self._workers_wanted):
            thread = threading.Thread(target=self._work, name=f"sandbox-callbacks-{i}", daemon=True)
            thread.start()
            self._threads.append(thread)

    def _next(self) -> Delivery | None:
        with self._cond:
            while not self._closed:
                if self._queue:
                    wait = self._queue[0][0] - time.monotonic()
                    if wait <= 0:
                        return heapq.heappop(self._queue)[2]
                    self._cond.wait(wait)
                else:
                    self._cond.wait()
            return None

    def _work(self) -> None:
        assert self._http is not None
        while (delivery := self._next()) is not None:
            status: int | None = None
            error: str | None = None
            try:
                status = self._http.post(delivery.url, json=delivery.body).status_code
            except httpx.HTTPError as exc:
                error = f"{type(exc).__name__}: {exc}"
            with self._cond:
                delivery.attempts += 1
                delivery.status, delivery.error = status, error
                delivery.history.append(status)
                delivery.delivered = status == 200
                if delivery.delivered or delivery.attempts >= self._max_attempts or self._closed:
                    self._unfinished -= 1
                    self._cond.notify_all()
                else:
                    due = time.monotonic() + self._backoff * 2 ** (delivery.attempts - 1)
                    heapq.heappush(self._queue, (due, next(self._seq), delivery))
                    self._cond.notify()
