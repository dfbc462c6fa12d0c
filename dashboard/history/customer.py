"""One customer on one screen: their deposits and withdrawals (the mirror, all time), the console's
own payouts and card payments for them (the journal), totals, statuses, and for each withdrawal an
answer to "where is my withdrawal?". No Streamlit, no I/O: the rows and operations are handed in.

Words are English keys the page translates (`ui.t`); their Turkish is in `dashboard/i18n/tr.py`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

import numpy as np
import pandas as pd

from dashboard.history.schema import STATUSES, type_is
from dashboard.history.search import MISSING
from dashboard.journal.records import CONFIRMED, HELD, PENDING, UNKNOWN, Operation
from dashboard.money import from_kurus

FINAL = ("Completed", "Failed", "Cancelled", "Rejected")

# "Where is my withdrawal?": one sentence per case (translated by the page).
ANSWER_COMPLETED = "Paid out: completed at EnigmaPay."
ANSWER_IN_PROGRESS = "In progress at EnigmaPay: not final yet."
ANSWER_FAILED = "Not paid: EnigmaPay reports it {status}."
ANSWER_UNKNOWN = (
    "Outcome unknown: the console sent it but got no answer; it is checking with EnigmaPay. Do not send it again."
)
ANSWER_NEEDS_PERSON = "Outcome unknown and no longer checked automatically: a person must check with EnigmaPay before anything is sent again."
ANSWER_WAITING = "Sent moments ago; waiting for EnigmaPay's answer."
ANSWER_NOT_SENT = "Not sent: nothing left the console ({state})."
ANSWER_HELD = "Held: waiting for a second person's approval or a repeat's confirmation; not sent yet."
ANSWER_MISSING = "EnigmaPay no longer reports this transaction; last known status {status}."


@dataclass(frozen=True)
class Totals:
    """Completed money in and out (the only rows that moved money), and what is still open."""

    deposits: int
    deposited: Decimal
    withdrawals: int
    withdrawn: Decimal
    open_count: int  # provider rows not final yet, plus journal entries whose outcome is open
    open_amount: Decimal


@dataclass(frozen=True)
class WithdrawalAnswer:
    """One withdrawal (a provider row, a journal payout, or both joined by transaction id)."""

    when: datetime | None
    amount: Decimal
    transaction_id: int | None
    status: str  # the provider's status label, or the journal's state when it has none
    answer: str  # an ANSWER_* key
    values: dict[str, str]  # the answer's placeholders
    operation_id: str | None = None
    open: bool = False  # still to be settled: show it first
    state: str | None = None  # the journal entry's state (a payout of this console), for a missing transaction id


@dataclass(frozen=True)
class CustomerView:
    username: str
    rows: pd.DataFrame  # the mirror's rows of this username, newest first (history columns + MISSING)
    operations: tuple[Operation, ...]  # the journal's payouts and card payments for them, newest first
    totals: Totals
    statuses: pd.DataFrame  # type, status, count, amount (Decimal): every row's status, all time
    withdrawals: tuple[WithdrawalAnswer, ...]
    names: tuple[str, ...]  # customer names and IBANs seen with this username
    ibans: tuple[str, ...]


def _status_of(op: Operation) -> str:
    return op.status_text or (op.status or "").capitalize() or op.state


def _answer_for_operation(op: Operation, row: pd.Series | None) -> WithdrawalAnswer:
    status = str(row["status"]) if row is not None else _status_of(op)
    if op.state == CONFIRMED:
        answer, values = _answer_for_status(status, row)
    elif op.state == UNKNOWN or (op.state == PENDING and op.needs_person):
        answer, values = (ANSWER_NEEDS_PERSON if op.needs_person else ANSWER_UNKNOWN), {}
    elif op.state == PENDING:
        answer, values = ANSWER_WAITING, {}
    elif op.state == HELD:
        answer, values = ANSWER_HELD, {}
    else:  # rejected, failed before send, not sent
        answer, values = ANSWER_NOT_SENT, {"state": op.state}
    return WithdrawalAnswer(
        when=op.created_at,
        amount=op.amount,
        transaction_id=op.transaction_id,
        status=status,
        answer=answer,
        values=values,
        operation_id=op.id,
        state=op.state,
        open=op.is_open or answer == ANSWER_IN_PROGRESS,
    )


def _answer_for_status(status: str, row: pd.Series | None) -> tuple[str, dict[str, str]]:
    if row is not None and bool(row.get(MISSING, False)):
        return ANSWER_MISSING, {"status": status}
    if status == "Completed":
        return ANSWER_COMPLETED, {}
    if status in FINAL:
        return ANSWER_FAILED, {"status": status}
    return ANSWER_IN_PROGRESS, {}


def _answer_for_row(row: pd.Series) -> WithdrawalAnswer:
    status = str(row["status"])
    answer, values = _answer_for_status(status, row)
    created = row["created_at"]
    return WithdrawalAnswer(
        when=None if pd.isna(created) else created.to_pydatetime(),
        amount=from_kurus(int(row["amount_kurus"])),
        transaction_id=None if pd.isna(row["id"]) else int(row["id"]),
        status=status,
        answer=answer,
        values=values,
        open=answer == ANSWER_IN_PROGRESS,
    )


def withdrawal_answers(rows: pd.DataFrame, operations: Sequence[Operation]) -> tuple[WithdrawalAnswer, ...]:
    """Every withdrawal of the customer: journal payouts (joined to their provider row by transaction
    id) and provider withdrawals the console did not send; open ones first, then newest first."""
    withdrawals = rows[type_is(rows, "withdrawal")] if len(rows) else rows
    by_id = {int(r["id"]): r for _, r in withdrawals.iterrows() if not pd.isna(r["id"])}
    answers, linked = [], set()
    for op in operations:
        if op.kind != "payout":
            continue
        row = by_id.get(op.transaction_id) if op.transaction_id is not None else None
        linked.add(op.transaction_id)
        answers.append(_answer_for_operation(op, row))
    for tx_id, row in by_id.items():
        if tx_id not in linked:
            answers.append(_answer_for_row(row))
    for _, row in withdrawals[withdrawals["id"].isna()].iterrows() if len(withdrawals) else ():
        answers.append(_answer_for_row(row))
    newest = sorted(answers, key=lambda a: a.when.timestamp() if a.when else float("-inf"), reverse=True)
    return tuple(sorted(newest, key=lambda a: not a.open))  # stable: open first, each part newest first


def status_table(rows: pd.DataFrame) -> pd.DataFrame:
    """Rows per (type, status) with their amount: every status the customer's rows are in."""
    if not len(rows):
        return pd.DataFrame({"type": [], "status": [], "count": [], "amount": []})
    grouped = (
        pd.DataFrame(
            {"type": rows["type"].astype(str), "status": rows["status"].astype(str), "kurus": rows["amount_kurus"]}
        )
        .groupby(["type", "status"], sort=False)["kurus"]
        .agg(["count", "sum"])
        .reset_index()
    )
    order = {s: i for i, s in enumerate(STATUSES)}
    grouped = grouped.sort_values(["type", "status"], key=lambda c: c.map(order) if c.name == "status" else c)
    amounts = [from_kurus(int(k)) for k in grouped["sum"]]
    return pd.DataFrame(
        {
            "type": grouped["type"].to_numpy(),
            "status": grouped["status"].to_numpy(),
            "count": grouped["count"].to_numpy(),
            "amount": amounts,
        }
    )


