"""API time parsing into aware datetimes, API dates and day bounds."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from dashboard.timeutil import day_bounds, format_api_date, now, parse_api_datetime, zone

IST = zone("Europe/Istanbul")


@pytest.mark.parametrize(
    "value, expected",
    [
        ("2025-11-26 14:30:00", datetime(2025, 11, 26, 14, 30, tzinfo=IST)),
        (" 2025-11-26T14:30:00 ", datetime(2025, 11, 26, 14, 30, tzinfo=IST)),
        ("2025-11-26T11:30:00Z", datetime(2025, 11, 26, 14, 30, tzinfo=IST)),
        ("2025-11-26T14:30:00+03:00", datetime(2025, 11, 26, 14, 30, tzinfo=IST)),
        ("2025-11-26", datetime(2025, 11, 26, 0, 0, tzinfo=IST)),
        ("2025-11-26 14:30:00.123456", datetime(2025, 11, 26, 14, 30, 0, 123456, tzinfo=IST)),
        (datetime(2025, 1, 1, 12, 0), datetime(2025, 1, 1, 12, 0, tzinfo=IST)),
        (0, datetime(1970, 1, 1, 2, 0, tzinfo=IST)),
    ],
)
def test_parse(value, expected):
    parsed = parse_api_datetime(value)
    assert parsed == expected and parsed.tzinfo is not None
    assert parsed.utcoffset() == expected.utcoffset()


@pytest.mark.parametrize(
    "value",
    [
        None,
        "",
        "   ",
        "yesterday",
        "0000-00-00 00:00:00",
        "2025-13-01",
        True,
        [],
        {},
        # Out of range epochs and NaN must not crash a tolerant reader (fixed: they raised before).
        1e20,
        10**30,
        float("nan"),
        float("inf"),
        -1e20,
    ],
)
def test_unreadable_values_are_none(value):
    assert parse_api_datetime(value) is None


def test_other_zones():
    parsed = parse_api_datetime("2025-06-01 12:00:00", "UTC")
    assert parsed.utcoffset().total_seconds() == 0
    assert parse_api_datetime("2025-06-01 12:00:00", UTC) == parsed


def test_format_api_date():
    assert format_api_date(date(2025, 3, 4)) == "2025-03-04"
    assert format_api_date(datetime(2025, 3, 4, 23, 59)) == "2025-03-04"


def test_day_bounds_are_half_open_local_days():
    start, end = day_bounds(date(2025, 3, 1), date(2025, 3, 31))
    assert start == datetime(2025, 3, 1, tzinfo=IST) and end == datetime(2025, 4, 1, tzinfo=IST)


def test_now_is_aware():
    assert now().tzinfo is not None and now("UTC").utcoffset().total_seconds() == 0


@pytest.mark.parametrize("text", ["9999-12-31T23:59:59-14:00", "0001-01-01T00:00:00+14:00"])
def test_a_time_past_the_ends_of_the_calendar_is_unreadable_not_a_crash(text):
    # Found by tests/client/test_reader_properties.py: astimezone() raised OverflowError out of the reader.
    assert parse_api_datetime(text, "Europe/Istanbul") is None
