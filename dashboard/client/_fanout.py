"""Pages 2..last of one paginated answer, fetched concurrently and yielded in order.

When the first page tells the last one (Laravel `last_page`), the others are plain GETs of `page=N`:
safe to ask for in any order. Each page waits for a turn from the client's `PagePacer` (`_pacer`),
which every listing of the client shares: at most its window of pages in flight for the whole client
(never more than `page_concurrency`), shared fairly between the IBANs loaded at once. A fan-out runs
at most `page_concurrency` pages at once itself and fetches at most twice that many ahead of the page
the consumer is on, so memory stays bounded however long the history is.

A 429 is not retried inside the request: it goes to the pacer, which halves the window for every
listing of the client, holds every new page until Retry-After has passed (or the client's backoff when
the server gave none), and gives one slot back after each window's worth of pages answered without
one. A page rate-limited more than the client's `max_retries` times raises the RateLimitError; any
error stops its own fan-out (nothing more is asked for; other IBANs' fan-outs go on) and is raised
to the consumer in place of the page: never a silently shorter history.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any

from ._pacer import Listing, PagePacer, Slot
from .errors import RateLimitError

__all__ = ["FanOut", "Listing", "PagePacer", "Slot"]


class FanOut:
    """One answer's pages `first..last`, fetched by `fetch(page_number)` on `concurrency` threads, each
    page in its turn of `listing`'s share of the pacer."""

    def __init__(
        self,
        fetch: Callable[[int], Any],
        first: int,
        last: int,
        *,
        pacer: PagePacer,
        listing: Listing,
        concurrency: int,
        max_rate_limited: int,
        backoff: Callable[[int], float],
    ) -> None:
        self._fetch, self._first, self._last = fetch, first, last
        self._pacer, self._listing, self._concurrency = pacer, listing, concurrency
        self._max_rate_limited, self._backoff = max_rate_limited, backoff
        self._stop = threading.Event()

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
        self._pacer.wake(self._stop)  # pages waiting for a turn give up at once
        for future in self._pending.values():
            future.cancel()
        self._pending.clear()
        self._pool.shutdown(wait=True, cancel_futures=True)

    def _one(self, number: int) -> Any:
        slot = Slot(self._pacer, self._listing, number, stop=self._stop)
        limited = 0
        while True:
            with slot:  # raises Stopped instead when the fan-out is stopped meanwhile
                try:
                    page = self._fetch(number)
                except RateLimitError as exc:
                    limited += 1
                    if limited > self._max_rate_limited:
                        raise
                    # Slow everyone down before the turn is given back.
                    wait = exc.retry_after if exc.retry_after is not None else self._backoff(limited - 1)
                    self._pacer.rate_limited(wait)
                    continue
            self._pacer.answered(slot.started)
            return page
