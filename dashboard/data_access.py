"""The one module that owns caching: pages get data and act only through these functions.

- The settings, the Backend (one thread-safe httpx client per credential set, shared by every
  browser session), the store, journal and authenticator come from `dashboard.services`.
- `st.cache_resource` holds large transaction frames (never pickled or copied on
  a rerun: pages must treat them as read-only).
- `st.cache_data` holds small API answers with TTLs that follow the API: balances 60 s (upstream
  refreshes once a minute), settings 10 min.
- Every loader returns `Loaded`: the value, when it was fetched, and the error if the last fetch
  failed. After a failure the last good value stays on screen, marked with its age.
- Actions that ask the API raise `EnigmaPayError` (`data_access.EnigmaPayError`, for the pages).
"""

from __future__ import annotations

import os
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Generic, TypeVar

import pandas as pd
import streamlit as st

from dashboard import export, history, memory
from dashboard import services as services_root
from dashboard.audit import AuditEntry
from dashboard.auth import Authenticator
from dashboard.backend import Backend
from dashboard.callbacks import CallbackEvent, TimelineItem, verification_plan
from dashboard.callbacks import timeline as callback_timeline
from dashboard.client import models
from dashboard.client.errors import EnigmaPayError
from dashboard.i18n import LANGUAGES, translate
from dashboard.config import Settings, describe_settings
from dashboard.journal import Operation
from dashboard.store import CurrentStatusRow, SnapshotRow
from dashboard.timeutil import now

T = TypeVar("T")

memory.configure()  # the history frames are this process's largest allocations: see dashboard.memory

IBANS_TTL = 60  # upstream balances refresh once a minute
SETTINGS_TTL = 600
HISTORY_TTL = 300
STATUS_TTL = 5
MAX_FETCH_WORKERS = 32  # one thread per IBAN: fetching is waiting on the network, not CPU
# ...but converting pages is CPU work: as many batches at once as there are cores (their transient
# memory is then bounded too), the other fetch threads keep fetching meanwhile.
_CONVERTING = threading.BoundedSemaphore(max(2, os.cpu_count() or 2))


@dataclass(frozen=True)
class Loaded(Generic[T]):
    """A loader's answer: `value` may be stale (then `error` says why the refresh failed)."""

    value: T | None
    fetched_at: datetime | None
    error: EnigmaPayError | None = None

    @property
    def ok(self) -> bool:
        return self.error is None


# --- resources (built once per process by dashboard.services) -----------------------------------


def settings() -> Settings:
    """Configuration, read once per process (ConfigError propagates: the entry script shows it)."""
    return services_root.settings()


def backend() -> Backend:
    return services_root.backend()


Services = services_root.Records  # the name pages and tests knew


def services() -> Services:
    """The console's records: store, audit log, journal, callback intake."""
    return services_root.records()


def authenticator() -> Authenticator | None:
    """Sign-in for this console; None only when explicitly disabled (single-user local setup)."""
    return services_root.authenticator()


def settings_rows() -> list[dict[str, str]]:
    """The effective configuration for the Settings page: secrets only as set / not set."""
    return describe_settings(settings())


def accounts() -> list[tuple[str, str]]:
    """(name, role) of every sign-in account, for the admin page; empty in single-user mode."""
    auth = authenticator()
    return sorted((u.name, u.role.value) for u in auth.users.values()) if auth else []


def sign_out_everywhere(user: str, *, actor: str) -> int:
    """End every session of `user` (admin action, audited); returns how many ended."""
    ended = authenticator().sign_out_everywhere(user)
    services().audit.record("sign_out_everywhere", actor=actor, outcome="ok", details={"user": user, "sessions": ended})
    return ended


def user_language(user: str) -> str | None:
    """The language `user` chose last time (kept in the console's store), None if never chosen."""
    language = services().store.accounts.language(user)
    return language if language in LANGUAGES else None


def set_user_language(user: str, lang: str) -> None:
    """Remember `user`'s language for their next sessions."""
    if lang not in LANGUAGES:
        raise ValueError(f"unknown language {lang!r}")
    services().store.accounts.set_language(user, lang, at=now())


