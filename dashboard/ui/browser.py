"""Send the browser to one of our routes (dashboard.auth.routes): the Streamlit internals sign-in needs.

A script cannot answer with a redirect; Streamlit's own `st.login`/`st.logout` navigate the page by
enqueueing an `auth_redirect` message (the frontend sets `window.location.href`). We use the same
message for `/auth/complete?ticket=...` and `/auth/sign-out?token=...` (streamlit is pinned).
"""

from __future__ import annotations

from urllib.parse import urlencode, urlparse

from dashboard.auth.routes import safe_next


def requested_path() -> str:
    """The page this run is for, with its query ("/transactions?iban=3"): where a sign-in returns to."""
    import streamlit as st

    path = urlparse(st.context.url or "/").path or "/"
    query = urlencode(st.query_params.to_dict())
    return safe_next(path + (f"?{query}" if query else ""))


def hand_over(auth, session, next_path: str) -> None:
    """After any sign-in (or a role change): send the browser through /auth/complete, where it gets
    `session` under a new id, then on to `next_path`. Stops the run."""
    import streamlit as st

    from dashboard import ui

    send_browser_to(auth.sign_in_url(auth.issue_ticket(session), next_path=next_path))
    st.info(ui.t("Signed in: opening the console…"))
    st.stop()


def send_browser_to(path: str) -> None:
    """Navigate the whole page to `path` (a same-site path: anything else goes to "/")."""
    from streamlit import config
    from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
    from streamlit.runtime.scriptrunner_utils.script_run_context import get_script_run_ctx
    from streamlit.url_util import make_url_path

    ctx = get_script_run_ctx()
    if ctx is None:
        raise RuntimeError("send_browser_to() runs inside a Streamlit script run")
    message = ForwardMsg()
    message.auth_redirect.url = make_url_path(config.get_option("server.baseUrlPath"), safe_next(path, allow_auth=True))
    ctx.enqueue(message)
