"""Every row of a payout file checked exactly as the Send money form checks it, with what it costs,
where it goes, and whether it repeats: the preview a maker reviews and an approver approves.

The checks are `dashboard.validation.check_send_money` (the form's own; amounts typed "1500,50" or
"1500.50" under the form's rules). A row is *flagged* when it repeats an earlier row of the file
(same IBAN, amount and username, the journal's own notion of "the same payout") or a payout the
journal made within `RECENT_WINDOW`. Flagged rows are left out of the batch unless the maker
includes them on purpose; the preview says which and why.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from datetime import timedelta
from decimal import Decimal

from dashboard import validation
from dashboard.banks import bank_for_iban
from dashboard.batches.parsing import FileRow
from dashboard.client.models import EibanChannel, SendMoneyRequest
from dashboard.iban import bank_code
from dashboard.money import to_kurus
from dashboard.payouts import PayoutCosts, payout_costs

RECENT_WINDOW = timedelta(hours=24)  # a file row matching a journal payout this recent is flagged

ContentKey = tuple[str, int, str]  # (customer IBAN, amount in kuruş, username): the journal's "same payout"
RecentMatch = Callable[[Iterable[ContentKey]], dict[ContentKey, str]]  # keys -> id of a recent journal payout


def content_key(request: SendMoneyRequest) -> ContentKey:
    return (request.customer_iban, to_kurus(request.amount), request.username)


@dataclass(frozen=True)
class PreviewRow:
    number: int
    cells: dict[str, str]
    request: SendMoneyRequest | None  # None: the row is not valid
    problems: dict[str, str] = field(default_factory=dict)  # field -> English message
    bank_name: str | None = None
    bank_code: str | None = None
    costs: PayoutCosts | None = None
    repeat_of: int | None = None  # the earlier row of this file with the same content
    recent_operation: str | None = None  # a journal payout with the same content, made recently

    @property
    def valid(self) -> bool:
        return self.request is not None

    @property
    def flagged(self) -> bool:
        return self.valid and (self.repeat_of is not None or self.recent_operation is not None)

    def included(self, include_flagged: bool) -> bool:
        """Whether this row is sent if the batch is approved."""
        return self.valid and (include_flagged or not self.flagged)


@dataclass(frozen=True)
class Totals:
    rows: int
    to_send: int
    invalid: int
    flagged: int
    amount: Decimal
    commission: Decimal | None  # None: the dealer settings do not state the costs
    fee: Decimal | None

    @property
    def total(self) -> Decimal | None:
        """What leaves the dealer's balance for the rows sent."""
        if self.commission is None or self.fee is None:
            return None
        return self.amount + self.commission + self.fee


@dataclass(frozen=True)
class Preview:
    file_name: str
    rows: tuple[PreviewRow, ...]

    def totals(self, include_flagged: bool = False) -> Totals:
        sent = [r for r in self.rows if r.included(include_flagged)]
        costs_known = all(r.costs is not None for r in sent)
        return Totals(
            rows=len(self.rows),
            to_send=len(sent),
            invalid=sum(not r.valid for r in self.rows),
            flagged=sum(r.flagged for r in self.rows),
            amount=sum((r.request.amount for r in sent), Decimal("0.00")),  # type: ignore[union-attr]
            commission=sum((r.costs.commission for r in sent), Decimal("0.00")) if costs_known else None,  # type: ignore[union-attr]
            fee=sum((r.costs.fee for r in sent), Decimal("0.00")) if costs_known else None,  # type: ignore[union-attr]
        )

    def confirm_duplicate(self, include_flagged: bool) -> set[int]:
        """Rows sent past the journal's same-content hold: with flagged rows included, every row of a
        repeated content (the approval is the "yes, a second payout" the form would ask for). Every
        other row keeps the hold, so a same payout made by hand after the preview is held, not sent."""
        if not include_flagged:
            return set()
        flagged_keys = {content_key(r.request) for r in self.rows if r.flagged and r.request is not None}
        return {
            r.number
            for r in self.rows
            if r.included(True) and content_key(r.request) in flagged_keys  # type: ignore[arg-type]
        }


def check_row(row: FileRow, eiban: EibanChannel | None) -> PreviewRow:
    """One row through the form's checks; a valid one gets its bank and costs."""
    try:
        request = validation.check_send_money(
            username=row.cells["username"],
            amount=row.cells["amount"],
            customer_iban=row.cells["customer_iban"],
            customer_name=row.cells["customer_name"],
            description=row.cells["description"],
        )
    except validation.InputError as exc:
        return PreviewRow(row.number, row.cells, None, problems=dict(exc.errors))
    bank = bank_for_iban(request.customer_iban)
    return PreviewRow(
        row.number,
        row.cells,
        request,
        bank_name=bank.name if bank else None,
        bank_code=bank_code(request.customer_iban),
        costs=payout_costs(request.amount, eiban),
    )


def build_preview(
    file_name: str, rows: Iterable[FileRow], eiban: EibanChannel | None, recent: RecentMatch | None = None
) -> Preview:
    """Every row checked, repeats within the file and recent journal matches flagged."""
    checked = [check_row(row, eiban) for row in rows]
    keys = {content_key(r.request) for r in checked if r.request is not None}
    matches = recent(keys) if recent is not None and keys else {}
    first_of: dict[ContentKey, int] = {}
    flagged: list[PreviewRow] = []
    for r in checked:
        if r.request is None:
            flagged.append(r)
            continue
        key = content_key(r.request)
        repeat_of = first_of.setdefault(key, r.number)
        flagged.append(
            replace(r, repeat_of=repeat_of if repeat_of != r.number else None, recent_operation=matches.get(key))
        )
    return Preview(file_name, tuple(flagged))
