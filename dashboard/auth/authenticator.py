"""`Authenticator`: sign-in with throttling and audit, sessions, sign-out -- no Streamlit here."""

from __future__ import annotations

import unicodedata
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from urllib.parse import urlencode

from dashboard.audit import AuditLog
from dashboard.auth.passwords import dummy_hash, verify_password
from dashboard.auth.roles import Role
from dashboard.auth.sessions import (
    ABSOLUTE_TIMEOUT,
    COOKIE_NAME,
    Session,
    SessionManager,
    load_session_secret,
    password_tag,
)
from dashboard.auth.sso import METHOD_SSO, Identity, SsoConfig
from dashboard.auth.throttle import Throttle, ThrottlePolicy, name_key, source_key
from dashboard.auth.totp import SecretBox, load_two_factor_key
from dashboard.auth.totp_factor import CodeError, TwoFactor, required_roles
from dashboard.auth.users import AccountSetup, User
from dashboard.config import Settings
from dashboard.store import Store

WRONG_CREDENTIALS = "Wrong user name or password."
CODE_NEEDED = "Enter the code from your authenticator app."
SIGN_IN_EXPIRED = "The sign-in took too long: sign in again."
LOCAL_SIGN_IN_OFF = "Sign-in with a user name and password is switched off: use single sign-on."
SSO_NO_ROLE = "Your single sign-on account has no role in this console: ask an administrator for access."
SSO_EXPIRED = "Your single sign-on has expired: sign in again."
SSO_NOT_SIGNED_IN = "The identity provider did not sign you in: try again."
MAX_ACTOR_LENGTH = 64
PENDING_LIFETIME = timedelta(minutes=5)  # between a right password and its second factor


