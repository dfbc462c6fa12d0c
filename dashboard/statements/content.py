"""What a statement says: dealer, IBAN(s), period, opening and closing balance, the transactions and
their totals, in one language. Pure (no Streamlit, no I/O); the XLSX and PDF writers only lay it out.

Balances are never invented. Each IBAN's balance at a moment is walked from one anchor through the
completed transactions between the two (`history.balance.balance_effect`, effective at
`completed_at`, else `created_at`, as the Balances page does):
- a recorded balance snapshot (`store.balances`) taken inside the period (or inside the loaded
  history before it): "recorded";
- else today's balance from `/ibans`, walked back: "reconstructed";
- else (no snapshot, today's balance not known) the balance is "not known", and the statement says so.
The statement of several IBANs sums theirs; one unknown IBAN makes the sum unknown.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from dashboard import money, timeutil
from dashboard.client.models import Iban
from dashboard.history.balance import balance_effect
from dashboard.history.summary import Summary, summarize
from dashboard.i18n import translate
from dashboard.iban import format_iban

if TYPE_CHECKING:
    from dashboard.store import SnapshotRow

RECORDED, RECONSTRUCTED, UNKNOWN = "recorded", "reconstructed", "unknown"
DATE_FORMATS = {"en": "%Y-%m-%d", "tr": "%d.%m.%Y"}  # as ui.fmt_time writes the date part
TIME_FORMATS = {"en": "%Y-%m-%d %H:%M", "tr": "%d.%m.%Y %H:%M"}
MARGIN_DAYS = 7  # history loaded before the period: a payment created before it may complete inside it


@dataclass(frozen=True)
class Balance:
    """A balance in kuruş and where it comes from; `kurus` is None when it is not known."""

    kurus: int | None
    source: str  # RECORDED, RECONSTRUCTED or UNKNOWN


@dataclass(frozen=True)
class IbanLine:
    iban: str  # compact
    owner: str
    bank: str
    opening: Balance
    closing: Balance


@dataclass(frozen=True)
class Statement:
    dealer: str
    lang: str
    tz: str
    start: date
    end: date
    generated_at: datetime
    lines: tuple[IbanLine, ...]
    opening: Balance
    closing: Balance
    totals: Summary
    rows: pd.DataFrame  # history-schema rows created in the period, oldest first

    def t(self, text: str, /, **values: object) -> str:
        return translate(text, self.lang, **values)

    def day(self, when: date) -> str:
        return when.strftime(DATE_FORMATS.get(self.lang, DATE_FORMATS["en"]))

    def period(self) -> str:
        return f"{self.day(self.start)} – {self.day(self.end)}"

    def money(self, amount: object, *, kurus: bool = False) -> str:
        return money.format_try(amount, self.lang, kurus=kurus)

    def balance(self, balance: Balance) -> str:
        if balance.kurus is None:
            return self.t("not known")
        return f"{self.money(balance.kurus, kurus=True)} ({self.t(balance.source)})"

    def iban_text(self) -> str:
        if len(self.lines) == 1:
            return format_iban(self.lines[0].iban)
        return self.t("All IBANs ({n})", n=len(self.lines))

    def generated(self) -> str:
        return self.generated_at.astimezone(timeutil.zone(self.tz)).strftime(TIME_FORMATS.get(self.lang, "%Y-%m-%d"))

    def summary_lines(self) -> list[tuple[str, str]]:
        """(label, value) pairs of the statement's head: the same in the XLSX and the PDF."""
        return [
            (self.t("Dealer"), self.dealer),
            (self.t("IBAN"), self.iban_text()),
            (self.t("Period"), self.period()),
            (self.t("Time zone"), self.tz),
            (self.t("Opening balance"), self.balance(self.opening)),
            (self.t("Closing balance"), self.balance(self.closing)),
            (self.t("Money in"), self.money(self.totals.money_in)),
            (self.t("Money out"), self.money(self.totals.money_out)),
            (self.t("Commission"), self.money(self.totals.commission)),
            (self.t("Transactions"), str(self.totals.count)),
            (self.t("Generated"), self.generated()),
        ]


def _ticks(times: pd.Series) -> np.ndarray:
    """UTC microseconds of aware times (NaT -> min int64)."""
    return times.dt.as_unit("us").array.asi8


def _tick(moment: datetime) -> int:
    return pd.Timestamp(moment).as_unit("us")._value


