"""`TwoFactor`: enrolment, verification, recovery codes and reset of the TOTP second factor, over
the store, throttled like passwords and audited -- no Streamlit here.

    two = TwoFactor(store, audit, SecretBox(key), required_roles=required_roles(settings.two_factor_roles))
    enrolment = two.begin_enrolment("alice")          # secret + otpauth URI, shown once
    codes = two.confirm_enrolment("alice", "123456")  # the factor takes effect; 10 recovery codes
    two.verify("alice", "654321")                     # "totp" / "recovery_code", or CodeError
    two.reset("alice", actor="cli:root")              # the accounts command

Throttling reuses `dashboard.auth.throttle` with its own counter per user (`two_factor:<name>`) and
the source address's counter shared with passwords. Audit actions: two_factor_enrolled,
two_factor_verified, two_factor_failed (outcome wrong_code / replayed / locked), two_factor_recovery_used,
two_factor_recovery_regenerated, two_factor_reset.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime

from dashboard.audit import AuditLog
from dashboard.auth import totp
from dashboard.auth.roles import APPROVE, MOVE_MONEY, SETTINGS, Role, can
from dashboard.auth.throttle import Throttle, ThrottlePolicy, source_key
from dashboard.auth.users import AuthConfigError
from dashboard.store import Store

WRONG_CODE = "Wrong code, or a code that was already used: try the next code."
NOT_WAITING = "No two-factor set-up is waiting for a code: start the set-up again."
ALREADY_ENROLLED = "Two-factor sign-in is already set up for this account."
NOT_ENROLLED = "Two-factor sign-in is not set up for this account."
UNREADABLE = (
    "This account's second factor cannot be read (the console's two-factor key changed): "
    "ask an administrator to reset it."
)
MESSAGES = (WRONG_CODE, NOT_WAITING, ALREADY_ENROLLED, NOT_ENROLLED, UNREADABLE)  # all translated (tests)


class CodeError(Exception):
    """A refused code or step; `message` is fit to show."""

    def __init__(self, message: str, *, retry_after: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.retry_after = retry_after


@dataclass(frozen=True)
class Enrolment:
    """A started enrolment: what the person scans or types, shown once and never read back."""

    user: str
    secret: str = field(repr=False)
    uri: str = field(repr=False)

    def qr_png(self) -> bytes:
        return totp.qr_png(self.uri)

    @property
    def grouped_secret(self) -> str:
        return totp.grouped(self.secret)


@dataclass(frozen=True)
class FactorStatus:
    enrolled: bool
    required: bool
    recovery_left: int
    confirmed_at: datetime | None


def default_required_roles() -> frozenset[Role]:
    """The roles that move money, release it (approve) or administer (from `roles.CAPABILITIES`)."""
    return frozenset(r for r in Role if can(r, MOVE_MONEY) or can(r, APPROVE) or can(r, SETTINGS))


def required_roles(names: frozenset[str] | None) -> frozenset[Role]:
    """ENIGMAPAY_TWO_FACTOR_ROLES as roles: None is the default, an empty set is nobody."""
    if names is None:
        return default_required_roles()
    try:
        return frozenset(Role.parse(name) for name in names)
    except ValueError as exc:
        raise AuthConfigError(f"ENIGMAPAY_TWO_FACTOR_ROLES: {exc} (or none).") from None


def factor_key(user: str) -> str:
    return f"two_factor:{user}"


class TwoFactor:
    """The TOTP second factor of every local account, kept in one store (shared by all processes)."""

    def __init__(
        self,
        store: Store,
        audit: AuditLog,
        box: totp.SecretBox,
        *,
        required: frozenset[Role] = frozenset(),
        clock: Callable[[], datetime] | None = None,
        throttle: ThrottlePolicy | None = None,
    ) -> None:
        self.required_roles = frozenset(required)
        self._store = store
        self._audit = audit
        self._box = box
        self._clock = clock or (lambda: datetime.now(UTC))
        self._throttle = Throttle(store, throttle)

    def __repr__(self) -> str:
        return f"TwoFactor(required={sorted(r.value for r in self.required_roles)})"

    # -- state ----------------------------------------------------------------------------------

    def required(self, role: Role) -> bool:
        return role in self.required_roles

    def enrolled(self, user: str) -> bool:
        row = self._store.two_factor.factor(user)
        return row is not None and row.confirmed_at is not None

    def owed(self, user: str, role: Role) -> bool:
        """Whether `user` must set up a second factor before doing anything else."""
        return self.required(role) and not self.enrolled(user)

    def status(self, user: str, role: Role) -> FactorStatus:
        row = self._store.two_factor.factor(user)
        confirmed = row.confirmed_at if row is not None else None
        left = self._store.two_factor.recovery_left(user) if confirmed else 0
        return FactorStatus(
            enrolled=confirmed is not None, required=self.required(role), recovery_left=left, confirmed_at=confirmed
        )

    # -- enrolment ------------------------------------------------------------------------------

    def begin_enrolment(self, user: str) -> Enrolment:
        """A new secret for `user`, kept (encrypted) until its first code confirms it; replaces an
        unconfirmed one. CodeError if `user` already has a confirmed factor."""
        secret = totp.new_secret()
        if not self._store.two_factor.start(user, self._box.seal(user, secret), at=self._clock()):
            raise CodeError(ALREADY_ENROLLED)
        return Enrolment(user, secret, totp.provisioning_uri(secret, user))

    def confirm_enrolment(self, user: str, code: str, *, source: str | None = None) -> list[str]:
        """Confirm the waiting enrolment with its first code: the factor takes effect and the new
        recovery codes are returned (to show once). CodeError when refused."""
        row = self._store.two_factor.factor(user)
        if row is None:
            raise CodeError(NOT_WAITING)
        if row.confirmed_at is not None:
            raise CodeError(ALREADY_ENROLLED)
        secret = self._open(user, row.secret_box)

        def check(now: datetime) -> tuple[list[str] | None, str]:
            step = totp.matching_step(secret, totp.clean_code(code), now)
            if step is None:
                return None, "wrong_code"
            codes = totp.new_recovery_codes()
            hashes = [totp.recovery_hash(user, c) for c in codes]
            if not self._store.two_factor.confirm(user, step=step, at=now, recovery_hashes=hashes):
                raise CodeError(NOT_WAITING)
            return codes, "ok"

        codes = self._attempt(user, source, "enrolment", check)
        self._audit.record("two_factor_enrolled", actor=user, outcome="ok", details=_source(source))
        return codes

    # -- verification ---------------------------------------------------------------------------

    def verify(self, user: str, code: str, *, source: str | None = None, stage: str = "sign_in") -> str:
        """Check a TOTP code or a recovery code of `user`: "totp" or "recovery_code", else CodeError.
        A TOTP code of a step already used (or older) and a used recovery code are refused."""
        row = self._store.two_factor.factor(user)
        if row is None or row.confirmed_at is None:
            raise CodeError(NOT_ENROLLED)
        cleaned = totp.clean_code(code)

        def check(now: datetime) -> tuple[str | None, str]:
            if totp.is_recovery_code(cleaned):
                used = self._store.two_factor.use_recovery(user, totp.recovery_hash(user, cleaned), at=now)
                return ("recovery_code", "ok") if used else (None, "wrong_code")
            step = totp.matching_step(self._open(user, row.secret_box), cleaned, now)
            if step is None:
                return None, "wrong_code"
            return ("totp", "ok") if self._store.two_factor.use_step(user, step) else (None, "replayed")

        method = self._attempt(user, source, stage, check)
        if method == "recovery_code":
            left = self._store.two_factor.recovery_left(user)
            self._audit.record(
                "two_factor_recovery_used", actor=user, outcome="ok", details={"left": left, **_source(source)}
            )
        else:
            self._audit.record("two_factor_verified", actor=user, outcome="ok", details=_source(source))
        return method

    def regenerate_recovery_codes(self, user: str, code: str, *, source: str | None = None) -> list[str]:
        """New recovery codes (the old ones stop working), after a current code proves the factor."""
        self.verify(user, code, source=source, stage="recovery_codes")
        codes = totp.new_recovery_codes()
        self._store.two_factor.replace_recovery(user, [totp.recovery_hash(user, c) for c in codes], at=self._clock())
        self._audit.record("two_factor_recovery_regenerated", actor=user, outcome="ok", details=_source(source))
        return codes

    def reset(self, user: str, *, actor: str) -> bool:
        """Forget `user`'s second factor (lost phone); see `reset_two_factor`."""
        return reset_two_factor(self._store, self._audit, user, actor=actor)

    # -- helpers --------------------------------------------------------------------------------

    def _open(self, user: str, box: str) -> str:
        try:
            return self._box.open(user, box)
        except totp.SecretBoxError:
            raise CodeError(UNREADABLE) from None

    def _attempt(self, user: str, source: str | None, stage: str, check: Callable[[datetime], tuple]) -> object:
        """Run `check(now)` -> (result or None, outcome) under the throttle: refused unchecked while
        locked; a None result counts as a failure. Failures and locks are audited."""
        keys = [factor_key(user)] + ([source_key(str(source)[:64])] if source else [])
        details = {"stage": stage, **_source(source)}
        now = self._clock()
        wait = self._throttle.retry_after(keys, now)
        if wait:
            self._audit.record("two_factor_failed", actor=user, outcome="locked", details=details)
            raise CodeError(f"Too many attempts; try again in {wait} s.", retry_after=wait)
        result, outcome = check(now)
        if result is None:
            self._throttle.failed(keys, now)
            self._audit.record("two_factor_failed", actor=user, outcome=outcome, details=details)
            raise CodeError(WRONG_CODE)
        self._throttle.succeeded(keys[0])
        return result


def reset_two_factor(store: Store, audit: AuditLog, user: str, *, actor: str) -> bool:
    """Forget `user`'s second factor and recovery codes and end their sessions (a reset means the
    factor may be in someone else's hands); audited. Returns whether there was a factor. If their
    role requires one, they set up a new one at their next sign-in."""
    had = store.two_factor.delete(user)
    ended = store.accounts.delete_sessions_of(user)
    store.accounts.clear_failures(factor_key(user))
    audit.record(
        "two_factor_reset",
        actor=actor,
        outcome="ok" if had else "none",
        details={"account": user, "sessions_ended": ended},
    )
    return had


def _source(source: str | None) -> dict[str, str]:
    return {"source": source} if source else {}
