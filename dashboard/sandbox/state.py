"""In-memory provider state: demo history, new payouts and card payments, balances, stats.

One re-entrant lock guards everything: the HTTP server, the ticker thread and tests calling
methods directly all go through it.
"""

from __future__ import annotations

import bisect
import hashlib
import random
import string
import threading
from collections import Counter
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

import numpy as np

from dashboard.money import to_kurus
from dashboard.sandbox import data as demo
from dashboard.sandbox.callbacks import CallbackDispatcher, Delivery
from dashboard.sandbox.config import SandboxConfig
from dashboard.sandbox.faults import Decision, FaultInjector, Faults
from dashboard.sandbox.live import LiveTx
from dashboard.timeutil import zone


class InsufficientBalance(Exception):
    """No dealer IBAN can cover the payout plus its commission."""


class SandboxState:
    """The provider's memory. Public methods are thread-safe."""

    def __init__(self, config: SandboxConfig) -> None:
        self.config = config
        self.tz = zone(config.tz)
        self._clock = config.clock or (lambda: datetime.now(self.tz))
        anchor = config.anchor or self._clock().replace(second=0, microsecond=0)
        self.anchor = anchor.astimezone(self.tz)
        self.data = demo.generate(
            config.seed, config.ibans, config.transactions, config.days, demo.wall_seconds(self.anchor, self.tz)
        )
        self.lock = threading.RLock()
        self.stopping = threading.Event()  # set on shutdown: hanging requests give up
        self.injector = FaultInjector(config.faults, config.seed)
        self.callbacks = CallbackDispatcher(
            config.callback_attempts, config.callback_backoff, config.callback_timeout, config.callback_workers
        )
        self._callback_url = config.callback_url
        self._credit_card_enabled = config.credit_card_enabled
        self._live: dict[int, LiveTx] = {}
        self._live_by_iban: list[list[LiveTx]] = [[] for _ in self.data.accounts]  # ascending created_wall
        self._open_payouts: list[LiveTx] = []  # not yet final; advance() walks only these
        self._live_net = [0] * len(self.data.accounts)
        self._holds = [0] * len(self.data.accounts)  # pending payouts reserve funds
        self._drift = [0] * len(self.data.accounts)  # kuruş added to a balance that no transaction explains
        self._orders: dict[str, int] = {}
        self._order_rng = random.Random(config.seed)
        self._next_id = self.data.size + 1
        self._snapshot: tuple[datetime, list[int]] | None = None
        self._calls: Counter[str] = Counter()
        self._ticker: threading.Thread | None = None

    # --- clock and lifecycle -------------------------------------------------------------
    def now(self) -> datetime:
        return self._clock().astimezone(self.tz)

    def start_background(self) -> None:
        """Start the ticker that settles payouts (and so fires callbacks) without any reads."""
        with self.lock:
            if self._ticker is not None:
                return
            self.stopping.clear()
            self._ticker = threading.Thread(target=self._tick, name="sandbox-ticker", daemon=True)
            self._ticker.start()

    def close(self) -> None:
        self.stopping.set()
        if self._ticker is not None:
            self._ticker.join(timeout=2)
            self._ticker = None
        self.callbacks.close()

    def _tick(self) -> None:
        while not self.stopping.wait(self.config.ticker_interval):
            self.advance()

    def advance(self) -> int:
        """Apply every payout transition now due; returns how many status changes happened."""
        cfg = self.config
        changes = 0
        with self.lock:
            now = self.now()
            still_open = []
            for tx in self._open_payouts:
                elapsed = (now - tx.created).total_seconds()
                if tx.status == "Pending" and elapsed >= cfg.processing_after:
                    self._set_status(tx, "Processing", None)
                    changes += 1
                if tx.status == "Processing" and elapsed >= cfg.settle_after:
                    final = "Failed" if self._fails(tx.id) else "Completed"
                    self._set_status(tx, final, tx.created + timedelta(seconds=cfg.settle_after))
                    changes += 1
                if not tx.is_final:
                    still_open.append(tx)
            self._open_payouts = still_open
        return changes

    def _fails(self, tx_id: int) -> bool:
        """Deterministic per (seed, id): the same payout fails in every run."""
        digest = hashlib.sha256(f"{self.config.seed}:{tx_id}".encode()).digest()
        return int.from_bytes(digest[:8], "big") / 2**64 < self.config.failure_rate

    def _set_status(self, tx: LiveTx, status: str, completed: datetime | None) -> None:
        """Change a live transaction's status, move the money it moves, and announce it."""
        i = tx.iban_index
        if status in demo.FINAL_STATUSES:
            tx.completed = completed or self.now()
            if tx.kind == demo.WITHDRAWAL:
                self._holds[i] -= tx.amount + tx.commission
            if status == "Completed":
                sign = 1 if tx.kind == demo.DEPOSIT else -1
                self._live_net[i] += sign * (tx.amount - sign * tx.commission)
        tx.status = status
        if self._callback_url:
            self.callbacks.submit(
                self._callback_url,
                {
                    "transaction_id": tx.id,
                    "status": tx.status,
                    "amount": demo.kurus_to_number(tx.amount),
                    "username": tx.username,
                    "description": tx.description,
                    "completed_at": tx.completed_at(self.tz),
                },
            )

    # --- settings and balances ----------------------------------------------------------
    def settings(self) -> dict[str, Any]:
        with self.lock:
            card = "Aktif" if self._credit_card_enabled else "Pasif"
        return {
            "credit_card": {"status": card, "commission": _percent(demo.CARD_COMMISSION_BP)},
            "eiban": {
                "status": "Aktif",
                "deposit_commission": _percent(demo.DEPOSIT_COMMISSION_BP),
                "withdrawal_commission": _percent(demo.WITHDRAWAL_COMMISSION_BP),
                "withdrawal_fee": f"{Decimal(demo.WITHDRAWAL_FEE_KURUS) / 100:.2f}",
            },
            "manual_iban": {"status": "Aktif", "deposit_commission": _percent(demo.MANUAL_DEPOSIT_COMMISSION_BP)},
        }

    def set_credit_card_enabled(self, enabled: bool) -> None:
        with self.lock:
            self._credit_card_enabled = enabled

    @property
    def credit_card_enabled(self) -> bool:
        with self.lock:
            return self._credit_card_enabled

    def live_balances(self) -> list[int]:
        """Balances in kuruş right now: opening + completed history and live transactions + drift."""
        with self.lock:
            return [
                acc.opening_kurus + net + live + drift
                for acc, net, live, drift in zip(
                    self.data.accounts, self.data.completed_net, self._live_net, self._drift
                )
            ]

    def drift(self, iban_id: int, kurus: int) -> int:
        """Move an IBAN's balance by `kurus` with no transaction behind it (seen at once); its total drift."""
        index = self.account_index(iban_id)
        if index is None:
            raise KeyError(iban_id)
        with self.lock:
            self._drift[index] += kurus
            self._snapshot = None
            return self._drift[index]

    def drifts(self) -> dict[int, int]:
        """Each IBAN's drift in kuruş (IBANs without one left out)."""
        with self.lock:
            return {acc.id: d for acc, d in zip(self.data.accounts, self._drift) if d}

    def ibans(self) -> list[dict[str, Any]]:
        """The /ibans answer. Like upstream, balances are a snapshot refreshed at most once a clock minute."""
        with self.lock:
            minute = self.now().replace(second=0, microsecond=0)
            if self._snapshot is None or self._snapshot[0] != minute:
                self._snapshot = (minute, self.live_balances())
            balances = self._snapshot[1]
            return [
                {
                    "id": acc.id,
                    "iban": acc.iban,
                    "owner_name": acc.owner_name,
                    "bank_name": acc.bank_name,
                    "status": "Active",
                    "balance": demo.kurus_to_number(balance),
                    "formatted_balance": demo.format_balance(balance),
                }
                for acc, balance in zip(self.data.accounts, balances)
            ]

    def account_index(self, iban_id: int) -> int | None:
        for i, acc in enumerate(self.data.accounts):
            if acc.id == iban_id:
                return i
        return None

    # --- transactions -------------------------------------------------------------------
    def transactions_page(
        self, iban_index: int, lo_wall: int | None, hi_wall: int | None, page: int, per_page: int
    ) -> tuple[list[dict[str, Any]], int]:
        """One page (newest first) of an account's records created in [lo_wall, hi_wall), and the total."""
        d = self.data
        created = d.per_iban_created[iban_index]
        a = 0 if lo_wall is None else int(np.searchsorted(created, lo_wall, "left"))
        b = created.size if hi_wall is None else int(np.searchsorted(created, hi_wall, "left"))
        static_idx, static_created = d.per_iban[iban_index][a:b], created[a:b]
        n_static = b - a
        iban_id = d.accounts[iban_index].id
        with self.lock:
            live = [
                t
                for t in reversed(self._live_by_iban[iban_index])
                if (lo_wall is None or t.created_wall >= lo_wall) and (hi_wall is None or t.created_wall < hi_wall)
            ]
            live_records = [t.record(iban_id, self.tz) for t in live]
        # Where each live record falls in the newest-first merge: after the static ones strictly newer.
        positions = [
            j + n_static - int(np.searchsorted(static_created, t.created_wall, "right")) for j, t in enumerate(live)
        ]
        total = n_static + len(live)
        start, end = (page - 1) * per_page, min(page * per_page, total)
        out: list[dict[str, Any]] = []
        k = bisect.bisect_left(positions, start)
        static_pos = start - k  # static records (newest-first) already before this page
        pos = start
        while pos < end:
            if k < len(positions) and positions[k] == pos:
                out.append(live_records[k])
                k += 1
                pos += 1
                continue
            stop = min(positions[k] if k < len(positions) else end, end)
            hi = n_static - static_pos
            out.extend(d.records(static_idx[hi - (stop - pos) : hi][::-1]))
            static_pos += stop - pos
            pos = stop
        return out, total

    def transaction_status(self, tx_id: int) -> dict[str, Any] | None:
        with self.lock:
            tx = self._live.get(tx_id)
            if tx is not None:
                record = tx.record(self.data.accounts[tx.iban_index].id, self.tz)
            elif 1 <= tx_id <= self.data.size:
                record = self.data.records(np.array([tx_id - 1]))[0]
            else:
                return None
        return {k: record[k] for k in ("id", "status", "amount", "created_at", "completed_at")}

    def transaction(self, tx_id: int) -> LiveTx | None:
        """A live (API-created) transaction, for tests and the payment page."""
        with self.lock:
            return self._live.get(tx_id)

    def _add_live(self, tx: LiveTx) -> None:
        self._live[tx.id] = tx
        bucket = self._live_by_iban[tx.iban_index]
        bisect.insort(bucket, tx, key=lambda t: (t.created_wall, t.id))

    # --- payouts --------------------------------------------------------------------------
    def send_money(
        self, username: str, amount: Decimal, customer_iban: str, customer_name: str, description: str | None
    ) -> LiveTx:
        """Create a Pending withdrawal from the IBAN with the most available money."""
        amount_k = to_kurus(amount)
        commission = demo.commission_kurus(amount_k, demo.WITHDRAWAL_COMMISSION_BP, demo.WITHDRAWAL_FEE_KURUS)
        with self.lock:
            available = [bal - hold for bal, hold in zip(self.live_balances(), self._holds)]
            best = max(range(len(available)), key=lambda i: (available[i], -i))
            if available[best] < amount_k + commission:
                raise InsufficientBalance
            now = self.now()
            tx = LiveTx(
                id=self._take_id(),
                iban_index=best,
                kind=demo.WITHDRAWAL,
                amount=amount_k,
                commission=commission,
                status="Pending",
                username=username,
                customer_name=customer_name,
                customer_iban=customer_iban,
                description=description,
                created=now,
                created_wall=demo.wall_seconds(now, self.tz),
            )
            self._holds[best] += amount_k + commission
            self._add_live(tx)
            self._open_payouts.append(tx)
            return tx

    def _take_id(self) -> int:
        tx_id, self._next_id = self._next_id, self._next_id + 1
        return tx_id

    # --- card payments ------------------------------------------------------------------------
    def create_card_payment(
        self, username: str, firstname: str, lastname: str, amount: Decimal, description: str | None
    ) -> LiveTx:
        """A Pending card deposit to the first IBAN; it settles when the payment page is used."""
        amount_k = to_kurus(amount)
        with self.lock:
            now = self.now()
            order_id = self._new_order_id(now)
            tx = LiveTx(
                id=self._take_id(),
                iban_index=0,
                kind=demo.DEPOSIT,
                amount=amount_k,
                commission=demo.commission_kurus(amount_k, demo.CARD_COMMISSION_BP),
                status="Pending",
                username=username,
                customer_name=f"{firstname} {lastname}",
                customer_iban=None,
                description=description,
                created=now,
                created_wall=demo.wall_seconds(now, self.tz),
                order_id=order_id,
            )
            self._orders[order_id] = tx.id
            self._add_live(tx)
            return tx

    def _new_order_id(self, now: datetime) -> str:
        alphabet = string.ascii_uppercase + string.digits
        while True:
            order_id = f"CC-{now:%Y%m%d}-" + "".join(self._order_rng.choices(alphabet, k=6))
            if order_id not in self._orders:
                return order_id

    def card_payment(self, order_id: str) -> LiveTx | None:
        with self.lock:
            tx_id = self._orders.get(order_id)
            return None if tx_id is None else self._live[tx_id]

    def complete_card_payment(self, order_id: str, success: bool = True) -> LiveTx | None:
        """What the payer's bank would do: Completed (or Failed). No-op once final. None if unknown."""
        with self.lock:
            tx = self.card_payment(order_id)
            if tx is not None and not tx.is_final:
                self._set_status(tx, "Completed" if success else "Failed", self.now())
            return tx

    # --- callbacks, faults, stats ---------------------------------------------------------------
    @property
    def callback_url(self) -> str | None:
        with self.lock:
            return self._callback_url

    def set_callback_url(self, url: str | None) -> None:
        with self.lock:
            self._callback_url = url or None

    def deliveries(self) -> list[Delivery]:
        return self.callbacks.deliveries()

    @property
    def faults(self) -> Faults:
        return self.injector.faults

    def set_faults(self, faults: Faults) -> None:
        self.injector.set(faults)

    def decide_fault(self, path: str) -> Decision:
        return self.injector.decide(path)

    def record_call(self, key: str) -> None:
        with self.lock:
            self._calls[key] += 1

    def call_counts(self) -> dict[str, int]:
        with self.lock:
            return dict(self._calls)

    def reset_stats(self) -> None:
        with self.lock:
            self._calls.clear()


def _percent(basis_points: int) -> str:
    return f"{Decimal(basis_points) / 100:.2f}"
