"""Work the server does on its own, once per process (started by the lifespan in `app.py`):

- every minute: store each IBAN's balance (charts use these snapshots), via the same 60 s cache
  the pages use, so the background adds no upstream calls of its own;
- every 30 s: settle the journal entries that are due (each entry backs off on its own, see
  dashboard.journal); expire requests for approval whose time ran out, and send approved payouts
  that a stopped process approved but did not send (dashboard.approvals, once per payout);
- continuously: verify callbacks against transaction-status, one claimed batch after the other at
  ENIGMAPAY_VERIFY_RATE; when none wait, look again after VERIFY_IDLE_WAIT.

Each step is plain synchronous code run in a worker thread; a failure is logged and retried on
the next tick, never fatal. A database that cannot be reached (`StoreUnavailable`) is said once per
outage -- one warning when it starts, one info line when settling reaches the database again -- not
a traceback per tick; the loops carry on and pick the work up when it is back.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable

from dashboard import data_access, records, services
from dashboard.money import quantize, to_kurus
from dashboard.outage import OutageLog
from dashboard.store import StoreUnavailable
from dashboard.timeutil import now

log = logging.getLogger(__name__)

SNAPSHOT_EVERY = 60.0
SETTLE_EVERY = 30.0
VERIFY_IDLE_WAIT = 5.0
VERIFY_RETRY_WAIT = 30.0  # after the API failed: the next batch would most likely fail too

# Shared by the loops: one warning per outage for all of them.
outage = OutageLog(log, "background work (balance snapshots, settling, callback verification)")


def snapshot_balances() -> int:
    """Store the current balances; returns how many rows were new."""
    loaded = data_access.load_ibans()
    if loaded.error is not None or not loaded.value:
        return 0
    taken_at = loaded.fetched_at or now(services.settings().timezone)
    rows = [
        {"iban_id": i.id, "taken_at": taken_at, "balance_kurus": to_kurus(quantize(i.balance))} for i in loaded.value
    ]
    return services.records().store.balances.add(rows)


def settle() -> None:
    services.records().journal.settle_all()


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


async def _every(seconds: float, step: Callable[[], object], *, reaches_store: bool = False) -> None:
    """`step` every `seconds`. `reaches_store`: the step always asks the database, so its success
    ends an outage (a balance snapshot does not ask it when the API failed)."""
    while True:
        try:
            await asyncio.to_thread(step)
        except StoreUnavailable as exc:
            outage.failed(exc)
        except Exception:
            log.exception("background step %s failed", step.__name__)
        else:
            if reaches_store:
                outage.worked()
        await asyncio.sleep(seconds)


async def _verify_continuously() -> None:
    while True:
        try:
            counts = await asyncio.to_thread(records.verify_callbacks_now)
        except StoreUnavailable as exc:
            outage.failed(exc)
            counts = {"errors": 1}  # wait VERIFY_RETRY_WAIT before asking again
        except Exception:
            log.exception("callback verification failed")
            counts = {"errors": 1}
        await asyncio.sleep(verify_wait(counts))


async def run(origin: str) -> None:
    """All background loops; cancelled when the server stops."""
    while True:  # the records cannot be opened while the database is unreachable: try again
        try:
            await asyncio.to_thread(connect_sandbox_callbacks, origin)
            break
        except StoreUnavailable as exc:
            outage.failed(exc)
            await asyncio.sleep(VERIFY_IDLE_WAIT)
    await asyncio.gather(
        _every(SNAPSHOT_EVERY, snapshot_balances),
        _every(SETTLE_EVERY, settle, reaches_store=True),
        _every(SETTLE_EVERY, approvals),
        _verify_continuously(),
    )
