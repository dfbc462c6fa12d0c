"""An EnigmaPayClient for the client tests: requests go to a handler in the test (no network)."""

from __future__ import annotations

from collections.abc import Callable

import httpx

from dashboard.client import EnigmaPayClient

API_KEY = "ak_test_0123456789abcdef"
SECRET = "sk_test_fedcba9876543210"
BASE = "https://api.example.test/api/dealer"


def recording_client(
    handler: Callable[[httpx.Request], httpx.Response], **kwargs
) -> tuple[EnigmaPayClient, list[httpx.Request]]:
    """(client, seen): every request the client sends is appended to `seen`, then answered by `handler`;
    retries do not really sleep. `kwargs` go to EnigmaPayClient (base_url defaults to BASE)."""
    seen: list[httpx.Request] = []

    def recording(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return handler(request)

    kwargs.setdefault("base_url", BASE)
    client = EnigmaPayClient(API_KEY, SECRET, transport=httpx.MockTransport(recording), **kwargs)
    client._sleep = lambda seconds: None
    return client, seen
