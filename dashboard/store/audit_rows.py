"""The audit log's rows: append and query, nothing else.

The table is append-only (database triggers refuse UPDATE and DELETE) and this repository has
deliberately no update or delete method. What goes into a line (masking, scrubbing) is decided
by the domain module `dashboard.audit`; this module only stores and reads lines.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from dashboard.store.codec import encode, insert_into, where
from dashboard.store.engine import Cursor, Engine
from dashboard.store.rows import AuditRow, from_record


class AuditRepository:
    """`store.audit`: append and query audit lines (no update, no delete)."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    @staticmethod
    def insert(cur: Cursor, entry: Mapping[str, Any]) -> int:
        """Append `entry` inside a transaction the caller holds (a claim and its audit line
        commit together); returns the new line's id."""
        values = encode(entry)
        cur.execute(insert_into("audit_log", list(values)) + " RETURNING id", tuple(values.values()))
        return int(cur.fetchone()[0])

    def append(self, entry: Mapping[str, Any]) -> int:
        """Append one line in its own transaction; returns its id."""
        with self._engine.write() as cur:
            return self.insert(cur, entry)

    def query(
        self,
        *,
        since: datetime | None = None,
        until: datetime | None = None,
        actor: str | None = None,
        action: str | None = None,
        limit: int = 500,
    ) -> list[AuditRow]:
        """Newest first; `since` inclusive, `until` exclusive."""
        condition, params = where({"at >= ?": since, "at < ?": until, "actor = ?": actor, "action = ?": action})
        rows = self._engine.read(
            f"SELECT * FROM audit_log WHERE {condition} ORDER BY at DESC, id DESC LIMIT ?", [*params, int(limit)]
        )
        return [from_record(AuditRow, {**r, "details": r.get("details") or {}}) for r in rows]
