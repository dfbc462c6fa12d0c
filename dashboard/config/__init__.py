"""Configuration: environment variables > `.env` > `.streamlit/secrets.toml` > defaults.

Every setting is an `ENIGMAPAY_*` name, the same in all three sources, so operators and deployment
scripts can rely on one list (README "Configuration"). Secret values are wrapped in `Secret`, whose
repr and str never show the value.
"""

from __future__ import annotations

import hashlib
import os
import secrets as _secrets
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from dotenv import dotenv_values

from dashboard.config.alerts import AlertSettings, read_alert_settings
from dashboard.config.notify import NotifySettings, read_notify
from dashboard.config.readers import (  # noqa: F401 -- ConfigError, ROLE_NAMES: part of this package's API
    ROLE_NAMES,
    ConfigError,
    _boolean,
    _name_list,
    _positive_float,
    _positive_int,
    _role_table,
)
from dashboard.config.table import SETTINGS, describe_settings  # noqa: F401 -- the Settings page reads it here

DEFAULT_BASE_URL = "https://www.enigmapay.net/api/dealer"
DEFAULT_TIMEOUT = 30.0
DEFAULT_TIMEZONE = "Europe/Istanbul"
DEFAULT_DATA_DIR = "data"
DEFAULT_SANDBOX_TRANSACTIONS = 30_000
DEFAULT_USERS_FILENAME = "users.toml"
DEFAULT_SESSION_IDLE_MINUTES = 30.0
MIN_SESSION_SECRET_LENGTH = 32
DEFAULT_SETTLE_HORIZON_HOURS = 24.0
DEFAULT_VERIFY_RATE = 10.0  # status checks per second for callback verification
DEFAULT_DATABASE_POOL_SIZE = 10  # connections per console process to ENIGMAPAY_DATABASE_URL
DATABASE_URL_SCHEMES = ("postgresql://", "postgres://")
DEFAULT_BATCH_MAX_ROWS = 1_000
DEFAULT_MIRROR_LOOKBACK_DAYS = 3  # days before today the history mirror fetches again on every view
DEFAULT_BATCH_MAX_KB = 2_048
DEFAULT_BATCH_CONCURRENCY = 4
DEFAULT_PAGE_CONCURRENCY = 8  # history pages in flight per client (every IBAN's, first pages too), shared fairly
DEFAULT_BATCH_RATE = 5.0  # payouts per second
DEFAULT_APPROVAL_EXPIRY_HOURS = 24.0
LANGUAGES = ("en", "tr")

# name -> (description, is secret); the README's configuration table mirrors this.


class Secret:
    """A string that does not leak: repr/str show '***'; `reveal()` is the only way to the value."""

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        self._value = value

    def reveal(self) -> str:
        return self._value

    def __repr__(self) -> str:
        return "Secret('***')"

    __str__ = __repr__

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Secret) and _secrets.compare_digest(self._value, other._value)

    def __hash__(self) -> int:
        return hash(self._value)

    def __reduce__(self):  # pickling (st.cache_data) must not be a side door either
        raise TypeError("Secret values are not picklable")


