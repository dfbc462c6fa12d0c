"""The Batch payouts page's tables: the preview of a file and the per-row results of a batch.

Pure (records in, pandas frames out). The results frame is also the downloadable results file
(through dashboard.export: formula-safe, audited), so its amounts are exact decimal128(18, 2) lira
and its IBANs masked; the preview, shown only on screen, carries money as ₺ text.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from decimal import Decimal

import pandas as pd
import pyarrow as pa

from dashboard.batches.preview import Preview, PreviewRow
from dashboard.i18n import translate
from dashboard.iban import mask_iban
from dashboard.journal import transaction_id_text
from dashboard.money import format_try
from dashboard.store import BatchItemRow

ROW_STATES = ("invalid", "skipped", "queued", "sending", "done", "cancelled")
FIELD_LABELS = {
    "username": "Customer username",
    "amount": "Amount",
    "customer_iban": "Customer IBAN",
    "customer_name": "Account holder",
    "description": "Description",
}


def _decimals(values: Sequence[Decimal | None]) -> pd.arrays.ArrowExtensionArray:
    return pd.arrays.ArrowExtensionArray(pa.array(list(values), type=pa.decimal128(18, 2)))


def problem_text(problems: dict[str, str] | None, lang: str) -> str:
    """A row's problems, each field with its message, in `lang`."""
    return "; ".join(
        f"{translate(FIELD_LABELS.get(k, k), lang)}: {translate(v, lang)}" for k, v in (problems or {}).items()
    )


def flag_text(row: PreviewRow | BatchItemRow, lang: str) -> str:
    """Why a row is flagged ("" when it is not)."""
    details = row.details or {} if isinstance(row, BatchItemRow) else {}
    repeat_of = row.repeat_of if isinstance(row, PreviewRow) else details.get("repeat_of")
    recent = row.recent_operation if isinstance(row, PreviewRow) else details.get("recent_operation")
    parts = []
    if repeat_of is not None:
        parts.append(translate("repeats row {row}", lang, row=repeat_of))
    if recent:
        parts.append(translate("same as recent payout {id}", lang, id=recent))
    return "; ".join(parts)


def preview_frame(preview: Preview, include_flagged: bool, lang: str = "en") -> pd.DataFrame:
    """One line per file row: sent or not and why, the payout, its bank and costs, its flags."""
    rows = list(preview.rows)
    t = lambda s: translate(s, lang)  # noqa: E731

    def verdict(r: PreviewRow) -> str:
        if not r.valid:
            return t("❌ not valid")
        return t("✅ to send") if r.included(include_flagged) else t("⚠️ left out")

    def bank(r: PreviewRow) -> str | None:
        if not r.valid:
            return None
        return r.bank_name or translate("Bank code {code} (not in the bank registry)", lang, code=r.bank_code)

    def money(value: Decimal | None) -> str | None:
        return format_try(value, lang) if value is not None else None

    return pd.DataFrame(
        {
            t("Row"): pd.array([r.number for r in rows], dtype="Int64"),
            t("Check"): pd.array([verdict(r) for r in rows], dtype="string"),
            t("Why"): pd.array([problem_text(r.problems, lang) or flag_text(r, lang) for r in rows], dtype="string"),
            t("Customer username"): pd.array([r.cells.get("username") for r in rows], dtype="string"),
            t("Amount"): pd.array([money(r.request.amount) if r.request else r.cells.get("amount") for r in rows]),
            t("Customer IBAN"): pd.array([r.cells.get("customer_iban") for r in rows], dtype="string"),
            t("Receiving bank"): pd.array([bank(r) for r in rows], dtype="string"),
            t("Account holder"): pd.array([r.cells.get("customer_name") for r in rows], dtype="string"),
            t("Commission"): pd.array([money(r.costs.commission) if r.costs else None for r in rows], dtype="string"),
            t("Fee"): pd.array([money(r.costs.fee) if r.costs else None for r in rows], dtype="string"),
            t("Description"): pd.array([r.cells.get("description") for r in rows], dtype="string"),
        }
    ).astype({t("Amount"): "string"})


