"""Reconciliation: per IBAN and local day, what the transactions explain against what the provider
reported. Integer kuruş throughout, no Streamlit.

For each IBAN and each day D of the dealer's time zone ([00:00, next 00:00), `start`..`end`, days
after today left out):

- money in / out: the amounts of Completed deposits / withdrawals whose money moved on D; commission:
  theirs. A transaction moves money at `completed_at` (else `created_at`; later than now counts as
  now), as in `dashboard.history.balance`: a deposit adds amount - commission, a withdrawal takes
  amount + commission. Other statuses move nothing.
- fees: the transaction records carry one deduction, the commission; no separate fee is reported
  (the settings' withdrawal fee is not a field of a transaction), so fees are 0 (`FEES_NOTE`).
- provider balances: the snapshots the background task stores every minute
  (`store.balances`, dashboard/background.py) plus the current /ibans answer as one more point. A point
  taken within `SNAPSHOT_LAG` after a completion on its IBAN is not used: upstream refreshes balances
  once a minute, so it may not include that transaction yet.
- opening balance, one rule: from a provider balance when there is one -- the last point at or before
  D's start (no older than the day before `start`: the history loaded covers from there), else the
  first point inside D -- moved to D's start by the completed transactions in between (source
  "snapshot"). Without one: reconstructed, the current /ibans balance walked back over every
  completed transaction since D's start (source "reconstructed"); without a current balance: unknown.
- closing (computed) = opening + in - out - commission - fees.
- reported closing: the last point after the opening's point and by D's end (today: the current
  balance), moved to D's end the same way. The difference = reported - computed, which equals the
  provider's balance change between the two points minus what the transactions explain between them,
  so it is a real measurement of that stretch of D ("checked_from" .. "checked_to").
- no opening point or no later point in D: the day is "not reconciled" and has no difference (a
  reconstructed opening would carry a later drift back into every earlier day: a false difference).
  Today's difference is as of the current balance.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

import numpy as np
import pandas as pd

from dashboard.history.balance import balance_effect
from dashboard.history.schema import TIME_UNIT, completed, type_is
from dashboard.iban import format_iban
from dashboard.timeutil import day_bounds

SNAPSHOT_LAG = timedelta(seconds=60)
LOOKBACK_DAYS = 1  # an opening snapshot may come from the day before the first day
FEES_NOTE = (
    "Fees are 0: the transaction records carry one deduction, the commission, and no separate fee. "
    "Any fee the provider charges is inside the commission."
)
RECONCILED, DIFFERENCE, NOT_RECONCILED = "reconciled", "difference", "not reconciled"
DAY_COLUMNS = (
    "iban_id iban day opening_kurus opening_source in_kurus out_kurus commission_kurus fees_kurus "
    "closing_kurus reported_kurus difference_kurus state checked_from checked_to transactions"
).split()
MONEY = ("opening_kurus", "in_kurus", "out_kurus", "commission_kurus", "fees_kurus", "closing_kurus")


def history_start(start: date) -> date:
    """The first local date of history reconciling from `start` needs (see LOOKBACK_DAYS): one more
    day, so a transaction created before the opening snapshot's day and completed after it is seen."""
    return start - timedelta(days=LOOKBACK_DAYS + 1)


@dataclass(frozen=True)
class Difference:
    """One IBAN's unexplained balance change on one day, in kuruş (positive: the provider shows more)."""

    iban_id: int
    iban: str
    day: date
    amount_kurus: int


@dataclass(frozen=True)
class _Effects:
    """One IBAN's completed transactions in time order: when (epoch µs) and what each did (kuruş)."""

    times: np.ndarray
    cumulative: np.ndarray  # cumulative[k] = sum of the first k effects

    def before(self, t: int) -> int:
        """Sum of the effects strictly before `t`."""
        return int(self.cumulative[np.searchsorted(self.times, t, "left")])

    def upto(self, t: int) -> int:
        """Sum of the effects at or before `t` (a balance read at `t` includes them)."""
        return int(self.cumulative[np.searchsorted(self.times, t, "right")])


def effect_times(frame: pd.DataFrame, now: datetime) -> pd.Series:
    """When each row moved money: completed_at, else created_at, never later than `now`."""
    when = frame["completed_at"].fillna(frame["created_at"])
    return when.clip(upper=pd.Timestamp(now).tz_convert(when.dt.tz))


def _us(moment: datetime | pd.Timestamp) -> int:
    return pd.Timestamp(moment).as_unit(TIME_UNIT)._value


def _effects_by_iban(frame: pd.DataFrame, when: pd.Series) -> dict[int, _Effects]:
    effect = balance_effect(frame)
    keep = (effect != 0) & when.notna().to_numpy()
    ids, ticks, effect = frame["iban_id"].to_numpy()[keep], when.array.asi8[keep], effect[keep]
    out = {}
    for iban_id in np.unique(ids):
        rows = ids == iban_id
        order = np.argsort(ticks[rows], kind="stable")
        out[int(iban_id)] = _Effects(ticks[rows][order], np.concatenate([[0], np.cumsum(effect[rows][order])]))
    return out


