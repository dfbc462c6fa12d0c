"""Deterministic demo data: dealer IBANs and a year of transactions, generated column-wise with numpy.

Times are stored as "wall seconds": seconds since 1970-01-01 00:00 of the dealer's *local* clock.
That is what the API shows ("Y-m-d H:i:s", no offset) and what its date filters compare, so a
local-date filter is a plain range on one sorted int64 array.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

import numpy as np

from dashboard.iban import make_tr_iban
from dashboard.money import from_kurus
from dashboard.sandbox.words import (
    ASCII_FOLD,
    BANKS,
    DEPOSIT_DESCRIPTIONS,
    FIRST_NAMES,
    FORMULA_DESCRIPTIONS,
    FORMULA_USERNAMES,
    LAST_NAMES,
    WITHDRAWAL_DESCRIPTIONS,
)

STATUSES = ("Completed", "Failed", "Cancelled", "Rejected", "Pending", "Processing")
COMPLETED, FAILED, CANCELLED, REJECTED, PENDING, PROCESSING = range(len(STATUSES))
FINAL_STATUSES = frozenset(STATUSES[:4])
TYPES = ("deposit", "withdrawal")
DEPOSIT, WITHDRAWAL = 0, 1

# Commission rates in basis points of the amount and flat fees in kuruş; settings() shows the same numbers.
DEPOSIT_COMMISSION_BP = 100  # eiban.deposit_commission "1.00"
MANUAL_DEPOSIT_COMMISSION_BP = 125  # manual_iban.deposit_commission "1.25"
WITHDRAWAL_COMMISSION_BP = 50  # eiban.withdrawal_commission "0.50"
WITHDRAWAL_FEE_KURUS = 250  # eiban.withdrawal_fee "2.50"
CARD_COMMISSION_BP = 350  # credit_card.commission "3.50"


# Local hour-of-day weights: quiet nights, busy evenings.
_HOUR_WEIGHTS = np.array([3, 2, 1, 1, 1, 1, 2, 3, 5, 6, 7, 7, 7, 7, 7, 7, 8, 9, 10, 11, 12, 12, 9, 6], dtype=float)
_RECENT_SECONDS = 3 * 3600  # records this close to the anchor may still be Pending/Processing
_EPOCH = datetime(1970, 1, 1)


def wall_seconds(moment: datetime, tz) -> int:
    """Aware datetime -> seconds since the epoch of the local wall clock in `tz`."""
    local = moment.astimezone(tz).replace(tzinfo=None)
    return int((local - _EPOCH).total_seconds())


def wall_to_str(seconds: int) -> str:
    return (_EPOCH + timedelta(seconds=int(seconds))).strftime("%Y-%m-%d %H:%M:%S")


def walls_to_str(seconds: np.ndarray) -> list[str]:
    """Vectorised wall seconds -> 'Y-m-d H:i:s' strings (numpy formats ISO with a 'T')."""
    iso = np.datetime_as_string(seconds.astype("datetime64[s]"), unit="s")
    return [s.replace("T", " ") for s in iso.tolist()]


def date_wall_start(day: date) -> int:
    """Wall seconds of local midnight starting `day`."""
    return (day - _EPOCH.date()).days * 86400


def commission_kurus(amount_kurus, basis_points: int, fee_kurus: int = 0):
    """Percentage commission rounded half-up to kuruş, plus a flat fee; works on ints and int arrays."""
    return (amount_kurus * basis_points + 5000) // 10000 + fee_kurus


@dataclass(frozen=True)
class Account:
    """One of the dealer's IBANs."""

    id: int
    iban: str
    owner_name: str
    bank_name: str
    opening_kurus: int


@dataclass
class DemoData:
    """The generated history, one numpy column per field; record i has id i + 1, ids in time order."""

    anchor_wall: int
    accounts: list[Account]
    usernames: list[str]
    customer_names: list[str]
    customer_ibans: list[str]
    descriptions: list[str | None]
    iban_index: np.ndarray  # int16, index into accounts
    kind: np.ndarray  # int8, DEPOSIT / WITHDRAWAL
    amount: np.ndarray  # int64 kuruş
    commission: np.ndarray  # int64 kuruş
    status: np.ndarray  # int8, index into STATUSES
    customer: np.ndarray  # int32, index into the customer pool
    description: np.ndarray  # int32, index into descriptions
    created: np.ndarray  # int64 wall seconds, ascending
    completed: np.ndarray  # int64 wall seconds, -1 when not final
    per_iban: list[np.ndarray]  # global indices of each account's records, ascending in time
    per_iban_created: list[np.ndarray]  # created[per_iban[i]], for bisecting date filters
    completed_net: list[int]  # per account: sum of completed deposits net of commission minus withdrawals+fees

    @property
    def size(self) -> int:
        return int(self.created.size)

    def records(self, idx: np.ndarray) -> list[dict]:
        """API records for the given global indices, in the order given."""
        if idx.size == 0:
            return []
        ids = (idx + 1).tolist()
        iban_ids = [a.id for a in self.accounts]
        iban_col = [iban_ids[i] for i in self.iban_index[idx].tolist()]
        amounts = (self.amount[idx] / 100).tolist()
        commissions = (self.commission[idx] / 100).tolist()
        created = walls_to_str(self.created[idx])
        completed_raw = self.completed[idx]
        completed = walls_to_str(np.maximum(completed_raw, 0))
        has_completed = (completed_raw >= 0).tolist()
        cust = self.customer[idx].tolist()
        users, names, ibans, descs = self.usernames, self.customer_names, self.customer_ibans, self.descriptions
        return [
            {
                "id": i,
                "iban_id": ib,
                "type": TYPES[k],
                "amount": a,
                "commission": c,
                "status": STATUSES[s],
                "username": users[cu],
                "customer_name": names[cu],
                "customer_iban": ibans[cu],
                "description": descs[d],
                "created_at": cr,
                "completed_at": co if hc else None,
            }
            for i, ib, k, a, c, s, cu, d, cr, co, hc in zip(
                ids,
                iban_col,
                self.kind[idx].tolist(),
                amounts,
                commissions,
                self.status[idx].tolist(),
                cust,
                self.description[idx].tolist(),
                created,
                completed,
                has_completed,
            )
        ]


