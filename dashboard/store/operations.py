"""Journal entries (table `operations`) and each user's dismissed outcomes.

The exactly-once rules live in `dashboard.journal`; this repository gives it the atomic steps it
needs: claim an intent (with its audit line, in one transaction), compare-and-set a state change,
and the reads the journal, settling and the pages use.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import fields
from datetime import datetime
from typing import Any

from dashboard.store.audit_rows import AuditRepository
from dashboard.store.codec import column_name, decode, encode, insert_into, placeholders, set_clause, time_value
from dashboard.store.engine import Cursor, Engine
from dashboard.store.rows import OperationRow, from_record

_COLUMNS = frozenset(column_name(f.name) for f in fields(OperationRow))
_SETTLE_COLUMNS = frozenset({"settle_attempts", "next_settle_at", "settle_stopped_at", "settle_outcome"})


def _operation(record: Mapping[str, Any] | None) -> OperationRow | None:
    return None if record is None else from_record(OperationRow, record)  # type: ignore[arg-type]


class OperationRepository:
    """`store.operations`: journal entries; claims and state changes carry their audit line."""

    def __init__(self, engine: Engine, audit: AuditRepository) -> None:
        self._engine = engine
        self._audit = audit

    # -- writing ---------------------------------------------------------------------------

    def claim(
        self,
        row: Mapping[str, Any],
        *,
        duplicate_since: datetime | None,
        active_states: Sequence[str],
        audit: Mapping[str, Any] | None = None,
    ) -> tuple[str, OperationRow]:
        """Atomically decide what a submit does; returns (outcome, row).

        - "existing": an entry with this id exists (and is not a held one being confirmed): untouched.
        - "held": `duplicate_since` is set and a same-content payout in `active_states` was created
          since then; the new entry is stored with state "held" and `duplicate_of`.
        - "claimed": the intent (row["state"], normally "pending") is committed -- by insert, or by
          promoting a held entry when `duplicate_since` is None (the operator confirmed).
        `audit` is appended in the same transaction only when the outcome is "claimed".
        """
        values = encode(row)
        unknown = set(values) - _COLUMNS
        if unknown:
            raise ValueError(f"unknown operation columns: {sorted(unknown)}")
        with self._engine.write() as cur:
            existing = cur.execute("SELECT * FROM operations WHERE id = ?", (values["id"],)).fetchone()
            if existing is None:
                outcome = self._insert(cur, values, duplicate_since, active_states)
            elif existing["state"] != "held" or duplicate_since is not None:
                outcome = "existing"
            else:
                outcome = self._promote_held(cur, values, existing["duplicate_of"])
            if outcome == "claimed" and audit is not None:
                self._audit.insert(cur, audit)
            result = cur.execute("SELECT * FROM operations WHERE id = ?", (values["id"],)).fetchone()
        return outcome, from_record(OperationRow, decode(result))

    @staticmethod
    def _promote_held(cur: Cursor, values: dict[str, Any], duplicate_of: str | None) -> str:
        # The intent starts now (confirming may come minutes after the hold).
        changes = {k: v for k, v in values.items() if k != "id"}
        changes["duplicate_of"] = duplicate_of
        sets = set_clause(list(changes))
        cur.execute(f"UPDATE operations SET {sets} WHERE id = ? AND state = 'held'", (*changes.values(), values["id"]))
        return "claimed" if cur.rowcount == 1 else "existing"

    @staticmethod
    def _insert(
        cur: Cursor, values: dict[str, Any], duplicate_since: datetime | None, active_states: Sequence[str]
    ) -> str:
        outcome = "claimed"
        if duplicate_since is not None and values["kind"] == "payout":
            earlier = cur.execute(
                f"""SELECT id FROM operations
                    WHERE kind = 'payout' AND customer_iban = ? AND amount_kurus = ?
                      AND username = ? AND created_at >= ?
                      AND state IN ({placeholders(active_states)})
                    ORDER BY created_at DESC LIMIT 1""",
                (
                    values["customer_iban"],
                    values["amount_kurus"],
                    values["username"],
                    time_value(duplicate_since),
                    *active_states,
                ),
            ).fetchone()
            if earlier is not None:
                values = {**values, "state": "held", "duplicate_of": earlier["id"]}
                outcome = "held"
        cur.execute(insert_into("operations", list(values)) + " ON CONFLICT (id) DO NOTHING", tuple(values.values()))
        if cur.rowcount != 1:  # cannot happen under the write lock; the constraint is the backstop
            return "existing"
        return outcome

    def transition(
        self,
        operation_id: str,
        *,
        from_states: Iterable[str],
        changes: Mapping[str, Any],
        audit: Mapping[str, Any] | None = None,
    ) -> bool:
        """Compare-and-set: apply `changes` only if the entry is in one of `from_states`.

        Returns whether it applied; `audit` is appended in the same transaction when it did.
        """
        values = encode(changes)
        unknown = set(values) - _COLUMNS
        if unknown or "id" in values:
            raise ValueError(f"cannot set operation columns: {sorted(unknown | ({'id'} & set(values)))}")
        states = tuple(from_states)
        sets = set_clause(list(values))
        with self._engine.write() as cur:
            cur.execute(
                f"UPDATE operations SET {sets} WHERE id = ? AND state IN ({placeholders(states)})",
                (*values.values(), operation_id, *states),
            )
            applied = cur.rowcount == 1
            if applied and audit is not None:
                self._audit.insert(cur, audit)
        return applied

    def schedule_settle(self, operation_id: str, schedule: Mapping[str, Any]) -> None:
        """Store settling's bookkeeping for an entry (settle_attempts, next_settle_at,
        settle_stopped_at, settle_outcome), whatever its state."""
        values = encode(schedule)
        if not values or set(values) - _SETTLE_COLUMNS:
            raise ValueError(f"settle schedule columns are {sorted(_SETTLE_COLUMNS)}")
        sets = set_clause(list(values))
        with self._engine.write() as cur:
            cur.execute(f"UPDATE operations SET {sets} WHERE id = ?", (*values.values(), operation_id))

    # -- reading ---------------------------------------------------------------------------

    def _select(self, sql: str, params: Sequence[object] = ()) -> list[OperationRow]:
        return [from_record(OperationRow, r) for r in self._engine.read(sql, params)]

    def get(self, operation_id: str) -> OperationRow | None:
        return _operation(self._engine.read_one("SELECT * FROM operations WHERE id = ?", (operation_id,)))

    def by_transaction(self, transaction_id: int) -> list[OperationRow]:
        return self._select("SELECT * FROM operations WHERE transaction_id = ? ORDER BY created_at", (transaction_id,))

    def linked_transaction_ids(self, transaction_ids: Iterable[int]) -> set[int]:
        """Which of these provider transactions are already tied to a journal entry."""
        ids = list({int(t) for t in transaction_ids})
        if not ids:
            return set()
        rows = self._engine.read(
            f"SELECT DISTINCT transaction_id FROM operations WHERE transaction_id IN ({placeholders(ids)})", ids
        )
        return {r["transaction_id"] for r in rows}

    def latest_of(self, actor: str, kind: str, *, except_states: Iterable[str] = ()) -> OperationRow | None:
        """`actor`'s newest entry of `kind` ('payout' / 'card_payment'), ignoring `except_states`."""
        states = tuple(except_states)
        sql = "SELECT * FROM operations WHERE actor = ? AND kind = ?"
        if states:
            sql += f" AND state NOT IN ({placeholders(states)})"
        return _operation(self._engine.read_one(sql + " ORDER BY created_at DESC LIMIT 1", (actor, kind, *states)))

    def recent(self, limit: int = 50) -> list[OperationRow]:
        return self._select("SELECT * FROM operations ORDER BY created_at DESC LIMIT ?", (int(limit),))

    def of_username(self, username: str, limit: int = 500) -> list[OperationRow]:
        """One customer's payouts and card payments (the username exactly as sent), newest first."""
        return self._select(
            "SELECT * FROM operations WHERE username = ? ORDER BY created_at DESC LIMIT ?", (username, int(limit))
        )

    def in_states(self, states: Iterable[str], *, created_before: datetime | None = None) -> list[OperationRow]:
        states = tuple(states)
        sql = f"SELECT * FROM operations WHERE state IN ({placeholders(states)})"
        params: list[object] = list(states)
        if created_before is not None:
            sql += " AND created_at < ?"
            params.append(time_value(created_before))
        return self._select(sql + " ORDER BY created_at", params)

    def confirmed_without_final_status(self) -> list[OperationRow]:
        return self._select(
            """SELECT * FROM operations WHERE state = 'confirmed' AND transaction_id IS NOT NULL
               AND status_final = 0 ORDER BY created_at"""
        )

    # -- each user's dismissed outcome -------------------------------------------------------

    def dismissed_outcome(self, user: str, kind: str) -> str | None:
        """The id of the `kind` outcome `user` last dismissed, or None."""
        row = self._engine.read_one(
            'SELECT operation_id FROM dismissed_outcomes WHERE "user" = ? AND kind = ?', (user, kind)
        )
        return row["operation_id"] if row else None

    def set_dismissed_outcome(self, user: str, kind: str, operation_id: str, *, at: datetime) -> None:
        with self._engine.write() as cur:
            cur.execute(
                """INSERT INTO dismissed_outcomes ("user", kind, operation_id, dismissed_at) VALUES (?, ?, ?, ?)
                   ON CONFLICT ("user", kind) DO UPDATE SET operation_id = excluded.operation_id,
                   dismissed_at = excluded.dismissed_at""",
                (user, kind, operation_id, time_value(at)),
            )
