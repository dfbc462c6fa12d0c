"""What the rest of the console holds: one Notifier per process (services.notifier()).

notifier.notify(transition)   an alert fired or recovered: its one message into the outbox
notifier.step()               the background job (under the "notify" lease): the daily report when
                              due, then every due delivery
notifier.status()             channels configured, deliveries failing or given up (for a page)
"""

from __future__ import annotations

from dataclasses import dataclass

from dashboard.notify.messages import CHANNELS, Transition, alert_notification
from dashboard.notify.outbox import Outbox
from dashboard.notify.report import DailyReport
from dashboard.store.rows import DeliveryRow


@dataclass(frozen=True)
class NotifyStatus:
    channels: dict[str, bool]  # channel -> configured
    daily_report_at: str | None  # "08:00", None: off
    counts: dict[str, int]  # deliveries per state
    problems: list[DeliveryRow]  # retrying or given up, newest first


@dataclass
class Notifier:
    outbox: Outbox
    report: DailyReport | None = None  # None: ENIGMAPAY_DAILY_REPORT_AT unset
    lang: str = "en"
    tz: str | None = None  # the dealer's zone, for times in messages

    def notify(self, transition: Transition) -> bool:
        """Enqueue the message of an alert transition; False when the same transition was queued before."""
        return self.outbox.enqueue(alert_notification(transition, self.lang, self.tz))

    def step(self) -> dict[str, int]:
        if self.report is not None:
            self.report.run()
        return self.outbox.deliver_due()

    def status(self, limit: int = 20) -> NotifyStatus:
        return NotifyStatus(
            channels={name: self.outbox.channels.get(name) is not None for name in CHANNELS},
            daily_report_at=self.report.at.strftime("%H:%M") if self.report is not None else None,
            counts=self.outbox.repo.counts(),
            problems=self.outbox.problems(limit),
        )