def _snapshot_arrays(snapshots: Sequence) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(iban ids, times in epoch µs, balances) of stored snapshots, converted once."""
    ids = np.array([s.iban_id for s in snapshots], dtype=np.int64)
    times = pd.DatetimeIndex(pd.to_datetime([s.taken_at for s in snapshots], utc=True)).as_unit(TIME_UNIT).asi8
    return ids, np.asarray(times, dtype=np.int64), np.array([s.balance_kurus for s in snapshots], dtype=np.int64)


def _points(stored, current: Mapping[int, int], current_at: datetime | None, iban_id: int, fx: _Effects):
    """(times µs, balances) of the provider's clean balance points for one IBAN, in time order."""
    ids, times, balances = stored
    times, balances = times[ids == iban_id], balances[ids == iban_id]
    if current_at is not None and iban_id in current:
        times, balances = np.append(times, _us(current_at)), np.append(balances, int(current[iban_id]))
    order = np.argsort(times, kind="stable")
    times, balances = times[order], balances[order]
    lag = SNAPSHOT_LAG // timedelta(microseconds=1)
    moved = np.searchsorted(fx.times, times, "right") - np.searchsorted(fx.times, times - lag, "right")
    clean = moved == 0  # no completion in (t - lag, t]
    return times[clean], balances[clean]


def _pick(times: np.ndarray, ds: int, de: int, floor: int) -> tuple[int | None, int | None]:
    """Indexes of the opening point (last at/before ds and >= floor, else first inside [ds, de)) and
    the closing point (last after the opening one and at or before de); None where there is none."""
    k = int(np.searchsorted(times, ds, "right")) - 1
    if k < 0 or times[k] < floor:
        k = int(np.searchsorted(times, ds, "left"))
        if k >= len(times) or times[k] >= de:
            return None, None
    last = int(np.searchsorted(times, de, "right")) - 1
    return k, (last if last > k else None)


def _day_sums(frame: pd.DataFrame, when: pd.Series, tz: str) -> pd.DataFrame:
    """Per (iban_id, local day of `when`): completed money in, out, commission, and how many."""
    done = completed(frame)
    dep, wd = done & type_is(frame, "deposit"), done & type_is(frame, "withdrawal")
    amount = frame["amount_kurus"].to_numpy()
    sums = pd.DataFrame(
        {
            "iban_id": frame["iban_id"].to_numpy(),
            "day": when.dt.tz_convert(tz).dt.date.to_numpy(),
            "in_kurus": np.where(dep, amount, 0),
            "out_kurus": np.where(wd, amount, 0),
            "commission_kurus": np.where(dep | wd, frame["commission_kurus"].to_numpy(), 0),
            "transactions": (dep | wd).astype(np.int64),
        }
    )[when.notna().to_numpy()]
    return sums.groupby(["iban_id", "day"]).sum()


def reconcile(
    frame: pd.DataFrame,
    ibans: Sequence,
    snapshots: Sequence,
    current: Mapping[int, int],
    current_at: datetime | None,
    *,
    start: date,
    end: date,
    tz: str,
    now: datetime,
) -> pd.DataFrame:
    """One row per IBAN (of `ibans`: objects with .id and .iban) and local day, columns DAY_COLUMNS.

    `frame`: the history (dashboard.history schema) of those IBANs from `history_start(start)` to
    today; `snapshots`: stored balances (.iban_id, .taken_at, .balance_kurus) since then; `current`:
    the /ibans balance in kuruş per IBAN id, read at `current_at`. Money columns are int kuruş
    (opening/closing/reported/difference nullable Int64).
    """
    when = effect_times(frame, now)
    effects = _effects_by_iban(frame, when)
    sums = _day_sums(frame, when, tz)
    today = pd.Timestamp(now).tz_convert(tz).date()
    days = [start + timedelta(days=n) for n in range((min(end, today) - start).days + 1)]
    floor = _us(day_bounds(start - timedelta(days=LOOKBACK_DAYS), start, tz)[0])
    empty = _Effects(np.zeros(0, np.int64), np.zeros(1, np.int64))
    stored = _snapshot_arrays(snapshots)
    rows = []
    for iban in ibans:
        fx = effects.get(iban.id, empty)
        times, balances = _points(stored, current, current_at, iban.id, fx)
        for day in days:
            rows.append(_day_row(iban, day, fx, times, balances, sums, current, current_at, tz, floor))
    out = pd.DataFrame(rows, columns=DAY_COLUMNS)
    for column in ("opening_kurus", "closing_kurus", "reported_kurus", "difference_kurus"):
        out[column] = out[column].astype("Int64")
    for column in ("in_kurus", "out_kurus", "commission_kurus", "fees_kurus", "transactions"):
        out[column] = out[column].astype(np.int64)
    for column in ("checked_from", "checked_to"):
        out[column] = pd.to_datetime(out[column], utc=True).dt.tz_convert(tz)
    return out