def _fingerprint() -> str:
    return settings().credentials_fingerprint()


class _LastGood:
    """Last successful answer per loader key, so a failed refresh can fall back to it."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._values: dict[tuple, tuple[Any, datetime]] = {}

    def put(self, key: tuple, value: Any, fetched_at: datetime) -> None:
        with self._lock:
            self._values[key] = (value, fetched_at)

    def get(self, key: tuple) -> tuple[Any, datetime] | tuple[None, None]:
        with self._lock:
            return self._values.get(key, (None, None))


@st.cache_resource(show_spinner=False)
def _last_good() -> _LastGood:
    return _LastGood()


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


@st.cache_data(ttl=IBANS_TTL, show_spinner=False)
def _ibans(fingerprint: str) -> tuple[list[models.Iban], datetime]:
    return backend().client.list_ibans(), now(settings().timezone)


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


# --- transaction history (large frames: st.cache_resource, TTL handled here) -------------------


class _FrameCache:
    """History frames by key with a TTL, and the filtered views of each; cache_resource keeps one per
    process, shared by all sessions.

    Only whole histories are kept (one frame per IBAN selection and date range, no per-IBAN copies):
    a narrower selection is sliced from a cached frame that covers it, a wider one fetches only the
    IBANs no cached frame of those dates has. A frame that covers others of the same dates replaces
    them. Each frame keeps a small LRU of filtered views (`HistoryView`), dropped with the frame,
    bounded by `VIEW_ENTRIES` and `VIEW_BYTES` over the whole cache.
    """

    def __init__(self, ttl: float, view_entries: int = 32, view_bytes: int = 256 * 2**20) -> None:
        self._ttl = ttl
        self._lock = threading.Lock()
        self._items: dict[tuple, tuple[float, pd.DataFrame, datetime]] = {}
        self._fetching: dict[tuple, threading.Lock] = {}
        self._views: OrderedDict[tuple, tuple[pd.DataFrame, HistoryView, int]] = OrderedDict()
        self._view_entries, self._view_bytes, self._view_total = view_entries, view_bytes, 0

    def _expire(self) -> None:
        cutoff = time.monotonic() - self._ttl
        for k in [k for k, v in self._items.items() if v[0] < cutoff]:
            self._drop(k)

    def _drop(self, key: tuple) -> None:
        del self._items[key]
        for vk in [vk for vk in self._views if vk[0] == key]:
            self._view_total -= self._views.pop(vk)[2]

    def get(self, key: tuple) -> tuple[pd.DataFrame, datetime] | None:
        with self._lock:
            item = self._items.get(key)
            if item is None or time.monotonic() - item[0] > self._ttl:
                return None
            return item[1], item[2]

    def put(self, key: tuple, frame: pd.DataFrame, fetched_at: datetime, *, stamp: float | None = None) -> None:
        """Store `frame`; `stamp` (monotonic) dates it for the TTL, now by default."""
        with self._lock:
            if key in self._items:
                self._drop(key)
            self._items[key] = (time.monotonic() if stamp is None else stamp, frame, fetched_at)
            # Drop expired entries so a day of date-range changes does not grow memory forever.
            self._expire()
            # A history of these dates covering others makes them redundant: they can be sliced from it.
            if key[0] == "history":
                for k in [k for k in self._items if k != key and k[0] == "history" and k[1] == key[1]
                          and k[3:] == key[3:] and set(k[2]) <= set(key[2])]:
                    self._drop(k)

    def covering(self, fp: str, iban_ids: frozenset[int], start: date | None, end: date | None,
                 ) -> tuple[tuple, pd.DataFrame, datetime, float] | None:
        """The live history of these dates sharing most IBANs with `iban_ids` (fewest extra on a tie):
        (key, frame, fetched_at, stamp), or None."""
        with self._lock:
            now_ = time.monotonic()
            best, score = None, (0, 0)
            for k, (stamp, frame, at) in self._items.items():
                if k[0] != "history" or k[1] != fp or k[3:] != (start, end) or now_ - stamp > self._ttl:
                    continue
                have = set(k[2])
                s = (len(have & iban_ids), -len(have - iban_ids))
                if s[0] and s > score:
                    best, score = (k, frame, at, stamp), s
            return best

    def clear(self) -> None:
        with self._lock:
            self._items.clear()
            self._views.clear()
            self._view_total = 0

    def fetch_lock(self, key: tuple) -> threading.Lock:
        """One lock per key: sessions asking for the same history at once share one fetch."""
        with self._lock:
            return self._fetching.setdefault(key, threading.Lock())

    # --- filtered views -------------------------------------------------------------------------

    def _key_of(self, frame: pd.DataFrame) -> tuple | None:
        for k, (_, f, _) in self._items.items():
            if f is frame:
                return k
        return None

    def view(self, frame: pd.DataFrame, flt: history.TransactionFilter) -> HistoryView | None:
        with self._lock:
            key = self._key_of(frame)
            hit = self._views.get((key, flt)) if key is not None else None
            if hit is None or hit[0] is not frame:
                return None
            self._views.move_to_end((key, flt))
            return hit[1]

    def put_view(self, frame: pd.DataFrame, flt: history.TransactionFilter, view: HistoryView, size: int) -> bool:
        """Keep `view` while `frame` is cached (False: not kept, frame gone or view too large)."""
        with self._lock:
            key = self._key_of(frame)
            if key is None or size > self._view_bytes:
                return False
            old = self._views.pop((key, flt), None)
            if old is not None:
                self._view_total -= old[2]
            self._views[(key, flt)] = (frame, view, size)
            self._view_total += size
            while len(self._views) > self._view_entries or self._view_total > self._view_bytes:
                self._view_total -= self._views.popitem(last=False)[1][2]
            return True


@st.cache_resource(show_spinner=False)
def _frames() -> _FrameCache:
    return _FrameCache(HISTORY_TTL)


ProgressCallback = Callable[[int, int, str], None]


def _fetch_parts(client, iban: models.Iban, start: date | None, end: date | None, tz: str) -> list[history.Part]:
    # Arrow pages straight from the JSON bytes, consumed lazily and converted a batch at a time:
    # no page of dicts outlives its turn, no IBAN's raw pages are all alive at once.
    pages = client.iter_transaction_pages(iban.id, start_date=start, end_date=end, arrow=True)
    return list(history.frame_parts(pages, iban_id=iban.id, iban=iban.iban, tz=tz, gate=_CONVERTING))


def fetch_history(
    client, ibans: Sequence[models.Iban], start: date | None, end: date | None, tz: str,
    progress: ProgressCallback | None = None, *, done: int = 0, total: int | None = None,
    parts: list[history.Part] | None = None, workers: int = MAX_FETCH_WORKERS,
) -> tuple[pd.DataFrame | None, list[models.Iban], EnigmaPayError | None]:
    """Fetch `ibans` concurrently (one thread each) and build one newest-first frame of them plus
    `parts` (already typed columns, e.g. from a cached frame), column by column.

    Returns (frame, the IBANs it holds, the first error); on an error the frame holds the IBANs
    that did arrive (None if none did). `progress(done, total, iban)` runs on the calling thread.
    """
    with memory.building_history():
        return _fetch_and_assemble(client, ibans, start, end, tz, progress, done, total, list(parts or []), workers)


def _fetch_and_assemble(client, ibans: Sequence[models.Iban], start: date | None, end: date | None, tz: str,
                        progress: ProgressCallback | None, done: int, total: int | None,
                        parts: list[history.Part], workers: int,
                        ) -> tuple[pd.DataFrame | None, list[models.Iban], EnigmaPayError | None]:
    got: list[models.Iban] = []
    error: EnigmaPayError | None = None
    total = len(ibans) if total is None else total
    if ibans:
        with ThreadPoolExecutor(max_workers=min(workers, len(ibans))) as pool:
            futures = {pool.submit(_fetch_parts, client, iban, start, end, tz): iban for iban in ibans}
            for future in as_completed(futures):
                iban = futures.pop(future)  # the future (and its result) is not kept beyond this turn
                try:
                    parts.extend(future.result())
                except EnigmaPayError as exc:
                    error = error or exc
                    continue
                got.append(iban)
                done += 1
                if progress:
                    progress(done, total, iban.iban)
    if not parts:
        return None, got, error
    frame = history.assemble(parts, tz)  # empties the parts as it goes
    parts.clear()
    return frame, got, error


def load_history(
    ibans: Sequence[models.Iban],
    start: date | None,
    end: date | None,
    progress: ProgressCallback | None = None,
) -> Loaded[pd.DataFrame]:
    """Transactions of `ibans` between two local dates, fetched concurrently, one frame.

    One frame per selection is cached: a narrower selection is sliced from a cached history that
    covers it, a wider one fetches only the IBANs not in a cached history of the same dates.
    `progress(done, total, iban)` is called from the calling (script) thread as IBANs arrive.
    """
    fp, tz = _fingerprint(), settings().timezone
    cache = _frames()
    combined_key = ("history", fp, tuple(sorted({i.id for i in ibans})), start, end)
    hit = cache.get(combined_key)
    if hit is not None:
        return Loaded(hit[0], hit[1])
    with cache.fetch_lock(combined_key):  # a second session waits for the first one's fetch
        hit = cache.get(combined_key)
        if hit is not None:
            return Loaded(hit[0], hit[1])
        return _fetch_history(cache, combined_key, fp, tz, ibans, start, end, progress)


def _fetch_history(cache: "_FrameCache", combined_key: tuple, fp: str, tz: str, ibans: Sequence[models.Iban],
                   start: date | None, end: date | None, progress: ProgressCallback | None) -> Loaded[pd.DataFrame]:
    wanted = frozenset(i.id for i in ibans)
    base = cache.covering(fp, wanted, start, end)
    parts: list[history.Part] = []
    oldest: datetime | None = None
    have: frozenset[int] = frozenset()
    if base is not None:
        key, frame, oldest, stamp = base
        have = frozenset(key[2]) & wanted
        rows = frame if set(key[2]) <= wanted else history.select_ibans(frame, have)
        if have == wanted:  # a covering history: slice it, keep its age (and its TTL)
            cache.put(combined_key, rows, oldest, stamp=stamp)
            return Loaded(rows, oldest)
        parts.append(history.frame_part(rows, tz))
        del rows, frame
    missing = [i for i in ibans if i.id not in have]
    total, done = len(ibans), len(ibans) - len(missing)
    if progress:
        progress(done, total, "")
    combined, got, error = fetch_history(backend().client, missing, start, end, tz, progress,
                                         done=done, total=total, parts=parts)
    fetched_at = now(tz)
    oldest = fetched_at if oldest is None else min(oldest, fetched_at)
    if error is not None:
        if combined is not None:  # keep what did arrive: a retry fetches only the IBANs that failed
            cache.put(("history", fp, tuple(sorted(have | {i.id for i in got})), start, end), combined, oldest)
        stale, at = _last_good().get(combined_key)
        return Loaded(stale, at, error)
    combined = combined if combined is not None else history.empty_frame(tz)
    cache.put(combined_key, combined, oldest)
    _last_good().put(combined_key, combined, oldest)
    return Loaded(combined, oldest)


@dataclass(frozen=True)
class HistoryView:
    """What the Transactions page shows for one filter of a history: the rows, their summary and
    daily volume, and the display table per language (made on first use)."""

    rows: pd.DataFrame
    summary: history.Summary
    daily: pd.DataFrame
    tables: dict[str, pd.DataFrame]

    def table(self, lang: str) -> pd.DataFrame:
        table = self.tables.get(lang)
        if table is None:
            table = self.tables.setdefault(lang, history.display_frame(self.rows, lang=lang))
        return table


def _view_bytes(frame: pd.DataFrame, rows: pd.DataFrame) -> int:
    # The display table adds two decimal money columns (16 bytes a row each) to the rows' own size.
    own = 0 if rows is frame else int(rows.memory_usage(deep=True).sum())
    return own + 32 * len(rows)


def filter_history(frame: pd.DataFrame, flt: history.TransactionFilter) -> HistoryView:
    """The rows of `frame` (from `load_history`) matching `flt`, with summary and daily volume.

    Memoised per (cached history, filter) while the history is cached, so a rerun with an unchanged
    filter does no work; a refresh or a new fetch of the history drops its views.
    """
    cache = _frames()
    hit = cache.view(frame, flt)
    if hit is not None:
        return hit
    rows = history.apply_filter(frame, flt)
    view = HistoryView(rows, history.summarize(rows), history.daily_volume(rows, tz=history.frame_tz(frame)), {})
    cache.put_view(frame, flt, view, _view_bytes(frame, rows))
    return view


def balance_snapshots(since: datetime) -> list[SnapshotRow]:
    """Balances recorded by the server's background task (dashboard.background) since `since`."""
    return services().store.balances.snapshots(since=since)


