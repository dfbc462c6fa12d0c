"""Pure helpers behind the Balances page: the IBAN table and totals, the chart points."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from decimal import Decimal
from typing import TYPE_CHECKING

import pandas as pd

from dashboard.client.models import Iban
from dashboard.history.balance import balance_history
from dashboard.iban import format_iban
from dashboard.money import MONEY_DTYPE, decimals_for_chart, kurus_for_chart, quantize, to_kurus

if TYPE_CHECKING:
    from dashboard.store import SnapshotRow


def total_balance(ibans: Sequence[Iban]) -> Decimal:
    return sum((i.balance for i in ibans), start=Decimal(0))


def ibans_table(ibans: Sequence[Iban]) -> pd.DataFrame:
    """One row per IBAN: id, IBAN in blocks of four, owner, bank, status, balance (exact).

    The status is "Active" or "Inactive" whatever word the API used (Aktif, Pasif, ...), as on
    Overview; the page translates it.
    """
    return pd.DataFrame(
        {
            "id": pd.array([i.id for i in ibans], dtype="int64"),
            "iban": [format_iban(i.iban) for i in ibans],
            "owner": [i.owner_name for i in ibans],
            "bank": [i.bank_name for i in ibans],
            "status": ["Active" if i.active else "Inactive" for i in ibans],
            "balance": pd.array([i.balance for i in ibans], dtype=MONEY_DTYPE),
        }
    )


def current_balances_kurus(ibans: Sequence[Iban]) -> dict[int, int]:
    """Balances as int kuruş per IBAN id: the starting point of balance reconstruction."""
    return {i.id: to_kurus(quantize(i.balance)) for i in ibans}


def balance_points(reconstructed: pd.DataFrame, snapshots: Sequence[SnapshotRow]) -> pd.DataFrame:
    """Chart points per IBAN: stored snapshots where we have them, the reconstruction before.

    Both inputs and the result have `iban_id, at, balance_kurus`; the result also says `source`
    ("snapshot" or "reconstructed") so the chart can tell measured from derived points.
    """
    columns = ["iban_id", "at", "balance_kurus"]
    stored = pd.DataFrame(list(snapshots), columns=["iban_id", "taken_at", "balance_kurus"]).rename(
        columns={"taken_at": "at"}
    )
    if stored.empty:
        return reconstructed[columns].assign(source="reconstructed")
    tz = reconstructed["at"].dt.tz if not reconstructed.empty else None
    stored["at"] = pd.to_datetime(stored["at"], utc=True)
    if tz is not None:
        stored["at"] = stored["at"].dt.tz_convert(tz)
    first = stored.groupby("iban_id")["at"].min()
    cutoff = reconstructed["iban_id"].map(first)
    earlier = reconstructed[cutoff.isna() | (reconstructed["at"] < cutoff)]
    merged = pd.concat(
        [earlier[columns].assign(source="reconstructed"), stored[columns].assign(source="snapshot")], ignore_index=True
    )
    return merged.sort_values(["iban_id", "at"], kind="stable").reset_index(drop=True)


def balance_bars(table: pd.DataFrame) -> pd.DataFrame:
    """The balance-per-IBAN chart's rows: `ibans_table` with the balance as a number for the axis
    (the exact amounts are in the table)."""
    return table.assign(balance=decimals_for_chart(table["balance"]))


def balance_over_time(
    frame: pd.DataFrame, ibans: Sequence[Iban], snapshots: Sequence[dict], *, now: datetime
) -> pd.DataFrame:
    """Each IBAN's balance at the end of each local day of the history in `frame`: recorded
    `snapshots` where there are some, walked back from today's balance before them.

    Columns of `balance_points`, plus `balance`: float lira for the chart's axis only.
    """
    reconstructed = balance_history(frame, current_balances_kurus(ibans), now=now, freq="D")
    points = balance_points(reconstructed, snapshots)
    return points.assign(balance=kurus_for_chart(points["balance_kurus"]))
