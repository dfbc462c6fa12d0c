"""Settling outcomes nobody knows yet: status checks and history searches, never a second send.

See the package docstring for the order of the search and the backoff of the scheduled run."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Sequence
from datetime import date, datetime, timedelta
from typing import Any

from dashboard.audit import AuditLog
from dashboard.client.models import parse_transaction_id
from dashboard.client.protocol import MoneyClient
from dashboard.iban import normalize_iban
from dashboard.journal import mirror_search
from dashboard.journal.records import (
    CONFIRMED,
    NEEDS_PERSON,
    NOT_SENT,
    PENDING,
    UNKNOWN,
    Operation,
    decimal_or_none,
    status_key,
    transaction_id_or_none,
)
from dashboard.money import to_kurus
from dashboard.store import Store, StoreUnavailable

log = logging.getLogger(__name__)


class Settling:
    """The half of `Journal` that finds out what happened: scheduled and on request."""

    # Set by Journal.__init__ (journal.py); declared here so this half reads on its own.
    _store: Store
    audit: AuditLog
    _clock: Callable[[], datetime]
    _ibans: Callable[[], Sequence[Any]] | None  # the dealer's IBANs (None: ask the client)
    mirror_lookback_days: int = 3  # the history mirror's look-back (ENIGMAPAY_MIRROR_LOOKBACK_DAYS)

    # -- settling -----------------------------------------------------------------------

    def settle(self, operation_id: str, *, actor: str = "system") -> Operation:
        """Try to learn the outcome of an unsettled entry (see the module docstring for the policy);
        for a confirmed one whose status is not final, refresh its status. `actor` is who asked
        (an operator's button, or "system" for the scheduled run), for the audit log."""
        problems: list[str] = []
        op = self._settle(operation_id, actor, problems)
        for problem in problems:
            log.warning("settle %s: %s", operation_id, problem)
        return op

    def _settle(self, operation_id: str, actor: str, problems: list[str]) -> Operation:
        """`settle`; checks that failed without deciding anything are added to `problems`."""
        op = self.get(operation_id)
        if op is None:
            raise KeyError(operation_id)
        if op.state == CONFIRMED:
            return self.refresh_status(operation_id) if op.transaction_id and not op.status_final else op
        if op.state == PENDING:
            if op.created_at > self._clock() - self.pending_grace:
                return op  # may still be in flight
            self._store.operations.transition(
                op.id,
                from_states=(PENDING,),
                changes={
                    "state": UNKNOWN,
                    "updated_at": self._clock(),
                    "message": "The console stopped before EnigmaPay's answer arrived.",
                },
            )
            op = self.get(operation_id)  # type: ignore[assignment]
        if op.state != UNKNOWN:
            return op  # type: ignore[return-value]
        if op.transaction_id is not None:
            status = self._client().get_transaction_status(op.transaction_id)
            self._record_check(op.transaction_id, status, "settle")
            return self._confirm(op, op.transaction_id, "status check", status, actor)
        if op.kind != "payout":
            return op
        return self._match_payout(op, actor, problems)

    def settle_all(self) -> list[Operation]:
        """The scheduled run: settle the unsettled entries and refresh non-final confirmed ones that
        are due (see the module docstring for the backoff and the horizon); returns those settled.
        One failure (API down) does not stop the others; they are retried when next due."""
        now = self._clock()
        entries = self.unsettled() + [
            Operation.from_row(r) for r in self._store.operations.confirmed_without_final_status()
        ]
        results = []
        for op in entries:
            if op.needs_person:
                continue
            if now - op.created_at >= self.settle_horizon:
                self._leave_to_a_person(op)
            elif op.next_settle_at is None or op.next_settle_at <= now:
                settled = self._scheduled_settle(op)
                if settled is not None:
                    results.append(settled)
        return results

    def settle_wait(self, attempts: int) -> timedelta:
        """How long after its `attempts`-th scheduled check an entry is checked again."""
        return min(self.settle_first_wait * 2 ** min(attempts - 1, 30), self.settle_max_wait)

    def _scheduled_settle(self, op: Operation) -> Operation | None:
        """One scheduled check of `op` and its next due time; None if the check failed."""
        problems: list[str] = []
        settled: Operation | None = None
        try:
            settled = self._settle(op.id, "system", problems)
        except StoreUnavailable:
            raise  # nothing can be recorded either: the whole pass stops, the next tick tries again
        except Exception as exc:
            problems.append(f"check failed ({type(exc).__name__})")
            outcome = "; ".join(problems)
        else:
            outcome = _outcome_text(settled, problems)
        if outcome != op.settle_outcome:  # once per change, not once per check
            log.log(logging.WARNING if problems else logging.INFO, "settle %s: %s", op.id, outcome)
        attempts = op.settle_attempts + 1
        self._store.operations.schedule_settle(
            op.id,
            {
                "settle_attempts": attempts,
                "next_settle_at": self._clock() + self.settle_wait(attempts),
                "settle_outcome": outcome,
            },
        )
        return settled

    def _leave_to_a_person(self, op: Operation) -> None:
        hours = round(self.settle_horizon.total_seconds() / 3600, 1)
        log.warning("settle %s: no outcome %s h after the attempt; left to a person", op.id, hours)
        now = self._clock()
        audit = self._op_audit(
            "settle", op, actor="system", outcome="needs_person", checks=op.settle_attempts, horizon_hours=hours
        )
        self._store.operations.transition(
            op.id, from_states=(op.state,), changes={"message": NEEDS_PERSON, "updated_at": now}, audit=audit
        )
        self._store.operations.schedule_settle(op.id, {"settle_stopped_at": now, "settle_outcome": "needs a person"})

    def refresh_status(self, operation_id: str) -> Operation:
        """Ask transaction-status about a confirmed entry and store the answer."""
        op = self.get(operation_id)
        if op is None:
            raise KeyError(operation_id)
        if op.transaction_id is None:
            raise ValueError(f"{operation_id} has no transaction id to ask about")
        self._record_check(op.transaction_id, self._client().get_transaction_status(op.transaction_id), "journal")
        return self.get(operation_id)  # type: ignore[return-value]

    def _record_check(self, transaction_id: int, status: Any, source: str) -> None:
        key, final = status_key(getattr(status, "status", None))
        self._store.callbacks.record_status_check(
            {
                "transaction_id": transaction_id,
                "checked_at": self._clock(),
                "source": source,
                "status": key,
                "status_text": getattr(status, "status_text", None),
                "status_final": final,
                "amount": decimal_or_none(getattr(status, "amount", None)),
                "created_at": getattr(status, "created_at", None),
                "completed_at": getattr(status, "completed_at", None),
            }
        )

    def _match_payout(self, op: Operation, actor: str, problems: list[str]) -> Operation:
        client = self._client()
        since = op.created_at - self.match_slack
        history_ids: set[int] = set()
        matches: dict[int, Any] = {}
        try:
            history_ids, found = self._history(client, op)
            for tx in found:
                tx_id = transaction_id_or_none(getattr(tx, "id", None))
                if tx_id is not None and _is_same_payout(tx, op, since):
                    matches[tx_id] = tx
        except Exception as exc:
            problems.append(f"history search failed ({type(exc).__name__})")
        for tx_id in self._store.operations.linked_transaction_ids(matches):
            matches.pop(tx_id, None)
        if len(matches) == 1:
            tx_id, tx = next(iter(matches.items()))
            return self._confirm(op, tx_id, "transaction history", tx, actor)
        if len(matches) > 1:
            count, ids = len(matches), ", ".join(map(str, sorted(matches)))
            return self._note(op, f"{count} matching payouts found ({ids}): an operator must pick the right one.")

        candidates = {
            e.transaction_id: e
            for e in self._store.callbacks.unlinked_candidates(
                username=op.username, amount_kurus=to_kurus(op.amount), since=since
            )
            if e.transaction_id not in history_ids
            and (not op.description or not e.description or e.description == op.description)
        }
        if len(candidates) == 1:
            tx_id = next(iter(candidates))
            try:
                status = client.get_transaction_status(tx_id)
            except Exception as exc:
                problems.append(f"checking callback candidate {tx_id} failed ({type(exc).__name__})")
            else:
                if decimal_or_none(getattr(status, "amount", None)) in (None, op.amount):
                    self._record_check(tx_id, status, "settle")
                    return self._confirm(op, tx_id, "callback", status, actor)
        elif len(candidates) > 1:
            return self._note(op, "Several callbacks could belong to this payout: an operator must pick one.")

        if self._clock() - op.created_at >= self.settle_after:
            minutes = int(self.settle_after.total_seconds() // 60)
            return self._note(
                op,
                f"No matching payout found {minutes}+ minutes after the attempt. Check with "
                "EnigmaPay, then mark it resolved.",
            )
        return op

    def _history(self, client: MoneyClient, op: Operation) -> tuple[set[int], Iterable[Any]]:
        """Every dealer IBAN's transactions from the intent's day to today (the debited IBAN is not
        known): (their ids, those that could be this payout). Through the mirror (its planned days
        synced, then its rows searched) when the client gives raw pages; else the API's models."""
        first: date = op.created_at.astimezone(self._tz).date()
        last: date = max(self._clock().astimezone(self._tz).date(), first)
        ibans = list(self._ibans() if self._ibans is not None else client.list_ibans())
        if hasattr(client, "iter_transaction_pages") and all(hasattr(i, "iban") for i in ibans):
            mirror, tz = self._store.mirror, str(self._tz)
            mirror_search.sync(
                mirror, client, ibans, first, last, now=self._clock(), tz=tz, lookback=self.mirror_lookback_days
            )
            return mirror_search.search(
                mirror, ibans, first, last, tz=tz, customer_iban=op.customer_iban, amount_kurus=to_kurus(op.amount)
            )
        found = [tx for iban in ibans for tx in client.list_transactions(iban.id, start_date=first, end_date=last)]
        return {i for tx in found if (i := transaction_id_or_none(getattr(tx, "id", None))) is not None}, found

    def _confirm(self, op: Operation, transaction_id: int, found_in: str, source: Any, actor: str) -> Operation:
        key, final = status_key(getattr(source, "status", None))
        changes = {
            "state": CONFIRMED,
            "transaction_id": transaction_id,
            "status": key,
            "status_final": final,
            "status_text": getattr(source, "status_text", None) or key,
            "message": f"Settled: found in the {found_in}.",
            "updated_at": self._clock(),
        }
        audit = self._op_audit(
            "settle", op, actor=actor, outcome=CONFIRMED, transaction_id=transaction_id, found_in=found_in
        )
        self._store.operations.transition(op.id, from_states=(UNKNOWN,), changes=changes, audit=audit)
        return self.get(op.id)  # type: ignore[return-value]

    def _op_audit(self, action: str, op: Operation, *, actor: str, outcome: str, **details: Any) -> dict[str, Any]:
        """The audit line of a change to `op`: its amount, its IBAN (masked) and its id first in the details."""
        return self.audit.entry(
            action,
            actor=actor,
            outcome=outcome,
            amount=op.amount,
            iban=op.customer_iban,
            details={"operation_id": op.id, **details},
        )

    def _note(self, op: Operation, message: str) -> Operation:
        if op.message != message:
            self._store.operations.transition(
                op.id, from_states=(UNKNOWN,), changes={"message": message, "updated_at": self._clock()}
            )
        return self.get(op.id)  # type: ignore[return-value]

    def mark_resolved(
        self, operation_id: str, *, actor: str, note: str, transaction_id: int | None = None
    ) -> Operation:
        """An operator's verdict on an unknown (or stale pending) entry: with `transaction_id` it is
        confirmed as that provider transaction, without it declared `not_sent`."""
        if not note or not note.strip():
            raise ValueError("say how it was resolved")
        op = self.get(operation_id)
        if op is None:
            raise KeyError(operation_id)
        if op.state == PENDING and op.created_at > self._clock() - self.pending_grace:
            raise ValueError("this entry may still be in flight; wait for its answer")
        allowed = (UNKNOWN, PENDING)
        if op.state not in allowed:
            raise ValueError(f"an entry in state {op.state!r} cannot be resolved by hand")
        if transaction_id is not None:
            transaction_id = parse_transaction_id(transaction_id)  # TransactionIdError (a ValueError) says why
        state = CONFIRMED if transaction_id is not None else NOT_SENT
        changes = {
            "state": state,
            "transaction_id": transaction_id,
            "resolved_by": actor,
            "resolution_note": note.strip(),
            "updated_at": self._clock(),
        }
        audit = self._op_audit(
            "mark_resolved", op, actor=actor, outcome=state, transaction_id=transaction_id, note=note.strip()
        )
        if not self._store.operations.transition(op.id, from_states=allowed, changes=changes, audit=audit):
            raise ValueError("the entry changed meanwhile; reload it")
        return self.get(operation_id)  # type: ignore[return-value]


def _outcome_text(op: Operation, problems: list[str]) -> str:
    """What a scheduled check found, in words: logged only when it differs from the last one."""
    text = op.state + (f", status {op.status}" if op.state == CONFIRMED and op.status else "")
    text += f": {op.message}" if op.state == UNKNOWN and op.message else ""
    return "; ".join([text, *problems])


def _is_same_payout(tx: Any, op: Operation, since: datetime) -> bool:
    type_ = getattr(tx, "type", None)
    type_name = str(getattr(type_, "name", type_) or "").lower()
    if type_name in ("deposit", "yatirim", "yatırım"):
        return False
    if normalize_iban(getattr(tx, "customer_iban", None) or "") != op.customer_iban:
        return False
    if decimal_or_none(getattr(tx, "amount", None)) != op.amount:
        return False
    username = getattr(tx, "username", None)
    if username and username != op.username:
        return False
    created = getattr(tx, "created_at", None)
    return not (isinstance(created, datetime) and created < since)