# --- money actions (through the journal: exactly once) ------------------------------------------


def submit_payout(operation_id: str, request: models.SendMoneyRequest, *, actor: str, confirm_duplicate: bool = False) -> Operation:
    """Send a payout once per operation id; see `dashboard.journal` for every outcome."""
    op = services().journal.submit_payout(operation_id, request, actor=actor, confirm_duplicate=confirm_duplicate)
    if op.state == "confirmed":
        after_money_moved()
    return op


def submit_card_payment(operation_id: str, request: models.CardPaymentRequest, *, actor: str) -> Operation:
    op = services().journal.submit_card_payment(operation_id, request, actor=actor)
    if op.state == "confirmed":
        after_money_moved()
    return op


def operation(operation_id: str) -> Operation | None:
    return services().journal.get(operation_id)


def last_outcome(actor: str, kind: str) -> Operation | None:
    """`actor`'s latest payout / card payment ('payout' / 'card_payment') until they dismiss it."""
    return services().journal.last_outcome(actor, kind)


def dismiss_outcome(actor: str, operation_id: str) -> None:
    services().journal.dismiss_outcome(actor, operation_id)


def refresh_operation_status(operation_id: str) -> Operation:
    """Ask transaction-status for a confirmed operation's current state (the live status on the result)."""
    return services().journal.refresh_status(operation_id)


