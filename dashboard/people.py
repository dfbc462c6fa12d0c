"""The people who use the console, for the pages (through data_access): sign-in accounts, their
sessions (Sessions page, sign out everywhere) and the language each chose last time.

No Streamlit and no caching: each read goes to the authenticator and the store, shared by every session.
"""

from __future__ import annotations

from dashboard import services
from dashboard.i18n import LANGUAGES
from dashboard.timeutil import now


def accounts() -> list[tuple[str, str]]:
    """(name, role) of every sign-in account, for the admin page; empty in single-user mode."""
    auth = services.authenticator()
    return sorted((u.name, u.role.value) for u in auth.users.values()) if auth else []


def sign_out_everywhere(user: str, *, actor: str) -> int:
    """End every session of `user` (admin action, audited); returns how many ended."""
    ended = services.authenticator().sign_out_everywhere(user)
    services.records().audit.record(
        "sign_out_everywhere", actor=actor, outcome="ok", details={"user": user, "sessions": ended}
    )
    return ended


def active_sessions(user: str | None) -> list:
    """Unexpired sign-in sessions of `user` (None: everybody's), most recently used first (Sessions page)."""
    auth = services.authenticator()
    return auth.active_sessions(user) if auth else []


def end_session(handle: str, *, user: str | None, actor: str) -> bool:
    """End the session shown as `handle` (of `user`; None: anybody's, for admins); audited. False if gone."""
    auth = services.authenticator()
    found = [s for s in (auth.active_sessions(user) if auth else []) if s.handle == handle]
    return bool(found) and auth.end_session(found[0], by=actor)


def user_language(user: str) -> str | None:
    """The language `user` chose last time (kept in the console's store), None if never chosen."""
    language = services.records().store.accounts.language(user)
    return language if language in LANGUAGES else None


def set_user_language(user: str, lang: str) -> None:
    """Remember `user`'s language for their next sessions."""
    if lang not in LANGUAGES:
        raise ValueError(f"unknown language {lang!r}")
    services.records().store.accounts.set_language(user, lang, at=now())
