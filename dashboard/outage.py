"""Saying once that the database cannot be reached (no Streamlit).

The background loops and the callback route meet `StoreUnavailable` on every tick / every delivery
while the database is down. `OutageLog` turns that into one warning when an outage starts and one
info line when it ends -- not a traceback per tick, not a line per refused callback.
"""

from __future__ import annotations

import logging
import threading


class OutageLog:
    """One warning per outage of the database for `what` (e.g. "background work"). Thread-safe."""

    def __init__(self, logger: logging.Logger, what: str) -> None:
        self._log = logger
        self._what = what
        self._lock = threading.Lock()
        self._down = False
        self.outages = 0  # how many outages were seen (for tests and the curious)

    @property
    def down(self) -> bool:
        return self._down

    def failed(self, exc: BaseException) -> None:
        """The database could not be reached: warn if this starts an outage, else say nothing."""
        with self._lock:
            if self._down:
                return
            self._down, self.outages = True, self.outages + 1
        # The exception's type only: a driver's message may carry the database URL (and its password).
        self._log.warning(
            "%s: the database cannot be reached (%s); retrying quietly until it is back", self._what, type(exc).__name__
        )

    def worked(self) -> None:
        """The database answered: if an outage was on, say that it is over."""
        with self._lock:
            if not self._down:
                return
            self._down = False
        self._log.info("%s: the database is reachable again", self._what)
