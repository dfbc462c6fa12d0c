"""Settling's history search through the mirror (issue 13): the days it needs are synced by the
planner's rules (cheap: the days a recent sync of any replica already holds are not fetched again),
then the mirror's rows are searched -- not whole API histories parsed into models every 30 s.

`search(...)` gives the ids of every transaction of those days (settling keeps callback candidates
that the history already explains out) and the rows that could be the payout (not a deposit, the
payout's customer IBAN and amount), as objects with the attributes settling reads of a transaction.
Rows the API stopped reporting are left out.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, timedelta
from types import SimpleNamespace
from typing import Any

import numpy as np
import pandas as pd

from dashboard.history.ingest import records_to_frame
from dashboard.history.sync import plan_days
from dashboard.money import from_kurus

FRESH_FOR = timedelta(seconds=20)  # a day synced this recently (by anyone) is read, not fetched again


def sync(mirror, client, ibans: Sequence[Any], first: date, last: date, *, now: datetime, tz: str, lookback: int):
    """Fetch the planned days of each IBAN and record them in the mirror."""
    states = mirror.day_states([i.id for i in ibans], first, last)
    for iban in ibans:
        ranges = plan_days(
            first, last, states.get(iban.id, {}), now=now, tz=tz, lookback_days=lookback, fresh_for=FRESH_FOR
        )
        for start, end in ranges:
            pages = client.iter_transaction_pages(iban.id, start_date=start, end_date=end, arrow=True)
            frame = records_to_frame(pages, iban_id=iban.id, iban=iban.iban, tz=tz)
            mirror.write_days(iban.id, iban.iban, start, end, frame, now, tz=tz)


def search(
    mirror, ibans: Sequence[Any], first: date, last: date, *, tz: str, customer_iban: str, amount_kurus: int
) -> tuple[set[int], list[SimpleNamespace]]:
    """(every transaction id of those days, the rows that could be the payout)."""
    frame = mirror.read([i.id for i in ibans], first, last, tz)
    ids = set(frame["id"].dropna().astype("int64").tolist())
    maybe = (
        (frame["type"] != "deposit").to_numpy()
        & (frame["customer_iban"] == customer_iban).to_numpy(dtype=bool, na_value=False)
        & (frame["amount_kurus"].to_numpy() == amount_kurus)
    )
    rows = frame.iloc[np.flatnonzero(maybe)]
    return ids, [_transaction(r) for r in rows.itertuples(index=False)]


def _transaction(row: Any) -> SimpleNamespace:
    return SimpleNamespace(
        id=None if pd.isna(row.id) else int(row.id),
        type=str(row.type),
        customer_iban=row.customer_iban,
        amount=from_kurus(int(row.amount_kurus)),
        username=row.username or None,
        description=row.description,
        status=str(row.status),
        created_at=None if pd.isna(row.created_at) else row.created_at.to_pydatetime(),
        completed_at=None if pd.isna(row.completed_at) else row.completed_at.to_pydatetime(),
    )
