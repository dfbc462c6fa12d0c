"""Real receivers on loopback for notification tests: an SMTP server (aiosmtpd) and a webhook
receiver (a small HTTP server). Each records what arrived and can be told to refuse the next N."""

from __future__ import annotations

import json
import socket
import threading
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class SmtpReceiver:
    """aiosmtpd on 127.0.0.1 (plain SMTP, as a local relay): `messages` are the parsed e-mails."""

    messages: list[EmailMessage] = field(default_factory=list)
    refuse_next: int = 0  # answer 451 (try later) to this many messages
    port: int = 0

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
        self._controller = Controller(self, hostname="127.0.0.1", port=self.port)
        self._controller.start()
        return self

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
