"""What completed transactions did to each IBAN's balance, and its balance over time walked back
from today's balance. Integer kuruş throughout. No Streamlit.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

import numpy as np
import pandas as pd

from dashboard import timeutil
from dashboard.history.schema import TIME_UNIT, completed, frame_tz, type_is


def balance_effect(df: pd.DataFrame) -> np.ndarray:
    """What each row did to the dealer's balance, in kuruş, if it completed.

    Convention: a completed deposit adds amount - commission; a completed withdrawal subtracts
    amount + commission; anything else (other statuses, unknown type) is 0.
    """
    amount = df["amount_kurus"].to_numpy()
    commission = df["commission_kurus"].to_numpy()
    done = completed(df)
    return np.where(
        done & type_is(df, "deposit"),
        amount - commission,
        np.where(done & type_is(df, "withdrawal"), -(amount + commission), 0),
    ).astype(np.int64)


def balance_history(
    df: pd.DataFrame, current_balances: Mapping[int, int], *, now: datetime, freq: str | None = None
) -> pd.DataFrame:
    """Each IBAN's balance over time, walked backwards from its current balance (kuruş).

    A completed transaction takes effect at `completed_at` (else `created_at`; rows with neither are
    left out, times after `now` count as `now`). Balance after a transaction = current balance minus
    the effects (`balance_effect`) of every later one. IBANs without a current balance are skipped.

    Long format: iban_id, at (tz-aware), balance_kurus; one point per completed transaction plus
    one at `now` per IBAN. With freq="D": one point per local day, the balance at the end of it
    (`at` = next local midnight, or `now` for today), days without transactions carried forward.
    """
    tz = frame_tz(df) if len(df.columns) else timeutil.DEFAULT_TZ
    now_ts = pd.Timestamp(now).tz_convert(tz) if pd.Timestamp(now).tzinfo else pd.Timestamp(now).tz_localize(tz)
    now_ts = now_ts.as_unit(TIME_UNIT)
    effect = balance_effect(df)
    when = df["completed_at"].fillna(df["created_at"])
    keep = (effect != 0) & when.notna().to_numpy() & np.isin(df["iban_id"].to_numpy(), list(current_balances))
    ids = df["iban_id"].to_numpy()[keep]
    ticks = np.minimum(when.array.asi8[keep], now_ts._value)
    effect = effect[keep]
    order = np.lexsort((ticks, ids))
    ids, ticks, effect = ids[order], ticks[order], effect[order]

    frames = []
    for iban_id, current in current_balances.items():
        rows = ids == iban_id
        later = np.cumsum(effect[rows][::-1])[::-1] - effect[rows]  # effects strictly after each row
        balances = np.append(int(current) - later, int(current)).astype(np.int64)
        at = np.append(ticks[rows], now_ts._value)
        frames.append(
            pd.DataFrame(
                {
                    "iban_id": np.full(len(at), iban_id, dtype=np.int64),
                    "at": pd.to_datetime(at, unit=TIME_UNIT, utc=True).tz_convert(tz),
                    "balance_kurus": balances,
                }
            )
        )
    if not frames:
        return pd.DataFrame(
            {
                "iban_id": np.zeros(0, np.int64),
                "at": pd.Series([], dtype=f"datetime64[{TIME_UNIT}, {tz}]"),
                "balance_kurus": np.zeros(0, np.int64),
            }
        )
    points = pd.concat(frames, ignore_index=True)
    points["at"] = points["at"].dt.as_unit(TIME_UNIT)
    return _end_of_day(points, tz, now_ts) if freq == "D" else points


def _end_of_day(points: pd.DataFrame, tz: str, now_ts: pd.Timestamp) -> pd.DataFrame:
    """Last balance of each local day per IBAN, with days without transactions carried forward."""
    out = []
    day = points["at"].dt.tz_localize(None).dt.normalize()
    for iban_id, balances in points.groupby("iban_id", sort=True)["balance_kurus"]:
        # Points are in time order within an IBAN, so the last one of a day is its closing balance.
        closing = balances.groupby(day[balances.index].to_numpy()).last()
        days = pd.date_range(closing.index.min(), closing.index.max(), freq="D", unit=TIME_UNIT)
        ends = (days + pd.Timedelta(days=1)).tz_localize(tz, ambiguous=True, nonexistent="shift_forward")
        out.append(
            pd.DataFrame(
                {
                    "iban_id": np.full(len(days), iban_id, dtype=np.int64),
                    "at": pd.Series(ends).clip(upper=now_ts).dt.as_unit(TIME_UNIT),
                    "balance_kurus": closing.reindex(days).ffill().to_numpy(dtype=np.int64),
                }
            )
        )
    return pd.concat(out, ignore_index=True)
