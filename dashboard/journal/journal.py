"""`Journal`: the one object callers hold. It builds on two halves, `Submitting` and `Settling`."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Sequence
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any, cast

from dashboard.audit import AuditLog
from dashboard.client.protocol import MoneyClient
from dashboard.journal.records import HELD, PENDING, UNKNOWN, Operation
from dashboard.journal.settling import Settling
from dashboard.journal.submitting import Submitting
from dashboard.store import Store
from dashboard.timeutil import DEFAULT_TZ, zone

log = logging.getLogger(__name__)


class Journal(Submitting, Settling):
    """Submits money actions exactly once and settles the ones whose outcome is unknown."""

    def __init__(
        self,
        store: Store,
        client: MoneyClient | Callable[[], MoneyClient],
        *,
        audit: AuditLog | None = None,
        clock: Callable[[], datetime] | None = None,
        duplicate_window: timedelta = timedelta(minutes=10),
        pending_grace: timedelta = timedelta(minutes=5),
        settle_after: timedelta = timedelta(minutes=15),
        match_slack: timedelta = timedelta(minutes=2),
        settle_first_wait: timedelta = timedelta(seconds=30),
        settle_max_wait: timedelta = timedelta(minutes=30),
        settle_horizon: timedelta = timedelta(hours=24),
        tz: str = DEFAULT_TZ,
        approval_threshold: Decimal | None = None,
        ibans: Callable[[], Sequence[Any]] | None = None,
    ) -> None:
        """`client` is an EnigmaPayClient or a zero-argument factory returning one (resolved per call,
        so a cached client that is rebuilt after a settings change is picked up).

        `approval_threshold`: a payout of at least this amount is refused without an approved
        request (dashboard.approvals); None: no threshold.

        `ibans`: where settling learns the dealer's IBANs (the fleet's shared `/ibans` answer, so
        settling adds no `/ibans` calls of its own); None: ask the client.

        `pending_grace` must exceed the client's longest request time: a pending entry younger than
        that may still be in flight in another thread.
        """
        self._store = store
        self._client_or_factory = client
        self._clock = clock or (lambda: datetime.now(UTC))
        self.audit = audit or AuditLog(store, clock=self._clock)
        self.duplicate_window = duplicate_window
        self.pending_grace = pending_grace
        self.settle_after = settle_after
        self.match_slack = match_slack
        self.settle_first_wait = settle_first_wait
        self.settle_max_wait = settle_max_wait
        self.settle_horizon = settle_horizon
        self.approval_threshold = approval_threshold
        self._tz = zone(tz)
        self._ibans = ibans
        # Operations this process is calling right now. A pending entry not in here was sent by a
        # process that stopped (or by another console on the same store): nothing here awaits it.
        self._calling: set[str] = set()
        self._calling_lock = threading.Lock()

    def _client(self) -> MoneyClient:
        c = self._client_or_factory
        if hasattr(c, "send_money"):
            return cast(MoneyClient, c)
        return cast(Callable[[], MoneyClient], c)()

    # -- reading ------------------------------------------------------------------------

    def get(self, operation_id: str) -> Operation | None:
        row = self._store.operations.get(operation_id)
        return Operation.from_row(row) if row else None

    def recent(self, limit: int = 50) -> list[Operation]:
        return [Operation.from_row(r) for r in self._store.operations.recent(limit)]

    def last_outcome(self, actor: str, kind: str) -> Operation | None:
        """`actor`'s newest `kind` entry that reached a send (a held one did not), unless they dismissed it.

        The forms show it again after a reload, so an operator never loses what became of a send.
        """
        row = self._store.operations.latest_of(actor, kind, except_states=(HELD,))
        if row is None:
            return None
        # A dismissal covers its entry and every older one (it may be a held entry, newer than `row`).
        dismissed_id = self._store.operations.dismissed_outcome(actor, kind)
        dismissed = self._store.operations.get(dismissed_id) if dismissed_id else None
        if dismissed is not None and row.created_at <= dismissed.created_at:
            return None
        return Operation.from_row(row)

    def dismiss_outcome(self, actor: str, operation_id: str) -> None:
        """`actor` has seen this outcome: a reload no longer shows it (a newer one still shows)."""
        op = self.get(operation_id)
        if op is not None:
            self._store.operations.set_dismissed_outcome(actor, op.kind, op.id, at=self._clock())

    def find_by_transaction(self, transaction_id: int) -> Operation | None:
        rows = self._store.operations.by_transaction(int(transaction_id))
        return Operation.from_row(rows[0]) if rows else None

    def unsettled(self) -> list[Operation]:
        """Unknown entries, and pending ones older than `pending_grace` (the process died mid-call)."""
        stale = self._store.operations.in_states((PENDING,), created_before=self._clock() - self.pending_grace)
        unknown = self._store.operations.in_states((UNKNOWN,))
        rows = sorted([*stale, *unknown], key=lambda r: r.created_at)
        return [Operation.from_row(r) for r in rows]
