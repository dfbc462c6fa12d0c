"""The support desk (issue 13): all-time search over the history mirror, one customer's view, and
what the mirror holds per IBAN -- for the Search, Customer and Balances pages through data_access.

No Streamlit. The search index is one per process (`services.mirror_search`), kept fresh from the
days any replica synced; the journal and the mirror are read from the store on each call.
"""

from __future__ import annotations

from datetime import datetime
from urllib.parse import quote

import pandas as pd

from dashboard import services
from dashboard.history.customer import CustomerView, customer_view
from dashboard.history.display import LABELS, display_frame
from dashboard.history.mirrored import WriteFailure
from dashboard.history.search import MISSING, SearchResult
from dashboard.i18n import translate
from dashboard.iban import format_iban
from dashboard.journal import Operation
from dashboard.store.mirror import IbanSync
from dashboard.timeutil import zone

SEARCH_LIMIT = 200  # rows a search shows (the newest); the count says how many matched in all
CUSTOMER_OPERATIONS = 500  # the journal's newest entries for one customer
MISSING_NOTE = "No longer reported by EnigmaPay"


def search_all(query: str, limit: int = SEARCH_LIMIT) -> SearchResult:
    """Every IBAN, every synced day: rows where every word of `query` matches the transaction id (or its
    first digits), username, customer name, customer IBAN (any spacing), description or amount
    (`history/search_query.py`); the count and `limit` rows, exact ids first, then the newest."""
    return services.mirror_search().search(query.strip(), limit)


def warm_search() -> None:
    """Start loading this process's search index in the background, unless it is loaded or loading."""
    services.mirror_search().warm()


def customer(username: str) -> CustomerView:
    """One customer: their mirrored rows (all time) and the journal's payouts and card payments."""
    rows = services.mirror_search().of_username(username)
    entries = services.records().store.operations.of_username(username, CUSTOMER_OPERATIONS)
    return customer_view(username, rows, [Operation.from_row(r) for r in entries])


def sync_status() -> list[IbanSync]:
    """Per IBAN: when the mirror last synced it, how many rows it holds (missing ones included)."""
    return services.records().mirror.sync_status()


def mirror_write_failures() -> list[WriteFailure]:
    """This process's failed mirror writes not yet made good, one per IBAN: the latest failure's time,
    from the first failed day to the last (those days are fetched again). For the Balances page."""
    sync = services.history_mirror()
    per_iban: dict[int, WriteFailure] = {}
    for f in [] if sync is None else sync.write_failures():
        seen = per_iban.get(f.iban_id)
        if seen is not None:
            f = WriteFailure(f.iban_id, f.iban, min(seen.first, f.first), max(seen.last, f.last), max(seen.at, f.at))
        per_iban[f.iban_id] = f
    return list(per_iban.values())


def customer_link(page: str, username: str | None) -> str | None:
    """The Customer page of one username ("/customer?username=ay%C5%9Fe%20k"), None without one."""
    return f"{page}?username={quote(username, safe='')}" if isinstance(username, str) and username else None


def results_table(rows: pd.DataFrame, lang: str, customer_page: str | None = None) -> pd.DataFrame:
    """The Transactions table's columns for mirrored rows, plus a note on rows the API stopped reporting;
    with `customer_page` (its URL path), each Username is a link to that customer's page, shown first."""
    table = display_frame(rows, lang)
    missing = rows[MISSING].to_numpy(dtype=bool) if MISSING in rows else [False] * len(rows)
    note = translate(MISSING_NOTE, lang)
    table.insert(0, translate("Note", lang), pd.array([note if m else "" for m in missing], dtype="string"))
    if customer_page is not None:
        column = LABELS.get(lang, LABELS["en"])["username"]
        links = [customer_link(customer_page, u) for u in rows["username"].tolist()]
        table.pop(column)  # first: the customer is what a support desk opens from a search
        table.insert(0, column, pd.array(links, dtype="string"))
    return table


def _local_times(moments: list[datetime | None]) -> pd.arrays.DatetimeArray:
    """Aware moments as one tz-aware datetime column in the dealer's zone (NaT for None): a typed
    column, which the browser's table draws (an object column of datetimes it left blank)."""
    return pd.to_datetime(moments, utc=True).tz_convert(zone(services.settings().timezone)).array


def sync_table(statuses: list[IbanSync], lang: str) -> pd.DataFrame:
    """The mirror per IBAN, for the Balances page."""
    return pd.DataFrame(
        {
            translate("IBAN", lang): [format_iban(s.iban) for s in statuses],
            translate("Last synced", lang): _local_times([s.last_synced_at for s in statuses]),
            translate("Rows held", lang): [s.rows for s in statuses],
            translate("No longer reported", lang): [s.missing_rows for s in statuses],
            translate("From", lang): [s.first_day for s in statuses],
            translate("To", lang): [s.last_day for s in statuses],
        }
    )
