"""Reconciliation: per IBAN and local day, what the transactions explain against the provider's
balances (`days`: the rules, pure), and what the Reconciliation page and the alerts call (`desk`)."""

from dashboard.reconciliation.days import (
    DAY_COLUMNS,
    DIFFERENCE,
    FEES_NOTE,
    LOOKBACK_DAYS,
    NOT_RECONCILED,
    RECONCILED,
    SNAPSHOT_LAG,
    Difference,
    day_transactions,
    differences,
    history_start,
    iban_totals,
    reconcile,
)
from dashboard.reconciliation.desk import (
    Period,
    drift_sandbox_balance,
    history_range,
    month_table,
    recent_differences,
    reconcile_period,
    totals_table,
)
from dashboard.sandbox.drift import DriftError

__all__ = [
    "DAY_COLUMNS",
    "DIFFERENCE",
    "FEES_NOTE",
    "LOOKBACK_DAYS",
    "NOT_RECONCILED",
    "RECONCILED",
    "SNAPSHOT_LAG",
    "Difference",
    "DriftError",
    "Period",
    "day_transactions",
    "differences",
    "drift_sandbox_balance",
    "history_range",
    "history_start",
    "iban_totals",
    "month_table",
    "recent_differences",
    "reconcile",
    "reconcile_period",
    "totals_table",
]
