"""How many transaction pages the whole client has in flight, whose turn is next, and how a 429 slows them.

One `PagePacer` per client. Every page of every listing (an IBAN's first page, a page followed along
`next_page_url`, the pages of a fan-out) asks it for a turn (`with Slot(...)`) around its request, so at
most the window (never more than the client's `page_concurrency`) are in flight for the whole client,
however many IBANs are loaded at once.

Whose turn: first pages before all others (an IBAN just asked for learns its page count, and its
fan-out can start), then the listing with the fewest pages in flight, then the one served longest ago
(round robin), then the lowest page number (the consumer waits for pages in order). An IBAN with 500
pages gets its share, not the whole window, while 19 small ones wait.

A 429 halves the window, holds every new turn until Retry-After has passed (or the client's backoff
when the server gave none), and a whole window's worth of pages answered without one gives a slot back.
"""

from __future__ import annotations

import itertools
import threading
import time
from collections.abc import Callable

POLL = 1.0  # seconds a waiting turn sleeps at most before it looks again (a safety net: grants wake it)


class Stopped(Exception):
    """The listing was stopped (an error elsewhere, or the consumer went away): do not start the page."""


class Listing:
    """One listing's share of the pacer: its pages in flight and when it was last given a turn."""

    __slots__ = ("in_flight", "served")

    def __init__(self) -> None:
        self.in_flight = 0
        self.served = 0  # the pacer's grant count when this listing last got a turn (0: never)


class Slot:
    """One page's turn, reusable over its retries: `with slot:` waits for a turn and holds it; `started`
    is when the last turn began. `stop` set: a waiting turn raises `Stopped` instead of starting."""

    __slots__ = ("arrival", "event", "first", "granted", "listing", "number", "pacer", "started", "stop")

    def __init__(
        self,
        pacer: PagePacer,
        listing: Listing,
        number: int,
        *,
        first: bool = False,
        stop: threading.Event | None = None,
    ) -> None:
        self.pacer, self.listing, self.number, self.first, self.stop = pacer, listing, number, first, stop
        self.event = threading.Event()
        self.granted = False
        self.arrival = 0
        self.started = 0.0

    def rank(self) -> tuple[int, int, int, int, int]:
        """Lowest goes first (read under the pacer's lock)."""
        return (0 if self.first else 1, self.listing.in_flight, self.listing.served, self.number, self.arrival)

    def __enter__(self) -> Slot:
        self.pacer.acquire(self)
        return self

    def __exit__(self, *exc: object) -> None:
        self.pacer.release(self)


class PagePacer:
    """The client's pages in flight (at most the window), whose turn is next, and when it may start."""

    def __init__(self, ceiling: int, *, clock: Callable[[], float] = time.monotonic) -> None:
        self.ceiling = ceiling
        self._clock = clock
        self._window = ceiling
        self._calm = 0  # pages answered since the last 429 or the last step up
        self._not_before = 0.0
        self._limited_at = float("-inf")
        self._lock = threading.Lock()
        self._waiting: list[Slot] = []
        self._in_flight = 0
        self._arrivals = itertools.count(1)
        self._grants = itertools.count(1)
        self.rate_limits = 0  # 429s seen, for tests and logs
        self.most_in_flight = 0  # the highest number of pages in flight at once (tests)

    def now(self) -> float:
        return self._clock()

    def window(self) -> int:
        with self._lock:
            return self._window

    def in_flight(self) -> int:
        with self._lock:
            return self._in_flight

    def waiting(self) -> int:
        with self._lock:
            return len(self._waiting)

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
        """A page whose turn began at `started` came back: after a whole window of pages asked for since
        the last 429 came back without one, one more may be in flight."""
        with self._lock:
            if self._window >= self.ceiling or started < self._limited_at:
                return
            self._calm += 1
            if self._calm >= self._window:
                self._window += 1
                self._calm = 0
                self._dispatch()

    # --- turns ------------------------------------------------------------------------------------

    def acquire(self, slot: Slot) -> None:
        """Wait for `slot`'s turn (raises Stopped if its listing is stopped first)."""
        with self._lock:
            slot.arrival, slot.granted = next(self._arrivals), False
            slot.event.clear()
            self._waiting.append(slot)
            self._dispatch()
        while True:
            with self._lock:
                if not slot.granted:
                    self._dispatch()  # a Retry-After may have run out meanwhile
                stopped = slot.stop is not None and slot.stop.is_set()
                if slot.granted and not stopped:
                    return
                if stopped:
                    if slot.granted:  # given a turn as it was stopped: the turn goes to the next
                        self._release(slot)
                    else:
                        self._waiting.remove(slot)
                    raise Stopped
                hold = self._not_before - self._clock()
            slot.event.wait(hold if hold > 0 else POLL)
            slot.event.clear()  # before looking again: a grant after this sets it anew

    def release(self, slot: Slot) -> None:
        with self._lock:
            self._release(slot)

    def _release(self, slot: Slot) -> None:
        self._in_flight -= 1
        slot.listing.in_flight -= 1
        slot.granted = False
        self._dispatch()

    def wake(self, stop: threading.Event) -> None:
        """Wake the turns waiting with `stop` (just set), so they see it at once."""
        with self._lock:
            for slot in self._waiting:
                if slot.stop is stop:
                    slot.event.set()

    def _dispatch(self) -> None:
        """Under the lock: give turns, best rank first, while the window has room and nothing holds."""
        while self._waiting and self._in_flight < self._window and self._not_before <= self._clock():
            slot = min(self._waiting, key=Slot.rank)
            self._waiting.remove(slot)
            slot.granted = True
            slot.started = self._clock()
            slot.listing.in_flight += 1
            slot.listing.served = next(self._grants)
            self._in_flight += 1
            self.most_in_flight = max(self.most_in_flight, self._in_flight)
            slot.event.set()
