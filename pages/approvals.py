"""Approvals: requests that wait for a second person (four-eyes). Approvers see the queue with its
totals and approve or reject with a note; makers follow the state of their own requests."""

from decimal import Decimal, InvalidOperation

import pandas as pd
import streamlit as st

from dashboard import data_access, ui
from dashboard.ui import access, money_actions, money_form, outage

access.require_page(__file__)  # before anything else: a hand-typed URL shows no data

P = "appr"  # session-state prefix of this page
APPROVE, MOVE_MONEY = "approve", "move_money"
SUMMARY_LABELS = {
    "username": "Customer username",
    "customer_iban": "Customer IBAN",
    "customer_name": "Account holder",
    "description": "Description",
    "bank": "Receiving bank",
    "commission": "Commission",
    "fee": "Fee",
    "total": "Total debited",
    "same_content_as": "Same IBAN, amount and username as",
    # a batch's (dashboard.batches.desk)
    "file_name": "File",
    "rows": "Rows in the file",
    "to_send": "Rows to send",
    "invalid": "Not valid",
    "flagged": "Flagged as repeats",
    "include_flagged": "Flagged rows sent too",
    "amount": "Amount",
}
MONEY_KEYS = {"amount", "commission", "fee", "total"}

st.title(ui.t("Approvals"))
if data_access.authenticator() is None:
    st.warning(
        ui.t(
            "Sign-in is off, so there is no second person: requests for approval wait until they expire. "
            "Four-eyes approval needs sign-in accounts."
        ),
        icon=":material/group_off:",
    )


# --- button callbacks (run before the next script run, so the page shows their result) ----------


@outage.guard_callback
def _decide(request_id: str, approve: bool) -> None:
    note = st.session_state.get(f"{P}_note_{request_id}") or ""
    try:
        if approve:
            req = money_actions.approve_request(request_id, actor=ui.actor(), note=note)
        else:
            req = data_access.reject_request(request_id, actor=ui.actor(), note=note)
    except data_access.ApprovalError as exc:
        st.session_state[f"{P}_decided"] = (request_id, "refused", exc.message)
        return
    st.session_state[f"{P}_decided"] = (request_id, req.state, req.operation_id)


def _last_decision() -> None:
    """What the last click did: refused (and why), or the decision and, for a payout, its outcome."""
    decided = st.session_state.get(f"{P}_decided")
    if not decided:
        return
    request_id, outcome, detail = decided
    if outcome == "refused":
        st.error(ui.t(detail), icon=":material/block:")
        return
    if outcome == "approved":
        st.success(ui.t("Request {id} approved.", id=request_id), icon=":material/approval:")
        op = money_actions.operation(detail) if detail else None
        if op is not None:
            money_form.show_outcome(op)
    else:
        st.info(ui.t("Request {id} rejected; nothing of it is sent.", id=request_id), icon=":material/block:")


def _money_text(value) -> str:
    """A summary's amount (decimal text, as stored) as money; anything else as it is."""
    try:
        return ui.fmt_money(Decimal(str(value)))
    except (InvalidOperation, ValueError):
        return ui.literal(value)


def _shown_value(key: str, value) -> str:
    if key in MONEY_KEYS:
        return _money_text(value)
    if isinstance(value, bool):
        return ui.t("yes") if value else ui.t("no")
    return ui.literal(value) if value not in ("", None) else "—"


KIND_LABELS = {"batch": "Batch payout", "payout": "Payout"}


def _kind(req) -> str:
    return ui.t(KIND_LABELS.get(req.kind, req.kind))


