"""Notifications: alert transitions and the daily report, sent by e-mail (SMTP) and a JSON webhook
through an outbox in the store (once per state change, once per channel, retried with backoff).

    messages.py  Notification, alert_notification(transition), the webhook's JSON document
    channels.py  SmtpChannel, WebhookChannel (HMAC-SHA256 signature), DeliveryError
    outbox.py    Outbox: enqueue (idempotent by key), deliver_due (claimed per delivery, backoff)
    report.py    the daily report: its content from providers, DailyReport.run (once per local day)
    notifier.py  Notifier: notify(transition), step() (the background job), status() (for a page)

No Streamlit. Built by services.notifier(); run by dashboard.background under the "notify" lease.
"""

from __future__ import annotations

from dashboard.notify.channels import (
    SIGNATURE_HEADER,
    TIMESTAMP_HEADER,
    Channel,
    DeliveryError,
    SmtpChannel,
    WebhookChannel,
    sign,
    verify_signature,
)
from dashboard.notify.messages import (
    ALERT_FIRED,
    ALERT_RECOVERED,
    CHANNELS,
    DAILY_REPORT,
    EMAIL,
    WEBHOOK,
    Notification,
    alert_notification,
    json_safe,
)
from dashboard.notify.notifier import Notifier, NotifyStatus
from dashboard.notify.outbox import MAX_ATTEMPTS, NOT_CONFIGURED, Outbox, backoff
from dashboard.notify.report import DailyReport, ReportSources

__all__ = [
    "ALERT_FIRED",
    "ALERT_RECOVERED",
    "CHANNELS",
    "DAILY_REPORT",
    "EMAIL",
    "MAX_ATTEMPTS",
    "NOT_CONFIGURED",
    "SIGNATURE_HEADER",
    "TIMESTAMP_HEADER",
    "WEBHOOK",
    "Channel",
    "DailyReport",
    "DeliveryError",
    "Notification",
    "Notifier",
    "NotifyStatus",
    "Outbox",
    "ReportSources",
    "SmtpChannel",
    "WebhookChannel",
    "alert_notification",
    "backoff",
    "json_safe",
    "sign",
    "verify_signature",
]
