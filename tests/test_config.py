import pickle
from pathlib import Path

import pytest

from dashboard.config import ConfigError, Secret, load_settings


def load(env=None, tmp_path: Path | None = None, dotenv: str | None = None, secrets: str | None = None):
    dotenv_path = secrets_path = None
    if tmp_path is not None:
        if dotenv is not None:
            dotenv_path = tmp_path / ".env"
            dotenv_path.write_text(dotenv, encoding="utf-8")
        if secrets is not None:
            secrets_path = tmp_path / "secrets.toml"
            secrets_path.write_text(secrets, encoding="utf-8")
    return load_settings(environ=env or {}, dotenv_path=dotenv_path, secrets_path=secrets_path)


def test_no_key_means_builtin_sandbox_with_defaults():
    s = load()
    assert s.use_builtin_sandbox
    assert s.base_url == "https://www.enigmapay.net/api/dealer"
    assert s.timezone == "Europe/Istanbul"
    assert s.timeout == 30.0


def test_key_without_secret_refuses_to_start():
    with pytest.raises(ConfigError, match="ENIGMAPAY_SECRET_KEY is not"):
        load({"ENIGMAPAY_API_KEY": "k"})


def test_secret_without_key_refuses_to_start():
    with pytest.raises(ConfigError, match="ENIGMAPAY_API_KEY is not"):
        load({"ENIGMAPAY_SECRET_KEY": "s"})


def test_precedence_env_over_dotenv_over_secrets(tmp_path):
    secrets = 'ENIGMAPAY_TIMEOUT = "11"\nENIGMAPAY_TIMEZONE = "UTC"\nENIGMAPAY_DATA_DIR = "/from-secrets"\n'
    dotenv = "ENIGMAPAY_TIMEOUT=12\nENIGMAPAY_TIMEZONE=Europe/London\n"
    s = load({"ENIGMAPAY_TIMEOUT": "13"}, tmp_path, dotenv=dotenv, secrets=secrets)
    assert s.timeout == 13.0  # environment wins
    assert s.timezone == "Europe/London"  # .env beats secrets.toml
    assert s.data_dir == Path("/from-secrets")  # secrets.toml beats the default


def test_secrets_never_show_in_repr_or_str():
    s = load(
        {
            "ENIGMAPAY_API_KEY": "key-AAAA",
            "ENIGMAPAY_SECRET_KEY": "secret-BBBB",
            "ENIGMAPAY_CALLBACK_TOKEN": "tok-CCCCCCCCCCCCCCCC",
        }
    )
    text = repr(s) + str(s) + repr(s.api_key) + str(s.secret_key) + f"{s.callback_token}"
    for value in ("key-AAAA", "secret-BBBB", "tok-CCCCCCCCCCCCCCCC"):
        assert value not in text
    assert s.api_key.reveal() == "key-AAAA"
    with pytest.raises(TypeError):
        pickle.dumps(s.secret_key)


def test_fingerprint_differs_per_credentials_and_hides_them():
    a = load({"ENIGMAPAY_API_KEY": "key-1", "ENIGMAPAY_SECRET_KEY": "s"})
    b = load({"ENIGMAPAY_API_KEY": "key-2", "ENIGMAPAY_SECRET_KEY": "s"})
    assert a.credentials_fingerprint() != b.credentials_fingerprint()
    assert "key-1" not in a.credentials_fingerprint()


@pytest.mark.parametrize(
    "env, message",
    [
        ({"ENIGMAPAY_TIMEOUT": "soon"}, "must be a number"),
        ({"ENIGMAPAY_TIMEOUT": "0"}, "greater than zero"),
        ({"ENIGMAPAY_TIMEZONE": "Mars/Olympus"}, "not a known time zone"),
        ({"ENIGMAPAY_BASE_URL": "ftp://x"}, "must start with https://"),
        ({"ENIGMAPAY_LANGUAGE": "de"}, "must be one of"),
        ({"ENIGMAPAY_CALLBACK_TOKEN": "short"}, "at least 16"),
        ({"ENIGMAPAY_APIKEY": "typo"}, "Unknown setting"),
    ],
)
def test_bad_values_get_a_clear_message(env, message):
    with pytest.raises(ConfigError, match=message):
        load(env)


