"""Audit log: every money action, settle, resolution, sign-in and export -- filter, read, export.

The log is append-only (dashboard.audit); IBANs are stored masked, so the full number cannot
appear here or in the export. Downloading the CSV is itself recorded."""

from datetime import timedelta

import streamlit as st

from dashboard import data_access, ui
from dashboard.ui import access, audit_view

access.require_page(__file__)  # before anything else: a hand-typed URL shows no data

P = "audit"  # session-state prefix of this page

st.title(ui.t("Audit log"))
st.caption(
    ui.t("Who did what, when, for how much, and how it ended. Append-only: entries are never changed or removed.")
)
tz = data_access.settings().timezone
today = ui.today()

# --- filters -------------------------------------------------------------------------------------
top = st.columns([2, 2, 2])
picked = top[0].date_input(
    ui.t("From – to"), value=(today - timedelta(days=6), today), max_value=today, key=f"{P}_range"
)
start, end = ui.date_range(picked, today)
since, until = ui.day_bounds(start, end)

entries = data_access.audit_entries(since, until)
if len(entries) >= data_access.AUDIT_LIMIT:
    st.warning(
        ui.t(
            "Showing the newest {n} entries of this period; narrow the dates to see older ones.",
            n=data_access.AUDIT_LIMIT,
        ),
        icon=":material/filter_alt:",
    )
frame = audit_view.audit_frame(entries, tz, ui.lang())
actors = sorted({e.actor for e in entries} | set(st.session_state.get(f"{P}_actors", [])))
chosen_actors = top[1].multiselect(ui.t("Actor"), actors, placeholder=ui.t("Anyone"), key=f"{P}_actors")
chosen_actions = top[2].multiselect(
    ui.t("Action"), audit_view.AUDIT_ACTIONS, format_func=ui.t, placeholder=ui.t("Any action"), key=f"{P}_actions"
)
table = audit_view.filter_audit(frame, actors=chosen_actors, actions=chosen_actions)

# --- table and export ----------------------------------------------------------------------------
st.dataframe(
    table,
    hide_index=True,
    placeholder=ui.MISSING,
    key=f"{P}_table",
    height=460,
    column_config={
        ui.t("Amount (₺)"): ui.money_column(ui.t("Amount (₺)")),
        ui.t("Time"): ui.datetime_column(ui.t("Time")),
    },
)
st.caption(ui.t("{shown} of {total} entries in this period.", shown=len(table), total=len(frame)))

# The download callable runs on another thread, after this script: capture plain values now.
actor = ui.actor()
described = f"{start}..{end}; actors={list(chosen_actors) or 'any'}; actions={list(chosen_actions) or 'any'}"
st.download_button(
    ui.t("Download CSV"),
    data=lambda: data_access.export_rows(table, "csv", actor=actor, description=described, dataset="audit_log"),
    file_name=f"audit_log_{start}_{end}.csv",
    mime="text/csv",
    icon=":material/download:",
    key=f"{P}_csv",
    help=ui.t("Exactly the rows shown. The download is itself recorded in the audit log."),
)
