"""API dates and times: timestamps carry no offset; they are the dealer's local time (Europe/Istanbul
by default). `dashboard.timeutil` re-exports these."""

from __future__ import annotations

from datetime import UTC, date, datetime, tzinfo
from functools import lru_cache
from zoneinfo import ZoneInfo

DEFAULT_TZ = "Europe/Istanbul"
API_DATE_FORMAT = "%Y-%m-%d"
API_DATETIME_FORMAT = "%Y-%m-%d %H:%M:%S"


@lru_cache(maxsize=16)
def zone(name: str = DEFAULT_TZ) -> ZoneInfo:
    return ZoneInfo(name)


def parse_api_datetime(value: object, tz: str | tzinfo = DEFAULT_TZ) -> datetime | None:
    """'2025-11-26 14:30:00' (local), ISO 8601 with 'T', offset or 'Z', or a bare date -> aware datetime.

    Anything unreadable is None: a tolerant reader keeps the record and leaves the time empty.
    """
    if value is None or value == "":
        return None
    tzinfo_ = zone(tz) if isinstance(tz, str) else tz
    if isinstance(value, datetime):
        parsed = value
    elif isinstance(value, (int, float)) and not isinstance(value, bool):
        try:
            return datetime.fromtimestamp(value, tz=UTC).astimezone(tzinfo_)
        except (OverflowError, OSError, ValueError):  # out-of-range epoch, NaN, inf
            return None
    elif isinstance(value, str):
        text = value.strip().replace("Z", "+00:00")
        try:
            parsed = datetime.fromisoformat(text)
        except ValueError:
            return None
    else:
        return None
    if parsed.tzinfo is None:
        return parsed.replace(tzinfo=tzinfo_)
    try:
        return parsed.astimezone(tzinfo_)
    except OverflowError:  # '9999-12-31T23:59:59-14:00' is past datetime.max in Istanbul: unreadable
        return None


def format_api_date(day: date) -> str:
    return day.strftime(API_DATE_FORMAT)
