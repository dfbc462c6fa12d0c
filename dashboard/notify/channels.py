"""The two ways a notification leaves the console: e-mail (SMTP, stdlib smtplib) and a JSON webhook
(httpx POST, optionally signed with HMAC-SHA256).

`send(message)` returns when the channel accepted the message and raises `DeliveryError` otherwise.
Its text is safe to store and show: it names what failed (the exception's class, the SMTP reply, the
HTTP status), never the password, the webhook's URL (it may hold a token) or its signing key.

Webhook signature: header `X-EnigmaPay-Signature: sha256=<hex>`, the HMAC-SHA256 under the secret of
`<X-EnigmaPay-Timestamp>.<raw body>`; `verify_signature` is the receiver's check. Both channels
carry the idempotency key (`Message-ID` / header `X-EnigmaPay-Notification`), so a receiver can
drop the rare repeat after a crash between sending and recording it.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import smtplib
import ssl
import time
from collections.abc import Callable
from email.message import EmailMessage
from email.utils import formatdate
from typing import Any, Protocol

import httpx

from dashboard.config import Secret
from dashboard.config.notify import NotifySettings
from dashboard.notify.messages import EMAIL, WEBHOOK, webhook_document
from dashboard.store import NotificationRow

SIGNATURE_HEADER = "X-EnigmaPay-Signature"
TIMESTAMP_HEADER = "X-EnigmaPay-Timestamp"
KEY_HEADER = "X-EnigmaPay-Notification"


class DeliveryError(Exception):
    """The channel did not take the message; the text holds no secret."""


class Channel(Protocol):
    name: str

    def send(self, message: NotificationRow) -> None: ...


def _scrub(text: str, secrets: list[str]) -> str:
    for secret in secrets:
        if secret:
            text = text.replace(secret, "***")
    return text[:500]


def message_id(key: str) -> str:
    """The same Message-ID for every attempt of one notification."""
    return f"<{hashlib.sha256(key.encode()).hexdigest()[:32]}@enigmapay-console>"


class SmtpChannel:
    """E-mail through the configured server: STARTTLS or SSL (certificates checked), or plain to a relay
    on this machine; signs in when a user is configured."""

    name = EMAIL

    def __init__(self, settings: NotifySettings, *, tls_context: ssl.SSLContext | None = None) -> None:
        if not settings.email_configured:
            raise ValueError("e-mail needs ENIGMAPAY_SMTP_HOST, ENIGMAPAY_SMTP_FROM and ENIGMAPAY_SMTP_TO")
        self._s = settings
        self._tls = tls_context

    def __repr__(self) -> str:
        return f"SmtpChannel({self._s.smtp_host}:{self._s.port}, {self._s.smtp_security})"

    def email(self, message: NotificationRow) -> EmailMessage:
        mail = EmailMessage()
        mail["Subject"] = " ".join(message.subject.split())  # one line: a header never takes a line break
        mail["From"] = self._s.smtp_from
        mail["To"] = ", ".join(self._s.smtp_to)
        mail["Date"] = formatdate(message.created_at.timestamp(), localtime=False)
        mail["Message-ID"] = message_id(message.id)
        mail[KEY_HEADER] = message.id
        mail.set_content(message.body)
        if message.html:
            mail.add_alternative(message.html, subtype="html")
        return mail

    def send(self, message: NotificationRow) -> None:
        s, password = self._s, self._s.smtp_password
        try:
            context = self._tls or ssl.create_default_context()
            if s.smtp_security == "ssl":
                smtp: smtplib.SMTP = smtplib.SMTP_SSL(s.smtp_host, s.port, timeout=s.timeout, context=context)
            else:
                smtp = smtplib.SMTP(s.smtp_host, s.port, timeout=s.timeout)
            with smtp:
                if s.smtp_security == "starttls":
                    smtp.starttls(context=context)
                if s.smtp_user:
                    smtp.login(s.smtp_user, password.reveal() if password else "")
                smtp.send_message(self.email(message))
        except (smtplib.SMTPException, OSError, ValueError) as exc:
            text = f"e-mail not sent ({s.smtp_host}:{s.port}): {type(exc).__name__}: {exc}"
            raise DeliveryError(_scrub(text, [password.reveal() if password else ""])) from None


def sign(secret: str, timestamp: str, body: bytes) -> str:
    """The signature header's value for this body and timestamp."""
    digest = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256).hexdigest()
    return f"sha256={digest}"


def verify_signature(
    secret: str, headers: Any, body: bytes, *, max_age: float | None = None, now: float | None = None
) -> bool:
    """The receiver's check: the signature header matches the body and the timestamp header (and, with
    `max_age`, the timestamp is at most that many seconds old: a replayed old request is refused)."""
    given, timestamp = headers.get(SIGNATURE_HEADER), headers.get(TIMESTAMP_HEADER)
    if not given or not timestamp or not hmac.compare_digest(given, sign(secret, timestamp, body)):
        return False
    if max_age is None:
        return True
    age = (time.time() if now is None else now) - int(timestamp)
    return -60 <= age <= max_age  # a minute of clock difference the other way is tolerated


class WebhookChannel:
    """One JSON POST per notification; a 2xx answer is delivery, anything else (or no answer within
    the timeout) a failure, retried later by the outbox."""

    name = WEBHOOK

    def __init__(
        self,
        url: Secret,
        *,
        secret: Secret | None = None,
        timeout: float,
        transport: httpx.BaseTransport | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._url, self._secret, self._timeout = url, secret, timeout
        self._transport, self._clock = transport, clock

    def __repr__(self) -> str:
        return f"WebhookChannel(signed={self._secret is not None})"

    def request(self, message: NotificationRow) -> tuple[bytes, dict[str, str]]:
        document = webhook_document(
            message.id, message.kind, message.subject, message.body, message.payload, message.created_at
        )
        body = json.dumps(document, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode()
        timestamp = str(int(self._clock()))
        headers = {"Content-Type": "application/json; charset=utf-8", KEY_HEADER: message.id}
        headers[TIMESTAMP_HEADER] = timestamp
        if self._secret is not None:
            headers[SIGNATURE_HEADER] = sign(self._secret.reveal(), timestamp, body)
        return body, headers

    def send(self, message: NotificationRow) -> None:
        body, headers = self.request(message)
        try:
            with httpx.Client(timeout=httpx.Timeout(self._timeout), transport=self._transport) as client:
                answer = client.post(self._url.reveal(), content=body, headers=headers)
        except httpx.HTTPError as exc:  # its text may hold the URL: only the kind of failure is kept
            raise DeliveryError(f"webhook not reached: {type(exc).__name__}") from None
        if not 200 <= answer.status_code < 300:
            raise DeliveryError(f"webhook answered HTTP {answer.status_code}")
