"""Sandbox configuration and the public demo credentials."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from dashboard.sandbox.faults import Faults
from dashboard.timeutil import DEFAULT_TZ

# Public demo values, printed by `python -m dashboard.sandbox`: they unlock nothing but the sandbox.
SANDBOX_API_KEY = "ep_sandbox_demo_key"
SANDBOX_SECRET_KEY = "ep_sandbox_demo_secret"


def request_hash(api_key: str, secret_key: str) -> str:
    """X-Hash as the provider computes it: hex sha256 of the key immediately followed by the secret."""
    return hashlib.sha256((api_key + secret_key).encode("utf-8")).hexdigest()


def auth_headers(api_key: str = SANDBOX_API_KEY, secret_key: str = SANDBOX_SECRET_KEY) -> dict[str, str]:
    """The four headers every dealer API request carries."""
    return {
        "X-API-Key": api_key,
        "X-Hash": request_hash(api_key, secret_key),
        "Accept": "application/json",
        "Content-Type": "application/json",
    }


@dataclass
class SandboxConfig:
    """Everything that shapes one sandbox: data size and seed, payout timing, credentials, faults.

    `anchor` is the newest moment of the demo history (default: now, truncated to the minute);
    `clock` returns the aware "now" that drives payouts and balance snapshots (default: real time).
    """

    seed: int = 42
    ibans: int = 5
    transactions: int = 30_000
    days: int = 365
    anchor: datetime | None = None
    per_page: int = 1000
    credit_card_enabled: bool = True
    processing_after: float = 2.0
    settle_after: float = 6.0
    failure_rate: float = 0.1
    callback_url: str | None = None
    tz: str = DEFAULT_TZ
    api_key: str = field(default=SANDBOX_API_KEY, repr=False)
    secret_key: str = field(default=SANDBOX_SECRET_KEY, repr=False)
    faults: Faults = field(default_factory=Faults)
    clock: Callable[[], datetime] | None = None
    # Background machinery; the defaults suit both the console and fast tests.
    ticker_interval: float = 0.2
    callback_attempts: int = 4
    callback_backoff: float = 0.5
    callback_timeout: float = 5.0
    callback_workers: int = 2

    def __post_init__(self) -> None:
        if self.ibans < 1:
            raise ValueError("ibans must be at least 1")
        if self.transactions < 0 or self.days < 1:
            raise ValueError("transactions must be >= 0 and days >= 1")
        if not 1 <= self.per_page <= 10_000:
            raise ValueError("per_page must be between 1 and 10000")
        if not 0.0 <= self.failure_rate <= 1.0:
            raise ValueError("failure_rate must be between 0 and 1")
        if self.settle_after < self.processing_after:
            raise ValueError("settle_after must not be shorter than processing_after")
        if self.anchor is not None and self.anchor.tzinfo is None:
            raise ValueError("anchor must be an aware datetime")
