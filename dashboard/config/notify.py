"""The settings of notifications (dashboard.notify): SMTP, the JSON webhook, the daily report.

`read_notify(values)` is called by `load_settings` with the merged ENIGMAPAY_* values; a bad value
raises ConfigError with a fix-it message that never holds a secret (password, webhook URL or key).
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass
from datetime import time
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

if TYPE_CHECKING:
    from collections.abc import Mapping

    from dashboard.config import Secret

SMTP_SECURITY = ("starttls", "ssl", "plain")
SMTP_DEFAULT_PORTS = {"starttls": 587, "ssl": 465, "plain": 25}
DEFAULT_NOTIFY_TIMEOUT = 10.0


@dataclass(frozen=True)
class NotifySettings:
    """Where notifications go. E-mail needs host, from and to; the webhook its URL; the daily report
    its local time (None: off)."""

    smtp_host: str | None = None
    smtp_port: int | None = None  # None: the security's usual port (587, 465, 25)
    smtp_security: str = "starttls"
    smtp_user: str | None = None
    smtp_password: Secret | None = None
    smtp_from: str | None = None
    smtp_to: tuple[str, ...] = ()
    webhook_url: Secret | None = None  # a URL often holds a token: shown only as set / not set
    webhook_secret: Secret | None = None
    timeout: float = DEFAULT_NOTIFY_TIMEOUT
    daily_report_at: time | None = None
    language: str = "en"

    @property
    def email_configured(self) -> bool:
        return bool(self.smtp_host and self.smtp_from and self.smtp_to)

    @property
    def port(self) -> int:
        return self.smtp_port if self.smtp_port is not None else SMTP_DEFAULT_PORTS[self.smtp_security]


def read_notify(values: Mapping[str, str]) -> NotifySettings:
    from dashboard.config import LANGUAGES, ConfigError, Secret, _positive_float, _positive_int

    host = values.get("ENIGMAPAY_SMTP_HOST")
    security = values.get("ENIGMAPAY_SMTP_SECURITY", "starttls").lower()
    if security not in SMTP_SECURITY:
        raise ConfigError(f"ENIGMAPAY_SMTP_SECURITY must be one of {', '.join(SMTP_SECURITY)} (got {security!r}).")
    if security == "plain" and host and not _is_loopback(host):
        raise ConfigError("ENIGMAPAY_SMTP_SECURITY=plain is for a mail relay on this machine (localhost) only.")
    sender, to = values.get("ENIGMAPAY_SMTP_FROM"), _addresses(values.get("ENIGMAPAY_SMTP_TO", ""))
    for address in (sender, *to) if sender else to:
        if not _looks_like_address(address):
            raise ConfigError(f"{address!r} is not an e-mail address (ENIGMAPAY_SMTP_FROM / ENIGMAPAY_SMTP_TO).")
    if host and not (sender and to):
        raise ConfigError("ENIGMAPAY_SMTP_HOST is set: set ENIGMAPAY_SMTP_FROM and ENIGMAPAY_SMTP_TO too.")
    if values.get("ENIGMAPAY_DAILY_REPORT_AT") and not host:
        raise ConfigError(
            "ENIGMAPAY_DAILY_REPORT_AT is an e-mail: set ENIGMAPAY_SMTP_HOST (and FROM, TO) too, or unset it."
        )
    password = values.get("ENIGMAPAY_SMTP_PASSWORD")
    language = values.get("ENIGMAPAY_NOTIFY_LANGUAGE", "en").lower()
    if language not in LANGUAGES:
        raise ConfigError(f"ENIGMAPAY_NOTIFY_LANGUAGE must be one of {', '.join(LANGUAGES)} (got {language!r}).")
    url, key = values.get("ENIGMAPAY_WEBHOOK_URL"), values.get("ENIGMAPAY_WEBHOOK_SECRET")
    return NotifySettings(
        smtp_host=host,
        smtp_port=_positive_int(values, "ENIGMAPAY_SMTP_PORT", 0) or None,
        smtp_security=security,
        smtp_user=values.get("ENIGMAPAY_SMTP_USER"),
        smtp_password=Secret(password) if password else None,
        smtp_from=sender,
        smtp_to=to,
        webhook_url=Secret(_webhook_url(url, ConfigError)) if url else None,
        webhook_secret=Secret(key) if key else None,
        timeout=_positive_float(values, "ENIGMAPAY_NOTIFY_TIMEOUT", DEFAULT_NOTIFY_TIMEOUT),
        daily_report_at=_clock_time(values.get("ENIGMAPAY_DAILY_REPORT_AT"), ConfigError),
        language=language,
    )


def _addresses(raw: str) -> tuple[str, ...]:
    return tuple(part.strip() for part in raw.split(",") if part.strip())


def _looks_like_address(address: str) -> bool:
    """One address, no display name: something@domain, no spaces or line breaks (no header injection)."""
    local, at, domain = address.rpartition("@")
    return bool(at and local and "." in domain) and not any(c.isspace() or c in '<>,;"' for c in address)


def _is_loopback(host: str) -> bool:
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def _webhook_url(url: str, error: type[Exception]) -> str:
    """https://, or http:// to this machine; the URL itself is never echoed (it may hold a token)."""
    try:
        parts = urlsplit(url)
        host = parts.hostname or ""
    except ValueError:
        host, parts = "", None
    if parts is None or not host or parts.scheme not in ("https", "http"):
        raise error("ENIGMAPAY_WEBHOOK_URL is not an http(s) URL (the value is not shown: it may hold a token).")
    if parts.scheme == "http" and not _is_loopback(host):
        raise error("ENIGMAPAY_WEBHOOK_URL must use https:// (plain http:// only to this machine).")
    return url


def _clock_time(raw: str | None, error: type[Exception]) -> time | None:
    """HH:MM on a 24-hour clock (the dealer's time zone); unset: None (no daily report)."""
    if raw is None:
        return None
    hours, sep, minutes = raw.partition(":")
    if sep and hours.isdigit() and minutes.isdigit() and len(minutes) == 2 and int(hours) < 24 and int(minutes) < 60:
        return time(int(hours), int(minutes))
    raise error(f"ENIGMAPAY_DAILY_REPORT_AT must be a time HH:MM such as 08:00 (got {raw!r}), or unset.")
