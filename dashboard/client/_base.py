"""Transport core: headers and X-Hash, the envelope, status -> error mapping, GET-only retries.

Endpoint methods live in `client.py`; this module knows nothing about individual endpoints except
the operation name it puts into errors and logs.
"""

from __future__ import annotations

import email.utils
import hashlib
import logging
import random
import time
from collections.abc import Callable
from datetime import UTC
from typing import Any, Self, cast

import httpx
import orjson

from . import _constants, _envelope
from .errors import (
    APIConnectionError,
    APIError,
    APIStatusError,
    APITimeoutError,
    AuthenticationError,
    EnigmaPayError,
    FeatureDisabledError,
    MalformedResponseError,
    NotFoundError,
    OutcomeUnknownError,
    RateLimitError,
    ServerError,
    ValidationError,
)

log = logging.getLogger("dashboard.client")

# Failures that happen before a single byte of the request left: safe to report as "not sent".
_NOT_SENT = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout, httpx.UnsupportedProtocol, httpx.ProxyError)
_RETRYABLE_EXCEPTIONS = (httpx.TimeoutException, httpx.NetworkError, httpx.RemoteProtocolError)
_REDACTED = "[redacted]"
_LOOPBACK_HOSTS = frozenset({"localhost", "127.0.0.1", "::1"})


def x_hash(api_key: str, secret_key: str) -> str:
    """The X-Hash header: lowercase hex SHA-256 of the API key immediately followed by the secret."""
    return hashlib.sha256((api_key + secret_key).encode("utf-8")).hexdigest()


def _reveal(value: object, name: str) -> str:
    # Accept config.Secret (anything with reveal()) as well as a plain string.
    reveal = getattr(value, "reveal", None)
    text = reveal() if callable(reveal) else value
    if not isinstance(text, str) or not text.strip():
        raise ValueError(f"{name} is required")
    text = text.strip()
    if not (text.isascii() and text.isprintable()) or " " in text:
        # Said without the value: an illegal header value would otherwise surface inside an httpx error.
        raise ValueError(f"{name} must be printable ASCII without spaces")
    return text


def _make_timeout(timeout: float | httpx.Timeout | None) -> httpx.Timeout:
    if timeout is None:
        return _constants.DEFAULT_TIMEOUT
    if isinstance(timeout, httpx.Timeout):
        return timeout
    # A bare number is the read timeout (ENIGMAPAY_TIMEOUT); connecting should still fail fast.
    return httpx.Timeout(float(timeout), connect=min(_constants.CONNECT_TIMEOUT, float(timeout)))


def parse_retry_after(value: str | None, *, now: float | None = None) -> float | None:
    """Retry-After as seconds: '3', '2.5' or an HTTP-date; None when absent or unreadable."""
    if not value:
        return None
    value = value.strip()
    try:
        seconds = float(value)
    except ValueError:
        try:
            when = email.utils.parsedate_to_datetime(value)
        except (TypeError, ValueError, IndexError):
            return None
        if when.tzinfo is None:
            when = when.replace(tzinfo=UTC)
        seconds = when.timestamp() - (time.time() if now is None else now)
        return max(seconds, 0.0)
    return seconds if seconds >= 0 and seconds == seconds and seconds != float("inf") else None


