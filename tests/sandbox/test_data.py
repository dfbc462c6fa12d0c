"""Demo data: deterministic, realistic, consistent, and fast to generate."""

from __future__ import annotations

import time
from datetime import date

import numpy as np
import pytest

from dashboard.client._reader import TRANSACTION_FIELDS
from dashboard.iban import bank_code, iban_is_valid
from dashboard.sandbox import data as demo

ANCHOR_WALL = demo.date_wall_start(date(2026, 11, 20)) + 12 * 3600


@pytest.fixture(scope="module")
def d() -> demo.DemoData:
    return demo.generate(seed=7, ibans=5, transactions=20_000, days=365, anchor_wall=ANCHOR_WALL)


def test_same_arguments_same_data(d):
    again = demo.generate(seed=7, ibans=5, transactions=20_000, days=365, anchor_wall=ANCHOR_WALL)
    assert again.accounts == d.accounts
    for column in ("amount", "status", "created", "iban_index", "customer", "description"):
        assert np.array_equal(getattr(again, column), getattr(d, column))
    other = demo.generate(seed=8, ibans=5, transactions=20_000, days=365, anchor_wall=ANCHOR_WALL)
    assert not np.array_equal(other.amount, d.amount)


def test_accounts_are_valid_ibans_at_different_banks(d):
    assert all(iban_is_valid(a.iban) for a in d.accounts)
    assert len({bank_code(a.iban) for a in d.accounts}) == 5
    assert len({a.bank_name for a in d.accounts}) == 5
    assert [a.id for a in d.accounts] == [1, 2, 3, 4, 5]


def test_history_spans_the_window_ending_at_the_anchor(d):
    assert d.created.max() <= ANCHOR_WALL
    assert ANCHOR_WALL - d.created.min() > 360 * 86400
    assert np.all(np.diff(d.created) >= 0)  # ids in time order
    sizes = [len(p) for p in d.per_iban]
    assert sum(sizes) == 20_000
    assert max(sizes) > 1.5 * min(sizes)  # spread unevenly


def test_amounts_commissions_and_kinds_are_realistic(d):
    deposits = d.kind == demo.DEPOSIT
    assert 0.62 < deposits.mean() < 0.68
    assert d.amount[deposits].min() >= 5_000 and d.amount.max() <= 5_000_000
    assert np.median(d.amount[deposits]) < 150_000  # skewed small
    assert np.array_equal(d.commission[deposits], (d.amount[deposits] * 100 + 5000) // 10000)
    wd = ~deposits
    assert np.array_equal(d.commission[wd], (d.amount[wd] * 50 + 5000) // 10000 + 250)


def test_statuses_mostly_completed_and_open_only_recently(d):
    status = d.status
    assert (status == demo.COMPLETED).mean() > 0.85
    for s in (demo.FAILED, demo.CANCELLED, demo.REJECTED):
        assert (status == s).any()
    open_ = (status == demo.PENDING) | (status == demo.PROCESSING)
    assert open_.any()
    assert np.all(ANCHOR_WALL - d.created[open_] < 3 * 3600)
    assert np.all(d.completed[open_] == -1)
    final = ~open_
    assert np.all(d.completed[final] >= d.created[final])
    assert np.all(d.completed[final] <= ANCHOR_WALL)


def test_records_carry_turkish_names_valid_ibans_and_formula_like_text(d):
    records = d.records(np.arange(d.size))
    names = {r["customer_name"] for r in records}
    assert any(ch in "".join(names) for ch in "ÇŞĞİÖÜçşğıöü")
    assert all(iban_is_valid(r["customer_iban"]) for r in records[:2000])
    texts = [r["description"] or "" for r in records] + [r["username"] for r in records]
    risky = [t for t in texts if t[:1] in ("=", "+", "-", "@")]
    assert 0 < len(risky) < 0.05 * len(records)
    first = records[0]
    assert set(first) == set(TRANSACTION_FIELDS)
    assert first["id"] == 1 and len(first["created_at"]) == 19


def test_no_account_ever_goes_negative(d):
    delta = np.where(
        d.status == demo.COMPLETED,
        np.where(d.kind == demo.DEPOSIT, d.amount - d.commission, -(d.amount + d.commission)),
        0,
    )
    for account, idx, net in zip(d.accounts, d.per_iban, d.completed_net):
        running = account.opening_kurus + np.cumsum(delta[idx])
        assert running.min() >= 0
        assert running[-1] == account.opening_kurus + net


def test_a_million_transactions_generate_quickly():
    started = time.perf_counter()
    big = demo.generate(seed=42, ibans=5, transactions=1_000_000, days=365, anchor_wall=ANCHOR_WALL)
    elapsed = time.perf_counter() - started
    assert big.size == 1_000_000
    assert elapsed < 20, elapsed
