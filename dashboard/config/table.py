"""The table of every setting (name -> meaning, secret?) and how the Settings page shows each value.

`load_settings` (dashboard.config) refuses a name not in `SETTINGS`; the README's settings table,
`.env.example` and `.streamlit/secrets.toml.example` list the same names (tests check).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from dashboard.config import Settings

SETTINGS: dict[str, tuple[str, bool]] = {
    "ENIGMAPAY_BASE_URL": ("API base URL", False),
    "ENIGMAPAY_API_KEY": ("dealer API key; unset = built-in sandbox", True),
    "ENIGMAPAY_SECRET_KEY": ("dealer secret key, required with an API key", True),
    "ENIGMAPAY_TIMEOUT": ("read timeout for API calls, seconds", False),
    "ENIGMAPAY_TIMEZONE": ("dealer time zone for dates and day boundaries", False),
    "ENIGMAPAY_DATA_DIR": ("folder for the journal / audit / callback database", False),
    "ENIGMAPAY_DATABASE_URL": ("postgresql:// URL of a shared database (several replicas); unset = SQLite", True),
    "ENIGMAPAY_DATABASE_POOL_SIZE": ("connections each console keeps to ENIGMAPAY_DATABASE_URL", False),
    "ENIGMAPAY_CALLBACK_TOKEN": ("secret path token of the callback URL", True),
    "ENIGMAPAY_CALLBACK_ALLOWED_IPS": ("comma-separated source IPs allowed to post callbacks", False),
    "ENIGMAPAY_LANGUAGE": ("default language, en or tr", False),
    "ENIGMAPAY_SANDBOX_TRANSACTIONS": ("size of the sandbox's demo history", False),
    "ENIGMAPAY_USERS_FILE": ("TOML file of sign-in accounts; default <data dir>/users.toml", False),
    "ENIGMAPAY_SESSION_IDLE_MINUTES": ("minutes without use after which a sign-in expires", False),
    "ENIGMAPAY_AUTH_DISABLED": ("true = no sign-in (single-user local setup only)", False),
    "ENIGMAPAY_SESSION_SECRET": ("key signing session cookies; default a random key in the data dir", True),
    "ENIGMAPAY_SETTLE_HORIZON_HOURS": ("hours after which unknown outcomes are no longer checked automatically", False),
    "ENIGMAPAY_VERIFY_RATE": ("transaction-status checks per second for verifying callbacks", False),
    "ENIGMAPAY_PAGE_CONCURRENCY": (
        "history pages fetched at once per client, all IBANs and first pages together, shared fairly (a 429 slows them)",
        False,
    ),
    "ENIGMAPAY_TWO_FACTOR_ROLES": (
        "roles that must use two-factor sign-in; default those that move money, approve or administer",
        False,
    ),
    "ENIGMAPAY_TWO_FACTOR_KEY": (
        "key encrypting two-factor secrets at rest; default a random key in the data dir",
        True,
    ),
    "ENIGMAPAY_BATCH_MAX_ROWS": ("most payout rows one batch file may have", False),
    "ENIGMAPAY_BATCH_MAX_KB": ("largest batch file accepted, in KB", False),
    "ENIGMAPAY_BATCH_CONCURRENCY": ("payouts of a batch in flight at once, per console process", False),
    "ENIGMAPAY_BATCH_RATE": ("payouts per second a batch sends, per console process (a 429 slows it)", False),
    "ENIGMAPAY_APPROVAL_THRESHOLD": ("a payout of at least this amount waits for a second person; unset = none", False),
    "ENIGMAPAY_APPROVAL_EXPIRY_HOURS": ("hours after which a request for approval expires", False),
    "ENIGMAPAY_LOCAL_SIGN_IN": ("false = only single sign-on (OIDC); user name and password are refused", False),
    "ENIGMAPAY_SSO_PROVIDER": ("which [auth.NAME] provider of secrets.toml signs people in", False),
    "ENIGMAPAY_SSO_ROLE_CLAIM": ("ID-token claim holding a person's groups, e.g. groups", False),
    "ENIGMAPAY_SSO_CLAIM_ROLES": ("claim value -> role, e.g. console-admins=admin,payments=operator", False),
    "ENIGMAPAY_SSO_EMAIL_ROLES": ("verified e-mail -> role, e.g. ayse@example.com=admin", False),
    "ENIGMAPAY_SMTP_HOST": ("mail server for alert and report e-mails; unset = no e-mail", False),
    "ENIGMAPAY_SMTP_PORT": ("mail server port; default 587 (starttls), 465 (ssl), 25 (plain)", False),
    "ENIGMAPAY_SMTP_SECURITY": ("starttls, ssl, or plain (a relay on this machine only)", False),
    "ENIGMAPAY_SMTP_USER": ("user name at the mail server; unset = no sign-in", False),
    "ENIGMAPAY_SMTP_PASSWORD": ("password at the mail server", True),
    "ENIGMAPAY_SMTP_FROM": ("sender address of notification e-mails", False),
    "ENIGMAPAY_SMTP_TO": ("comma-separated addresses receiving notification e-mails", False),
    "ENIGMAPAY_WEBHOOK_URL": ("URL receiving each notification as a JSON POST; unset = no webhook", True),
    "ENIGMAPAY_WEBHOOK_SECRET": ("key signing webhook bodies (HMAC-SHA256 header); unset = unsigned", True),
    "ENIGMAPAY_NOTIFY_TIMEOUT": ("seconds an e-mail or webhook delivery may take", False),
    "ENIGMAPAY_DAILY_REPORT_AT": ("local time HH:MM of the daily report e-mail; unset = no report", False),
    "ENIGMAPAY_NOTIFY_LANGUAGE": ("language of notifications and the daily report, en or tr", False),
    "ENIGMAPAY_ALERT_UNKNOWN_MINUTES": ("minutes a payout's outcome may stay unknown before an alert fires", False),
    "ENIGMAPAY_ALERT_APPROVAL_MINUTES": ("minutes a request may wait for approval before an alert fires", False),
    "ENIGMAPAY_ALERT_UPSTREAM_MINUTES": ("minutes the API may fail or refuse before an alert fires", False),
    "ENIGMAPAY_ALERT_CALLBACK_MINUTES": ("minutes a callback that failed verification keeps its alert firing", False),
    "ENIGMAPAY_ALERT_BALANCE_MARGIN": (
        "a low-balance alert recovers only above its threshold plus this amount (unless the IBAN sets its own)",
        False,
    ),
    "ENIGMAPAY_DEALER_NAME": ("the dealer's name on statements", False),
    "ENIGMAPAY_MIRROR_LOOKBACK_DAYS": (
        "days before today that every view of the history fetches again (the mirror's look-back)",
        False,
    ),
}


_ATTRIBUTE = {
    "ENIGMAPAY_BASE_URL": "base_url",
    "ENIGMAPAY_API_KEY": "api_key",
    "ENIGMAPAY_SECRET_KEY": "secret_key",
    "ENIGMAPAY_TIMEOUT": "timeout",
    "ENIGMAPAY_TIMEZONE": "timezone",
    "ENIGMAPAY_DATA_DIR": "data_dir",
    "ENIGMAPAY_DATABASE_URL": "database_url",
    "ENIGMAPAY_DATABASE_POOL_SIZE": "database_pool_size",
    "ENIGMAPAY_CALLBACK_TOKEN": "callback_token",
    "ENIGMAPAY_CALLBACK_ALLOWED_IPS": "callback_allowed_ips",
    "ENIGMAPAY_LANGUAGE": "language",
    "ENIGMAPAY_SANDBOX_TRANSACTIONS": "sandbox_transactions",
    "ENIGMAPAY_USERS_FILE": "users_path",
    "ENIGMAPAY_SESSION_IDLE_MINUTES": "session_idle_minutes",
    "ENIGMAPAY_AUTH_DISABLED": "auth_disabled",
    "ENIGMAPAY_SESSION_SECRET": "session_secret",
    "ENIGMAPAY_SETTLE_HORIZON_HOURS": "settle_horizon_hours",
    "ENIGMAPAY_VERIFY_RATE": "verify_rate",
    "ENIGMAPAY_PAGE_CONCURRENCY": "page_concurrency",
    "ENIGMAPAY_TWO_FACTOR_ROLES": "two_factor_roles",
    "ENIGMAPAY_TWO_FACTOR_KEY": "two_factor_key",
    "ENIGMAPAY_BATCH_MAX_ROWS": "batch_max_rows",
    "ENIGMAPAY_BATCH_MAX_KB": "batch_max_kb",
    "ENIGMAPAY_BATCH_CONCURRENCY": "batch_concurrency",
    "ENIGMAPAY_BATCH_RATE": "batch_rate",
    "ENIGMAPAY_APPROVAL_THRESHOLD": "approval_threshold",
    "ENIGMAPAY_APPROVAL_EXPIRY_HOURS": "approval_expiry_hours",
    "ENIGMAPAY_LOCAL_SIGN_IN": "local_sign_in",
    "ENIGMAPAY_SSO_PROVIDER": "sso_provider",
    "ENIGMAPAY_SSO_ROLE_CLAIM": "sso_role_claim",
    "ENIGMAPAY_SSO_CLAIM_ROLES": "sso_claim_roles",
    "ENIGMAPAY_SSO_EMAIL_ROLES": "sso_email_roles",
    "ENIGMAPAY_SMTP_HOST": "notify.smtp_host",
    "ENIGMAPAY_SMTP_PORT": "notify.port",
    "ENIGMAPAY_SMTP_SECURITY": "notify.smtp_security",
    "ENIGMAPAY_SMTP_USER": "notify.smtp_user",
    "ENIGMAPAY_SMTP_PASSWORD": "notify.smtp_password",
    "ENIGMAPAY_SMTP_FROM": "notify.smtp_from",
    "ENIGMAPAY_SMTP_TO": "notify.smtp_to",
    "ENIGMAPAY_WEBHOOK_URL": "notify.webhook_url",
    "ENIGMAPAY_WEBHOOK_SECRET": "notify.webhook_secret",
    "ENIGMAPAY_NOTIFY_TIMEOUT": "notify.timeout",
    "ENIGMAPAY_DAILY_REPORT_AT": "notify.daily_report_at",
    "ENIGMAPAY_NOTIFY_LANGUAGE": "notify.language",
    "ENIGMAPAY_ALERT_UNKNOWN_MINUTES": "alerts.unknown_minutes",
    "ENIGMAPAY_ALERT_APPROVAL_MINUTES": "alerts.approval_minutes",
    "ENIGMAPAY_ALERT_UPSTREAM_MINUTES": "alerts.upstream_minutes",
    "ENIGMAPAY_ALERT_CALLBACK_MINUTES": "alerts.callback_minutes",
    "ENIGMAPAY_ALERT_BALANCE_MARGIN": "alerts.balance_margin",
    "ENIGMAPAY_DEALER_NAME": "dealer_name",
    "ENIGMAPAY_MIRROR_LOOKBACK_DAYS": "mirror_lookback_days",
}


def _value(settings: Settings, attribute: str) -> object:
    """`name` or `group.name` (the notification settings are grouped under `settings.notify`)."""
    value: object = settings
    for part in attribute.split("."):
        value = getattr(value, part)
    return value


def describe_settings(settings: Settings) -> list[dict[str, str]]:
    """Every setting with its effective value for the admin page; secrets only as set / not set."""
    rows = []
    for name, (meaning, secret) in SETTINGS.items():
        value = _value(settings, _ATTRIBUTE[name])
        if secret:
            shown = "set" if value is not None else "not set"
        elif name == "ENIGMAPAY_TWO_FACTOR_ROLES":
            shown = (
                "default: the roles that move money, approve or administer"
                if value is None
                else ", ".join(sorted(value)) or "none"
            )
        elif value is None and name == "ENIGMAPAY_APPROVAL_THRESHOLD":
            shown = "none"
        elif isinstance(value, frozenset):
            shown = ", ".join(sorted(value)) or "any"
        elif isinstance(value, tuple) and all(isinstance(v, str) for v in value):  # e-mail addresses
            shown = ", ".join(value) or "not set"
        elif isinstance(value, tuple):
            shown = ", ".join(f"{key}={role}" for key, role in value) or "not set"
        elif value is None or value == "":
            shown = "not set"
        else:
            shown = str(value)
        rows.append({"setting": name, "value": shown, "meaning": meaning})
    return rows
