"""Generation counters: how a replica learns that money moved on another one.

A payout or card payment bumps counter `name` in the store (and, in the same transaction, makes
the shared answers named stale). Every replica reads the counter at most once every READ_EVERY
seconds (a page render does not pay a query each time) and drops its cached balances and history
when it sees a newer value: another replica's payout shows up here within READ_EVERY seconds.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterable
from datetime import UTC, datetime

from dashboard.store import StoreUnavailable
from dashboard.store.fleet import FleetRepository

READ_EVERY = 3.0
log = logging.getLogger(__name__)


class GenerationWatch:
    """Counter `name` of the store, as this process last read it. Thread-safe."""

    def __init__(
        self,
        fleet: FleetRepository,
        name: str,
        *,
        every: float = READ_EVERY,
        monotonic: Callable[[], float] = time.monotonic,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self._fleet, self.name, self._every = fleet, name, every
        self._monotonic, self._clock = monotonic, clock
        self._lock = threading.Lock()
        self._value: int | None = None
        self._read_at = float("-inf")

    def __repr__(self) -> str:
        return f"GenerationWatch({self.name!r}, value={self._value})"

    def current(self) -> int:
        """The counter, read from the store when the last read is READ_EVERY seconds old."""
        with self._lock:
            if self._value is None or self._monotonic() - self._read_at >= self._every:
                read_at = self._monotonic()
                try:
                    value = self._fleet.generation(self.name)
                except StoreUnavailable:
                    value = self._value or 0  # the database is out of reach: keep what we knew
                self._value, self._read_at = max(value, self._value or 0), read_at
            return self._value

    def bump(self, stale_answers: Iterable[str] = ()) -> int:
        """Money moved here: move the counter on (and the shared answers named stale); this process
        sees the new value at once."""
        try:
            value = self._fleet.bump(self.name, at=self._clock(), stale_answers=stale_answers)
        except StoreUnavailable:
            # Money moved already (the caller drops this replica's caches); the other replicas see it
            # when their caches expire (a minute for balances, the history TTL), not within READ_EVERY.
            log.warning("generation %s: the store cannot be reached; other replicas are not told", self.name)
            value = self._value or 0
        with self._lock:
            self._value, self._read_at = max(value, self._value or 0), self._monotonic()
            return self._value
