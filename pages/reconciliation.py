"""Reconciliation: per IBAN and day, what the transactions explain against the provider's balances;
month totals, differences flagged, a day's transactions, the month as CSV/Excel (audited)."""

from datetime import date, timedelta

import streamlit as st

from dashboard import data_access, ui
from dashboard.ui import access

access.require_page(__file__)  # before anything else: a hand-typed URL shows no data

MOVE_MONEY = "move_money"  # the sandbox's drift control: for those who may move money, never on a live API
MONEY = [
    "Opening",
    "Money in",
    "Money out",
    "Commission",
    "Fees",
    "Closing (computed)",
    "Provider balance",
    "Difference",
]

st.title(ui.t("Reconciliation"))
balances = data_access.load_ibans()
ibans = ui.show_loaded(balances, what="balances")
if not ibans:
    if ibans is not None:
        st.info(ui.t("No IBANs are assigned to this dealer yet."))
    st.stop()

today = ui.today()
months = [date(today.year, today.month, 1)]
for _ in range(11):
    months.append((months[-1] - timedelta(days=1)).replace(day=1))
names = {i.id: f"{i.bank_name} {ui.fmt_iban(i.iban)}" for i in ibans}
left, right = st.columns(2)
month = left.selectbox(ui.t("Month"), months, format_func=lambda m: f"{m:%Y-%m}", key="recon_month")
chosen = right.selectbox(
    ui.t("IBAN"), [0, *names], format_func=lambda i: names.get(i, ui.t("All IBANs")), key="recon_iban"
)
selection = [i for i in ibans if chosen in (0, i.id)]
start, end = month, (month + timedelta(days=32)).replace(day=1) - timedelta(days=1)

progress = st.progress(0.0, text=ui.t("Loading history…"))
history = data_access.load_history(
    selection,
    *data_access.history_range(start, end),
    lambda done, total, _iban: progress.progress(done / max(total, 1), text=ui.t("Loading history…")),
)
progress.empty()
period = ui.show_loaded(data_access.reconcile_period(history, balances, selection, start, end), what="the history")
if period is None:
    st.stop()

_, difference, not_reconciled = period.states
table = period.table()
flagged = table[table["Result"] == difference].to_dict("records")
days_col, amount_col, open_col = st.columns(3)
days_col.metric(ui.t("Days with a difference"), len(flagged))
amount_col.metric(ui.t("Difference"), ui.fmt_money(sum((r["Difference"] for r in flagged), start=0)))
open_col.metric(ui.t("Days not reconciled"), int((table["Result"] == not_reconciled).sum()))
for r in flagged:
    amount = ui.fmt_money(r["Difference"])
    text = ui.t_md(
        "{iban} on {day}: the provider's balance differs by {amount}.", iban=r["IBAN"], day=r["Day"], amount=amount
    )
    st.error(text, icon=":material/warning:")


def _translated(frame):
    shown = frame.assign(Result=frame["Result"].map(ui.t)) if "Result" in frame else frame
    return shown.rename(columns=ui.t)


def _highlight(row):
    colour = "background-color: rgba(255, 75, 75, 0.18)" if row[ui.t("Result")] == ui.t(difference) else ""
    return [colour] * len(row)


shown = _translated(table)
money = [ui.t(m) for m in MONEY]
# A missing amount (no provider balance to compare with; no balance to start from) is shown as these
# words: Streamlit draws a missing cell as a grey "None" whatever the Styler writes (its na_rep).
unmeasured = ui.t("not measured")
st.subheader(ui.t("Per IBAN and day"))
st.dataframe(
    shown.style.format(ui.fmt_money, subset=money, na_rep=unmeasured).apply(_highlight, axis=1),
    hide_index=True,
    column_config={m: ui.money_column(m, styled=True) for m in money},
    placeholder=unmeasured,
    key="recon_days",
)
st.caption(
    ui.t(
        "Opening: the provider's last balance before the day (a stored snapshot or today's balance), moved to "
        "midnight by the completed transactions in between; without one it is reconstructed from today's balance. "
        "A day is compared only when the provider reported a balance after its opening: otherwise it is not "
        "reconciled, never a difference."
    )
    + " "
    + ui.t(
        "“Not measured”: the provider reported no balance on that day to compare with (and without any "
        "balance, no opening either); the export leaves those cells empty."
    )
)
st.caption(ui.t(period.fees_note))

st.subheader(ui.t("Totals"))
totals = _translated(period.totals_table())
totals[ui.t("IBAN")] = totals[ui.t("IBAN")].map(lambda i: ui.t("All IBANs") if i == "all" else i)
total_money = [m for m in money if m in totals]
st.dataframe(
    totals.style.format(ui.fmt_money, subset=total_money, na_rep=unmeasured),
    hide_index=True,
    column_config={m: ui.money_column(m, styled=True) for m in total_money},
    placeholder=unmeasured,
    key="recon_totals",
)

actor, lang, stamp = ui.actor(), ui.lang(), f"{month:%Y-%m}"
described = f"month={stamp} iban={'all' if not chosen else chosen}"
csv_col, xlsx_col, _ = st.columns([1, 1, 4])
for column, fmt, mime in (
    (csv_col, "csv", "text/csv"),
    (xlsx_col, "xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
):
    column.download_button(
        ui.t("Download CSV") if fmt == "csv" else ui.t("Download Excel"),
        data=lambda fmt=fmt: data_access.export_rows(
            shown, fmt, actor=actor, description=described, lang=lang, dataset="reconciliation", sheet="Reconciliation"
        ),
        file_name=f"reconciliation_{stamp}.{fmt}",
        mime=mime,
        icon=":material/download:",
        key=f"recon_{fmt}",
    )

st.subheader(ui.t("Transactions of a day"))
options = [(r.iban_id, r.day) for r in period.days.itertuples(index=False)]
picked = st.selectbox(
    ui.t("Day"),
    options,
    index=None,
    format_func=lambda o: f"{o[1]:%Y-%m-%d} · {names[o[0]]}",
    placeholder=ui.t("Choose a day"),
    key="recon_drill",
)
if picked is not None:
    rows = period.transactions_table(picked[0], picked[1], lang)
    if rows.empty:
        st.info(ui.t("No money moved on this day."))
    else:
        effect = ui.t("Effect on balance")
        st.dataframe(
            rows.rename(columns={"Effect on balance": effect}),
            hide_index=True,
            column_config={**ui.transaction_columns(), effect: ui.money_column(effect)},
            key="recon_drill_table",
            placeholder=ui.MISSING,
        )

if data_access.backend().is_sandbox and access.allowed(MOVE_MONEY):
    with st.expander(ui.t("Sandbox: drift a balance")):
        st.caption(ui.t("Moves the sandbox's reported balance with no transaction behind it, to see a difference."))
        with st.form("recon_drift"):
            target = st.selectbox(ui.t("IBAN"), list(names), format_func=names.get, key="recon_drift_iban")
            typed = st.text_input(ui.t("Amount (₺, may be negative)"), key="recon_drift_amount")
            if st.form_submit_button(ui.t("Drift the balance"), key="recon_drift_submit"):
                try:
                    data_access.drift_sandbox_balance(target, data_access.amount_bound(typed) or 0, actor=actor)
                except (data_access.AmountError, data_access.DriftError) as exc:
                    st.error(ui.t_md("The balance was not drifted: {reason}", reason=str(exc)))
                else:
                    st.rerun()
