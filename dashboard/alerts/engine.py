"""Turning observations into transitions: once per change of state, never once per poll.

`AlertEngine.apply(observed, at)` takes, per condition that was evaluated, the alerts true now.
An alert true now and not firing in the store fires; a firing alert of an evaluated condition that
is no longer true recovers; one that stays firing only has its values refreshed. Each transition
is a compare-and-set in the store (`store.alerts.transition`): when two evaluators (two replicas
during a lease handover) see the same change, one records it and only that one calls `notify`.
A condition that could not be evaluated (its source failed) is absent from `observed`: its alerts
keep their state rather than recover on a failed look.

Handing over: after recording, every transition not yet taken by `notify` is handed to it, each
claimed first (compare-and-set, for HANDOVER_CLAIM) so one evaluator hands it; when `notify` raises,
or the process dies between recording and handing over, the next evaluation (on any replica) hands
it again. So `notify` gets each transition once, and again only after a failure -- the same
`AlertTransition` (alert key, version, time), which the outbox recognises.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime, timedelta

from dashboard.alerts.model import FIRED, RECOVERED, RECOVERED_DETAIL, AlertTransition, Observation, describe
from dashboard.i18n import translate
from dashboard.store.alerts import FIRING, OK, AlertRepository
from dashboard.store.rows import AlertEventRow, AlertStateRow

log = logging.getLogger(__name__)

Notify = Callable[[AlertTransition], None]
HANDOVER_CLAIM = timedelta(minutes=2)  # longer than any notify call (an outbox insert) takes


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
        self.hand_over(at)
        return out

    def hand_over(self, at: datetime) -> int:
        """Hand every transition `notify` has not taken yet to it, once; how many it took."""
        taken = 0
        for event in self._repo.unhanded(now=at):
            if not self._repo.claim_handover(event.id, now=at, until=at + HANDOVER_CLAIM):
                continue  # another evaluator hands this one
            try:
                self._notify(to_transition(event))
            except Exception:  # delivery's own failure: the record stays, the next evaluation hands it again
                log.exception("alert %s: notify failed; handed over again at the next evaluation", event.alert_key)
                self._repo.finish_handover(event.id, handed_at=None)
                continue
            self._repo.finish_handover(event.id, handed_at=at)
            taken += 1
        return taken

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
        if event is None:  # another evaluator recorded this change first: it hands it over, not us
            log.info("alert %s: changed by another evaluator meanwhile", change["alert_key"])
            return []
        return [to_transition(event)]


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
