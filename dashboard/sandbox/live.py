"""What the sandbox creates while it runs: payouts and card payments (`LiveTx`), and a settable clock.

The demo year itself stays in numpy columns (`data.py`); these are the few rows added on top.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from dashboard.sandbox import data as demo


class FakeClock:
    """A settable clock for tests: `SandboxConfig(clock=FakeClock(start))`, then `clock.advance(seconds)`."""

    def __init__(self, start: datetime) -> None:
        if start.tzinfo is None:
            raise ValueError("start must be aware")
        self._now = start
        self._lock = threading.Lock()

    def __call__(self) -> datetime:
        with self._lock:
            return self._now

    def advance(self, seconds: float) -> datetime:
        with self._lock:
            self._now += timedelta(seconds=seconds)
            return self._now

    def set(self, moment: datetime) -> None:
        with self._lock:
            self._now = moment


@dataclass
class LiveTx:
    """A transaction created through the API (payout or card payment); demo history stays in columns."""

    id: int
    iban_index: int
    kind: int  # demo.DEPOSIT / demo.WITHDRAWAL
    amount: int  # kuruş
    commission: int  # kuruş
    status: str
    username: str
    customer_name: str
    customer_iban: str | None
    description: str | None
    created: datetime
    created_wall: int
    completed: datetime | None = None
    order_id: str | None = None  # card payments only

    @property
    def is_final(self) -> bool:
        return self.status in demo.FINAL_STATUSES

    def completed_at(self, tz) -> str | None:
        return None if self.completed is None else demo.wall_to_str(demo.wall_seconds(self.completed, tz))

    def record(self, iban_id: int, tz) -> dict[str, Any]:
        return {
            "id": self.id,
            "iban_id": iban_id,
            "type": demo.TYPES[self.kind],
            "amount": demo.kurus_to_number(self.amount),
            "commission": demo.kurus_to_number(self.commission),
            "status": self.status,
            "username": self.username,
            "customer_name": self.customer_name,
            "customer_iban": self.customer_iban,
            "description": self.description,
            "created_at": demo.wall_to_str(self.created_wall),
            "completed_at": self.completed_at(tz),
        }
