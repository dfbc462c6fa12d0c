"""Page concurrency per client (`_pacer`): every transaction page of the client, first pages and the
pages of every IBAN's fan-out, takes a turn from one pacer, so `page_concurrency` bounds what is in
flight however many IBANs are loaded at once; turns are shared fairly (first pages first, then the
listing with the fewest in flight, served longest ago); a 429 on one IBAN holds them all.
Against a fake server that counts what is in flight across IBANs, the pacer alone, and the sandbox."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

import httpx

from dashboard.client import EnigmaPayClient, errors
from dashboard.client._pacer import Listing, PagePacer, Slot, Stopped
from dashboard.history.fetch import fetch_history
from dashboard.sandbox import SANDBOX_API_KEY, SANDBOX_SECRET_KEY, Faults
from tests.helpers.fake_client import recording_client

PER_PAGE = 2


class Server:
    """IBAN i has `pages[i]` pages of PER_PAGE records; counts what is in flight across all IBANs and
    records every start as (monotonic time, iban, page, in flight including it); `answer(iban, n,
    attempt)` may return a failure instead of the page."""

    def __init__(self, pages: dict[int, int], *, delay: float = 0.01, answer=None) -> None:
        self.pages, self.delay, self.answer = pages, delay, answer
        self.lock = threading.Lock()
        self.in_flight = 0
        self.most = 0
        self.starts: list[tuple[float, int, int, int]] = []
        self.attempts: dict[tuple[int, int], int] = {}

    def __call__(self, request: httpx.Request) -> httpx.Response:
        iban, n = int(request.url.params["iban_id"]), int(request.url.params.get("page", "1"))
        with self.lock:
            self.in_flight += 1
            self.most = max(self.most, self.in_flight)
            self.starts.append((time.monotonic(), iban, n, self.in_flight))
            attempt = self.attempts[iban, n] = self.attempts.get((iban, n), 0) + 1
        try:
            time.sleep(self.delay)
            failure = self.answer(iban, n, attempt) if self.answer else None
            if failure is not None:
                return failure
            records = [{"id": iban * 100_000 + n * 100 + i} for i in range(PER_PAGE)]
            return httpx.Response(
                200, json={"success": True, "data": records, "current_page": n, "last_page": self.pages[iban]}
            )
        finally:
            with self.lock:
                self.in_flight -= 1

    def expected(self, iban: int) -> list[int]:
        return [iban * 100_000 + n * 100 + i for n in range(1, self.pages[iban] + 1) for i in range(PER_PAGE)]


def load_at_once(client: EnigmaPayClient, ibans, *, stagger: Callable[[int], None] | None = None) -> dict:
    """Each IBAN's history on its own thread, all at once (as `fetch_history` does): iban -> the record
    ids in the order they came, or the error raised."""
    got: dict[int, object] = {}

    def one(iban: int) -> None:
        if stagger:
            stagger(iban)
        try:
            got[iban] = [r["id"] for page in client.iter_transaction_pages(iban) for r in page]
        except errors.EnigmaPayError as exc:
            got[iban] = exc

    threads = [threading.Thread(target=one, args=(iban,)) for iban in ibans]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert not any(thread.is_alive() for thread in threads)
    return got


def test_several_ibans_at_once_share_the_one_bound_and_each_comes_whole_in_order():
    server = Server({iban: 12 for iban in range(1, 9)})
    client, seen = recording_client(server, page_concurrency=3)
    got = load_at_once(client, server.pages)
    assert all(got[iban] == server.expected(iban) for iban in server.pages)  # each whole, in order
    assert len(seen) == 8 * 12  # each page once
    # 8 fan-outs of 3 each would have put 24 in flight: the client has 3 at most, and uses them.
    assert server.most == 3 and client._pacer.most_in_flight == 3
    assert client._pacer.in_flight() == 0 and client._pacer.waiting() == 0  # every turn given back


def test_first_pages_count_against_the_bound_too():
    server = Server({iban: 1 for iban in range(1, 11)})  # ten one-page IBANs: no fan-out at all
    client, _ = recording_client(server, page_concurrency=2)
    got = load_at_once(client, server.pages)
    assert all(got[iban] == server.expected(iban) for iban in server.pages)
    assert server.most == 2


def test_a_long_history_does_not_starve_the_small_ones_loaded_beside_it():
    big, smalls = 1, range(2, 7)
    server = Server({big: 60, **{iban: 4 for iban in smalls}})
    client, _ = recording_client(server, page_concurrency=4)

    def after_the_big_one_is_under_way(iban: int) -> None:
        deadline = time.monotonic() + 10
        while iban != big and sum(1 for s in server.starts if s[1] == big) < 8 and time.monotonic() < deadline:
            time.sleep(0.002)

    got = load_at_once(client, server.pages, stagger=after_the_big_one_is_under_way)
    assert all(got[iban] == server.expected(iban) for iban in server.pages)
    order = [(iban, n) for _, iban, n, _ in server.starts]
    small_first = min(order.index((iban, 1)) for iban in smalls)
    small_last = max(i for i, (iban, _) in enumerate(order) if iban != big)
    big_meanwhile = [n for iban, n in order[small_first:small_last] if iban == big]
    # The small ones' 20 pages go out in turns with the big one's: it gets about its sixth (fair: ~4
    # pages), never the window; their last page has started long before the big one is half done.
    assert len(big_meanwhile) <= 12
    assert max(n for iban, n in order[: small_last + 1] if iban == big) <= 30
    assert server.most <= 4


def test_a_429_on_one_iban_holds_every_ibans_pages_and_all_come_whole():
    limited_at: list[float] = []

    def once_limited(iban, n, attempt):
        if (iban, n) == (1, 6) and attempt == 1:
            limited_at.append(time.monotonic())
            return httpx.Response(429, headers={"Retry-After": "0.3"}, json={"success": False, "message": "slow"})
        return None

    server = Server({1: 25, 2: 25, 3: 25}, answer=once_limited)
    client, _ = recording_client(server, page_concurrency=4)
    got = load_at_once(client, server.pages)
    assert all(got[iban] == server.expected(iban) for iban in server.pages)
    assert server.attempts[1, 6] == 2 and client._pacer.rate_limits == 1
    answered = limited_at[0]
    # Nothing of any IBAN started during the Retry-After (a page given its turn as the 429 was being
    # read may start in the first instants).
    held = [(iban, n) for at, iban, n, _ in server.starts if answered + 0.05 < at < answered + 0.29]
    assert held == []
    after = [in_flight for at, _, _, in_flight in server.starts if at > answered + 0.29]
    assert max(after[:2]) <= 2  # the client's window halved for every IBAN...
    assert client._pacer.window() == 4  # ...and won back as pages came back without one


def test_an_error_stops_its_own_fan_out_and_the_others_come_whole():
    def broken(iban, n, attempt):
        return httpx.Response(500, json={"success": False, "message": "down"}) if (iban, n) == (2, 4) else None

    server = Server({1: 15, 2: 15, 3: 15}, answer=broken)
    client, _ = recording_client(server, page_concurrency=3, max_retries=1)
    got = load_at_once(client, server.pages)
    assert isinstance(got[2], errors.ServerError)
    assert got[1] == server.expected(1) and got[3] == server.expected(3)
    asked_of_2 = [n for _, iban, n, _ in server.starts if iban == 2]
    assert max(asked_of_2) <= 4 + 2 * 3  # no further than its read-ahead
    assert client._pacer.in_flight() == 0 and client._pacer.waiting() == 0


# --- the pacer's turns, step by step ---------------------------------------------------------------


class Turn:
    """A thread that waits for `slot`'s turn, notes it in `log`, and holds it until `done()`."""

    def __init__(self, name: str, slot: Slot, log: list[str]) -> None:
        self.name, self.slot, self.log = name, slot, log
        self._done = threading.Event()
        self.error: BaseException | None = None
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _run(self) -> None:
        try:
            with self.slot:
                self.log.append(self.name)
                self._done.wait(10)
        except Stopped as exc:
            self.error = exc

    def done(self) -> None:
        self._done.set()
        self.thread.join(5)


