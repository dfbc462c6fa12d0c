"""What the Reconciliation page and the alerts call: the rules of `days` over the console's own
records (stored balance snapshots, settings) and the history and balances data_access loaded.
No Streamlit: the page passes what `data_access.load_history` / `load_ibans` returned.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal

import pandas as pd

from dashboard import services
from dashboard.balances import current_balances_kurus
from dashboard.client.models import Iban
from dashboard.history.display import display_frame
from dashboard.iban import format_iban
from dashboard.loaded import Loaded
from dashboard.money import MONEY_DTYPE, from_kurus
from dashboard.reconciliation.days import (
    DIFFERENCE,
    FEES_NOTE,
    LOOKBACK_DAYS,
    NOT_RECONCILED,
    RECONCILED,
    Difference,
    day_transactions,
    differences,
    history_start,
    iban_totals,
    reconcile,
)
from dashboard.sandbox.drift import DriftError, request_drift
from dashboard.sandbox.faults import API_PREFIX
from dashboard.timeutil import day_bounds, now

# The month table's columns: English labels (the page translates them, exports write them).
TABLE_MONEY = {
    "opening_kurus": "Opening",
    "in_kurus": "Money in",
    "out_kurus": "Money out",
    "commission_kurus": "Commission",
    "fees_kurus": "Fees",
    "closing_kurus": "Closing (computed)",
    "reported_kurus": "Provider balance",
    "difference_kurus": "Difference",
}


# Snapshots read on each side of every midnight: enough for the lag rule to find a clean one even when
# completions follow one another for a quarter of an hour (a snapshot a minute).
SNAPSHOTS_NEAR = 15


@dataclass(frozen=True)
class Period:
    """Reconciled days (`days.reconcile`'s table), their totals, and the history they came from."""

    days: pd.DataFrame
    totals: pd.DataFrame
    history: pd.DataFrame
    tz: str
    at: datetime

    def transactions(self, iban_id: int, day: date) -> pd.DataFrame:
        """The drill-down: that IBAN's rows whose money moved on `day` (history schema + effect_kurus)."""
        return day_transactions(self.history, iban_id, day, self.tz, self.at)

    def differences(self) -> list[Difference]:
        return differences(self.days)

    # For the page: tables with English labels (it translates them; exports write them).
    fees_note = FEES_NOTE
    states = (RECONCILED, DIFFERENCE, NOT_RECONCILED)

    def table(self) -> pd.DataFrame:
        return month_table(self.days)

    def totals_table(self) -> pd.DataFrame:
        return totals_table(self.totals)

    def transactions_table(self, iban_id: int, day: date, lang: str) -> pd.DataFrame:
        """The drill-down as the Transactions page shows rows, plus what each did to the balance."""
        rows = self.transactions(iban_id, day)
        return display_frame(rows, lang).assign(**{"Effect on balance": _money(rows["effect_kurus"])})


def _money(column: pd.Series) -> pd.arrays.ArrowExtensionArray:
    return pd.array([None if pd.isna(k) else from_kurus(int(k)) for k in column], dtype=MONEY_DTYPE)


def month_table(days: pd.DataFrame) -> pd.DataFrame:
    """The page's (and the export's) table: IBAN in blocks of four, day, the state and the difference
    first (what a manager looks for; the table is wider than a screen), then the day's money in order
    from opening to closing and the provider's balance, exact lira."""
    table = pd.DataFrame({"IBAN": [format_iban(i) for i in days["iban"]], "Day": days["day"].to_numpy()})
    table["Result"] = days["state"].to_numpy()
    for column, label in TABLE_MONEY.items():
        table[label] = _money(days[column])
    table.insert(3, "Difference", table.pop("Difference"))
    table["Transactions"] = days["transactions"].to_numpy()
    return table


def totals_table(totals: pd.DataFrame) -> pd.DataFrame:
    """The totals per IBAN and for all ("all" stays a word the page translates)."""
    table = pd.DataFrame({"IBAN": [i if i == "all" else format_iban(i) for i in totals["iban"]]})
    table["Difference"] = _money(totals["difference_kurus"])  # first, as in the month table
    table["Days with a difference"] = totals["difference_days"].to_numpy()
    table["Days not reconciled"] = totals["unreconciled"].to_numpy()
    for column in ("opening_kurus", "in_kurus", "out_kurus", "commission_kurus", "fees_kurus", "closing_kurus"):
        table[TABLE_MONEY[column]] = _money(totals[column])
    return table


def reconcile_period(
    history: Loaded[pd.DataFrame], balances: Loaded[list[Iban]], selection: Sequence[Iban], start: date, end: date
) -> Loaded[Period]:
    """Reconcile `selection` from `start` to `end`: `history` must be `data_access.load_history` of
    those IBANs from `history_start(start)` to today, `balances` the /ibans answer (its fetch time is
    the current balance's). None (with the error) when the history could not be loaded."""
    if history.value is None:
        return Loaded(None, history.fetched_at, history.error)
    tz = services.settings().timezone
    at = now(tz)
    midnights = [
        day_bounds(d, d, tz)[0] for d in _dates(start - timedelta(days=LOOKBACK_DAYS), end + timedelta(days=1))
    ]
    ids = [i.id for i in selection]
    snapshots = services.records().store.balances.near(ids, midnights, SNAPSHOTS_NEAR)
    current = current_balances_kurus(balances.value or [])
    current_at = balances.fetched_at if balances.value else None
    days = reconcile(history.value, selection, snapshots, current, current_at, start=start, end=end, tz=tz, now=at)
    period = Period(days, iban_totals(days), history.value, tz, at)
    return Loaded(period, history.fetched_at, history.error or balances.error)


def _dates(first: date, last: date) -> list[date]:
    return [first + timedelta(days=n) for n in range((last - first).days + 1)]


def history_range(start: date, end: date) -> tuple[date, date]:
    """The local dates of history `reconcile_period` needs for `start`..`end` (up to today)."""
    today = now(services.settings().timezone).date()
    return history_start(start), min(end, today)


def recent_differences(history: Loaded[pd.DataFrame], balances: Loaded[list[Iban]], days: int = 2) -> list[Difference]:
    """For the alerts' "reconciliation difference": the differences of the last `days` local days
    (today included). `history`: `load_history(ibans, *history_range(today - days + 1, today))`."""
    today = now(services.settings().timezone).date()
    ibans = balances.value or []
    period = reconcile_period(history, balances, ibans, today - timedelta(days=days - 1), today).value
    return [] if period is None else period.differences()


def drift_sandbox_balance(iban_id: int, amount: Decimal, *, actor: str) -> None:
    """The sandbox's drift control (Reconciliation page): its reported balance of `iban_id` moves by
    `amount` with no transaction behind it. Never on a live API. DriftError when refused."""
    backend = services.backend()
    if not backend.is_sandbox:
        raise DriftError("Balances can be drifted only on the sandbox.")
    request_drift(backend.base_url.removesuffix(API_PREFIX), iban_id, amount)
    services.records().audit.record(
        "sandbox_drift", actor=actor, outcome="done", amount=amount, details={"iban_id": iban_id}
    )
    services.money_moved()  # every replica asks /ibans again and drops its histories
    services.reconciliation_watch().forget()  # this process's next alert evaluation reconciles at once
