"""Card payment: a credit-card payment link for a customer (at least 200 ₺), created exactly once."""

import streamlit as st

from dashboard import data_access, ui
from dashboard.ui import access, inputs, money_actions, money_form
from dashboard.ui.inputs import CARD_MIN_AMOUNT, MAX_CHARS

access.require_page(__file__)  # before anything else: a hand-typed URL shows no data

P = "card"  # session-state prefix of this page
FIELDS = ("username", "firstname", "lastname", "email", "phone", "amount", "description")
COSTS_UNKNOWN = (
    "The card commission could not be loaded from the dealer settings, so what the payment costs is "
    "unknown. Card payment links are blocked until the settings can be read."
)

st.title(ui.t("Card payment"))
dealer = ui.show_loaded(data_access.load_dealer_settings(), what="settings")
card_channel = dealer.credit_card if dealer else None


# Open while a reviewed request waits (money_form.open_review); X, Esc or Cancel forget it.
@st.dialog(ui.t("Confirm card payment link"), width="medium", on_dismiss=lambda: money_form.close_review(P))
def confirm(request) -> None:
    commission = money_form.card_commission(request.amount, card_channel)
    money_form.confirm_rows(
        [
            ("Customer username", request.username),
            ("Name", f"{request.firstname} {request.lastname}"),
            ("Email", request.email),
            ("Phone", request.phone),
            ("Amount", ui.fmt_money(request.amount)),
            ("Description", request.description or "—"),
            (
                "Commission",
                f"{ui.fmt_money(commission)} ({ui.fmt_percent(card_channel.commission)})"
                if commission is not None
                else ui.t("could not be loaded"),
            ),
        ]
    )
    if commission is None:  # the settings were lost after the review: nothing to create until they are read again
        st.error(ui.t(COSTS_UNKNOWN), icon=":material/money_off:")
    create, cancel = st.columns(2)
    if commission is not None and create.button(
        ui.t("Create payment link"), type="primary", key=f"{P}_confirm", width="stretch"
    ):
        money_form.close_review(P)
        op = money_actions.submit_card_payment(money_form.operation_id(P), request, actor=ui.actor())
        st.session_state[f"{P}_result"] = op.id
        st.rerun()
    if cancel.button(ui.t("Cancel"), key=f"{P}_cancel", width="stretch"):
        money_form.close_review(P)
        st.rerun()


# --- outcome -------------------------------------------------------------------------------------
money_form.restore_last_outcome(P, "card_payment")  # a reload shows the last outcome until dismissed
result_id = st.session_state.get(f"{P}_result")
if result_id:
    op = money_actions.operation(result_id)
    money_form.show_outcome(op)
    if op.state == "confirmed" and op.payment_url:
        st.markdown(f"**{ui.t('Payment link')}** — {ui.t('copy it for the customer or open it')}")
        st.code(op.payment_url, language=None)
        st.link_button(ui.t("Open payment page"), op.payment_url, icon=":material/open_in_new:")
        left, right = st.columns(2)
        left.metric(ui.t("Order id"), ui.literal(op.order_id or "—"))
        right.metric(ui.t("Transaction id"), op.transaction_id or "—")
    again = op.state in ("rejected", "failed_before_send")
    if st.button(
        ui.t("Correct and try again") if again else ui.t("New card payment"), key=f"{P}_new", icon=":material/add:"
    ):
        money_form.start_over(P, FIELDS, keep_values=again)
        st.rerun()
    st.stop()

# --- the form ------------------------------------------------------------------------------------
if card_channel is None:
    money_form.costs_unknown(P, COSTS_UNKNOWN)
    st.stop()
if not card_channel.active:
    st.info(
        ui.t(
            "Card payments are not enabled for this dealer (the credit-card channel is inactive). "
            "Ask EnigmaPay support to enable it; this form opens once it is."
        ),
        icon=":material/credit_card_off:",
    )
    st.stop()
costs_known = card_channel.commission is not None  # else nothing offers to create a link
if costs_known:
    st.caption(ui.t("Commission {rate} per card payment.", rate=ui.fmt_percent(card_channel.commission)))
else:
    money_form.costs_unknown(P, COSTS_UNKNOWN)
money_form.operation_id(P)
username = money_form.text_field(P, "username", ui.t("Customer username"), max_chars=MAX_CHARS["username"])
first, last = st.columns(2)
firstname = money_form.text_field(P, "firstname", ui.t("First name"), container=first, max_chars=MAX_CHARS["name"])
lastname = money_form.text_field(P, "lastname", ui.t("Last name"), container=last, max_chars=MAX_CHARS["name"])
mail, tel = st.columns(2)
email = money_form.text_field(P, "email", ui.t("Email"), container=mail, max_chars=MAX_CHARS["email"])
phone = money_form.text_field(
    P, "phone", ui.t("Phone"), container=tel, max_chars=MAX_CHARS["phone"], placeholder="+90 5xx xxx xx xx"
)
amount = money_form.text_field(
    P,
    "amount",
    ui.t("Amount (₺, at least {min})", min=int(CARD_MIN_AMOUNT)),
    max_chars=MAX_CHARS["amount"],
    placeholder="500,00",
)
description = money_form.text_field(
    P, "description", ui.t("Description (optional)"), max_chars=MAX_CHARS["description"]
)

if st.button(
    ui.t("Review card payment"),
    type="primary",
    key=f"{P}_review",
    icon=":material/fact_check:",
    disabled=not costs_known,
):
    request, problems = inputs.card_payment_request(
        username=username,
        firstname=firstname,
        lastname=lastname,
        email=email,
        phone=phone,
        amount=amount,
        description=description,
    )
    if request is None:
        money_form.set_errors(P, problems)
        st.rerun()
    money_form.open_review(P, request)

if (pending := money_form.reviewing(P)) is not None:
    confirm(pending)
