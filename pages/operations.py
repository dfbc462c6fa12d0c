"""Operations: journal entries whose outcome is not known yet, settled by status checks -- never by
sending again -- and the recent operations table."""

import streamlit as st

from dashboard import data_access, ui
from dashboard.ui import access, audit_view, inputs, money_actions, outage

access.require_page(__file__)  # before anything else: a hand-typed URL shows no data

P = "ops"  # session-state prefix of this page

st.title(ui.t("Operations"))
st.info(
    ui.t(
        "**Policy: an unknown outcome is settled by checking its status, never by sending again.** "
        "The server checks every open entry (transaction history, callbacks, transaction-status) 30 s after "
        "the attempt, then less and less often (at most every 30 min); after ENIGMAPAY_SETTLE_HORIZON_HOURS it "
        "stops and the entry needs a person. “Check now” runs the same check at once. Only a person may declare "
        "a payout not sent, after checking with EnigmaPay."
    ),
    icon=":material/policy:",
)
tz = data_access.settings().timezone


# --- button callbacks (run before the next script run, so the page shows their result) ----------


@outage.guard_callback
def _check(operation_id: str) -> None:
    try:
        op = money_actions.settle_operation(operation_id, ui.actor())
    except data_access.EnigmaPayError as exc:
        st.session_state[f"{P}_checked"] = (operation_id, "error", exc)
        return
    st.session_state[f"{P}_checked"] = (operation_id, op.state, op)


@outage.guard_callback
def _start_resolve(operation_id: str) -> None:
    st.session_state[f"{P}_resolving"] = operation_id
    st.session_state.pop(f"{P}_resolve_error", None)


@outage.guard_callback
def _cancel_resolve() -> None:
    for key in ("resolving", "resolve_error", "note", "resolve_tx"):
        st.session_state.pop(f"{P}_{key}", None)


@outage.guard_callback
def _confirm_resolve(operation_id: str) -> None:
    note = (st.session_state.get(f"{P}_note") or "").strip()
    tx_text = (st.session_state.get(f"{P}_resolve_tx") or "").strip()
    if not note:
        st.session_state[f"{P}_resolve_error"] = ui.t(
            "A note is required: say how you checked (e.g. who at EnigmaPay confirmed it)."
        )
        return
    transaction_id, problem = inputs.transaction_id(tx_text) if tx_text else (None, None)
    if problem:
        st.session_state[f"{P}_resolve_error"] = ui.t(problem)
        return
    try:
        op = money_actions.mark_operation_resolved(
            operation_id, actor=ui.actor(), note=note, transaction_id=transaction_id
        )
    except (ValueError, KeyError) as exc:
        st.session_state[f"{P}_resolve_error"] = ui.t_md("Not resolved: {why}", why=str(exc))
        return
    _cancel_resolve()
    st.session_state[f"{P}_checked"] = (operation_id, "resolved", op)


def _check_result(operation_id: str) -> None:
    """The last 'Check now' / resolve result for this entry, in words."""
    checked = st.session_state.get(f"{P}_checked")
    if not checked or checked[0] != operation_id:
        return
    _, outcome, value = checked
    if outcome == "error":
        ui.show_error(value)
    elif outcome == "resolved":
        if value.state == "not_sent":
            st.success(ui.t_md("Marked as not sent by {who}.", who=value.resolved_by), icon=":material/task_alt:")
        else:
            st.success(
                ui.t_md("Marked as transaction {id} by {who}.", id=value.transaction_id, who=value.resolved_by),
                icon=":material/task_alt:",
            )
    elif outcome == "confirmed":
        st.success(
            ui.t(
                "Settled: EnigmaPay carried it out as transaction {id}. Nothing was sent again.",
                id=value.transaction_id,
            ),
            icon=":material/check_circle:",
        )
    elif outcome == "pending":
        st.info(
            ui.t("This request may still be in flight; wait for its answer, then check again."),
            icon=":material/hourglass_top:",
        )
    elif value.kind == "card_payment":
        st.warning(
            ui.t(
                "Still unknown. A card payment link whose answer was lost moves no money by itself: "
                "check with EnigmaPay, then mark it resolved. Nothing was sent again."
            ),
            icon=":material/help:",
        )
    else:
        st.warning(
            ui.t("Still unknown: no matching payout found at EnigmaPay yet. Nothing was sent again.")
            + (f"\n\n{ui.literal(ui.t(value.message))}" if value.message else ""),
            icon=":material/help:",
        )


