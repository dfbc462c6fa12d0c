"""Payout batches (table `payout_batches`) and their rows (table `payout_batch_items`).

The sending rules live in `dashboard.batches`; this repository gives them atomic steps: store a
batch with all its rows in one transaction, compare-and-set a batch's state, claim queued rows for
one process (a claim expires, so rows a crashed process held are taken again), finish or requeue a
claimed row only while the claim is still the caller's, and read rows with their journal outcome.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import fields
from datetime import datetime
from typing import Any

from dashboard.store.audit_rows import AuditRepository
from dashboard.store.codec import column_name, encode, insert_into, placeholders, set_clause, time_value
from dashboard.store.engine import Engine
from dashboard.store.rows import BatchItemRow, BatchRow, from_record

_BATCH_COLUMNS = frozenset(column_name(f.name) for f in fields(BatchRow))
_ITEM_COLUMNS = frozenset(column_name(f.name) for f in fields(BatchItemRow)) - {
    "op_state",
    "transaction_id",
    "op_status",
    "op_message",
}
_ITEMS_WITH_OUTCOME = """SELECT i.*, o.state AS op_state, o.transaction_id AS transaction_id,
       o.status AS op_status, o.message AS op_message
  FROM payout_batch_items i LEFT JOIN operations o ON o.id = i.operation_id"""


class BatchRepository:
    """`store.batches`: payout batches and their rows."""

    def __init__(self, engine: Engine, audit: AuditRepository) -> None:
        self._engine = engine
        self._audit = audit

    # -- writing ---------------------------------------------------------------------------

    def create(
        self, batch: Mapping[str, Any], items: Sequence[Mapping[str, Any]], audit: Mapping[str, Any] | None = None
    ) -> bool:
        """The batch, every row of its file and its audit line, in one transaction; False (and nothing
        written) when a batch with this id exists already (the same submit arriving twice)."""
        values = encode(batch)
        rows = [encode(item) for item in items]
        bad = (set(values) - _BATCH_COLUMNS) | {k for r in rows for k in r if k not in _ITEM_COLUMNS}
        if bad:
            raise ValueError(f"unknown batch columns: {sorted(bad)}")
        with self._engine.write() as cur:
            cur.execute(
                insert_into("payout_batches", list(values)) + " ON CONFLICT (id) DO NOTHING", tuple(values.values())
            )
            if cur.rowcount != 1:
                return False
            for row in rows:
                cur.execute(insert_into("payout_batch_items", list(row)), tuple(row.values()))
            if audit is not None:
                self._audit.insert(cur, audit)
        return True

    def set_state(
        self,
        batch_id: str,
        *,
        from_states: Iterable[str],
        changes: Mapping[str, Any],
        items: tuple[Sequence[str], str] | None = None,
        audit: Mapping[str, Any] | None = None,
    ) -> bool:
        """Compare-and-set a batch's state (and other columns); `items` = (from states, to state) moves
        its rows in the same transaction, e.g. queued rows to cancelled. Returns whether it applied."""
        values = encode(changes)
        if set(values) - _BATCH_COLUMNS or "id" in values:
            raise ValueError(f"cannot set batch columns: {sorted(set(values) - _BATCH_COLUMNS)}")
        states = tuple(from_states)
        sets = set_clause(list(values))
        with self._engine.write() as cur:
            cur.execute(
                f"UPDATE payout_batches SET {sets} WHERE id = ? AND state IN ({placeholders(states)})",
                (*values.values(), batch_id, *states),
            )
            applied = cur.rowcount == 1
            if applied and items is not None:
                item_states, to_state = tuple(items[0]), items[1]
                cur.execute(
                    f"""UPDATE payout_batch_items SET state = ?, updated_at = ?
                        WHERE batch_id = ? AND state IN ({placeholders(item_states)})""",
                    (to_state, values.get("updated_at"), batch_id, *item_states),
                )
            if applied and audit is not None:
                self._audit.insert(cur, audit)
        return applied

    def claim(
        self,
        batch_id: str,
        *,
        claimant: str,
        now: datetime,
        until: datetime,
        limit: int,
        operation_id: Callable[[int, int], str],
    ) -> list[BatchItemRow]:
        """Up to `limit` rows of a batch that is sending, in file order, for `claimant` until `until`:
        queued rows, and rows whose earlier claim expired (its process stopped mid-row). Each claimed
        row gets its journal operation id, `operation_id(row_no, attempt)`, before anything is sent."""
        claimed: list[int] = []
        with self._engine.write() as cur:
            batch = cur.execute("SELECT state FROM payout_batches WHERE id = ?", (batch_id,)).fetchone()
            if batch is None or batch["state"] != "sending":
                return []
            candidates = cur.execute(
                """SELECT row_no, attempt FROM payout_batch_items
                   WHERE batch_id = ? AND (state = 'queued' OR (state = 'sending' AND claim_expires_at < ?))
                   ORDER BY row_no LIMIT ?""",
                (batch_id, time_value(now), int(limit)),
            ).fetchall()
            for candidate in candidates:
                row_no = candidate["row_no"]
                cur.execute(
                    """UPDATE payout_batch_items SET state = 'sending', claimed_by = ?, claim_expires_at = ?,
                       operation_id = ?, updated_at = ? WHERE batch_id = ? AND row_no = ?
                       AND (state = 'queued' OR (state = 'sending' AND claim_expires_at < ?))""",
                    (
                        claimant,
                        time_value(until),
                        operation_id(row_no, candidate["attempt"]),
                        time_value(now),
                        batch_id,
                        row_no,
                        time_value(now),
                    ),
                )
                if cur.rowcount == 1:
                    claimed.append(row_no)
        if not claimed:
            return []
        rows = self._engine.read(
            _ITEMS_WITH_OUTCOME + f" WHERE i.batch_id = ? AND i.row_no IN ({placeholders(claimed)}) ORDER BY i.row_no",
            (batch_id, *claimed),
        )
        return [from_record(BatchItemRow, r) for r in rows]

    def finish(
        self, batch_id: str, row_no: int, *, claimant: str, changes: Mapping[str, Any], state: str = "done"
    ) -> bool:
        """A claimed row leaves `sending` for `state` -- done (sent), queued (not sent: a 429, a pause) or
        cancelled (not sent, and never will be) -- only while the claim is still `claimant`'s."""
        if state not in ("done", "queued", "cancelled"):
            raise ValueError(f"a claimed row cannot become {state!r}")
        values = {**encode(changes), "state": state, "claimed_by": None}
        values["claim_expires_at"] = None
        if set(values) - _ITEM_COLUMNS:
            raise ValueError(f"cannot set item columns: {sorted(set(values) - _ITEM_COLUMNS)}")
        sets = set_clause(list(values))
        with self._engine.write() as cur:
            cur.execute(
                f"""UPDATE payout_batch_items SET {sets}
                    WHERE batch_id = ? AND row_no = ? AND state = 'sending' AND claimed_by = ?""",
                (*values.values(), batch_id, row_no, claimant),
            )
            return cur.rowcount == 1

    # -- reading ---------------------------------------------------------------------------

    def get(self, batch_id: str) -> BatchRow | None:
        record = self._engine.read_one("SELECT * FROM payout_batches WHERE id = ?", (batch_id,))
        return None if record is None else from_record(BatchRow, record)

    def recent(
        self, *, maker: str | None = None, states: Sequence[str] | None = None, limit: int = 50
    ) -> list[BatchRow]:
        """Newest first; only `maker`'s, only in `states`, when given."""
        sql, params = "SELECT * FROM payout_batches WHERE 1 = 1", []
        if maker is not None:
            sql += " AND maker = ?"
            params.append(maker)
        if states:
            sql += f" AND state IN ({placeholders(states)})"
            params.extend(states)
        rows = self._engine.read(sql + " ORDER BY created_at DESC LIMIT ?", [*params, int(limit)])
        return [from_record(BatchRow, r) for r in rows]

    def items(self, batch_id: str) -> list[BatchItemRow]:
        """Every row of the batch's file in file order, with its journal entry's outcome."""
        rows = self._engine.read(_ITEMS_WITH_OUTCOME + " WHERE i.batch_id = ? ORDER BY i.row_no", (batch_id,))
        return [from_record(BatchItemRow, r) for r in rows]

    def counts(self, batch_id: str) -> dict[str, int]:
        """Rows per state; a done row counts under its journal outcome ("done:confirmed", ...)."""
        rows = self._engine.read(
            """SELECT i.state AS state, o.state AS op_state, COUNT(*) AS n FROM payout_batch_items i
               LEFT JOIN operations o ON o.id = i.operation_id WHERE i.batch_id = ? GROUP BY i.state, o.state""",
            (batch_id,),
        )
        counts: dict[str, int] = {}
        for r in rows:
            key = f"done:{r['op_state']}" if r["state"] == "done" else r["state"]
            counts[key] = counts.get(key, 0) + int(r["n"])
        return counts

    def recent_payouts(self, since: datetime, states: Sequence[str]) -> list[dict[str, Any]]:
        """(id, customer_iban, amount_kurus, username) of journal payouts created since `since` in
        `states`: what a batch row is compared with to be flagged as a repeat."""
        return self._engine.read(
            f"""SELECT id, customer_iban, amount_kurus, username FROM operations
                WHERE kind = 'payout' AND created_at >= ? AND state IN ({placeholders(states)})""",
            (time_value(since), *states),
        )

    def unsent_rows_of_open_batches(self, states: Sequence[str]) -> list[dict[str, Any]]:
        """(batch_id, row_no, customer_iban, amount_kurus, username) of rows still to be sent by batches
        in `states`: a new file repeating them is flagged too (two tabs, the same file twice)."""
        return self._engine.read(
            f"""SELECT i.batch_id, i.row_no, i.customer_iban, i.amount_kurus, i.username
                FROM payout_batch_items i JOIN payout_batches b ON b.id = i.batch_id
                WHERE b.state IN ({placeholders(states)}) AND i.state IN ('queued', 'sending')""",
            tuple(states),
        )

    def release_abandoned(self, *, now: datetime, batch_states: Sequence[str]) -> int:
        """Rows a stopped process left claimed in batches that will send nothing more (cancelled,
        rejected, expired): done if their journal entry exists (it holds the outcome), else cancelled."""
        with self._engine.write() as cur:
            cur.execute(
                f"""UPDATE payout_batch_items SET
                      state = CASE WHEN EXISTS (SELECT 1 FROM operations o WHERE o.id = payout_batch_items.operation_id)
                                   THEN 'done' ELSE 'cancelled' END,
                      claimed_by = NULL, claim_expires_at = NULL, updated_at = ?
                    WHERE state = 'sending' AND claim_expires_at < ?
                      AND batch_id IN (SELECT id FROM payout_batches
                                       WHERE state IN ({placeholders(batch_states)}))""",
                (time_value(now), time_value(now), *batch_states),
            )
            return cur.rowcount
