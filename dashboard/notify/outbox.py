"""The outbox: notifications stored once, delivered once per channel, retried with backoff.

    outbox.enqueue(notification)   idempotent by key: the same state change twice is one message
    outbox.deliver_due()           the background job's step: every due delivery, one claimed at a time

Each delivery (one message on one channel) is claimed in the store before it is sent, so two workers
on one database never send the same delivery at the same time; a sent one is never claimed again. A
failure (DeliveryError) puts it back with the next attempt after a backoff (BACKOFF_BASE doubling, at
most BACKOFF_MAX) until MAX_ATTEMPTS, then it is `failed` and stays visible. A channel that is not
configured is `skipped`, with that reason. A worker that dies between sending and recording leaves the
claim to expire (CLAIM_TTL, longer than a send may take): the message then goes again, under the same
idempotency key (Message-ID / X-EnigmaPay-Notification), which receivers can drop.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from dashboard.notify.channels import Channel, DeliveryError
from dashboard.notify.messages import CHANNELS, Notification, stored
from dashboard.store.notifications import FAILED, PENDING, SENT, SKIPPED, NotificationRepository
from dashboard.store.rows import DeliveryRow

log = logging.getLogger(__name__)

BACKOFF_BASE = timedelta(seconds=30)
BACKOFF_MAX = timedelta(hours=1)
MAX_ATTEMPTS = 10  # about 5 hours of trying
NOT_CONFIGURED = "not configured"


def backoff(attempts: int, base: timedelta = BACKOFF_BASE, most: timedelta = BACKOFF_MAX) -> timedelta:
    """The wait after the `attempts`-th failure: base, 2 base, 4 base, ... at most `most`."""
    return min(base * (2 ** max(0, attempts - 1)), most)


def _utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass
class Outbox:
    """`channels`: channel name -> Channel, or None when it is not configured (its deliveries are
    skipped). `holder`: who claims (host, pid, random). `claim_ttl` must exceed one send's timeout."""

    repo: NotificationRepository
    channels: Mapping[str, Channel | None]
    holder: str
    claim_ttl: timedelta = timedelta(minutes=2)
    clock: Callable[[], datetime] = _utc_now
    base: timedelta = BACKOFF_BASE
    max_attempts: int = MAX_ATTEMPTS

    def enqueue(self, notification: Notification) -> bool:
        """Store it with a pending delivery per channel; False when its key was stored before."""
        new = self.repo.enqueue(stored(notification), notification.channels, now=self.clock())
        if new:
            log.info("notification %s (%s) queued", notification.key, notification.kind)
        return new

    def exists(self, key: str) -> bool:
        return self.repo.exists(key)

    def deliver_due(self, *, most: int = 100) -> dict[str, int]:
        """Send every due delivery (at most `most`), one claimed at a time; counts per outcome."""
        counts = {SENT: 0, PENDING: 0, FAILED: 0, SKIPPED: 0}
        for _ in range(most):
            now = self.clock()
            claimed = self.repo.claim(claimant=self.holder, now=now, until=now + self.claim_ttl, limit=1)
            if not claimed:
                break
            message, delivery = claimed[0]
            counts[self._deliver(message, delivery)] += 1
        return counts

    def _deliver(self, message, delivery: DeliveryRow) -> str:
        channel = self.channels.get(delivery.channel)
        if channel is None:
            self._finish(delivery, SKIPPED, last_error=NOT_CONFIGURED)
            return SKIPPED
        try:
            channel.send(message)
        except DeliveryError as exc:
            return self._failed(delivery, str(exc))
        except Exception as exc:  # a bug or an unexpected library error: its text could hold anything
            log.exception("notification %s on %s: unexpected error", message.id, delivery.channel)
            return self._failed(delivery, f"unexpected error: {type(exc).__name__}")
        self._finish(delivery, SENT, sent_at=self.clock(), attempts=delivery.attempts + 1, last_error=None)
        log.info("notification %s sent by %s", message.id, delivery.channel)
        return SENT

    def _failed(self, delivery: DeliveryRow, error: str) -> str:
        attempts = delivery.attempts + 1
        if attempts >= self.max_attempts:
            log.warning("notification %s on %s failed for good: %s", delivery.notification_id, delivery.channel, error)
            self._finish(delivery, FAILED, attempts=attempts, last_error=error)
            return FAILED
        wait = backoff(attempts, self.base)
        log.warning(
            "notification %s on %s failed (attempt %s, next in %s): %s",
            delivery.notification_id,
            delivery.channel,
            attempts,
            wait,
            error,
        )
        self._finish(delivery, PENDING, attempts=attempts, last_error=error, next_attempt_at=self.clock() + wait)
        return PENDING

    def _finish(self, delivery: DeliveryRow, state: str, **changes) -> None:
        done = self.repo.finish(
            delivery.notification_id, delivery.channel, claimant=self.holder, state=state, now=self.clock(), **changes
        )
        if not done:  # the claim expired meanwhile (a send slower than claim_ttl): someone may send it again
            log.warning(
                "notification %s on %s: claim lost before it was recorded", delivery.notification_id, delivery.channel
            )

    def channel_states(self) -> dict[str, bool]:
        """Each known channel: configured or not."""
        return {name: self.channels.get(name) is not None for name in CHANNELS}

    def recent(self, *, states=None, limit: int = 50) -> list[DeliveryRow]:
        return self.repo.deliveries(states=states, limit=limit)

    def problems(self, limit: int = 50) -> list[DeliveryRow]:
        """Deliveries that failed for good, and pending ones that failed at least once (retrying)."""
        rows = self.repo.deliveries(states=[FAILED, PENDING], limit=limit)
        return [r for r in rows if r.state == FAILED or r.attempts > 0]
