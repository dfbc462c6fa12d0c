"""Fetching histories from the API: every IBAN of a selection at once (one thread each), its pages
converted a batch at a time and assembled into one newest-first frame. No Streamlit.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Collection, Hashable, Iterator, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from datetime import date

import pandas as pd

from dashboard import memory
from dashboard.client import models
from dashboard.client.errors import EnigmaPayError
from dashboard.history.assemble import Part, assemble, frame_parts

memory.configure()  # the frames built here are the process's largest allocations: see dashboard.memory

MAX_FETCH_WORKERS = 32  # one thread per IBAN: fetching is waiting on the network, not CPU
# ...but converting pages is CPU work: as many batches at once as there are cores (their transient
# memory is then bounded too), the other fetch threads keep fetching meanwhile.
_CONVERTING = threading.BoundedSemaphore(max(2, os.cpu_count() or 2))

# (IBANs done, IBANs in all, the IBAN just done). A callback that also has a `pages(done, known)`
# method hears, besides, the pages received of the pages known so far (an IBAN's count is known once
# its first page tells its last one), on the calling thread too, a few times a second at most.
ProgressCallback = Callable[[int, int, str], None]
PAGE_PROGRESS_EVERY = 0.1  # seconds between two page counts told to `progress.pages`


class PageCounter:
    """Pages received and known per listing (an IBAN, or one range of it), written by the fetch
    threads, read by the calling thread."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._counts: dict[Hashable, tuple[int, int]] = {}

    def for_iban(self, listing: Hashable) -> Callable[[int, int], None]:
        def on_page(received: int, known: int) -> None:
            with self._lock:
                self._counts[listing] = (received, known)

        return on_page

    def totals(self) -> tuple[int, int]:
        with self._lock:
            return sum(r for r, _ in self._counts.values()), sum(k for _, k in self._counts.values())


def as_they_finish(futures: Collection[Future], progress: object, counter: PageCounter) -> Iterator[Future]:
    """The futures as they finish (like `as_completed`), telling `progress.pages(done, known)`, when
    the callback has it, the counter's totals meanwhile: on the calling thread, when they change."""
    pending, told = set(futures), (0, 0)
    pages_progress = getattr(progress, "pages", None)
    while pending:
        finished, pending = wait(pending, timeout=PAGE_PROGRESS_EVERY, return_when=FIRST_COMPLETED)
        if pages_progress and (totals := counter.totals()) != told:
            told = totals
            pages_progress(*totals)
        yield from finished
        del finished


def _fetch_parts(
    client, iban: models.Iban, start: date | None, end: date | None, tz: str, counter: PageCounter
) -> list[Part]:
    # Arrow pages straight from the JSON bytes, consumed lazily and converted a batch at a time:
    # no page of dicts outlives its turn, no IBAN's raw pages are all alive at once.
    pages = client.iter_transaction_pages(
        iban.id, start_date=start, end_date=end, arrow=True, on_page=counter.for_iban(iban.id)
    )
    return list(frame_parts(pages, iban_id=iban.id, iban=iban.iban, tz=tz, gate=_CONVERTING))


def fetch_history(
    client,
    ibans: Sequence[models.Iban],
    start: date | None,
    end: date | None,
    tz: str,
    progress: ProgressCallback | None = None,
    *,
    done: int = 0,
    total: int | None = None,
    parts: list[Part] | None = None,
    workers: int = MAX_FETCH_WORKERS,
) -> tuple[pd.DataFrame | None, list[models.Iban], EnigmaPayError | None]:
    """Fetch `ibans` concurrently (one thread each) and build one newest-first frame of them plus
    `parts` (already typed columns, e.g. from a cached frame), column by column.

    Returns (frame, the IBANs it holds, the first error); on an error the frame holds the IBANs
    that did arrive (None if none did). `progress(done, total, iban)` runs on the calling thread.
    """
    with memory.building_history():
        return _fetch_and_assemble(client, ibans, start, end, tz, progress, done, total, list(parts or []), workers)


def _fetch_and_assemble(
    client,
    ibans: Sequence[models.Iban],
    start: date | None,
    end: date | None,
    tz: str,
    progress: ProgressCallback | None,
    done: int,
    total: int | None,
    parts: list[Part],
    workers: int,
) -> tuple[pd.DataFrame | None, list[models.Iban], EnigmaPayError | None]:
    got: list[models.Iban] = []
    error: EnigmaPayError | None = None
    total = len(ibans) if total is None else total
    if ibans:
        counter = PageCounter()
        with ThreadPoolExecutor(max_workers=min(workers, len(ibans))) as pool:
            futures = {pool.submit(_fetch_parts, client, iban, start, end, tz, counter): iban for iban in ibans}
            for future in as_they_finish(list(futures), progress, counter):
                iban = futures.pop(future)  # the future (and its result) is not kept beyond this turn
                try:
                    parts.extend(future.result())
                except EnigmaPayError as exc:
                    error = error or exc
                    continue
                got.append(iban)
                done += 1
                if progress:
                    progress(done, total, iban.iban)
    if not parts:
        return None, got, error
    frame = assemble(parts, tz)  # empties the parts as it goes
    parts.clear()
    return frame, got, error
