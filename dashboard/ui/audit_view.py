"""Frames of the console's own records -- audit log, journal entries, callback events, timelines --
for the Operations, Callbacks and Audit log pages. Pure (no Streamlit, no store): records in,
pandas frames out, so the table and the CSV export are built from one function.

The audit frame keeps values typed for the export: time as aware datetimes in the dealer's zone,
amount as exact decimal128(18, 2) lira (nullable; never float). Frames meant only for the screen
(operations, callbacks) carry money as ₺ text.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from decimal import Decimal
from typing import Any

import pandas as pd
import pyarrow as pa

from dashboard.audit import ACTIONS
from dashboard.i18n import translate
from dashboard.journal import STATES, transaction_id_text
from dashboard.money import format_try
from dashboard.timeutil import zone

AUDIT_ACTIONS = tuple(sorted(ACTIONS))
OPERATION_STATES = STATES  # the Operations table's state filter offers every journal state
AUDIT_COLUMNS = ("Time", "Actor", "Action", "Amount (₺)", "IBAN (masked)", "Outcome", "Details")

VERIFICATION_LABELS = {
    "pending": "⏳ pending",
    "verified": "✅ verified",
    "superseded": "↪️ superseded",
    "mismatch": "⚠️ mismatch",
    "unverified": "⛔ unverified (forged?)",
    "invalid_amount": "⛔ impossible amount",
}
VERIFICATION_HELP = {
    "pending": "not yet checked against transaction-status",
    "verified": "transaction-status reports the same status and amount",
    "superseded": "the transaction has moved on to a later status",
    "mismatch": "transaction-status contradicts this final event: look at it",
    "unverified": "EnigmaPay does not know this transaction: never trusted",
    "invalid_amount": (
        "the amount it carries cannot be real (not a number, zero, negative, sub-kuruş or too large): never trusted, "
        "look at it"
    ),
}
TIMELINE_SOURCES = {"journal": "📒 journal", "callback": "📨 callback", "status_check": "🔎 status check"}


def _local(values: Sequence[datetime | None], tz: str) -> pd.Series:
    return pd.Series(pd.to_datetime(list(values), utc=True)).dt.tz_convert(zone(tz))


def _decimals(values: Sequence[Decimal | None]) -> pd.arrays.ArrowExtensionArray:
    return pd.arrays.ArrowExtensionArray(pa.array(list(values), type=pa.decimal128(18, 2)))


def details_text(details: Mapping[str, Any] | None) -> str:
    """`key=value` pairs of an audit entry's details, in stored order; empty values left out."""
    if not details:
        return ""
    return ", ".join(f"{k}={v}" for k, v in details.items() if v not in (None, "", [], {}))


def audit_frame(entries: Iterable[Any], tz: str, lang: str = "en") -> pd.DataFrame:
    """`AuditEntry` records (newest first, as queried) -> the table the page shows and exports."""
    entries = list(entries)
    labels = [translate(c, lang) for c in AUDIT_COLUMNS]
    return pd.DataFrame(
        {
            labels[0]: _local([e.at for e in entries], tz),
            labels[1]: pd.array([e.actor for e in entries], dtype="string"),
            labels[2]: pd.array([e.action for e in entries], dtype="string"),
            labels[3]: _decimals([e.amount for e in entries]),
            labels[4]: pd.array([e.iban_masked for e in entries], dtype="string"),
            labels[5]: pd.array([e.outcome for e in entries], dtype="string"),
            labels[6]: pd.array([details_text(e.details) for e in entries], dtype="string"),
        }
    )


def filter_audit(frame: pd.DataFrame, *, actors: Sequence[str] = (), actions: Sequence[str] = ()) -> pd.DataFrame:
    """Rows whose actor is one of `actors` and action one of `actions` (empty: any)."""
    keep = pd.Series(True, index=frame.index)
    if actors:
        keep &= frame.iloc[:, 1].isin(list(actors)).fillna(False).astype(bool)
    if actions:
        keep &= frame.iloc[:, 2].isin(list(actions)).fillna(False).astype(bool)
    return frame[keep].reset_index(drop=True)


