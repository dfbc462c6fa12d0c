import subprocess
import sys
from pathlib import Path

import pytest

from dashboard.auth import verify_password
from dashboard.auth.roles import Role
from dashboard.auth.users import (
    AuthConfigError,
    User,
    account_setup,
    demo_accounts,
    load_users,
    load_users_file,
    write_users_file,
)
from dashboard.config import Secret, Settings


def write(path, text):
    path.write_text(text, encoding="utf-8")
    return path


def live(tmp_path, **kw) -> Settings:
    return Settings(data_dir=tmp_path, api_key=Secret("live-key"), secret_key=Secret("live-secret"), **kw)


def test_users_file_is_parsed(tmp_path, users):
    path = write(
        tmp_path / "users.toml",
        f"""
[users.alice]
role = "operator"
password_hash = "{users["alice"].password_hash}"

[users.carol]
role = "ADMIN"
password_hash = "{users["carol"].password_hash}"
""",
    )
    loaded = load_users_file(path)
    assert loaded["alice"] == User("alice", Role.OPERATOR, users["alice"].password_hash)
    assert loaded["carol"].role is Role.ADMIN


@pytest.mark.parametrize(
    "body, message",
    [
        ('[users.al]\nrole = "root"\npassword_hash = "{h}"', r"\[users.al\]: unknown role 'root'"),
        (
            '[users.al]\nrole = "viewer"',
            r"\[users.al\] has no password_hash; set one with `python -m dashboard.auth add-user al",
        ),
        ('[users.al]\npassword_hash = "{h}"', r"\[users.al\] has no role"),
        ('[users.al]\nrole = "viewer"\npassword_hash = "plaintext-password"', r"password_hash is not usable"),
        ('[users.al]\nrole = "viewer"\npassword = "x"\npassword_hash = "{h}"', r"unknown key\(s\) password"),
        ('[users.Al]\nrole = "viewer"\npassword_hash = "{h}"', r"user name 'Al' is not valid"),
        ("users = 3", r"`users` must be a table"),
        ("[users.al\n", r"not valid TOML"),
    ],
)
def test_bad_users_file_gets_a_clear_error(tmp_path, users, body, message):
    path = write(tmp_path / "users.toml", body.replace("{h}", users["bob"].password_hash))
    with pytest.raises(AuthConfigError, match=message) as caught:
        load_users_file(path)
    assert str(path) in str(caught.value)
    assert "plaintext-password" not in str(caught.value)


def test_users_from_secrets_toml_and_file_merge_but_not_overlap(tmp_path, users):
    write_users_file(tmp_path / "users.toml", {"alice": users["alice"]})
    secrets = write(
        tmp_path / "secrets.toml",
        f'ENIGMAPAY_TIMEOUT = "5"\n[users.bob]\nrole = "viewer"\npassword_hash = "{users["bob"].password_hash}"\n',
    )
    merged = load_users(live(tmp_path), secrets_path=secrets)
    assert set(merged) == {"alice", "bob"}
    write(secrets, f'[users.alice]\nrole = "viewer"\npassword_hash = "{users["bob"].password_hash}"\n')
    with pytest.raises(AuthConfigError, match="'alice' is defined in both"):
        load_users(live(tmp_path), secrets_path=secrets)


def test_written_file_round_trips_and_is_private(tmp_path, users):
    path = tmp_path / "sub" / "users.toml"
    write_users_file(path, users)
    assert load_users_file(path) == users
    assert path.stat().st_mode & 0o777 == 0o600
    assert "bob-battery-staple" not in path.read_text()


def test_users_file_setting_overrides_the_default_location(tmp_path, users):
    elsewhere = tmp_path / "elsewhere.toml"
    write_users_file(elsewhere, {"bob": users["bob"]})
    assert set(load_users(live(tmp_path, users_file=elsewhere), secrets_path=None)) == {"bob"}
    assert live(tmp_path).users_path == tmp_path / "users.toml"


