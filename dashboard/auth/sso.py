"""Single sign-on (OpenID Connect through Streamlit's `st.login`): which provider, who gets which role.

No Streamlit here: the sign-in page hands the identity's claims (`st.user`) in as a plain mapping.

    sso = sso_setup(settings)                     # None: no [auth] in secrets.toml; AuthConfigError if wrong
    identity = sso.identity(st.user.to_dict())    # name, role (None: refused), when the ID token expires

Roles come from settings, never from the provider alone: a value of `ENIGMAPAY_SSO_ROLE_CLAIM`
(e.g. a group) listed in `ENIGMAPAY_SSO_CLAIM_ROLES`, or the e-mail in `ENIGMAPAY_SSO_EMAIL_ROLES`
(only while the provider does not say it is unverified). The highest role any rule gives wins; an
identity no rule names gets none and is refused. Streamlit does not check the ID token's `exp`;
`Identity.expires_at` carries it so the console's session ends then.
"""

from __future__ import annotations

import hashlib
import os
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from dashboard.auth.roles import Role, strongest
from dashboard.auth.users import AuthConfigError
from dashboard.config import Settings

DEFAULT_PROVIDER = "default"  # st.login() with no name: the provider settings sit in [auth] itself
METHOD_SSO = "sso"
METHOD_PASSWORD = "password"


@dataclass(frozen=True)
class Identity:
    """A person the provider vouched for, as the console sees them."""

    name: str  # the console's user name: the e-mail (lower case), else "<provider>:<sub>"
    subject: str  # "<provider>:<sub>": what the session is tied to
    role: Role | None  # None: no rule gives this identity a role -> refused
    expires_at: datetime | None  # the ID token's exp

    @property
    def tag(self) -> str:
        """What a session remembers of the identity (like a local session's password tag)."""
        return "sso:" + hashlib.sha256(self.subject.encode()).hexdigest()[:16]

    def expired(self, now: datetime) -> bool:
        return self.expires_at is not None and self.expires_at <= now


@dataclass(frozen=True)
class SsoConfig:
    provider: str  # the name st.login takes ("default" for an unnamed provider)
    role_claim: str | None = None
    claim_roles: tuple[tuple[str, Role], ...] = ()
    email_roles: tuple[tuple[str, Role], ...] = ()

    def role_for(self, claims: Mapping[str, object]) -> Role | None:
        """The highest role the configured rules give these claims; None if none does."""
        found: list[Role] = []
        email = verified_email(claims)
        found += [role for address, role in self.email_roles if email is not None and address == email]
        if self.role_claim:
            value = claims.get(self.role_claim)
            listed = [value] if isinstance(value, str) else value if isinstance(value, (list, tuple)) else []
            values = {v for v in listed if isinstance(v, str)}  # strings only: a provider's odd shapes match nothing
            found += [role for wanted, role in self.claim_roles if wanted in values]
        return strongest(found)

    def identity(self, claims: Mapping[str, object]) -> Identity | None:
        """The identity in `st.user`'s claims; None when nobody is signed in there (or no subject)."""
        if not claims.get("is_logged_in") or not isinstance(claims.get("sub"), str) or not claims["sub"]:
            return None
        subject = f"{self.provider}:{claims['sub']}"
        email = verified_email(claims)
        return Identity(
            name=email or subject, subject=subject, role=self.role_for(claims), expires_at=_expiry(claims.get("exp"))
        )


def verified_email(claims: Mapping[str, object]) -> str | None:
    """The e-mail claim in lower case, unless the provider says it is not verified."""
    email = claims.get("email")
    if not isinstance(email, str) or "@" not in email or claims.get("email_verified") is False:
        return None
    return email.strip().lower()


def _expiry(exp: object) -> datetime | None:
    if isinstance(exp, bool) or not isinstance(exp, (int, float)):
        return None
    return datetime.fromtimestamp(exp, tz=UTC)


def _auth_section(secrets_path: str | os.PathLike[str] | None) -> Mapping[str, object]:
    if not secrets_path or not Path(secrets_path).is_file():
        return {}
    try:
        data = tomllib.loads(Path(secrets_path).read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, OSError) as exc:
        raise AuthConfigError(f"{secrets_path} cannot be read: {exc}") from None
    section = data.get("auth", {})
    return section if isinstance(section, Mapping) else {}


def _provider(settings: Settings, auth: Mapping[str, object]) -> str:
    named = sorted(k for k, v in auth.items() if isinstance(v, Mapping))
    offered = ([DEFAULT_PROVIDER] if "client_id" in auth else []) + named
    if settings.sso_provider:
        if settings.sso_provider not in offered:
            raise AuthConfigError(
                f"ENIGMAPAY_SSO_PROVIDER={settings.sso_provider!r} but [auth] configures "
                f"{', '.join(offered) or 'no provider'}."
            )
        return settings.sso_provider
    if len(offered) != 1:
        raise AuthConfigError(
            f"[auth] configures {len(offered)} providers ({', '.join(offered) or 'none'}): "
            "set ENIGMAPAY_SSO_PROVIDER to the one that signs people in."
        )
    return offered[0]


def sso_setup(
    settings: Settings, *, secrets_path: str | os.PathLike[str] | None = ".streamlit/secrets.toml"
) -> SsoConfig | None:
    """The single sign-on of this run: None without an [auth] section; AuthConfigError if it cannot work."""
    auth = _auth_section(secrets_path)
    if not auth:
        if settings.sso_role_claim or settings.sso_claim_roles or settings.sso_email_roles:
            raise AuthConfigError(f"ENIGMAPAY_SSO_* settings are set but {secrets_path} has no [auth] section.")
        return None
    missing = [key for key in ("redirect_uri", "cookie_secret") if key not in auth]
    if missing:
        raise AuthConfigError(
            f"[auth] in {secrets_path} lacks {' and '.join(missing)} (Streamlit's st.login needs it)."
        )
    if not settings.sso_claim_roles and not settings.sso_email_roles:
        raise AuthConfigError(
            "[auth] is configured but no identity can get a role: set ENIGMAPAY_SSO_EMAIL_ROLES, or "
            "ENIGMAPAY_SSO_ROLE_CLAIM with ENIGMAPAY_SSO_CLAIM_ROLES."
        )
    if settings.sso_claim_roles and not settings.sso_role_claim:
        raise AuthConfigError("ENIGMAPAY_SSO_CLAIM_ROLES needs ENIGMAPAY_SSO_ROLE_CLAIM (e.g. groups).")
    return SsoConfig(
        provider=_provider(settings, auth),
        role_claim=settings.sso_role_claim,
        claim_roles=tuple((value, Role.parse(role)) for value, role in settings.sso_claim_roles),
        email_roles=tuple((email, Role.parse(role)) for email, role in settings.sso_email_roles),
    )