def _day_row(iban, day, fx: _Effects, times, balances, sums, current, current_at, tz, floor) -> list:
    start, end = (_us(t) for t in day_bounds(day, day, tz))
    key = (iban.id, day)
    got = sums.loc[key] if key in sums.index else None
    money_in, money_out, commission, count = (
        (0, 0, 0, 0)
        if got is None
        else (int(got["in_kurus"]), int(got["out_kurus"]), int(got["commission_kurus"]), int(got["transactions"]))
    )
    fees = 0
    net = fx.before(end) - fx.before(start)
    o, c = _pick(times, start, end, floor)
    opening = source = reported = difference = checked_from = checked_to = None
    if o is not None:
        opening, source = int(balances[o]) + fx.before(start) - fx.upto(int(times[o])), "snapshot"
    elif current_at is not None and iban.id in current:
        opening, source = int(current[iban.id]) + fx.before(start) - fx.upto(_us(current_at)), "reconstructed"
    closing = None if opening is None else opening + net - fees
    if o is not None and c is not None:
        reported = int(balances[c]) + fx.before(end) - fx.upto(int(times[c]))
        difference = reported - closing
        checked_from, checked_to = (pd.Timestamp(int(times[k]), unit="us", tz="UTC") for k in (o, c))
    state = NOT_RECONCILED if difference is None else (DIFFERENCE if difference else RECONCILED)
    return [
        iban.id, iban.iban, day, opening, source, money_in, money_out, commission, fees,
        closing, reported, difference, state, checked_from, checked_to, count,
    ]  # fmt: skip


def iban_totals(days: pd.DataFrame) -> pd.DataFrame:
    """Per IBAN over the period: first opening, sums, last closing, the sum of differences, how many
    days had one and how many could not be reconciled; plus an "all" row (iban_id -1) over every IBAN."""
    if days.empty:
        return pd.DataFrame(columns=["iban_id", "iban", *MONEY, "difference_kurus", "difference_days", "unreconciled"])
    ordered = days.sort_values(["iban_id", "day"], kind="stable")
    grouped = ordered.groupby("iban_id", sort=True)
    per = pd.DataFrame(
        {
            "iban": grouped["iban"].first(),
            "opening_kurus": grouped["opening_kurus"].first(),
            "in_kurus": grouped["in_kurus"].sum(),
            "out_kurus": grouped["out_kurus"].sum(),
            "commission_kurus": grouped["commission_kurus"].sum(),
            "fees_kurus": grouped["fees_kurus"].sum(),
            "closing_kurus": grouped["closing_kurus"].last(),
            "difference_kurus": grouped["difference_kurus"].sum(min_count=1),
            "difference_days": grouped["state"].apply(lambda s: int((s == DIFFERENCE).sum())),
            "unreconciled": grouped["state"].apply(lambda s: int((s == NOT_RECONCILED).sum())),
        }
    ).reset_index()
    whole = {c: per[c].sum(min_count=1) if per[c].dtype == "Int64" else per[c].sum() for c in per.columns[2:]}
    for column in ("opening_kurus", "closing_kurus"):  # a total of balances only when every one is known
        whole[column] = pd.NA if per[column].isna().any() else per[column].sum()
    total = pd.DataFrame([{"iban_id": -1, "iban": "all", **whole}])
    out = pd.concat([per, total], ignore_index=True)
    for column in ("opening_kurus", "closing_kurus", "difference_kurus"):
        out[column] = out[column].astype("Int64")
    return out


def differences(days: pd.DataFrame) -> list[Difference]:
    """The days of `reconcile`'s table whose balance change the transactions do not explain."""
    flagged = days[days["state"] == DIFFERENCE]
    return [
        Difference(int(r.iban_id), format_iban(r.iban), r.day, int(r.difference_kurus))
        for r in flagged.itertuples(index=False)
    ]


def day_transactions(frame: pd.DataFrame, iban_id: int, day: date, tz: str, now: datetime) -> pd.DataFrame:
    """The drill-down: the rows of `frame` of this IBAN whose money moved (or would have) on `day`,
    in time order, with `effect_kurus`: what each did to the balance."""
    when = effect_times(frame, now)
    start, end = day_bounds(day, day, tz)
    mask = (frame["iban_id"].to_numpy() == iban_id) & (when >= start).to_numpy() & (when < end).to_numpy()
    rows = frame[mask].assign(effect_kurus=balance_effect(frame)[mask])
    return rows.iloc[np.argsort(when[mask].array.asi8, kind="stable")]
