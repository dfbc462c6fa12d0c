"""Leases: each background job runs in one process of the fleet at a time.

A lease is taken or kept by `hold()` (True while this process holds it):
- SQLite: a row of the `leases` table with an expiry, taken when free or expired, renewed by its
  holder (`TableLease`, LEASE_TTL long from each renewal).
- PostgreSQL: `pg_try_advisory_lock` on a connection of its own (`store.fleet.advisory_lock`): a
  dead holder's connection closes and its lock is free at once.

`LeaseKeeper` renews all of a process's leases every RENEW_EVERY seconds and answers `leading(name)`
from memory: a lease counts as held only until LEASE_TTL - CLOCK_MARGIN after the start of its last
successful renewal, which is before it can expire in the database (or the server ends a silent lock
session). So a leader that cannot renew (database gone, process frozen) stops acting before anyone
else may take over, and a loss is noticed before its work runs again.

Takeover (TAKEOVER_WITHIN): the killed leader's lease expires at most LEASE_TTL after its last
renewal (PostgreSQL: at once when the process dies, LOCK_IDLE_TIMEOUT_S when it hangs); the others
try every RENEW_EVERY seconds and their jobs check every JOB_TICK seconds: 30 + 10 + 1 <= 45 s.
The hosts' clocks must agree within CLOCK_MARGIN (NTP) for the table lease.
"""

from __future__ import annotations

import asyncio
import logging
import os
import secrets
import socket
import threading
import time
from collections.abc import Callable, Iterable
from datetime import UTC, datetime, timedelta
from typing import Protocol

from dashboard.outage import OutageLog
from dashboard.store import Store, StoreUnavailable
from dashboard.store.fleet import FleetRepository

log = logging.getLogger(__name__)

LEASE_TTL = 30.0  # seconds a table lease lasts after its last renewal
RENEW_EVERY = 10.0  # every process renews (or tries to take) its leases this often
CLOCK_MARGIN = 5.0  # a holder stops counting on its lease this long before it expires
JOB_TICK = 1.0  # a job loop looks whether it leads (and is due) this often
TAKEOVER_WITHIN = 45.0  # documented bound: LEASE_TTL + RENEW_EVERY + JOB_TICK, rounded up


class Lease(Protocol):
    name: str

    def hold(self) -> bool: ...

    def release(self) -> None: ...


def holder_id() -> str:
    """Who holds a lease or a slot: host, process id and a random suffix (a restarted process with
    a recycled pid is somebody else)."""
    return f"{socket.gethostname()}:{os.getpid()}:{secrets.token_hex(4)}"


def _utc_now() -> datetime:
    return datetime.now(UTC)


class TableLease:
    """Lease `name` as a row of the `leases` table with an expiry (SQLite; any engine works)."""

    def __init__(
        self,
        fleet: FleetRepository,
        name: str,
        holder: str,
        *,
        ttl: float = LEASE_TTL,
        clock: Callable[[], datetime] = _utc_now,
    ) -> None:
        self._fleet, self.name, self.holder, self._ttl, self._clock = fleet, name, holder, ttl, clock

    def __repr__(self) -> str:
        return f"TableLease({self.name!r}, holder={self.holder!r})"

    def hold(self) -> bool:
        now = self._clock()
        return self._fleet.take_lease(self.name, self.holder, now=now, until=now + timedelta(seconds=self._ttl))

    def release(self) -> None:
        self._fleet.release_lease(self.name, self.holder)


def open_lease(store: Store, name: str, holder: str) -> Lease:
    """The lease `name` for `holder` as this store's engine does leases best."""
    if store.engine.name == "postgresql":
        return store.fleet.advisory_lock(name, holder)
    return TableLease(store.fleet, name, holder)


class LeaseKeeper:
    """This process's leases: renewed together (`renew`, `keep`), asked from memory (`leading`)."""

    def __init__(
        self,
        leases: Iterable[Lease],
        *,
        valid_for: float = LEASE_TTL - CLOCK_MARGIN,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self.leases = {lease.name: lease for lease in leases}
        self._valid_for, self._monotonic = valid_for, monotonic
        self._valid_until: dict[str, float] = {}
        self._busy = threading.Lock()  # a renewal and a release never overlap (leases are not thread-safe)
        # Set by dashboard.background: an unreachable database is said once per outage there (not one
        # warning per lease per renewal), and a renewal round that reached it ends the outage.
        self.outage: OutageLog | None = None

    def renew(self) -> None:
        """One round: take or keep every lease. A lease another process holds stops counting at once;
        one that could not be asked (database unreachable) counts until its last renewal runs out."""
        with self._busy:
            self._renew()

    def _renew(self) -> None:
        reached = True
        for name, lease in self.leases.items():
            started = self._monotonic()
            try:
                held = lease.hold()
            except StoreUnavailable as exc:
                reached = False
                if self.outage is not None:
                    self.outage.failed(exc)
                else:
                    log.warning("lease %s: renewal failed (%s)", name, type(exc).__name__)
                continue
            except Exception as exc:
                log.warning("lease %s: renewal failed (%s)", name, type(exc).__name__)
                continue
            was = self.leading(name)
            if held:
                self._valid_until[name] = started + self._valid_for
            else:
                self._valid_until.pop(name, None)
            if held != was:
                log.info("lease %s: %s", name, "taken" if held else "lost")
        if reached and self.outage is not None:
            self.outage.worked()

    def leading(self, name: str) -> bool:
        """Whether this process may run job `name` now."""
        return self._monotonic() < self._valid_until.get(name, float("-inf"))

    def release_all(self) -> None:
        """Hand every lease back (a clean shutdown: another process takes over at its next renewal)."""
        with self._busy:
            self._release_all()

    def _release_all(self) -> None:
        for name, lease in self.leases.items():
            self._valid_until.pop(name, None)
            try:
                lease.release()
            except Exception as exc:
                log.warning("lease %s: release failed (%s)", name, type(exc).__name__)

    async def keep(self, every: float = RENEW_EVERY) -> None:
        """Renew every `every` seconds until cancelled; the leases are released then."""
        try:
            while True:
                await asyncio.to_thread(self.renew)
                await asyncio.sleep(every)
        finally:
            await asyncio.shield(asyncio.to_thread(self.release_all))


class LeasedJob:
    """When a job that runs every `every` seconds under lease `name` is due: only while this process
    leads, and at once when it has just become the leader (the old leader's run may be missed)."""

    def __init__(
        self, keeper: LeaseKeeper, name: str, every: float, *, monotonic: Callable[[], float] = time.monotonic
    ) -> None:
        self.keeper, self.name, self.every, self._monotonic = keeper, name, every, monotonic
        self._last: float | None = None

    def due(self) -> bool:
        """True when the job should run now (and counts it as run)."""
        if not self.keeper.leading(self.name):
            self._last = None
            return False
        now = self._monotonic()
        if self._last is not None and now - self._last < self.every:
            return False
        self._last = now
        return True