def until(condition: Callable[[], bool]) -> None:
    deadline = time.monotonic() + 5
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.001)


def test_turns_go_to_first_pages_then_the_listing_least_served():
    pacer, log = PagePacer(2), []
    big, small, other = Listing(), Listing(), Listing()
    turns: dict[str, Turn] = {}

    def ask(name: str, listing: Listing, number: int, first: bool = False) -> None:
        waiting = pacer.waiting() + pacer.in_flight()
        turns[name] = Turn(name, Slot(pacer, listing, number, first=first), log)
        until(lambda: pacer.waiting() + pacer.in_flight() == waiting + 1)

    for n in range(2, 7):
        ask(f"big{n}", big, n)
    until(lambda: log == ["big2", "big3"])  # the window is 2
    ask("small2", small, 2)
    ask("other1", other, 1, first=True)  # asked for after big4..6 and small2, goes before them
    turns["big2"].done()
    until(lambda: len(log) == 3)
    assert log[2] == "other1"
    turns["big3"].done()  # big and small both have none in flight; small was never served
    until(lambda: len(log) == 4)
    assert log[3] == "small2"
    turns["other1"].done()  # big has none in flight, small one: big's lowest page
    until(lambda: len(log) == 5)
    assert log[4] == "big4"
    for name in ("small2", "big4", "big5", "big6"):
        turns[name].done()
    assert log == ["big2", "big3", "other1", "small2", "big4", "big5", "big6"]
    assert pacer.in_flight() == 0 and pacer.most_in_flight == 2