def row_outcome(item: BatchItemRow) -> str:
    """A row's state as one word: its journal entry's state once sent, else the row's own state."""
    if item.state in ("done", "sending") and item.op_state:
        return item.op_state
    return item.state


def results_frame(items: Iterable[BatchItemRow], lang: str = "en") -> pd.DataFrame:
    """Per-row results of a batch (also the results file): row, payout, outcome, transaction id, why."""
    items = list(items)
    t = lambda s: translate(s, lang)  # noqa: E731

    def why(item: BatchItemRow) -> str:
        if item.problems:
            return "; ".join(filter(None, [problem_text(item.problems, lang), typed_amount(item, lang)]))
        return t(item.op_message) if item.op_message else flag_text(item, lang)

    def iban(item: BatchItemRow) -> str | None:
        typed = item.customer_iban or (item.cells or {}).get("customer_iban")  # an invalid row: as typed, masked
        return mask_iban(typed) if typed else None

    return pd.DataFrame(
        {
            t("Row"): pd.array([i.row_no for i in items], dtype="Int64"),
            t("State"): pd.array([t(row_outcome(i)) for i in items], dtype="string"),
            t("Customer username"): pd.array([i.username or i.cells.get("username") for i in items], dtype="string"),
            t("Amount (₺)"): _decimals([i.amount for i in items]),
            t("IBAN (masked)"): pd.array([iban(i) for i in items], dtype="string"),
            t("Account holder"): pd.array(
                [i.customer_name or i.cells.get("customer_name") for i in items], dtype="string"
            ),
            t("Transaction id"): pd.array([i.transaction_id for i in items], dtype="Int64"),
            t("Note"): pd.array([why(i) for i in items], dtype="string"),
            t("Operation"): pd.array([i.operation_id for i in items], dtype="string"),
        }
    )


def typed_amount(item: BatchItemRow, lang: str) -> str:
    """An invalid row's amount as the file wrote it ("" when it had none, or the amount was read): the
    Amount column holds only amounts read, so this goes into the row's note."""
    typed = (item.cells or {}).get("amount")
    if item.amount is not None or typed is None or not str(typed).strip():
        return ""
    return translate("amount as typed: “{text}”", lang, text=str(typed).strip())


def sent_text(item: BatchItemRow, lang: str) -> str:
    """Where a row with no transaction id stands, in words: never sent, not yet, refused, or still open."""
    if item.state in ("invalid", "skipped", "cancelled"):
        return translate("not sent", lang)
    if item.state == "queued":
        return translate("not sent yet", lang)
    return transaction_id_text(None, item.op_state, lang)  # sending, or sent: its journal entry's state says


def results_on_screen(items: Iterable[BatchItemRow], lang: str = "en") -> pd.DataFrame:
    """`results_frame` as the page shows it. The file keeps a missing cell empty; on screen Streamlit
    would draw it as a grey "None", so the transaction id and operation of a row never sent say why in
    words (text columns: ids are looked up, not added up). Amount stays exact decimal, sortable: a
    missing amount (an invalid row) is drawn as the table's placeholder and its note says what was typed."""
    items = list(items)
    frame = results_frame(items, lang)
    ids = [str(i.transaction_id) if i.transaction_id is not None else sent_text(i, lang) for i in items]
    frame[translate("Transaction id", lang)] = pd.array(ids, dtype="string")
    operations = [i.operation_id or sent_text(i, lang) for i in items]
    frame[translate("Operation", lang)] = pd.array(operations, dtype="string")
    return frame


def progress_counts(counts: dict[str, int]) -> dict[str, int]:
    """(to send, sent, confirmed, open, refused, cancelled) for the progress bar, from `store.batches.counts`."""
    sent = {k.split(":", 1)[1]: v for k, v in counts.items() if k.startswith("done:")}
    finished = sum(sent.values())
    return {
        "to_send": finished + counts.get("queued", 0) + counts.get("sending", 0),
        "sent": finished,
        "confirmed": sent.get("confirmed", 0),
        "open": sent.get("pending", 0) + sent.get("unknown", 0) + counts.get("sending", 0),
        "refused": finished - sent.get("confirmed", 0) - sent.get("pending", 0) - sent.get("unknown", 0),
        "cancelled": counts.get("cancelled", 0),
    }
