"""Two-factor sign-in on screen: the sign-in page's code step, the enrolment (QR code, the key for
manual entry, a first code, recovery codes shown once), the gate that puts enrolment before
everything else for a user who owes a second factor, and the Two-factor page.

What is held between reruns lives in this browser session's server-side state only: the right
password waiting for its code (`PENDING_KEY`, a PendingSignIn -- no session exists yet), the
enrolment being set up (`ENROLMENT_KEY`: its secret is shown only while it is there, never read back
from the store), and new recovery codes until the person says they saved them (`CODES_KEY`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

import streamlit as st

from dashboard import data_access, ui
from dashboard.auth import SIGN_IN_EXPIRED, Authenticator, CodeError, PendingSignIn, Session, SignInError
from dashboard.auth.totp_factor import NOT_WAITING

PENDING_KEY = "two_factor_pending"
ENROLMENT_KEY = "two_factor_enrolment"
CODES_KEY = "two_factor_codes"
TITLE = "Two-factor sign-in"


def _source() -> str | None:
    return st.context.ip_address


# --- sign-in: the code after the password --------------------------------------------------------


def remember_pending(pending: PendingSignIn) -> None:
    """After a right password of a user with a second factor: the sign-in page asks for the code next."""
    st.session_state[PENDING_KEY] = pending


def code_step(on_signed_in: Callable[[Authenticator, Session], None]) -> bool:
    """The sign-in page's second step when a password was right and its code is owed; True if shown.
    `on_signed_in(auth, session)` opens the console (on the page that was asked for)."""
    pending = st.session_state.get(PENDING_KEY)
    if pending is None:
        return False
    auth = data_access.authenticator()
    st.title(ui.t("Sign in"))
    st.caption(ui.t("Enter the 6-digit code from your authenticator app, or one of your recovery codes."))
    with st.form("two_factor_form", clear_on_submit=True):
        code = st.text_input(ui.t("Code"), key="two_factor_code", max_chars=32, autocomplete="one-time-code")
        submitted = st.form_submit_button(ui.t("Verify"), type="primary")
    if submitted:
        try:
            session = auth.complete_second_factor(pending, code)
        except SignInError as exc:
            if exc.message == SIGN_IN_EXPIRED:
                st.session_state.pop(PENDING_KEY, None)
            st.error(ui.t(exc.message), icon=":material/lock:")
        else:
            st.session_state.pop(PENDING_KEY, None)
            on_signed_in(auth, session)
    if st.button(ui.t("Back to user name and password"), key="two_factor_back"):
        st.session_state.pop(PENDING_KEY, None)
        st.rerun()
    return True


# --- enrolment -----------------------------------------------------------------------------------


def enrolment(user: str, *, start_now: bool) -> None:
    """Set up a second factor for `user`: started at once, or by a button (`start_now=False`)."""
    if CODES_KEY in st.session_state:
        _show_new_codes()
        return
    two = data_access.authenticator().two_factor
    started = st.session_state.get(ENROLMENT_KEY)
    if started is None or started.user != user:
        if not start_now and not st.button(ui.t("Set up two-factor sign-in"), type="primary", key="two_factor_start"):
            return
        try:
            started = two.begin_enrolment(user)
        except CodeError as exc:
            st.error(ui.t(exc.message), icon=":material/lock:")
            return
        st.session_state[ENROLMENT_KEY] = started
    _scan_and_confirm(two, started)


def _scan_and_confirm(two, started) -> None:
    st.markdown(
        ui.t(
            "1. Open an authenticator app on your phone (for example Google Authenticator, Microsoft "
            "Authenticator or 1Password).\n2. Scan this QR code with it, or type in the key below.\n"
            "3. Enter the 6-digit code the app shows."
        )
    )
    st.image(started.qr_png(), width=240, output_format="PNG")  # lossless: a JPEG blurs the modules
    st.caption(ui.t("Key for manual entry (shown only during this set-up)"))
    st.code(started.grouped_secret, language=None)
    with st.form("two_factor_confirm_form", clear_on_submit=True):
        code = st.text_input(
            ui.t("6-digit code from the app"), key="two_factor_confirm_code", max_chars=32, autocomplete="off"
        )
        confirmed = st.form_submit_button(ui.t("Confirm"), type="primary")
    if not confirmed:
        return
    try:
        codes = two.confirm_enrolment(started.user, code, source=_source())
    except CodeError as exc:
        if exc.message == NOT_WAITING:
            st.session_state.pop(ENROLMENT_KEY, None)
        st.error(ui.t(exc.message), icon=":material/lock:")
        return
    st.session_state.pop(ENROLMENT_KEY, None)
    st.session_state[CODES_KEY] = codes
    st.rerun()


def _show_new_codes() -> None:
    st.success(ui.t("Two-factor sign-in is on for your account."), icon=":material/verified_user:")
    st.warning(
        ui.t(
            "Save these recovery codes now, somewhere other than your phone. Each one signs you in once "
            "if you lose your phone. They are not shown again."
        ),
        icon=":material/key:",
    )
    st.code("\n".join(st.session_state[CODES_KEY]), language=None)
    if st.button(ui.t("I have saved them: continue"), type="primary", key="two_factor_codes_saved"):
        st.session_state.pop(CODES_KEY, None)
        st.rerun()


# --- the gate: enrolment before anything else ----------------------------------------------------


def owed(session: Session | None) -> bool:
    """Whether the signed-in user must set up a second factor before anything else."""
    auth = data_access.authenticator()
    return auth is not None and session is not None and auth.second_factor_owed(session)


def gate(session: Session | None, *, sign_out: Callable[[Session], None], paths: Iterable[str]) -> bool:
    """In place of the console, while `session` owes a second factor or its new recovery codes are
    on screen: the enrolment, at / and (hidden) at every path in `paths`, so the link that was
    opened keeps its address and opens once the set-up is done. True when it ran (stop after it)."""
    if session is None or not (CODES_KEY in st.session_state or owed(session)):
        return False
    with st.sidebar:
        sign_out(session)
    title = ui.t(TITLE)
    pages = [st.Page(_required_page, title=title, default=True)]
    pages += [st.Page(_required_page, title=title, url_path=path, visibility="hidden") for path in paths]
    st.navigation(pages, position="hidden").run()
    return True


def _required_page() -> None:
    st.title(ui.t(TITLE))
    if CODES_KEY not in st.session_state:
        st.info(
            ui.t("Your role must use two-factor sign-in: set it up before you continue."),
            icon=":material/phonelink_lock:",
        )
    enrolment(ui.actor(), start_now=True)


# --- the Two-factor page -------------------------------------------------------------------------


def account_page(session: Session | None) -> None:
    """The signed-in user's second factor: its state, new recovery codes, or setting one up."""
    st.title(ui.t(TITLE))
    auth = data_access.authenticator()
    if auth is None or auth.two_factor is None or session is None:
        st.info(ui.t("Sign-in is off: there is no second factor to set up."), icon=":material/lock_open:")
        return
    if CODES_KEY in st.session_state:
        _show_new_codes()
        return
    status = auth.two_factor.status(session.user, session.role)
    if not status.enrolled:
        st.info(ui.t("Two-factor sign-in is off for your account."), icon=":material/phonelink_lock:")
        enrolment(session.user, start_now=False)
        return
    st.success(ui.t("Two-factor sign-in is on for your account."), icon=":material/verified_user:")
    st.caption(ui.t("Recovery codes left: {count}", count=status.recovery_left))
    with st.form("two_factor_regenerate_form", clear_on_submit=True):
        code = st.text_input(ui.t("Current code from the app"), key="two_factor_regenerate_code", max_chars=32)
        renew = st.form_submit_button(ui.t("New recovery codes"))
    if renew:
        try:
            codes = auth.two_factor.regenerate_recovery_codes(session.user, code, source=_source())
        except CodeError as exc:
            st.error(ui.t(exc.message), icon=":material/lock:")
        else:
            st.session_state[CODES_KEY] = codes
            st.rerun()
    st.caption(
        ui.t(
            "A new phone: ask an administrator to reset your second factor, then set it up again at your next sign-in."
        )
    )
