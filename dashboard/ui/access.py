"""Who is signed in, and what they may see: the gate in console.py and the check in every page.

The signed session lives in a cookie set by `/auth/complete` (dashboard.auth.routes); the script
reads it on every run. Every page calls `require_page(__file__)` itself (its capability comes from
dashboard.ui.pages), so a URL typed by hand shows "not allowed" and no data even if navigation
were bypassed.
"""

from __future__ import annotations

from collections.abc import Mapping

import streamlit as st

from dashboard import data_access, ui
from dashboard.auth import (
    DEMO_NOTICE,
    SINGLE_USER_NAME,
    Authenticator,
    Role,
    SecondFactorRequired,
    Session,
    SignInError,
    demo_accounts,
)
from dashboard.auth.roles import can_any
from dashboard.ui import sso_sign_in, two_factor
from dashboard.ui.browser import hand_over, requested_path, send_browser_to
from dashboard.ui.pages import PAGES, entry_for

ROLE_KEY = "auth_role"


def request_cookies() -> Mapping[str, str]:
    """The browser's cookies for this run (one function, so tests can stand in for a browser)."""
    return st.context.cookies


def current_session() -> Session | None:
    """The signed-in session, or None when signed out (or when sign-in is disabled)."""
    auth = data_access.authenticator()
    if auth is None:
        return None
    session = sso_sign_in.checked(auth, auth.session_from_cookies(request_cookies()))
    if session is not None:
        st.session_state[ui.USER_KEY], st.session_state[ROLE_KEY] = session.user, session.role
    return session


def current_role() -> Role | None:
    """Role of the person at the keyboard; ADMIN in single-user mode, None when signed out."""
    if data_access.authenticator() is None:
        st.session_state[ui.USER_KEY] = SINGLE_USER_NAME
        return Role.ADMIN
    session = current_session()
    return session.role if session else None


def allowed(capability: str | tuple[str, ...]) -> bool:
    """Whether the person at the keyboard may use `capability` (or one of several)."""
    if data_access.authenticator() is None:
        return can_any(current_role(), capability)  # single-user mode: the admin
    session = current_session()  # looked up once: each lookup reads (and touches) the session in the store
    if session is None or not can_any(session.role, capability):
        return False
    return not two_factor.owed(session)  # a second factor to set up comes before any page


def require(capability: str | tuple[str, ...]) -> None:
    """Stop with "not allowed" (and nothing else) unless the role may use `capability` (one of them)."""
    if not allowed(capability):
        st.error(ui.t("Not allowed: your role cannot open this page."), icon=":material/lock:")
        st.stop()


def require_page(script_file: str) -> None:
    """First line of every page, given its `__file__`: the capability its registry entry names."""
    require(entry_for(script_file).capability)


def sign_in_form() -> None:
    """The only page a signed-out visitor gets, whatever URL they opened."""
    auth = data_access.authenticator()
    if two_factor.code_step(open_console):  # the password was right; its second factor is asked now
        return
    st.title(ui.t("Sign in"))
    if auth.sso is not None:
        sso_sign_in.sso_sign_in(auth, request_cookies())
    if auth.local:
        _password_form(auth)


def _password_form(auth) -> None:
    """User name and password (local accounts), and the sandbox's demo accounts."""
    with st.form("signin_form"):
        name = st.text_input(ui.t("User name"), key="signin_name")
        password = st.text_input(ui.t("Password"), type="password", key="signin_password")
        submitted = st.form_submit_button(ui.t("Sign in"), type="primary")
    if submitted:
        try:
            session = auth.sign_in(name, password, source=st.context.ip_address)
        except SecondFactorRequired as exc:
            two_factor.remember_pending(exc.pending)
            st.rerun()
        except SignInError as exc:
            st.error(ui.t(exc.message), icon=":material/lock:")
        else:
            open_console(auth, session)
    if auth.demo:
        st.divider()
        st.caption(ui.t(DEMO_NOTICE))
        st.table(
            {
                ui.t("User"): [a.name for a in demo_accounts()],
                ui.t("Role"): [ui.t(a.role.value) for a in demo_accounts()],
                ui.t("Password"): [a.password for a in demo_accounts()],
            }
        )


def open_console(auth: Authenticator, session: Session) -> None:
    """After a sign-in: back to the page that was asked for; the route sets the cookie and redirects there."""
    hand_over(auth, session, requested_path())


SIGN_IN_PATH = "sign-in"
# Streamlit serves the default page at "/" and answers "Page not found" at its url_path. So the Overview
# (the default) is registered under an internal name, and its own address /overview -- typed, bookmarked,
# or the link a signed-out person opened -- is a hidden page that switches to it (the address becomes /).
HOME_PATH = "overview"
HOME_INTERNAL_PATH = "overview-home"  # never in an address: the default page's address is "/"


def home_url_path(url_path: str) -> str:
    """The url_path to register a page of the registry under (the Overview's internal one)."""
    return HOME_INTERNAL_PATH if url_path == HOME_PATH else url_path


def sign_in_pages() -> list:
    """The sign-in form at / and /sign-in and, hidden, at every page's own path (the link that was opened).

    Streamlit serves the default page at / whatever its url_path, so /sign-in needs a page of its own.
    """
    title = ui.t("Sign in")
    return [
        st.Page(sign_in_form, title=title, default=True),
        st.Page(sign_in_form, title=title, url_path=SIGN_IN_PATH, visibility="hidden"),
    ] + [st.Page(sign_in_form, title=title, url_path=page.url_path, visibility="hidden") for page in PAGES]


def _already_signed_in() -> None:
    st.switch_page("pages/overview.py")


def signed_in_extra_pages() -> list:
    """Hidden pages of the signed-in console: /sign-in (a bookmark, a back button) and /overview open
    Overview at /."""
    return [
        st.Page(_already_signed_in, title=ui.t("Sign in"), url_path=SIGN_IN_PATH, visibility="hidden"),
        st.Page(_already_signed_in, title=ui.t("Overview"), url_path=HOME_PATH, visibility="hidden"),
    ]


def sign_out_button(session: Session, *, key: str = "sidebar_sign_out") -> None:
    if st.button(ui.t("Sign out"), icon=":material/logout:", key=key, width="stretch"):
        send_browser_to(data_access.authenticator().sign_out_url(session))
        st.stop()
