"""Send money: a payout to a customer IBAN. Validates, confirms, sends exactly once, shows the outcome."""

from datetime import timedelta

import streamlit as st

from dashboard import data_access, ui
from dashboard.ui import access, inputs, money_actions, money_form, outage
from dashboard.ui.inputs import MAX_CHARS

access.require_page(__file__)  # before anything else: a hand-typed URL shows no data

P = "send"  # session-state prefix of this page
FIELDS = ("username", "amount", "iban", "name", "description")
COSTS_UNKNOWN = (
    "The commission and fee could not be loaded from the dealer settings, so the total debited is "
    "unknown. Sending is blocked until the settings can be read."
)

st.title(ui.t("Send money"))
dealer = ui.show_loaded(data_access.load_dealer_settings(), what="settings")
eiban = dealer.eiban if dealer else None
costs_known = money_form.payout_costs_known(eiban)  # else nothing offers to send
if eiban is not None and not eiban.active:
    st.warning(
        ui.t("The e-IBAN channel is inactive for this dealer: EnigmaPay may refuse payouts."), icon=":material/warning:"
    )


# Open while a reviewed request waits (money_form.open_review); X, Esc or Cancel forget it.
@st.dialog(ui.t("Confirm payout"), width="medium", on_dismiss=lambda: money_form.close_review(P))
def confirm(request) -> None:
    costs = money_form.payout_costs(request.amount, eiban)
    unknown = ui.t("could not be loaded")
    money_form.confirm_rows(
        [
            ("Customer username", request.username),
            ("Amount", ui.fmt_money(request.amount)),
            ("Customer IBAN", ui.fmt_iban(request.customer_iban)),
            ("Receiving bank", money_form.receiving_bank(request.customer_iban)),
            ("Account holder", request.customer_name),
            ("Description", request.description or "—"),
            ("Commission", ui.fmt_money(costs.commission) if costs else unknown),
            ("Fee", ui.fmt_money(costs.fee) if costs else unknown),
            ("Total debited", ui.fmt_money(costs.total) if costs else unknown),
        ]
    )
    four_eyes = data_access.needs_approval(request.amount)
    if costs is None:  # the settings were lost after the review: nothing to send until they are read again
        st.error(ui.t(COSTS_UNKNOWN), icon=":material/money_off:")
    elif four_eyes:
        st.info(
            ui.t(
                "A payout of {threshold} or more waits for a second person's approval: submitting asks for it, "
                "and nothing is sent until an approver agrees.",
                threshold=ui.fmt_money(data_access.approval_threshold()),
            ),
            icon=":material/approval:",
        )
    else:
        st.warning(ui.t("This moves real money and cannot be undone."), icon=":material/warning:")
    send, cancel = st.columns(2)
    if (
        costs is not None
        and four_eyes
        and send.button(ui.t("Request approval"), type="primary", key=f"{P}_request_approval", width="stretch")
    ):
        _request_approval(request, costs)
    if (
        costs is not None
        and not four_eyes
        and send.button(
            ui.t("Send {amount}", amount=ui.fmt_money(request.amount)),
            type="primary",
            key=f"{P}_confirm",
            width="stretch",
        )
    ):
        _submit(request, confirm_duplicate=False)
    if cancel.button(ui.t("Cancel"), key=f"{P}_cancel", width="stretch"):
        money_form.close_review(P)
        st.rerun()


def _submit(request, *, confirm_duplicate: bool) -> None:
    money_form.close_review(P)
    try:
        op = money_actions.submit_payout(
            money_form.operation_id(P), request, actor=ui.actor(), confirm_duplicate=confirm_duplicate
        )
    except data_access.ApprovalRequired as exc:  # the threshold changed under the open form
        st.session_state[f"{P}_refused"] = exc.message
        st.rerun()
    st.session_state[f"{P}_result"] = op.id
    st.session_state[f"{P}_request"] = request
    st.rerun()


def _request_approval(request, costs) -> None:
    """Above the threshold: a request for a second person instead of a send (one per form)."""
    money_form.close_review(P)
    summary = {
        "bank": money_form.receiving_bank(request.customer_iban),
        "commission": costs.commission,
        "fee": costs.fee,
        "total": costs.total,
    }
    try:
        made = data_access.request_payout_approval(
            money_form.operation_id(P), request, actor=ui.actor(), summary=summary
        )
    except data_access.ApprovalError as exc:
        st.session_state[f"{P}_refused"] = exc.message
        st.rerun()
    st.session_state[f"{P}_approval"] = made.id
    st.session_state[f"{P}_request"] = request
    st.rerun()


def _approval_outcome(request_id: str) -> None:
    """The state of this form's request; once approved and sent, the payout's own outcome."""
    req = data_access.approval(request_id)
    op = money_actions.operation(req.operation_id) if req and req.state == "approved" else None
    if op is not None:  # sent: from here on it is an ordinary payout outcome
        st.session_state[f"{P}_result"] = op.id
        st.session_state.pop(f"{P}_approval", None)
        st.rerun()
    money_form.show_approval_state(req)
    if st.button(ui.t("New payout"), key=f"{P}_new", icon=":material/add:"):
        money_form.start_over(P, FIELDS)
        st.rerun()
    st.stop()


