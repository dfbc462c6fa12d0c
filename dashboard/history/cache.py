"""The process's cache of history frames: one frame per IBAN selection and date range, with a TTL,
and the filtered views of each.

Frames are large (a year can be a million rows), so they are shared by every session as they are:
never pickled, never copied on a rerun, read-only for whoever gets one. No Streamlit: `data_access`
keeps the one instance per process.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Iterable
from datetime import date, datetime

import pandas as pd

from dashboard.history.filters import TransactionFilter
from dashboard.history.view import HistoryView, build_view, view_bytes


def history_key(fingerprint: str, iban_ids: Iterable[int], start: date | None, end: date | None) -> tuple:
    """The cache key of one history: credentials, the IBAN ids (sorted, each once) and the dates."""
    return ("history", fingerprint, tuple(sorted(set(iban_ids))), start, end)


class FrameCache:
    """History frames by key with a TTL, and the filtered views of each; cache_resource keeps one per
    process, shared by all sessions.

    Only whole histories are kept (one frame per IBAN selection and date range, no per-IBAN copies):
    a narrower selection is sliced from a cached frame that covers it, a wider one fetches only the
    IBANs no cached frame of those dates has. A frame that covers others of the same dates replaces
    them. Each frame keeps a small LRU of filtered views (`HistoryView`), dropped with the frame,
    bounded by `VIEW_ENTRIES` and `VIEW_BYTES` over the whole cache.
    """

    def __init__(self, ttl: float, view_entries: int = 32, view_bytes: int = 256 * 2**20) -> None:
        self._ttl = ttl
        self._lock = threading.Lock()
        self._items: dict[tuple, tuple[float, pd.DataFrame, datetime]] = {}
        self._fetching: dict[tuple, threading.Lock] = {}
        self._views: OrderedDict[tuple, tuple[pd.DataFrame, HistoryView, int]] = OrderedDict()
        self._view_entries, self._view_bytes, self._view_total = view_entries, view_bytes, 0

    def _expire(self) -> None:
        cutoff = time.monotonic() - self._ttl
        for k in [k for k, v in self._items.items() if v[0] < cutoff]:
            self._drop(k)

    def _drop(self, key: tuple) -> None:
        del self._items[key]
        for vk in [vk for vk in self._views if vk[0] == key]:
            self._view_total -= self._views.pop(vk)[2]

    def get(self, key: tuple) -> tuple[pd.DataFrame, datetime] | None:
        with self._lock:
            item = self._items.get(key)
            if item is None or time.monotonic() - item[0] > self._ttl:
                return None
            return item[1], item[2]

    def put(self, key: tuple, frame: pd.DataFrame, fetched_at: datetime, *, stamp: float | None = None) -> None:
        """Store `frame`; `stamp` (monotonic) dates it for the TTL, now by default."""
        with self._lock:
            if key in self._items:
                self._drop(key)
            self._items[key] = (time.monotonic() if stamp is None else stamp, frame, fetched_at)
            # Drop expired entries so a day of date-range changes does not grow memory forever.
            self._expire()
            # A history of these dates covering others makes them redundant: they can be sliced from it.
            if key[0] == "history":
                for k in [
                    k
                    for k in self._items
                    if k != key
                    and k[0] == "history"
                    and k[1] == key[1]
                    and k[3:] == key[3:]
                    and set(k[2]) <= set(key[2])
                ]:
                    self._drop(k)

    def covering(
        self, fp: str, iban_ids: frozenset[int], start: date | None, end: date | None
    ) -> tuple[tuple, pd.DataFrame, datetime, float] | None:
        """The live history of these dates sharing most IBANs with `iban_ids` (fewest extra on a tie):
        (key, frame, fetched_at, stamp), or None."""
        with self._lock:
            now_ = time.monotonic()
            best, score = None, (0, 0)
            for k, (stamp, frame, at) in self._items.items():
                if k[0] != "history" or k[1] != fp or k[3:] != (start, end) or now_ - stamp > self._ttl:
                    continue
                have = set(k[2])
                s = (len(have & iban_ids), -len(have - iban_ids))
                if s[0] and s > score:
                    best, score = (k, frame, at, stamp), s
            return best

    def clear(self) -> None:
        with self._lock:
            self._items.clear()
            self._views.clear()
            self._view_total = 0

    def fetch_lock(self, key: tuple) -> threading.Lock:
        """One lock per key: sessions asking for the same history at once share one fetch."""
        with self._lock:
            return self._fetching.setdefault(key, threading.Lock())

    # --- filtered views -------------------------------------------------------------------------

    def _key_of(self, frame: pd.DataFrame) -> tuple | None:
        for k, (_, f, _) in self._items.items():
            if f is frame:
                return k
        return None

    def view(self, frame: pd.DataFrame, flt: TransactionFilter) -> HistoryView | None:
        with self._lock:
            key = self._key_of(frame)
            hit = self._views.get((key, flt)) if key is not None else None
            if hit is None or hit[0] is not frame:
                return None
            self._views.move_to_end((key, flt))
            return hit[1]

    def put_view(self, frame: pd.DataFrame, flt: TransactionFilter, view: HistoryView, size: int) -> bool:
        """Keep `view` while `frame` is cached (False: not kept, frame gone or view too large)."""
        with self._lock:
            key = self._key_of(frame)
            if key is None or size > self._view_bytes:
                return False
            old = self._views.pop((key, flt), None)
            if old is not None:
                self._view_total -= old[2]
            self._views[(key, flt)] = (frame, view, size)
            self._view_total += size
            while len(self._views) > self._view_entries or self._view_total > self._view_bytes:
                self._view_total -= self._views.popitem(last=False)[1][2]
            return True

    def filtered(self, frame: pd.DataFrame, flt: TransactionFilter) -> HistoryView:
        """The rows of `frame` matching `flt`, with summary and daily volume; memoised per (cached
        history, filter) while the history is cached. A frame not cached is filtered, not kept."""
        hit = self.view(frame, flt)
        if hit is not None:
            return hit
        view = build_view(frame, flt)
        self.put_view(frame, flt, view, view_bytes(frame, view.rows))
        return view
