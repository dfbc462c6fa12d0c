"""Navigation script: sign-in gate, the pages this role may use, sidebar, then the chosen page.

`app.py` wraps this file in an `st.App` (extra HTTP routes); AppTest runs this file directly.
"""

import streamlit as st

from dashboard import data_access, ui
from dashboard.auth import SINGLE_USER_NOTICE, AuthConfigError
from dashboard.auth.roles import APPROVE, VIEW
from dashboard.config import ConfigError
from dashboard.i18n import LANGUAGES
from dashboard.ui import access, client_options, outage, two_factor
from dashboard.ui.pages import PAGES, visible_url_paths

_LANG_USER_KEY = "_lang_user"  # whose saved language this session has loaded
SEARCH_BOX = "q"  # the Search page's box: its widget key and its URL parameter (pages/search.py)

st.set_page_config(page_title="EnigmaPay console", page_icon=":material/account_balance:", layout="wide")
client_options.enforce()  # app.py does this before serving; this covers `streamlit run console.py`
ui.start_run()


def _refresh() -> None:
    # A button's callback runs before the script, so before the sign-in gate: a tab whose session
    # ended (signed out elsewhere, expired) must not make the console ask the API.
    if access.allowed(VIEW):
        data_access.refresh_all()


def _remember_language() -> None:
    data_access.set_user_language(ui.actor(), st.session_state[ui.LANG_KEY])


def _load_language() -> None:
    """The language this user chose last time, else the session's (the configured default), loaded
    once per session and user; the sidebar's selector remembers a new choice for next time."""
    if st.session_state.get(_LANG_USER_KEY) == ui.actor():
        return
    saved = data_access.user_language(ui.actor())  # may fail: then it is tried again on the next run
    st.session_state[_LANG_USER_KEY] = ui.actor()
    if saved or ui.LANG_KEY not in st.session_state:
        st.session_state[ui.LANG_KEY] = saved or data_access.settings().language


def _navigation(role):
    # Pages a role may not use stay registered but hidden: opened by a hand-typed URL, the page's own
    # check answers "not allowed" (rather than silently showing another page).
    visible = set(visible_url_paths(role))
    sections: dict[str, list] = {}
    for entry in PAGES:
        sections.setdefault(ui.t(entry.section), []).append(
            st.Page(
                entry.script,
                title=ui.t(entry.title),
                icon=entry.icon,
                url_path=access.home_url_path(entry.url_path),
                default=entry.url_path == access.HOME_PATH,
                visibility="visible" if entry.url_path in visible else "hidden",
            )
        )
    sections[ui.t("Monitor")] += access.signed_in_extra_pages()
    # Every page a role may use is listed: Streamlit folds a menu longer than 10 behind "View more",
    # which would hide an admin's Audit log, Settings and Account pages.
    return st.navigation(sections, expanded=True)


def _alerts_indicator() -> None:
    """How many alerts fire now, a link to the Alerts page (every role may open it)."""
    firing = data_access.alerts.firing_count()
    st.page_link(
        "pages/alerts.py",
        label=ui.t("Alerts firing: {n}", n=firing) if firing else ui.t("No alerts firing"),
        icon=":material/notifications_active:" if firing else ":material/notifications:",
        width="stretch",
    )


def _sidebar(backend, role, *, on_search_page: bool = False):
    """The sidebar's content; returns the placeholder of the data age (filled after the page ran)."""
    if backend.is_sandbox:
        st.badge(
            ui.t("SANDBOX"), icon=":material/science:", color="orange", help=ui.t("Demo data: no real money moves.")
        )
    else:
        st.badge(ui.t("LIVE"), icon=":material/bolt:", color="green")
        st.caption(ui.literal(backend.base_url))
    _alerts_indicator()  # near the top: what a manager looks for first
    data_age = st.empty()
    # A callback runs before the next script run, so that run already loads fresh data.
    st.button(
        ui.t("Refresh"),
        icon=":material/refresh:",
        key="sidebar_refresh",
        width="stretch",
        on_click=outage.guard_callback(_refresh),
    )
    st.selectbox(
        ui.t("Language"),
        list(LANGUAGES),
        format_func=LANGUAGES.get,
        key=ui.LANG_KEY,
        on_change=outage.guard_callback(_remember_language),
    )
    _search_box(on_search_page)
    st.divider()
    session = access.current_session()
    if session is not None:
        st.caption(ui.t_md("Signed in as **{user}** ({role})", user=session.user, role=ui.t(role.value)))
        access.sign_out_button(session)
    if access.allowed(APPROVE) and (waiting := data_access.approvals_waiting_count(ui.actor())):
        st.badge(
            ui.t("{n} waiting for your approval", n=waiting),
            icon=":material/approval:",
            color="violet",
            width="stretch",
        )
    return data_age


def _search_box(on_search_page: bool) -> None:
    """All-time search from any page: submitting opens the Search page with the query in its URL."""
    data_access.warm_search()  # the index of the whole mirror loads in the background meanwhile
    with st.form("sidebar_search", border=False, clear_on_submit=True):
        text = st.text_input(
            ui.t("Search all time"), key="sidebar_search_text", placeholder=ui.t("id, username, customer, IBAN")
        )
        if st.form_submit_button(ui.t("Search"), icon=":material/search:") and text.strip():
            if on_search_page:
                # The page's own box is bound to ?q=, and Streamlit refuses to set or clear a bound
                # parameter (StreamlitAPIException): the box takes the new query, and the URL with it.
                st.session_state[SEARCH_BOX] = text.strip()
                st.rerun()
            st.switch_page("pages/search.py", query_params={SEARCH_BOX: text.strip()})


def _console(open_sidebar) -> None:
    """One script run: the gate, the navigation, the sidebar (in the container `open_sidebar()`), the page."""
    try:
        backend = data_access.backend()
        auth = data_access.authenticator()
    except (ConfigError, AuthConfigError) as exc:
        st.error(
            f"**{ui.t('The console cannot start with this configuration.')}**\n\n{ui.literal(exc)}",
            icon=":material/settings:",
        )
        st.stop()

    role = access.current_role()
    if role is None:
        # Nobody to ask yet: the sign-in page speaks the configured default.
        st.session_state.setdefault(ui.LANG_KEY, data_access.settings().language)
        # Signed out: whatever URL was opened, the sign-in form is the only page there is. It answers on
        # every page's path too, so a shared link keeps its address (and query) through the sign-in.
        st.navigation(access.sign_in_pages(), position="hidden").run()
        st.stop()

    _load_language()
    # A user whose role requires a second factor and who has none yet sets it up before anything else.
    paths = [p.url_path for p in PAGES] + [access.SIGN_IN_PATH]
    if two_factor.gate(access.current_session(), sign_out=access.sign_out_button, paths=paths):
        st.stop()
    page = _navigation(role)
    with open_sidebar():
        data_age = _sidebar(backend, role, on_search_page=page.url_path == "search")
    if auth is None:
        st.warning(ui.t(SINGLE_USER_NOTICE), icon=":material/lock_open:")

    page.run()

    fetched = ui.fetched_at()
    if fetched is not None:
        data_age.caption(ui.t("Data fetched {at} ({age})", at=ui.fmt_time(fetched), age=ui.age_text(fetched)))


# An unreachable database anywhere in the run (building the authenticator, the session cookie, the
# page's reads and actions): the run's output is replaced by one clear notice (dashboard/ui/outage.py).
outage.run_guarded(_console)
