"""What changed in the history mirror, for the all-time search index (dashboard.history.mirror_search):
which days of which IBANs were synced since a moment (by this replica or any other on the same
database), and which days hold rows the API stopped reporting. Reads only; the mirror's tables are
store/mirror.py's.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from dashboard.store.codec import store_time
from dashboard.store.engine import Engine


@dataclass(frozen=True)
class SyncedDay:
    iban_id: int
    day: date
    synced_at: datetime


class MirrorChanges:
    """Reads of `mirror_days` / `mirror_transactions` the search index refreshes itself with."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def days_synced_since(self, since: datetime | None) -> list[SyncedDay]:
        """Every synced day (all of them when `since` is None) whose last sync is at or after `since`."""
        sql = "SELECT iban_id, day, synced_at FROM mirror_days"
        params: tuple[object, ...] = ()
        if since is not None:
            sql += " WHERE synced_at >= ?"
            params = (store_time(since),)
        rows = self._engine.read(sql + " ORDER BY iban_id, day", params)
        return [SyncedDay(int(r["iban_id"]), date.fromisoformat(r["day"]), r["synced_at"]) for r in rows]

    def days_with_missing_rows(self) -> dict[int, set[date]]:
        """{iban_id: the days holding a row the API no longer reports}."""
        # No DISTINCT: with it SQLite scans the day index (every row, 2.4 s at 1M rows) rather than the
        # partial index of the few missing rows; the repeats are folded here.
        rows = self._engine.read("SELECT iban_id, day FROM mirror_transactions WHERE missing_since IS NOT NULL")
        out: dict[int, set[date]] = {}
        for r in rows:
            out.setdefault(int(r["iban_id"]), set()).add(date.fromisoformat(r["day"]))
        return out
