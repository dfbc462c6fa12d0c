"""Lookup: one transaction's status and times; `?transaction_id=123` makes a shareable link."""

import streamlit as st

from dashboard import data_access, ui
from dashboard.ui import access, inputs

access.require_page(__file__)  # before anything else: a hand-typed URL shows no data

st.title(ui.t("Lookup"))
st.caption(ui.t("Paste a transaction id. The page address then links straight to it, for sharing."))

# The widget key doubles as the URL parameter name (bind="query-params"), hence no page prefix.
raw_id = st.text_input(ui.t("Transaction id"), key="transaction_id", bind="query-params", placeholder="123456")

if raw_id:
    transaction_id, problem = inputs.transaction_id(raw_id)
    if problem:
        st.error(ui.t(problem), icon=":material/error:")
        st.stop()

    # The id as it was understood (spaces or a '#' taken off): the operator sees what was looked up.
    st.subheader(ui.t("Transaction {id}", id=transaction_id))
    loaded = data_access.load_transaction_status(transaction_id)
    status = ui.show_loaded(loaded, what="the status")
    if status is not None:
        ui.status_badge(status.status, status.status_text)
        left, mid, right = st.columns(3)
        left.metric(ui.t("Amount"), ui.fmt_money(status.amount))
        mid.metric(ui.t("Created"), ui.fmt_time(status.created_at))
        right.metric(ui.t("Completed"), ui.fmt_time(status.completed_at))
        if not status.status.is_final:
            st.info(ui.t("Not final yet: check again in a moment."), icon=":material/hourglass_top:")
        if st.button(ui.t("Check again"), key="lookup_recheck", icon=":material/refresh:"):
            data_access.forget_transaction_status(transaction_id)
            st.rerun()
