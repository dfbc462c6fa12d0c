"""Concurrent pages (`_fanout`): once the first page tells the last, pages 2..last are fetched
concurrently, bounded, in order, slowed by a 429 for the whole fan-out, and an error is raised,
never a shorter history. Against a fake transport that tracks what is in flight, and the sandbox."""

from __future__ import annotations

import threading
import time

import httpx
import pytest

from dashboard.client import EnigmaPayClient, errors
from dashboard.client._fanout import PagePacer
from dashboard.sandbox import SANDBOX_API_KEY, SANDBOX_SECRET_KEY, Faults
from tests.helpers.fake_client import recording_client

PER_PAGE = 3


class Server:
    """Pages 1..last of PER_PAGE records each; counts what is in flight; `answer(n, attempt)` may
    return a failure response instead of the page."""

    def __init__(self, last: int, *, delay: float = 0.01, answer=None, last_page: bool = True) -> None:
        self.last, self.delay, self.answer, self.last_page = last, delay, answer, last_page
        self.lock = threading.Lock()
        self.in_flight = 0
        self.most = 0
        self.starts: list[tuple[float, int, int]] = []  # (monotonic time, page, in flight including it)
        self.attempts: dict[int, int] = {}

    def __call__(self, request: httpx.Request) -> httpx.Response:
        n = int(request.url.params.get("page", "1"))
        with self.lock:
            self.in_flight += 1
            self.most = max(self.most, self.in_flight)
            self.starts.append((time.monotonic(), n, self.in_flight))
            attempt = self.attempts[n] = self.attempts.get(n, 0) + 1
        try:
            time.sleep(self.delay)
            failure = self.answer(n, attempt) if self.answer else None
            if failure is not None:
                return failure
            return httpx.Response(200, json=self.body(n))
        finally:
            with self.lock:
                self.in_flight -= 1

    def body(self, n: int) -> dict:
        records = [{"id": n * 1000 + i} for i in range(PER_PAGE)]
        body = {"success": True, "data": records, "current_page": n}
        if self.last_page:
            body["last_page"] = self.last
        else:
            body["next_page_url"] = f"?page={n + 1}" if n < self.last else None
        return body


def ids(pages) -> list[int]:
    return [r["id"] for page in pages for r in page]


def expected(last: int) -> list[int]:
    return [n * 1000 + i for n in range(1, last + 1) for i in range(PER_PAGE)]


def test_every_page_once_in_order_with_at_most_the_concurrency_in_flight():
    # Later pages answer faster than earlier ones: the order still comes from the page numbers.
    server = Server(40)
    server.delay = 0.0

    def slower_first(n, attempt):
        time.sleep(0.002 * (41 - n) % 0.03)
        return None

    server.answer = slower_first
    client, seen = recording_client(server, page_concurrency=3)
    progress: list[tuple[int, int]] = []
    pages = list(client.iter_transaction_pages(1, on_page=lambda got, known: progress.append((got, known))))
    assert ids(pages) == expected(40)
    assert sorted(int(r.url.params.get("page", "1")) for r in seen) == list(range(1, 41))  # each once
    assert server.most == 3  # bounded, and the bound is used
    assert progress == [(n, 40) for n in range(1, 41)]  # pages received of pages known, in order


def test_one_listing_pages_keep_iban_and_dates():
    server = Server(5)
    client, seen = recording_client(server)
    from datetime import date

    list(client.iter_transaction_pages(7, date(2026, 1, 1), date(2026, 1, 31)))
    for request in seen:
        assert request.url.params["iban_id"] == "7"
        assert (request.url.params["start_date"], request.url.params["end_date"]) == ("2026-01-01", "2026-01-31")


def test_without_last_page_next_page_url_is_followed_one_at_a_time():
    server = Server(6, last_page=False)
    client, seen = recording_client(server, page_concurrency=4)
    progress: list[tuple[int, int]] = []
    pages = list(client.iter_transaction_pages(1, on_page=lambda got, known: progress.append((got, known))))
    assert ids(pages) == expected(6)
    assert [r.url.params.get("page") for r in seen] == [None, "2", "3", "4", "5", "6"]
    assert server.most == 1
    assert progress == [(1, 2), (2, 3), (3, 4), (4, 5), (5, 6), (6, 6)]  # known: one more while a link follows


def test_a_429_slows_the_whole_fan_out_and_honours_retry_after():
    limited_at: list[float] = []

    def once_limited(n, attempt):
        if n == 10 and attempt == 1:
            limited_at.append(time.monotonic())
            return httpx.Response(429, headers={"Retry-After": "0.3"}, json={"success": False, "message": "slow"})
        return None

    server = Server(60, delay=0.02, answer=once_limited)
    client, seen = recording_client(server, page_concurrency=4)
    pages = list(client.iter_transaction_pages(1))
    assert ids(pages) == expected(60)  # complete, in order: the page was asked again, once
    assert server.attempts[10] == 2 and client._pacer.rate_limits == 1
    # Retry-After honoured by the whole fan-out: nothing started in the 0.3 s after the 429 was answered.
    answered = limited_at[0]  # recorded as the 429 is answered
    assert not [s for s in server.starts if answered + 0.005 < s[0] < answered + 0.29]
    # ...then fewer in flight (the window halved to 2) and back to 4 gradually, not at once.
    after = [in_flight for at, _, in_flight in server.starts if at > answered + 0.29]
    assert max(after[:2]) <= 2 and max(after[:6]) <= 3
    assert max(after) == 4 and client._pacer.window() == 4