@dataclass(frozen=True)
class Settings:
    base_url: str = DEFAULT_BASE_URL
    api_key: Secret | None = None
    secret_key: Secret | None = None
    timeout: float = DEFAULT_TIMEOUT
    timezone: str = DEFAULT_TIMEZONE
    data_dir: Path = Path(DEFAULT_DATA_DIR)
    callback_token: Secret | None = None
    callback_allowed_ips: frozenset[str] = field(default_factory=frozenset)
    language: str = "en"
    sandbox_transactions: int = DEFAULT_SANDBOX_TRANSACTIONS
    users_file: Path | None = None  # None: <data_dir>/users.toml
    session_idle_minutes: float = DEFAULT_SESSION_IDLE_MINUTES
    auth_disabled: bool = False
    session_secret: Secret | None = None
    settle_horizon_hours: float = DEFAULT_SETTLE_HORIZON_HOURS
    verify_rate: float = DEFAULT_VERIFY_RATE
    page_concurrency: int = DEFAULT_PAGE_CONCURRENCY
    database_url: Secret | None = None  # None: the embedded SQLite file in data_dir
    database_pool_size: int = DEFAULT_DATABASE_POOL_SIZE
    two_factor_roles: frozenset[str] | None = None  # role names; None: those that move money or administer
    two_factor_key: Secret | None = None
    batch_max_rows: int = DEFAULT_BATCH_MAX_ROWS
    batch_max_kb: int = DEFAULT_BATCH_MAX_KB
    batch_concurrency: int = DEFAULT_BATCH_CONCURRENCY
    batch_rate: float = DEFAULT_BATCH_RATE
    approval_threshold: Decimal | None = None  # None: no single payout needs approval (batches always do)
    approval_expiry_hours: float = DEFAULT_APPROVAL_EXPIRY_HOURS
    local_sign_in: bool = True
    sso_provider: str | None = None  # None: the one provider [auth] configures
    sso_role_claim: str | None = None
    sso_claim_roles: tuple[tuple[str, str], ...] = ()  # (claim value, role name)
    sso_email_roles: tuple[tuple[str, str], ...] = ()  # (lower-case e-mail, role name)
    notify: NotifySettings = field(default_factory=NotifySettings)  # e-mail, webhook, daily report
    alerts: AlertSettings = field(default_factory=AlertSettings)  # ENIGMAPAY_ALERT_* (config/alerts.py)
    dealer_name: str = ""  # on statements; "": the name the API's settings give, if any
    mirror_lookback_days: int = DEFAULT_MIRROR_LOOKBACK_DAYS

    @property
    def users_path(self) -> Path:
        """Where the sign-in accounts are read from (and `python -m dashboard.auth` writes them)."""
        return self.users_file if self.users_file is not None else self.data_dir / DEFAULT_USERS_FILENAME

    def records_dir(self, *, sandbox: bool) -> Path:
        """Where the console's database lives: the sandbox's records apart from live ones."""
        return self.data_dir / "sandbox" if sandbox else self.data_dir

    @property
    def use_builtin_sandbox(self) -> bool:
        """No credentials: the console starts and talks to its own sandbox."""
        return self.api_key is None

    def credentials_fingerprint(self) -> str:
        """A short non-reversible key for caches, so entries never mix between credential sets."""
        material = "\x00".join(
            [
                self.base_url,
                self.api_key.reveal() if self.api_key else "",
                self.secret_key.reveal() if self.secret_key else "",
            ]
        )
        return hashlib.sha256(material.encode()).hexdigest()[:16]


def _read_secrets_toml(path: Path) -> dict[str, str]:
    if not path.is_file():
        return {}
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path} is not valid TOML: {exc}") from None
    return {k: str(v) for k, v in data.items() if k.startswith("ENIGMAPAY_") and not isinstance(v, dict)}


def merged_sources(
    environ: Mapping[str, str] | None = None,
    dotenv_path: str | Path | None = ".env",
    secrets_path: str | Path | None = ".streamlit/secrets.toml",
) -> dict[str, str]:
    """All ENIGMAPAY_* values, the earlier source winning: environment, .env, secrets.toml."""
    merged: dict[str, str] = {}
    if secrets_path:
        merged.update(_read_secrets_toml(Path(secrets_path)))
    if dotenv_path and Path(dotenv_path).is_file():
        merged.update(
            {k: v for k, v in dotenv_values(dotenv_path).items() if k.startswith("ENIGMAPAY_") and v is not None}
        )
    env = os.environ if environ is None else environ
    merged.update({k: v for k, v in env.items() if k.startswith("ENIGMAPAY_")})
    return {k: v.strip() for k, v in merged.items() if v is not None and v.strip() != ""}


