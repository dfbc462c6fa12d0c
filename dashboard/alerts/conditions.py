"""The conditions, as pure functions of what the console knows: each returns the alerts that are
true now (an `Observation` per subject). Whatever fires and is not returned by a condition that
was evaluated has recovered (dashboard.alerts.engine).

Balance hysteresis: an IBAN's alert fires when its balance is below the threshold and, once firing,
stays firing until the balance is above threshold + margin -- a balance hovering at the threshold
fires once, not on every wobble.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from dashboard.alerts.model import (
    API_UNREACHABLE,
    APPROVAL_WAITING,
    BALANCE_LOW,
    CALLBACK_VERIFICATION,
    PAYOUT_UNKNOWN,
    RECONCILIATION,
    Observation,
)
from dashboard.iban import mask_iban
from dashboard.store.rows import AlertThresholdRow, ApprovalRow, CallbackEventRow, OperationRow, UpstreamHealthRow

FAILED_VERIFICATIONS = ("mismatch", "unverified")  # dashboard.callbacks: the API contradicts, or never heard of it


@dataclass(frozen=True)
class IbanBalance:
    iban_id: int
    iban: str
    balance_kurus: int


@dataclass(frozen=True)
class ReconDifference:
    """One IBAN's day whose computed closing balance differs from the provider's (the `recon` work)."""

    iban_id: int
    iban: str
    day: date
    difference_kurus: int


def _minutes(since: datetime, now: datetime) -> int:
    return int((now - since).total_seconds() // 60)


def balance_low(
    balances: Iterable[IbanBalance], thresholds: Mapping[int, AlertThresholdRow], *, firing: set[str], margin_kurus: int
) -> list[Observation]:
    """IBANs below their threshold; one already firing (its key in `firing`) stays so until its
    balance is above threshold + margin (the threshold's own margin, else `margin_kurus`)."""
    out = []
    for b in balances:
        limit = thresholds.get(b.iban_id)
        if limit is None:
            continue
        margin = limit.margin_kurus if limit.margin_kurus is not None else margin_kurus
        obs = Observation(
            BALANCE_LOW,
            str(b.iban_id),
            {
                "iban": mask_iban(b.iban),
                "balance_kurus": b.balance_kurus,
                "threshold_kurus": limit.threshold_kurus,
                "recover_above_kurus": limit.threshold_kurus + margin,
            },
        )
        below = b.balance_kurus < limit.threshold_kurus
        if below or (obs.key in firing and b.balance_kurus <= limit.threshold_kurus + margin):
            out.append(obs)
    return out


def payouts_unknown(operations: Iterable[OperationRow], *, now: datetime, minutes: float) -> list[Observation]:
    """Journal entries whose outcome has been unknown longer than `minutes` (since they were sent)."""
    due = now - timedelta(minutes=minutes)
    return [
        Observation(
            PAYOUT_UNKNOWN,
            op.id,
            {
                "operation_id": op.id,
                "kind": op.kind,
                "amount_kurus": op.amount_kurus,
                "username": op.username,
                "minutes": _minutes(op.created_at, now),
            },
        )
        for op in operations
        if op.state == "unknown" and op.created_at <= due
    ]


def approvals_waiting(requests: Iterable[ApprovalRow], *, now: datetime, minutes: float) -> list[Observation]:
    """Requests for approval waiting longer than `minutes` (and not expired)."""
    due = now - timedelta(minutes=minutes)
    return [
        Observation(
            APPROVAL_WAITING,
            r.id,
            {
                "request_id": r.id,
                "kind": r.kind,
                "amount_kurus": r.amount_kurus,
                "maker": r.maker,
                "minutes": _minutes(r.created_at, now),
            },
        )
        for r in requests
        if r.state == "waiting" and r.created_at <= due and r.expires_at > now
    ]


def callbacks_failing(events: Iterable[CallbackEventRow], *, now: datetime, minutes: float) -> list[Observation]:
    """Callbacks whose verification failed in the last `minutes`: one alert for all of them."""
    since = now - timedelta(minutes=minutes)
    failed = sorted(
        (e for e in events if e.verification in FAILED_VERIFICATIONS and e.verified_at and e.verified_at >= since),
        key=lambda e: e.id,
    )
    if not failed:
        return []
    details = {"count": len(failed), "minutes": int(minutes), "event_ids": [e.id for e in failed][:50]}
    return [Observation(CALLBACK_VERIFICATION, "callbacks", details)]


def api_unreachable(health: UpstreamHealthRow | None, *, now: datetime, minutes: float) -> list[Observation]:
    """The background jobs' calls have failed without a success for at least `minutes`."""
    if health is None or health.failing_since_at is None:
        return []
    if now - health.failing_since_at < timedelta(minutes=minutes):
        return []
    details = {"minutes": _minutes(health.failing_since_at, now), "error": health.last_error or "unknown"}
    return [Observation(API_UNREACHABLE, "api", details)]


def reconciliation(differences: Iterable[ReconDifference]) -> list[Observation]:
    """One alert per IBAN with any day that does not reconcile."""
    by_iban: dict[int, list[ReconDifference]] = {}
    for d in differences:
        if d.difference_kurus != 0:
            by_iban.setdefault(d.iban_id, []).append(d)
    out = []
    for iban_id, days in sorted(by_iban.items()):
        details = {
            "iban": mask_iban(days[0].iban),
            "days": len(days),
            "difference_kurus": sum(d.difference_kurus for d in days),
            "day_list": sorted(d.day.isoformat() for d in days)[:31],
        }
        out.append(Observation(RECONCILIATION, str(iban_id), details))
    return out
