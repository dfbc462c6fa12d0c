"""Histories through the mirror (issue 13): fetch only the days the sync planner names, read the rest
from the mirror in the store, and write what was fetched back to it. No Streamlit.

    sync = MirrorSync(store.mirror, lookback_days=3)
    frame, got, error = sync.load(client, ibans, start, end, tz, progress)

For each IBAN: the planner (history/sync.py) picks its date ranges to fetch (the whole range the
first time; afterwards the look-back, days synced before they ended, days holding a non-final
transaction). The IBANs are fetched concurrently, one thread each; meanwhile the mirror's rows of the
other days are read. The frame is assembled from both as soon as the last IBAN arrived: it does not
wait for the mirror writes, which run on `WRITERS` threads of their own (one IBAN's rows converted
while another's are written). A failed write loses nothing -- the frame came from the pages, and its
days stay unsynced, so the next view fetches them again -- and is logged and kept in
`write_errors`, and per IBAN in `write_failures()` (for the Balances page) until a later write of
those days succeeds. Before planning, a load waits for the writes still running, so it sees them.
Several replicas on one database share the mirror: a range one of them loaded costs the others only
what the planner names.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Sequence
from concurrent.futures import Future, ThreadPoolExecutor, wait
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import pandas as pd

from dashboard import memory
from dashboard.client import models
from dashboard.client.errors import EnigmaPayError
from dashboard.history.assemble import Part, assemble, frame_part, frame_parts
from dashboard.history.fetch import (
    _CONVERTING,
    MAX_FETCH_WORKERS,
    PageCounter,
    ProgressCallback,
    as_they_finish,
    fetch_history,
)
from dashboard.history.sync import plan_days
from dashboard.timeutil import now

log = logging.getLogger(__name__)

WRITERS = 2
WRITE_WAIT = 120.0  # seconds a load waits for the previous load's mirror writes before planning
Ranges = list[tuple[date, date]]
FAILURES_KEPT = 20  # per IBAN


@dataclass(frozen=True)
class WriteFailure:
    """A mirror write that failed: that IBAN's days `first`..`last` stay unsynced and are fetched again."""

    iban_id: int
    iban: str
    first: date
    last: date
    at: datetime  # aware, the dealer's zone


