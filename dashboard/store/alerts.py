"""Alerts (tables `alert_states`, `alert_events`, `alert_thresholds`, `upstream_health`).

The rules (which condition fires, hysteresis, who is told) live in `dashboard.alerts`; this
repository gives them atomic steps: a transition is a compare-and-set on the alert's `version`
(an alert never seen before: an insert that only one writer can win), its history row written in
the same transaction -- so two evaluators looking at the same moment record one transition, and
the one that lost knows it lost. Acknowledging and changing a threshold carry their audit line.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from dashboard.store.audit_rows import AuditRepository
from dashboard.store.codec import decode, encode, insert_into, time_value, where
from dashboard.store.engine import Cursor, Engine
from dashboard.store.rows import AlertEventRow, AlertStateRow, AlertThresholdRow, UpstreamHealthRow, from_record

FIRING, OK = "firing", "ok"


class AlertRepository:
    """`store.alerts`: alert states and their history, balance thresholds, the API's health."""

    def __init__(self, engine: Engine, audit: AuditRepository) -> None:
        self._engine = engine
        self._audit = audit

    # -- transitions ------------------------------------------------------------------------

    def transition(
        self, current: AlertStateRow | None, change: Mapping[str, Any], *, at: datetime
    ) -> AlertEventRow | None:
        """Move an alert to `change["state"]` (with kind, subject, title, detail, details) if it is
        still as `current` says (None: never recorded). Returns the history row written, or None when
        another writer moved it first (nothing written). A new firing clears the acknowledgement."""
        values = encode({**change, "changed_at": at})
        key = values["alert_key"]
        version = 1 if current is None else current.version + 1
        with self._engine.write() as cur:
            if current is None:
                row = {**values, "version": version}
                cur.execute(
                    insert_into("alert_states", list(row)) + " ON CONFLICT (alert_key) DO NOTHING", tuple(row.values())
                )
            else:
                cur.execute(
                    """UPDATE alert_states SET state = ?, version = ?, changed_at = ?, title = ?, detail = ?,
                         details_json = ?, acknowledged_by = NULL, acknowledged_at = NULL
                       WHERE alert_key = ? AND version = ?""",
                    (
                        values["state"],
                        version,
                        values["changed_at"],
                        values["title"],
                        values["detail"],
                        values.get("details_json"),
                        key,
                        current.version,
                    ),
                )
            if cur.rowcount != 1:
                return None
            return self._add_event(cur, values, version)

    @staticmethod
    def _add_event(cur: Cursor, values: Mapping[str, Any], version: int) -> AlertEventRow:
        names = ("alert_key", "kind", "subject", "state", "changed_at", "title", "detail", "details_json")
        event = {name: values.get(name) for name in names} | {"version": version}
        cur.execute(insert_into("alert_events", list(event)) + " RETURNING id", tuple(event.values()))
        return from_record(AlertEventRow, decode({**event, "id": int(cur.fetchone()[0])}))

    # -- handing transitions to delivery, once ----------------------------------------------

    def unhanded(self, *, now: datetime, limit: int = 50) -> list[AlertEventRow]:
        """Transitions not yet taken by `notify` and not claimed by an evaluator right now, oldest first."""
        rows = self._engine.read(
            """SELECT * FROM alert_events WHERE handed_at IS NULL
                 AND (claimed_until_at IS NULL OR claimed_until_at < ?) ORDER BY id LIMIT ?""",
            (time_value(now), int(limit)),
        )
        return [from_record(AlertEventRow, r) for r in rows]

    def claim_handover(self, event_id: int, *, now: datetime, until: datetime) -> bool:
        """Compare-and-set: this evaluator hands the transition over (another may once the claim has
        run out: a process that died between recording and handing over)."""
        with self._engine.write() as cur:
            cur.execute(
                """UPDATE alert_events SET claimed_until_at = ? WHERE id = ? AND handed_at IS NULL
                     AND (claimed_until_at IS NULL OR claimed_until_at < ?)""",
                (time_value(until), int(event_id), time_value(now)),
            )
            return cur.rowcount == 1

    def finish_handover(self, event_id: int, *, handed_at: datetime | None) -> None:
        """`notify` took it at `handed_at` (never handed again), or failed (None: free for the next evaluation)."""
        with self._engine.write() as cur:
            cur.execute(
                "UPDATE alert_events SET handed_at = ?, claimed_until_at = NULL WHERE id = ?",
                (None if handed_at is None else time_value(handed_at), int(event_id)),
            )

    def update_detail(self, current: AlertStateRow, title: str, detail: str, details: Mapping[str, Any]) -> bool:
        """While an alert stays as it is, keep what it says current (e.g. the balance now); no history row."""
        with self._engine.write() as cur:
            cur.execute(
                "UPDATE alert_states SET title = ?, detail = ?, details_json = ? WHERE alert_key = ? AND version = ?",
                (title, detail, encode({"details": dict(details)})["details_json"], current.alert_key, current.version),
            )
            return cur.rowcount == 1

    def acknowledge(self, alert_key: str, *, version: int, by: str, at: datetime, audit: Mapping[str, Any]) -> bool:
        """Mark a firing alert seen by `by` (once per firing: `version` is the firing the person saw);
        the audit line commits with it. False: recovered, fired again, or acknowledged already."""
        with self._engine.write() as cur:
            cur.execute(
                """UPDATE alert_states SET acknowledged_by = ?, acknowledged_at = ?
                   WHERE alert_key = ? AND version = ? AND state = ? AND acknowledged_by IS NULL""",
                (by, time_value(at), alert_key, version, FIRING),
            )
            if cur.rowcount != 1:
                return False
            self._audit.insert(cur, audit)
            return True

    # -- reading ----------------------------------------------------------------------------

    def states(self, *, state: str | None = None, kind: str | None = None) -> list[AlertStateRow]:
        """Newest change first."""
        condition, params = where({"state = ?": state, "kind = ?": kind})
        rows = self._engine.read(
            f"SELECT * FROM alert_states WHERE {condition} ORDER BY changed_at DESC, alert_key", params
        )
        return [from_record(AlertStateRow, r) for r in rows]

    def get(self, alert_key: str) -> AlertStateRow | None:
        row = self._engine.read_one("SELECT * FROM alert_states WHERE alert_key = ?", (alert_key,))
        return None if row is None else from_record(AlertStateRow, row)

    def count_firing(self) -> int:
        row = self._engine.read_one("SELECT COUNT(*) AS n FROM alert_states WHERE state = ?", (FIRING,))
        return int(row["n"]) if row else 0

    def events(self, *, alert_key: str | None = None, since: datetime | None = None, limit: int = 200) -> list:
        """The transitions, newest first."""
        condition, params = where({"alert_key = ?": alert_key, "changed_at >= ?": since})
        rows = self._engine.read(
            f"SELECT * FROM alert_events WHERE {condition} ORDER BY changed_at DESC, id DESC LIMIT ?",
            [*params, int(limit)],
        )
        return [from_record(AlertEventRow, r) for r in rows]

    # -- balance thresholds -----------------------------------------------------------------

    def thresholds(self) -> dict[int, AlertThresholdRow]:
        rows = self._engine.read("SELECT * FROM alert_thresholds ORDER BY iban_id")
        return {int(r["iban_id"]): from_record(AlertThresholdRow, r) for r in rows}

    def set_threshold(self, row: Mapping[str, Any], *, audit: Mapping[str, Any]) -> None:
        """Insert or replace an IBAN's threshold (iban_id, threshold_kurus, margin_kurus, updated_at,
        updated_by), with its audit line."""
        values = encode(row)
        updates = ", ".join(f"{c} = excluded.{c}" for c in values if c != "iban_id")
        with self._engine.write() as cur:
            cur.execute(
                insert_into("alert_thresholds", list(values)) + f" ON CONFLICT (iban_id) DO UPDATE SET {updates}",
                tuple(values.values()),
            )
            self._audit.insert(cur, audit)

    def remove_threshold(self, iban_id: int, *, audit: Mapping[str, Any]) -> bool:
        with self._engine.write() as cur:
            cur.execute("DELETE FROM alert_thresholds WHERE iban_id = ?", (int(iban_id),))
            removed = cur.rowcount == 1
            if removed:
                self._audit.insert(cur, audit)
            return removed

    # -- the upstream API's health ----------------------------------------------------------

    def record_call(self, name: str, *, at: datetime, error: str | None = None) -> None:
        """One call of a background job: it succeeded (`error` None) or failed with `error` (a short
        kind, never a message that could carry a secret). The first failure after a success starts
        the failing period; a success ends it."""
        stamp = time_value(at)
        if error is None:
            sql = """INSERT INTO upstream_health (name, last_ok_at) VALUES (?, ?)
                     ON CONFLICT (name) DO UPDATE SET last_ok_at = excluded.last_ok_at, failing_since_at = NULL"""
            params: tuple[object, ...] = (name, stamp)
        else:
            sql = """INSERT INTO upstream_health (name, failing_since_at, last_failed_at, last_error)
                     VALUES (?, ?, ?, ?)
                     ON CONFLICT (name) DO UPDATE SET last_failed_at = excluded.last_failed_at,
                       last_error = excluded.last_error,
                       failing_since_at = COALESCE(upstream_health.failing_since_at, excluded.failing_since_at)"""
            params = (name, stamp, stamp, error)
        with self._engine.write() as cur:
            cur.execute(sql, params)

    def health(self, name: str) -> UpstreamHealthRow | None:
        row = self._engine.read_one("SELECT * FROM upstream_health WHERE name = ?", (name,))
        return None if row is None else from_record(UpstreamHealthRow, row)
