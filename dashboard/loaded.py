"""What a loader answers: the value, when it was fetched, and why a refresh failed.

After a failed refresh the last good value stays on screen with its age (`LastGood` remembers it).
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Generic, TypeVar

from dashboard.client.errors import EnigmaPayError

T = TypeVar("T")


@dataclass(frozen=True)
class Loaded(Generic[T]):
    """A loader's answer: `value` may be stale (then `error` says why the refresh failed)."""

    value: T | None
    fetched_at: datetime | None
    error: EnigmaPayError | None = None

    @property
    def ok(self) -> bool:
        return self.error is None


class LastGood:
    """Last successful answer per loader key, so a failed refresh can fall back to it."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._values: dict[tuple, tuple[Any, datetime]] = {}

    def put(self, key: tuple, value: Any, fetched_at: datetime) -> None:
        with self._lock:
            self._values[key] = (value, fetched_at)

    def get(self, key: tuple) -> tuple[Any, datetime] | tuple[None, None]:
        with self._lock:
            return self._values.get(key, (None, None))
