"""Time: API timestamps carry no offset; they are the dealer's local time (Europe/Istanbul by default).

Reading and writing API dates is the client's (`dashboard.client.times`, re-exported here); the
console adds the current time and date-filter bounds.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta, tzinfo

from dashboard.client.times import (
    API_DATE_FORMAT,
    API_DATETIME_FORMAT,
    DEFAULT_TZ,
    format_api_date,
    parse_api_datetime,
    zone,
)

__all__ = [
    "API_DATETIME_FORMAT",
    "API_DATE_FORMAT",
    "DEFAULT_TZ",
    "day_bounds",
    "format_api_date",
    "now",
    "parse_api_datetime",
    "zone",
]


def now(tz: str | tzinfo = DEFAULT_TZ) -> datetime:
    return datetime.now(zone(tz) if isinstance(tz, str) else tz)


def day_bounds(start: date, end: date, tz: str | tzinfo = DEFAULT_TZ) -> tuple[datetime, datetime]:
    """[start 00:00, day after end 00:00) in the dealer's zone: the half-open range a date filter means."""
    tzinfo_ = zone(tz) if isinstance(tz, str) else tz
    return (
        datetime.combine(start, time.min, tzinfo=tzinfo_),
        datetime.combine(end + timedelta(days=1), time.min, tzinfo=tzinfo_),
    )
