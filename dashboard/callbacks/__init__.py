"""Callback intake: the provider's status-change POSTs, stored once, verified before trusted.

The guide documents no signature (docs/api-contract.md §7), so the sender is authenticated by a secret token in
the URL (`POST /callbacks/{token}`) and optionally a source-IP allow-list. Checks run cheapest and
least revealing first: source IP (403), token (404, the same answer as an unknown path), size
(413), shape (400). Nothing is stored unless all pass; 200 `{"success": true}` is sent only after
the insert committed, so the provider's retries cover every failure before that. A database that
cannot be reached (`StoreUnavailable`, nothing written) gets 503 with `Retry-After`, and one warning
per outage in the log rather than one per refused delivery.

Why 403 for a disallowed IP: it is checked before the token, so it reveals nothing about the token,
and a provider that moved to a new address sees a clear refusal in its delivery log instead of a
"not found" that looks like a wrong URL.

Behind a reverse proxy `request.client` is the proxy: run uvicorn with `--forwarded-allow-ips` set
to the proxy so it substitutes the real source. Access logs print paths, so install
`redact_access_log()` to keep the token out of them.

Events are hints: `verify_pending` asks transaction-status about each one. Verification states:
    pending     not yet checked
    verified    the API reports the same status (and amount)
    superseded  a non-final event whose transaction the API reports in a later status
    mismatch    a final event the API contradicts (status or amount) -- look at it
    unverified  the API does not know the transaction: flagged as forged, never trusted
    invalid_amount  the body's amount cannot be real: kept for a person, never checked or trusted

Verification drains the backlog oldest first at a configured rate of status checks
(ENIGMAPAY_VERIFY_RATE; `RateLimiter`), a few checks at a time. Each batch is claimed in the store
before it is checked, so two consoles on one data folder never check the same event; a claim
expires, so the claims of a process that died are taken again.
"""

from dashboard.callbacks.events import CallbackEvent, TimelineItem, timeline
from dashboard.callbacks.intake import RETRY_AFTER_SECONDS, CallbackIntake, make_callback_route, unavailable
from dashboard.callbacks.parsing import (
    INVALID_AMOUNT,
    MAX_BODY,
    MIN_TOKEN_LENGTH,
    CallbackRejected,
    parse_callback,
    read_amount,
)
from dashboard.callbacks.redaction import redact_access_log
from dashboard.callbacks.verifying import RateLimiter, verification_plan

__all__ = [
    "INVALID_AMOUNT",
    "MAX_BODY",
    "MIN_TOKEN_LENGTH",
    "RETRY_AFTER_SECONDS",
    "CallbackEvent",
    "CallbackIntake",
    "CallbackRejected",
    "RateLimiter",
    "TimelineItem",
    "make_callback_route",
    "parse_callback",
    "read_amount",
    "redact_access_log",
    "timeline",
    "unavailable",
    "verification_plan",
]