def test_a_429_on_another_request_slows_the_fan_outs_too():
    def limited_first(n, attempt):
        if n == 1 and attempt == 1:
            return httpx.Response(429, headers={"Retry-After": "0.2"}, json={"success": False, "message": "slow"})
        return None

    server = Server(12, answer=limited_first)
    client, _ = recording_client(server, page_concurrency=4)
    assert ids(client.iter_transaction_pages(1)) == expected(12)  # the first page retried as any GET
    assert client._pacer.rate_limits == 1
    assert max(in_flight for _, _, in_flight in server.starts[:4]) <= 2  # the fan-out began at half the window
    assert client._pacer.window() == 4  # ...and won its slots back as pages came back without one


def test_a_page_rate_limited_beyond_the_retries_is_a_rate_limit_error_and_nothing_more_is_asked():
    def always_limited(n, attempt):
        if n == 5:
            return httpx.Response(429, headers={"Retry-After": "0.05"}, json={"success": False, "message": "slow"})
        return None

    server = Server(30, answer=always_limited)
    client, seen = recording_client(server, page_concurrency=4, max_retries=2)
    got: list = []
    with pytest.raises(errors.RateLimitError) as caught:
        for page in client.iter_transaction_pages(1):
            got.append(page)
    assert caught.value.retry_after == 0.05
    assert server.attempts[5] == 3  # once, plus max_retries
    assert ids(got) == expected(4)  # the pages before it, then the error: never a history without page 5
    asked = len(seen)
    time.sleep(0.1)
    assert len(seen) == asked and server.in_flight == 0  # stopped: no thread still asks
    assert asked <= 1 + 4 * 2 + 2 + 4  # nothing beyond the read-ahead (pages 2..13 at most) and page 5's retries


def test_an_error_mid_fan_out_is_raised_and_list_transactions_returns_nothing():
    def broken(n, attempt):
        return httpx.Response(500, json={"success": False, "message": "down"}) if n == 7 else None

    server = Server(30, answer=broken)
    client, seen = recording_client(server, page_concurrency=4, max_retries=1)
    with pytest.raises(errors.ServerError):
        client.list_transactions(1)
    assert server.attempts[7] == 2  # the client's usual GET retry, then the typed error
    assert max(int(r.url.params.get("page", "1")) for r in seen) <= 7 + 2 * 4


def test_a_malformed_page_mid_fan_out_is_a_malformed_response():
    def garbage(n, attempt):
        return httpx.Response(200, content=b"<html>oops</html>") if n == 3 else None

    client, _ = recording_client(Server(10, answer=garbage))
    with pytest.raises(errors.MalformedResponseError):
        list(client.iter_transaction_pages(1, arrow=True))


def test_concurrency_one_is_the_sequential_walk():
    server = Server(8)
    client, seen = recording_client(server, page_concurrency=1)
    assert ids(client.iter_transaction_pages(1)) == expected(8)
    assert [r.url.params.get("page") for r in seen] == [None, *map(str, range(2, 9))]
    assert server.most == 1


@pytest.mark.parametrize("bad", [0, -1, True, 2.0, "4"])
def test_page_concurrency_must_be_a_positive_whole_number(bad):
    with pytest.raises(ValueError, match="page_concurrency"):
        EnigmaPayClient("ak_test_0123", "sk_test_0123", page_concurrency=bad)


def test_pacer_halves_on_a_429_and_steps_back_up_one_per_calm_window():
    now = [100.0]
    pacer = PagePacer(8, clock=lambda: now[0])
    pacer.rate_limited(2.0)
    assert pacer.window() == 4 and pacer.delay() == 2.0
    pacer.rate_limited(0.5)  # a shorter Retry-After never shortens the wait already asked for
    assert pacer.window() == 2 and pacer.delay() == 2.0
    now[0] += 2.0
    assert pacer.delay() == 0.0
    for _ in range(5):
        pacer.answered(started=99.0)  # asked for before the 429: no sign that the server is calm again
    assert pacer.window() == 2
    for _ in range(2):
        pacer.answered(started=now[0])
    assert pacer.window() == 3
    for _ in range(3 + 4 + 5 + 6):
        pacer.answered(started=now[0])
    assert pacer.window() == 7
    for _ in range(100):
        pacer.answered(started=now[0])
    assert pacer.window() == 8  # never above the setting


def test_against_the_sandbox_same_records_as_the_sequential_walk(make_sandbox):
    srv = make_sandbox(per_page=20, faults=Faults(rate_limit_every=7, retry_after_seconds=0))
    kwargs = dict(base_url=srv.base_url, max_retries=5)
    with (
        EnigmaPayClient(SANDBOX_API_KEY, SANDBOX_SECRET_KEY, page_concurrency=4, **kwargs) as fast,
        EnigmaPayClient(SANDBOX_API_KEY, SANDBOX_SECRET_KEY, page_concurrency=1, **kwargs) as slow,
    ):
        slow._sleep = lambda s: None
        iban = fast.list_ibans()[0].id
        concurrent = [t.id for t in fast.list_transactions(iban)]
        arrow = sum(len(p) for p in fast.iter_transaction_pages(iban, arrow=True))
        sequential = [t.id for t in slow.list_transactions(iban)]
    assert len(sequential) > 200 and concurrent == sequential and arrow == len(sequential)
    assert fast._pacer.rate_limits > 0  # the sandbox's 429s went through the pacer, and nothing failed
