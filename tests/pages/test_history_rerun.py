"""A rerun of the Transactions page filters the very history object the first run cached: no copy,
no unpickling (st.cache_data would hand each run a fresh unpickled frame)."""

from __future__ import annotations

import pytest

from dashboard import history


def test_reruns_filter_the_same_cached_frame_object(console, monkeypatch):
    monkeypatch.setenv("ENIGMAPAY_AUTH_DISABLED", "true")  # the page itself, not a sign-in form
    seen: list[int] = []
    real = history.apply_filter

    def spy(df, f):
        seen.append(id(df))
        return real(df, f)

    monkeypatch.setattr(history, "apply_filter", spy)
    at = console.open("transactions")
    assert not at.exception
    at.run()
    at.run()
    assert len(seen) == 3 and len(set(seen)) == 1
    assert console.calls("GET /transactions") == 5  # fetched once (5 IBANs, one page each), not per run


def test_sessions_asking_at_once_share_one_fetch(console, monkeypatch):
    monkeypatch.setenv("ENIGMAPAY_AUTH_DISABLED", "true")
    import threading

    from streamlit.testing.v1 import AppTest

    from tests.pages.conftest import CONSOLE

    def run() -> None:
        at = AppTest.from_file(CONSOLE, default_timeout=60)
        at.switch_page("pages/transactions.py")
        at.run()

    threads = [threading.Thread(target=run) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert console.calls("GET /transactions") == 5
