"""Notifications through the outbox to a real SMTP server and a real webhook receiver on loopback:
once per state change and channel, across repeated runs and two workers on one store (both engines),
retries with backoff, signatures, channels that are not configured, no secrets in errors."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest

from dashboard.config import Secret
from dashboard.config.notify import NotifySettings
from dashboard.notify import (
    EMAIL,
    WEBHOOK,
    Notification,
    Outbox,
    SmtpChannel,
    WebhookChannel,
    alert_notification,
    verify_signature,
)
from tests.helpers.receivers import SmtpReceiver, WebhookReceiver

T0 = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
KEY = "webhook-signing-key-0123456789"


@pytest.fixture
def smtp():
    receiver = SmtpReceiver().start()
    yield receiver
    receiver.stop()


@pytest.fixture
def webhook():
    receiver = WebhookReceiver().start()
    yield receiver
    receiver.stop()


class Clock:
    def __init__(self, at: datetime = T0) -> None:
        self.at = at

    def __call__(self) -> datetime:
        return self.at

    def advance(self, **delta: float) -> None:
        self.at += timedelta(**delta)


@dataclass
class Transition:
    key: str = "balance_low:iban:3"
    condition: str = "balance_low"
    subject: str = "TR33 0006 1005 1978 6457 8413 26"
    state: str = "fired"
    at: datetime = T0
    title: str = "Balance below threshold"
    detail: str = "Balance 900.00 TRY is below 1,000.00 TRY"
    details: dict[str, Any] = field(default_factory=lambda: {"balance": Decimal("900.00"), "iban_id": 3})


def email_settings(smtp: SmtpReceiver, **overrides) -> NotifySettings:
    values = dict(
        smtp_host="127.0.0.1",
        smtp_port=smtp.port,
        smtp_security="plain",
        smtp_from="console@dealer.example",
        smtp_to=("ops@dealer.example", "boss@dealer.example"),
        timeout=5.0,
    )
    return NotifySettings(**{**values, **overrides})


def make_outbox(store, smtp=None, webhook=None, *, holder="worker-1", clock=None, secret=KEY) -> Outbox:
    channels = {
        EMAIL: SmtpChannel(email_settings(smtp)) if smtp else None,
        WEBHOOK: WebhookChannel(Secret(webhook.url), secret=Secret(secret) if secret else None, timeout=5.0)
        if webhook
        else None,
    }
    return Outbox(store.notifications, channels, holder=holder, clock=clock or Clock())


def test_a_state_change_is_delivered_once_per_channel_across_repeated_runs(any_store, smtp, webhook):
    outbox = make_outbox(any_store, smtp, webhook)
    fired = alert_notification(Transition())
    assert outbox.enqueue(fired) is True
    assert outbox.enqueue(alert_notification(Transition())) is False  # the same change handed over again

    counts = [outbox.deliver_due() for _ in range(3)]

    assert counts[0]["sent"] == 2 and counts[1]["sent"] == counts[2]["sent"] == 0
    assert len(smtp.messages) == 1 and len(webhook.requests) == 1
    mail = smtp.messages[0]
    assert mail["Subject"] == "[EnigmaPay] Alert: Balance below threshold"
    assert mail["X-Envelope-To"] == "ops@dealer.example, boss@dealer.example"
    assert mail["X-EnigmaPay-Notification"].strip() == fired.key  # a long header is folded
    assert "Balance 900.00 TRY is below 1,000.00 TRY" in mail.get_content()
    doc = webhook.requests[0].document
    assert doc["id"] == fired.key and doc["type"] == "alert.fired"
    assert doc["data"]["details"] == {"balance": "900.00", "iban_id": 3}  # money as exact text
    assert doc["data"]["state"] == "fired" and doc["data"]["alert_key"] == "balance_low:iban:3"

    outbox.enqueue(alert_notification(Transition(state="recovered", at=T0 + timedelta(minutes=7))))
    outbox.deliver_due()
    outbox.deliver_due()
    assert [m["Subject"] for m in smtp.messages][1] == "[EnigmaPay] Recovered: Balance below threshold"
    assert [r.document["type"] for r in webhook.requests] == ["alert.fired", "alert.recovered"]
    assert any_store.notifications.counts() == {"sent": 4}


def test_two_workers_on_one_store_send_each_message_once(open_store, smtp, webhook):
    first, second = open_store(), open_store()  # two processes (replicas) on one database
    workers = [make_outbox(first, smtp, webhook, holder="a"), make_outbox(second, smtp, webhook, holder="b")]
    for n in range(6):
        workers[n % 2].enqueue(alert_notification(Transition(key=f"api_down:{n}")))
        workers[(n + 1) % 2].enqueue(alert_notification(Transition(key=f"api_down:{n}")))  # both saw it
    results: list[dict] = []
    threads = [threading.Thread(target=lambda w=w: results.append(w.deliver_due())) for w in workers * 2]
    for t in threads:
        t.start()
    for t in threads:
        t.join()

    keys = sorted(m["X-EnigmaPay-Notification"].strip() for m in smtp.messages)
    assert len(keys) == 6 and len(set(keys)) == 6
    assert sorted(r.document["id"] for r in webhook.requests) == keys
    assert sum(r["sent"] for r in results) == 12


def test_a_failing_receiver_is_retried_with_backoff_and_never_sent_again_after_success(any_store, smtp, webhook):
    clock = Clock()
    outbox = make_outbox(any_store, smtp, webhook, clock=clock)
    webhook.statuses = [500, 503]
    smtp.refuse_next = 1
    outbox.enqueue(alert_notification(Transition()))

    assert outbox.deliver_due() == {"sent": 0, "pending": 2, "failed": 0, "skipped": 0}
    failing = {d.channel: d for d in outbox.problems()}
    assert failing[WEBHOOK].last_error == "webhook answered HTTP 500" and failing[WEBHOOK].attempts == 1
    assert "451" in failing[EMAIL].last_error
    assert failing[WEBHOOK].next_attempt_at == T0 + timedelta(seconds=30)

    clock.advance(seconds=29)
    assert outbox.deliver_due()["pending"] == 0 and len(webhook.refused) == 1  # not due yet: nothing sent
    clock.advance(seconds=1)
    assert outbox.deliver_due() == {"sent": 1, "pending": 1, "failed": 0, "skipped": 0}  # e-mail now goes
    assert outbox.problems()[0].next_attempt_at == clock.at + timedelta(seconds=60)  # second failure: doubled
    clock.advance(seconds=60)
    assert outbox.deliver_due()["sent"] == 1
    for _ in range(3):
        clock.advance(hours=2)
        outbox.deliver_due()
    assert len(smtp.messages) == 1 and len(webhook.requests) == 1 and len(webhook.refused) == 2
    assert outbox.problems() == []


def test_a_delivery_gives_up_after_its_attempts_and_stays_visible(any_store, webhook):
    clock = Clock()
    outbox = make_outbox(any_store, webhook=webhook, clock=clock)
    outbox.max_attempts = 3
    webhook.statuses = [502] * 5
    outbox.enqueue(alert_notification(Transition()))
    for _ in range(5):
        outbox.deliver_due()
        clock.advance(hours=1)
    assert len(webhook.refused) == 3
    [problem] = [d for d in outbox.problems() if d.channel == WEBHOOK]
    assert problem.state == "failed" and problem.attempts == 3 and problem.subject.startswith("[EnigmaPay]")


def test_the_webhook_signature_verifies(any_store, webhook):
    outbox = make_outbox(any_store, webhook=webhook)
    outbox.enqueue(alert_notification(Transition()))
    outbox.deliver_due()
    [got] = webhook.requests
    assert got.headers["X-EnigmaPay-Signature"].startswith("sha256=")
    assert verify_signature(KEY, got.headers, got.body)
    assert not verify_signature("another-key-entirely-0123456789", got.headers, got.body)
    assert not verify_signature(KEY, got.headers, got.body.replace(b"900.00", b"9000.00"))
    assert not verify_signature(KEY, {**got.headers, "X-EnigmaPay-Timestamp": "1"}, got.body)
    sent_at = int(got.headers["X-EnigmaPay-Timestamp"])
    assert verify_signature(KEY, got.headers, got.body, max_age=300, now=sent_at + 299)
    assert not verify_signature(KEY, got.headers, got.body, max_age=300, now=sent_at + 301)  # a replay, later


def test_an_unsigned_webhook_has_no_signature_header(any_store, webhook):
    outbox = make_outbox(any_store, webhook=webhook, secret=None)
    outbox.enqueue(alert_notification(Transition()))
    outbox.deliver_due()
    assert "X-EnigmaPay-Signature" not in webhook.requests[0].headers


def test_a_channel_not_configured_is_skipped_and_said_so(any_store, webhook):
    outbox = make_outbox(any_store, webhook=webhook)  # no e-mail settings
    outbox.enqueue(alert_notification(Transition()))
    assert outbox.deliver_due() == {"sent": 1, "pending": 0, "failed": 0, "skipped": 1}
    states = {d.channel: (d.state, d.last_error) for d in outbox.recent()}
    assert states == {EMAIL: ("skipped", "not configured"), WEBHOOK: ("sent", None)}
    assert outbox.channel_states() == {EMAIL: False, WEBHOOK: True}


def test_delivery_errors_hold_no_secret(any_store, smtp):
    from tests.helpers.receivers import free_port

    token_url = f"http://127.0.0.1:{free_port()}/hook?token=s3cr3t-token-in-url"  # nothing listens there
    channels = {
        WEBHOOK: WebhookChannel(Secret(token_url), secret=Secret(KEY), timeout=2.0),
        EMAIL: SmtpChannel(email_settings(smtp, smtp_user="mailer", smtp_password=Secret("pa55-w0rd-zz"))),
    }
    outbox = Outbox(any_store.notifications, channels, holder="w", clock=Clock())
    outbox.enqueue(alert_notification(Transition()))
    outbox.deliver_due()
    errors = " ".join(d.last_error or "" for d in outbox.problems())
    assert "webhook not reached: ConnectError" in errors
    assert "SMTP" in errors  # the plain relay offers no sign-in: smtplib refuses to send the password
    for secret in ("s3cr3t", "token", "pa55-w0rd-zz", KEY):
        assert secret not in errors
    assert "pa55" not in repr(channels[EMAIL]) and "s3cr3t" not in repr(channels[WEBHOOK])


def test_a_notification_needs_an_aware_time_and_known_channels():
    with pytest.raises(ValueError, match="timezone-aware"):
        Notification("k", "alert.fired", "s", "b", {}, datetime(2026, 1, 1))
    with pytest.raises(ValueError, match="unknown channels"):
        Notification("k", "alert.fired", "s", "b", {}, T0, channels=("sms",))
    with pytest.raises(ValueError, match="fired"):
        alert_notification(Transition(state="acknowledged"))


def test_alert_messages_in_turkish():
    message = alert_notification(Transition(state="recovered"), lang="tr")
    assert message.subject.startswith("[EnigmaPay] Düzeldi:")
    assert "Zaman:" in message.body


# --- the settings -----------------------------------------------------------------------------------


def _load(**values):
    from dashboard.config import load_settings

    return load_settings({f"ENIGMAPAY_{k}": v for k, v in values.items()}, dotenv_path=None, secrets_path=None)


def test_notification_settings_are_read_and_default_to_off():
    from datetime import time

    off = _load().notify
    assert not off.email_configured and off.webhook_url is None and off.daily_report_at is None
    s = _load(
        SMTP_HOST="smtp.example.com",
        SMTP_PASSWORD="pa55-w0rd-zz",
        SMTP_FROM="c@example.com",
        SMTP_TO="a@example.com, b@example.com",
        WEBHOOK_URL="https://hooks.example.com/x?token=abc",
        DAILY_REPORT_AT="8:30",
        NOTIFY_LANGUAGE="TR",
    ).notify
    assert s.email_configured and s.port == 587 and s.smtp_to == ("a@example.com", "b@example.com")
    assert s.daily_report_at == time(8, 30) and s.language == "tr"
    assert "pa55" not in repr(s) and "token" not in repr(s)
    assert (
        _load(SMTP_HOST="smtp.example.com", SMTP_SECURITY="ssl", SMTP_FROM="c@x.io", SMTP_TO="a@x.io").notify.port
        == 465
    )


MAIL = dict(SMTP_HOST="smtp.example.com", SMTP_FROM="c@x.io", SMTP_TO="a@x.io")


@pytest.mark.parametrize(
    ("values", "message"),
    [
        (dict(SMTP_HOST="smtp.example.com"), "ENIGMAPAY_SMTP_FROM and ENIGMAPAY_SMTP_TO"),
        (dict(SMTP_HOST="smtp.example.com", SMTP_SECURITY="plain", SMTP_FROM="c@x.io", SMTP_TO="a@x.io"), "localhost"),
        (dict(SMTP_SECURITY="tls"), "starttls, ssl, plain"),
        (dict(SMTP_TO="a@x.io\r\nBcc: evil@x.io"), "not an e-mail address"),
        (dict(WEBHOOK_URL="http://hooks.example.com/x?token=abc"), "https://"),
        (dict(WEBHOOK_URL="ftp://x?token=abc"), "not an http(s) URL"),
        (dict(DAILY_REPORT_AT="08:00"), "ENIGMAPAY_SMTP_HOST"),
        (dict(DAILY_REPORT_AT="8am", **MAIL), "HH:MM"),
        (dict(DAILY_REPORT_AT="24:00", **MAIL), "HH:MM"),
        (dict(NOTIFY_LANGUAGE="de"), "en, tr"),
    ],
)
def test_bad_notification_settings_get_a_clear_message_without_the_secret(values, message):
    from dashboard.config import ConfigError

    with pytest.raises(ConfigError, match=message.replace("(", r"\(").replace(")", r"\)")) as caught:
        _load(**values)
    assert "token=abc" not in str(caught.value)


# --- TLS, sign-in, a worker that stopped mid-send ----------------------------------------------------


@pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS")  # implicit TLS: it is all TLS
@pytest.mark.parametrize("security", ["starttls", "ssl"])
def test_email_over_tls_with_sign_in(tmp_path, security):
    from dashboard.store import Store
    from tests.helpers.receivers import self_signed

    any_store = Store.in_dir(tmp_path)  # the channel is under test here: one engine is enough

    server_tls, client_tls = self_signed(tmp_path)
    receiver = SmtpReceiver(tls=server_tls, implicit_tls=security == "ssl", credentials=("mailer", "pa55-w0rd-zz"))
    receiver.start()
    try:
        settings = email_settings(receiver, smtp_security=security, smtp_user="mailer")
        right = SmtpChannel(
            NotifySettings(**{**settings.__dict__, "smtp_password": Secret("pa55-w0rd-zz")}), tls_context=client_tls
        )
        wrong = SmtpChannel(
            NotifySettings(**{**settings.__dict__, "smtp_password": Secret("wr0ng-pa55-zz")}), tls_context=client_tls
        )
        untrusted = SmtpChannel(NotifySettings(**{**settings.__dict__, "smtp_password": Secret("pa55-w0rd-zz")}))
        for channel in (wrong, untrusted, right):
            outbox = Outbox(any_store.notifications, {EMAIL: channel, WEBHOOK: None}, holder="w", clock=Clock())
            outbox.enqueue(alert_notification(Transition(key=repr(channel) + str(id(channel)))))
            outbox.deliver_due()
        errors = [d.last_error for d in outbox.problems()]
        assert len(receiver.messages) == 1 and receiver.sign_ins == ["mailer"]
        assert any("SMTPAuthenticationError" in e for e in errors)  # the wrong password
        assert any("CERTIFICATE_VERIFY_FAILED" in e or "SSLCertVerificationError" in e for e in errors)  # no trust
        assert not any("pa55" in e or "wr0ng" in e for e in errors)
    finally:
        receiver.stop()


def test_a_worker_that_stopped_mid_send_leaves_the_message_to_another_once_its_claim_expires(any_store, webhook):
    clock = Clock()
    outbox = make_outbox(any_store, webhook=webhook, clock=clock, holder="survivor")
    outbox.enqueue(alert_notification(Transition()))
    dead = any_store.notifications.claim(claimant="dead", now=clock.at, until=clock.at + timedelta(minutes=2), limit=5)
    assert len(dead) == 2  # e-mail and webhook, both held by a process that then stopped

    assert outbox.deliver_due()["sent"] == 0 and webhook.requests == []  # its claims still run
    clock.advance(minutes=2, seconds=1)
    assert outbox.deliver_due() == {"sent": 1, "pending": 0, "failed": 0, "skipped": 1}
    assert not any_store.notifications.finish(
        dead[0][0].id, WEBHOOK, claimant="dead", state="sent", now=clock.at
    )  # the stopped one's late record changes nothing
    clock.advance(hours=5)
    outbox.deliver_due()
    assert len(webhook.requests) == 1


def test_an_alert_message_shows_its_time_in_the_dealers_zone():
    message = alert_notification(Transition(), tz="Europe/Istanbul")
    assert "Time: 01.12.2026 12:00:00 (Europe/Istanbul)" in message.body
    assert "Concerns: TR33 0006 1005 1978 6457 8413 26" in message.body
    assert message.payload["at"] == "2026-12-01T09:00:00+00:00"  # the document keeps the exact instant


def test_a_subject_with_a_line_break_goes_out_on_one_line(any_store, smtp):
    outbox = make_outbox(any_store, smtp)
    outbox.enqueue(alert_notification(Transition(title="Balance below\r\nBcc: someone@else.example")))
    assert outbox.deliver_due()["sent"] == 1
    assert smtp.messages[0]["Subject"] == "[EnigmaPay] Alert: Balance below Bcc: someone@else.example"
    assert (
        smtp.messages[0]["Bcc"] is None
        and smtp.messages[0]["X-Envelope-To"] == "ops@dealer.example, boss@dealer.example"
    )