def load_settings(
    environ: Mapping[str, str] | None = None,
    dotenv_path: str | Path | None = ".env",
    secrets_path: str | Path | None = ".streamlit/secrets.toml",
) -> Settings:
    """Read and check every setting; raise ConfigError with a fix-it message on a bad one."""
    values = merged_sources(environ, dotenv_path, secrets_path)
    unknown = sorted(set(values) - set(SETTINGS))
    if unknown:
        raise ConfigError(f"Unknown setting(s) {', '.join(unknown)}; known: {', '.join(SETTINGS)}.")
    api_key, secret_key = _credentials(values)
    token = _callback_token(values)
    session_secret = _session_secret(values)
    users_file = values.get("ENIGMAPAY_USERS_FILE")
    database_url = _database_url(values)
    return Settings(
        base_url=_base_url(values),
        api_key=Secret(api_key) if api_key else None,
        secret_key=Secret(secret_key) if secret_key else None,
        timeout=_positive_float(values, "ENIGMAPAY_TIMEOUT", DEFAULT_TIMEOUT),
        timezone=_timezone(values),
        data_dir=Path(values.get("ENIGMAPAY_DATA_DIR", DEFAULT_DATA_DIR)),
        callback_token=Secret(token) if token else None,
        callback_allowed_ips=frozenset(
            ip.strip() for ip in values.get("ENIGMAPAY_CALLBACK_ALLOWED_IPS", "").split(",") if ip.strip()
        ),
        language=_language(values),
        sandbox_transactions=int(
            _positive_float(values, "ENIGMAPAY_SANDBOX_TRANSACTIONS", DEFAULT_SANDBOX_TRANSACTIONS)
        ),
        users_file=Path(users_file) if users_file else None,
        session_idle_minutes=_positive_float(values, "ENIGMAPAY_SESSION_IDLE_MINUTES", DEFAULT_SESSION_IDLE_MINUTES),
        auth_disabled=_boolean(values, "ENIGMAPAY_AUTH_DISABLED"),
        session_secret=Secret(session_secret) if session_secret else None,
        settle_horizon_hours=_positive_float(values, "ENIGMAPAY_SETTLE_HORIZON_HOURS", DEFAULT_SETTLE_HORIZON_HOURS),
        verify_rate=_positive_float(values, "ENIGMAPAY_VERIFY_RATE", DEFAULT_VERIFY_RATE),
        page_concurrency=_positive_int(values, "ENIGMAPAY_PAGE_CONCURRENCY", DEFAULT_PAGE_CONCURRENCY),
        database_url=Secret(database_url) if database_url else None,
        database_pool_size=_positive_int(values, "ENIGMAPAY_DATABASE_POOL_SIZE", DEFAULT_DATABASE_POOL_SIZE),
        two_factor_roles=_name_list(values, "ENIGMAPAY_TWO_FACTOR_ROLES"),
        two_factor_key=_long_secret(values, "ENIGMAPAY_TWO_FACTOR_KEY"),
        batch_max_rows=_positive_int(values, "ENIGMAPAY_BATCH_MAX_ROWS", DEFAULT_BATCH_MAX_ROWS),
        batch_max_kb=_positive_int(values, "ENIGMAPAY_BATCH_MAX_KB", DEFAULT_BATCH_MAX_KB),
        batch_concurrency=_positive_int(values, "ENIGMAPAY_BATCH_CONCURRENCY", DEFAULT_BATCH_CONCURRENCY),
        batch_rate=_positive_float(values, "ENIGMAPAY_BATCH_RATE", DEFAULT_BATCH_RATE),
        approval_threshold=_approval_threshold(values),
        approval_expiry_hours=_positive_float(values, "ENIGMAPAY_APPROVAL_EXPIRY_HOURS", DEFAULT_APPROVAL_EXPIRY_HOURS),
        local_sign_in=_boolean(values, "ENIGMAPAY_LOCAL_SIGN_IN", default=True),
        sso_provider=values.get("ENIGMAPAY_SSO_PROVIDER"),
        sso_role_claim=values.get("ENIGMAPAY_SSO_ROLE_CLAIM"),
        sso_claim_roles=_role_table(values, "ENIGMAPAY_SSO_CLAIM_ROLES"),
        sso_email_roles=tuple((k.lower(), r) for k, r in _role_table(values, "ENIGMAPAY_SSO_EMAIL_ROLES")),
        notify=read_notify(values),
        alerts=read_alert_settings(values),
        dealer_name=values.get("ENIGMAPAY_DEALER_NAME", "").strip(),
        mirror_lookback_days=_positive_int(values, "ENIGMAPAY_MIRROR_LOOKBACK_DAYS", DEFAULT_MIRROR_LOOKBACK_DAYS),
    )


# --- one reader per setting that needs more than a type check ------------------------------------


def _credentials(values: Mapping[str, str]) -> tuple[str | None, str | None]:
    """Both keys (the live API) or neither (the sandbox); one alone is a mistake worth stopping for."""
    api_key, secret_key = values.get("ENIGMAPAY_API_KEY"), values.get("ENIGMAPAY_SECRET_KEY")
    if api_key and not secret_key:
        raise ConfigError(
            "ENIGMAPAY_API_KEY is set but ENIGMAPAY_SECRET_KEY is not. Set both to use the live API, "
            "or neither to use the built-in sandbox."
        )
    if secret_key and not api_key:
        raise ConfigError("ENIGMAPAY_SECRET_KEY is set but ENIGMAPAY_API_KEY is not. Set both, or neither.")
    return api_key, secret_key


