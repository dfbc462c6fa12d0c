"""Balances: every IBAN with its balance, totals, and charts; refreshes itself every minute."""

from datetime import timedelta

import plotly.express as px
import streamlit as st

from dashboard import data_access, ui
from dashboard.ui import access, outage

access.require_page(__file__)  # before anything else: a hand-typed URL shows no data

st.title(ui.t("Balances"))


@outage.fragment(run_every=timedelta(seconds=data_access.IBANS_TTL))
def balance_panel() -> None:
    loaded = data_access.load_ibans()
    ibans = ui.show_loaded(loaded, what="balances")
    if not ibans:
        if ibans is not None:
            st.info(ui.t("No IBANs are assigned to this dealer yet."))
        return
    total, count, fetched = st.columns(3)
    total.metric(ui.t("Total balance"), ui.fmt_money(data_access.total_balance(ibans)))
    count.metric(ui.t("IBANs"), len(ibans))
    fetched.metric(
        ui.t("Updated"), ui.fmt_time(loaded.fetched_at)[11:], help=ui.t("Balances refresh once a minute upstream.")
    )

    table = data_access.ibans_table(ibans)
    table["status"] = table["status"].map(ui.t)
    shown, styled = ui.money_table(table, ["balance"])  # Turkish separators in any browser
    st.dataframe(
        shown,
        hide_index=True,
        placeholder=ui.MISSING,
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
    fig = px.bar(
        data_access.balance_bars(table),
        x="bank",
        y="balance",
        hover_data=["iban", "owner"],
        labels={"bank": ui.t("Bank"), "balance": ui.t("Balance (₺)")},
    )
    st.plotly_chart(fig, key="balances_bar")


balance_panel()

st.subheader(ui.t("Balance over time"))
days = st.segmented_control(
    ui.t("Period"), [30, 90, 365], default=30, format_func=lambda d: ui.t("{n} days", n=d), key="balances_days"
)
ibans = data_access.load_ibans().value
if ibans:
    progress = st.progress(0.0, text=ui.t("Loading history…"))

    def on_progress(done: int, total: int, _iban: str) -> None:
        progress.progress(
            done / max(total, 1), text=ui.t("Loading history: {done} of {total} IBANs", done=done, total=total)
        )

    loaded = data_access.balance_chart(ibans, days or 30, on_progress)
    progress.empty()
    points = ui.show_loaded(loaded, what="the history")
    if points is not None:
        labels = {i.id: f"{i.bank_name} …{i.iban[-4:]}" for i in ibans}
        points = points.assign(account=points["iban_id"].map(labels))
        fig = px.line(
            points,
            x="at",
            y="balance",
            color="account",
            labels={"at": ui.t("Date"), "balance": ui.t("Balance (₺)"), "account": ui.t("IBAN")},
        )
        st.plotly_chart(fig, key="balances_history")
        st.caption(
            ui.t(
                "Recorded once a minute while the console runs; earlier points are reconstructed backwards "
                "from today's balances and the completed transactions."
            )
        )

# --- the history mirror (issue 13): what is held per IBAN, and when it was last synced ---------------
st.subheader(ui.t("History mirror"))
for failed in data_access.mirror_write_failures():
    st.warning(
        ui.t_md(
            "{iban}: the last write to the mirror failed at {at}; the days {first} to {last} will be fetched again.",
            iban=ui.fmt_iban(failed.iban),
            at=ui.fmt_time(failed.at),
            first=f"{failed.first:%Y-%m-%d}",
            last=f"{failed.last:%Y-%m-%d}",
        ),
        icon=":material/sync_problem:",
    )
synced = data_access.sync_status()
if synced:
    st.dataframe(
        data_access.sync_table(synced, ui.lang()),
        hide_index=True,
        placeholder=ui.MISSING,
        key="balances_mirror",
        column_config={ui.t("Last synced"): st.column_config.DatetimeColumn(format="YYYY-MM-DD HH:mm:ss")},
    )
    st.caption(
        ui.t("Searches cover every synced day of every IBAN; a row EnigmaPay no longer reports is kept, marked.")
    )
else:
    st.caption(ui.t("Nothing synced yet: a period is kept here once it has been viewed."))