def export_rows(
    table: pd.DataFrame, fmt: str, *, actor: str, description: str, lang: str = "en", dataset: str = "transactions",
) -> bytes:  # fmt: skip
    """The bytes of a CSV or Excel export of exactly `table`, recorded in the audit log; Excel's
    money format and sheet name follow `lang` (the numbers stay numbers)."""
    if fmt == "csv":
        data = export.to_csv_bytes(table)
    else:
        data = export.to_excel_bytes(table, lang=lang, sheet_name=translate("Transactions", lang))
    services().audit.record(
        "export", actor=actor, outcome="downloaded",
        details={"dataset": dataset, "format": fmt, "rows": len(table), "filter": description, "bytes": len(data)},
    )
    return data


# --- after a write or on the refresh button ----------------------------------------------------


def refresh_all() -> None:
    """Forget every cached answer (not the client): the next loads go upstream."""
    _dealer_settings.clear()
    _ibans.clear()
    _status.clear()
    _frames().clear()


def reload_dealer_settings() -> None:
    """The next settings load goes upstream (the forms' retry while the costs are unknown)."""
    _dealer_settings.clear()


def after_money_moved() -> None:
    """A payout or card payment changes balances and history; settings are untouched."""
    _ibans.clear()
    _frames().clear()


# --- "nothing lost": open operations, callbacks, audit log (Operations / Callbacks / Audit log pages)