def _base_url(values: Mapping[str, str]) -> str:
    base_url = values.get("ENIGMAPAY_BASE_URL", DEFAULT_BASE_URL).rstrip("/")
    if not base_url.startswith(("https://", "http://")):
        raise ConfigError(f"ENIGMAPAY_BASE_URL must start with https:// (got {base_url!r}).")
    return base_url


def _timezone(values: Mapping[str, str]) -> str:
    tz = values.get("ENIGMAPAY_TIMEZONE", DEFAULT_TIMEZONE)
    try:
        ZoneInfo(tz)
    except (ZoneInfoNotFoundError, ValueError):
        raise ConfigError(f"ENIGMAPAY_TIMEZONE {tz!r} is not a known time zone (e.g. Europe/Istanbul).") from None
    return tz


def _language(values: Mapping[str, str]) -> str:
    language = values.get("ENIGMAPAY_LANGUAGE", "en").lower()
    if language not in LANGUAGES:
        raise ConfigError(f"ENIGMAPAY_LANGUAGE must be one of {', '.join(LANGUAGES)} (got {language!r}).")
    return language


def _callback_token(values: Mapping[str, str]) -> str | None:
    token = values.get("ENIGMAPAY_CALLBACK_TOKEN")
    if token is not None and len(token) < 16:
        raise ConfigError(
            "ENIGMAPAY_CALLBACK_TOKEN must be at least 16 characters (it is the callback URL's only secret)."
        )
    return token


def _session_secret(values: Mapping[str, str]) -> str | None:
    session_secret = values.get("ENIGMAPAY_SESSION_SECRET")
    if session_secret is not None and len(session_secret) < MIN_SESSION_SECRET_LENGTH:
        raise ConfigError(
            f"ENIGMAPAY_SESSION_SECRET must be at least {MIN_SESSION_SECRET_LENGTH} characters "
            '(e.g. the output of `python -c "import secrets; print(secrets.token_urlsafe(32))"`), '
            "or unset for a random key kept in the data folder."
        )
    return session_secret


def _database_url(values: Mapping[str, str]) -> str | None:
    """A PostgreSQL URL, checked without ever echoing it (it may hold a password)."""
    url = values.get("ENIGMAPAY_DATABASE_URL")
    if url is None:
        return None
    problem = None
    if not url.startswith(DATABASE_URL_SCHEMES):
        problem = "must start with postgresql:// or postgres://"
    else:
        try:
            parts = urlsplit(url)
            parts.port  # noqa: B018 -- raises ValueError on a port that is not a number
        except ValueError:
            problem = "is not a valid URL (a password with special characters must be percent-encoded)"
        else:
            if not parts.path.strip("/") and "dbname=" not in parts.query:
                problem = "names no database (postgresql://USER:PASSWORD@HOST:5432/DATABASE)"
    if problem:
        raise ConfigError(
            f"ENIGMAPAY_DATABASE_URL {problem}, e.g. postgresql://console:PASSWORD@db.internal:5432/console "
            "(the value given is not shown: it may hold a password). Unset it to keep the embedded SQLite database."
        )
    return url


def _long_secret(values: Mapping[str, str], name: str) -> Secret | None:
    raw = values.get(name)
    if raw is not None and len(raw) < MIN_SESSION_SECRET_LENGTH:
        raise ConfigError(
            f"{name} must be at least {MIN_SESSION_SECRET_LENGTH} characters "
            '(e.g. the output of `python -c "import secrets; print(secrets.token_urlsafe(32))"`), '
            "or unset for a random key kept in the data folder."
        )
    return Secret(raw) if raw else None


def _approval_threshold(values: Mapping[str, str]) -> Decimal | None:
    """An amount as the forms read one ("50000", "50000,00", "50.000,00"), greater than zero; unset: None."""
    from dashboard.money import AmountError, parse_amount_input  # the forms' one rule for typed amounts

    raw = values.get("ENIGMAPAY_APPROVAL_THRESHOLD")
    if raw is None:
        return None
    try:
        amount = parse_amount_input(raw)
    except AmountError as exc:
        raise ConfigError(f"ENIGMAPAY_APPROVAL_THRESHOLD is not an amount ({exc}) (got {raw!r}).") from None
    if amount <= 0:
        raise ConfigError(f"ENIGMAPAY_APPROVAL_THRESHOLD must be greater than zero, or unset (got {raw!r}).")
    return amount