def test_allowed_ips_are_split_and_trimmed():
    s = load({"ENIGMAPAY_CALLBACK_ALLOWED_IPS": " 10.0.0.1, 10.0.0.2 ,"})
    assert s.callback_allowed_ips == frozenset({"10.0.0.1", "10.0.0.2"})


def test_secret_equality_is_by_value():
    assert Secret("a") == Secret("a")
    assert Secret("a") != Secret("b")


def test_sign_in_settings_defaults():
    s = load()
    assert s.users_path == Path("data/users.toml")
    assert s.session_idle_minutes == 30.0
    assert s.auth_disabled is False
    assert s.session_secret is None


def test_sign_in_settings_are_read(tmp_path):
    s = load(
        {
            "ENIGMAPAY_DATA_DIR": str(tmp_path),
            "ENIGMAPAY_USERS_FILE": "/etc/enigmapay/users.toml",
            "ENIGMAPAY_SESSION_IDLE_MINUTES": "5",
            "ENIGMAPAY_AUTH_DISABLED": "TRUE",
            "ENIGMAPAY_SESSION_SECRET": "s" * 40,
        }
    )
    assert s.users_path == Path("/etc/enigmapay/users.toml")
    assert s.session_idle_minutes == 5.0
    assert s.auth_disabled is True
    assert s.session_secret.reveal() == "s" * 40
    assert "s" * 40 not in repr(s)
    assert load({"ENIGMAPAY_DATA_DIR": str(tmp_path)}).users_path == tmp_path / "users.toml"
    assert load({"ENIGMAPAY_AUTH_DISABLED": "false"}).auth_disabled is False


@pytest.mark.parametrize(
    "env, message",
    [
        ({"ENIGMAPAY_AUTH_DISABLED": "maybe"}, "must be true or false"),
        ({"ENIGMAPAY_SESSION_IDLE_MINUTES": "-1"}, "greater than zero"),
        ({"ENIGMAPAY_SESSION_SECRET": "too-short"}, "at least 32 characters"),
    ],
)
def test_bad_sign_in_settings_get_a_clear_message(env, message):
    with pytest.raises(ConfigError, match=message) as caught:
        load(env)
    assert "too-short" not in str(caught.value)


def test_describe_settings_lists_every_setting_and_never_a_secret_value():
    from dashboard.config import SETTINGS, describe_settings

    s = load({"ENIGMAPAY_API_KEY": "key-AAAA", "ENIGMAPAY_SECRET_KEY": "secret-BBBB", "ENIGMAPAY_TIMEOUT": "12"})
    rows = describe_settings(s)
    assert [r["setting"] for r in rows] == list(SETTINGS)
    by_name = {r["setting"]: r["value"] for r in rows}
    assert by_name["ENIGMAPAY_API_KEY"] == "set" and by_name["ENIGMAPAY_CALLBACK_TOKEN"] == "not set"
    assert by_name["ENIGMAPAY_TIMEOUT"] == "12.0"
    assert "key-AAAA" not in str(rows) and "secret-BBBB" not in str(rows)


def test_readme_and_examples_document_every_setting():
    from pathlib import Path

    from dashboard.config import SETTINGS

    root = Path(__file__).resolve().parents[1]
    for doc in ("README.md", ".env.example", ".streamlit/secrets.toml.example"):
        text = (root / doc).read_text(encoding="utf-8")
        missing = [name for name in SETTINGS if name not in text]
        assert not missing, f"{doc} does not mention {missing}"


def test_background_work_settings_are_read_and_checked():
    assert load({}).settle_horizon_hours == 24.0 and load({}).verify_rate == 10.0
    s = load({"ENIGMAPAY_SETTLE_HORIZON_HOURS": "6", "ENIGMAPAY_VERIFY_RATE": "2.5"})
    assert (s.settle_horizon_hours, s.verify_rate) == (6.0, 2.5)
    for name in ("ENIGMAPAY_SETTLE_HORIZON_HOURS", "ENIGMAPAY_VERIFY_RATE"):
        with pytest.raises(ConfigError, match=f"{name} must be greater than zero"):
            load({name: "0"})


