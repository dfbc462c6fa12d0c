"""EnigmaPayClient: one method per endpoint of the dealer API."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import asdict
from datetime import date, tzinfo
from typing import Any, TypeVar

import httpx

from . import _constants, _pages, _reader, checks, models
from ._base import BaseClient
from ._fanout import FanOut, Listing, PagePacer, Slot
from .errors import MalformedResponseError
from .times import DEFAULT_TZ, format_api_date

T = TypeVar("T")
PageCallback = Callable[[int, int], None]  # (pages of this listing received, pages of it known so far)


class EnigmaPayClient(BaseClient):
    """Typed access to the EnigmaPay dealer API.

    One instance holds one pooled `httpx.Client` and may be shared between threads. Reads (GET) are
    retried on connection errors, timeouts, 408, 429 and 5xx; writes (POST) are sent exactly once.
    """

    def __init__(
        self,
        api_key: str,
        secret_key: str,
        *,
        base_url: str = _constants.DEFAULT_BASE_URL,
        timeout: float | httpx.Timeout | None = None,
        max_retries: int = _constants.MAX_RETRIES,
        transport: httpx.BaseTransport | None = None,
        tz: str | tzinfo = DEFAULT_TZ,
        page_concurrency: int = _constants.PAGE_CONCURRENCY,
    ) -> None:
        if not isinstance(page_concurrency, int) or isinstance(page_concurrency, bool) or page_concurrency < 1:
            raise ValueError("page_concurrency must be a whole number of at least 1")  # before any pool is opened
        super().__init__(
            api_key, secret_key, base_url=base_url, timeout=timeout, max_retries=max_retries, transport=transport
        )
        self.tz = tz
        self.page_concurrency = page_concurrency
        # Every transaction page of the client takes its turn here: page_concurrency in flight at most for
        # the whole client (all IBANs, first pages too), shared fairly; a 429 slows them all.
        self._pacer = PagePacer(page_concurrency)

    def _rate_limited(self, delay: float) -> None:
        # Any 429 (a first page, /ibans...) means the dealer's key is rate limited: the fan-outs slow too.
        self._pacer.rate_limited(delay)

    # --- reads --------------------------------------------------------------------------------------

    def get_settings(self) -> models.DealerSettings:
        """The dealer's channels (card, e-IBAN, manual IBAN) with their status and commissions."""
        body = self._request("GET", self._url("/settings"), operation="settings")
        return _reader.parse_settings(body)

    def list_ibans(self) -> list[models.Iban]:
        """The dealer's IBANs with balances (EnigmaPay refreshes balances once a minute)."""
        body = self._request("GET", self._url("/ibans"), operation="ibans")
        return _reader.parse_ibans(body)

    def list_transactions(
        self, iban_id: int, start_date: date | None = None, end_date: date | None = None
    ) -> list[models.Transaction]:
        """Every transaction of one IBAN in the date range (inclusive), all pages followed."""
        return [
            _reader.parse_transaction(record, self.tz, iban_id)
            for page in self.iter_transaction_pages(iban_id, start_date, end_date)
            for record in page
        ]

    def iter_transaction_pages(
        self,
        iban_id: int,
        start_date: date | None = None,
        end_date: date | None = None,
        *,
        arrow: bool = False,
        on_page: PageCallback | None = None,
    ) -> Iterator[Any]:
        """The raw record dicts page by page, exactly as EnigmaPay sent them (for building frames).

        arrow=True: a page of the plain shape comes as a pyarrow StructArray read straight from the
        JSON bytes (`_pages.arrow_transaction_page`: no Python dict per record, GIL released), any
        other page as the usual list of dicts; `history.records_to_frame` takes both.

        When a page tells the last one (`current_page` < `last_page`), the pages after it are fetched
        concurrently and still yielded in order (`_fanout`). Every page, first pages included, takes a
        turn from the client's pacer: `page_concurrency` at most in flight for the whole client, however
        many listings run at once on other threads, shared fairly between them (`_pacer`).
        Otherwise follows `next_page_url` (absolute or relative, only ever on the configured host,
        keeping iban_id and the dates). A repeated page URL, more than `max_pages` pages, or a page
        that answers for another page number raises MalformedResponseError. Requests are made lazily,
        as pages are consumed. `on_page(received, known)` is called on the consuming thread before
        each page is yielded.
        """
        params = _transaction_params(iban_id, start_date, end_date)
        url = self._url("/transactions")
        seen: set[tuple[str, tuple[tuple[str, str], ...]]] = set()
        listing = Listing()  # this listing's share of the client's pages in flight
        while True:
            key = (url, tuple(sorted((k, str(v)) for k, v in params.items())))
            if key in seen:
                raise MalformedResponseError(f"transactions pagination repeats a page ({url}, {dict(key[1])})")
            if len(seen) >= self.max_pages:
                raise MalformedResponseError(f"transactions pagination exceeds {self.max_pages} pages")
            seen.add(key)
            page = self._paced_page(listing, len(seen), url, params, arrow)
            if self._fans_out(page):
                yield from self._fan_out(listing, url, params, page, arrow, on_page, received=len(seen))
                return
            following = self._next_page(url, params, page)
            if on_page:
                on_page(len(seen), len(seen) + (following is not None))
            yield page.records
            if following is None:
                return
            url, params = following

    def _paced_page(
        self, listing: Listing, number: int, url: str, params: dict[str, Any], arrow: bool
    ) -> _pages.TransactionPage:
        """The listing's `number`th page, in its turn (a first page before the other listings' pages)."""
        slot = Slot(self._pacer, listing, number, first=number == 1)
        with slot:
            page = self._transaction_page(url, params, arrow)
        self._pacer.answered(slot.started)
        return page

    def _transaction_page(self, url: str, params: dict[str, Any], arrow: bool, **kwargs: Any) -> _pages.TransactionPage:
        fast = _pages.arrow_transaction_page if arrow else None
        body = self._request("GET", url, params=params, operation="transactions", fast_decode=fast, **kwargs)
        return body if isinstance(body, _pages.TransactionPage) else _pages.read_transaction_page(body)

    def _fans_out(self, page: _pages.TransactionPage) -> bool:
        return (
            self.page_concurrency > 1
            and page.current_page is not None
            and page.last_page is not None
            and page.current_page < page.last_page
        )

    def _fan_out(
        self,
        listing: Listing,
        url: str,
        params: dict[str, Any],
        page: _pages.TransactionPage,
        arrow: bool,
        on_page: PageCallback | None,
        received: int,
    ) -> Iterator[Any]:
        """This page, then pages current+1..last asked for as `page=N` on the same URL, concurrently."""
        assert page.current_page is not None and page.last_page is not None  # _fans_out said so
        first, last = page.current_page + 1, page.last_page
        known = received + (last - first + 1)
        if known > self.max_pages:
            raise MalformedResponseError(f"transactions pagination exceeds {self.max_pages} pages")

        def fetch(number: int) -> Any:
            got = self._transaction_page(url, {**params, "page": number}, arrow, retry_rate_limit=False)
            if got.current_page is not None and got.current_page != number:
                raise MalformedResponseError(f"transactions page {number} answered as page {got.current_page}")
            return got.records

        fan = FanOut(
            fetch,
            first,
            last,
            pacer=self._pacer,
            listing=listing,
            concurrency=self.page_concurrency,
            max_rate_limited=self.max_retries,
            backoff=lambda attempt: self._retry_delay(attempt, None),
        )
        pages = fan.start()  # pages first+1.. are asked for while the caller handles this one
        try:
            if on_page:
                on_page(received, known)
            yield page.records
            del page
            for records in pages:
                received += 1
                if on_page:
                    on_page(received, known)
                yield records
        finally:
            fan.close()

    def _next_page(
        self, url: str, params: dict[str, Any], page: _pages.TransactionPage
    ) -> tuple[str, dict[str, Any]] | None:
        if page.next_page_url:
            try:
                target = httpx.URL(url).join(page.next_page_url)
            except httpx.InvalidURL:  # e.g. a control character in the link: no page to follow
                raise MalformedResponseError(f"next_page_url is not a URL: {page.next_page_url!r}") from None
            base = httpx.URL(self.base_url)
            if target.host and target.host != base.host:
                # Following it would hand X-API-Key and X-Hash to another host.
                raise MalformedResponseError(f"next_page_url points to another host: {target.host}")
            # Scheme and host stay ours (a Laravel app behind a TLS proxy often writes http:// links).
            merged = {**params, **dict(target.params)}
            return str(base.copy_with(path=target.path, query=None)), merged
        if page.current_page is not None and page.last_page is not None and page.current_page < page.last_page:
            return url, {**params, "page": page.current_page + 1}
        return None

    def get_transaction_status(self, transaction_id: int) -> models.TransactionStatus:
        """One transaction's current status (NotFoundError when EnigmaPay does not know the id)."""
        if not isinstance(transaction_id, int) or isinstance(transaction_id, bool):
            raise TypeError("transaction_id must be an int")
        models.parse_transaction_id(transaction_id)  # out of range: TransactionIdError before any request
        body = self._request(
            "GET",
            self._url("/transaction-status"),
            params={"transaction_id": transaction_id},
            operation="transaction-status",
        )
        return _reader.parse_transaction_status(body, self.tz)

    # --- writes (never retried) --------------------------------------------------------------------

    def send_money(self, req: models.SendMoneyRequest) -> models.TransferResult:
        """Pay out to a customer IBAN. Sent once; OutcomeUnknownError if the answer never arrives.

        The request is checked again first (checks.InputError, no HTTP call) and sent cleaned.
        """
        clean = checks.check_send_money(**asdict(req))
        return self._post("/send-money", "send-money", clean.to_json(), _reader.parse_transfer)

    def create_card_payment(self, req: models.CardPaymentRequest) -> models.CardPayment:
        """Create a card payment link (minimum 200 TL; the feature must be enabled for the dealer).

        The request is checked again first (checks.InputError, no HTTP call) and sent cleaned.
        """
        clean = checks.check_card_payment(**asdict(req))
        return self._post("/credit-card/payment", "credit-card/payment", clean.to_json(), _reader.parse_card_payment)

    def _post(self, path: str, operation: str, content: bytes, parse: Callable[[dict[str, Any]], T]) -> T:
        body = self._request("POST", self._url(path), content=content, operation=operation)
        try:
            return parse(body)
        except MalformedResponseError as exc:
            raise self._malformed(f"POST {path}: {exc.message}", "POST", operation) from None


def _transaction_params(iban_id: int, start_date: date | None, end_date: date | None) -> dict[str, Any]:
    if not isinstance(iban_id, int) or isinstance(iban_id, bool):
        raise TypeError("iban_id must be an int")
    params: dict[str, Any] = {"iban_id": iban_id}
    if start_date is not None:
        params["start_date"] = format_api_date(start_date)
    if end_date is not None:
        params["end_date"] = format_api_date(end_date)
    return params
