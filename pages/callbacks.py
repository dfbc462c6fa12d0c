"""Callbacks: EnigmaPay's status callbacks as they arrive, each one's verification against
transaction-status, and one transaction's timeline (journal, callbacks, status checks)."""

from datetime import timedelta

import streamlit as st

from dashboard import data_access, ui
from dashboard.ui import access, audit_view, inputs, outage

access.require_page(__file__)  # before anything else: a hand-typed URL shows no data

P = "cb"  # session-state prefix of this page
FEED_LIMIT = 100

st.title(ui.t("Callbacks"))
tz = data_access.settings().timezone

if not data_access.callbacks_configured():
    st.warning(
        ui.t(
            "Callbacks are not configured: the console is connected to the live API and no callback token is set, "
            "so the callback URL answers 404 and status changes arrive only through status checks."
        ),
        icon=":material/webhook:",
    )
    st.markdown(
        ui.t(
            "To receive callbacks:\n"
            "1. Set `ENIGMAPAY_CALLBACK_TOKEN` to a random secret of at least 16 characters "
            "(environment, `.env` or `.streamlit/secrets.toml`), optionally `ENIGMAPAY_CALLBACK_ALLOWED_IPS`.\n"
            "2. Restart the console.\n"
            "3. Register `https://<this server>/callbacks/<token>` as the callback URL with EnigmaPay."
        )
    )
    st.stop()

path = data_access.callback_path_masked()
st.markdown(ui.t("Callback URL to register with EnigmaPay: `https://<this server>{path}`", path=path))
st.caption(
    ui.t(
        "The token is masked here: the full URL holds a secret. It is `/callbacks/` followed by "
        "ENIGMAPAY_CALLBACK_TOKEN from the server's configuration."
    )
    + (
        " " + ui.t("On the sandbox the token is random per start and the sandbox is pointed at it automatically.")
        if data_access.backend().sandbox is not None
        else ""
    )
)


@outage.guard_callback
def _verify_now() -> None:
    st.session_state[f"{P}_verified"] = data_access.verify_callbacks_now()


left, right = st.columns([1, 4])
left.button(
    ui.t("Verify now"),
    key=f"{P}_verify",
    icon=":material/verified:",
    on_click=_verify_now,
    help=ui.t(
        "Ask transaction-status about the oldest events not yet checked, at ENIGMAPAY_VERIFY_RATE "
        "checks per second (the server does this continuously)."
    ),
)
counts = st.session_state.get(f"{P}_verified")
if counts is not None:
    done = {k: v for k, v in counts.items() if k != "errors" and v}
    if counts.get("errors"):
        right.warning(
            ui.t("EnigmaPay could not be asked; the events stay pending and are retried."), icon=":material/cloud_off:"
        )
    elif done:
        right.success(
            ui.t("Checked: {what}.", what=", ".join(f"{n} {ui.t(k)}" for k, n in done.items())),
            icon=":material/verified:",
        )
    else:
        right.info(ui.t("Nothing waited for verification."), icon=":material/info:")


@outage.fragment(run_every=timedelta(seconds=5))
def feed() -> None:
    """The newest events, re-read every 5 s."""
    waiting, oldest = data_access.callback_backlog()
    if waiting:
        st.caption(
            ui.t("{n} event(s) waiting for verification; the oldest arrived {age}.", n=waiting, age=ui.age_text(oldest))
        )
    events = data_access.recent_callback_events(FEED_LIMIT)
    if not events:
        st.info(ui.t("No callbacks received yet."), icon=":material/inbox:")
        return
    badges = st.columns(len(audit_view.verification_counts(events)) or 1)
    for column, (state, n) in zip(badges, audit_view.verification_counts(events).items()):
        with column:
            color = {
                "verified": "green",
                "mismatch": "red",
                "unverified": "red",
                "invalid_amount": "red",
                "pending": "orange",
            }.get(state, "gray")
            st.badge(
                f"{ui.t(audit_view.VERIFICATION_LABELS[state])}: {n}",
                color=color,
                help=ui.t(audit_view.VERIFICATION_HELP[state]),
            )
    st.dataframe(
        audit_view.events_frame(events, tz, ui.lang()),
        hide_index=True,
        placeholder=ui.MISSING,
        key=f"{P}_feed",
        column_config={ui.t("Received"): ui.datetime_column(ui.t("Received"))},
    )
    st.caption(
        ui.t("Newest {n} events, refreshed every 5 s. A repeated delivery is stored once and counted.", n=len(events))
    )


st.subheader(ui.t("Live feed"))
feed()

# --- one transaction's timeline -----------------------------------------------------------------
st.subheader(ui.t("Transaction timeline"))
raw = st.text_input(ui.t("Transaction id"), key=f"{P}_tx", placeholder="123456").strip()
if raw:
    transaction_id, problem = inputs.transaction_id(raw)
    if problem:
        st.error(ui.t(problem), icon=":material/error:")
    else:
        current = data_access.transaction_current_status(transaction_id)
        if current is not None:
            source = ui.t("transaction-status") if current.source == "api" else ui.t("a callback")
            st.markdown(
                ui.t(
                    "Current status: **{status}** (from {source}, {at}){final}",
                    status=ui.literal(current.status_text or current.status),
                    source=source,
                    at=ui.fmt_time(current.updated_at),
                    final=ui.t(", final") if current.status_final else "",
                )
            )
        items = data_access.transaction_timeline(transaction_id)
        if items:
            st.dataframe(
                audit_view.timeline_frame(items, tz, ui.lang()),
                hide_index=True,
                placeholder=ui.MISSING,
                key=f"{P}_timeline",
                column_config={ui.t("Time"): ui.datetime_column(ui.t("Time"))},
            )
        else:
            st.info(
                ui.t("The console has no record of transaction {id}.", id=transaction_id), icon=":material/search_off:"
            )
