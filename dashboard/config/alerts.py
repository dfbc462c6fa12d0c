"""The alerts' settings (ENIGMAPAY_ALERT_*), read by `load_settings` into `Settings.alerts`."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal

DEFAULT_UNKNOWN_MINUTES = 30.0
DEFAULT_APPROVAL_MINUTES = 60.0
DEFAULT_UPSTREAM_MINUTES = 5.0
DEFAULT_CALLBACK_MINUTES = 60.0
DEFAULT_BALANCE_MARGIN = Decimal("1000")


@dataclass(frozen=True)
class AlertSettings:
    unknown_minutes: float = DEFAULT_UNKNOWN_MINUTES  # a payout's outcome unknown this long fires
    approval_minutes: float = DEFAULT_APPROVAL_MINUTES  # a request waiting this long fires
    upstream_minutes: float = DEFAULT_UPSTREAM_MINUTES  # the API failing this long fires
    callback_minutes: float = DEFAULT_CALLBACK_MINUTES  # a failed verification keeps firing this long
    balance_margin: Decimal = DEFAULT_BALANCE_MARGIN  # hysteresis: recovers above threshold + margin


def read_alert_settings(values: Mapping[str, str]) -> AlertSettings:
    from dashboard.config import _positive_float  # the one reader of a positive number

    return AlertSettings(
        unknown_minutes=_positive_float(values, "ENIGMAPAY_ALERT_UNKNOWN_MINUTES", DEFAULT_UNKNOWN_MINUTES),
        approval_minutes=_positive_float(values, "ENIGMAPAY_ALERT_APPROVAL_MINUTES", DEFAULT_APPROVAL_MINUTES),
        upstream_minutes=_positive_float(values, "ENIGMAPAY_ALERT_UPSTREAM_MINUTES", DEFAULT_UPSTREAM_MINUTES),
        callback_minutes=_positive_float(values, "ENIGMAPAY_ALERT_CALLBACK_MINUTES", DEFAULT_CALLBACK_MINUTES),
        balance_margin=_margin(values),
    )


def _margin(values: Mapping[str, str]) -> Decimal:
    """An amount as the forms read one ("1000", "1.000,00"), zero or more."""
    from dashboard.config import ConfigError
    from dashboard.money import AmountError, parse_amount_input

    raw = values.get("ENIGMAPAY_ALERT_BALANCE_MARGIN")
    if raw is None:
        return DEFAULT_BALANCE_MARGIN
    try:
        amount = parse_amount_input(raw)
    except AmountError as exc:
        raise ConfigError(f"ENIGMAPAY_ALERT_BALANCE_MARGIN is not an amount ({exc}) (got {raw!r}).") from None
    if amount < 0:
        raise ConfigError(f"ENIGMAPAY_ALERT_BALANCE_MARGIN must be zero or more (got {raw!r}).")
    return amount
