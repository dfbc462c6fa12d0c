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
what the planner names. A refresh in the same process (a new frame cache, same MirrorSync) takes the
days nobody synced since from the frame this loader built last, instead of the mirror (history/reuse.py).
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Sequence
from concurrent.futures import Future, ThreadPoolExecutor, wait
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import pandas as pd

from dashboard import memory
from dashboard.client import models
from dashboard.client.errors import EnigmaPayError
from dashboard.history.assemble import Part, assemble, frame_part, frame_parts, select_ibans
from dashboard.history.fetch import (
    _CONVERTING,
    MAX_FETCH_WORKERS,
    PageCounter,
    ProgressCallback,
    as_they_finish,
    fetch_history,
)
from dashboard.history.reuse import Built, built, fully_skipped, reusable_days, reused_rows, skip_ranges
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
        # Seconds per step of the latest load (wait, plan, fetch, read, read_wait, assemble), for the
        # benchmark and the logs: what a first view after a restart spends its time on.
        self.last_steps: dict[str, float] = {}
        self._built: tuple[tuple, Built] | None = None  # the last frame built, for a refresh (history/reuse.py)

    def write_failures(self) -> list[WriteFailure]:
        """The failed writes whose days no later write has synced, per IBAN in time order."""
        with self._lock:
            return [f for failures in self._failures.values() for f in failures]

    def plans(self, ibans: Sequence[models.Iban], start: date, end: date, tz: str) -> dict[int, Ranges]:
        """The date ranges to fetch per IBAN id."""
        return self._plans(ibans, self.mirror.day_states([i.id for i in ibans], start, end), start, end, tz)

    def _plans(self, ibans, states, start: date, end: date, tz: str) -> dict[int, Ranges]:
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
        steps: dict[str, float] = {}
        t0 = time.perf_counter()
        self.wait_for_writes()
        steps["wait"] = (t1 := time.perf_counter()) - t0
        try:
            states = self.mirror.day_states([i.id for i in ibans], start, end)
            plans = self._plans(ibans, states, start, end, tz)
        except Exception as exc:  # the store is away: the whole range from the API, as without a mirror
            log.warning("history mirror unavailable (%s): fetching the whole range", type(exc).__name__)
            return fetch_history(client, ibans, start, end, tz, progress, done=done, total=total, parts=parts)
        steps["plan"] = time.perf_counter() - t1
        synced_at = now(tz)  # before the first request: whatever is booked after it is seen next time
        key = (tuple(sorted(i.id for i in ibans)), start, end, tz)
        with self._lock:  # taken out: at most one frame is remembered (see history/reuse.py)
            previous, self._built = self._built if self._built and self._built[0] == key else None, None
        context = _Load(ibans, start, end, tz, plans, synced_at, steps, previous[1] if previous else None, states)
        del previous
        with memory.building_history():  # all of it, the frame's assembly too (see dashboard.memory)
            frame, got, error = self._load(client, context, progress, done, total, parts)
        if error is None and frame is not None:
            with self._lock:
                self._built = (key, built(frame, states, plans, synced_at))
        self.last_steps = steps
        log.debug("history mirror load steps: %s", {k: round(v, 3) for k, v in steps.items()})
        return frame, got, error

    def _load(self, client, context: _Load, progress, done, total, parts):
        # This load's mirror writes wait for `release`: set at once when the mirror held nothing of the
        # range (a cold load: the writes keep pace with the pages), else once the frame is assembled --
        # on SQLite a write would hold the one connection between the read's blocks, and anywhere it
        # would take CPU from the read and the assembly the person is waiting for.
        release = threading.Event()
        try:
            return self._read_and_fetch(client, context, progress, done, total, list(parts or []), release)
        finally:
            release.set()

    def _read_and_fetch(self, client, c: _Load, progress, done, total, parts, release):
        t0, steps = time.perf_counter(), c.steps
        reusable = reusable_days(c.previous, c.states, c.plans)
        reused = reused_rows(c.previous, reusable, c.tz) if c.previous is not None else None
        c.previous = None
        skip = skip_ranges(c.plans, reusable) if reusable else c.plans
        to_read = [i.id for i in c.ibans if not fully_skipped(skip[i.id], c.start, c.end)]
        steps["reuse"] = time.perf_counter() - t0

        def read() -> dict[int, Part]:
            try:
                return self.mirror.read_parts(to_read, c.start, c.end, c.tz, skip=skip) if to_read else {}
            finally:
                steps["read"] = time.perf_counter() - t0

        with ThreadPoolExecutor(max_workers=1) as reader:
            stored = reader.submit(read)
            if reused is None:  # nothing held at all: the writes need not wait
                stored.add_done_callback(lambda f: None if f.exception() is None and f.result() else release.set())
            fresh, got, error = self._fetch(client, c.ibans, c.plans, c.tz, c.synced_at, progress, done, total, release)
            steps["fetch"] = (t1 := time.perf_counter()) - t0
            try:
                kept = stored.result()
                steps["read_wait"] = (t2 := time.perf_counter()) - t1
            except Exception as exc:  # the unfetched days cannot be read: fetch them after all
                log.warning("history mirror unreadable (%s): fetching the whole range", type(exc).__name__)
                fresh.clear()
                release.set()
                return fetch_history(
                    client, c.ibans, c.start, c.end, c.tz, progress, done=done, total=total, parts=parts
                )
        frame = _joined(parts, fresh, kept, got, reused, c.tz)
        steps["assemble"] = time.perf_counter() - t2
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


@dataclass
class _Load:
    """One load's plan and what it may reuse."""

    ibans: Sequence[models.Iban]
    start: date
    end: date
    tz: str
    plans: dict[int, Ranges]
    synced_at: datetime
    steps: dict[str, float]
    previous: Built | None
    states: dict


def _joined(parts: list[Part], fresh: dict, kept: dict, got: list[models.Iban], reused, tz: str):
    """The frame: the covering parts, then what was fetched and read, then the previous frame's rows of
    the untouched days. Those come in order already and are older than the fetched days (the usual
    warm refresh: the look-back): the fetched and read rows are assembled alone first, so the last
    step only appends the reused rows instead of sorting and gathering the whole year again."""
    new: list[Part] = []
    for iban in got:
        new.extend(fresh.pop(iban.id))
        if iban.id in kept:
            new.append(kept.pop(iban.id))
    kept.clear()
    if reused is not None:
        reused = select_ibans(reused, [i.id for i in got])
        if len(reused):
            if new:
                parts.append(frame_part(assemble(new, tz), tz))
                new.clear()
            parts.append(frame_part(reused, tz))
        del reused
    parts.extend(new)
    new.clear()
    if not parts:
        return None
    frame = assemble(parts, tz)
    parts.clear()
    return frame
