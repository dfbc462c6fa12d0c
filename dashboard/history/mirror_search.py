"""The process's all-time search over the history mirror: one `SearchIndex`, loaded from the store
once (every IBAN, every synced day), then refreshed from the days synced since -- by this replica
or by any other on the same database, so a search sees rows another replica fetched.

Refreshing: at most every `refresh_every` seconds a search asks the store which days were synced
since the last look (minus `overlap`, for a replica whose clock or commit lagged); a day whose sync
time this index has not applied yet is read again from the mirror (rows the API stopped reporting
included, marked) and replaces that day in a new index. Searches never wait for a refresh: one
thread refreshes, the others keep using the index they have. Only the first load is waited for.
A due refresh runs on a daemon thread: the search that found it due is answered from the current
index, and the next ones see the refreshed index. No Streamlit.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterable
from datetime import date, datetime, timedelta

import pandas as pd

from dashboard.history.search import SearchIndex, SearchResult
from dashboard.store.mirror import MirrorRepository
from dashboard.store.mirror_changes import MirrorChanges, SyncedDay

log = logging.getLogger(__name__)

REFRESH_EVERY = 10.0  # seconds between two looks at the store for newly synced days
OVERLAP = timedelta(minutes=2)  # re-check days synced this long before the last one seen


def runs(days: Iterable[date]) -> list[tuple[date, date]]:
    """Sorted days as contiguous ranges: [1, 2, 3, 7] -> [(1, 3), (7, 7)]."""
    out: list[tuple[date, date]] = []
    for day in sorted(set(days)):
        if out and day == out[-1][1] + timedelta(days=1):
            out[-1] = (out[-1][0], day)
        else:
            out.append((day, day))
    return out


class MirrorSearch:
    """All-time search and a customer's rows, from an index of the whole mirror kept fresh."""

    def __init__(
        self,
        mirror: MirrorRepository,
        changes: MirrorChanges,
        tz: str,
        *,
        refresh_every: float = REFRESH_EVERY,
        overlap: timedelta = OVERLAP,
        clock: Callable[[], float] = time.monotonic,
        background: bool = True,
    ) -> None:
        self._mirror, self._changes, self._tz = mirror, changes, tz
        self._every, self._overlap, self._clock = refresh_every, overlap, clock
        self._lock = threading.Lock()
        self._background = background  # refresh on a daemon thread (False: in the searching thread, for tests)
        self._warming = threading.Event()
        self._index: SearchIndex | None = None
        self._applied: dict[tuple[int, date], datetime] = {}
        self._since: datetime | None = None
        self._checked = float("-inf")
        self.loads = 0  # full loads and refreshes that read rows (tests, benchmarks)
        self.refreshes = 0

    def search(self, query: str, limit: int = 200) -> SearchResult:
        return self.index().search(query, limit)

    def of_username(self, username: str) -> pd.DataFrame:
        return self.index().of_username(username)

    def index(self) -> SearchIndex:
        """The current index: loaded on first use, refreshed when a look is due (without waiting
        for another thread's refresh)."""
        current = self._index
        if current is None:
            with self._lock:
                if self._index is None:
                    self._load()
                return self._index  # type: ignore[return-value]
        if self._clock() - self._checked >= self._every and self._lock.acquire(blocking=False):
            if not self._background:
                try:
                    self._refresh()
                finally:
                    self._lock.release()
            else:
                threading.Thread(target=self._refresh_and_release, name="search-refresh", daemon=True).start()
        return self._index  # type: ignore[return-value]

    def _refresh_and_release(self) -> None:
        try:
            self._refresh()
        except Exception as exc:  # e.g. the store unreachable: the next look retries
            log.info("search index not refreshed: %s", type(exc).__name__)
        finally:
            self._lock.release()

    def warm(self) -> None:
        """Load the index on a daemon thread if nobody has yet, or start a due refresh (the sidebar asks
        on every page, so a search rarely waits for a load or meets a stale index). A failure is left
        for the next search to meet."""
        if self._index is not None:
            self.index()  # loaded: a due look starts a refresh in the background, so searches find it done
            return
        if self._warming.is_set():
            return
        self._warming.set()

        def load() -> None:
            try:
                self.index()
            except Exception as exc:  # e.g. the store unreachable: the next search retries, and says so
                log.info("search index not loaded in the background: %s", type(exc).__name__)
            finally:
                self._warming.clear()

        threading.Thread(target=load, name="search-index", daemon=True).start()

    def refresh_now(self) -> SearchIndex:
        """Look for newly synced days now (waits for a refresh already running)."""
        with self._lock:
            if self._index is None:
                self._load()
            else:
                self._refresh()
        return self._index  # type: ignore[return-value]

    def _load(self) -> None:
        days = self._changes.days_synced_since(None)
        ids = sorted({d.iban_id for d in days})
        index = SearchIndex.empty(self._tz)
        if ids:
            index = index.with_rows(self._mirror.read(ids, None, None, self._tz))  # the fast block path
        for iban_id, missing_days in sorted(self._changes.days_with_missing_rows().items()):
            index = self._reread(index, iban_id, missing_days)  # the rows the blocks leave out, marked
        self._remember(days)
        self._index, self._checked = index, self._clock()
        self.loads += 1

    def _refresh(self) -> None:
        since = None if self._since is None else self._since - self._overlap
        days = self._changes.days_synced_since(since)
        self._checked = self._clock()
        fresh = [d for d in days if self._applied.get((d.iban_id, d.day)) != d.synced_at]
        if not fresh:
            return
        index = self._index or SearchIndex.empty(self._tz)
        for iban_id in sorted({d.iban_id for d in fresh}):
            index = self._reread(index, iban_id, [d.day for d in fresh if d.iban_id == iban_id])
        self._remember(fresh)
        self._index = index
        self.refreshes += 1

    def _reread(self, index: SearchIndex, iban_id: int, days: Iterable[date]) -> SearchIndex:
        for first, last in runs(days):
            rows = self._mirror.read([iban_id], first, last, self._tz, include_missing=True)
            index = index.replace_days(iban_id, pd.date_range(first, last, freq="D").date, rows)
        return index

    def _remember(self, days: Iterable[SyncedDay]) -> None:
        for d in days:
            self._applied[(d.iban_id, d.day)] = d.synced_at
            if self._since is None or d.synced_at > self._since:
                self._since = d.synced_at
