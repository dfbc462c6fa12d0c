"""What a notification is, and the messages of alert transitions (no Streamlit, no I/O).

A `Notification` is stored once under its idempotency `key` (the outbox ignores the same key again),
then delivered on each channel: its `subject` and plain-text `body` (and optional `html`) by e-mail,
its JSON document (`webhook_document`) by the webhook.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from enum import Enum
from typing import Any, Protocol

from dashboard.i18n import translate
from dashboard.timeutil import zone

EMAIL, WEBHOOK = "email", "webhook"
CHANNELS = (EMAIL, WEBHOOK)
ALERT_FIRED, ALERT_RECOVERED, DAILY_REPORT = "alert.fired", "alert.recovered", "report.daily"


@dataclass(frozen=True)
class Notification:
    key: str  # idempotency key: one message per key, ever
    kind: str  # "alert.fired", "alert.recovered", "report.daily", ...
    subject: str
    body: str  # plain text
    payload: dict[str, Any]  # JSON-safe (see json_safe): the webhook's `data`
    created_at: datetime  # aware
    html: str | None = None
    channels: tuple[str, ...] = CHANNELS

    def __post_init__(self) -> None:
        if self.created_at.tzinfo is None:
            raise ValueError("a notification's time must be timezone-aware")
        if not self.key or not self.kind:
            raise ValueError("a notification needs a key and a kind")
        unknown = set(self.channels) - set(CHANNELS)
        if unknown:
            raise ValueError(f"unknown channels {sorted(unknown)}; known: {', '.join(CHANNELS)}")


class Transition(Protocol):
    """What the alerts give `alert_notification` (their AlertTransition has these attributes)."""

    key: str
    condition: str
    subject: str
    state: str  # "fired" / "recovered"
    at: datetime
    title: str
    detail: str
    details: Mapping[str, Any]


def json_safe(value: Any) -> Any:
    """Decimal -> exact text, datetimes/dates -> ISO 8601, enums -> value, tuples/sets -> lists."""
    if isinstance(value, Mapping):
        return {str(k): json_safe(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set, frozenset)):
        return [json_safe(v) for v in value]
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    if isinstance(value, Enum):
        return json_safe(value.value)
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return json_safe(dataclasses.asdict(value))
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    return str(value)


def alert_notification(transition: Transition, lang: str = "en", tz: str | None = None) -> Notification:
    """The one message of an alert firing or recovering (its time shown in `tz` when given). Its key is
    the transition's (alert key, state, time): the same transition handed over twice is one message."""
    state = transition.state
    if state not in ("fired", "recovered"):
        raise ValueError(f"an alert transition is 'fired' or 'recovered', not {state!r}")
    kind = ALERT_FIRED if state == "fired" else ALERT_RECOVERED
    title = translate(transition.title, lang)
    head = translate("Alert: {title}" if state == "fired" else "Recovered: {title}", lang, title=title)
    at = transition.at.astimezone(zone(tz)) if tz else transition.at
    lines = [head, ""]
    if transition.detail:
        lines += [translate(transition.detail, lang), ""]
    if transition.subject:
        lines.append(translate("Concerns: {subject}", lang, subject=transition.subject))
    lines.append(translate("Time: {at}", lang, at=at.strftime("%d.%m.%Y %H:%M:%S") + (f" ({tz})" if tz else " UTC")))
    lines += [f"{k}: {v}" for k, v in json_safe(dict(transition.details)).items()]
    payload = {
        "alert_key": transition.key,
        "condition": transition.condition,
        "subject": transition.subject,
        "state": state,
        "at": transition.at,
        "title": transition.title,
        "detail": transition.detail,
        "details": dict(transition.details),
    }
    return Notification(
        key=f"{kind}:{transition.key}:{transition.at.isoformat()}",
        kind=kind,
        subject="[EnigmaPay] " + head,
        body="\n".join(lines) + "\n",
        payload=json_safe(payload),
        created_at=transition.at,
    )


def webhook_document(key: str, kind: str, subject: str, body: str, payload: Any, created_at: datetime) -> dict:
    """The JSON the webhook receives (the receiver deduplicates by `id`, also sent as a header)."""
    return {
        "id": key,
        "type": kind,
        "created_at": created_at.isoformat(),
        "subject": subject,
        "text": body,
        "data": json_safe(payload),
    }


def stored(notification: Notification) -> dict[str, Any]:
    """The outbox row of a notification (store.notifications.enqueue)."""
    return {
        "id": notification.key,
        "kind": notification.kind,
        "subject": notification.subject,
        "body": notification.body,
        "html": notification.html,
        "payload": json_safe(notification.payload),
        "created_at": notification.created_at,
    }
