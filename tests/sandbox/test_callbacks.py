"""Outbound callbacks, delivered to a tiny receiver on loopback: bodies, retries, runtime URL changes."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import httpx
import pytest

from dashboard.sandbox import FakeClock

CUSTOMER_IBAN = "TR330006100519786457841326"
CALLBACK_KEYS = {"transaction_id", "status", "amount", "username", "description", "completed_at"}


class Receiver:
    """Records every POST; answers the scripted statuses first, then 200 {"success": true}."""

    def __init__(self) -> None:
        self.bodies: list[dict] = []
        self.script: list[int] = []
        self.lock = threading.Lock()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                with receiver.lock:
                    receiver.bodies.append(body)
                    status = receiver.script.pop(0) if receiver.script else 200
                payload = b'{"success": true}' if status == 200 else b'{"success": false}'
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            def log_message(self, *args) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/callbacks/enigmapay?token=t0k"
        threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()

    def wait_for(self, count: int, timeout: float = 5.0) -> list[dict]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self.lock:
                if len(self.bodies) >= count:
                    return list(self.bodies)
            time.sleep(0.02)
        raise AssertionError(f"expected {count} callbacks, got {self.bodies}")


@pytest.fixture
def clock(sandbox_anchor) -> FakeClock:
    return FakeClock(sandbox_anchor)


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    r = Receiver()
    yield r
    r.server.shutdown()
    r.server.server_close()


def payout(api: httpx.Client, amount: str = "750.00") -> int:
    body = {
        "username": "user123",
        "amount": amount,
        "customer_iban": CUSTOMER_IBAN,
        "customer_name": "Şule Yılmaz",
        "description": "Çekim",
    }
    response = api.post("/send-money", json=body)
    assert response.status_code == 200, response.text
    return response.json()["data"]["transaction_id"]


def test_every_status_change_is_posted(make_sandbox, http_client, receiver, clock):
    srv = make_sandbox(clock=clock, callback_url=receiver.url, failure_rate=0.0, processing_after=2, settle_after=6)
    tx = payout(http_client(srv))
    clock.advance(10)
    srv.state.advance()
    bodies = receiver.wait_for(2)
    assert all(set(b) == CALLBACK_KEYS for b in bodies)
    by_status = {b["status"]: b for b in bodies}
    assert set(by_status) == {"Processing", "Completed"}
    done = by_status["Completed"]
    assert done == {
        "transaction_id": tx,
        "status": "Completed",
        "amount": 750.0,
        "username": "user123",
        "description": "Çekim",
        "completed_at": "2026-11-20 12:00:06",
    }
    assert by_status["Processing"]["completed_at"] is None
    assert srv.state.callbacks.wait_idle(5)
    deliveries = srv.state.deliveries()
    assert len(deliveries) == 2 and all(d.delivered and d.status == 200 and d.attempts == 1 for d in deliveries)
    assert all(d.url == receiver.url for d in deliveries)


def test_ticker_fires_callbacks_without_any_reads(make_sandbox, http_client, receiver):
    srv = make_sandbox(callback_url=receiver.url, processing_after=0.1, settle_after=0.3, failure_rate=0.0)
    tx = payout(http_client(srv))
    bodies = receiver.wait_for(2, timeout=5)  # no request after the payout: the ticker settles it
    assert {(b["transaction_id"], b["status"]) for b in bodies} == {(tx, "Processing"), (tx, "Completed")}


def test_non_200_is_retried_with_backoff(make_sandbox, http_client, receiver, clock):
    receiver.script = [500, 503]
    srv = make_sandbox(
        clock=clock, callback_url=receiver.url, callback_workers=1, callback_backoff=0.05, settle_after=5
    )
    payout(http_client(srv))
    clock.advance(1)  # Pending -> Processing only: one event
    srv.state.advance()
    bodies = receiver.wait_for(3)
    assert len({json.dumps(b, sort_keys=True) for b in bodies}) == 1  # the same event three times
    assert srv.state.callbacks.wait_idle(5)
    (delivery,) = srv.state.deliveries()
    assert delivery.attempts == 3 and delivery.delivered and delivery.history == [500, 503, 200]


def test_unreachable_receiver_gives_up_after_the_attempts(make_sandbox, http_client, receiver, clock):
    url = receiver.url
    receiver.server.shutdown()
    receiver.server.server_close()  # nothing listens there now
    srv = make_sandbox(clock=clock, callback_url=url, callback_attempts=3, callback_backoff=0.02, settle_after=5)
    payout(http_client(srv))
    clock.advance(1)
    srv.state.advance()
    assert srv.state.callbacks.wait_idle(5)
    (delivery,) = srv.state.deliveries()
    assert delivery.attempts == 3 and not delivery.delivered
    assert delivery.status is None and "ConnectError" in delivery.error


def test_callback_url_changes_at_runtime(make_sandbox, http_client, receiver, clock):
    srv = make_sandbox(clock=clock, settle_after=5)
    api = http_client(srv)
    payout(api)
    clock.advance(1)
    srv.state.advance()
    assert srv.state.deliveries() == []  # no URL, no callbacks
    with httpx.Client(base_url=srv.root_url, trust_env=False) as admin:
        assert admin.put("/__sandbox__/callback-url", json={"url": "ftp://x"}).status_code == 422
        answer = admin.put("/__sandbox__/callback-url", json={"url": receiver.url})
        assert answer.json()["data"]["url"] == receiver.url
        clock.advance(10)
        srv.state.advance()
        assert receiver.wait_for(1)[0]["status"] in ("Completed", "Failed")
        assert srv.state.callbacks.wait_idle(5)
        listed = admin.get("/__sandbox__/callbacks").json()["data"]
        assert len(listed) == 1 and listed[0]["url"] == receiver.url and listed[0]["status"] == 200
        admin.put("/__sandbox__/callback-url", json={"url": None})
    assert srv.state.callback_url is None


def test_card_payment_completion_is_posted(make_sandbox, http_client, receiver):
    srv = make_sandbox(callback_url=receiver.url)
    card = {
        "username": "kart1",
        "firstname": "Gülşen",
        "lastname": "Işık",
        "email": "g@example.com",
        "phone": "05321234567",
        "amount": 300,
    }
    data = http_client(srv).post("/credit-card/payment", json=card).json()["data"]
    srv.state.complete_card_payment(data["order_id"], success=False)
    (body,) = receiver.wait_for(1)
    assert body["transaction_id"] == data["transaction_id"] and body["status"] == "Failed"
    assert body["username"] == "kart1" and body["amount"] == 300.0 and body["completed_at"]
