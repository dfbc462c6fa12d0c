"""A database that cannot be reached (`StoreUnavailable`): one clear message instead of a traceback.

console.py runs the whole script run -- sign-in gate, sidebar, the chosen page -- through
`run_guarded`: when the store cannot be reached anywhere in it (the authenticator being built, the
session cookie checked, the sign-in throttle, a journal or audit read, an action), whatever that run
had already drawn is taken away and the notice is shown instead. So no data that depends on the store
stays on screen and no button of that run remains to press. Widget callbacks run before the script
(Streamlit shows their exceptions as tracebacks), so a page's store-touching `on_click` /
`on_change` callback is wrapped in `guard_callback`: the failure is remembered and the next script
run says that action was not carried out. A fragment that reruns on its own (`run_every`) runs
without console.py around it, so pages declare it with `outage.fragment`: an unreachable store in
such a rerun starts a full run, which shows the notice.

Nothing keeps the console broken: nothing here is cached, and the next run (Refresh, any click)
tries the store again.
"""

from __future__ import annotations

import functools
import threading
from collections.abc import Callable
from datetime import timedelta
from typing import ParamSpec

import streamlit as st
from streamlit.delta_generator import DeltaGenerator

from dashboard import ui
from dashboard.store import StoreUnavailable

P = ParamSpec("P")

_FAILED_ACTION_KEY = "_outage_failed_action"  # a guarded callback met an unreachable store
_full_run = threading.local()  # .active: this script thread is inside run_guarded (not a fragment rerun)

UNAVAILABLE = "The console's database cannot be reached right now."
NOTHING_CHANGED = (
    "Nothing was changed. The console reconnects by itself when the database is back: try again in a minute."
)
ACTION_NOT_DONE = "Your last action was not carried out: the console's database could not be reached. Nothing changed."


def show_unavailable() -> None:
    """The outage notice (English or Turkish): what is wrong, that nothing changed, what to do."""
    st.error(f"**{ui.t(UNAVAILABLE)}**\n\n{ui.t(NOTHING_CHANGED)}", icon=":material/cloud_off:")
    st.button(ui.t("Try again"), icon=":material/refresh:", key="outage_try_again")  # a click is a new run


def run_guarded(body: Callable[[Callable[[], DeltaGenerator]], None]) -> None:
    """Run `body(open_sidebar)` -- one script run of the console -- so that an unreachable store ends
    it with the notice and nothing else: the main area, and the sidebar container `open_sidebar()`
    handed out (made only when asked for: the sign-in page has no sidebar), are emptied.
    Streamlit's own control flow (st.stop, st.rerun, switch_page) passes through."""
    if st.session_state.pop(_FAILED_ACTION_KEY, False):
        st.warning(ui.t(ACTION_NOT_DONE), icon=":material/cloud_off:")
    main = st.empty()
    drawn: list[DeltaGenerator] = []

    def open_sidebar() -> DeltaGenerator:
        drawn.append(st.sidebar.empty())
        return drawn[-1].container()

    _full_run.active = True
    try:
        with main.container():
            body(open_sidebar)
    except StoreUnavailable:
        for placeholder in [main, *drawn]:
            placeholder.empty()
        show_unavailable()
        st.stop()
    finally:
        _full_run.active = False


def guard_callback(callback: Callable[P, None]) -> Callable[P, None]:
    """`callback` for a widget's on_click / on_change: an unreachable store is remembered (the next
    run shows `ACTION_NOT_DONE`, and the notice if the store is still down), never a traceback."""

    @functools.wraps(callback)
    def guarded(*args: P.args, **kwargs: P.kwargs) -> None:
        try:
            callback(*args, **kwargs)
        except StoreUnavailable:
            st.session_state[_FAILED_ACTION_KEY] = True

    return guarded


def fragment(*, run_every: timedelta | None = None) -> Callable[[Callable[P, None]], Callable[P, None]]:
    """`st.fragment(run_every=...)` for a page: when the fragment reruns on its own and the store
    cannot be reached, the whole app reruns (console.py then shows the notice instead of the page).
    Inside a full run the error goes on to `run_guarded` as any other."""

    def decorate(body: Callable[P, None]) -> Callable[P, None]:
        @st.fragment(run_every=run_every)
        @functools.wraps(body)
        def guarded(*args: P.args, **kwargs: P.kwargs) -> None:
            try:
                body(*args, **kwargs)
            except StoreUnavailable:
                if getattr(_full_run, "active", False):
                    raise
                st.rerun(scope="app")

        return guarded

    return decorate
