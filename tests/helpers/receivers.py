"""Real receivers on loopback for notification tests: an SMTP server (aiosmtpd) and a webhook
receiver (a small HTTP server). Each records what arrived and can be told to refuse the next N."""

from __future__ import annotations

import datetime
import ipaddress
import json
import socket
import ssl
import threading
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def self_signed(folder: Path) -> tuple[ssl.SSLContext, ssl.SSLContext]:
    """A certificate for 127.0.0.1 made here: (the server's context, a client context trusting it)."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = datetime.datetime.now(datetime.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), True)
        .sign(key, hashes.SHA256())
    )
    cert_file, key_file = folder / "smtp.crt", folder / "smtp.key"
    cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    server = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    server.load_cert_chain(cert_file, key_file)
    return server, ssl.create_default_context(cafile=str(cert_file))


@dataclass
class SmtpReceiver:
    """aiosmtpd on 127.0.0.1: `messages` are the parsed e-mails. Plain SMTP (a local relay) by default;
    with `tls` either STARTTLS required (`implicit_tls=False`) or TLS from the first byte, and with
    `credentials` a sign-in required (AUTH PLAIN / LOGIN, only over TLS)."""

    messages: list[EmailMessage] = field(default_factory=list)
    refuse_next: int = 0  # answer 451 (try later) to this many messages
    port: int = 0
    tls: ssl.SSLContext | None = None
    implicit_tls: bool = False
    credentials: tuple[str, str] | None = None
    sign_ins: list[str] = field(default_factory=list)  # user names that signed in

    async def handle_DATA(self, server, session, envelope) -> str:  # aiosmtpd's handler hook
        if self.refuse_next > 0:
            self.refuse_next -= 1
            return "451 4.3.0 try again later"
        mail = message_from_bytes(envelope.original_content or envelope.content, policy=policy.default)
        mail["X-Envelope-To"] = ", ".join(envelope.rcpt_tos)
        self.messages.append(mail)  # type: ignore[arg-type]
        return "250 OK"

    def start(self):
        from aiosmtpd.controller import Controller

        self.port = free_port()
        options: dict = {}
        if self.tls is not None and self.implicit_tls:
            options["ssl_context"] = self.tls
            options["auth_require_tls"] = False  # the whole connection is TLS; aiosmtpd only knows STARTTLS
        elif self.tls is not None:
            options.update(tls_context=self.tls, require_starttls=True)
        if self.credentials is not None:
            options.update(authenticator=self._authenticate, auth_required=True)
        self._controller = Controller(self, hostname="127.0.0.1", port=self.port, **options)
        self._controller.start()
        return self

    def _authenticate(self, server, session, envelope, mechanism, auth_data):
        from aiosmtpd.smtp import AuthResult, LoginPassword

        ok = (
            isinstance(auth_data, LoginPassword)
            and (auth_data.login.decode(), auth_data.password.decode()) == self.credentials
        )
        if ok:
            self.sign_ins.append(auth_data.login.decode())
        return AuthResult(success=ok, handled=False)

    def stop(self) -> None:
        self._controller.stop()


@dataclass
class Received:
    path: str
    headers: dict[str, str]
    body: bytes

    @property
    def document(self) -> dict:
        return json.loads(self.body)


class WebhookReceiver:
    """POSTs to http://127.0.0.1:<port>/hook are recorded in `requests` (also refused ones, in `refused`);
    `statuses` lists the answers to give next (then 200)."""

    def __init__(self) -> None:
        self.requests: list[Received] = []
        self.refused: list[Received] = []
        self.statuses: list[int] = []
        self._lock = threading.Lock()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                got = Received(self.path, dict(self.headers.items()), body)
                with receiver._lock:
                    status = receiver.statuses.pop(0) if receiver.statuses else 200
                    (receiver.requests if status < 300 else receiver.refused).append(got)
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}/hook"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def start(self) -> WebhookReceiver:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