@dataclass(frozen=True)
class _Effects:
    """Completed transactions' effects on balances, by IBAN and time (µs UTC)."""

    ids: np.ndarray
    ticks: np.ndarray
    effect: np.ndarray

    @classmethod
    def of(cls, frame: pd.DataFrame, now: datetime) -> _Effects:
        effect = balance_effect(frame)
        when = frame["completed_at"].fillna(frame["created_at"])
        keep = (effect != 0) & when.notna().to_numpy()
        ticks = np.minimum(_ticks(when)[keep], _tick(now))
        return cls(frame["iban_id"].to_numpy()[keep], ticks, effect[keep])

    def between(self, iban_id: int, after: int, upto: int) -> int:
        """The sum of effects with after < time <= upto (µs)."""
        chosen = (self.ids == iban_id) & (self.ticks > after) & (self.ticks <= upto)
        return int(self.effect[chosen].sum())


def _anchor(
    iban: Iban, snapshots: Sequence[SnapshotRow], current: Mapping[int, int], frm: int, upto: int, now: int
) -> tuple[int, int, str] | None:
    """(time, kuruş, source) to walk from: the latest snapshot inside [frm, upto], else today's balance."""
    inside = [s for s in snapshots if s.iban_id == iban.id and frm <= _tick(s.taken_at) <= upto]
    if inside:
        latest = max(inside, key=lambda s: s.taken_at)
        return _tick(latest.taken_at), int(latest.balance_kurus), RECORDED
    if iban.id in current:
        return now, int(current[iban.id]), RECONSTRUCTED
    return None


def _balance_before(effects: _Effects, iban_id: int, anchor: tuple[int, int, str] | None, at: int) -> Balance:
    """The balance just before the moment `at` (what a transaction at `at` itself did is not in it);
    the anchor's balance holds every effect up to and including its own time."""
    if anchor is None:
        return Balance(None, UNKNOWN)
    tick, kurus, source = anchor
    if at > tick:
        return Balance(kurus + effects.between(iban_id, tick, at - 1), source)  # tick < t < at
    return Balance(kurus - effects.between(iban_id, at - 1, tick), source)  # at <= t <= tick


def _sum(balances: Sequence[Balance]) -> Balance:
    if not balances or any(b.kurus is None for b in balances):
        return Balance(None, UNKNOWN)
    source = RECORDED if all(b.source == RECORDED for b in balances) else RECONSTRUCTED
    return Balance(sum(b.kurus for b in balances if b.kurus is not None), source)


def period_rows(frame: pd.DataFrame, iban_ids: Sequence[int], start_at: datetime, end_at: datetime) -> pd.DataFrame:
    """Rows of these IBANs created in [start_at, end_at), oldest first (then by id)."""
    created = frame["created_at"]
    keep = np.isin(frame["iban_id"].to_numpy(), list(iban_ids)) & (created >= start_at).to_numpy()
    keep &= (created < end_at).to_numpy()
    rows = frame[keep]
    return rows.sort_values(["created_at", "id"], kind="stable").reset_index(drop=True)


def build_statement(
    frame: pd.DataFrame,
    ibans: Sequence[Iban],
    *,
    dealer: str,
    start: date,
    end: date,
    tz: str,
    now: datetime,
    lang: str = "en",
    snapshots: Sequence[SnapshotRow] = (),
    current_known: bool = True,
    covered_from: datetime | None = None,
) -> Statement:
    """The statement of `ibans` for the local days `start`..`end` (inclusive).

    `frame` is their history from `covered_from` (default: the period's start) up to `now`;
    `current_known`: whether the IBANs' balances are today's (False after a failed `/ibans`).
    """
    if end < start:
        raise ValueError("The period ends before it starts.")
    start_at, end_at = timeutil.day_bounds(start, end, tz)
    frm = _tick(covered_from or start_at)
    now_tick = _tick(now)
    effects = _Effects.of(frame, now)
    current = {i.id: money.to_kurus(money.quantize(i.balance)) for i in ibans} if current_known else {}
    lines = []
    for iban in ibans:
        anchor = _anchor(iban, snapshots, current, frm, min(_tick(end_at), now_tick), now_tick)
        opening = _balance_before(effects, iban.id, anchor, min(_tick(start_at), now_tick))
        closing = _balance_before(effects, iban.id, anchor, min(_tick(end_at), now_tick + 1))
        lines.append(IbanLine(iban.iban, iban.owner_name, iban.bank_name, opening, closing))
    rows = period_rows(frame, [i.id for i in ibans], start_at, end_at)
    return Statement(
        dealer=dealer,
        lang=lang,
        tz=tz,
        start=start,
        end=end,
        generated_at=now,
        lines=tuple(lines),
        opening=_sum([line.opening for line in lines]),
        closing=_sum([line.closing for line in lines]),
        totals=summarize(rows),
        rows=rows,
    )
