"""The one module that owns caching: pages get data and act only through these functions.

- The settings, the Backend (one thread-safe httpx client per credential set, shared by every
  browser session), the store, journal and authenticator come from `dashboard.services`.
- `st.cache_resource` holds large transaction frames (never pickled or copied on
  a rerun: pages must treat them as read-only).
- `st.cache_data` holds small API answers with TTLs that follow the API: settings 10 min. The
  balances (`/ibans`) are shared by the fleet of consoles on this database: asked at most once a
  minute by all of them, the answer kept in the store (`services.shared_ibans`, dashboard.fleet).
- A payout or card payment, here or on another replica, moves the money generation in the store;
  this process reads it at most every few seconds and drops its balances and history when it moved.
- Every loader returns `Loaded`: the value, when it was fetched, and the error if the last fetch
  failed. After a failure the last good value stays on screen, marked with its age.
- Actions that ask the API raise `EnigmaPayError` (`data_access.EnigmaPayError`, for the pages).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import TypeVar

import pandas as pd
import streamlit as st

from dashboard import balances, export
from dashboard import services as services_root
from dashboard.alerts import view as alerts  # noqa: F401 -- the Alerts page and the sidebar's count
from dashboard.approvals import ApprovalError, ApprovalRequest, totals  # noqa: F401 -- for the Approvals page
from dashboard.auth import Authenticator
from dashboard.backend import Backend
from dashboard.balances import balance_bars, ibans_table, total_balance  # noqa: F401 -- for the Balances page
from dashboard.batches import BatchError, BatchFileError  # noqa: F401 -- for the Batch payouts page
from dashboard.batches.frames import preview_frame, progress_counts, results_frame, results_on_screen  # noqa: F401 -- for the page
from dashboard.client import models
from dashboard.client.errors import EnigmaPayError
from dashboard.config import Settings, describe_settings
from dashboard.export import EXCEL_MAX_ROWS  # noqa: F401 -- for the Transactions page
from dashboard.history.cache import FrameCache
from dashboard.history.fetch import ProgressCallback
from dashboard.history.filters import TransactionFilter, date_presets  # noqa: F401 -- date_presets: for the Transactions page
from dashboard.history.load import HistoryLoader
from dashboard.history.schema import STATUSES, TYPES  # noqa: F401 -- for the Transactions page
from dashboard.history.view import HistoryView
from dashboard.i18n import translate
from dashboard.journal import ApprovalRequired, Operation, transaction_id_text  # noqa: F401 -- for the forms, pages
from dashboard.loaded import LastGood, Loaded
from dashboard.money import AmountError, parse_amount_input  # noqa: F401 -- AmountError: for the Transactions page
from dashboard.notify import NotifyStatus
from dashboard.people import (  # noqa: F401 -- accounts, sessions, languages: for the pages
    accounts,
    active_sessions,
    end_session,
    set_user_language,
    sign_out_everywhere,
    user_language,
)
from dashboard.reconciliation import DriftError, drift_sandbox_balance, history_range, reconcile_period  # noqa: F401
from dashboard.records import (  # noqa: F401 -- the console's own records, for the pages
    AUDIT_LIMIT,
    approval,
    approval_refusal,
    approval_threshold,
    approvals_waiting,
    approvals_waiting_count,
    audit_entries,
    batch,
    batch_approval,
    batch_counts,
    batch_items,
    batch_limits,
    batches_can_be_approved,
    callback_backlog,
    callback_path_masked,
    callbacks_configured,
    change_batch,
    first_check_of,
    keep_batches_moving,
    my_approval_requests,
    needs_approval,
    new_batch_id,
    open_operations,
    operations_awaiting_answer,
    preview_batch,
    read_batch_file,
    recent_batches,
    recent_callback_events,
    recent_operations,
    reject_request,
    request_payout_approval,
    submit_batch,
    transaction_current_status,
    transaction_timeline,
    verify_callbacks_now,
)
from dashboard.store import SnapshotRow
from dashboard.support import (  # noqa: F401
    customer,
    mirror_write_failures,
    results_table,
    search_all,
    sync_status,
    sync_table,
    warm_search,
)
from dashboard.timeutil import now

T = TypeVar("T")

IBANS_TTL = 60  # upstream balances refresh once a minute
SETTINGS_TTL = 600
HISTORY_TTL = 300
STATUS_TTL = 5


# --- resources (built once per process by dashboard.services) -----------------------------------


def settings() -> Settings:
    """Configuration, read once per process (ConfigError propagates: the entry script shows it)."""
    return services_root.settings()


def backend() -> Backend:
    return services_root.backend()


def services() -> services_root.Records:
    """The console's records: store, audit log, journal, callback intake."""
    return services_root.records()


