"""The composition root: the one place that builds the console's long-lived objects (no Streamlit).

settings -> backend (live API, or the built-in sandbox) -> the console's records (store, audit log,
journal, callback intake) -> the authenticator; and this process's part in a fleet of consoles on
one database (dashboard.fleet): its holder id, its leases, the shared `/ibans` answer, the money
generation. One instance of each per process and settings fingerprint, built on first use under a
lock, shared by every browser session, `app.py`'s routes and `dashboard.background`. `data_access`
hands them to the pages; `reset()` forgets them all (tests).
"""

from __future__ import annotations

import secrets
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from types import SimpleNamespace
from typing import TypeVar

from dashboard import fleet, notify
from dashboard.alerts import AlertEngine, Alerts, AlertSources, IbanBalance, Notify, notify_nothing
from dashboard.alerts.sources import no_differences
from dashboard.approvals import Approvals
from dashboard.audit import AuditLog
from dashboard.auth import SINGLE_USER_NAME, Authenticator, Role, account_setup, sso_setup
from dashboard.backend import Backend, open_backend
from dashboard.batches import BatchDesk, BatchSender
from dashboard.callbacks import CallbackIntake, RateLimiter
from dashboard.client import models
from dashboard.config import Settings, load_settings
from dashboard.history.fetch import fetch_history
from dashboard.history.ingest import empty_frame
from dashboard.history.mirror_search import MirrorSearch
from dashboard.history.mirrored import MirrorSync
from dashboard.journal import Journal
from dashboard.money import quantize, to_kurus
from dashboard.store import Store, StoreUnavailable
from dashboard.store.mirror import MirrorRepository
from dashboard.store.mirror_changes import MirrorChanges
from dashboard.timeutil import now, zone

T = TypeVar("T")


@dataclass(frozen=True)
class Records:
    """The console's own records: one store (the SQLite file in the data folder, or the PostgreSQL
    database of ENIGMAPAY_DATABASE_URL), shared by all sessions."""

    store: Store
    audit: AuditLog
    journal: Journal
    callbacks: CallbackIntake | None  # None: live API with no ENIGMAPAY_CALLBACK_TOKEN configured
    batches: BatchDesk  # payout batches from a file; their approval is `approvals` (issue 14)
    approvals: Approvals  # four-eyes: requests waiting for a second person

    @property
    def mirror(self) -> MirrorRepository:
        """The history mirror (issue 13): every IBAN's transactions as the API last reported them."""
        return self.store.mirror


_lock = threading.RLock()  # re-entrant: building the records asks for the backend
_built: dict[tuple, object] = {}


def _once(key: tuple, build: Callable[[], T]) -> T:
    """The object under `key`, built by the first caller; others wait for it rather than build twice."""
    with _lock:
        if key not in _built:
            _built[key] = build()
        return _built[key]  # type: ignore[return-value]


def reset() -> None:
    """Forget every built object: the next call reads the settings again (tests start fresh). A batch
    sender stops claiming rows (rows in flight finish; the batch goes on with the next sender); the
    mirror's pending writes finish; then a PostgreSQL store's pool is closed -- its worker threads would
    keep it, and its connections, alive for the rest of the process. A SQLite store's one connection
    closes when the store is dropped (a thread still holding it may finish its call)."""
    with _lock:
        dropped = list(_built.values())
        _built.clear()
    for sender in [obj for obj in dropped if isinstance(obj, BatchSender)]:
        sender.stop(timeout=5)
    for sync in [obj for obj in dropped if isinstance(obj, MirrorSync)]:
        sync.wait_for_writes(timeout=5)
    for built in [obj for obj in dropped if isinstance(obj, Records)]:
        if built.store.engine.name == "postgresql":
            built.store.close()


def settings() -> Settings:
    """Configuration, read once per process (ConfigError propagates: the entry script shows it)."""
    return _once(("settings",), load_settings)


def backend() -> Backend:
    """The API this console talks to: one thread-safe client per credential set."""
    s = settings()
    return _once(("backend", s.credentials_fingerprint()), lambda: open_backend(s))


def records() -> Records:
    """Store, audit log, journal and callback intake for the current settings and backend."""
    s = settings()
    sandbox = backend().is_sandbox
    return _once(("records", s.credentials_fingerprint(), sandbox), lambda: _open_records(s, sandbox))


SANDBOX_SCHEMA = "enigmapay_sandbox"  # the sandbox's own schema in a PostgreSQL database


def open_store(s: Settings, sandbox: bool) -> Store:
    """The store for these settings. Sandbox records live apart -- a subfolder on SQLite, their own
    schema on PostgreSQL: demo payouts must never sit beside (or be held against) real ones.
    StoreUnavailable (PostgreSQL unreachable) propagates; nothing is cached, the next call retries."""
    if s.database_url is not None:
        return Store.from_url(
            s.database_url.reveal(), schema=SANDBOX_SCHEMA if sandbox else None, pool_size=s.database_pool_size
        )
    return Store.in_dir(s.records_dir(sandbox=sandbox))


