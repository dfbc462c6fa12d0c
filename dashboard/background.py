"""Work the server does on its own, once per process (started by the lifespan in `app.py`):

- every minute: store each IBAN's balance (charts use these snapshots), via the same 60 s cache
  the pages use, so the background adds no upstream calls of its own;
- every 30 s: settle journal entries whose outcome is unknown and verify new callbacks against
  transaction-status.

Each step is plain synchronous code run in a worker thread; a failure is logged and retried on
the next tick, never fatal.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable

from dashboard import data_access
from dashboard.money import quantize, to_kurus
from dashboard.timeutil import now

log = logging.getLogger(__name__)

SNAPSHOT_EVERY = 60.0
SETTLE_EVERY = 30.0


def snapshot_balances() -> int:
    """Store the current balances; returns how many rows were new."""
    loaded = data_access.load_ibans()
    if loaded.error is not None or not loaded.value:
        return 0
    taken_at = loaded.fetched_at or now(data_access.settings().timezone)
    rows = [{"iban_id": i.id, "taken_at": taken_at, "balance_kurus": to_kurus(quantize(i.balance))} for i in loaded.value]
    return data_access.services().store.add_balance_snapshots(rows)


def settle_and_verify() -> None:
    services = data_access.services()
    services.journal.settle_all()
    if services.callbacks is not None:
        services.callbacks.verify_pending(data_access.backend().client)


def connect_sandbox_callbacks(origin: str) -> None:
    """Point the built-in sandbox's callbacks at this server, so the loop runs out of the box."""
    backend, services = data_access.backend(), data_access.services()
    if backend.sandbox is not None and services.callbacks is not None:
        backend.sandbox.state.set_callback_url(origin + services.callbacks.callback_path())


async def _every(seconds: float, step: Callable[[], object]) -> None:
    while True:
        try:
            await asyncio.to_thread(step)
        except Exception:  # noqa: BLE001 -- the next tick retries; one bad minute must not stop the loop
            log.exception("background step %s failed", step.__name__)
        await asyncio.sleep(seconds)


async def run(origin: str) -> None:
    """All background loops; cancelled when the server stops."""
    await asyncio.to_thread(connect_sandbox_callbacks, origin)
    await asyncio.gather(_every(SNAPSHOT_EVERY, snapshot_balances), _every(SETTLE_EVERY, settle_and_verify))