def authenticator() -> Authenticator | None:
    """Sign-in for this console; None only when explicitly disabled (single-user local setup)."""
    return services_root.authenticator()


def settings_rows() -> list[dict[str, str]]:
    """The effective configuration for the Settings page: secrets only as set / not set."""
    return describe_settings(settings())


def notification_status() -> NotifyStatus:
    """Channels configured, the daily report's time, failing deliveries (from the store, every run)."""
    return services_root.notifier().status()


def _fingerprint() -> str:
    return settings().credentials_fingerprint()


@st.cache_resource(show_spinner=False)
def _last_good() -> LastGood:
    return LastGood()


def _load(key: tuple, fetch: Callable[[], tuple[T, datetime]]) -> Loaded[T]:
    try:
        value, fetched_at = fetch()
    except EnigmaPayError as exc:
        stale, at = _last_good().get(key)
        return Loaded(stale, at, exc)
    _last_good().put(key, value, fetched_at)
    return Loaded(value, fetched_at)


# --- small answers (st.cache_data) -------------------------------------------------------------


@st.cache_data(ttl=SETTINGS_TTL, show_spinner=False)
def _dealer_settings(fingerprint: str) -> tuple[models.DealerSettings, datetime]:
    return backend().client.get_settings(), now(settings().timezone)


def _ibans(fingerprint: str) -> tuple[list[models.Iban], datetime]:
    """The fleet's `/ibans` answer and when the provider gave it (a copy of the list per caller)."""
    value, fetched_at = services_root.shared_ibans().get(_generation())
    return list(value), fetched_at


@st.cache_data(ttl=STATUS_TTL, show_spinner=False)
def _status(fingerprint: str, transaction_id: int) -> tuple[models.TransactionStatus, datetime]:
    return backend().client.get_transaction_status(transaction_id), now(settings().timezone)


def load_dealer_settings() -> Loaded[models.DealerSettings]:
    fp = _fingerprint()
    return _load(("settings", fp), lambda: _dealer_settings(fp))


def load_ibans() -> Loaded[list[models.Iban]]:
    fp = _fingerprint()
    return _load(("ibans", fp), lambda: _ibans(fp))


def load_transaction_status(transaction_id: int) -> Loaded[models.TransactionStatus]:
    """Short-lived cache: a support agent hammering 'check' does not hammer the API."""
    fp = _fingerprint()
    return _load(("status", fp, transaction_id), lambda: _status(fp, transaction_id))


def forget_transaction_status(transaction_id: int) -> None:
    """The next status load for this id goes upstream (the 'check again' button)."""
    _status.clear(_fingerprint(), transaction_id)


@st.cache_resource(show_spinner=False)
def _generations_seen() -> dict[str, int]:
    return {}


def _generation() -> int:
    """The money generation (read from the store at most every few seconds). When it moved since this
    process last looked -- a payout here or on another replica -- the cached histories are dropped;
    the balances are cached under the generation, so they are asked again by themselves."""
    fp = _fingerprint()
    current = services_root.money_generation().current()
    seen = _generations_seen()
    if seen.get(fp) != current:
        seen[fp] = current
        _frames().clear()
    return current


# --- transaction history (large frames: one FrameCache per process, never pickled) --------------


@st.cache_resource(show_spinner=False)
def _frames() -> FrameCache:
    return FrameCache(HISTORY_TTL)


