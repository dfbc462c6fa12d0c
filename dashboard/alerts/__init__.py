"""Alerts: conditions worth a person's attention, their state (fire once, recover once, with
hysteresis), history and acknowledgement. No Streamlit; delivery (e-mail, webhook) is not here:
each transition is handed to the `notify` callable the composition root gives.

    model.py       conditions, Observation, AlertTransition, texts (English and the reader's language)
    conditions.py  pure functions: what is true now
    sources.py     what one evaluation reads (store, balances, reconciliation)
    engine.py      observations -> transitions (compare-and-set in the store), notify once each
    view.py        what the console shows and does (the Alerts page, the sidebar), via data_access

Evaluated by the background leader (dashboard/background.py, lease "alerts").
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime

from dashboard.alerts.conditions import IbanBalance, ReconDifference
from dashboard.alerts.engine import AlertEngine, Notify, notify_nothing
from dashboard.alerts.model import CONDITIONS, FIRED, RECOVERED, AlertTransition, Observation
from dashboard.alerts.sources import API, AlertSources

__all__ = [
    "API",
    "CONDITIONS",
    "FIRED",
    "RECOVERED",
    "AlertEngine",
    "AlertSources",
    "AlertTransition",
    "Alerts",
    "IbanBalance",
    "Notify",
    "Observation",
    "ReconDifference",
    "notify_nothing",
]

log = logging.getLogger(__name__)


class Alerts:
    """One evaluation: what the sources observe now, turned into transitions by the engine."""

    def __init__(self, sources: AlertSources, engine: AlertEngine, clock: Callable[[], datetime]) -> None:
        self.sources, self.engine, self._clock = sources, engine, clock

    def evaluate(self) -> list[AlertTransition]:
        now = self._clock()
        transitions = self.engine.apply(self.sources.observe(now), now)
        for t in transitions:
            log.info("alert %s %s: %s", t.alert_key, t.state, t.title)
        return transitions