# --- entries needing attention ------------------------------------------------------------------
st.subheader(ui.t("Needing attention"))
open_ops = data_access.open_operations()
# The entry the last button acted on stays on screen (with its result) after it left the list.
checked = st.session_state.get(f"{P}_checked")
if checked and checked[1] in ("confirmed", "resolved") and not any(op.id == checked[0] for op in open_ops):
    _check_result(checked[0])
calling, interrupted = data_access.operations_awaiting_answer()
if calling:
    st.info(
        ui.t("{n} request(s) sent from this console and waiting for EnigmaPay's answer.", n=len(calling)),
        icon=":material/hourglass_top:",
    )
if interrupted:
    checked_from = data_access.first_check_of(interrupted)
    st.warning(
        ui.t(
            "{n} request(s) have no answer recorded and no console here is waiting for one: the process that "
            "sent them stopped, or another console sent them. They are checked from {at}; nothing is sent again.",
            n=len(interrupted),
            at=ui.fmt_time(checked_from),
        ),
        icon=":material/warning:",
    )
if not (open_ops or calling or interrupted):
    st.success(ui.t("Nothing open: every money action has a known outcome."), icon=":material/done_all:")

resolving = st.session_state.get(f"{P}_resolving")
for op in open_ops:
    with st.container(border=True, key=f"{P}_card_{op.id}"):
        head = st.columns([3, 2])
        head[0].markdown(
            f"**{ui.fmt_money(op.amount)}** → {ui.literal(op.masked_iban or '—')} · **{ui.literal(op.username)}**"
            + (f" · {ui.literal(op.customer_name)}" if op.customer_name else "")
        )
        head[1].markdown(f"`{ui.t(op.state)}` · {ui.t(op.kind)}")
        st.caption(
            ui.t_md(
                "Sent {at} ({age}) by {who} · operation {id}",
                at=ui.fmt_time(op.created_at),
                age=ui.age_text(op.created_at),
                who=op.actor,
                id=op.id,
            )
        )
        st.markdown(
            f"{ui.t('Why it is open')}: {ui.literal(ui.t(audit_view.open_reason(op)))}"
        )  # often EnigmaPay's words
        _check_result(op.id)
        buttons = st.columns([1, 2, 3])
        buttons[0].button(
            ui.t("Check now"), key=f"{P}_check_{op.id}", icon=":material/manage_search:", on_click=_check, args=(op.id,)
        )
        buttons[1].button(
            ui.t("Mark as not sent / resolved…"),
            key=f"{P}_resolve_{op.id}",
            icon=":material/gavel:",
            on_click=_start_resolve,
            args=(op.id,),
            disabled=resolving == op.id,
        )
        if resolving == op.id:
            st.warning(
                ui.t(
                    "Only after checking with EnigmaPay. Without a transaction id the entry is closed as "
                    "**not sent**; with one, as that transaction."
                ),
                icon=":material/warning:",
            )
            st.text_area(ui.t("Note (required): how was it checked?"), key=f"{P}_note", max_chars=500)
            st.text_input(ui.t("EnigmaPay transaction id (only if it was carried out)"), key=f"{P}_resolve_tx")
            error = st.session_state.get(f"{P}_resolve_error")
            if error:
                st.error(error, icon=":material/error:")
            confirm, cancel, _ = st.columns([2, 1, 3])
            confirm.button(
                ui.t("Confirm"), type="primary", key=f"{P}_resolve_confirm", on_click=_confirm_resolve, args=(op.id,)
            )
            cancel.button(ui.t("Cancel"), key=f"{P}_resolve_cancel", on_click=_cancel_resolve)

# --- recent operations --------------------------------------------------------------------------
st.subheader(ui.t("Recent operations"))
states = st.multiselect(
    ui.t("State"), audit_view.OPERATION_STATES, format_func=ui.t, placeholder=ui.t("Any state"), key=f"{P}_states"
)
ops = data_access.recent_operations(200, states or None)
st.dataframe(
    audit_view.operations_frame(ops, tz, ui.lang()),
    hide_index=True,
    placeholder=ui.MISSING,
    key=f"{P}_table",
    column_config={ui.t("Created"): ui.datetime_column(ui.t("Created"))},
)
st.caption(ui.t("{n} operation(s); newest first, at most 200.", n=len(ops)))
