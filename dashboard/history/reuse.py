"""A warm refresh in the same process (issue 13): the previous frame's rows of the days nobody synced
since are taken from that frame, not read from the mirror and sorted again. No Streamlit.

`MirrorSync` remembers the last frame it built for a selection and dates (`Built`): the frame, and per
IBAN and day the `synced_at` of the mirror's day its rows reflect (the day's state when it was planned
for the days read from the mirror, this load's own stamp for the days it fetched). On the next load
of the same selection and dates, a day is taken from that frame only if the planner does not fetch it
and the mirror's `mirror_days.synced_at` of the day is still exactly that one: a day any replica has
synced since (or this process failed to write) is read from the mirror again. An IBAN with rows
lacking a creation time is never taken (the mirror files such rows under the first day of the range
they were fetched with, which the frame does not record).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

import numpy as np
import pandas as pd

from dashboard.history.schema import TIME_UNIT

Ranges = list[tuple[date, date]]


@dataclass(frozen=True)
class Built:
    """A frame a mirror load assembled, and the mirror's day states its rows reflect."""

    frame: pd.DataFrame
    synced: Mapping[int, Mapping[date, datetime]]  # iban_id -> day -> synced_at
    undated: frozenset[int]  # IBANs with rows without created_at: never taken


def in_ranges(day: date, ranges: Sequence[tuple[date, date]]) -> bool:
    return any(first <= day <= last for first, last in ranges)


def built(frame: pd.DataFrame, states: Mapping[int, Mapping], plans: Mapping[int, Ranges], stamp: datetime) -> Built:
    """What `frame` reflects: the fetched days at `stamp`, the others at their planned-for state."""
    synced: dict[int, dict[date, datetime]] = {}
    for iban_id, ranges in plans.items():
        days = {day: state.synced_at for day, state in states.get(iban_id, {}).items() if not in_ranges(day, ranges)}
        for first, last in ranges:
            days.update({first + timedelta(days=k): stamp for k in range((last - first).days + 1)})
        synced[iban_id] = days
    created = frame["created_at"]
    undated = frozenset(int(i) for i in np.unique(frame["iban_id"].to_numpy()[created.isna().to_numpy()]))
    return Built(frame, synced, undated)


def reusable_days(previous: Built | None, states: Mapping[int, Mapping], plans: Mapping[int, Ranges]) -> dict:
    """{iban_id: set of days} to take from `previous`: not planned, and synced exactly as then."""
    if previous is None:
        return {}
    out: dict[int, set[date]] = {}
    for iban_id, ranges in plans.items():
        then = previous.synced.get(iban_id)
        if not then or iban_id in previous.undated:
            continue
        days = {
            day
            for day, state in states.get(iban_id, {}).items()
            if then.get(day) == state.synced_at and not in_ranges(day, ranges)
        }
        if days:
            out[iban_id] = days
    return out


def skip_ranges(plans: Mapping[int, Ranges], reusable: Mapping[int, set[date]]) -> dict[int, Ranges]:
    """Per IBAN the days not to read from the mirror: the planned ones and the reusable ones, as ranges."""
    out: dict[int, Ranges] = {}
    for iban_id, ranges in plans.items():
        days = sorted({*reusable.get(iban_id, ()), *_days_of(ranges)})
        merged: Ranges = []
        for day in days:
            if merged and merged[-1][1] == day - timedelta(days=1):
                merged[-1] = (merged[-1][0], day)
            else:
                merged.append((day, day))
        out[iban_id] = merged
    return out


def fully_skipped(skip: Ranges, start: date, end: date) -> bool:
    """Whether the ranges cover every day of start..end (nothing of the IBAN to read)."""
    return (
        sum((last - first).days + 1 for first, last in skip if first >= start and last <= end) == (end - start).days + 1
    )


def _days_of(ranges: Ranges) -> list[date]:
    return [first + timedelta(days=k) for first, last in ranges for k in range((last - first).days + 1)]


def day_index(created: pd.Series, first: date, days: int, tz: str) -> np.ndarray:
    """Each row's local day as its offset from `first` (-1 before it or without created_at, `days` or
    more after): a binary search of the UTC instants among the days' local midnights, no conversion
    of the million times themselves."""
    midnights = pd.DatetimeIndex([pd.Timestamp(first + timedelta(days=k)) for k in range(days + 1)])
    bounds = midnights.tz_localize(tz, nonexistent="shift_forward", ambiguous=True).as_unit(TIME_UNIT).asi8
    ticks = created.array.as_unit(TIME_UNIT).asi8  # UTC, whatever the zone; NaT is the smallest int64
    return np.searchsorted(bounds, ticks, side="right") - 1


def reused_rows(previous: Built, reusable: Mapping[int, set[date]], tz: str) -> pd.DataFrame | None:
    """The rows of `previous.frame` of the reusable days, in the frame's order (None: none)."""
    if not reusable:
        return None
    frame = previous.frame
    ids = sorted(reusable)
    first = min(min(days) for days in reusable.values())
    last = max(max(days) for days in reusable.values())
    table = np.zeros((len(ids), (last - first).days + 1), dtype=bool)
    for row, iban_id in enumerate(ids):
        table[row, [(d - first).days for d in reusable[iban_id]]] = True
    iban_ids = frame["iban_id"].to_numpy()
    position = np.searchsorted(ids, iban_ids)
    known = (position < len(ids)) & (np.asarray(ids)[np.minimum(position, len(ids) - 1)] == iban_ids)
    offset = day_index(frame["created_at"], first, table.shape[1], tz)
    inside = known & (offset >= 0) & (offset < table.shape[1])
    mask = np.zeros(len(frame), dtype=bool)
    mask[inside] = table[position[inside], offset[inside]]
    if not mask.any():
        return None
    if mask.all():
        return frame
    rows = np.flatnonzero(mask)
    if rows[-1] - rows[0] + 1 == len(rows):  # one run (the usual: all but the newest days)
        return frame.iloc[rows[0] : rows[-1] + 1].reset_index(drop=True)
    return frame.take(rows).reset_index(drop=True)
