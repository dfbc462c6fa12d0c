"""The history's fetch with concurrent pages: the same frame as one page after another, pages
received of pages known told to the progress callback, an IBAN whose fan-out fails left out whole,
and the Transactions page's bar (ui.loading.HistoryProgress)."""

from __future__ import annotations

import httpx
import pandas as pd
from streamlit.testing.v1 import AppTest

from dashboard.client import EnigmaPayClient, errors
from dashboard.history.fetch import fetch_history
from dashboard.sandbox import SANDBOX_API_KEY, SANDBOX_SECRET_KEY

TZ = "Europe/Istanbul"


class Broken(httpx.BaseTransport):
    """The real sandbox over loopback, except `page` of `iban_id`, which answers 500."""

    def __init__(self, iban_id: int, page: int) -> None:
        self.inner = httpx.HTTPTransport()
        self.iban_id, self.page = str(iban_id), str(page)

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        params = request.url.params
        if params.get("iban_id") == self.iban_id and params.get("page") == self.page:
            return httpx.Response(500, json={"success": False, "message": "Server Error"})
        return self.inner.handle_request(request)


class Progress:
    def __init__(self) -> None:
        self.ibans: list[tuple[int, int, str]] = []
        self.page_counts: list[tuple[int, int]] = []

    def __call__(self, done: int, total: int, iban: str) -> None:
        self.ibans.append((done, total, iban))

    def pages(self, done: int, known: int) -> None:
        self.page_counts.append((done, known))


def client(srv, **kwargs) -> EnigmaPayClient:
    return EnigmaPayClient(SANDBOX_API_KEY, SANDBOX_SECRET_KEY, base_url=srv.base_url, max_retries=0, **kwargs)


def test_concurrent_pages_give_the_same_frame_and_tell_pages_of_pages_known(make_sandbox):
    srv = make_sandbox(per_page=25)
    with client(srv, page_concurrency=4) as fast, client(srv, page_concurrency=1) as slow:
        ibans = fast.list_ibans()
        progress = Progress()
        frame, got, error = fetch_history(fast, ibans, None, None, TZ, progress)
        sequential, _, _ = fetch_history(slow, ibans, None, None, TZ)
    assert error is None and len(got) == len(ibans) and len(frame) > 1000
    pd.testing.assert_frame_equal(frame, sequential)
    pages = sum(-(-n // 25) for n in frame.groupby("iban_id").size())  # ceil(rows / per page) per IBAN
    assert progress.page_counts[-1] == (pages, pages)
    received = [done for done, _ in progress.page_counts]
    assert received == sorted(received) and all(done <= known for done, known in progress.page_counts)
    assert [done for done, _, _ in progress.ibans] == list(range(1, len(ibans) + 1))


def test_a_plain_three_argument_callback_still_works(make_sandbox):
    srv = make_sandbox(per_page=25)
    calls: list[tuple[int, int, str]] = []
    with client(srv) as api:
        ibans = api.list_ibans()
        frame, got, error = fetch_history(api, ibans, None, None, TZ, lambda d, t, i: calls.append((d, t, i)))
    assert error is None and [d for d, _, _ in calls] == list(range(1, len(ibans) + 1))


def test_an_error_in_one_ibans_fan_out_leaves_that_iban_out_whole(make_sandbox):
    srv = make_sandbox(per_page=25)
    with client(srv) as api:
        ibans = api.list_ibans()
    broken = ibans[1].id
    with client(srv, transport=Broken(broken, page=3)) as api:
        frame, got, error = fetch_history(api, ibans, None, None, TZ)
    assert isinstance(error, errors.ServerError)
    assert broken not in {i.id for i in got} and len(got) == len(ibans) - 1
    assert broken not in set(frame["iban_id"])  # no first pages of it: a history is whole or absent


def test_the_transactions_bar_shows_pages_and_never_goes_back():
    def script():
        from dashboard.ui import loading

        bar = loading.HistoryProgress()
        bar(0, 4, "")
        bar.pages(3, 10)
        bar(1, 4, "TR1")
        bar.pages(4, 20)  # more pages became known: the bar stays where it was

    at = AppTest.from_function(script).run()
    (bar,) = at.get("progress")
    assert bar.proto.value == 30
    assert bar.proto.text == "Loading history: 1 of 4 IBANs, 4 of 20 pages"


def test_through_the_mirror_pages_are_told_too_and_a_restart_fetches_only_the_look_back(make_sandbox, any_store):
    from datetime import timedelta

    from dashboard.history.cache import FrameCache
    from dashboard.history.load import HistoryLoader
    from dashboard.history.mirrored import MirrorSync
    from dashboard.loaded import LastGood
    from dashboard.timeutil import now

    srv = make_sandbox(per_page=25)
    end = now(TZ).date()
    start = end - timedelta(days=120)
    with client(srv) as api:
        ibans = api.list_ibans()

        def load(progress=None):
            sync = MirrorSync(any_store.mirror, lookback_days=3)
            history = HistoryLoader(FrameCache(300), lambda: api, "fp", TZ, LastGood(), mirror=sync)
            frame, _, error = history.load(ibans, start, end, progress)
            sync.wait_for_writes()
            assert error is None
            return frame

        first, again = Progress(), Progress()
        cold = load(first)
        srv.state.reset_stats()
        warm = load(again)  # a restart: a new frame cache and mirror loader on the same store
    pages = sum(-(-n // 25) for n in cold.groupby("iban_id").size())
    assert len(cold) > 500 and first.page_counts[-1] == (pages, pages)
    assert len(warm) == len(cold) and set(warm["id"]) == set(cold["id"])
    fetched = srv.state.call_counts().get("GET /transactions", 0)
    assert fetched < pages and again.page_counts[-1] == (fetched, fetched)  # only the planned days' pages
