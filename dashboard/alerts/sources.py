"""What one evaluation looks at: the store (journal, approvals, callbacks, the API's health,
thresholds), the fleet's balances and the reconciliation's differences (callables given by the
composition root). Each condition is evaluated on its own: one whose source fails is left out
(its alerts keep their state), logged; an unreachable database propagates (the background says so
once per outage)."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from datetime import datetime

from dashboard.alerts import conditions
from dashboard.alerts.conditions import IbanBalance, ReconDifference
from dashboard.alerts.model import (
    API_UNREACHABLE,
    APPROVAL_WAITING,
    BALANCE_LOW,
    CALLBACK_VERIFICATION,
    PAYOUT_UNKNOWN,
    RECONCILIATION,
    Observation,
)
from dashboard.config.alerts import AlertSettings
from dashboard.money import to_kurus
from dashboard.store import Store, StoreUnavailable
from dashboard.store.alerts import FIRING

log = logging.getLogger(__name__)

API = "api"  # the name under which the background's calls record the API's health
CALLBACKS_LOOKED_AT = 500  # newest failed verifications read per evaluation (one alert counts them)


def no_differences() -> list[ReconDifference]:
    """The default reconciliation source (the composition root wires the real one)."""
    return []


class AlertSources:
    """`observe(now)`: per condition evaluated, the alerts true now."""

    def __init__(
        self,
        store: Store,
        limits: AlertSettings,
        *,
        balances: Callable[[], Iterable[IbanBalance]],
        differences: Callable[[], Iterable[ReconDifference]] = no_differences,
    ) -> None:
        self._store, self._limits = store, limits
        self._balances, self._differences = balances, differences

    def observe(self, now: datetime) -> dict[str, list[Observation]]:
        steps: dict[str, Callable[[datetime], list[Observation]]] = {
            BALANCE_LOW: self._balance_low,
            PAYOUT_UNKNOWN: self._payouts,
            APPROVAL_WAITING: self._approvals,
            CALLBACK_VERIFICATION: self._callbacks,
            API_UNREACHABLE: self._api,
            RECONCILIATION: lambda _now: conditions.reconciliation(self._differences()),
        }
        out: dict[str, list[Observation]] = {}
        for condition, step in steps.items():
            try:
                out[condition] = step(now)
            except StoreUnavailable:
                raise
            except Exception:
                log.exception("alert condition %s could not be evaluated; its alerts keep their state", condition)
        return out

    def _balance_low(self, now: datetime) -> list[Observation]:
        repo = self._store.alerts
        thresholds = repo.thresholds()
        firing = {row.alert_key for row in repo.states(state=FIRING, kind=BALANCE_LOW)}
        balances = list(self._balances()) if thresholds or firing else []
        return conditions.balance_low(
            balances, thresholds, firing=firing, margin_kurus=to_kurus(self._limits.balance_margin)
        )

    def _payouts(self, now: datetime) -> list[Observation]:
        ops = self._store.operations.in_states(["unknown"])
        return conditions.payouts_unknown(ops, now=now, minutes=self._limits.unknown_minutes)

    def _approvals(self, now: datetime) -> list[Observation]:
        waiting = self._store.approvals.in_state("waiting")
        return conditions.approvals_waiting(waiting, now=now, minutes=self._limits.approval_minutes)

    def _callbacks(self, now: datetime) -> list[Observation]:
        events = [
            e
            for verification in conditions.FAILED_VERIFICATIONS
            for e in self._store.callbacks.events(verification=verification, limit=CALLBACKS_LOOKED_AT)
        ]
        return conditions.callbacks_failing(events, now=now, minutes=self._limits.callback_minutes)

    def _api(self, now: datetime) -> list[Observation]:
        health = self._store.alerts.health(API)
        return conditions.api_unreachable(health, now=now, minutes=self._limits.upstream_minutes)


def api_error_kind(error: BaseException) -> str:
    """What the API's health records of a failed call: the error's kind and HTTP status, never its
    message (which could echo a request)."""
    code = getattr(error, "status_code", None)
    return f"{type(error).__name__} ({code})" if code else type(error).__name__
