"""Balance snapshots (table `balance_snapshots`): each IBAN's balance as the background task saw it."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any

from dashboard.store.codec import time_value, where
from dashboard.store.engine import Engine
from dashboard.store.rows import SnapshotRow, from_record


class BalanceRepository:
    """`store.balances`: balance snapshots per IBAN."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def add(self, snapshots: Iterable[Mapping[str, Any]]) -> int:
        """Rows of iban_id, taken_at (aware), balance_kurus (int); a repeated (iban_id, taken_at) is
        ignored. Returns how many were new."""
        rows = [(int(s["iban_id"]), time_value(s["taken_at"]), _int_kurus(s["balance_kurus"])) for s in snapshots]
        with self._engine.write() as cur:
            cur.executemany(
                """INSERT INTO balance_snapshots (iban_id, taken_at, balance_kurus) VALUES (?, ?, ?)
                   ON CONFLICT (iban_id, taken_at) DO NOTHING""",
                rows,
            )
            return cur.rowcount

    def snapshots(
        self, since: datetime | None = None, iban_id: int | None = None, until: datetime | None = None
    ) -> list[SnapshotRow]:
        """Oldest first, then by IBAN; `since` and `until` inclusive."""
        condition, params = where({"taken_at >= ?": since, "iban_id = ?": iban_id, "taken_at <= ?": until})
        rows = self._engine.read(
            f"SELECT * FROM balance_snapshots WHERE {condition} ORDER BY taken_at, iban_id", params
        )
        return [from_record(SnapshotRow, r) for r in rows]

    def near(self, iban_ids: Iterable[int], moments: Iterable[datetime], k: int) -> list[SnapshotRow]:
        """For each IBAN and each moment: the last `k` snapshots at or before it and the first `k` after
        it (through the primary key; one statement per IBAN), oldest first, without repeats. What
        reconciliation needs around each midnight, without reading a snapshot a minute for a month."""
        times = [time_value(m) for m in moments]
        parts = [
            "SELECT * FROM (SELECT iban_id, taken_at, balance_kurus FROM balance_snapshots "
            f"WHERE iban_id = ? AND taken_at {op} ? ORDER BY taken_at {order} LIMIT {int(k)}) AS p{n}"
            for n, (op, order) in enumerate([("<=", "DESC"), (">", "ASC")] * len(times))
        ]
        found: dict[tuple[int, datetime], SnapshotRow] = {}
        for iban_id in iban_ids:
            params = [v for t in times for v in (iban_id, t, iban_id, t)]
            for record in self._engine.read(" UNION ALL ".join(parts), params) if parts else []:
                row = from_record(SnapshotRow, record)
                found[(row.iban_id, row.taken_at)] = row
        return sorted(found.values(), key=lambda r: (r.taken_at, r.iban_id))


def _int_kurus(value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError("balance_kurus must be an int number of kuruş")
    return value
