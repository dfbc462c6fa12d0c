"""`python -m dashboard.auth`: add-user writes a users file the console then signs in with."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

from dashboard.auth import Authenticator, Role, SignInError, load_users_file, verify_password
from dashboard.auth import __main__ as cli
from dashboard.auth.users import account_setup
from dashboard.config import Secret, Settings

REPO = Path(__file__).resolve().parents[2]


def run(tmp_path, *args, stdin="", env=None):
    # cwd = tmp_path so the repo's own .env / secrets.toml play no part.
    environ = {k: v for k, v in os.environ.items() if not k.startswith("ENIGMAPAY_")}
    environ.update({"ENIGMAPAY_DATA_DIR": str(tmp_path / "data"), "PYTHONPATH": str(REPO), **(env or {})})
    return subprocess.run(
        [sys.executable, "-m", "dashboard.auth", *args],
        input=stdin,
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env=environ,
        timeout=60,
    )


def test_add_user_then_sign_in(tmp_path, store, audit, clock):
    done = run(tmp_path, "add-user", "dilek", "--role", "operator", "--password-stdin", stdin="dilek-long-password\n")
    assert done.returncode == 0, done.stderr
    path = tmp_path / "data" / "users.toml"
    assert "Added dilek (operator)" in done.stdout and str(path) in done.stdout
    assert "dilek-long-password" not in path.read_text()
    assert path.stat().st_mode & 0o777 == 0o600

    settings = Settings(data_dir=tmp_path / "data", api_key=Secret("live"), secret_key=Secret("live"))
    setup = account_setup(settings, is_sandbox=False, secrets_path=None)
    auth = Authenticator(setup.users, store, audit, secret=b"s" * 32, clock=clock)
    assert auth.sign_in("dilek", "dilek-long-password").role is Role.OPERATOR
    with pytest.raises(SignInError):
        auth.sign_in("dilek", "dilek-long-passworD")


def test_add_user_updates_an_existing_user_and_keeps_others(tmp_path):
    users_file = tmp_path / "custom.toml"
    env = {"ENIGMAPAY_USERS_FILE": str(users_file)}
    assert (
        run(
            tmp_path, "add-user", "a1", "--role", "viewer", "--password-stdin", stdin="first-password-1\n", env=env
        ).returncode
        == 0
    )
    assert (
        run(
            tmp_path, "add-user", "b2", "--role", "admin", "--password-stdin", stdin="second-password\n", env=env
        ).returncode
        == 0
    )
    again = run(
        tmp_path, "add-user", "a1", "--role", "operator", "--password-stdin", stdin="changed-password\n", env=env
    )
    assert again.returncode == 0 and "Updated a1 (operator)" in again.stdout
    users = load_users_file(users_file)
    assert users["a1"].role is Role.OPERATOR and verify_password("changed-password", users["a1"].password_hash)
    assert users["b2"].role is Role.ADMIN
    listed = run(tmp_path, "list-users", env=env)
    assert listed.stdout.splitlines() == ["a1\toperator", "b2\tadmin"]
    assert run(tmp_path, "remove-user", "b2", env=env).returncode == 0
    assert set(load_users_file(users_file)) == {"a1"}


@pytest.mark.parametrize(
    "args, stdin, message",
    [
        (["add-user", "Bad Name", "--role", "viewer", "--password-stdin"], "long-enough-pw\n", "is not valid"),
        (["add-user", "ok", "--role", "viewer", "--password-stdin"], "short\n", "at least 10 characters"),
        (["add-user", "ok", "--role", "viewer", "--password-stdin"], "", "empty"),
        (["remove-user", "ghost"], "", "No user 'ghost'"),
    ],
)
def test_bad_input_exits_2_and_writes_nothing(tmp_path, args, stdin, message):
    done = run(tmp_path, *args, stdin=stdin)
    assert done.returncode == 2 and message in done.stderr
    assert not (tmp_path / "data" / "users.toml").exists()
    assert not stdin.strip() or stdin.strip() not in done.stderr  # the password is never echoed


def test_unknown_role_is_refused_by_the_parser(tmp_path):
    done = run(tmp_path, "add-user", "x", "--role", "root", "--password-stdin", stdin="long-enough-pw\n")
    assert done.returncode == 2 and "invalid choice: 'root'" in done.stderr


def test_hash_password_prints_a_usable_hash(tmp_path):
    done = run(tmp_path, "hash-password", "--password-stdin", stdin="for-secrets-toml\n")
    assert done.returncode == 0
    stored = done.stdout.strip()
    assert stored.startswith("scrypt$") and verify_password("for-secrets-toml", stored)
    assert "for-secrets-toml" not in done.stdout + done.stderr


def test_interactive_prompts_twice_and_refuses_a_mismatch(tmp_path, monkeypatch, capsys):
    answers = iter(["typed-once-carefully", "typed-twice-wrongly"])
    monkeypatch.setattr(cli.getpass, "getpass", lambda prompt: next(answers))
    path = tmp_path / "users.toml"
    assert cli.main(["add-user", "eda", "--role", "viewer", "--users-file", str(path)]) == 2
    assert "do not match" in capsys.readouterr().err and not path.exists()

    answers = iter(["typed-the-same-pw", "typed-the-same-pw"])
    assert cli.main(["add-user", "eda", "--role", "viewer", "--users-file", str(path)]) == 0
    assert verify_password("typed-the-same-pw", load_users_file(path)["eda"].password_hash)


def test_add_user_accepts_the_approver_role(tmp_path):
    users_file = tmp_path / "users.toml"
    env = {"ENIGMAPAY_USERS_FILE": str(users_file)}
    done = run(
        tmp_path, "add-user", "mehmet", "--role", "approver", "--password-stdin", stdin="approver-pass-1\n", env=env
    )
    assert done.returncode == 0 and "Added mehmet (approver)" in done.stdout, done.stderr
    assert load_users_file(users_file)["mehmet"].role is Role.APPROVER
    assert run(tmp_path, "list-users", env=env).stdout.splitlines() == ["mehmet\tapprover"]
    wrong = run(tmp_path, "add-user", "x", "--role", "manager", "--password-stdin", stdin="approver-pass-1\n", env=env)
    assert wrong.returncode == 2 and "approver" in wrong.stderr  # argparse lists the roles there are
