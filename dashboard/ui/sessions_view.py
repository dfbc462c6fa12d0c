"""The Sessions page: a person's own sign-in sessions (ended one by one), and for an administrator
everybody's. A session is shown by its handle, never by its id (that keys the cookie's token)."""

from __future__ import annotations

import streamlit as st

from dashboard import data_access, ui
from dashboard.auth import Session
from dashboard.auth.roles import END_SESSIONS
from dashboard.ui import access

_METHODS = {"password": "User name and password", "sso": "Single sign-on"}


def _describe(session: Session, *, current: bool) -> None:
    text = ui.t(
        "Signed in {created} ({method}{source}), last seen {seen}",
        created=ui.fmt_time(session.created_at),
        method=ui.t(_METHODS.get(session.method, session.method)),
        source=f", {session.source}" if session.source else "",
        seen=ui.fmt_time(session.last_seen_at),
    )
    st.markdown(ui.literal(text))
    if current:
        st.badge(ui.t("This browser"), icon=":material/check:", color="green")


def _session_row(session: Session, *, current: Session | None, owner: str | None) -> None:
    """One session with its End button; `owner` None: an administrator ending anybody's."""
    is_current = current is not None and session.handle == current.handle
    with st.container(border=True):
        left, right = st.columns([4, 1])
        with left:
            _describe(session, current=is_current)
        with right:
            if is_current:
                access.sign_out_button(current, key="sessions_sign_out")
            elif st.button(ui.t("End session"), key=f"end_session_{session.handle}", width="stretch"):
                if data_access.end_session(session.handle, user=owner, actor=ui.actor()):
                    st.toast(ui.t("Session ended: that browser is signed out."))
                st.rerun()


def own_sessions(current: Session) -> None:
    st.subheader(ui.t("Your sessions"))
    st.caption(ui.t("Every browser where you are signed in. End a session you do not recognise."))
    for session in data_access.active_sessions(current.user):
        _session_row(session, current=current, owner=current.user)


def everybody_sessions(current: Session) -> None:
    """Administrators: another user's sessions, to end them."""
    if not access.allowed(END_SESSIONS):
        return
    st.subheader(ui.t("Everybody's sessions"))
    others = [s for s in data_access.active_sessions(None) if s.user != current.user]
    users = sorted({s.user for s in others})
    if not users:
        st.caption(ui.t("Nobody else is signed in."))
        return
    picked = st.selectbox(ui.t("User"), users, key="sessions_user")
    for session in [s for s in others if s.user == picked]:
        _session_row(session, current=current, owner=None)


def sessions_page() -> None:
    st.title(ui.t("Sessions"))
    current = access.current_session()
    if current is None:  # single-user mode: nobody signs in
        st.info(ui.t("Sign-in is off: there are no sessions."))
        return
    own_sessions(current)
    everybody_sessions(current)