def test_database_url_is_a_secret_and_unset_keeps_sqlite():
    from dashboard.config import describe_settings

    assert load({}).database_url is None and load({}).database_pool_size == 10
    url = "postgresql://console:pw-DDDD@db.internal:5432/console"
    s = load({"ENIGMAPAY_DATABASE_URL": url, "ENIGMAPAY_DATABASE_POOL_SIZE": "4"})
    assert s.database_url.reveal() == url and s.database_pool_size == 4
    by_name = {r["setting"]: r["value"] for r in describe_settings(s)}
    assert by_name["ENIGMAPAY_DATABASE_URL"] == "set" and by_name["ENIGMAPAY_DATABASE_POOL_SIZE"] == "4"
    assert "pw-DDDD" not in repr(s) + str(describe_settings(s))
    assert load({"ENIGMAPAY_DATABASE_URL": "postgres://db/console"}).database_url.reveal() == "postgres://db/console"


@pytest.mark.parametrize(
    "value",
    [
        "mysql://u:pw-EEEE@db/console",
        "db.internal:5432/console?password=pw-EEEE",
        "postgresql://u:pw-EEEE@db:port/console",
        "postgresql://u:pw-EEEE@db:5432",
    ],
)
def test_a_bad_database_url_is_refused_without_echoing_it(value):
    with pytest.raises(ConfigError, match="ENIGMAPAY_DATABASE_URL") as caught:
        load({"ENIGMAPAY_DATABASE_URL": value})
    assert "pw-EEEE" not in str(caught.value) and "postgresql://" in str(caught.value)


@pytest.mark.parametrize("value", ["0", "-2", "3.5", "many"])
def test_a_bad_pool_size_is_refused(value):
    with pytest.raises(ConfigError, match="ENIGMAPAY_DATABASE_POOL_SIZE must be a whole number"):
        load({"ENIGMAPAY_DATABASE_POOL_SIZE": value})


def test_two_factor_settings_are_read_and_checked():
    assert load({}).two_factor_roles is None and load({}).two_factor_key is None  # None: the default roles
    s = load({"ENIGMAPAY_TWO_FACTOR_ROLES": " Admin, viewer ,", "ENIGMAPAY_TWO_FACTOR_KEY": "q" * 40})
    assert s.two_factor_roles == {"admin", "viewer"} and s.two_factor_key.reveal() == "q" * 40
    assert "q" * 40 not in repr(s)
    assert load({"ENIGMAPAY_TWO_FACTOR_ROLES": "none"}).two_factor_roles == frozenset()
    with pytest.raises(ConfigError, match="ENIGMAPAY_TWO_FACTOR_KEY must be at least 32 characters") as caught:
        load({"ENIGMAPAY_TWO_FACTOR_KEY": "too-short"})
    assert "too-short" not in str(caught.value)


def test_batch_settings_are_read_and_checked():
    s = load({})
    assert (s.batch_max_rows, s.batch_max_kb, s.batch_concurrency, s.batch_rate) == (1000, 2048, 4, 5.0)
    s = load(
        {
            "ENIGMAPAY_BATCH_MAX_ROWS": "200",
            "ENIGMAPAY_BATCH_MAX_KB": "512",
            "ENIGMAPAY_BATCH_CONCURRENCY": "8",
            "ENIGMAPAY_BATCH_RATE": "2.5",
        }
    )
    assert (s.batch_max_rows, s.batch_max_kb, s.batch_concurrency, s.batch_rate) == (200, 512, 8, 2.5)
    for name in ("ENIGMAPAY_BATCH_MAX_ROWS", "ENIGMAPAY_BATCH_MAX_KB", "ENIGMAPAY_BATCH_CONCURRENCY"):
        for bad in ("0", "1.5", "-3", "many"):
            with pytest.raises(ConfigError, match=f"{name} must be a whole number of at least 1"):
                load({name: bad})
    with pytest.raises(ConfigError, match="ENIGMAPAY_BATCH_RATE must be greater than zero"):
        load({"ENIGMAPAY_BATCH_RATE": "0"})


