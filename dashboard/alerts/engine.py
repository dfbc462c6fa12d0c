"""Turning observations into transitions: once per change of state, never once per poll.

`AlertEngine.apply(observed, at)` takes, per condition that was evaluated, the alerts true now.
An alert true now and not firing in the store fires; a firing alert of an evaluated condition that
is no longer true recovers; one that stays firing only has its values refreshed. Each transition
is a compare-and-set in the store (`store.alerts.transition`): when two evaluators (two replicas
during a lease handover) see the same change, one records it and only that one calls `notify`.
A condition that could not be evaluated (its source failed) is absent from `observed`: its alerts
keep their state rather than recover on a failed look.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime

from dashboard.alerts.model import FIRED, RECOVERED, RECOVERED_DETAIL, AlertTransition, Observation, describe
from dashboard.i18n import translate
from dashboard.store.alerts import FIRING, OK, AlertRepository
from dashboard.store.rows import AlertEventRow, AlertStateRow

log = logging.getLogger(__name__)

Notify = Callable[[AlertTransition], None]


def notify_nothing(transition: AlertTransition) -> None:
    """The default `notify`: delivery (e-mail, webhook) is wired in by the composition root."""


class AlertEngine:
    """Records alert transitions in `repo` and hands each one to `notify` exactly once."""

    def __init__(self, repo: AlertRepository, notify: Notify = notify_nothing) -> None:
        self._repo, self._notify = repo, notify

    def apply(self, observed: Mapping[str, Sequence[Observation]], at: datetime) -> list[AlertTransition]:
        """The transitions this evaluation recorded (and notified), fired ones first."""
        current = {row.alert_key: row for row in self._repo.states()}
        out: list[AlertTransition] = []
        for condition, observations in observed.items():
            true_now = {o.key: o for o in observations}
            for key, obs in true_now.items():
                row = current.get(key)
                if row is None or row.state != FIRING:
                    out += self._move(row, obs, at)
                elif row.details != obs.details:
                    title, detail = describe(obs.condition, obs.details)
                    self._repo.update_detail(row, title, detail, obs.details)
            for key, row in current.items():
                if row.kind == condition and row.state == FIRING and key not in true_now:
                    out += self._move(row, None, at)
        return out

    def _move(self, row: AlertStateRow | None, obs: Observation | None, at: datetime) -> list[AlertTransition]:
        if obs is not None:
            title, detail = describe(obs.condition, obs.details)
            change = {
                "alert_key": obs.key,
                "kind": obs.condition,
                "subject": obs.subject,
                "state": FIRING,
                "title": title,
                "detail": detail,
                "details": obs.details,
            }
        else:
            assert row is not None
            detail = translate(RECOVERED_DETAIL, "en", detail=row.detail)
            change = {
                "alert_key": row.alert_key,
                "kind": row.kind,
                "subject": row.subject,
                "state": OK,
                "title": row.title,
                "detail": detail,
                "details": row.details or {},
            }
        event = self._repo.transition(row, change, at=at)
        if event is None:  # another evaluator recorded this change first: it notifies, not us
            log.info("alert %s: changed by another evaluator meanwhile", change["alert_key"])
            return []
        transition = to_transition(event)
        try:
            self._notify(transition)
        except Exception:  # delivery is the outbox's business; a failing hand-over must not undo the record
            log.exception("alert %s: notify failed", transition.alert_key)
        return [transition]


def to_transition(event: AlertEventRow) -> AlertTransition:
    return AlertTransition(
        alert_key=event.alert_key,
        condition=event.kind,
        subject=event.subject,
        state=FIRED if event.state == FIRING else RECOVERED,
        at=event.changed_at,
        title=event.title,
        detail=event.detail,
        details=event.details or {},
        version=event.version,
    )