def load_history(
    ibans: Sequence[models.Iban], start: date | None, end: date | None, progress: ProgressCallback | None = None
) -> Loaded[pd.DataFrame]:
    """Transactions of `ibans` between two local dates, one read-only frame shared by all sessions:
    from the cache, sliced from a cached history covering them, or fetched (dashboard.history.load).
    `progress(done, total, iban)` is called from the calling (script) thread as IBANs arrive."""
    started = _generation()  # first, so a history from before a payout elsewhere is not served
    loader = HistoryLoader(
        _frames(),
        lambda: backend().client,
        _fingerprint(),
        settings().timezone,
        _last_good(),
        services_root.history_mirror(),
    )
    loaded = Loaded(*loader.load(ibans, start, end, progress))
    if _generation() != started:  # money moved while this fetch ran: what it cached may predate it
        _frames().clear()
    return loaded


def filter_history(frame: pd.DataFrame, flt: TransactionFilter) -> HistoryView:
    """The rows of `frame` (from `load_history`) matching `flt`, with summary and daily volume.

    Memoised per (cached history, filter) while the history is cached, so a rerun with an unchanged
    filter does no work; a refresh or a new fetch of the history drops its views.
    """
    return _frames().filtered(frame, flt)


def transactions(
    selection: Sequence[models.Iban], flt: TransactionFilter, on_progress: ProgressCallback | None = None
) -> Loaded[HistoryView]:
    """The Transactions page: the history of `selection` over `flt`'s dates, filtered by `flt`."""
    loaded = load_history(selection, flt.start, flt.end, on_progress)
    view = filter_history(loaded.value, flt) if loaded.value is not None else None
    return Loaded(view, loaded.fetched_at, loaded.error)


def balance_chart(
    ibans: Sequence[models.Iban], days: int, on_progress: ProgressCallback | None = None
) -> Loaded[pd.DataFrame]:
    """The Balances page's balance over the last `days` days, per IBAN and local day: recorded
    snapshots where there are some, reconstructed from the history before (`balances.balance_over_time`)."""
    today = now(settings().timezone).date()
    loaded = load_history(ibans, today - timedelta(days=days - 1), today, on_progress)
    if loaded.value is None:
        return Loaded(None, loaded.fetched_at, loaded.error)
    at = now(settings().timezone)
    points = balances.balance_over_time(loaded.value, ibans, balance_snapshots(at - timedelta(days=days)), now=at)
    return Loaded(points, loaded.fetched_at, loaded.error)


def amount_bound(text: str) -> Decimal | None:
    """An amount bound a person typed into a filter: None when empty; AmountError when unreadable."""
    return parse_amount_input(text) if text.strip() else None


def balance_snapshots(since: datetime, until: datetime | None = None) -> list[SnapshotRow]:
    """Balances recorded by the server's background task (dashboard.background) since `since` (until `until`)."""
    return services().store.balances.snapshots(since=since, until=until)


def export_rows(
    table: pd.DataFrame,
    fmt: str,
    *,
    actor: str,
    description: str,
    lang: str = "en",
    dataset: str = "transactions",
    sheet: str = "Transactions",
) -> bytes:
    """The bytes of a CSV or Excel export of exactly `table`, recorded in the audit log; Excel's
    money format and sheet name (`sheet`, translated) follow `lang` (the numbers stay numbers)."""
    if fmt == "csv":
        data = export.to_csv_bytes(table)
    else:
        data = export.to_excel_bytes(table, lang=lang, sheet_name=translate(sheet, lang))
    services().audit.record(
        "export",
        actor=actor,
        outcome="downloaded",
        details={"dataset": dataset, "format": fmt, "rows": len(table), "filter": description, "bytes": len(data)},
    )
    return data


# --- after a write or on the refresh button ----------------------------------------------------


def refresh_all() -> None:
    """Forget every cached answer (not the client): the next loads go upstream."""
    _dealer_settings.clear()
    services_root.shared_ibans().refresh()  # the stored answer, or upstream once it is a minute old
    _status.clear()
    _frames().clear()


def reload_dealer_settings() -> None:
    """The next settings load goes upstream (the forms' retry while the costs are unknown)."""
    _dealer_settings.clear()


def after_money_moved() -> None:
    """A payout or card payment changes balances and history, here and for every replica of the
    fleet (the money generation moves, the shared balances go stale); settings are untouched."""
    _generations_seen()[_fingerprint()] = services_root.money_moved()
    services_root.shared_ibans().forget()  # the store may be out of reach: drop this copy in any case
    _frames().clear()


# --- "nothing lost": open operations, callbacks, audit log (Operations / Callbacks / Audit log pages)
