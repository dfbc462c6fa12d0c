"""Pages 2..last of one paginated answer, fetched concurrently and yielded in order.

When the first page tells the last one (Laravel `last_page`), the others are plain GETs of `page=N`:
safe to ask for in any order. A fan-out keeps at most the pacer's window of them in flight (never
more than the client's `page_concurrency`) and at most twice that many fetched ahead of the page the
consumer is on, so memory stays bounded however long the history is.

A 429 is not retried inside the request: it goes to the `PagePacer`, which every fan-out of the client
shares. It halves the window (fewer pages in flight everywhere), holds every new page until
Retry-After has passed (or the client's backoff when the server gave none), and gives one slot back
after each window's worth of pages answered without one. A page rate-limited more than the client's
`max_retries` times raises the RateLimitError; any error stops the fan-out (nothing more is asked
for) and is raised to the consumer in place of the page: never a silently shorter history.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any

from .errors import RateLimitError


class PagePacer:
    """How many pages each fan-out of one client may have in flight, and when the next may start."""

    def __init__(self, ceiling: int, *, clock: Callable[[], float] = time.monotonic) -> None:
        self.ceiling = ceiling
        self._clock = clock
        self._window = ceiling
        self._calm = 0  # pages answered since the last 429 or the last step up
        self._not_before = 0.0
        self._limited_at = float("-inf")
        self._lock = threading.Lock()
        self.rate_limits = 0  # 429s seen, for tests and logs

    def now(self) -> float:
        return self._clock()

    def window(self) -> int:
        with self._lock:
            return self._window

    def delay(self) -> float:
        """Seconds until a new page may start (0 when it may start now)."""
        with self._lock:
            return max(0.0, self._not_before - self._clock())

    def rate_limited(self, wait: float) -> None:
        """A 429: half as many pages in flight, and none started before `wait` seconds from now."""
        with self._lock:
            self.rate_limits += 1
            self._window = max(1, self._window // 2)
            self._calm = 0
            self._limited_at = self._clock()
            self._not_before = max(self._not_before, self._limited_at + wait)

    def answered(self, started: float) -> None:
        """A page asked for at `started` came back: after a whole window of pages asked for since the
        last 429 came back without one, one more may be in flight."""
        with self._lock:
            if self._window >= self.ceiling or started < self._limited_at:
                return
            self._calm += 1
            if self._calm >= self._window:
                self._window += 1
                self._calm = 0


class _Stopped(Exception):
    """The fan-out was stopped (an error elsewhere, or the consumer went away): do not start the page."""


class FanOut:
    """One answer's pages `first..last`, fetched by `fetch(page_number)` on `concurrency` threads."""

    def __init__(
        self,
        fetch: Callable[[int], Any],
        first: int,
        last: int,
        *,
        pacer: PagePacer,
        concurrency: int,
        max_rate_limited: int,
        backoff: Callable[[int], float],
    ) -> None:
        self._fetch, self._first, self._last = fetch, first, last
        self._pacer, self._concurrency = pacer, concurrency
        self._max_rate_limited, self._backoff = max_rate_limited, backoff
        self._stop = threading.Event()
        self._slots = threading.Condition()
        self._in_flight = 0
        self.most_in_flight = 0  # the highest in-flight count this fan-out reached (tests)

    def start(self) -> Iterator[Any]:
        """Ask for the first pages now; the returned iterator yields every page in order and raises a
        page's error in its place. `close()` (also run when the iterator ends) stops every thread."""
        self._pool = ThreadPoolExecutor(max_workers=self._concurrency, thread_name_prefix="enigmapay-pages")
        self._pending: dict[int, Future] = {}
        self._following = self._first
        self._submit_ahead(self._first)
        return self._in_order()

    def _submit_ahead(self, number: int) -> None:
        while self._following <= self._last and self._following < number + 2 * self._concurrency:
            self._pending[self._following] = self._pool.submit(self._one, self._following)
            self._following += 1

    def _in_order(self) -> Iterator[Any]:
        try:
            for number in range(self._first, self._last + 1):
                self._submit_ahead(number)
                page = self._pending.pop(number).result()  # raises the page's error
                yield page
                del page
        finally:
            self.close()

    def close(self) -> None:
        """Stop: no page is started any more, those not started are dropped, running ones are awaited."""
        self._stop.set()
        with self._slots:
            self._slots.notify_all()
        for future in self._pending.values():
            future.cancel()
        self._pending.clear()
        self._pool.shutdown(wait=True, cancel_futures=True)

    def _one(self, number: int) -> Any:
        limited = 0
        while True:
            self._take_slot()
            started = self._pacer.now()
            try:
                page = self._fetch(number)
            except RateLimitError as exc:
                limited += 1
                if limited <= self._max_rate_limited:  # slow everyone down before the slot is free again
                    wait = exc.retry_after if exc.retry_after is not None else self._backoff(limited - 1)
                    self._pacer.rate_limited(wait)
                self._give_slot()
                if limited > self._max_rate_limited:
                    raise
                continue
            except BaseException:
                self._give_slot()
                raise
            self._give_slot()
            self._pacer.answered(started)
            return page

    def _take_slot(self) -> None:
        """Wait until this fan-out has fewer than the pacer's window in flight and no Retry-After holds."""
        with self._slots:
            while True:
                if self._stop.is_set():
                    raise _Stopped
                delay = self._pacer.delay()
                if delay <= 0 and self._in_flight < self._pacer.window():
                    break
                # Woken by a slot given back; also polls, as the window grows and the wait ends by themselves.
                self._slots.wait(min(delay, 0.05) if delay > 0 else 0.05)
            self._in_flight += 1
            self.most_in_flight = max(self.most_in_flight, self._in_flight)

    def _give_slot(self) -> None:
        with self._slots:
            self._in_flight -= 1
            self._slots.notify_all()