def _account_number(rng: np.random.Generator) -> str:
    return "".join(map(str, rng.integers(0, 10, 16)))


def _person(rng: np.random.Generator) -> tuple[str, str]:
    return FIRST_NAMES[rng.integers(len(FIRST_NAMES))], LAST_NAMES[rng.integers(len(LAST_NAMES))]


def _customers(rng: np.random.Generator, count: int) -> tuple[list[str], list[str], list[str]]:
    """A pool of end customers (username, name, IBAN); transactions pick from it, frequent ones first."""
    firsts = rng.integers(len(FIRST_NAMES), size=count)
    lasts = rng.integers(len(LAST_NAMES), size=count)
    styles = rng.integers(4, size=count)
    suffixes = rng.integers(10, 10_000, size=count)
    banks = rng.integers(len(BANKS), size=count)
    accounts = rng.integers(0, 10**16, size=count, dtype=np.int64)
    formula = rng.random(count) < 0.01
    usernames, names, ibans = [], [], []
    for i in range(count):
        first, last = FIRST_NAMES[firsts[i]], LAST_NAMES[lasts[i]]
        names.append(f"{first} {last}")
        a, b = first.translate(ASCII_FOLD).lower(), last.translate(ASCII_FOLD).lower()
        style = styles[i]
        user = (f"{a}.{b}{suffixes[i] % 100}", f"{a}_{b}", f"{a[0]}{b}{suffixes[i]}", f"user{suffixes[i]}")[style]
        if formula[i]:
            user = FORMULA_USERNAMES[i % len(FORMULA_USERNAMES)]
        usernames.append(user)
        ibans.append(make_tr_iban(BANKS[banks[i]][0], f"{accounts[i]:016d}"))
    return usernames, names, ibans


def _accounts(rng: np.random.Generator, ibans: int) -> list[Account]:
    accounts = []
    for i in range(ibans):
        code, bank = BANKS[i % len(BANKS)]
        first, last = _person(rng)
        accounts.append(Account(i + 1, make_tr_iban(code, _account_number(rng)), f"{first} {last}", bank, 0))
    return accounts


