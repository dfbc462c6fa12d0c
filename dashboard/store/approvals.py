"""Requests that wait for a second person (table `approval_requests`).

The four-eyes rules live in `dashboard.approvals`; this repository gives them atomic steps: insert a
request once per (kind, reference) with its audit line, compare-and-set a decision (never on an
expired request), and the reads the desk and the pages use.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import fields
from datetime import datetime
from typing import Any

from dashboard.store.audit_rows import AuditRepository
from dashboard.store.codec import column_name, decode, encode, insert_into, set_clause, time_value
from dashboard.store.engine import Engine
from dashboard.store.rows import ApprovalRow, from_record

_COLUMNS = frozenset(column_name(f.name) for f in fields(ApprovalRow))
_DECISION_COLUMNS = frozenset({"state", "decided_at", "decided_by", "note"})


def _row(record: Mapping[str, Any] | None) -> ApprovalRow | None:
    return None if record is None else from_record(ApprovalRow, dict(record))


class ApprovalRepository:
    """`store.approvals`: approval requests; inserts and decisions carry their audit line."""

    def __init__(self, engine: Engine, audit: AuditRepository) -> None:
        self._engine = engine
        self._audit = audit

    # -- writing ---------------------------------------------------------------------------

    def insert(self, row: Mapping[str, Any], *, audit: Mapping[str, Any] | None = None) -> tuple[bool, ApprovalRow]:
        """(True, the new request), or (False, the one already made for this kind and reference: untouched).
        `audit` is appended in the same transaction only for a new request."""
        values = encode(row)
        unknown = set(values) - _COLUMNS
        if unknown:
            raise ValueError(f"unknown approval columns: {sorted(unknown)}")
        with self._engine.write() as cur:
            # ON CONFLICT, not a look first: two replicas inserting at once on PostgreSQL both get an answer.
            cur.execute(
                insert_into("approval_requests", list(values)) + " ON CONFLICT (kind, reference) DO NOTHING",
                tuple(values.values()),
            )
            created = cur.rowcount == 1
            if created and audit is not None:
                self._audit.insert(cur, audit)
            stored = cur.execute(
                "SELECT * FROM approval_requests WHERE kind = ? AND reference = ?",
                (values["kind"], values["reference"]),
            ).fetchone()
        return created, from_record(ApprovalRow, decode(stored))

    def decide(
        self,
        request_id: str,
        changes: Mapping[str, Any],
        *,
        from_state: str = "waiting",
        unexpired_at: datetime | None = None,
        audit: Mapping[str, Any] | None = None,
    ) -> bool:
        """Compare-and-set: apply `changes` (state, decided_at, decided_by, note) only if the request is
        in `from_state` and, with `unexpired_at`, expires after that moment. Returns whether it applied;
        `audit` is appended in the same transaction when it did."""
        values = encode(changes)
        if not values or set(values) - _DECISION_COLUMNS:
            raise ValueError(f"a decision sets {sorted(_DECISION_COLUMNS)}")
        sets = set_clause(list(values))
        sql = f"UPDATE approval_requests SET {sets} WHERE id = ? AND state = ?"
        params: list[object] = [*values.values(), request_id, from_state]
        if unexpired_at is not None:
            sql += " AND expires_at > ?"
            params.append(time_value(unexpired_at))
        with self._engine.write() as cur:
            cur.execute(sql, params)
            applied = cur.rowcount == 1
            if applied and audit is not None:
                self._audit.insert(cur, audit)
        return applied

    def mark_dispatched(self, request_id: str, *, at: datetime) -> None:
        """An approved payout went through the journal (whatever its outcome)."""
        with self._engine.write() as cur:
            cur.execute(
                "UPDATE approval_requests SET dispatched_at = ? WHERE id = ? AND dispatched_at IS NULL",
                (time_value(at), request_id),
            )

    # -- reading ---------------------------------------------------------------------------

    def _select(self, sql: str, params: list[object] | tuple[object, ...] = ()) -> list[ApprovalRow]:
        return [from_record(ApprovalRow, r) for r in self._engine.read(sql, params)]

    def get(self, request_id: str) -> ApprovalRow | None:
        return _row(self._engine.read_one("SELECT * FROM approval_requests WHERE id = ?", (request_id,)))

    def by_reference(self, kind: str, reference: str) -> ApprovalRow | None:
        return _row(
            self._engine.read_one("SELECT * FROM approval_requests WHERE kind = ? AND reference = ?", (kind, reference))
        )

    def in_state(self, state: str, *, limit: int = 500) -> list[ApprovalRow]:
        """Requests in `state`, oldest first."""
        return self._select(
            "SELECT * FROM approval_requests WHERE state = ? ORDER BY created_at, id LIMIT ?", (state, int(limit))
        )

    def expiring(self, at: datetime) -> list[ApprovalRow]:
        """Waiting requests whose time ran out by `at`."""
        return self._select(
            "SELECT * FROM approval_requests WHERE state = 'waiting' AND expires_at <= ? ORDER BY created_at",
            (time_value(at),),
        )

    def by_maker(self, maker: str, *, limit: int = 100) -> list[ApprovalRow]:
        """`maker`'s requests, newest first."""
        return self._select(
            "SELECT * FROM approval_requests WHERE maker = ? ORDER BY created_at DESC, id LIMIT ?", (maker, int(limit))
        )

    def count_waiting(self, *, at: datetime, except_maker: str | None = None) -> int:
        """Unexpired waiting requests (not made by `except_maker`)."""
        sql = "SELECT COUNT(*) AS n FROM approval_requests WHERE state = 'waiting' AND expires_at > ?"
        params: list[object] = [time_value(at)]
        if except_maker is not None:
            sql += " AND maker <> ?"
            params.append(except_maker)
        row = self._engine.read_one(sql, params)
        return int(row["n"]) if row else 0

    def undispatched(self, kind: str, *, decided_before: datetime) -> list[ApprovalRow]:
        """Approved requests of `kind` not yet sent through the journal, decided before that moment."""
        return self._select(
            """SELECT * FROM approval_requests WHERE kind = ? AND state = 'approved' AND dispatched_at IS NULL
               AND decided_at <= ? ORDER BY decided_at""",
            (kind, time_value(decided_before)),
        )
