"""The composition root: the one place that builds the console's long-lived objects (no Streamlit).

settings -> backend (live API, or the built-in sandbox) -> the console's records (store, audit log,
journal, callback intake) -> the authenticator. One instance of each per process and settings
fingerprint, built on first use under a lock, shared by every browser session, `app.py`'s routes
and `dashboard.background`. `data_access` hands them to the pages; `reset()` forgets them all (tests).
"""

from __future__ import annotations

import secrets
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import TypeVar

from dashboard.approvals import Approvals
from dashboard.audit import AuditLog
from dashboard.auth import SINGLE_USER_NAME, Authenticator, Role, account_setup
from dashboard.backend import Backend, open_backend
from dashboard.callbacks import CallbackIntake, RateLimiter
from dashboard.config import Settings, load_settings
from dashboard.journal import Journal
from dashboard.store import Store

T = TypeVar("T")


@dataclass(frozen=True)
class Records:
    """The console's own records: one store (the SQLite file in the data folder, or the PostgreSQL
    database of ENIGMAPAY_DATABASE_URL), shared by all sessions."""

    store: Store
    audit: AuditLog
    journal: Journal
    callbacks: CallbackIntake | None  # None: live API with no ENIGMAPAY_CALLBACK_TOKEN configured
    approvals: Approvals  # four-eyes: requests waiting for a second person


_lock = threading.RLock()  # re-entrant: building the records asks for the backend
_built: dict[tuple, object] = {}


def _once(key: tuple, build: Callable[[], T]) -> T:
    """The object under `key`, built by the first caller; others wait for it rather than build twice."""
    with _lock:
        if key not in _built:
            _built[key] = build()
        return _built[key]  # type: ignore[return-value]


def reset() -> None:
    """Forget every built object: the next call reads the settings again (tests start fresh)."""
    with _lock:
        _built.clear()


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
    )
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
    return Records(store, audit, journal, intake, approvals)


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
    setup = account_setup(s, is_sandbox=sandbox)
    if setup.disabled:
        return None
    svc = records()
    return Authenticator.from_settings(setup, s, svc.store, svc.audit)


def verify_limiter() -> RateLimiter:
    """One per process: the background's batches and the "Verify now" button share the rate."""
    rate = settings().verify_rate
    return _once(("verify_limiter", rate), lambda: RateLimiter(rate))
