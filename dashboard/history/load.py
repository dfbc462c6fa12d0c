"""One history per IBAN selection and dates, through the frame cache: served from it, sliced from a
cached history that covers it, or fetched (only the IBANs no cached history of those dates holds) --
with a mirror (history/mirrored.py), only the days its planner names are fetched, the rest read from
the store.

Sessions asking for the same history at once share one fetch. After a failed fetch the IBANs that
did arrive stay cached (a retry fetches only the others) and the last good history is answered,
with the error. No Streamlit: `data_access` gives it the process's cache and client.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Protocol

import pandas as pd

from dashboard.client import models
from dashboard.client.errors import EnigmaPayError
from dashboard.history.assemble import Part, frame_part, select_ibans
from dashboard.history.cache import FrameCache, history_key
from dashboard.history.fetch import ProgressCallback, fetch_history
from dashboard.history.ingest import empty_frame
from dashboard.history.mirrored import MirrorSync
from dashboard.timeutil import now

Answer = tuple[pd.DataFrame | None, datetime | None, EnigmaPayError | None]  # value, fetched at, error


class LastGood(Protocol):
    """Where the last successful answer per key is kept, so a failed refresh can fall back to it."""

    def get(self, key: tuple) -> tuple[Any, datetime] | tuple[None, None]: ...

    def put(self, key: tuple, value: Any, fetched_at: datetime) -> None: ...


@dataclass(frozen=True)
class HistoryLoader:
    """Loads histories for one set of credentials into `cache`; `client()` is asked for the API
    client only when something must be fetched."""

    cache: FrameCache
    client: Callable[[], Any]
    fingerprint: str
    tz: str
    last_good: LastGood
    mirror: MirrorSync | None = None  # None: every fetch asks the API for the whole range (no store)

    def load(
        self,
        ibans: Sequence[models.Iban],
        start: date | None,
        end: date | None,
        progress: ProgressCallback | None = None,
    ) -> Answer:
        """Transactions of `ibans` between two local dates, one frame, newest first.

        `progress(done, total, iban)` is called from the calling (script) thread as IBANs arrive.
        """
        key = history_key(self.fingerprint, (i.id for i in ibans), start, end)
        hit = self.cache.get(key)
        if hit is not None:
            return hit[0], hit[1], None
        with self.cache.fetch_lock(key):  # a second session waits for the first one's fetch
            hit = self.cache.get(key)
            if hit is not None:
                return hit[0], hit[1], None
            return self._fetch(key, ibans, start, end, progress)

    def _fetch(
        self,
        key: tuple,
        ibans: Sequence[models.Iban],
        start: date | None,
        end: date | None,
        progress: ProgressCallback | None,
    ) -> Answer:
        cache, tz = self.cache, self.tz
        wanted = frozenset(i.id for i in ibans)
        base = cache.covering(self.fingerprint, wanted, start, end)
        parts: list[Part] = []
        oldest: datetime | None = None
        have: frozenset[int] = frozenset()
        if base is not None:
            covering_key, frame, oldest, stamp = base
            have = frozenset(covering_key[2]) & wanted
            rows = frame if set(covering_key[2]) <= wanted else select_ibans(frame, have)
            if have == wanted:  # a covering history: slice it, keep its age (and its TTL)
                cache.put(key, rows, oldest, stamp=stamp)
                return rows, oldest, None
            parts.append(frame_part(rows, tz))
            del rows, frame
        missing = [i for i in ibans if i.id not in have]
        total, done = len(ibans), len(ibans) - len(missing)
        if progress:
            progress(done, total, "")
        if self.mirror is not None and start is not None and end is not None:
            # Only the days the planner names are fetched; the rest is read from the mirror.
            combined, got, error = self.mirror.load(
                self.client(), missing, start, end, tz, progress, done=done, total=total, parts=parts
            )
        else:
            combined, got, error = fetch_history(
                self.client(), missing, start, end, tz, progress, done=done, total=total, parts=parts
            )
        fetched_at = now(tz)
        oldest = fetched_at if oldest is None else min(oldest, fetched_at)
        if error is not None:
            if combined is not None:  # keep what did arrive: a retry fetches only the IBANs that failed
                cache.put(history_key(self.fingerprint, have | {i.id for i in got}, start, end), combined, oldest)
            stale, at = self.last_good.get(key)
            return stale, at, error
        combined = combined if combined is not None else empty_frame(tz)
        cache.put(key, combined, oldest)
        self.last_good.put(key, combined, oldest)
        return combined, oldest, None
