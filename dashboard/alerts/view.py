"""What the console shows and does with alerts (the Alerts page, the sidebar's count), reached by
the pages as `data_access.alerts`. Store reads per run, no cache: the count must drop the moment an
alert recovers, and these are small indexed queries."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from dashboard import services
from dashboard.alerts.model import CONDITIONS, FIRED, RECOVERED, describe, label
from dashboard.money import AmountError, from_kurus, parse_amount_input, to_kurus
from dashboard.store.alerts import FIRING
from dashboard.store.rows import AlertStateRow, AlertThresholdRow

__all__ = ["CONDITIONS", "FIRED", "RECOVERED", "ThresholdError", "label"]

HISTORY_LIMIT = 200


class ThresholdError(ValueError):
    """A threshold a person typed cannot be used; `message` is English, for `ui.t`. Nothing changed."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def _repo():
    return services.records().store.alerts


def firing_count() -> int:
    return _repo().count_firing()


def firing() -> list[AlertStateRow]:
    """The firing alerts, newest first."""
    return _repo().states(state=FIRING)


def text(row: Any, lang: str) -> tuple[str, str]:
    """(title, detail) of an alert or a history row in `lang`."""
    return describe(row.kind, row.details or {}, lang)


def firing_table(lang: str) -> list[dict[str, Any]]:
    rows = []
    for r in firing():
        title, detail = text(r, lang)
        rows.append(
            {
                "key": r.alert_key,
                "version": r.version,
                "condition": label(r.kind, lang),
                "title": title,
                "detail": detail,
                "since": r.changed_at,
                "acknowledged_by": r.acknowledged_by,
                "acknowledged_at": r.acknowledged_at,
            }
        )
    return rows


def history_table(lang: str, limit: int = HISTORY_LIMIT) -> list[dict[str, Any]]:
    """The transitions, newest first: when, which condition, fired or recovered, what it said."""
    out = []
    for e in _repo().events(limit=limit):
        title, detail = text(e, lang)
        out.append(
            {
                "at": e.changed_at,
                "condition": label(e.kind, lang),
                "state": FIRED if e.state == FIRING else RECOVERED,
                "title": title,
                "detail": detail,
            }
        )
    return out


def acknowledge(alert_key: str, version: int, *, actor: str) -> bool:
    """`actor` saw this firing of the alert (audited with who and when). False: it recovered or fired
    again meanwhile, or someone acknowledged it first -- nothing changed."""
    audit = services.records().audit.entry(
        "alert_acknowledge", actor=actor, outcome="acknowledged", details={"alert": alert_key, "firing": version}
    )
    return _repo().acknowledge(alert_key, version=version, by=actor, at=datetime.now(UTC), audit=audit)


def thresholds() -> dict[int, AlertThresholdRow]:
    return _repo().thresholds()


def threshold_amount(row: AlertThresholdRow | None) -> Decimal | None:
    return None if row is None else from_kurus(row.threshold_kurus)


def margin_in_force(row: AlertThresholdRow | None) -> tuple[Decimal, bool] | None:
    """The margin the alert recovers by: (the threshold's own, True), else (the configured one, False);
    None without a threshold."""
    if row is None:
        return None
    if row.margin_kurus is not None:
        return from_kurus(row.margin_kurus), True
    return services.settings().alerts.balance_margin, False


def _amount(text: str, what: str, *, zero_ok: bool) -> int:
    try:
        amount = parse_amount_input(text)
    except AmountError as exc:
        raise ThresholdError(str(exc)) from None
    if amount < 0 or (amount == 0 and not zero_ok) or amount != amount.quantize(Decimal("0.01")):
        raise ThresholdError(what)
    return to_kurus(amount)


def set_threshold(iban_id: int, iban: str, threshold_text: str, margin_text: str = "", *, actor: str) -> None:
    """An IBAN's low-balance threshold (and its own margin; blank: the configured one), audited.
    ThresholdError: nothing stored."""
    threshold = _amount(threshold_text, "The threshold must be an amount greater than zero.", zero_ok=False)
    margin = None
    if margin_text.strip():
        margin = _amount(margin_text, "The margin must be an amount of zero or more.", zero_ok=True)
    at = datetime.now(UTC)
    details = {"iban_id": iban_id, "margin": None if margin is None else str(from_kurus(margin))}
    audit = services.records().audit.entry(
        "alert_threshold", actor=actor, outcome="set", amount=from_kurus(threshold), iban=iban, details=details
    )
    row = {"iban_id": iban_id, "threshold_kurus": threshold, "margin_kurus": margin, "updated_at": at}
    _repo().set_threshold({**row, "updated_by": actor}, audit=audit)


def remove_threshold(iban_id: int, iban: str, *, actor: str) -> bool:
    audit = services.records().audit.entry(
        "alert_threshold", actor=actor, outcome="removed", iban=iban, details={"iban_id": iban_id}
    )
    return _repo().remove_threshold(iban_id, audit=audit)
