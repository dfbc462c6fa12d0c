"""Callback events, their verification claims, transaction-status checks and the derived
current status of each transaction (tables `callback_events`, `status_checks`, `transaction_status`).

The rules (what a callback may change, how verification runs) live in the domain module
`dashboard.callbacks`; this repository gives it the atomic steps.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any

from dashboard.store.codec import decode, encode, insert_into, placeholders, time_value, where
from dashboard.store.engine import Cursor, Engine
from dashboard.store.rows import CallbackEventRow, CurrentStatusRow, StatusCheckRow, from_record


def _events(records: Iterable[dict[str, Any]]) -> list[CallbackEventRow]:
    return [from_record(CallbackEventRow, r) for r in records]


class CallbackRepository:
    """`store.callbacks`: callback events, verification claims, status checks, current status."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    # -- events ----------------------------------------------------------------------------

    def add_event(self, event: Mapping[str, Any], *, status_final: bool, moves_status: bool = True) -> bool:
        """Store one delivery; returns True when new, False for a duplicate (delivery counted).

        In the same transaction the transaction's derived current status moves to this event's
        status -- unless the current one is final: out-of-order deliveries never undo a final status.
        An event that is never trusted (`moves_status=False`) is only stored.
        """
        values = encode(event)
        with self._engine.write() as cur:
            cur.execute(
                insert_into("callback_events", list(values))
                + """ ON CONFLICT (transaction_id, status) DO UPDATE SET
                      delivery_count = callback_events.delivery_count + 1, last_received_at = excluded.received_at
                    RETURNING delivery_count""",
                tuple(values.values()),
            )
            inserted = cur.fetchone()[0] == 1
            if inserted and moves_status:
                _upsert_current_status(
                    cur,
                    values["transaction_id"],
                    values["status"],
                    values["status_text"],
                    status_final,
                    "callback",
                    values["received_at"],
                )
        return inserted

    def events(
        self,
        *,
        limit: int = 100,
        since: datetime | None = None,
        transaction_id: int | None = None,
        verification: str | None = None,
        oldest_first: bool = False,
    ) -> list[CallbackEventRow]:
        """Events (with the journal entry they belong to, if any, as `operation_id`)."""
        condition, params = where(
            {"e.received_at >= ?": since, "e.transaction_id = ?": transaction_id, "e.verification = ?": verification}
        )
        order = "ASC" if oldest_first else "DESC"
        params.append(int(limit))
        sql = f"""SELECT e.*, (SELECT o.id FROM operations o WHERE o.transaction_id = e.transaction_id
                                ORDER BY o.created_at LIMIT 1) AS operation_id
                   FROM callback_events e WHERE {condition}
                   ORDER BY e.received_at {order}, e.id {order} LIMIT ?"""
        return _events(self._engine.read(sql, params))

    def unlinked_candidates(self, *, username: str, amount_kurus: int, since: datetime) -> list[CallbackEventRow]:
        """Callback events that could belong to a payout whose answer was lost: same username and
        amount, received since `since`, not flagged as forged, transaction not tied to any entry."""
        sql = """SELECT e.* FROM callback_events e
                 WHERE e.username = ? AND e.amount_kurus = ? AND e.received_at >= ?
                   AND e.verification != 'unverified'
                   AND NOT EXISTS (SELECT 1 FROM operations o WHERE o.transaction_id = e.transaction_id)
                 ORDER BY e.received_at"""
        return _events(self._engine.read(sql, (username, amount_kurus, time_value(since))))

    # -- verification ----------------------------------------------------------------------

    def set_verification(
        self, event_ids: Iterable[int], *, verification: str, at: datetime, api_status_text: str | None
    ) -> None:
        ids = list(event_ids)
        if not ids:
            return
        with self._engine.write() as cur:
            cur.execute(
                f"""UPDATE callback_events SET verification = ?, verified_at = ?, api_status_text = ?,
                      verify_claimed_by = NULL, verify_claim_expires_at = NULL
                    WHERE id IN ({placeholders(ids)})""",
                (verification, time_value(at), api_status_text, *ids),
            )

    def claim_pending(self, *, claimant: str, now: datetime, until: datetime, limit: int) -> list[CallbackEventRow]:
        """Claim up to `limit` pending events for verification by `claimant`, oldest first: events
        nobody holds, or whose claim expired (its process died). One write transaction, so two
        processes on one file never claim the same event."""
        with self._engine.write() as cur:
            rows = cur.execute(
                """SELECT * FROM callback_events
                   WHERE verification = 'pending'
                     AND (verify_claim_expires_at IS NULL OR verify_claim_expires_at <= ?)
                   ORDER BY received_at, id LIMIT ?""",
                (time_value(now), int(limit)),
            ).fetchall()
            ids = [r["id"] for r in rows]
            if ids:
                cur.execute(
                    f"""UPDATE callback_events SET verify_claimed_by = ?, verify_claim_expires_at = ?
                        WHERE id IN ({placeholders(ids)})""",
                    (claimant, time_value(until), *ids),
                )
        return _events(decode(r) for r in rows)

    def release_claims(self, event_ids: Iterable[int], *, claimant: str) -> None:
        """Give back claims not verified (API unavailable): the next run, of any process, retries them."""
        ids = list(event_ids)
        if not ids:
            return
        with self._engine.write() as cur:
            cur.execute(
                f"""UPDATE callback_events SET verify_claimed_by = NULL, verify_claim_expires_at = NULL
                    WHERE verify_claimed_by = ? AND verification = 'pending'
                      AND id IN ({placeholders(ids)})""",
                (claimant, *ids),
            )

    def backlog(self) -> tuple[int, datetime | None]:
        """(events waiting for verification, when the oldest of them was received)."""
        row = self._engine.read_one(
            "SELECT COUNT(*) AS waiting, MIN(received_at) AS oldest_at FROM callback_events WHERE verification = 'pending'"
        )
        return (row["waiting"], row["oldest_at"]) if row else (0, None)

    # -- status checks and the current status -------------------------------------------------

    def record_status_check(self, check: Mapping[str, Any]) -> int:
        """Store one transaction-status answer. In the same transaction it becomes the derived
        current status (the API is authoritative) and the status of a confirmed journal entry."""
        values = encode(check)
        with self._engine.write() as cur:
            cur.execute(insert_into("status_checks", list(values)) + " RETURNING id", tuple(values.values()))
            check_id = int(cur.fetchone()[0])
            _upsert_current_status(
                cur,
                values["transaction_id"],
                values["status"],
                values.get("status_text"),
                bool(values["status_final"]),
                "api",
                values["checked_at"],
            )
            # updated_at is left alone: it marks the entry's last state change, the check has its own time.
            cur.execute(
                """UPDATE operations SET status = ?, status_text = ?, status_final = ?
                   WHERE transaction_id = ? AND state = 'confirmed'""",
                (values["status"], values.get("status_text"), values["status_final"], values["transaction_id"]),
            )
        return check_id

    def status_checks(self, transaction_id: int) -> list[StatusCheckRow]:
        rows = self._engine.read(
            "SELECT * FROM status_checks WHERE transaction_id = ? ORDER BY checked_at, id", (transaction_id,)
        )
        return [from_record(StatusCheckRow, r) for r in rows]

    def current_status(self, transaction_id: int) -> CurrentStatusRow | None:
        row = self._engine.read_one("SELECT * FROM transaction_status WHERE transaction_id = ?", (transaction_id,))
        return None if row is None else from_record(CurrentStatusRow, row)


def _upsert_current_status(
    cur: Cursor, transaction_id: int, status: str, status_text: str | None, final: bool, source: str, at: str
) -> None:
    # A callback never replaces a final status; the API (source 'api') is the truth and always does.
    cur.execute(
        """INSERT INTO transaction_status (transaction_id, status, status_text, status_final, source, updated_at)
           VALUES (?, ?, ?, ?, ?, ?)
           ON CONFLICT (transaction_id) DO UPDATE SET
             status = excluded.status, status_text = excluded.status_text,
             status_final = excluded.status_final, source = excluded.source,
             updated_at = excluded.updated_at
           WHERE excluded.source = 'api' OR transaction_status.status_final = 0""",
        (transaction_id, status, status_text, int(final), source, at),
    )
