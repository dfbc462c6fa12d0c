"""Work the server does on its own, once per fleet (started by the lifespan in `app.py`):

- every minute: store each IBAN's balance (charts use these snapshots), from the same shared
  `/ibans` answer the pages use, so the background adds no upstream calls of its own;
- every 30 s: settle the journal entries that are due (each entry backs off on its own, see
  dashboard.journal); expire requests for approval whose time ran out, and send approved payouts
  that a stopped process approved but did not send (dashboard.approvals, once per payout);
- continuously: verify callbacks against transaction-status, one claimed batch after the other at
  ENIGMAPAY_VERIFY_RATE; when none wait, look again after VERIFY_IDLE_WAIT;
- every NOTIFY_EVERY seconds: notifications (dashboard.notify): the daily report when its time has
  come, then each due e-mail / webhook delivery of the outbox (alerts, the report), retried with backoff;
- every 45 s: evaluate the alerts (dashboard.alerts): each transition recorded once by compare-and-set
  and handed once to delivery; the snapshots' `/ibans` call records the API's health for them;
- payout batches: the batch sender's own thread (dashboard.batches.sender) takes up approvals and
  sends approved batches; woken here every BATCH_EVERY seconds, so after a restart an interrupted
  batch goes on where it stopped.

Each job runs under a lease (dashboard.fleet.leases): of all consoles on one database only the
leader of a job runs it; the others take over within fleet.TAKEOVER_WITHIN (45 s) when the leader
dies. Each step is plain synchronous code run in a worker thread; a failure is logged and retried
on the next tick, never fatal. A database that cannot be reached
(`StoreUnavailable`) is said once per outage -- one warning when it starts (a step or the lease
renewal meets it), one info line when the lease renewal reaches the database again -- not a
traceback per tick; the loops carry on and pick the work up when it is back.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable

from dashboard import data_access, records, services
from dashboard.alerts.sources import API, api_error_kind
from dashboard.fleet import LeasedJob, LeaseKeeper
from dashboard.fleet.leases import JOB_TICK
from dashboard.loaded import Loaded
from dashboard.money import quantize, to_kurus
from dashboard.outage import OutageLog
from dashboard.store import StoreUnavailable
from dashboard.timeutil import now

log = logging.getLogger(__name__)

SNAPSHOT_EVERY = 60.0
SETTLE_EVERY = 30.0
VERIFY_IDLE_WAIT = 5.0
VERIFY_RETRY_WAIT = 30.0  # after the API failed: the next batch would most likely fail too
NOTIFY_EVERY = 15.0
JOBS = ("snapshots", "settling", "verification", "approvals", "batches", "alerts", "notify")  # one lease each
START_RETRY_WAIT = 10.0
BATCH_EVERY = 30.0
ALERTS_EVERY = 45.0
FRESH_ANSWER = 180.0  # seconds: an /ibans answer older than this means the fleet's asks have been failing

# Shared by the loops: one warning per outage for all of them.
outage = OutageLog(
    log, "background work (leases, snapshots, settling, verification, approvals, batches, alerts, notify)"
)


def snapshot_balances() -> int:
    """Store the current balances; returns how many rows were new."""
    loaded = data_access.load_ibans()
    record_api_health(loaded)
    if loaded.error is not None or not loaded.value:
        return 0
    taken_at = loaded.fetched_at or now(services.settings().timezone)
    rows = [
        {"iban_id": i.id, "taken_at": taken_at, "balance_kurus": to_kurus(quantize(i.balance))} for i in loaded.value
    ]
    return services.records().store.balances.add(rows)


def record_api_health(loaded: Loaded) -> None:
    """The snapshots' `/ibans` call as the API's health, kept in the store so every replica's alerts
    agree: failed (this replica asked), stale (the fleet's asks have been failing), or answered."""
    at = now(services.settings().timezone)
    repo = services.records().store.alerts
    if loaded.error is not None:
        repo.record_call(API, at=at, error=api_error_kind(loaded.error))
    elif loaded.fetched_at is not None and (at - loaded.fetched_at).total_seconds() > FRESH_ANSWER:
        repo.record_call(API, at=at, error="no fresh answer")
    elif loaded.fetched_at is not None:
        repo.record_call(API, at=loaded.fetched_at)


def evaluate_alerts() -> None:
    services.alerts().evaluate()


def settle() -> None:
    services.records().journal.settle_all()


def wake_batches() -> None:
    services.batch_sender().wake()


def notifications() -> None:
    services.notifier().step()


def approvals() -> None:
    desk = services.records().approvals
    desk.expire_due()
    desk.dispatch_approved()


def verify_wait(counts: dict[str, int]) -> float:
    """Seconds before the next verification batch, given what the last one did."""
    if counts.get("errors"):
        return VERIFY_RETRY_WAIT
    return 0.0 if any(counts.values()) else VERIFY_IDLE_WAIT


def connect_sandbox_callbacks(origin: str) -> None:
    """Point the built-in sandbox's callbacks at this server, so the loop runs out of the box."""
    backend, intake = services.backend(), services.records().callbacks
    if backend.sandbox is not None and intake is not None:
        backend.sandbox.state.set_callback_url(origin + intake.callback_path())


async def _every(job: LeasedJob, step: Callable[[], object]) -> None:
    """`step` every `job.every` seconds while this process leads the job."""
    while True:
        if job.due():
            try:
                await asyncio.to_thread(step)
            except StoreUnavailable as exc:
                outage.failed(exc)
            except Exception:
                log.exception("background step %s failed", step.__name__)
        await asyncio.sleep(JOB_TICK)


async def _verify_continuously(keeper: LeaseKeeper) -> None:
    while True:
        if not keeper.leading("verification"):
            await asyncio.sleep(JOB_TICK)
            continue
        try:
            counts = await asyncio.to_thread(records.verify_callbacks_now)
        except StoreUnavailable as exc:
            outage.failed(exc)
            counts = {"errors": 1}  # wait VERIFY_RETRY_WAIT before asking again
        except Exception:
            log.exception("callback verification failed")
            counts = {"errors": 1}
        await asyncio.sleep(verify_wait(counts))


async def _start(origin: str) -> LeaseKeeper:
    """Connect the sandbox's callbacks and open the leases; retried until the store can be reached
    (a replica starting while its database is down does its background work once it is back)."""
    while True:
        try:
            await asyncio.to_thread(connect_sandbox_callbacks, origin)
            keeper = await asyncio.to_thread(services.lease_keeper, JOBS)
        except StoreUnavailable as exc:  # one warning per outage, not a traceback every START_RETRY_WAIT
            outage.failed(exc)
        except Exception:
            log.exception("background work cannot start yet; trying again in %s s", START_RETRY_WAIT)
        else:
            keeper.outage = outage  # its renewals say when an outage starts and ends
            return keeper
        await asyncio.sleep(START_RETRY_WAIT)


async def run(origin: str) -> None:
    """All background loops, each under its lease; cancelled when the server stops (the leases are
    handed back then, so another replica takes over at its next renewal)."""
    keeper = await _start(origin)
    await asyncio.gather(
        keeper.keep(),
        _every(LeasedJob(keeper, "snapshots", SNAPSHOT_EVERY), snapshot_balances),
        _every(LeasedJob(keeper, "settling", SETTLE_EVERY), settle),
        _every(LeasedJob(keeper, "approvals", SETTLE_EVERY), approvals),
        _verify_continuously(keeper),
        _every(LeasedJob(keeper, "batches", BATCH_EVERY), wake_batches),
        _every(LeasedJob(keeper, "notify", NOTIFY_EVERY), notifications),
        _every(LeasedJob(keeper, "alerts", ALERTS_EVERY), evaluate_alerts),
    )