def open_operations() -> list[Operation]:
    """Journal entries needing attention: `unknown` ones and `pending` ones past their grace (the
    process died mid-call), oldest first."""
    return services().journal.unsettled()


def operations_awaiting_answer() -> tuple[list[Operation], list[Operation]]:
    """`pending` entries inside their grace: (awaited by this console, sent by a process that stopped
    or by another console on the same data)."""
    return services().journal.awaiting_answer()


def first_check_of(ops: Sequence[Operation]) -> datetime:
    """When the earliest of these pending entries is first checked automatically (its grace is over)."""
    return min(op.created_at for op in ops) + services().journal.pending_grace


def recent_operations(limit: int = 200, states: Sequence[str] | None = None) -> list[Operation]:
    """The newest journal entries, optionally only those in `states`."""
    ops = services().journal.recent(limit)
    return [op for op in ops if op.state in states] if states else ops


def settle_operation(operation_id: str, actor: str) -> Operation:
    """'Check now': one settle pass for this entry (transaction history, callbacks, transaction-status).
    Never sends anything. Raises EnigmaPayError when the API cannot be asked."""
    before = services().journal.get(operation_id)
    op = services().journal.settle(operation_id, actor=actor)
    if before is not None and before.state != op.state and op.state == "confirmed":
        after_money_moved()  # the balances and history now include a payout we did not know about
    return op


