"""Two console replicas on one database behind nginx (tests/fleet/conftest.py), all on loopback.

- Through nginx in chromium: an admin signs in on one replica and walks every page (each renders,
  no exception); an operator signed in on the other replica is signed out by the admin's "Sign out
  everywhere", and a browser carrying the admin's cookie to the other replica is signed out by the
  admin's "Sign out".
- The same payout operation submitted by both replicas at once: one POST /send-money upstream.
- `/ibans` at most once a minute for the whole fleet (the sandbox's call counter).
- A callback flood split across both replicas, the one verifying callbacks (the lease holder)
  SIGKILLed mid-flood, the rest retried through nginx as EnigmaPay would: every acknowledged event is
  stored exactly once; the survivor takes verification over within TAKEOVER_S; a browser that was on
  the killed replica is moved to the other one by nginx and stays signed in.

Screenshots: artifacts/fleet/screenshots/; logs of every process: artifacts/fleet/.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from urllib.parse import urlsplit

import httpx
import pytest
from playwright.sync_api import Page, expect

from dashboard.fleet import TAKEOVER_WITHIN
from tests.browser.test_console_browser import (
    COOKIE,
    DEMO,
    MENU,
    UI_TIMEOUT,
    expect_sign_in_page,
    main,
    menu,
    open_page,
    rerun,
    screenshot,
    session_cookie,
    sidebar_of,
    wait_idle,
)
from tests.fleet.conftest import VERIFY_RATE, Fleet, Replica
from tests.helpers.console import REPO

pytestmark = [pytest.mark.slow, pytest.mark.timeout(240)]

WARM_UP = 100  # the flood's first events, before the verifying replica is known
FLOOD_EVENTS = 500
KILL_AFTER_ACKS = 60  # the verifying replica dies once it has acknowledged this many of the rest
# The documented takeover bound (README "Background work once per fleet"; on PostgreSQL the lease
# frees when the process dies and the others renew every 10 s), then the time to verify the rest.
TAKEOVER_S = TAKEOVER_WITHIN + FLOOD_EVENTS / VERIFY_RATE + 5
FIRST_FLOOD_ID = 9_100_000_000


def answered_by(fleet: Fleet, path: str) -> list[str]:
    """The replicas (host:port) that answered the requests for `path` so far, oldest first, from nginx's
    access log (a request nginx had to move to another replica is counted for the one that answered).
    A WebSocket (/_stcore/stream) is logged when it closes."""
    log = fleet.nginx.access_log.read_text(encoding="utf-8").splitlines()
    entries = [re.search(r'"[A-Z]+ (\S+)" .* upstream=(.+?) time=', line) for line in log]
    return [e.group(2).split(",")[-1].strip() for e in entries if e and e.group(1) == path]


def served_by(fleet: Fleet, path: str) -> str:
    """The replica that answered the latest request for `path`."""
    answered = answered_by(fleet, path)
    assert answered, f"nginx logged no request for {path}"
    return answered[-1]


def expect_signed_in(page: Page, user: str, timeout: float = 30_000) -> None:
    """Signed in as the demo account `user` (named after its role), with that role's whole menu."""
    expect(sidebar_of(page).get_by_text(f"Signed in as {user} ({user})", exact=True)).to_be_visible(timeout=timeout)
    wait_idle(page)
    expect(page.locator('[data-testid="stSidebarNav"]').get_by_role("link")).to_have_count(len(MENU[user]))
    assert menu(page) == MENU[user], menu(page)


def sign_in(page: Page, user: str) -> None:
    """Sign in through the real form: a one-time ticket, /auth/complete sets the cookie (303)."""
    form = main(page).locator('[data-testid="stForm"]')
    form.get_by_role("textbox", name="User name", exact=True).fill(user)
    form.get_by_role("textbox", name="Password", exact=True).fill(DEMO[user])
    with page.expect_response(lambda r: urlsplit(r.url).path == "/auth/complete", timeout=UI_TIMEOUT) as completed:
        form.get_by_role("button", name="Sign in", exact=True).click()
    assert completed.value.status == 303, completed.value.status
    assert (completed.value.header_value("set-cookie") or "").startswith(f"{COOKIE}=")
    expect_signed_in(page, user)


