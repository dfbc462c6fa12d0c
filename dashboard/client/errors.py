"""The client's typed errors.

Every error carries `message` (technical, for logs and support), `user_message` (what happened and
what to do, fit to show an operator) and a stable `code` for translating the user message later.
None of them ever holds the API key, the secret or the X-Hash.
"""

from __future__ import annotations


class EnigmaPayError(Exception):
    """Base of every error raised by `dashboard.client`."""

    code = "api"
    default_user_message = "EnigmaPay could not complete the request. Try again; if it keeps failing, contact support."

    def __init__(self, message: str, user_message: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.user_message = user_message or self.default_user_message

    def __str__(self) -> str:
        return self.message

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.message!r})"


class APIConnectionError(EnigmaPayError):
    """EnigmaPay could not be reached (DNS, refused connection, dropped connection on a GET)."""

    code = "network"
    default_user_message = "EnigmaPay could not be reached. Check the network connection and try again in a minute."


class APITimeoutError(APIConnectionError):
    """EnigmaPay did not answer in time (for a POST: before the request was sent)."""

    code = "timeout"
    default_user_message = "EnigmaPay did not answer in time. Try again in a minute."


class OutcomeUnknownError(EnigmaPayError):
    """A POST was sent and its answer never came: it may or may not have been carried out."""

    code = "outcome_unknown"

    def __init__(self, message: str, user_message: str | None = None, *, operation: str = "request") -> None:
        self.operation = operation
        if user_message is None:
            what = (
                "payout"
                if operation == "send-money"
                else "card payment"
                if operation.startswith("credit-card")
                else "request"
            )
            user_message = (
                f"The {what} was sent to EnigmaPay but no answer came back, so it may or may not have happened. "
                f"Do not send it again: check its status in the transaction list or with EnigmaPay first."
            )
        super().__init__(message, user_message)


class MalformedResponseError(EnigmaPayError):
    """EnigmaPay answered with something that is not the JSON shape the contract describes."""

    code = "malformed"
    default_user_message = (
        "EnigmaPay sent an answer the console cannot read. Try again later; if it persists, contact support."
    )

    def __init__(self, message: str, user_message: str | None = None, *, body: str | None = None) -> None:
        super().__init__(message, user_message)
        self.body = body


class APIStatusError(EnigmaPayError):
    """EnigmaPay answered with an error: an HTTP error status or `success: false`.

    `status_code` defaults to the class's own status (401 for AuthenticationError, ...), so tests and
    UI code can build one with just a message. `body` is the decoded JSON body, or at most ~500
    characters of a non-JSON one.
    """

    default_status_code: int | None = None

    def __init__(
        self, message: str, user_message: str | None = None, *, status_code: int | None = None, body: object = None
    ) -> None:
        super().__init__(message, user_message)
        self.status_code = self.default_status_code if status_code is None else status_code
        self.body = body

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.message!r}, status_code={self.status_code})"


class AuthenticationError(APIStatusError):
    code = "auth"
    default_status_code = 401
    default_user_message = (
        "EnigmaPay refused the API credentials. Check ENIGMAPAY_API_KEY and ENIGMAPAY_SECRET_KEY "
        "(both must be the pair issued for this dealer), then restart the console."
    )


class FeatureDisabledError(APIStatusError):
    code = "feature_disabled"
    default_status_code = 403
    default_user_message = (
        "This feature is not enabled for your dealer account. Contact EnigmaPay support to activate it."
    )


class NotFoundError(APIStatusError):
    code = "not_found"
    default_status_code = 404
    default_user_message = "EnigmaPay does not know this item. Check the ID and try again."


class ValidationError(APIStatusError):
    """HTTP 422: EnigmaPay rejected the input; `field_errors` maps each field to its messages."""

    code = "validation"
    default_status_code = 422
    default_user_message = "EnigmaPay rejected the input. Correct the highlighted fields and try again."

    def __init__(
        self,
        message: str,
        user_message: str | None = None,
        *,
        status_code: int | None = None,
        body: object = None,
        field_errors: dict[str, list[str]] | None = None,
    ) -> None:
        self.field_errors: dict[str, list[str]] = dict(field_errors or {})
        if user_message is None and self.field_errors:
            details = "; ".join(f"{field}: {' '.join(msgs)}" for field, msgs in self.field_errors.items())
            user_message = f"EnigmaPay rejected the input ({details}). Correct it and try again."
        super().__init__(message, user_message, status_code=status_code, body=body)


class RateLimitError(APIStatusError):
    """HTTP 429; `retry_after` is the wait EnigmaPay asked for, in seconds, when it said."""

    code = "rate_limited"
    default_status_code = 429
    default_user_message = "EnigmaPay is limiting how fast the console may ask. Wait a minute and try again."

    def __init__(
        self,
        message: str,
        user_message: str | None = None,
        *,
        status_code: int | None = None,
        body: object = None,
        retry_after: float | None = None,
    ) -> None:
        self.retry_after = retry_after
        if user_message is None and retry_after is not None:
            user_message = (
                f"EnigmaPay is limiting how fast the console may ask. Wait {retry_after:.0f} seconds and try again."
            )
        super().__init__(message, user_message, status_code=status_code, body=body)


class ServerError(APIStatusError):
    code = "server"
    default_status_code = 500
    default_user_message = "EnigmaPay had an internal problem. Try again in a few minutes."


class APIError(APIStatusError):
    """Any other error status, and `success: false` under a 2xx status."""

    code = "api"