def test_live_api_without_users_refuses_to_start(tmp_path):
    with pytest.raises(AuthConfigError) as caught:
        account_setup(live(tmp_path), is_sandbox=False, secrets_path=None)
    text = str(caught.value)
    assert "python -m dashboard.auth add-user" in text and "ENIGMAPAY_AUTH_DISABLED=true" in text


def test_live_api_with_auth_explicitly_disabled_runs_without_sign_in(tmp_path):
    setup = account_setup(live(tmp_path, auth_disabled=True), is_sandbox=False, secrets_path=None)
    assert setup.disabled and not setup.users and not setup.demo


def test_disabled_with_accounts_configured_is_a_contradiction(tmp_path, users):
    write_users_file(tmp_path / "users.toml", {"alice": users["alice"]})
    with pytest.raises(AuthConfigError, match="ENIGMAPAY_AUTH_DISABLED=true but 1 account"):
        account_setup(live(tmp_path, auth_disabled=True), is_sandbox=False, secrets_path=None)


def test_demo_accounts_only_on_the_sandbox(tmp_path, users):
    sandbox = account_setup(Settings(data_dir=tmp_path), is_sandbox=True, secrets_path=None)
    assert sandbox.demo and set(sandbox.users) == {"viewer", "operator", "approver", "admin"}
    for account in demo_accounts():
        user = sandbox.users[account.name]
        assert user.role is account.role and verify_password(account.password, user.password_hash)
    assert {a.password for a in demo_accounts()} == {
        "viewer-demo-pass",
        "operator-demo-pass",
        "approver-demo-pass",
        "admin-demo-pass",
    }

    # Configured users replace the demo accounts, even on the sandbox.
    write_users_file(tmp_path / "users.toml", {"alice": users["alice"]})
    configured = account_setup(Settings(data_dir=tmp_path), is_sandbox=True, secrets_path=None)
    assert not configured.demo and set(configured.users) == {"alice"}
    # ... and against the live API there are never demo accounts.
    assert set(account_setup(live(tmp_path), is_sandbox=False, secrets_path=None).users) == {"alice"}


def test_user_repr_hides_the_hash(users):
    assert users["alice"].password_hash not in repr(users["alice"])
    assert "scrypt" not in repr(users["alice"])


# A console process as `data_access` builds one: demo accounts on the sandbox, store and session
# secret in the data folder. `sign-in` prints a cookie value; `resolve` prints who it belongs to.
_CONSOLE_PROCESS = """
import sys
from dashboard.audit import AuditLog
from dashboard.auth import Authenticator, account_setup
from dashboard.config import Settings
from dashboard.store import Store

from pathlib import Path
action, data_dir = sys.argv[1], Path(sys.argv[2])
settings = Settings(data_dir=data_dir)
store = Store.in_dir(data_dir)
auth = Authenticator.from_settings(account_setup(settings, is_sandbox=True, secrets_path=None), settings, store, AuditLog(store))
if action == "sign-in":
    session = auth.sign_in("operator", "operator-demo-pass")
    print(auth.complete(auth.issue_ticket(session))[1])
else:
    session = auth.resolve(sys.stdin.read().strip())
    print(session.user if session else "signed out")
"""


def _console_process(action: str, data_dir, cookie: str = "") -> str:
    done = subprocess.run(
        [sys.executable, "-c", _CONSOLE_PROCESS, action, str(data_dir)],
        input=cookie,
        capture_output=True,
        text=True,
        timeout=60,
        cwd=Path(__file__).resolve().parents[2],
    )
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout.strip()


def test_demo_sign_in_survives_a_restart_and_a_second_console(tmp_path):
    cookie = _console_process("sign-in", tmp_path)
    # Another process on the same data folder: a second console, or this one after a restart.
    assert _console_process("resolve", tmp_path, cookie) == "operator"
    assert _console_process("resolve", tmp_path, cookie) == "operator"
