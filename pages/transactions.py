"""Transactions: filterable history across IBANs, summary, daily volume, CSV/Excel export."""

from datetime import timedelta

import plotly.graph_objects as go
import streamlit as st

from dashboard import data_access, ui
from dashboard.ui import access, loading

access.require_page(__file__)  # before anything else: a hand-typed URL shows no data

st.title(ui.t("Transactions"))

ibans = ui.show_loaded(data_access.load_ibans(), what="the IBAN list")
if not ibans:
    st.stop()
today = ui.today()
presets = data_access.date_presets(today)

# --- filters -------------------------------------------------------------------------------------
top = st.columns([2, 3, 2])
by_id = {i.id: i for i in ibans}
chosen_ids = top[0].multiselect(
    ui.t("IBANs"),
    list(by_id),
    format_func=lambda i: f"{by_id[i].bank_name} …{by_id[i].iban[-4:]}",
    placeholder=ui.t("All IBANs"),
    key="tx_ibans",
)
preset = top[1].segmented_control(
    ui.t("Period"),
    [*presets, "custom"],
    default="7 days",
    key="tx_preset",
    format_func=lambda p: ui.t("Custom") if p == "custom" else ui.t(p.capitalize()),
)
if preset == "custom":
    picked = top[2].date_input(
        ui.t("From – to"), value=(today - timedelta(days=29), today), max_value=today, key="tx_range"
    )
    start, end = ui.date_range(picked, today)
else:
    start, end = presets[preset or "7 days"]
    # Keyed by the preset: a keyed widget would keep showing the first range it was given.
    top[2].date_input(ui.t("From – to"), value=(start, end), disabled=True, key=f"tx_range_shown_{preset}")

row = st.columns([2, 2, 1, 1, 3])
statuses = row[0].multiselect(
    ui.t("Status"), data_access.STATUSES, format_func=ui.t, placeholder=ui.t("Any status"), key="tx_status"
)
types = row[1].multiselect(
    ui.t("Type"),
    data_access.TYPES,
    format_func=lambda x: ui.t(x.capitalize()),
    placeholder=ui.t("Any type"),
    key="tx_type",
)
min_text = row[2].text_input(ui.t("Min ₺"), key="tx_min")
max_text = row[3].text_input(ui.t("Max ₺"), key="tx_max")
text = row[4].text_input(ui.t("Search"), placeholder=ui.t("username, customer, description, IBAN"), key="tx_text")

if text.strip():  # this filter searches the loaded period; the Search page searches every synced day
    st.page_link(
        "pages/search.py",
        label=ui.t("Search all time for this"),
        icon=":material/travel_explore:",
        query_params={"q": text.strip()},
    )

bounds = {}
for name, raw in (("min", min_text), ("max", max_text)):
    try:
        bounds[name] = data_access.amount_bound(raw)
    except data_access.AmountError as exc:
        st.error(
            f"{ui.t('Min ₺') if name == 'min' else ui.t('Max ₺')}: {ui.literal(ui.t(str(exc)))}",
            icon=":material/error:",
        )  # quotes the input
        st.stop()

# --- data ----------------------------------------------------------------------------------------
selected = [by_id[i] for i in chosen_ids] if chosen_ids else list(ibans)
flt = data_access.TransactionFilter(
    iban_ids=tuple(i.id for i in selected),
    start=start,
    end=end,
    statuses=tuple(statuses) or None,
    types=tuple(types) or None,
    min_amount=bounds["min"],
    max_amount=bounds["max"],
    text=text.strip(),
)
progress = loading.HistoryProgress()  # IBANs done, and pages received of pages known
loaded = data_access.transactions(selected, flt, progress)  # memoised per (history, filter): a rerun redoes nothing
progress.empty()
view = ui.show_loaded(loaded, what="the history")
if view is None:
    st.stop()

# --- summary -------------------------------------------------------------------------------------
s = view.summary
# Three to a row: a money figure in the millions must never be cut off.
m = st.columns(3) + st.columns(3)
m[0].metric(ui.t("Transactions"), ui.fmt_count(s.count))
m[1].metric(ui.t("Money in"), ui.fmt_money(s.money_in))
m[2].metric(ui.t("Money out"), ui.fmt_money(s.money_out))
m[3].metric(ui.t("Net"), ui.fmt_money(s.net))
m[4].metric(ui.t("Commission"), ui.fmt_money(s.commission))
st.caption(ui.t("Money figures count completed transactions only."))

if not view.daily.empty:
    bars = view.daily_chart()
    fig = go.Figure()
    fig.add_bar(x=bars["day"], y=bars["deposits"], name=ui.t("Deposits"))
    fig.add_bar(x=bars["day"], y=bars["withdrawals"], name=ui.t("Withdrawals"))
    fig.update_layout(barmode="relative", height=280, margin=dict(t=10, b=10), yaxis_title="₺")
    st.plotly_chart(fig, key="tx_daily")

# --- table and export ----------------------------------------------------------------------------
table = view.table(ui.lang())
st.dataframe(
    table,
    hide_index=True,
    key="tx_table",
    height=420,
    column_config=ui.transaction_columns(),
    placeholder=ui.MISSING,  # e.g. no completion time yet, no description
)

stamp = f"{start}_{end}"
# The download callables run on another thread, after this script: capture plain values now.
actor, described, lang = ui.actor(), repr(flt), ui.lang()
left, right, _ = st.columns([1, 1, 4])
left.download_button(
    ui.t("Download CSV"),
    data=lambda: data_access.export_rows(table, "csv", actor=actor, description=described),
    file_name=f"transactions_{stamp}.csv",
    mime="text/csv",
    icon=":material/download:",
    key="tx_csv",
)
too_big = len(table) >= data_access.EXCEL_MAX_ROWS  # the header takes one of Excel's rows
right.download_button(
    ui.t("Download Excel"),
    data=lambda: data_access.export_rows(table, "xlsx", actor=actor, description=described, lang=lang),
    file_name=f"transactions_{stamp}.xlsx",
    mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    icon=":material/table_view:",
    key="tx_xlsx",
    disabled=too_big,
    help=ui.t("Excel holds at most {n:,} rows: narrow the filter or download CSV.", n=data_access.EXCEL_MAX_ROWS - 1)
    if too_big
    else None,
)