def _summary_lines(req) -> str:
    lines = [f"- **{ui.t('Made by')}**: {ui.literal(req.maker)}"]
    if "to_send" not in req.summary:  # a batch says its rows itself ("Rows to send")
        lines.append(f"- **{ui.t('Rows')}**: {ui.fmt_count(req.count)}")
    lines.append(
        f"- **{ui.t('Requested')}**: {ui.fmt_time(req.created_at)} · {ui.t('expires')} {ui.fmt_time(req.expires_at)}"
    )
    for key, value in req.summary.items():
        label = ui.t(SUMMARY_LABELS[key]) if key in SUMMARY_LABELS else ui.literal(key)
        shown = _shown_value(key, value)
        lines.append(f"- **{label}**: {shown}")
    return "\n".join(lines)


def _request_card(req) -> None:
    refusal = data_access.approval_refusal(req, ui.actor())
    with st.container(border=True, key=f"{P}_card_{req.id}"):
        head, amount = st.columns([3, 1])
        head.markdown(ui.t_md("**{kind}** · request {id}", kind=_kind(req), id=req.id))
        amount.metric(ui.t("Amount"), ui.fmt_money(req.amount), label_visibility="collapsed")
        st.markdown(_summary_lines(req))
        if refusal:
            st.caption(ui.t(refusal))
        st.text_input(
            ui.t("Note (required to reject)"), key=f"{P}_note_{req.id}", max_chars=500, disabled=bool(refusal)
        )
        yes, no = st.columns(2)
        yes.button(
            ui.t("Approve"),
            key=f"{P}_approve_{req.id}",
            type="primary",
            icon=":material/check:",
            disabled=bool(refusal),
            on_click=_decide,
            args=(req.id, True),
            width="stretch",
        )
        no.button(
            ui.t("Reject"),
            key=f"{P}_reject_{req.id}",
            icon=":material/close:",
            disabled=bool(refusal),
            on_click=_decide,
            args=(req.id, False),
            width="stretch",
        )


def _queue() -> None:
    st.subheader(ui.t("Waiting for approval"))
    waiting = data_access.approvals_waiting()
    total, rows = data_access.totals(waiting)
    counts = st.columns(3)
    counts[0].metric(ui.t("Requests waiting"), ui.fmt_count(len(waiting)))
    counts[1].metric(ui.t("Payouts in them"), ui.fmt_count(rows))
    counts[2].metric(ui.t("Total amount"), ui.fmt_money(total))
    _last_decision()
    if not waiting:
        st.caption(ui.t("Nothing waits for approval."))
    for req in waiting:
        _request_card(req)


def _mine() -> None:
    st.subheader(ui.t("My requests"))
    mine = data_access.my_approval_requests(ui.actor())
    if not mine:
        st.caption(ui.t("You have made no requests for approval."))
        return
    outcome = {}
    for req in mine:
        op = money_actions.operation(req.operation_id) if req.operation_id and req.state == "approved" else None
        outcome[req.id] = ui.t(op.state) if op else ""
    table = pd.DataFrame(
        {
            ui.t("Requested"): pd.array([ui.fmt_time(r.created_at) for r in mine], dtype="string"),
            ui.t("Kind"): pd.array([_kind(r) for r in mine], dtype="string"),
            ui.t("Amount"): pd.array([ui.fmt_money(r.amount) for r in mine], dtype="string"),
            ui.t("Rows"): pd.array([r.count for r in mine], dtype="Int64"),
            ui.t("State"): pd.array([ui.t(r.state) for r in mine], dtype="string"),
            ui.t("Decided by"): pd.array([r.decided_by or "" for r in mine], dtype="string"),
            ui.t("Note"): pd.array([r.note or "" for r in mine], dtype="string"),
            ui.t("Payout"): pd.array([outcome[r.id] for r in mine], dtype="string"),
            ui.t("Expires"): pd.array([ui.fmt_time(r.expires_at) for r in mine], dtype="string"),
            ui.t("Request"): pd.array([r.id for r in mine], dtype="string"),
        }
    )
    st.dataframe(table, hide_index=True, key=f"{P}_mine", placeholder=ui.MISSING)


if access.allowed(APPROVE):
    _queue()
if access.allowed(MOVE_MONEY):
    _mine()