def expect_page_renders(page: Page) -> None:
    """The open page ran to the end without an exception box."""
    wait_idle(page)
    expect(main(page).locator('[data-testid="stException"]')).to_have_count(0)


@pytest.mark.browser
def test_walk_and_sign_out_everywhere_across_replicas(fleet: Fleet, browser_on, screenshots: Path) -> None:
    replica_a, replica_b = fleet.replicas

    admin = browser_on(replica_a)
    admin.goto(fleet.url + "/")
    expect_sign_in_page(admin)
    sign_in(admin, "admin")
    assert served_by(fleet, "/auth/complete") == replica_a.address
    screenshot(admin, screenshots, "00-admin-overview")

    # Every page of the console renders through nginx, on replica A.
    for number, title in enumerate(MENU["admin"], start=1):
        open_page(admin, title)
        expect_page_renders(admin)
        screenshot(admin, screenshots, f"{number:02d}-{title.lower().replace(' ', '-')}")
    # Only this browser has used the console so far: every WebSocket it opened went to replica A.
    assert set(answered_by(fleet, "/_stcore/stream")) == {replica_a.address}

    # An operator signs in on replica B; a third browser carries the admin's cookie to replica B.
    operator = browser_on(replica_b)
    operator.goto(fleet.url + "/balances")
    expect_sign_in_page(operator)
    sign_in(operator, "operator")
    assert served_by(fleet, "/auth/complete") == replica_b.address
    assert served_by(fleet, "/balances") == replica_b.address
    expect(main(operator).get_by_role("heading", name="Balances", level=1)).to_be_visible(timeout=UI_TIMEOUT)

    admin_elsewhere = browser_on(replica_b)
    admin_elsewhere.context.add_cookies([session_cookie(admin.context)])
    admin_elsewhere.goto(fleet.url + "/transactions")
    expect_signed_in(admin_elsewhere, "admin")  # replica B accepts a cookie replica A issued
    expect(main(admin_elsewhere).get_by_role("heading", name="Transactions", level=1)).to_be_visible()
    assert served_by(fleet, "/transactions") == replica_b.address

    # "Sign out everywhere" for the operator, clicked on replica A, ends the session on replica B.
    open_page(admin, "Settings")
    with rerun(admin):
        admin.locator(".st-key-settings_signout_operator").get_by_role("button").click()
    expect(admin.get_by_text("1 session(s) of operator ended.")).to_be_visible(timeout=UI_TIMEOUT)
    screenshot(admin, screenshots, "20-sign-out-everywhere")
    # Its next click on replica B (a menu link: Refresh would also ask upstream) finds the session gone.
    operator.locator('[data-testid="stSidebarNav"]').get_by_role("link", name="Overview", exact=True).click()
    expect_sign_in_page(operator)
    screenshot(operator, screenshots, "21-operator-signed-out-on-replica-b")

    # The admin's own "Sign out" on replica A ends the session the other browser uses on replica B.
    with admin.expect_response(lambda r: urlsplit(r.url).path == "/auth/sign-out") as signed_out:
        sidebar_of(admin).get_by_role("button", name="Sign out").click()
    assert signed_out.value.status == 303
    assert served_by(fleet, "/auth/sign-out") == replica_a.address
    expect_sign_in_page(admin)
    admin_elsewhere.reload()
    expect_sign_in_page(admin_elsewhere)
    screenshot(admin_elsewhere, screenshots, "22-admin-signed-out-on-replica-b")