class BaseClient:
    """Holds the one pooled `httpx.Client`; safe to share between threads (no per-request state)."""

    def __init__(
        self,
        api_key: str,
        secret_key: str,
        *,
        base_url: str = _constants.DEFAULT_BASE_URL,
        timeout: float | httpx.Timeout | None = None,
        max_retries: int = _constants.MAX_RETRIES,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        api_key = _reveal(api_key, "api_key")
        secret_key = _reveal(secret_key, "secret_key")
        if not isinstance(max_retries, int) or isinstance(max_retries, bool) or max_retries < 0:
            raise ValueError("max_retries must be a non-negative integer")
        signature = x_hash(api_key, secret_key)
        self.base_url = str(base_url).rstrip("/")
        self.timeout = _make_timeout(timeout)
        self.max_retries = max_retries
        self.initial_retry_delay = _constants.INITIAL_RETRY_DELAY
        self.max_retry_delay = _constants.MAX_RETRY_DELAY
        self.max_retry_after = _constants.MAX_RETRY_AFTER
        self.max_pages = _constants.MAX_PAGES
        self._redactor = _Redactor((api_key, secret_key, signature))
        self._http = httpx.Client(
            timeout=self.timeout,
            transport=transport,
            # An HTTP(S)_PROXY in the environment must not capture calls to a local sandbox.
            trust_env=httpx.URL(self.base_url).host not in _LOOPBACK_HOSTS,
            # Redirects stay off: httpx would carry X-API-Key/X-Hash along to whatever host a redirect names.
            follow_redirects=False,
            headers={
                "X-API-Key": api_key,
                "X-Hash": signature,
                "Accept": "application/json",
                "Content-Type": "application/json",
                "User-Agent": _constants.USER_AGENT,
            },
        )

    def __repr__(self) -> str:
        return f"{type(self).__name__}(base_url={self.base_url!r})"

    def __reduce__(self):  # st.cache_data pickles: a client with credentials must not be written anywhere
        raise TypeError(f"{type(self).__name__} holds credentials and cannot be pickled")

    def close(self) -> None:
        """Close the pooled connections."""
        self._http.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    # --- overridable seams for tests ---------------------------------------------------------------

    def _sleep(self, seconds: float) -> None:
        time.sleep(seconds)

    def _rate_limited(self, delay: float) -> None:
        """A 429 about to be waited out for `delay` seconds (EnigmaPayClient slows its page fan-outs)."""

    def _jitter(self) -> float:
        """A factor in (0.75, 1]; alone in its own method to isolate randomness for tests."""
        return 1.0 - 0.25 * random.random()

    # --- requests ---------------------------------------------------------------------------------

    def _url(self, path: str) -> str:
        return f"{self.base_url}/{path.lstrip('/')}"

    def _request(
        self,
        method: str,
        url: str,
        *,
        operation: str,
        params: dict[str, Any] | None = None,
        content: bytes | None = None,
        fast_decode: Callable[[bytes], Any] | None = None,
        retry_rate_limit: bool = True,
    ) -> Any:
        """Send one logical request and return the decoded envelope of a successful answer.

        `fast_decode(body_bytes)` may read a successful answer itself (returning None when it
        cannot); then its value is returned instead of the orjson-decoded envelope.
        `retry_rate_limit=False`: a 429 is raised (RateLimitError) at once, for a caller that paces
        itself (the concurrent pages of `_fanout`); other failures are retried as usual.

        Only GET is retried. A POST is sent exactly once: a failure after sending raises
        OutcomeUnknownError, never a second attempt.
        """
        retries_allowed = self.max_retries if method == "GET" else 0
        try:
            path = httpx.URL(url).path
        except httpx.InvalidURL as exc:
            raise self._unsendable(exc, method) from None
        attempt = 0
        while True:
            started = time.monotonic()
            try:
                response = self._http.request(method, url, params=params, content=content)
            except httpx.InvalidURL as exc:  # built from an API link (next_page_url): too long, bad characters
                raise self._unsendable(exc, method) from None
            except httpx.RequestError as exc:
                elapsed_ms = (time.monotonic() - started) * 1000
                log.warning("%s %s -> %s after %.0f ms", method, path, type(exc).__name__, elapsed_ms)
                if attempt < retries_allowed and isinstance(exc, _RETRYABLE_EXCEPTIONS):
                    self._before_retry(method, path, attempt, None)
                    attempt += 1
                    continue
                raise self._transport_error(exc, method, path, operation) from exc
            elapsed_ms = (time.monotonic() - started) * 1000
            log.info("%s %s -> %s in %.0f ms", method, path, response.status_code, elapsed_ms)
            retry = self._should_retry(response) and (retry_rate_limit or response.status_code != 429)
            if attempt < retries_allowed and retry:
                self._before_retry(method, path, attempt, response)
                attempt += 1
                continue
            if fast_decode is not None and 200 <= response.status_code < 300:
                value = fast_decode(response.content)
                if value is not None:
                    return value
            return self._process_response(response, method, path, operation)

    @staticmethod
    def _should_retry(response: httpx.Response) -> bool:
        return response.status_code in (408, 429) or response.status_code >= 500

    def _retry_delay(self, attempt: int, response: httpx.Response | None) -> float:
        """Retry-After when the server gave one (capped), else capped exponential backoff with jitter."""
        if response is not None:
            retry_after = parse_retry_after(response.headers.get("Retry-After"))
            if retry_after is not None:
                return min(retry_after, self.max_retry_after)
        delay = min(self.initial_retry_delay * 2**attempt, self.max_retry_delay)
        return delay * self._jitter()

    def _before_retry(self, method: str, path: str, attempt: int, response: httpx.Response | None) -> None:
        delay = self._retry_delay(attempt, response)
        if response is not None and response.status_code == 429:
            self._rate_limited(delay)
        log.warning("%s %s: retry %d of %d in %.2f s", method, path, attempt + 1, self.max_retries, delay)
        self._sleep(delay)

    # --- turning answers into values or errors ----------------------------------------------------

    def _process_response(self, response: httpx.Response, method: str, path: str, operation: str) -> dict[str, Any]:
        status = response.status_code
        try:
            body: object = orjson.loads(response.content)
        except orjson.JSONDecodeError:
            body = None
            snippet = self._scrub(response.text[: _constants.BODY_SNIPPET_CHARS])
        else:
            snippet = None
        if 200 <= status < 300:
            if snippet is not None:
                raise self._malformed(
                    f"{method} {path}: HTTP {status} with a body that is not JSON", method, operation, body=snippet
                )
            try:
                ok = _envelope.envelope_ok(body)
            except MalformedResponseError as exc:
                raise self._malformed(f"{method} {path}: {exc.message}", method, operation) from None
            if ok:
                return cast(dict[str, Any], body)  # envelope_ok accepts only objects
        raise self._status_error(status, body if snippet is None else snippet, response, method, path, operation)

    def _status_error(
        self, status: int, body: object, response: httpx.Response, method: str, path: str, operation: str
    ) -> APIStatusError:
        """Map an error answer to its class; one plain if-chain, as the contract's status table reads."""
        body = self._scrub(body)
        said = _envelope.error_message(body)
        message = f"{method} {path}: HTTP {status}: {said or response.reason_phrase or 'error'}"
        kwargs: dict[str, Any] = {"status_code": status, "body": body}
        if status == 401:
            return AuthenticationError(message, **kwargs)
        if status == 403:
            if operation.startswith("credit-card"):
                return FeatureDisabledError(message, **kwargs)
            return FeatureDisabledError(
                message,
                "EnigmaPay refused access. Check that the API key pair is the one issued for this dealer and "
                "that the feature is enabled for your account; contact EnigmaPay support if it should be.",
                **kwargs,
            )
        if status == 404:
            return NotFoundError(message, **kwargs)
        if status == 422:
            errors = _envelope.field_errors(body)
            user = None if errors else _provider_said("EnigmaPay rejected the input", said)
            return ValidationError(message, user, field_errors=errors, **kwargs)
        if status == 429:
            retry_after = parse_retry_after(response.headers.get("Retry-After"))
            return RateLimitError(message, retry_after=retry_after, **kwargs)
        if status >= 500:
            if method != "GET":
                return ServerError(
                    message,
                    "EnigmaPay reported an internal fault while handling this, so it may or may not have been "
                    "carried out. Do not send it again: check its status in the transaction list first.",
                    **kwargs,
                )
            return ServerError(message, **kwargs)
        return APIError(message, _provider_said("EnigmaPay refused the request", said), **kwargs)

    def _transport_error(self, exc: httpx.RequestError, method: str, path: str, operation: str) -> EnigmaPayError:
        detail = self._scrub(f"{type(exc).__name__}: {exc}")
        if method != "GET" and not isinstance(exc, _NOT_SENT):
            return OutcomeUnknownError(f"{method} {path}: sent but no answer ({detail})", operation=operation)
        if isinstance(exc, httpx.TimeoutException):
            return APITimeoutError(f"{method} {path}: timed out ({detail})")
        if isinstance(exc, httpx.DecodingError):
            return MalformedResponseError(f"{method} {path}: body could not be decoded ({detail})")
        return APIConnectionError(f"{method} {path}: could not connect ({detail})")

    @staticmethod
    def _unsendable(exc: httpx.InvalidURL, method: str) -> EnigmaPayError:
        """httpx refused to build the request: nothing left this process."""
        if method == "GET":  # only the API's own links (next_page_url) make a GET's URL
            return MalformedResponseError(f"GET: the API gave a link that cannot be followed ({exc})")
        return APIConnectionError(f"{method}: the request could not be built, nothing was sent ({exc})")

    @staticmethod
    def _malformed(message: str, method: str, operation: str, *, body: str | None = None) -> MalformedResponseError:
        if method == "GET":
            return MalformedResponseError(message, body=body)
        return MalformedResponseError(
            message,
            "EnigmaPay answered with something the console cannot read, so it is not known whether this was "
            "carried out. Do not send it again: check its status in the transaction list first.",
            body=body,
        )

    def _scrub(self, value: Any) -> Any:
        """Replace any credential a server might echo back, so it cannot reach an exception or a log."""
        return self._redactor.scrub(value)


class _Redactor:
    """Holds the credentials to scrub, behind a repr that does not show them (vars(client) stays clean)."""

    __slots__ = ("_values",)

    def __init__(self, values: tuple[str, ...]) -> None:
        self._values = tuple(v for v in values if len(v) >= 4)

    def __repr__(self) -> str:
        return "<redactor>"

    def __reduce__(self):
        raise TypeError("credentials are not picklable")

    def scrub(self, value: Any) -> Any:
        if isinstance(value, str):
            for secret in self._values:
                if secret in value:
                    value = value.replace(secret, _REDACTED)
            return value
        if isinstance(value, dict):
            return {self.scrub(k): self.scrub(v) for k, v in value.items()}
        if isinstance(value, list):
            return [self.scrub(v) for v in value]
        return value


def _provider_said(what: str, said: str | None) -> str:
    if said:
        return f"{what}: “{said}”. Check the details and try again."
    return f"{what}. Check the details and try again."
