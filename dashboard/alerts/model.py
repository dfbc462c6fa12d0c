"""What an alert is: its conditions, what one evaluation observed, and the transition handed on.

An alert is one condition about one subject (an IBAN, a payout, a request for approval, the API):
`alert_key` = "<condition>:<subject>". It is firing or ok; it changes state only through a
transition, recorded once in the store and handed once to `notify` (dashboard.alerts.engine).
Titles and details are written from templates and the alert's JSON `details` (money as int kuruş
under `*_kurus` keys), in English for messages and in the reader's language on the console.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from dashboard.i18n import translate
from dashboard.money import format_try

BALANCE_LOW = "balance_low"
PAYOUT_UNKNOWN = "payout_unknown"
APPROVAL_WAITING = "approval_waiting"
CALLBACK_VERIFICATION = "callback_verification"
API_UNREACHABLE = "api_unreachable"
RECONCILIATION = "reconciliation"
CONDITIONS = (BALANCE_LOW, PAYOUT_UNKNOWN, APPROVAL_WAITING, CALLBACK_VERIFICATION, API_UNREACHABLE, RECONCILIATION)

FIRED, RECOVERED = "fired", "recovered"  # a transition's state (the store keeps firing / ok)

# condition -> (label, title template, detail template); every one has its Turkish in dashboard/i18n/tr.py.
TEXTS: dict[str, tuple[str, str, str]] = {
    BALANCE_LOW: (
        "Balance below threshold",
        "Balance below threshold: {iban}",
        "Balance {balance_kurus}, threshold {threshold_kurus}; recovers above {recover_above_kurus}.",
    ),
    PAYOUT_UNKNOWN: (
        "Payout outcome unknown",
        "Payout outcome unknown: {operation_id}",
        "{amount_kurus} to {username}, sent {minutes} minutes ago; its outcome is still unknown.",
    ),
    APPROVAL_WAITING: (
        "Approval waiting",
        "Approval waiting: {request_id}",
        "{amount_kurus} requested by {maker} {minutes} minutes ago, still waiting for a second person.",
    ),
    CALLBACK_VERIFICATION: (
        "Callbacks failing verification",
        "Callbacks failing verification",
        "{count} callbacks did not verify against the API in the last {minutes} minutes.",
    ),
    API_UNREACHABLE: (
        "API unreachable",
        "The EnigmaPay API is unreachable or refusing",
        "Background calls have failed for {minutes} minutes (last error: {error}).",
    ),
    RECONCILIATION: (
        "Reconciliation difference",
        "Reconciliation difference: {iban}",
        "{days} days do not reconcile, differences totalling {difference_kurus}.",
    ),
}
RECOVERED_DETAIL = "Recovered. It was: {detail}"


def fill(details: dict[str, Any], lang: str = "en") -> dict[str, str]:
    """The template values: `*_kurus` as money in `lang`, the rest as text."""
    return {k: format_try(v, lang, kurus=True) if k.endswith("_kurus") else str(v) for k, v in details.items()}


def describe(condition: str, details: dict[str, Any], lang: str = "en") -> tuple[str, str]:
    """(title, detail) of a firing alert in `lang`."""
    _, title, detail = TEXTS[condition]
    values = fill(details, lang)
    return translate(title, lang, **values), translate(detail, lang, **values)


def label(condition: str, lang: str = "en") -> str:
    return translate(TEXTS[condition][0], lang)


@dataclass(frozen=True)
class Observation:
    """One evaluation found `condition` true about `subject`, with the values its text shows."""

    condition: str
    subject: str
    details: dict[str, Any] = field(default_factory=dict)  # JSON-safe: str, int, bool, lists of them

    @property
    def key(self) -> str:
        return f"{self.condition}:{self.subject}"


@dataclass(frozen=True)
class AlertTransition:
    """An alert fired or recovered: handed once to `notify` (e-mail, webhook) per change of state."""

    alert_key: str
    condition: str
    subject: str
    state: str  # FIRED | RECOVERED
    at: datetime  # aware
    title: str  # short, English
    detail: str  # English
    details: dict[str, Any] = field(default_factory=dict)  # JSON-safe
    version: int = 0  # the alert's transition count in the store (fired 1, recovered 2, fired 3, ...)

    @property
    def key(self) -> str:
        """The alert's key (the name delivery's Transition protocol reads)."""
        return self.alert_key

    def to_json(self) -> dict[str, Any]:
        """The transition as JSON values (a webhook's body)."""
        return {
            "alert_key": self.alert_key,
            "condition": self.condition,
            "subject": self.subject,
            "state": self.state,
            "at": self.at.isoformat(),
            "title": self.title,
            "detail": self.detail,
            "details": self.details,
            "version": self.version,
        }
