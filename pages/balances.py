"""Balances: every IBAN with its balance, totals, and charts; refreshes itself every minute."""

from datetime import timedelta

import plotly.express as px
import streamlit as st

from dashboard import balances, data_access, history, ui
from dashboard.timeutil import now
from dashboard.ui import access

access.require_page(__file__)  # before anything else: a hand-typed URL shows no data

st.title(ui.t("Balances"))


@st.fragment(run_every=timedelta(seconds=data_access.IBANS_TTL))
def balance_panel() -> None:
    loaded = data_access.load_ibans()
    ibans = ui.show_loaded(loaded, what="balances")
    if not ibans:
        if ibans is not None:
            st.info(ui.t("No IBANs are assigned to this dealer yet."))
        return
    total, count, fetched = st.columns(3)
    total.metric(ui.t("Total balance"), ui.fmt_money(balances.total_balance(ibans)))
    count.metric(ui.t("IBANs"), len(ibans))
    fetched.metric(ui.t("Updated"), ui.fmt_time(loaded.fetched_at)[11:], help=ui.t("Balances refresh once a minute upstream."))

    table = balances.ibans_table(ibans)
    table["status"] = table["status"].map(ui.t)
    shown, styled = ui.money_table(table, ["balance"])  # Turkish separators in any browser
    st.dataframe(
        shown,
        hide_index=True,
        column_config={
            "id": None,
            "iban": st.column_config.TextColumn(ui.t("IBAN"), width="large"),
            "owner": ui.t("Owner"),
            "bank": ui.t("Bank"),
            "status": ui.t("Status"),
            "balance": ui.money_column(ui.t("Balance (₺)"), styled=styled),
        },
        key="balances_table",
    )
    # Charts take numbers; the exact amounts are in the table above.
    chart = table.assign(balance=table["balance"].astype("float64"))
    fig = px.bar(chart, x="bank", y="balance", hover_data=["iban", "owner"], labels={"bank": ui.t("Bank"), "balance": ui.t("Balance (₺)")})
    st.plotly_chart(fig, key="balances_bar")


balance_panel()

st.subheader(ui.t("Balance over time"))
days = st.segmented_control(ui.t("Period"), [30, 90, 365], default=30, format_func=lambda d: ui.t("{n} days", n=d), key="balances_days")
ibans = data_access.load_ibans().value
if ibans:
    today = now(data_access.settings().timezone).date()
    progress = st.progress(0.0, text=ui.t("Loading history…"))

    def on_progress(done: int, total: int, _iban: str) -> None:
        progress.progress(done / max(total, 1), text=ui.t("Loading history: {done} of {total} IBANs", done=done, total=total))

    loaded = data_access.load_history(ibans, today - timedelta(days=(days or 30) - 1), today, on_progress)
    progress.empty()
    frame = ui.show_loaded(loaded, what="the history")
    if frame is not None:
        since = now(data_access.settings().timezone) - timedelta(days=days or 30)
        reconstructed = history.balance_history(frame, balances.current_balances_kurus(ibans), now=now(data_access.settings().timezone), freq="D")
        points = balances.balance_points(reconstructed, data_access.balance_snapshots(since))
        labels = {i.id: f"{i.bank_name} …{i.iban[-4:]}" for i in ibans}
        points = points.assign(balance=points["balance_kurus"] / 100, account=points["iban_id"].map(labels))
        fig = px.line(points, x="at", y="balance", color="account", labels={"at": ui.t("Date"), "balance": ui.t("Balance (₺)"), "account": ui.t("IBAN")})
        st.plotly_chart(fig, key="balances_history")
        st.caption(ui.t("Recorded once a minute while the console runs; earlier points are reconstructed backwards "
                        "from today's balances and the completed transactions."))
