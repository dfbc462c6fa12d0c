"""The alerts' "reconciliation difference" source: the last two local days of every IBAN, reconciled
from the history mirror (synced first: only the look-back's pages) against the provider's balances.

Run by the alerts' evaluation on the fleet's leader; checked at most every RECHECK seconds, because each
check syncs one page per IBAN and the alerts are evaluated every 45 s. No Streamlit.
"""

from __future__ import annotations

import threading
import time
from datetime import timedelta

from dashboard import services
from dashboard.alerts.conditions import ReconDifference
from dashboard.loaded import Loaded
from dashboard.reconciliation.desk import history_range, recent_differences
from dashboard.timeutil import now

RECHECK = 600.0  # seconds between two checks (a difference stays until the day's balances agree)
DAYS = 2  # today and yesterday: an older day's difference was reported while it was recent


class ReconciliationWatch:
    """Remembers its last answer for RECHECK seconds; `services.reconciliation_watch()` keeps one per
    process and records."""

    def __init__(self, recheck: float = RECHECK) -> None:
        self._recheck = recheck
        self._lock = threading.Lock()
        self._last: tuple[float, list[ReconDifference]] | None = None

    def differences(self, *, recheck: float | None = None) -> list[ReconDifference]:
        """Differences of the last DAYS local days; the previous answer while it is younger than
        `recheck`. Raises when the balances or the history cannot be read (the alerts then keep
        their state)."""
        recheck = self._recheck if recheck is None else recheck
        with self._lock:
            if self._last is not None and time.monotonic() - self._last[0] < recheck:
                return self._last[1]
            found = _check()
            self._last = (time.monotonic(), found)
            return found

    def forget(self) -> None:
        """Drop the remembered answer: a drift on the sandbox wants a check at the next evaluation."""
        with self._lock:
            self._last = None


def _check() -> list[ReconDifference]:
    tz = services.settings().timezone
    ibans, fetched_at = services.shared_ibans().get(services.money_generation().current())
    today = now(tz).date()
    start, end = history_range(today - timedelta(days=DAYS - 1), today)
    mirror = services.history_mirror()
    if mirror is None:  # the database is unreachable: no mirror, no reconciliation
        raise RuntimeError("the history mirror is not available")
    frame, _, error = mirror.load(services.backend().client, ibans, start, end, tz)
    if error is not None:
        raise error
    found = recent_differences(Loaded(frame, now(tz)), Loaded(list(ibans), fetched_at), DAYS)
    return [ReconDifference(d.iban_id, d.iban, d.day, d.amount_kurus) for d in found]