def test_a_stopped_listing_gives_up_its_waiting_turns_at_once():
    pacer, log = PagePacer(1), []
    stop = threading.Event()
    holder = Turn("holder", Slot(pacer, Listing(), 1), log)
    until(lambda: log == ["holder"])
    stopped_listing = Listing()
    waiting = [Turn(f"w{n}", Slot(pacer, stopped_listing, n, stop=stop), log) for n in range(2, 5)]
    until(lambda: pacer.waiting() == 3)
    stop.set()
    pacer.wake(stop)
    for turn in waiting:
        turn.thread.join(1)  # woken, not left to their next poll
        assert isinstance(turn.error, Stopped)
    assert pacer.waiting() == 0 and log == ["holder"]
    holder.done()
    assert pacer.in_flight() == 0


def test_fetch_history_of_many_ibans_against_the_sandbox_keeps_to_the_bound(make_sandbox):
    concurrency = 3
    srv = make_sandbox(ibans=8, per_page=40, faults=Faults(latency_ms=5, paths=("transactions",)))

    class Counting(httpx.BaseTransport):
        def __init__(self) -> None:
            self.inner, self.lock, self.in_flight, self.most = httpx.HTTPTransport(), threading.Lock(), 0, 0

        def handle_request(self, request: httpx.Request) -> httpx.Response:
            with self.lock:
                self.in_flight += 1
                self.most = max(self.most, self.in_flight)
            try:
                response = self.inner.handle_request(request)
                response.read()
                return response
            finally:
                with self.lock:
                    self.in_flight -= 1

    counting = Counting()
    kwargs = dict(base_url=srv.base_url, max_retries=0)
    with EnigmaPayClient(SANDBOX_API_KEY, SANDBOX_SECRET_KEY, page_concurrency=concurrency, **kwargs) as api:
        ibans = api.list_ibans()
        with EnigmaPayClient(
            SANDBOX_API_KEY, SANDBOX_SECRET_KEY, page_concurrency=concurrency, transport=counting, **kwargs
        ) as shared:
            frame, got, error = fetch_history(shared, ibans, None, None, "Europe/Istanbul")
    assert error is None and len(got) == len(ibans) == 8 and len(frame) == 3_000
    pages = sum(-(-n // 40) for n in frame.groupby("iban_id").size())
    assert pages >= 8 * 2  # every IBAN fans out
    assert counting.most == concurrency  # 8 IBANs, one client: the setting's bound, and it is used
