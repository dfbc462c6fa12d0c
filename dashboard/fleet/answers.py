"""One upstream answer for the whole fleet: the IBAN list (`/ibans`) at most once a MAX_AGE.

The answer is kept in the store with the time the provider gave it (`fetched_at`, what the pages
show). A replica serves its own copy while that time is under MAX_AGE old and no payout happened
since (the generation it was read under); then it reads the stored answer, and only when that one
is stale too does it try the compare-and-set slot (`store.fleet.claim_ask`): the one replica that
wins asks upstream and stores the answer; the slot cannot be won again before MAX_AGE after the
claim, so the fleet asks at most once a MAX_AGE. A replica that loses waits up to WAIT_FOR_OTHER
for the winner's answer while the winner's ask is in flight, then keeps the stored answer (with its
true, older time). A failed ask frees the slot ASK_RETRY later. Only a replica with no stored answer
at all (a first start whose winner did not answer in time) asks upstream on its own.

A payout (`GenerationWatch.bump` with this answer's name) makes the stored answer stale and frees
the slot, so the next read anywhere fetches the new balances. A person's Refresh (`refresh`) drops
this replica's copy and reads the store: it asks upstream only when the stored answer is a minute
old, since the provider refreshes balances once a minute and a sooner ask would only repeat them.
So the fleet's limit holds whoever presses Refresh.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import asdict
from datetime import UTC, datetime, timedelta, tzinfo
from decimal import Decimal
from typing import Any, Generic, TypeVar

from dashboard.client import models
from dashboard.store import SharedAnswerRow, StoreUnavailable
from dashboard.store.fleet import FleetRepository

T = TypeVar("T")
log = logging.getLogger(__name__)

MAX_AGE = timedelta(seconds=60)  # upstream refreshes balances once a minute
ASK_RETRY = timedelta(seconds=10)  # after a failed ask, the next one (of any replica) waits this long
WAIT_FOR_OTHER = 5.0  # seconds a replica waits for the answer another replica is fetching
POLL_EVERY = 0.2


class SharedAnswer(Generic[T]):
    """Answer `name` from `fetch()`, shared through `fleet`; `encode` / `decode` turn it into JSON
    and back. Thread-safe: the sessions of one process wait for one read or fetch."""

    def __init__(
        self,
        fleet: FleetRepository,
        name: str,
        holder: str,
        fetch: Callable[[], T],
        *,
        encode: Callable[[T], Any],
        decode: Callable[[Any], T],
        tz: tzinfo = UTC,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
        sleep: Callable[[float], None] = time.sleep,
        max_age: timedelta = MAX_AGE,
        wait: float = WAIT_FOR_OTHER,
    ) -> None:
        self._fleet, self.name, self._holder, self._fetch = fleet, name, holder, fetch
        self._encode, self._decode, self._tz = encode, decode, tz
        self._clock, self._sleep, self._max_age, self._wait = clock, sleep, max_age, wait
        self._lock = threading.Lock()
        self._memo: tuple[int, T, datetime] | None = None  # (generation, value, fetched_at)

    def __repr__(self) -> str:
        return f"SharedAnswer({self.name!r})"

    def get(self, generation: int = 0) -> tuple[T, datetime]:
        """(the answer, when the provider gave it). Raises what `fetch` raises when this replica asked
        upstream and failed."""
        memo = self._memo
        if memo is not None and memo[0] == generation and self._young(memo[2]):
            return memo[1], memo[2]
        with self._lock:
            memo = self._memo
            if memo is not None and memo[0] == generation and self._young(memo[2]):
                return memo[1], memo[2]
            try:
                value, fetched_at = self._shared()
            except StoreUnavailable:
                # The database is out of reach: the balances still come from upstream, this
                # replica's copy for MAX_AGE (the pages say the database is down).
                log.warning("%s: the store cannot be reached; asking upstream for this replica", self.name)
                value, fetched_at = self._fetch(), self._clock()
            fetched_at = fetched_at.astimezone(self._tz)
            self._memo = (generation, value, fetched_at)
            return value, fetched_at

    def forget(self) -> None:
        """Drop this replica's copy: the next `get` reads the store (not necessarily upstream)."""
        self._memo = None

    def refresh(self) -> None:
        """A person pressed Refresh: the next `get` reads the stored answer, or asks upstream when that
        one is a minute old (the provider has nothing newer before then; the fleet's limit holds)."""
        self._memo = None

    def _young(self, fetched_at: datetime) -> bool:
        return self._clock() - fetched_at < self._max_age

    def _fresh(self, row: SharedAnswerRow | None) -> bool:
        return (
            row is not None
            and row.fetched_at is not None
            and row.fetched_epoch == row.epoch
            and self._young(row.fetched_at)
        )

    def _shared(self) -> tuple[T, datetime]:
        row = self._fleet.answer(self.name)
        if self._fresh(row):
            return self._decode(row.answer), row.fetched_at  # type: ignore[union-attr]
        now = self._clock()
        if row is None or row.next_ask_at is None or row.next_ask_at <= now:
            epoch = self._fleet.claim_ask(self.name, self._holder, now=now, next_at=now + self._max_age)
            if epoch is not None:
                return self._ask(epoch)
            row = self._fleet.answer(self.name)
        row = self._await_other(row)
        if row is not None and row.fetched_at is not None:
            return self._decode(row.answer), row.fetched_at
        log.info("%s: no stored answer and none arriving; asking upstream without the slot", self.name)
        return self._ask(None)

    def _ask(self, epoch: int | None) -> tuple[T, datetime]:
        """Ask upstream (holding the slot when `epoch` is given) and store the answer."""
        try:
            value = self._fetch()
        except Exception:
            if epoch is not None:
                self._fleet.ask_failed(self.name, self._holder, retry_at=self._clock() + ASK_RETRY)
            raise
        fetched_at = self._clock()
        if epoch is None:
            row = self._fleet.answer(self.name)
            epoch = -1 if row is None else row.epoch - 1  # asked without the slot: never counts as fresh
        self._fleet.store_answer(self.name, self._encode(value), fetched_at=fetched_at, epoch=epoch)
        return value, fetched_at

    def _await_other(self, row: SharedAnswerRow | None) -> SharedAnswerRow | None:
        """While another replica's ask is in flight (claimed under WAIT_FOR_OTHER ago, not answered),
        poll for its answer; the newest row seen. At most WAIT_FOR_OTHER of polling whatever the
        other host's clock says."""
        polls = int(self._wait / POLL_EVERY)
        while (
            polls > 0
            and row is not None
            and row.asked_by is not None
            and row.asked_at is not None
            and (row.fetched_at is None or row.fetched_at < row.asked_at)
            and (self._clock() - row.asked_at).total_seconds() < self._wait
        ):
            self._sleep(POLL_EVERY)
            polls -= 1
            row = self._fleet.answer(self.name)
        return row


# -- the IBAN list as JSON ----------------------------------------------------------------------


def ibans_to_json(ibans: list[models.Iban]) -> list[dict[str, Any]]:
    """The IBAN list as JSON values: the balance as exact decimal text."""
    return [{**asdict(i), "balance": str(i.balance)} for i in ibans]


def ibans_from_json(values: list[dict[str, Any]]) -> list[models.Iban]:
    return [models.Iban(**{**v, "balance": Decimal(v["balance"])}) for v in values]