def test_same_payout_on_both_replicas_reaches_the_api_once(fleet: Fleet) -> None:
    """Both replicas' journals (built from their settings, one process each) submit one operation
    id at the same moment: one POST upstream; the database holds one confirmed entry."""
    operation_id = uuid.uuid4().hex
    fleet.set_sandbox_faults(latency_ms=400, paths=["/send-money"])  # the second arrives mid-flight
    before = fleet.sandbox_calls().get("POST /send-money", 0)
    helper = str(Path(__file__).with_name("submit_payout.py"))
    procs = [
        subprocess.Popen(
            [sys.executable, helper, operation_id],
            cwd=REPO,
            env={**replica.env, "PYTHONPATH": str(REPO)},
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for replica in fleet.replicas
    ]
    try:
        for proc in procs:
            ready = proc.stdout.readline().strip()
            assert ready == "ready", (ready, proc.stderr.read() if proc.poll() is not None else "")
        for proc in procs:  # release both
            proc.stdin.write("go\n")
            proc.stdin.flush()
        results = []
        for proc in procs:
            out, err = proc.communicate(timeout=60)
            assert proc.returncode == 0, err[-3000:]
            results.append(json.loads(out.strip().splitlines()[-1]))
    finally:
        for proc in procs:
            if proc.poll() is None:
                proc.kill()
        fleet.set_sandbox_faults()

    assert fleet.sandbox_calls().get("POST /send-money", 0) - before == 1, results
    assert {r["id"] for r in results} == {operation_id}
    confirmed = [r for r in results if r["state"] == "confirmed"]
    assert len(confirmed) >= 1 and all(r["transaction_id"] for r in confirmed), results
    # The other replica found the operation claimed: it got the same entry back, sending nothing.
    others = [r for r in results if r not in confirmed]
    assert all(r["state"] in ("pending", "confirmed") for r in others), results
    print(f"payout: {results}")
    rows = fleet.query("SELECT state, transaction_id FROM operations WHERE id = ?", (operation_id,))
    assert rows == [("confirmed", confirmed[0]["transaction_id"])], rows


def test_the_fleet_asks_ibans_at_most_once_a_minute(fleet: Fleet) -> None:
    """Both replicas started, signed-in pages read balances on both, and their background snapshots
    ran: the sandbox saw `/ibans` at most once per started minute of the fleet's life."""
    calls = fleet.sandbox_calls().get("GET /ibans", 0)
    minutes = int((time.monotonic() - fleet.started_at) // 60) + 1
    print(f"ibans: {calls} call(s) in {minutes} started minute(s) of the fleet")
    assert 1 <= calls <= minutes, f"{calls} /ibans calls in {minutes} started minute(s)"


class Flood:
    """Posts callbacks to the replicas by turns; kills `victim` once it has acknowledged KILL_AFTER_ACKS."""

    def __init__(self, fleet: Fleet, victim: Replica) -> None:
        self.fleet, self.victim = fleet, victim
        self.acks_from_victim = 0
        self.killed_at: float | None = None
        self.lock = threading.Lock()
        self.client = httpx.Client(trust_env=False, timeout=10)

    def post(self, url: str, n: int) -> bool:
        body = {"transaction_id": FIRST_FLOOD_ID + n, "status": "Completed", "amount": 150.25, "username": "flood"}
        try:
            answer = self.client.post(f"{url}/callbacks/{self.fleet.callback_token}", json=body)
        except httpx.TransportError:
            return False
        return answer.status_code == 200

    def send(self, n: int) -> bool:
        replica = self.fleet.replicas[n % 2]
        acked = self.post(replica.url, n)
        if acked and replica is self.victim:
            with self.lock:
                self.acks_from_victim += 1
                kill = self.acks_from_victim == KILL_AFTER_ACKS
            if kill:
                self.victim.kill()
                self.killed_at = time.monotonic()
        return acked


def verification_leader(fleet: Fleet, timeout: float = 30) -> Replica:
    """The replica verifying callbacks now: whose process id the claims on pending events carry."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for (claimant,) in fleet.query("SELECT DISTINCT verify_claimed_by FROM callback_events"):
            if claimant and fleet.replica_of(claimant):
                return fleet.replica_of(claimant)
        time.sleep(0.05)
    raise AssertionError(f"no replica claimed callbacks for verification in {timeout} s")


def pending_not_held_by(fleet: Fleet, replica: Replica) -> int:
    """Flood events still waiting for verification, less those `replica` had claimed."""
    rows = fleet.query(
        "SELECT verify_claimed_by FROM callback_events WHERE verification = 'pending' AND transaction_id >= ?",
        (FIRST_FLOOD_ID,),
    )
    return sum(1 for (claimant,) in rows if not claimant or fleet.replica_of(claimant) is not replica)


@pytest.mark.browser
def test_callback_flood_with_a_replica_killed_stores_each_event_once(
    fleet: Fleet, browser_on, screenshots: Path
) -> None:
    flood = Flood(fleet, victim=fleet.replicas[1])
    # The first events, to both replicas: one of them (the lease holder) verifies them all. That one dies.
    with ThreadPoolExecutor(max_workers=8) as pool:
        acked = dict(zip(range(WARM_UP), pool.map(flood.send, range(WARM_UP))))
    assert all(acked.values())
    victim = flood.victim = verification_leader(fleet)
    survivor = next(r for r in fleet.replicas if r is not victim)
    flood.acks_from_victim = 0
    on_victim = browser_on(victim)
    on_victim.goto(fleet.url + "/")
    expect_sign_in_page(on_victim)
    sign_in(on_victim, "operator")

    with ThreadPoolExecutor(max_workers=8) as pool:
        acked |= dict(zip(range(WARM_UP, FLOOD_EVENTS), pool.map(flood.send, range(WARM_UP, FLOOD_EVENTS))))
    assert flood.killed_at is not None, "the victim was never killed: the flood ended first"
    assert victim.process.poll() is not None
    lost = [n for n, ok in acked.items() if not ok]
    assert lost, "no delivery failed: the kill was not mid-flood"
    assert all(fleet.replicas[n % 2] is victim for n in lost), "only deliveries to the killed replica may fail"
    print(f"flood: {FLOOD_EVENTS} events, {len(lost)} unacknowledged when {victim.name} (verifying) was killed")

    # EnigmaPay retries what was not acknowledged; through nginx it reaches the replica still up.
    for _attempt in range(3):
        for n in [n for n, ok in acked.items() if not ok]:
            acked[n] = flood.post(fleet.url, n)
    assert all(acked.values()), sorted(n for n, ok in acked.items() if not ok)[:20]

    counts = dict(
        fleet.query(
            "SELECT transaction_id, COUNT(*) FROM callback_events WHERE transaction_id >= ? AND transaction_id < ?"
            " GROUP BY transaction_id",
            (FIRST_FLOOD_ID, FIRST_FLOOD_ID + FLOOD_EVENTS),
        )
    )
    missing = [n for n in range(FLOOD_EVENTS) if FIRST_FLOOD_ID + n not in counts]
    assert not missing, f"acknowledged but not stored: {missing[:20]}"
    assert set(counts.values()) == {1}, {tx: c for tx, c in counts.items() if c != 1}

    # The survivor takes the verification lease over and verifies every event the dead one had not
    # claimed (those wait for their claims to expire, README "What a killed replica costs").
    deadline = flood.killed_at + TAKEOVER_S
    while pending_not_held_by(fleet, victim) and time.monotonic() < deadline:
        time.sleep(0.5)
    assert pending_not_held_by(fleet, victim) == 0, f"not verified {TAKEOVER_S} s after the leader was killed"
    print(f"verification taken over {time.monotonic() - flood.killed_at:.1f} s after the kill")

    # No log holds the callback token or a one-time sign-in ticket (nginx logs paths only, token masked).
    access_log = fleet.nginx.access_log.read_text(encoding="utf-8")
    assert '"POST /callbacks/***" 200' in access_log
    assert "ticket=" not in access_log and "token=" not in access_log
    for log in sorted(fleet.nginx.folder.glob("logs/*")) + [r.log for r in fleet.replicas]:
        assert fleet.callback_token not in log.read_text(encoding="utf-8", errors="replace"), log

    # The browser that was on the killed replica: nginx moves it, still signed in (the session is shared).
    on_victim.reload()
    expect_signed_in(on_victim, "operator")
    assert urlsplit(on_victim.url).path == "/"
    assert served_by(fleet, "/") == survivor.address
    screenshot(on_victim, screenshots, "30-moved-after-its-replica-was-killed")