def mark_operation_resolved(operation_id: str, *, actor: str, note: str, transaction_id: int | None = None) -> Operation:
    """An operator's verdict: not sent (no `transaction_id`) or confirmed as that transaction.
    ValueError when the note is empty or the entry cannot be resolved (see Journal.mark_resolved)."""
    op = services().journal.mark_resolved(operation_id, actor=actor, note=note, transaction_id=transaction_id)
    if op.state == "confirmed":
        after_money_moved()
    return op


def callbacks_configured() -> bool:
    """False on the live API without ENIGMAPAY_CALLBACK_TOKEN: the callback route answers 404."""
    return services().callbacks is not None


def callback_path_masked() -> str | None:
    """The callback path with all but the token's last 4 characters hidden (`/callbacks/••••abcd`)."""
    intake = services().callbacks
    if intake is None:
        return None
    token = intake.callback_path().rsplit("/", 1)[1]
    return f"/callbacks/••••{token[-4:]}"


def recent_callback_events(limit: int = 100) -> list[CallbackEvent]:
    """Newest first (an empty list when callbacks are not configured)."""
    intake = services().callbacks
    return intake.recent_events(limit=limit) if intake is not None else []


def verify_callbacks_now() -> dict[str, int]:
    """Verify one batch of pending callback events, oldest first, at ENIGMAPAY_VERIFY_RATE (the
    background does this continuously); returns counts per verification outcome, `errors` when the
    API could not be asked, {} when callbacks are not configured."""
    intake = services().callbacks
    if intake is None:
        return {}
    rate = settings().verify_rate
    batch, workers = verification_plan(rate)
    return intake.verify_pending(backend().client, limit=batch, limiter=services_root.verify_limiter(), workers=workers)


def callback_backlog() -> tuple[int, datetime | None]:
    """(callback events waiting for verification, when the oldest arrived); (0, None) if not configured."""
    intake = services().callbacks
    return intake.backlog() if intake is not None else (0, None)


def transaction_timeline(transaction_id: int) -> list[TimelineItem]:
    """Journal entries, callbacks and status checks of one provider transaction, by time."""
    return callback_timeline(services().store, int(transaction_id))


def transaction_current_status(transaction_id: int) -> CurrentStatusRow | None:
    """What the console believes now (status, status_final, source 'callback'|'api', updated_at)."""
    return services().store.callbacks.current_status(int(transaction_id))


AUDIT_LIMIT = 5_000


def audit_entries(
    since: datetime | None = None, until: datetime | None = None, *, actor: str | None = None,
    action: str | None = None, limit: int = AUDIT_LIMIT,
) -> list[AuditEntry]:  # fmt: skip
    """Audit entries, newest first; `since` inclusive, `until` exclusive."""
    return services().audit.query(since=since, until=until, actor=actor, action=action, limit=limit)

