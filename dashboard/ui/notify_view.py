"""The notifications section (Settings page; the Alerts page may show it too): which channels are
configured, when the daily report goes, and the deliveries that fail (retrying, or given up)."""

from __future__ import annotations

import streamlit as st

from dashboard import ui
from dashboard.notify import NotifyStatus

_CHANNELS = {"email": "E-mail", "webhook": "Webhook"}
_STATES = {"pending": "retrying", "failed": "gave up", "sending": "sending", "sent": "sent", "skipped": "skipped"}


def show_notification_status(status: NotifyStatus) -> None:
    st.subheader(ui.t("Notifications"))
    configured, missing = ui.t("configured"), ui.t("not configured")
    report = status.daily_report_at or ui.t("off")
    st.caption(
        ui.t(
            "E-mail: {email} · Webhook: {webhook} · Daily report: {report}. Sent so far: {sent}.",
            email=configured if status.channels.get("email") else missing,
            webhook=configured if status.channels.get("webhook") else missing,
            report=report,
            sent=ui.fmt_count(status.counts.get("sent", 0)),
        )
    )
    if not status.problems:
        st.caption(ui.t("No notification is failing."))
        return
    st.warning(ui.t("{n} notification deliveries are failing or gave up.", n=len(status.problems)))
    rows = [
        {
            "subject": d.subject or d.notification_id,
            "channel": ui.t(_CHANNELS.get(d.channel, d.channel)),
            "state": ui.t(_STATES.get(d.state, d.state)),
            "attempts": d.attempts,
            "next": ui.fmt_time(d.next_attempt_at) if d.state == "pending" else "",
            "error": d.last_error or "",
        }
        for d in status.problems
    ]
    st.dataframe(
        rows,
        hide_index=True,
        placeholder=ui.MISSING,
        key="notification_problems",
        column_config={
            "subject": ui.t("Message"),
            "channel": ui.t("Channel"),
            "state": ui.t("State"),
            "attempts": ui.t("Attempts"),
            "next": ui.t("Next attempt"),
            "error": ui.t("Last error"),
        },
    )
