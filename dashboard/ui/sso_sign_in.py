"""Single sign-on on the sign-in page, and what every run checks of a signed-in session.

The flow (Streamlit's st.login does the OpenID Connect part and keeps the identity in its cookie):
"Sign in with <provider>" -> /auth/sso (remembers the page asked for) -> Streamlit's /auth/login ->
the provider -> /oauth2callback -> "/" -> here: the identity in `st.user` gets a role (or a clear
refusal) -> /auth/complete sets the console's cookie -> the page first asked for.
"""

from __future__ import annotations

from collections.abc import Mapping
from urllib.parse import urlencode

import streamlit as st

from dashboard import ui
from dashboard.auth import METHOD_SSO, SSO_EXPIRED, Authenticator, Identity, Session, SignInError
from dashboard.auth.routes import SSO_NEXT_COOKIE, unpack_next
from dashboard.auth.sso import DEFAULT_PROVIDER
from dashboard.ui.browser import hand_over, requested_path, send_browser_to

_REFUSED_KEY = "_sso_refused"  # (subject, message) of the identity refused in this browser session


def identity_claims() -> Mapping[str, object]:
    """The claims of the provider's ID token Streamlit keeps (`st.user`); one function, so tests can
    stand in for a provider."""
    return st.user.to_dict()


def identity(auth: Authenticator) -> Identity | None:
    """Who is signed in at the provider (in this browser session), or None."""
    return auth.sso.identity(identity_claims()) if auth.sso is not None else None


def checked(auth: Authenticator, session: Session | None) -> Session | None:
    """Every run: a single sign-on session ends with its identity (signed out there, token expired, no
    role any more); a session whose role changed gets a new id before the page shows anything."""
    if session is not None and session.method == METHOD_SSO:
        session = auth.check_identity(session, identity(auth))
    if session is not None and session.role_changed:
        hand_over(auth, session, requested_path())
    return session


def _label(auth: Authenticator) -> str:
    return ui.t("single sign-on") if auth.sso.provider == DEFAULT_PROVIDER else auth.sso.provider


def _login_path(provider: str) -> str:
    from streamlit.user_info import generate_login_redirect_url  # what st.login sends the browser to

    return generate_login_redirect_url(provider)


def _start(auth: Authenticator) -> None:
    query = urlencode({"login": _login_path(auth.sso.provider), "next": requested_path()})
    send_browser_to(f"/auth/sso?{query}")
    st.stop()


def _complete(auth: Authenticator, who: Identity, next_path: str) -> None:
    """Back from the provider: a session for `who` (then off to `next_path`), or the refusal, shown."""
    refused = st.session_state.get(_REFUSED_KEY)
    if refused is None or refused[0] != who.subject:  # audited once per browser session, not per rerun
        try:
            session = auth.sign_in_sso(who, source=st.context.ip_address)
        except SignInError as exc:
            refused = st.session_state[_REFUSED_KEY] = (who.subject, exc.message)
        else:
            hand_over(auth, session, next_path)
    st.error(ui.t(refused[1]), icon=":material/lock:")
    st.caption(ui.t_md("Signed in at the provider as **{name}**.", name=who.name))
    if st.button(ui.t("Sign out of {provider}", provider=_label(auth)), key="sso_sign_out"):
        st.logout()


def sso_sign_in(auth: Authenticator, cookies: Mapping[str, str]) -> None:
    """The sign-in page's single sign-on part: the button, and the sign-in on the way back."""
    who = identity(auth)
    pending = unpack_next(cookies.get(SSO_NEXT_COOKIE))  # set by /auth/sso: this browser just asked
    if who is not None and pending is not None:
        _complete(auth, who, pending)
    elif who is not None and who.expired(auth.now()):
        st.info(ui.t(SSO_EXPIRED), icon=":material/timer_off:")
    label = ui.t("Sign in with {provider}", provider=_label(auth))
    if st.button(label, icon=":material/key:", type="primary", key="sso_sign_in", width="stretch"):
        _start(auth)