class MirrorSync:
    """The mirror side of the history loader; one per process and store (thread-safe)."""

    def __init__(self, mirror: Any, *, lookback_days: int, writers: int = WRITERS) -> None:
        self.mirror = mirror
        self.lookback_days = lookback_days
        self._writers = ThreadPoolExecutor(max_workers=writers, thread_name_prefix="mirror-write")
        self._lock = threading.Lock()
        self._pending: list[Future] = []
        self.write_errors: list[str] = []  # the latest failed writes, newest last (at most 20)
        self._failures: dict[int, list[WriteFailure]] = {}  # per IBAN id, oldest first

    def write_failures(self) -> list[WriteFailure]:
        """The failed writes whose days no later write has synced, per IBAN in time order."""
        with self._lock:
            return [f for failures in self._failures.values() for f in failures]

    def plans(self, ibans: Sequence[models.Iban], start: date, end: date, tz: str) -> dict[int, Ranges]:
        """The date ranges to fetch per IBAN id."""
        states = self.mirror.day_states([i.id for i in ibans], start, end)
        at = now(tz)
        return {
            i.id: plan_days(start, end, states.get(i.id, {}), now=at, tz=tz, lookback_days=self.lookback_days)
            for i in ibans
        }

    def wait_for_writes(self, timeout: float = WRITE_WAIT) -> None:
        with self._lock:
            pending, self._pending = self._pending, []
        wait(pending, timeout=timeout)

    def load(
        self,
        client,
        ibans: Sequence[models.Iban],
        start: date,
        end: date,
        tz: str,
        progress: ProgressCallback | None = None,
        *,
        done: int = 0,
        total: int | None = None,
        parts: list[Part] | None = None,
    ) -> tuple[pd.DataFrame | None, list[models.Iban], EnigmaPayError | None]:
        """Like `fetch.fetch_history`: (frame of `ibans` plus `parts`, the IBANs it holds, the first error)."""
        self.wait_for_writes()
        try:
            plans = self.plans(ibans, start, end, tz)
        except Exception as exc:  # the store is away: the whole range from the API, as without a mirror
            log.warning("history mirror unavailable (%s): fetching the whole range", type(exc).__name__)
            return fetch_history(client, ibans, start, end, tz, progress, done=done, total=total, parts=parts)
        synced_at = now(tz)  # before the first request: whatever is booked after it is seen next time
        with memory.building_history():  # all of it, the frame's assembly too (see dashboard.memory)
            return self._load(client, ibans, plans, start, end, tz, synced_at, progress, done, total, parts)

    def _load(self, client, ibans, plans, start, end, tz, synced_at, progress, done, total, parts):
        # This load's mirror writes wait for `release`: set at once when the mirror held nothing of the
        # range (a cold load: the writes keep pace with the pages), else once the frame is assembled --
        # on SQLite a write would hold the one connection between the read's blocks, and anywhere it
        # would take CPU from the read and the assembly the person is waiting for.
        release = threading.Event()
        try:
            return self._read_and_fetch(
                client, ibans, plans, start, end, tz, synced_at, progress, done, total, parts, release
            )
        finally:
            release.set()

    def _read_and_fetch(self, client, ibans, plans, start, end, tz, synced_at, progress, done, total, parts, release):
        parts = list(parts or [])
        with ThreadPoolExecutor(max_workers=1) as reader:
            stored = reader.submit(self.mirror.read_parts, [i.id for i in ibans], start, end, tz, skip=plans)
            stored.add_done_callback(lambda f: None if f.exception() is None and f.result() else release.set())
            fresh, got, error = self._fetch(client, ibans, plans, tz, synced_at, progress, done, total, release)
            try:
                kept = stored.result()
            except Exception as exc:  # the unfetched days cannot be read: fetch them after all
                log.warning("history mirror unreadable (%s): fetching the whole range", type(exc).__name__)
                fresh.clear()
                release.set()
                return fetch_history(client, ibans, start, end, tz, progress, done=done, total=total, parts=parts)
        for iban in got:
            parts.extend(fresh.pop(iban.id))
            if iban.id in kept:
                parts.append(kept.pop(iban.id))
        kept.clear()
        if not parts:
            return None, got, error
        frame = assemble(parts, tz)
        parts.clear()
        return frame, got, error

    def _fetch(self, client, ibans, plans, tz, synced_at, progress, done, total, release=None):
        fresh: dict[int, list[Part]] = {}
        got: list[models.Iban] = []
        error: EnigmaPayError | None = None
        total = len(ibans) if total is None else total
        if not ibans:
            return fresh, got, error
        counter = PageCounter()  # pages received of pages known, for a callback with `pages` (fetch.py)
        with ThreadPoolExecutor(max_workers=min(MAX_FETCH_WORKERS, len(ibans))) as pool:
            fetch = self._fetch_iban
            futures = {pool.submit(fetch, client, i, plans[i.id], tz, synced_at, counter, release): i for i in ibans}
            for future in as_they_finish(list(futures), progress, counter):
                iban = futures.pop(future)
                try:
                    fresh[iban.id] = future.result()
                except EnigmaPayError as exc:
                    error = error or exc
                    continue
                got.append(iban)
                done += 1
                if progress:
                    progress(done, total, iban.iban)
        return fresh, got, error

    def _fetch_iban(
        self,
        client,
        iban: models.Iban,
        ranges: Ranges,
        tz: str,
        synced_at: datetime,
        counter: PageCounter,
        release: threading.Event | None = None,
    ) -> list[Part]:
        """The planned ranges of one IBAN, each fetched, handed to a mirror writer and returned as a part."""
        out: list[Part] = []
        for first, last in ranges:
            on_page = counter.for_iban((iban.id, first))
            pages = client.iter_transaction_pages(iban.id, start_date=first, end_date=last, arrow=True, on_page=on_page)
            got = list(frame_parts(pages, iban_id=iban.id, iban=iban.iban, tz=tz, gate=_CONVERTING))
            frame = assemble(got, tz)
            del got
            self._write(iban, first, last, frame, synced_at, tz, after=release)
            out.append(frame_part(frame, tz))
        return out

    def _write(
        self, iban: models.Iban, first: date, last: date, frame: pd.DataFrame, at: datetime, tz: str, after=None
    ) -> None:
        def write() -> None:
            if after is not None:  # this load's frame first (see _load)
                after.wait()
            try:
                self.mirror.write_days(iban.id, iban.iban, first, last, frame, at, tz=tz)
            except Exception as exc:  # the frame is served anyway; the days stay unsynced and are fetched again
                message = f"mirror write of IBAN {iban.id} {first}..{last} failed: {type(exc).__name__}: {exc}"
                log.error(message)
                failure = WriteFailure(iban.id, iban.iban, first, last, now(tz))
                with self._lock:
                    self.write_errors = [*self.write_errors[-19:], message]
                    self._failures[iban.id] = [*self._failures.get(iban.id, [])[1 - FAILURES_KEPT :], failure]
            else:  # those days are synced now: a failure within them is made good
                with self._lock:
                    left = [f for f in self._failures.pop(iban.id, []) if not (first <= f.first and f.last <= last)]
                    if left:
                        self._failures[iban.id] = left

        future = self._writers.submit(write)
        with self._lock:
            self._pending = [f for f in self._pending if not f.done()] + [future]