def _created_times(rng: np.random.Generator, n: int, days: int, anchor_wall: int) -> np.ndarray:
    """A random local day in the window, an hour by the daily pattern, any second in it; sorted."""
    first_day = date(1970, 1, 1) + timedelta(days=anchor_wall // 86400 - (days - 1))
    created = (
        date_wall_start(first_day)
        + rng.integers(0, days, n) * 86400
        + rng.choice(24, n, p=_HOUR_WEIGHTS / _HOUR_WEIGHTS.sum()) * 3600
        + rng.integers(0, 3600, n)
    ).astype(np.int64)
    created[created > anchor_wall] -= 86400  # the anchor's own day is only partly over
    created.sort()
    return created


def _amounts(rng: np.random.Generator, is_dep: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Amount and commission in kuruş: log-normal, many small, clipped to the provider's range; half round."""
    n = is_dep.size
    lira = np.where(is_dep, rng.lognormal(np.log(600), 1.1, n), rng.lognormal(np.log(1200), 1.0, n))
    lira = np.clip(lira, np.where(is_dep, 50, 100), 50_000)
    round_numbers = rng.random(n) < 0.55
    amount = np.where(round_numbers, np.maximum(np.round(lira / 50) * 50, 50) * 100, np.round(lira * 100))
    amount = amount.astype(np.int64)
    commission = np.where(
        is_dep,
        commission_kurus(amount, DEPOSIT_COMMISSION_BP),
        commission_kurus(amount, WITHDRAWAL_COMMISSION_BP, WITHDRAWAL_FEE_KURUS),
    ).astype(np.int64)
    return amount, commission


def _statuses(rng: np.random.Generator, created: np.ndarray, anchor_wall: int) -> tuple[np.ndarray, np.ndarray]:
    """Status codes (mostly Completed; in the last hours some still on their way) and completion times."""
    n = created.size
    draw = rng.random(n)
    status = np.select([draw < 0.93, draw < 0.96, draw < 0.98], [COMPLETED, FAILED, CANCELLED], REJECTED)
    recent = (anchor_wall - created) < _RECENT_SECONDS
    open_draw = rng.random(n)
    status = np.where(recent & (open_draw < 0.3), PENDING, status)
    status = np.where(recent & (open_draw >= 0.3) & (open_draw < 0.5), PROCESSING, status).astype(np.int8)
    settle = np.minimum(created + rng.integers(20, 900, n), anchor_wall)
    completed = np.where(status <= REJECTED, settle, -1).astype(np.int64)
    return status, completed


def _description_indexes(rng: np.random.Generator, is_dep: np.ndarray) -> np.ndarray:
    """Index into `descriptions` (0 = none); a few carry formula text, as real exports sometimes do."""
    n = is_dep.size
    n_dep, n_wd, n_formula = len(DEPOSIT_DESCRIPTIONS), len(WITHDRAWAL_DESCRIPTIONS), len(FORMULA_DESCRIPTIONS)
    desc = np.where(is_dep, 1 + rng.integers(0, n_dep, n), 1 + n_dep + rng.integers(0, n_wd, n))
    desc_draw = rng.random(n)
    desc = np.where(desc_draw < 0.12, 0, desc)
    return np.where(desc_draw > 0.985, 1 + n_dep + n_wd + rng.integers(0, n_formula, n), desc).astype(np.int32)


def _with_openings(
    rng: np.random.Generator, accounts: list[Account], per_iban: list[np.ndarray], delta: np.ndarray
) -> tuple[list[Account], list[int]]:
    """Opening balances high enough that no account ever dips below zero, and each one's net change."""
    completed_net, final_accounts = [], []
    for account, idx in zip(accounts, per_iban):
        running = np.cumsum(delta[idx]) if idx.size else np.zeros(1, dtype=np.int64)
        base = int(rng.integers(20_000, 250_000)) * 100
        opening = max(base, -int(running.min()) + base // 10)
        opening = -(-opening // 10_000) * 10_000  # round up to whole hundreds of lira
        final_accounts.append(Account(account.id, account.iban, account.owner_name, account.bank_name, opening))
        completed_net.append(int(running[-1]) if idx.size else 0)
    return final_accounts, completed_net


def generate(seed: int, ibans: int, transactions: int, days: int, anchor_wall: int) -> DemoData:
    """Same arguments, same data: every draw comes from one generator seeded with `seed`, in a fixed order."""
    rng = np.random.default_rng([seed, ibans, transactions, days])
    n = transactions
    accounts = _accounts(rng, ibans)
    created = _created_times(rng, n, days, anchor_wall)
    # Uneven spread: account weights fall off with rank, ranks shuffled per seed.
    weights = 1.0 / (rng.permutation(ibans) + 1.0) ** 0.8
    iban_index = rng.choice(ibans, n, p=weights / weights.sum()).astype(np.int16)
    kind = (rng.random(n) >= 0.65).astype(np.int8)
    is_dep = kind == DEPOSIT
    amount, commission = _amounts(rng, is_dep)
    status, completed = _statuses(rng, created, anchor_wall)

    pool = int(np.clip(n // 15, 50, 40_000))
    usernames, names, cust_ibans = _customers(rng, pool)
    customer = np.minimum((pool * rng.random(n) ** 2).astype(np.int32), pool - 1)  # frequent customers first
    descriptions: list[str | None] = [None, *DEPOSIT_DESCRIPTIONS, *WITHDRAWAL_DESCRIPTIONS, *FORMULA_DESCRIPTIONS]
    desc = _description_indexes(rng, is_dep)

    # Per-account views; a stable sort keeps each account's records in time order.
    order = np.argsort(iban_index, kind="stable")
    bounds = np.searchsorted(iban_index[order], np.arange(ibans + 1))
    per_iban = [order[bounds[i] : bounds[i + 1]] for i in range(ibans)]
    delta = np.where(status == COMPLETED, np.where(is_dep, amount - commission, -(amount + commission)), 0)
    final_accounts, completed_net = _with_openings(rng, accounts, per_iban, delta)

    return DemoData(
        anchor_wall=anchor_wall,
        accounts=final_accounts,
        usernames=usernames,
        customer_names=names,
        customer_ibans=cust_ibans,
        descriptions=descriptions,
        iban_index=iban_index,
        kind=kind,
        amount=amount,
        commission=commission,
        status=status,
        customer=customer,
        description=desc,
        created=created,
        completed=completed,
        per_iban=per_iban,
        per_iban_created=[created[idx] for idx in per_iban],
        completed_net=completed_net,
    )


def kurus_to_number(kurus: int) -> float:
    """JSON number for an amount: the nearest double, whose shortest repr is the two-decimal value."""
    return kurus / 100


def format_balance(kurus: int) -> str:
    """'125,000.00 ₺' as the provider formats balances."""
    return f"{from_kurus(kurus):,.2f} ₺"
