"""Audit log: who did what, when, for how much -- append-only, with IBANs masked and no secrets.

The store enforces append-only twice: it has no update/delete method and the table has triggers
that abort any UPDATE or DELETE, so even raw SQL cannot rewrite history.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from dashboard.iban import mask_iban
from dashboard.store import AuditRow, Store

ACTIONS = frozenset(
    {
        "send_money",
        "card_payment",
        "export",
        "settle",
        "sign_in",
        "sign_in_failed",
        "mark_resolved",
        "sign_out_everywhere",
        "two_factor_enrolled",
        "two_factor_verified",
        "two_factor_failed",
        "two_factor_recovery_used",
        "two_factor_recovery_regenerated",
        "two_factor_reset",
        "batch",  # a payout batch: submitted, approved, paused, resumed, cancelled, rejected, expired, done
        "approval_request",
        "approval_approve",
        "approval_reject",
        "approval_expire",
        "role_changed",
        "session_ended",
        "sandbox_drift",  # the sandbox told to drift a balance (Reconciliation page; never live)
        "alert_acknowledge",  # a person saw a firing alert (dashboard.alerts)
        "alert_threshold",  # an IBAN's low-balance threshold set or removed
    }
)
# Keys whose values are never written, at any depth of `details`.
_SECRET_KEY = re.compile(r"pass|secret|token|api[_-]?key|hash|authori[sz]ation|cookie|card_?number|cvv", re.I)
# A full Turkish IBAN anywhere in a string value is masked.
_IBAN_IN_TEXT = re.compile(r"\bTR\d{2}(?:\s?[0-9A-Z]){22}\b", re.I)
REDACTED = "[redacted]"


AuditEntry = AuditRow  # one line of the log, exactly as the store keeps it


def scrub(value: Any) -> Any:
    """Details as they may be stored: secret-looking keys redacted, full IBANs masked."""
    if isinstance(value, Mapping):
        return {str(k): (REDACTED if _SECRET_KEY.search(str(k)) else scrub(v)) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [scrub(v) for v in value]
    if isinstance(value, str):
        return _IBAN_IN_TEXT.sub(lambda m: mask_iban(m.group(0)), value)
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, datetime):
        return value.isoformat()
    return value


class AuditLog:
    """Append-only record of operator and system actions."""

    def __init__(self, store: Store, *, clock: Callable[[], datetime] | None = None) -> None:
        self._store = store
        self._clock = clock or (lambda: datetime.now(UTC))

    def entry(
        self,
        action: str,
        *,
        actor: str,
        outcome: str,
        amount: Decimal | None = None,
        iban: str | None = None,
        details: Mapping[str, Any] | None = None,
    ) -> dict[str, Any]:
        """The row `record` would append; the journal passes it to the store so that an operation's
        state change and its audit line commit in one transaction."""
        if action not in ACTIONS:
            raise ValueError(f"unknown audit action {action!r}; known: {sorted(ACTIONS)}")
        if not actor:
            raise ValueError("an audit entry needs an actor")
        if amount is not None and not isinstance(amount, Decimal):
            raise TypeError("amount is a Decimal")
        return {
            "at": self._clock(),
            "actor": actor,
            "action": action,
            "amount": amount,
            "iban_masked": mask_iban(iban) if iban else None,
            "outcome": outcome,
            "details": scrub(dict(details)) if details else None,
        }

    def record(
        self,
        action: str,
        *,
        actor: str,
        outcome: str,
        amount: Decimal | None = None,
        iban: str | None = None,
        details: Mapping[str, Any] | None = None,
    ) -> int:
        """Append one entry; returns its id. `iban` is stored masked, never in full."""
        row = self.entry(action, actor=actor, outcome=outcome, amount=amount, iban=iban, details=details)
        return self._store.audit.append(row)

    def query(
        self,
        since: datetime | None = None,
        until: datetime | None = None,
        actor: str | None = None,
        action: str | None = None,
        limit: int = 500,
    ) -> list[AuditEntry]:
        """Newest first; `since` inclusive, `until` exclusive."""
        return self._store.audit.query(since=since, until=until, actor=actor, action=action, limit=limit)
