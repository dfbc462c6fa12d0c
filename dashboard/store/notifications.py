"""The notification outbox (tables `notifications`, `notification_deliveries`).

A message is stored once under its idempotency key (`enqueue` of the same key again changes
nothing), with one delivery per channel. Deliveries are claimed by one process at a time (a claim
expires, so a delivery a crashed process held is taken again), finished only while the claim is still
the caller's, and never claimed again once sent, skipped or given up.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from typing import Any

from dashboard.store.codec import encode, insert_into, placeholders, set_clause, time_value
from dashboard.store.engine import Engine
from dashboard.store.rows import DeliveryRow, NotificationRow, from_record

PENDING, SENDING, SENT, SKIPPED, FAILED = "pending", "sending", "sent", "skipped", "failed"
DELIVERY_STATES = (PENDING, SENDING, SENT, SKIPPED, FAILED)
_FINISHED = (PENDING, SENT, SKIPPED, FAILED)  # what a claimed delivery may become
_NOTIFICATION_COLUMNS = ("id", "kind", "subject", "body", "html", "payload", "created_at")
_CLAIMABLE = "(state = 'pending' AND next_attempt_at <= ?) OR (state = 'sending' AND claim_expires_at < ?)"
_WITH_MESSAGE = """SELECT d.*, n.kind AS kind, n.subject AS subject FROM notification_deliveries d
                   JOIN notifications n ON n.id = d.notification_id"""


class NotificationRepository:
    """`store.notifications`: the outbox and its deliveries per channel."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def enqueue(self, message: Mapping[str, Any], channels: Iterable[str], *, now: datetime) -> bool:
        """Store `message` (id, kind, subject, body, html, payload, created_at) with a pending delivery
        per channel, due at `now`. False (and nothing changed) when its id is already stored."""
        values = encode({k: message.get(k) for k in _NOTIFICATION_COLUMNS})
        at = time_value(now)
        with self._engine.write() as cur:
            cur.execute(
                insert_into("notifications", list(values)) + " ON CONFLICT (id) DO NOTHING", tuple(values.values())
            )
            if cur.rowcount != 1:
                return False
            cur.executemany(
                """INSERT INTO notification_deliveries (notification_id, channel, state, next_attempt_at, updated_at)
                   VALUES (?, ?, 'pending', ?, ?) ON CONFLICT (notification_id, channel) DO NOTHING""",
                [(values["id"], channel, at, at) for channel in channels],
            )
            return True

    def exists(self, notification_id: str) -> bool:
        return self._engine.read_one("SELECT 1 AS one FROM notifications WHERE id = ?", (notification_id,)) is not None

    def get(self, notification_id: str) -> NotificationRow | None:
        record = self._engine.read_one("SELECT * FROM notifications WHERE id = ?", (notification_id,))
        return None if record is None else from_record(NotificationRow, record)

    def claim(
        self, *, claimant: str, now: datetime, until: datetime, limit: int = 20
    ) -> list[tuple[NotificationRow, DeliveryRow]]:
        """Up to `limit` due deliveries, oldest first, for `claimant` until `until`: pending ones whose
        next attempt is due, and ones whose earlier claim expired (its process stopped mid-send)."""
        at = time_value(now)
        claimed: list[tuple[str, str]] = []
        with self._engine.write() as cur:
            cur.execute(
                f"""SELECT notification_id, channel FROM notification_deliveries
                    WHERE {_CLAIMABLE} ORDER BY next_attempt_at, notification_id, channel LIMIT ?""",
                (at, at, int(limit)),
            )
            for notification_id, channel in [(r["notification_id"], r["channel"]) for r in cur.fetchall()]:
                cur.execute(
                    f"""UPDATE notification_deliveries SET state = 'sending', claimed_by = ?, claim_expires_at = ?,
                          updated_at = ?
                        WHERE notification_id = ? AND channel = ? AND ({_CLAIMABLE})""",
                    (claimant, time_value(until), at, notification_id, channel, at, at),
                )
                if cur.rowcount == 1:
                    claimed.append((notification_id, channel))
        return [self._claimed(notification_id, channel, claimant) for notification_id, channel in claimed]

    def _claimed(self, notification_id: str, channel: str, claimant: str) -> tuple[NotificationRow, DeliveryRow]:
        message = self.get(notification_id)
        record = self._engine.read_one(
            _WITH_MESSAGE + " WHERE d.notification_id = ? AND d.channel = ?", (notification_id, channel)
        )
        assert message is not None and record is not None  # rows are never deleted
        return message, from_record(DeliveryRow, record)

    def finish(
        self, notification_id: str, channel: str, *, claimant: str, state: str, now: datetime, **changes: Any
    ) -> bool:
        """A claimed delivery leaves `sending` for `state` (sent; pending again, with `next_attempt_at`
        and `attempts`; skipped; failed), only while the claim is still `claimant`'s."""
        if state not in _FINISHED:
            raise ValueError(f"a claimed delivery cannot become {state!r}")
        allowed = {"attempts", "next_attempt_at", "last_error", "sent_at"}
        if set(changes) - allowed:
            raise ValueError(f"cannot set delivery columns: {sorted(set(changes) - allowed)}")
        values = {**encode(changes), "state": state, "claimed_by": None, "claim_expires_at": None}
        values["updated_at"] = time_value(now)
        with self._engine.write() as cur:
            cur.execute(
                f"""UPDATE notification_deliveries SET {set_clause(list(values))}
                    WHERE notification_id = ? AND channel = ? AND state = 'sending' AND claimed_by = ?""",
                (*values.values(), notification_id, channel, claimant),
            )
            return cur.rowcount == 1

    def deliveries(
        self, *, states: Sequence[str] | None = None, notification_id: str | None = None, limit: int = 100
    ) -> list[DeliveryRow]:
        """Newest first (by last change), with the message's kind and subject; only in `states` / of one
        message when given."""
        sql, params = _WITH_MESSAGE + " WHERE 1 = 1", []
        if states:
            sql += f" AND d.state IN ({placeholders(states)})"
            params.extend(states)
        if notification_id is not None:
            sql += " AND d.notification_id = ?"
            params.append(notification_id)
        rows = self._engine.read(sql + " ORDER BY d.updated_at DESC, d.channel LIMIT ?", [*params, int(limit)])
        return [from_record(DeliveryRow, r) for r in rows]

    def counts(self) -> dict[str, int]:
        """Deliveries per state."""
        rows = self._engine.read("SELECT state, COUNT(*) AS n FROM notification_deliveries GROUP BY state")
        return {r["state"]: int(r["n"]) for r in rows}
