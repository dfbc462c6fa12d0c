"""Server-side sessions behind a signed cookie, and the one-time tickets that hand a new session
to the browser.

Cookie value: `<token>.<signature>`, token = 32 random bytes (base64url), signature =
HMAC-SHA256(session secret, token). The store keys a session by SHA-256(token) and never sees the
token, so a copy of the database does not hold usable cookies. A forged or truncated cookie fails
the signature check before the store is asked.

A session expires after `idle_timeout` without use (sliding: `touch` extends it, writing at most
once a minute) and in any case `absolute_timeout` after sign-in. It also ends when its user is
removed or their password changes (the session remembers a tag of the password hash), and for a
single sign-on session when the ID token expires (`identity_expires_at`).

The cookie's token changes whenever a session is handed to a browser (`complete` re-keys the
stored session), so a sign-in, and a role change (the script hands the session over again through
a fresh ticket), each give the browser a new session id.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import logging
import os
import secrets
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from pathlib import Path

from dashboard.auth.roles import Role
from dashboard.auth.users import AuthConfigError, User
from dashboard.config import Settings
from dashboard.store import SessionRow, Store

log = logging.getLogger(__name__)

COOKIE_NAME = "enigmapay_session"
SECRET_FILENAME = "session_secret"
TOKEN_BYTES = 32
TICKET_LIFETIME = timedelta(seconds=60)
TOUCH_EVERY = timedelta(minutes=1)
ABSOLUTE_TIMEOUT = timedelta(hours=12)
_TOKEN_LEN = len(base64.urlsafe_b64encode(bytes(TOKEN_BYTES)).rstrip(b"="))  # 43
_SIG_LEN = 43  # base64url of a 32-byte HMAC-SHA256, unpadded


@dataclass(frozen=True)
class Session:
    """A signed-in user. `id` (SHA-256 of the cookie token) is kept out of repr all the same."""

    user: str
    role: Role
    created_at: datetime
    last_seen_at: datetime
    expires_at: datetime  # the earlier of the idle and the absolute expiry, as of last_seen_at
    id: str = field(repr=False)
    password_tag: str = field(repr=False)
    method: str = "password"  # or "sso"
    source: str | None = None  # the browser's address at sign-in
    role_changed: bool = False  # the user's role changed since the cookie was set: hand over a new one

    @property
    def handle(self) -> str:
        """A short name for this session on the Sessions page (not the id: that keys the cookie's token)."""
        return hashlib.sha256(b"handle\x00" + self.id.encode("ascii")).hexdigest()[:12]


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def digest(token: str) -> str:
    return hashlib.sha256(token.encode("ascii")).hexdigest()


def password_tag(user: User) -> str:
    return hashlib.sha256(user.password_hash.encode()).hexdigest()[:16]


def load_session_secret(settings: Settings) -> bytes:
    """ENIGMAPAY_SESSION_SECRET, or a random key kept in `<data dir>/session_secret` (mode 0600),
    created on first use so that sessions survive restarts."""
    if settings.session_secret is not None:
        return settings.session_secret.reveal().encode("utf-8")
    path = Path(settings.data_dir) / SECRET_FILENAME
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        if path.stat().st_mode & 0o077:
            log.warning("%s was readable by others; restricting it to its owner", path)
            os.chmod(path, 0o600)
        key = path.read_text(encoding="ascii").strip()
        if len(key) < 32:
            raise AuthConfigError(
                f"{path} is damaged (too short); delete it to make a new one (signs everybody out)."
            ) from None
        return key.encode("ascii")
    key = secrets.token_urlsafe(48)
    with os.fdopen(fd, "w", encoding="ascii") as handle:
        handle.write(key + "\n")
        handle.flush()
        os.fsync(handle.fileno())
    return key.encode("ascii")


class SessionManager:
    """Sessions, tickets and cookies over the store; `Authenticator` is the public face."""

    def __init__(
        self,
        store: Store,
        secret: bytes,
        *,
        clock: Callable[[], datetime],
        idle_timeout: timedelta,
        absolute_timeout: timedelta = ABSOLUTE_TIMEOUT,
    ) -> None:
        if len(secret) < 32:
            raise ValueError("the session secret must be at least 32 bytes")
        self._store = store
        self._secret = secret
        self._clock = clock
        self.idle_timeout = idle_timeout
        self.absolute_timeout = absolute_timeout

    def __repr__(self) -> str:
        return f"SessionManager(idle_timeout={self.idle_timeout}, absolute_timeout={self.absolute_timeout})"

    # -- signing --------------------------------------------------------------------------

    def _sign(self, purpose: bytes, value: str) -> str:
        return _b64(hmac.new(self._secret, purpose + b"\x00" + value.encode("ascii"), hashlib.sha256).digest())

    def cookie_value(self, token: str) -> str:
        return f"{token}.{self._sign(b'session', token)}"

    def token_from_cookie(self, cookie: str | None) -> str | None:
        """The token of a well-formed, correctly signed cookie value; None otherwise (no store access)."""
        if not isinstance(cookie, str) or len(cookie) != _TOKEN_LEN + 1 + _SIG_LEN:
            return None
        token, dot, signature = cookie.partition(".")
        if not dot or len(token) != _TOKEN_LEN or not token.isascii() or not signature.isascii():
            return None
        if not hmac.compare_digest(signature, self._sign(b"session", token)):
            return None
        return token

    def sign_out_token(self, session: Session) -> str:
        """A per-session value for the sign-out link, so another site cannot sign a user out."""
        return self._sign(b"sign-out", session.id)

    def check_sign_out_token(self, session: Session, value: str | None) -> bool:
        return isinstance(value, str) and value.isascii() and hmac.compare_digest(value, self.sign_out_token(session))

    # -- life cycle -----------------------------------------------------------------------

    def _session(self, row: SessionRow) -> Session:
        created, seen = row.created_at, row.last_seen_at
        ends = [seen + self.idle_timeout, created + self.absolute_timeout]
        ends += [row.identity_expires_at] if row.identity_expires_at is not None else []
        return Session(
            user=row.user,
            role=Role(row.role),
            created_at=created,
            last_seen_at=seen,
            expires_at=min(ends),
            id=row.id,
            password_tag=row.password_tag,
            method=row.method,
            source=row.source,
        )

    def create(
        self,
        user: User,
        *,
        method: str = "password",
        source: str | None = None,
        tag: str | None = None,
        not_after: datetime | None = None,
    ) -> Session:
        """A new session record. Its token is thrown away: the browser gets a fresh one when the
        ticket is consumed (`complete`), so nothing printed before then can be replayed as a cookie.
        `tag` (default: of the password hash) ties the session to what signed in; `not_after` ends it."""
        now = self._clock()
        self._store.accounts.purge(
            seen_before=now - self.idle_timeout, created_before=now - self.absolute_timeout, now=now
        )
        row = SessionRow(
            id=digest(secrets.token_urlsafe(TOKEN_BYTES)),
            user=user.name,
            role=user.role.value,
            password_tag=tag if tag is not None else password_tag(user),
            created_at=now,
            last_seen_at=now,
            method=method,
            source=str(source)[:64] if source else None,
            identity_expires_at=not_after,
        )
        self._store.accounts.create_session(row)
        return self._session(row)

    def issue_ticket(self, session: Session) -> str:
        """A one-time ticket (valid TICKET_LIFETIME) that /auth/complete turns into the cookie."""
        ticket = secrets.token_urlsafe(TOKEN_BYTES)
        self._store.accounts.add_ticket(
            digest(ticket), session_id=session.id, expires_at=self._clock() + TICKET_LIFETIME
        )
        return ticket

    def complete(self, ticket: str | None) -> tuple[Session, str] | None:
        """Consume a ticket: (session, cookie value) or None when unknown, used or expired."""
        if not isinstance(ticket, str) or not ticket.isascii() or not 20 <= len(ticket) <= 100:
            return None
        token = secrets.token_urlsafe(TOKEN_BYTES)
        row = self._store.accounts.consume_ticket(digest(ticket), at=self._clock(), new_session_id=digest(token))
        if row is None:
            return None
        session = self._session(row)
        if session.expires_at <= self._clock():
            self._store.accounts.delete_session(session.id)
            return None
        return session, self.cookie_value(token)

    def resolve(self, cookie: str | None) -> Session | None:
        """The live session of a cookie value, touched; None if forged, unknown or expired."""
        token = self.token_from_cookie(cookie)
        return self._touch(digest(token)) if token is not None else None

    def touch(self, session: Session) -> Session | None:
        """Re-read `session` and extend its idle expiry; None if it expired or was signed out."""
        return self._touch(session.id)

    def _touch(self, session_id: str) -> Session | None:
        row = self._store.accounts.session(session_id)
        if row is None:
            return None
        session, now = self._session(row), self._clock()
        if session.expires_at <= now:
            self._store.accounts.delete_session(session_id)
            return None
        if now - session.last_seen_at < TOUCH_EVERY:  # spare the disk a write per rerun
            return session
        if not self._store.accounts.touch_session(session_id, now):
            return None  # signed out in between
        return replace(
            session,
            last_seen_at=now,
            expires_at=min(now + self.idle_timeout, session.created_at + self.absolute_timeout),
        )

    def active(self, user: str | None = None) -> list[Session]:
        """The unexpired sessions (of `user`), the most recently used first."""
        now = self._clock()
        return [s for s in map(self._session, self._store.accounts.sessions(user)) if s.expires_at > now]

    def set_role(self, session: Session, role: Role) -> bool:
        """Record the session's new role (the script then hands the browser a new session id)."""
        return self._store.accounts.set_session_role(session.id, role.value)

    def end(self, session: Session) -> bool:
        return self._store.accounts.delete_session(session.id)

    def end_all(self, user: str) -> int:
        return self._store.accounts.delete_sessions_of(user)
