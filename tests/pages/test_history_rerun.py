"""A rerun of the Transactions page filters the very history object the first run cached: no copy,
no unpickling (st.cache_data would hand each run a fresh unpickled frame), and with an unchanged
filter it does not filter again (data_access.filter_history memoises the view per history)."""

from __future__ import annotations

from tests.helpers.spies import spying_on_filters


def test_reruns_filter_the_same_cached_frame_object(console, monkeypatch):
    monkeypatch.setenv("ENIGMAPAY_AUTH_DISABLED", "true")  # the page itself, not a sign-in form
    with spying_on_filters() as (seen, filtered):
        at = console.open("transactions")
        assert not at.exception
        at.run()
        at.run()
        assert len(seen) == 3 and len(set(seen)) == 1  # every run got the cached frame itself
        assert filtered == seen[:1]  # filtered once, on the first run; the reruns reuse its rows
        assert console.calls("GET /transactions") == 5  # fetched once (5 IBANs, one page each), not per run

        # A changed filter filters again (the same frame), and the table follows it.
        at.session_state["tx_status"] = ["Completed"]
        at.run()
        assert not at.exception
        assert len(filtered) == 2 and set(filtered) == set(seen)
        assert set(at.dataframe[0].value["Status"].astype(str)) <= {"Completed"}

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