@outage.fragment(run_every=timedelta(seconds=5))
def live_status(operation_id: str) -> None:
    """Poll transaction-status until the payout is final; then stop asking."""
    op = money_actions.operation(operation_id)
    if op is None or op.transaction_id is None:
        return
    if not op.status_final:
        try:
            op = money_actions.refresh_operation_status(operation_id)
        except data_access.EnigmaPayError as exc:
            st.caption(ui.t_md("Live status unavailable: {why}", why=ui.t(exc.user_message)))
    cols = st.columns([1, 3])
    with cols[0]:
        ui.status_badge(op.status, op.status_text)
    cols[1].caption(
        ui.t("Live status, checked every 5 s until final.") if not op.status_final else ui.t("Final status.")
    )


# --- outcome of a submitted form ---------------------------------------------------------------
money_form.restore_last_outcome(P, "payout")  # a reload shows the last outcome until dismissed
if refused := st.session_state.pop(f"{P}_refused", None):
    st.error(ui.t(refused), icon=":material/block:")
if approval_id := st.session_state.get(f"{P}_approval"):
    _approval_outcome(approval_id)
result_id = st.session_state.get(f"{P}_result")
if result_id:
    op = money_actions.operation(result_id)
    if op.state == "held":
        earlier = money_actions.operation(op.duplicate_of) if op.duplicate_of else None
        st.warning(
            ui.t(
                "A payout with the same IBAN, amount and username was made {age} (operation {id}). "
                "Is a second payout intended?",
                age=ui.age_text(earlier.created_at) if earlier else "",
                id=op.duplicate_of,
            ),
            icon=":material/content_copy:",
        )
        yes, no = st.columns(2)
        if yes.button(ui.t("Yes, send a second payout"), key=f"{P}_dup_yes", type="primary"):
            _submit(st.session_state[f"{P}_request"], confirm_duplicate=True)
        if no.button(ui.t("No, do not send"), key=f"{P}_dup_no"):
            money_form.start_over(P, FIELDS)
            st.rerun()
        st.stop()

    money_form.show_outcome(op)
    if op.state == "confirmed":
        live_status(op.id)
    again = op.state in ("rejected", "failed_before_send")
    if st.button(ui.t("Correct and try again") if again else ui.t("New payout"), key=f"{P}_new", icon=":material/add:"):
        money_form.start_over(P, FIELDS, keep_values=again)
        st.rerun()
    st.stop()

# --- the form ------------------------------------------------------------------------------------
money_form.operation_id(P)
left, right = st.columns([3, 2])
with left:
    username = money_form.text_field(P, "username", ui.t("Customer username"), max_chars=MAX_CHARS["username"])
    amount = money_form.text_field(
        P, "amount", ui.t("Amount (₺)"), max_chars=MAX_CHARS["amount"], placeholder="1500,00"
    )
    iban = money_form.text_field(
        P, "iban", ui.t("Customer IBAN"), max_chars=MAX_CHARS["iban"], placeholder="TR00 0000 0000 0000 0000 0000 00"
    )
    name = money_form.text_field(P, "name", ui.t("Account holder name"), max_chars=MAX_CHARS["name"])
    description = money_form.text_field(
        P, "description", ui.t("Description (optional)"), max_chars=MAX_CHARS["description"]
    )
with right:
    st.subheader(ui.t("Preview"))
    with st.container(key="send_receiving_bank"):  # text, not a metric: a bank's legal name is long
        st.caption(ui.t("Receiving bank"))
        st.markdown(ui.literal(money_form.receiving_bank(iban)))
    preview = money_form.payout_preview(amount, eiban)
    if preview is not None:
        st.metric(
            ui.t("Commission"), ui.fmt_money(preview.commission), help=ui.fmt_percent(eiban.withdrawal_commission)
        )
        st.metric(ui.t("Fee"), ui.fmt_money(preview.fee))
        st.metric(ui.t("Total debited"), ui.fmt_money(preview.total))
    elif not costs_known:
        for label in ("Commission", "Fee", "Total debited"):
            st.metric(ui.t(label), ui.t("could not be loaded"))

if not costs_known:
    money_form.costs_unknown(P, COSTS_UNKNOWN)
if st.button(
    ui.t("Review payout"), type="primary", key=f"{P}_review", icon=":material/fact_check:", disabled=not costs_known
):
    request, problems = inputs.payout_request(
        username=username, amount=amount, customer_iban=iban, customer_name=name, description=description
    )
    if request is None:
        # Map the request's field names onto this form's widget names.
        names = {"customer_iban": "iban", "customer_name": "name"}
        money_form.set_errors(P, {names.get(k, k): v for k, v in problems.items()})
        st.rerun()
    money_form.open_review(P, request)

if (pending := money_form.reviewing(P)) is not None:
    confirm(pending)
