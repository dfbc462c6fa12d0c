"""Navigation script: page set, sidebar (backend badge, data age, refresh), then the chosen page.

`app.py` wraps this file in an `st.App` (extra HTTP routes); AppTest runs this file directly.
"""

import streamlit as st

from dashboard import data_access, ui
from dashboard.config import ConfigError
from dashboard.i18n import LANGUAGES

st.set_page_config(page_title="EnigmaPay console", page_icon=":material/account_balance:", layout="wide")
ui.start_run()

try:
    backend = data_access.backend()
except ConfigError as exc:
    st.error(f"**{ui.t('The console cannot start with this configuration.')}**\n\n{exc}", icon=":material/settings:")
    st.stop()

if ui.LANG_KEY not in st.session_state:
    st.session_state[ui.LANG_KEY] = data_access.settings().language

pages = {
    ui.t("Monitor"): [
        st.Page("pages/overview.py", title=ui.t("Overview"), icon=":material/dashboard:", url_path="overview", default=True),
        st.Page("pages/balances.py", title=ui.t("Balances"), icon=":material/account_balance_wallet:", url_path="balances"),
        st.Page("pages/transactions.py", title=ui.t("Transactions"), icon=":material/receipt_long:", url_path="transactions"),
    ],
    ui.t("Act"): [
        st.Page("pages/send_money.py", title=ui.t("Send money"), icon=":material/send_money:", url_path="send-money"),
        st.Page("pages/card_payment.py", title=ui.t("Card payment"), icon=":material/credit_card:", url_path="card-payment"),
        st.Page("pages/lookup.py", title=ui.t("Lookup"), icon=":material/search:", url_path="lookup"),
        st.Page("pages/operations.py", title=ui.t("Operations"), icon=":material/pending_actions:", url_path="operations"),
        st.Page("pages/callbacks.py", title=ui.t("Callbacks"), icon=":material/webhook:", url_path="callbacks"),
    ],
    ui.t("Admin"): [
        st.Page("pages/audit_log.py", title=ui.t("Audit log"), icon=":material/history_edu:", url_path="audit-log"),
    ],
}
page = st.navigation(pages)

with st.sidebar:
    if backend.is_sandbox:
        st.badge(ui.t("SANDBOX"), icon=":material/science:", color="orange", help=ui.t("Demo data: no real money moves."))
    else:
        st.badge(ui.t("LIVE"), icon=":material/bolt:", color="green")
        st.caption(backend.base_url)
    data_age = st.empty()
    # A callback runs before the next script run, so that run already loads fresh data.
    st.button(ui.t("Refresh"), icon=":material/refresh:", key="sidebar_refresh", width="stretch", on_click=data_access.refresh_all)
    st.selectbox(ui.t("Language"), list(LANGUAGES), format_func=LANGUAGES.get, key=ui.LANG_KEY)

page.run()

fetched = ui.fetched_at()
if fetched is not None:
    data_age.caption(ui.t("Data fetched {at} ({age})", at=ui.fmt_time(fetched), age=ui.age_text(fetched)))
