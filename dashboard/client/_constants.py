"""Every timeout, retry and size limit of the client, in one place (overridable per client)."""

from __future__ import annotations

import httpx

DEFAULT_BASE_URL = "https://www.enigmapay.net/api/dealer"
USER_AGENT = f"enigmapay-console/0.1.0 httpx/{httpx.__version__}"

CONNECT_TIMEOUT = 5.0
READ_TIMEOUT = 30.0
DEFAULT_TIMEOUT = httpx.Timeout(READ_TIMEOUT, connect=CONNECT_TIMEOUT)

MAX_RETRIES = 2
INITIAL_RETRY_DELAY = 0.5
MAX_RETRY_DELAY = 8.0
MAX_RETRY_AFTER = 60.0

# Pages of one answer in flight at once once its first page told the last (Laravel `last_page`).
# 4: a year of one IBAN (~50 pages of 1,000) then takes ~13 round trips instead of 50, while 20 IBANs
# listed at once stay at <= 80 requests in flight; a 429 halves it for every listing of the client.
PAGE_CONCURRENCY = 4

# A paginated history longer than this is a server loop, not data.
MAX_PAGES = 100_000
# How much of an unreadable body an exception keeps (for support, not for display).
BODY_SNIPPET_CHARS = 500
