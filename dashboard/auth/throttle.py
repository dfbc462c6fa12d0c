"""Failed sign-in throttling, counted per user name and per source address, kept in the store so
it survives restarts and is shared by every session and process.

After `max_failures` failures (the last one less than `window` ago), each further failure locks the
key for a lockout that doubles from `base_lockout` up to `max_lockout`. While locked, attempts are
refused without checking the password. A successful sign-in clears the user name's counter (not
the source's: one's own account must not reset a guessing run against others).
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from dashboard.store import Store


@dataclass(frozen=True)
class ThrottlePolicy:
    max_failures: int = 5
    # A source address is often a whole office behind one NAT or proxy: a higher bar, so one
    # person's typos do not lock everyone out, while guessing across many names still stops.
    max_failures_per_source: int = 20
    window: timedelta = timedelta(minutes=15)
    base_lockout: timedelta = timedelta(seconds=30)
    max_lockout: timedelta = timedelta(minutes=15)

    def lockout(self, key: str, failures: int) -> timedelta | None:
        """How long `key` is locked after its `failures`-th failure in a row (None: not locked)."""
        limit = self.max_failures_per_source if key.startswith("source:") else self.max_failures
        if failures < limit:
            return None
        doublings = min(failures - limit, 32)
        return min(self.base_lockout * (2**doublings), self.max_lockout)


def name_key(name: str) -> str:
    return f"name:{name}"


def source_key(source: str) -> str:
    return f"source:{source}"


class Throttle:
    """The policy applied to counters in the store."""

    def __init__(self, store: Store, policy: ThrottlePolicy | None = None) -> None:
        self._store = store
        self.policy = policy or ThrottlePolicy()

    def retry_after(self, keys: Iterable[str], now: datetime) -> int:
        """Whole seconds until every key is unlocked (0: not locked)."""
        until = [r.locked_until_at for r in self._store.accounts.locks(list(keys)).values() if r.locked_until_at]
        remaining = max((u - now).total_seconds() for u in until) if until else 0.0
        return max(0, math.ceil(remaining))

    def failed(self, keys: Iterable[str], now: datetime) -> None:
        self._store.accounts.record_failure(
            list(keys), at=now, reset_before=now - self.policy.window, lockout=self.policy.lockout
        )

    def succeeded(self, key: str) -> None:
        self._store.accounts.clear_failures(key)