def test_page_concurrency_is_read_checked_and_reaches_the_client():
    from dashboard.backend import open_backend

    assert load({}).page_concurrency == 8
    s = load(
        {"ENIGMAPAY_PAGE_CONCURRENCY": "1", "ENIGMAPAY_API_KEY": "ak_live_0123", "ENIGMAPAY_SECRET_KEY": "sk_9876"}
    )
    assert s.page_concurrency == 1
    backend = open_backend(s)
    try:
        assert backend.client.page_concurrency == 1 and backend.client._pacer.ceiling == 1
    finally:
        backend.client.close()
    for bad in ("0", "2.5", "many"):
        with pytest.raises(ConfigError, match="ENIGMAPAY_PAGE_CONCURRENCY must be a whole number of at least 1"):
            load({"ENIGMAPAY_PAGE_CONCURRENCY": bad})


def test_approval_settings_are_read_and_checked():
    from decimal import Decimal

    assert load({}).approval_threshold is None and load({}).approval_expiry_hours == 24.0
    for typed, expected in (("50000", "50000"), ("50.000,00", "50000.00"), ("1500,5", "1500.5")):
        assert load({"ENIGMAPAY_APPROVAL_THRESHOLD": typed}).approval_threshold == Decimal(expected)
    assert load({"ENIGMAPAY_APPROVAL_EXPIRY_HOURS": "0.5"}).approval_expiry_hours == 0.5
    for bad in ("abc", "1.500", "0", "-5"):
        with pytest.raises(ConfigError, match="ENIGMAPAY_APPROVAL_THRESHOLD"):
            load({"ENIGMAPAY_APPROVAL_THRESHOLD": bad})
    with pytest.raises(ConfigError, match="ENIGMAPAY_APPROVAL_EXPIRY_HOURS must be greater than zero"):
        load({"ENIGMAPAY_APPROVAL_EXPIRY_HOURS": "0"})


def test_single_sign_on_settings_are_read_and_checked():
    s = load(
        {
            "ENIGMAPAY_SSO_ROLE_CLAIM": "groups",
            "ENIGMAPAY_SSO_CLAIM_ROLES": " console-admins=admin , team=payments=Operator ",
            "ENIGMAPAY_SSO_EMAIL_ROLES": "Ayse@Example.com=viewer",
            "ENIGMAPAY_SSO_PROVIDER": "company",
        }
    )
    # a value may itself hold "=": the role is what follows the last one
    assert s.sso_claim_roles == (("console-admins", "admin"), ("team=payments", "operator"))
    assert s.sso_email_roles == (("ayse@example.com", "viewer"),)
    assert (s.sso_role_claim, s.sso_provider, s.local_sign_in) == ("groups", "company", True)
    assert load({"ENIGMAPAY_LOCAL_SIGN_IN": "false"}).local_sign_in is False
    for bad, message in [
        ("console-admins", "is not key=role"),
        ("=admin", "is not key=role"),
        ("console-admins=root", "names no role; use one of viewer, operator, approver, admin"),
    ]:
        with pytest.raises(ConfigError, match=f"ENIGMAPAY_SSO_CLAIM_ROLES: .*{message}"):
            load({"ENIGMAPAY_SSO_CLAIM_ROLES": bad})


def test_the_settings_page_shows_the_role_tables_and_unset_values():
    from dashboard.config import describe_settings

    rows = {r["setting"]: r["value"] for r in describe_settings(load({"ENIGMAPAY_SSO_EMAIL_ROLES": "a@b.c=admin"}))}
    assert rows["ENIGMAPAY_SSO_EMAIL_ROLES"] == "a@b.c=admin"
    assert rows["ENIGMAPAY_SSO_CLAIM_ROLES"] == "not set" and rows["ENIGMAPAY_SSO_PROVIDER"] == "not set"
