"""Customer: one customer's deposits and withdrawals of all time (the history mirror), the console's
own payouts and card payments for them (the journal), totals, statuses and, for each withdrawal,
where it is. `?username=` links to a customer."""

import pandas as pd
import streamlit as st

from dashboard import data_access, ui
from dashboard.ui import access

access.require_page(__file__)  # before anything else: a hand-typed URL shows no data

st.title(ui.t("Customer"))
# The widget key doubles as the URL parameter name (bind="query-params"): search results link here.
username = st.text_input(ui.t("Username"), key="username", bind="query-params").strip()
if not username:
    st.info(ui.t("Type a username, or open a customer from a search."), icon=":material/person_search:")
    st.stop()

view = data_access.customer(username)
if view.rows.empty and not view.operations:
    st.info(ui.t_md("No transactions of {user} are known.", user=username), icon=":material/search_off:")
    st.stop()
if view.names or view.ibans:
    st.caption(ui.literal(" · ".join([*view.names, *(ui.fmt_iban(i) for i in view.ibans)])))

totals = view.totals
m = st.columns(3)
m[0].metric(ui.t("Deposited"), ui.fmt_money(totals.deposited), help=ui.t("{n} completed", n=totals.deposits))
m[1].metric(ui.t("Withdrawn"), ui.fmt_money(totals.withdrawn), help=ui.t("{n} completed", n=totals.withdrawals))
m[2].metric(ui.t("Open"), ui.fmt_money(totals.open_amount), help=ui.t("{n} not final yet", n=totals.open_count))
st.caption(ui.t("Money figures count completed transactions only."))

# --- where is my withdrawal? ---------------------------------------------------------------------
st.subheader(ui.t("Withdrawals"))
for answer in [a for a in view.withdrawals if a.open][:10]:
    st.warning(
        f"**{ui.fmt_money(answer.amount)}** · {ui.fmt_time(answer.when)} · "
        f"{ui.t(answer.answer, **{k: ui.t(v) for k, v in answer.values.items()})}",
        icon=":material/hourglass_top:",
    )
if view.withdrawals:
    st.dataframe(
        pd.DataFrame(
            {
                ui.t("Date"): [ui.fmt_time(a.when) for a in view.withdrawals],  # dealer-local, as text
                ui.t("Amount (TRY)"): [a.amount for a in view.withdrawals],
                ui.t("Transaction"): pd.array(  # a payout without an id yet says why, in words
                    [data_access.transaction_id_text(a.transaction_id, a.state, ui.lang()) for a in view.withdrawals],
                    dtype="string",
                ),
                ui.t("Status"): [ui.t(a.status) for a in view.withdrawals],
                ui.t("Where it is"): [
                    ui.t(a.answer, **{k: ui.t(v) for k, v in a.values.items()}) for a in view.withdrawals
                ],
            }
        ),
        hide_index=True,
        placeholder=ui.MISSING,
        key="customer_withdrawals",
        column_config={ui.t("Amount (TRY)"): ui.money_column(ui.t("Amount (TRY)"))},
    )
else:
    st.caption(ui.t("No withdrawals."))

# --- statuses, transactions, the console's own entries -------------------------------------------
st.subheader(ui.t("Statuses"))
statuses = view.statuses
st.dataframe(
    pd.DataFrame(
        {
            ui.t("Type"): [ui.t(x.capitalize()) for x in statuses["type"]],
            ui.t("Status"): [ui.t(s) for s in statuses["status"]],
            ui.t("Count"): statuses["count"].tolist(),
            ui.t("Amount (TRY)"): statuses["amount"].tolist(),
        }
    ),
    hide_index=True,
    placeholder=ui.MISSING,
    key="customer_statuses",
    column_config={ui.t("Amount (TRY)"): ui.money_column(ui.t("Amount (TRY)"))},
)

st.subheader(ui.t("Transactions"))
st.dataframe(
    data_access.results_table(view.rows, ui.lang()),
    hide_index=True,
    placeholder=ui.MISSING,
    key="customer_transactions",
    column_config=ui.transaction_columns(),
)

st.subheader(ui.t("Payouts and card payments from this console"))
if view.operations:
    st.dataframe(
        pd.DataFrame(
            {
                ui.t("Created"): [ui.fmt_time(op.created_at) for op in view.operations],
                ui.t("Kind"): [ui.t(op.kind) for op in view.operations],
                ui.t("State"): [ui.t(op.state) for op in view.operations],
                ui.t("Amount (TRY)"): [op.amount for op in view.operations],
                ui.t("Transaction"): pd.array(  # one never sent (or not answered yet) says so, in words
                    [data_access.transaction_id_text(op.transaction_id, op.state, ui.lang()) for op in view.operations],
                    dtype="string",
                ),
                ui.t("Message"): [op.message or "" for op in view.operations],
            }
        ),
        hide_index=True,
        placeholder=ui.MISSING,
        key="customer_operations",
        column_config={ui.t("Amount (TRY)"): ui.money_column(ui.t("Amount (TRY)"))},
    )
else:
    st.caption(ui.t("None."))