def _open_records(s: Settings, sandbox: bool) -> Records:
    store = open_store(s, sandbox)
    audit = AuditLog(store)
    journal = Journal(
        store,
        lambda: backend().client,
        audit=audit,
        tz=s.timezone,
        settle_horizon=timedelta(hours=s.settle_horizon_hours),
        approval_threshold=s.approval_threshold,
        ibans=lambda: shared_ibans().get()[0],  # the fleet's /ibans answer: settling asks no /ibans itself
    )
    journal.mirror_lookback_days = s.mirror_lookback_days  # settling syncs the days it searches (issue 13)
    if s.callback_token is not None:
        token = s.callback_token.reveal()
    else:
        # The sandbox delivers to this process only, so a fresh random token per start is enough.
        token = secrets.token_urlsafe(24) if sandbox else None
    intake = CallbackIntake(store, token=token, allowed_ips=s.callback_allowed_ips or None) if token else None
    approvals = Approvals(
        store,
        journal,
        role_of=role_of,
        audit=audit,
        threshold=s.approval_threshold,
        expiry=timedelta(hours=s.approval_expiry_hours),
    )
    # A batch waits for a second person's approval (dashboard.approvals) before anything is sent.
    desk = BatchDesk(store, audit, lambda: approvals)
    return Records(store, audit, journal, intake, desk, approvals)


def history_mirror() -> MirrorSync | None:
    """The history mirror's loader side for this console's records: one per process and settings
    (its writer threads and pending writes are shared by every session). None while the database
    cannot be reached: histories then come from the API alone."""
    s = settings()
    sandbox = backend().is_sandbox
    try:
        return _once(
            ("history_mirror", s.credentials_fingerprint(), sandbox),
            lambda: MirrorSync(records().mirror, lookback_days=s.mirror_lookback_days),
        )
    except StoreUnavailable:
        return None


def role_of(name: str) -> Role | None:
    """A person's role now, from this run's accounts (None: no such account). With sign-in off, the
    one local user is the administrator -- and, being alone, can approve nobody's request but their own,
    which the approvals desk refuses."""
    auth = authenticator()
    if auth is None:
        return Role.ADMIN if name == SINGLE_USER_NAME else None
    user = auth.users.get(name)
    return user.role if user is not None else None


def authenticator() -> Authenticator | None:
    """Sign-in for this console; None only when explicitly disabled (single-user local setup).
    AuthConfigError (e.g. the live API with no accounts): the console refuses to start."""
    s = settings()
    sandbox = backend().is_sandbox
    return _once(("authenticator", s.credentials_fingerprint(), sandbox), lambda: _open_authenticator(s, sandbox))


def _open_authenticator(s: Settings, sandbox: bool) -> Authenticator | None:
    sso = sso_setup(s)
    setup = account_setup(s, is_sandbox=sandbox, sso=sso is not None)
    if setup.disabled:
        return None
    svc = records()
    return Authenticator.from_settings(setup, s, svc.store, svc.audit, sso=sso)


def batch_sender() -> BatchSender:
    """One per process: sends the approved batches of this console's records (a daemon thread)."""
    s = settings()
    sandbox = backend().is_sandbox
    return _once(("batch_sender", s.credentials_fingerprint(), sandbox), lambda: _open_batch_sender(s))


def _open_batch_sender(s: Settings) -> BatchSender:
    r = records()
    return BatchSender(
        r.batches,
        r.store,
        r.journal,
        lambda: backend().client,
        concurrency=s.batch_concurrency,
        rate=s.batch_rate,
        # Longer than any one row can take (a request, its rate slot): a live claim never expires.
        claim_ttl=timedelta(seconds=max(120.0, 4 * s.timeout)),
    )


def verify_limiter() -> RateLimiter:
    """One per process: the background's batches and the "Verify now" button share the rate."""
    rate = settings().verify_rate
    return _once(("verify_limiter", rate), lambda: RateLimiter(rate))


# --- this process in a fleet of consoles on one database (dashboard.fleet) -----------------------


def holder() -> str:
    """Who this process is to the fleet (host, pid, random suffix): it holds leases and ask slots."""
    return _once(("holder",), fleet.holder_id)


def _records_key() -> tuple:
    return settings().credentials_fingerprint(), backend().is_sandbox


def lease_keeper(jobs: tuple[str, ...]) -> fleet.LeaseKeeper:
    """The leases of the background `jobs` on this process's store (an advisory lock each on
    PostgreSQL, a row of the leases table on SQLite), renewed by `dashboard.background`."""
    store = records().store
    return _once(
        ("leases", *_records_key(), jobs),
        lambda: fleet.LeaseKeeper(fleet.open_lease(store, name, holder()) for name in jobs),
    )


def money_generation() -> fleet.GenerationWatch:
    """The counter a payout or card payment on any replica moves (read at most every few seconds)."""
    return _once(("money_generation", *_records_key()), lambda: fleet.GenerationWatch(records().store.fleet, "money"))