class SignInError(Exception):
    """A refused sign-in; `message` is fit to show (it never says whether the user exists)."""

    def __init__(self, message: str, *, retry_after: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.retry_after = retry_after


@dataclass(frozen=True)
class PendingSignIn:
    """A right password of a user who still owes a second factor (held server-side, in the
    sign-in page's session state, for at most PENDING_LIFETIME): no session exists yet."""

    user: str
    started_at: datetime
    password_tag: str = field(repr=False)  # a changed password ends the pending sign-in too
    source: str | None = None


class SecondFactorRequired(SignInError):
    """`sign_in` stopped after a right password: `complete_second_factor(exc.pending, code)` next."""

    def __init__(self, pending: PendingSignIn) -> None:
        super().__init__(CODE_NEEDED)
        self.pending = pending


def audit_actor(typed: object) -> str:
    """The typed user name as it may go into the audit log: no control characters, bounded."""
    text = "".join(ch for ch in str(typed) if not unicodedata.category(ch).startswith("C")).strip()
    if len(text) > MAX_ACTOR_LENGTH:
        text = text[: MAX_ACTOR_LENGTH - 1] + "…"
    return text or "(blank)"


class Authenticator:
    """Accounts, throttled sign-in, sessions and sign-out for one store (shared by all processes)."""

    def __init__(
        self,
        users: Mapping[str, User],
        store: Store,
        audit: AuditLog,
        *,
        secret: bytes,
        clock: Callable[[], datetime] | None = None,
        idle_timeout: timedelta = timedelta(minutes=30),
        absolute_timeout: timedelta = ABSOLUTE_TIMEOUT,
        throttle: ThrottlePolicy | None = None,
        demo: bool = False,
        two_factor: TwoFactor | None = None,
        sso: SsoConfig | None = None,
        local: bool = True,
    ) -> None:
        self.users = dict(users)
        self.demo = demo
        self.two_factor = two_factor  # None: no second factor anywhere (tests, tools)
        self.sso = sso
        self.local = local  # user name and password sign-in is offered
        dummy_hash()  # made now, so the first unknown name does not take twice as long as a known one
        self._audit = audit
        self._clock = clock or (lambda: datetime.now(UTC))
        self._throttle = Throttle(store, throttle)
        self.sessions = SessionManager(
            store, secret, clock=self._clock, idle_timeout=idle_timeout, absolute_timeout=absolute_timeout
        )

    @classmethod
    def from_settings(
        cls, setup: AccountSetup, settings: Settings, store: Store, audit: AuditLog, sso: SsoConfig | None = None
    ) -> Authenticator:
        """The console's authenticator for an `account_setup(...)` that is not disabled (and `sso_setup(...)`)."""
        if setup.disabled:
            raise ValueError("sign-in is disabled: there is no authenticator")
        # The sandbox's demo accounts have published, shared passwords: nobody is made to enrol there
        # (the first visitor would lock the others out); a demo user may still set one up.
        required = frozenset() if setup.demo else required_roles(settings.two_factor_roles)
        two_factor = TwoFactor(store, audit, SecretBox(load_two_factor_key(settings)), required=required)
        return cls(
            setup.users,
            store,
            audit,
            secret=load_session_secret(settings),
            idle_timeout=timedelta(minutes=settings.session_idle_minutes),
            demo=setup.demo,
            two_factor=two_factor,
            sso=sso,
            local=setup.local,
        )

    def __repr__(self) -> str:
        return (
            f"Authenticator(users={sorted(self.users)}, demo={self.demo}, sso={self.sso}, "
            f"{self.sessions!r}, {self.two_factor!r})"
        )

    def now(self) -> datetime:
        return self._clock()

    # -- sign-in --------------------------------------------------------------------------

    def sign_in(self, name: str, password: str, *, source: str | None = None) -> Session:
        """Check a name and password; a new Session, or SignInError with a message to show.

        Throttled per name and per source address; a locked attempt is refused before the password
        is looked at. Unknown names cost the same hash check as known ones and get the same message.
        A user with a second factor gets SecondFactorRequired (no session yet) after a right password.
        """
        actor = audit_actor(name)
        details = {"source": source} if source else None
        if not self.local:
            self._audit.record("sign_in_failed", actor=actor, outcome="local_sign_in_off", details=details)
            raise SignInError(LOCAL_SIGN_IN_OFF)
        typed = str(name).strip().lower()
        keys = [name_key(typed[:MAX_ACTOR_LENGTH])] + ([source_key(str(source)[:64])] if source else [])
        now = self._clock()
        wait = self._throttle.retry_after(keys, now)
        if wait:
            self._audit.record("sign_in_failed", actor=actor, outcome="locked", details=details)
            raise SignInError(f"Too many attempts; try again in {wait} s.", retry_after=wait)

        user = self.users.get(typed)
        matches = verify_password(str(password), user.password_hash if user else dummy_hash())
        if user is None or not matches:
            self._throttle.failed(keys, now)
            outcome = "unknown_user" if user is None else "wrong_password"
            self._audit.record("sign_in_failed", actor=actor, outcome=outcome, details=details)
            raise SignInError(WRONG_CREDENTIALS)

        self._throttle.succeeded(keys[0])
        if self.two_factor is not None and self.two_factor.enrolled(user.name):
            raise SecondFactorRequired(PendingSignIn(user.name, now, password_tag(user), source))
        session = self.sessions.create(user, source=source)
        self._audit.record(
            "sign_in", actor=user.name, outcome="ok", details={**(details or {}), "role": user.role.value}
        )
        return session

    def complete_second_factor(self, pending: PendingSignIn, code: str) -> Session:
        """After SecondFactorRequired: check the TOTP or recovery code (throttled, never the same
        code twice); a new Session, or SignInError with a message to show."""
        user = self.users.get(pending.user)
        fresh = self._clock() - pending.started_at < PENDING_LIFETIME
        if self.two_factor is None or user is None or not fresh or password_tag(user) != pending.password_tag:
            raise SignInError(SIGN_IN_EXPIRED)
        try:
            method = self.two_factor.verify(user.name, code, source=pending.source)
        except CodeError as exc:
            raise SignInError(exc.message, retry_after=exc.retry_after) from None
        session = self.sessions.create(user, source=pending.source)
        details = {**({"source": pending.source} if pending.source else {}), "role": user.role.value}
        self._audit.record("sign_in", actor=user.name, outcome="ok", details={**details, "second_factor": method})
        return session

    def second_factor_owed(self, session: Session) -> bool:
        """Whether this signed-in user must set up a second factor before anything else (their role
        requires one and they have none: never enrolled, or an admin reset it). Local accounts only:
        an identity signed in elsewhere (single sign-on) has its provider's factors, not ours."""
        if self.two_factor is None or session.user not in self.users:
            return False
        return self.two_factor.owed(session.user, session.role)

    def sign_in_sso(self, identity: Identity | None, *, source: str | None = None) -> Session:
        """A new session for the identity the provider vouched for (`SsoConfig.identity(st.user)`),
        or SignInError: not signed in there, its ID token expired, or no role for it. Audited either way."""
        details = {"method": METHOD_SSO, "provider": self.sso.provider if self.sso else None}
        details |= {"source": source} if source else {}
        if self.sso is None or identity is None:
            self._audit.record("sign_in_failed", actor="(single sign-on)", outcome="no_identity", details=details)
            raise SignInError(SSO_NOT_SIGNED_IN)
        actor = audit_actor(identity.name)
        if identity.expired(self._clock()):
            self._audit.record("sign_in_failed", actor=actor, outcome="identity_expired", details=details)
            raise SignInError(SSO_EXPIRED)
        if identity.role is None:
            self._audit.record("sign_in_failed", actor=actor, outcome="no_role", details=details)
            raise SignInError(SSO_NO_ROLE)
        session = self.sessions.create(
            User(identity.name, identity.role, ""),
            method=METHOD_SSO,
            source=source,
            tag=identity.tag,
            not_after=identity.expires_at,
        )
        self._audit.record(
            "sign_in", actor=identity.name, outcome="ok", details={**details, "role": identity.role.value}
        )
        return session

    def issue_ticket(self, session: Session) -> str:
        """After `sign_in`: a one-time ticket for `/auth/complete?ticket=...` (valid 60 s)."""
        return self.sessions.issue_ticket(session)

    def complete(self, ticket: str | None) -> tuple[Session, str] | None:
        """Consume a ticket: (session, cookie value to set) or None. Used by the /auth/complete route."""
        done = self.sessions.complete(ticket)
        if done is None or self._current(done[0]) is None:
            return None
        return done

    # -- sessions -------------------------------------------------------------------------

    def _current(self, session: Session | None) -> Session | None:
        """The session with its user's current role; None (and ended) if the user was removed or
        their password changed since sign-in."""
        if session is None:
            return None
        if session.method == METHOD_SSO:
            return session  # tied to the provider's identity instead: `check_identity` on every run
        user = self.users.get(session.user)
        if user is None or password_tag(user) != session.password_tag:
            self.sessions.end(session)
            return None
        return session if session.role == user.role else self._role_changed(session, user.role)

    def _role_changed(self, session: Session, role: Role) -> Session:
        self.sessions.set_role(session, role)
        self._audit.record(
            "role_changed", actor=session.user, outcome="ok", details={"from": session.role.value, "to": role.value}
        )
        return replace(session, role=role, role_changed=True)

    def check_identity(self, session: Session | None, identity: Identity | None) -> Session | None:
        """For every run of a single sign-on session: the identity still signed in at the provider
        (`st.user`) must be the one that signed in, unexpired and still given a role. Otherwise the
        session ends (None). A password session is returned as it is."""
        if session is None or session.method != METHOD_SSO:
            return session
        reason = None
        if identity is None or identity.tag != session.password_tag:
            reason = "identity_gone"
        elif identity.expired(self._clock()):
            reason = "identity_expired"
        elif identity.role is None:
            reason = "no_role"
        if reason is not None:
            self.sessions.end(session)
            self._audit.record("session_ended", actor=session.user, outcome=reason, details={"method": METHOD_SSO})
            return None
        return session if identity.role == session.role else self._role_changed(session, identity.role)

    def resolve(self, cookie_value: str | None) -> Session | None:
        """The signed-in session for a cookie value (extending its idle expiry), or None."""
        return self._current(self.sessions.resolve(cookie_value))

    def session_from_cookies(self, cookies: Mapping[str, str]) -> Session | None:
        """For the script: `auth.session_from_cookies(st.context.cookies)`."""
        return self.resolve(cookies.get(COOKIE_NAME))

    def touch(self, session: Session) -> Session | None:
        return self._current(self.sessions.touch(session))

    def sign_out(self, session: Session) -> None:
        """End this session (in every tab and browser that carries its cookie)."""
        self.sessions.end(session)

    def active_sessions(self, user: str | None = None) -> list[Session]:
        """Unexpired sessions (of `user`; None: everybody's), the most recently used first."""
        return self.sessions.active(user)

    def end_session(self, session: Session, *, by: str) -> bool:
        """End one session (from the Sessions page: `by` its owner or an administrator); audited."""
        ended = self.sessions.end(session)
        details = {"user": session.user, "session": session.handle}
        self._audit.record("session_ended", actor=by, outcome="ok" if ended else "already_ended", details=details)
        return ended

    def sign_out_everywhere(self, user: str) -> int:
        """End every session of `user`; returns how many."""
        return self.sessions.end_all(user)

    def sign_out_url(self, session: Session, *, prefix: str = "") -> str:
        """The link that ends `session` and clears the cookie (the /auth/sign-out route)."""
        return f"{prefix}/auth/sign-out?token={self.sessions.sign_out_token(session)}"

    def sign_in_url(self, ticket: str, next_path: str = "/", *, prefix: str = "") -> str:
        """Where to send the browser after `sign_in` + `issue_ticket`."""
        return f"{prefix}/auth/complete?{urlencode({'ticket': ticket, 'next': next_path})}"
