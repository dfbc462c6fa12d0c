"""How this process hands memory back: the transaction history is its largest allocation by far.

A year of history is built by up to 32 fetch threads (one per IBAN), then joined into one frame by
the calling thread. With Arrow's default allocator (mimalloc: one heap per thread, freed pages
kept for reuse) every one of those threads keeps its working set after it is done, and memory one
thread frees that another allocated is not reused: a 218 MiB frame of 1M rows left the process
~750 MiB bigger at its peak (3.4x, `python -m bench ingest`). So:

- `building_history()`: while a history is being built, Arrow allocates from jemalloc with
  dirty/muzzy decay 0, which hands freed pages back to the OS at once whichever thread frees them
  (and later, when the cached frame is dropped, its memory goes back too). Outside it Arrow keeps
  its default pool: decay 0 costs page faults (a 1M-row filter is ~30% slower on it), which only
  the ingest is worth paying for. Buffers remember their pool, so switching is safe.
- `configure()`: glibc (numpy's allocator) keeps a fixed mmap threshold of 128 KiB; normally it
  raises the threshold after freeing a large block, after which mid-sized numpy arrays land in
  per-thread arenas and stay there once freed; fixed, they are mmapped and unmapped when freed.

An explicit ARROW_DEFAULT_MEMORY_POOL in the environment turns the first one off. Both are best
effort: without jemalloc or glibc nothing changes.
"""

from __future__ import annotations

import contextlib
import ctypes
import functools
import logging
import os
import threading
from collections.abc import Iterator

import pyarrow as pa

log = logging.getLogger(__name__)

MMAP_THRESHOLD = 128 * 1024
_M_MMAP_THRESHOLD = -3  # mallopt parameter number in glibc's malloc.h
_lock = threading.Lock()
_configured = False
_building = 0
_previous: pa.MemoryPool | None = None


def configure() -> None:
    """Fix glibc's mmap threshold, once per process."""
    global _configured
    with _lock:
        if _configured:
            return
        _configured = True
        try:
            ctypes.CDLL("libc.so.6").mallopt(_M_MMAP_THRESHOLD, MMAP_THRESHOLD)
        except (OSError, AttributeError):
            pass  # not glibc


@functools.cache
def _ingest_pool() -> pa.MemoryPool | None:
    if os.environ.get("ARROW_DEFAULT_MEMORY_POOL"):
        return None
    try:
        pa.jemalloc_set_decay_ms(0)  # before the pool's arenas exist: they take it on creation
        return pa.jemalloc_memory_pool()
    except (NotImplementedError, pa.ArrowNotImplementedError, AttributeError) as exc:
        log.info("Arrow without jemalloc, histories are built on %s: %s", pa.default_memory_pool().backend_name, exc)
        return None


@contextlib.contextmanager
def building_history() -> Iterator[str]:
    """Arrow's default pool is the ingest pool (see above) until the outermost of these exits, even
    when several sessions build histories at once; yields the pool's backend name."""
    global _building, _previous
    pool = _ingest_pool()
    with _lock:
        if pool is not None:
            if _building == 0:
                _previous = pa.default_memory_pool()
                pa.set_memory_pool(pool)
            _building += 1
    try:
        yield pa.default_memory_pool().backend_name
    finally:
        with _lock:
            if pool is not None:
                _building -= 1
                if _building == 0 and _previous is not None:
                    pa.set_memory_pool(_previous)
                    _previous = None