def shared_ibans() -> fleet.SharedAnswer[list[models.Iban]]:
    """`/ibans`, asked at most once a minute by the whole fleet; the answer shared in the store."""
    s = settings()
    return _once(
        ("shared_ibans", *_records_key()),
        lambda: fleet.SharedAnswer(
            records().store.fleet,
            f"ibans:{s.credentials_fingerprint()}",
            holder(),
            lambda: backend().client.list_ibans(),
            encode=fleet.ibans_to_json,
            decode=fleet.ibans_from_json,
            tz=zone(s.timezone),
        ),
    )


def money_moved() -> int:
    """A payout or card payment happened here: every replica's balances and history are out of date
    (the generation moves; the shared `/ibans` answer is stale, its slot free). The new generation."""
    return money_generation().bump(stale_answers=[shared_ibans().name])


# --- notifications (dashboard.notify): alert messages and the daily report, by e-mail and webhook ------


def notifier() -> notify.Notifier:
    """One per process and settings: the outbox on this process's store with the configured channels
    (None for one that is not: its deliveries are skipped), and the daily report when it has a time.
    The alerts hand their transitions to `notifier().notify(transition)`."""
    return _once(("notifier", *_records_key()), lambda: _open_notifier(settings()))


def _open_notifier(s: Settings) -> notify.Notifier:
    n = s.notify
    webhook = None
    if n.webhook_url is not None:
        webhook = notify.WebhookChannel(n.webhook_url, secret=n.webhook_secret, timeout=n.timeout)
    channels = {notify.EMAIL: notify.SmtpChannel(n) if n.email_configured else None, notify.WEBHOOK: webhook}
    # A claim outlives any one send (each of its steps may take the timeout): a live claim never expires.
    ttl = timedelta(seconds=max(120.0, 6 * n.timeout))
    outbox = notify.Outbox(records().store.notifications, channels, holder=holder(), claim_ttl=ttl)
    report = None
    if n.daily_report_at is not None:
        report = notify.DailyReport(outbox, report_sources(s), at=n.daily_report_at, tz=s.timezone, lang=n.language)
    return notify.Notifier(outbox, report, lang=n.language, tz=s.timezone)


def report_sources(s: Settings) -> notify.ReportSources:
    """The daily report's figures: yesterday's transactions through the history mirror, balances from
    the fleet's shared /ibans answer, the journal's payouts with unknown outcome, the alerts firing now."""

    def history(day):
        ibans = shared_ibans().get()[0]
        mirror = history_mirror()  # the mirror when the database answers: only what can still change is fetched
        fetch = mirror.load if mirror is not None else fetch_history
        frame, _, error = fetch(backend().client, ibans, day, day, s.timezone)
        if error is not None:
            raise error
        return frame if frame is not None else empty_frame(s.timezone)

    return notify.ReportSources(
        history=history,
        balances=lambda: shared_ibans().get()[0],
        unknown_payouts=lambda: [op for op in records().journal.unsettled() if op.kind == "payout"],
        open_alerts=_open_alerts_for_report,
    )


def _open_alerts_for_report() -> list[SimpleNamespace]:
    """The report's open alerts: the firing ones, as (title, subject, since)."""
    firing = records().store.alerts.states(state="firing")
    return [SimpleNamespace(title=a.title, subject=a.subject, since=a.changed_at) for a in firing]


def alerts() -> Alerts:
    """The alerts' evaluation (run by the background leader), one per process and records."""
    s = settings()
    # Each transition goes to the outbox once (e-mail, webhook: dashboard.notify).
    return _once(
        ("alerts", *_records_key()),
        lambda: _open_alerts(s, deliver=notifier().notify, differences=_reconciliation_differences),
    )


def _reconciliation_differences() -> list:
    return reconciliation_watch().differences()


def reconciliation_watch():
    """The alerts' source of reconciliation differences (dashboard.reconciliation.watch), one per
    process and records: it checks at most every 10 minutes."""
    from dashboard.reconciliation.watch import ReconciliationWatch  # it builds on this module

    return _once(("reconciliation_watch", *_records_key()), ReconciliationWatch)


def _open_alerts(s: Settings, deliver: Notify = notify_nothing, differences=no_differences) -> Alerts:
    """`deliver` gets each transition once; `differences` is the reconciliation's source of
    (IBAN, day) differences."""
    store = records().store
    tz = zone(s.timezone)

    def balances() -> list[IbanBalance]:
        ibans, _ = shared_ibans().get(money_generation().current())  # the fleet's /ibans: no call of its own
        return [IbanBalance(i.id, i.iban, to_kurus(quantize(i.balance))) for i in ibans]

    sources = AlertSources(store, s.alerts, balances=balances, differences=differences)
    return Alerts(sources, AlertEngine(store.alerts, deliver), clock=lambda: now(tz))


# --- the history mirror's all-time search (issue 13) ----------------------------------------------


def mirror_search() -> MirrorSearch:
    """One per process: an index of the whole mirror, refreshed from the days any replica synced."""
    return _once(
        ("mirror_search", *_records_key()),
        lambda: MirrorSearch(records().mirror, MirrorChanges(records().store.engine), settings().timezone),
    )