# -- journal entries --------------------------------------------------------------------------


def open_reason(op: Any) -> str:
    """Why an entry is listed as needing attention, in words."""
    if op.state == "pending":
        return "The console stopped (or lost the request) before EnigmaPay's answer arrived."
    if op.message:
        return op.message
    return "EnigmaPay did not answer: the payout may or may not have been made."


def operations_frame(ops: Iterable[Any], tz: str, lang: str = "en") -> pd.DataFrame:
    ops = list(ops)
    t = lambda s: translate(s, lang)  # noqa: E731
    return pd.DataFrame(
        {
            t("Created"): _local([op.created_at for op in ops], tz),
            t("State"): pd.array([t(op.state) for op in ops], dtype="string"),
            t("Kind"): pd.array([t(op.kind) for op in ops], dtype="string"),
            t("Amount"): pd.array([format_try(op.amount, lang) for op in ops], dtype="string"),
            t("Username"): pd.array([op.username for op in ops], dtype="string"),
            t("IBAN (masked)"): pd.array([op.masked_iban for op in ops], dtype="string"),
            # Text: an entry never sent (or not answered yet) says so instead of an empty cell.
            t("Transaction id"): pd.array(
                [transaction_id_text(op.transaction_id, op.state, lang) for op in ops], dtype="string"
            ),
            t("Status"): pd.array([op.status_text or op.status for op in ops], dtype="string"),
            t("Actor"): pd.array([op.actor for op in ops], dtype="string"),
            # An operator's own note as written; the console's stored message in the chosen language.
            t("Note"): pd.array(
                [op.resolution_note or (t(op.message) if op.message else op.message) for op in ops], dtype="string"
            ),
            t("Operation"): pd.array([op.id for op in ops], dtype="string"),
        }
    )


# -- callbacks ------------------------------------------------------------------------------


def events_frame(events: Iterable[Any], tz: str, lang: str = "en") -> pd.DataFrame:
    """Callback events (newest first) for the live feed."""
    events = list(events)
    t = lambda s: translate(s, lang)  # noqa: E731
    return pd.DataFrame(
        {
            t("Received"): _local([e.received_at for e in events], tz),
            t("Transaction id"): pd.array([e.transaction_id for e in events], dtype="Int64"),
            t("Status"): pd.array([e.status_text for e in events], dtype="string"),
            t("Amount"): pd.array(
                [format_try(e.amount, lang) if e.amount is not None else None for e in events], dtype="string"
            ),
            t("Username"): pd.array([e.username for e in events], dtype="string"),
            t("Verification"): pd.array(
                [t(VERIFICATION_LABELS.get(e.verification, e.verification)) for e in events], dtype="string"
            ),
            t("EnigmaPay says"): pd.array([e.api_status_text for e in events], dtype="string"),
            t("Deliveries"): pd.array([e.delivery_count for e in events], dtype="Int64"),
            t("Operation"): pd.array([e.operation_id for e in events], dtype="string"),
        }
    )


def verification_counts(events: Iterable[Any]) -> dict[str, int]:
    """Events per verification state, in the order of VERIFICATION_LABELS (zeros left out)."""
    counts = dict.fromkeys(VERIFICATION_LABELS, 0)
    for e in events:
        counts[e.verification] = counts.get(e.verification, 0) + 1
    return {k: v for k, v in counts.items() if v}


def timeline_frame(items: Iterable[Any], tz: str, lang: str = "en") -> pd.DataFrame:
    items = list(items)
    t = lambda s: translate(s, lang)  # noqa: E731
    return pd.DataFrame(
        {
            t("Time"): _local([i.at for i in items], tz),
            t("Source"): pd.array([t(TIMELINE_SOURCES.get(i.source, i.source)) for i in items], dtype="string"),
            t("What"): pd.array([t(i.title) for i in items], dtype="string"),
            t("Status"): pd.array([i.status_text for i in items], dtype="string"),
            t("Detail"): pd.array([i.detail for i in items], dtype="string"),
        }
    )
