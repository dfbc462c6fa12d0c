"""Which EnigmaPay the console talks to: the live API, or the built-in sandbox on loopback.

No Streamlit here: `dashboard.data_access` caches one Backend per credential set, and the
server's lifespan (`app.py`) may open one too.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from dashboard.client import EnigmaPayClient
from dashboard.config import Settings
from dashboard.sandbox import SANDBOX_API_KEY, SANDBOX_SECRET_KEY, SandboxConfig, run_in_thread

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Backend:
    client: EnigmaPayClient
    is_sandbox: bool
    base_url: str
    sandbox: object | None = None  # RunningSandbox when we started one ourselves

    @property
    def label(self) -> str:
        return "SANDBOX" if self.is_sandbox else self.base_url

    def close(self) -> None:
        self.client.close()
        if self.sandbox is not None:
            self.sandbox.stop()


def is_sandbox(settings: Settings) -> bool:
    """Whether these settings talk to a sandbox: no API key (the built-in one), or the sandbox's
    demo credentials (a sandbox started elsewhere). Decided without starting anything."""
    if settings.use_builtin_sandbox:
        return True
    return settings.api_key.reveal() == SANDBOX_API_KEY and settings.secret_key.reveal() == SANDBOX_SECRET_KEY


def open_backend(settings: Settings, *, callback_url: str | None = None) -> Backend:
    """Connect to the configured API, or start the built-in sandbox when no API key is set.

    Credentials equal to the sandbox's demo pair also count as sandbox (tests point the console
    at a sandbox they started), so the badge never claims a live connection that is not one.
    """
    if settings.use_builtin_sandbox:
        running = run_in_thread(
            SandboxConfig(transactions=settings.sandbox_transactions, tz=settings.timezone, callback_url=callback_url)
        )
        log.info("started built-in sandbox at %s", running.base_url)
        client = EnigmaPayClient(
            SANDBOX_API_KEY,
            SANDBOX_SECRET_KEY,
            base_url=running.base_url,
            timeout=settings.timeout,
            tz=settings.timezone,
            page_concurrency=settings.page_concurrency,
        )
        return Backend(client=client, is_sandbox=True, base_url=running.base_url, sandbox=running)

    api_key, secret_key = settings.api_key.reveal(), settings.secret_key.reveal()
    client = EnigmaPayClient(
        api_key,
        secret_key,
        base_url=settings.base_url,
        timeout=settings.timeout,
        tz=settings.timezone,
        page_concurrency=settings.page_concurrency,
    )
    return Backend(client=client, is_sandbox=is_sandbox(settings), base_url=settings.base_url)