def totals(rows: pd.DataFrame, operations: Sequence[Operation]) -> Totals:
    status = rows["status"].astype(str).to_numpy() if len(rows) else np.empty(0, dtype=object)
    amount = rows["amount_kurus"].to_numpy() if len(rows) else np.empty(0, dtype=np.int64)
    done = status == "Completed"
    dep, wd = (type_is(rows, "deposit"), type_is(rows, "withdrawal")) if len(rows) else (done, done)
    open_rows = ~np.isin(status, FINAL)
    linked = set(rows["id"].dropna().astype(int).tolist()) if len(rows) else set()
    open_ops = [op for op in operations if op.is_open and op.transaction_id not in linked]
    return Totals(
        deposits=int((done & dep).sum()),
        deposited=from_kurus(int(amount[done & dep].sum())),
        withdrawals=int((done & wd).sum()),
        withdrawn=from_kurus(int(amount[done & wd].sum())),
        open_count=int(open_rows.sum()) + len(open_ops),
        open_amount=from_kurus(int(amount[open_rows].sum())) + sum((op.amount for op in open_ops), Decimal(0)),
    )


def customer_view(username: str, rows: pd.DataFrame, operations: Sequence[Operation]) -> CustomerView:
    """The view of one customer from their mirrored rows and their journal entries."""
    ops = tuple(sorted(operations, key=lambda op: op.created_at, reverse=True))
    names = tuple(dict.fromkeys(n for n in rows["customer_name"].tolist() if n)) if len(rows) else ()
    ibans = tuple(dict.fromkeys(i for i in rows["customer_iban"].tolist() if i)) if len(rows) else ()
    ibans += tuple(i for i in dict.fromkeys(op.customer_iban for op in ops if op.customer_iban) if i not in ibans)
    return CustomerView(
        username=username,
        rows=rows,
        operations=ops,
        totals=totals(rows, ops),
        statuses=status_table(rows),
        withdrawals=withdrawal_answers(rows, ops),
        names=names,
        ibans=ibans,
    )
