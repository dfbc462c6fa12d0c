"""Overview: each channel's status and commission rates, the connection check, total balance."""

from decimal import Decimal

import streamlit as st

from dashboard import data_access, ui
from dashboard.ui import access

access.require_page(__file__)  # before anything else: a hand-typed URL shows no data

st.title(ui.t("Overview"))

dealer, ibans = ui.show_all_loaded(
    (data_access.load_dealer_settings(), "settings"), (data_access.load_ibans(), "balances")
)


def _status(active: bool) -> None:
    if active:
        st.badge(ui.t("Active"), icon=":material/check_circle:", color="green")
    else:
        st.badge(ui.t("Inactive"), icon=":material/block:", color="red")


if dealer is not None:
    if dealer.info:
        st.success(ui.literal(ui.t(dealer.info)), icon=":material/cloud_done:")  # EnigmaPay's own words
    card, eiban, manual = st.columns(3, border=True)
    with card:
        st.subheader(ui.t("Credit card"))
        _status(dealer.credit_card.active)
        st.metric(ui.t("Commission"), ui.fmt_percent(dealer.credit_card.commission))
    with eiban:
        st.subheader(ui.t("E-IBAN"))
        _status(dealer.eiban.active)
        st.metric(ui.t("Deposit commission"), ui.fmt_percent(dealer.eiban.deposit_commission))
        st.metric(ui.t("Withdrawal commission"), ui.fmt_percent(dealer.eiban.withdrawal_commission))
        st.metric(ui.t("Withdrawal fee"), ui.fmt_money(dealer.eiban.withdrawal_fee))
    with manual:
        st.subheader(ui.t("Manual IBAN"))
        _status(dealer.manual_iban.active)
        st.metric(ui.t("Deposit commission"), ui.fmt_percent(dealer.manual_iban.deposit_commission))

if ibans is not None:
    st.divider()
    total = sum((i.balance for i in ibans), start=Decimal(0))
    left, right = st.columns(2)
    left.metric(ui.t("Total balance"), ui.fmt_money(total))
    right.metric(ui.t("IBANs"), f"{sum(i.active for i in ibans)} / {len(ibans)} " + ui.t("active"))
    st.caption(ui.t("Balances refresh once a minute upstream."))
