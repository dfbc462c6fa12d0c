"""Settings (admins): the effective configuration, secrets only as set / not set, and the accounts."""

import streamlit as st

from dashboard import data_access, ui
from dashboard.ui import access, notify_view

access.require_page(__file__)  # before anything else: a hand-typed URL shows no data

st.title(ui.t("Settings"))
st.caption(
    ui.t(
        "Read-only: settings come from environment variables, .env or .streamlit/secrets.toml and take effect on restart."
    )
)
rows = [
    {
        **row,
        "meaning": ui.t(row["meaning"]),
        "value": ui.t(row["value"]) if row["value"] in ("set", "not set", "any") else row["value"],
    }
    for row in data_access.settings_rows()
]
st.dataframe(
    rows,
    hide_index=True,
    placeholder=ui.MISSING,
    key="settings_table",
    column_config={"setting": ui.t("Setting"), "value": ui.t("Value"), "meaning": ui.t("Meaning")},
)
notify_view.show_notification_status(data_access.notification_status())

st.subheader(ui.t("Accounts"))
accounts = data_access.accounts()
if not accounts:
    st.info(ui.t("Sign-in is off: there are no accounts."))
else:
    st.caption(ui.t("Add or change accounts with `python -m dashboard.auth add-user NAME --role ROLE`, then restart."))
    for name, role in accounts:
        left, mid, right = st.columns([2, 1, 2])
        left.markdown(f"**{ui.literal(name)}**")
        mid.markdown(ui.t(role))
        if right.button(ui.t("Sign out everywhere"), key=f"settings_signout_{name}"):
            ended = data_access.sign_out_everywhere(name, actor=ui.actor())
            st.toast(ui.t_md("{n} session(s) of {user} ended.", n=ended, user=name))
