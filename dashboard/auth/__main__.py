"""Manage sign-in accounts.

    python -m dashboard.auth add-user NAME --role operator [--password-stdin] [--users-file PATH]
    python -m dashboard.auth remove-user NAME [--users-file PATH]
    python -m dashboard.auth list-users [--users-file PATH]
    python -m dashboard.auth hash-password [--password-stdin]     # for [users.NAME] in secrets.toml
    python -m dashboard.auth reset-two-factor NAME [--actor WHO]  # lost phone: set up a new factor

Roles: viewer, operator, approver (views and approves payouts that wait for a second person, never
initiates one) and admin. The users file defaults to ENIGMAPAY_USERS_FILE, else
`<ENIGMAPAY_DATA_DIR>/users.toml`. Changes take effect when the console restarts; a changed password ends that user's open sessions.
`reset-two-factor` acts on the console's database at once (audited, and it ends the user's sessions).
"""

from __future__ import annotations

import argparse
import getpass
import sys
from pathlib import Path

from dashboard.audit import AuditLog
from dashboard.auth.authenticator import audit_actor
from dashboard.auth.passwords import PasswordPolicyError, check_new_password, hash_password
from dashboard.auth.roles import Role
from dashboard.auth.totp_factor import reset_two_factor
from dashboard.auth.users import AuthConfigError, User, check_name, load_users_file, write_users_file
from dashboard.backend import is_sandbox
from dashboard.config import ConfigError, load_settings
from dashboard.store import StoreError


class CommandError(Exception):
    pass


def _read_password(from_stdin: bool) -> str:
    if from_stdin:
        password = sys.stdin.readline().removesuffix("\n").removesuffix("\r")
        check_new_password(password)
        return password
    first = getpass.getpass("New password: ")
    check_new_password(first)
    if getpass.getpass("Repeat password: ") != first:
        raise CommandError("The passwords do not match; nothing was changed.")
    return first


def _users_path(args: argparse.Namespace) -> Path:
    if args.users_file:
        return Path(args.users_file)
    return load_settings().users_path


def _add_user(args: argparse.Namespace) -> int:
    name = check_name(args.name)
    role = Role.parse(args.role)
    path = _users_path(args)
    users = load_users_file(path)
    password = _read_password(args.password_stdin)
    existed = name in users
    users[name] = User(name, role, hash_password(password))
    write_users_file(path, users)
    print(f"{'Updated' if existed else 'Added'} {name} ({role.value}) in {path}. Restart the console to apply.")
    return 0


def _remove_user(args: argparse.Namespace) -> int:
    path = _users_path(args)
    users = load_users_file(path)
    if args.name not in users:
        raise CommandError(f"No user {args.name!r} in {path}.")
    del users[args.name]
    write_users_file(path, users)
    print(f"Removed {args.name} from {path}. Restart the console to apply; their sessions then end.")
    return 0


def _list_users(args: argparse.Namespace) -> int:
    path = _users_path(args)
    for user in sorted(load_users_file(path).values(), key=lambda u: u.name):
        print(f"{user.name}\t{user.role.value}")
    return 0


def _hash_password(args: argparse.Namespace) -> int:
    print(hash_password(_read_password(args.password_stdin)))
    print('Put it in .streamlit/secrets.toml as [users.NAME] role = "..." password_hash = "...".', file=sys.stderr)
    return 0


def _reset_two_factor(args: argparse.Namespace) -> int:
    name = check_name(args.name)
    settings = load_settings()
    actor = audit_actor(args.actor or f"cli:{getpass.getuser()}")
    # The same store the console uses (PostgreSQL when ENIGMAPAY_DATABASE_URL is set); imported here:
    # services imports dashboard.auth, and this command is only ever run as a program.
    from dashboard.services import open_store

    store = open_store(settings, is_sandbox(settings))
    try:
        had = reset_two_factor(store, AuditLog(store), name, actor=actor)
    finally:
        store.close()
    if had:
        print(f"Reset the second factor of {name} and ended their sessions; they set up a new one at next sign-in.")
    else:
        print(f"{name} had no second factor; their sessions were ended all the same.")
    return 0


def parser() -> argparse.ArgumentParser:
    root = argparse.ArgumentParser(prog="python -m dashboard.auth", description="Manage console sign-in accounts.")
    commands = root.add_subparsers(dest="command", required=True)

    def command(name: str, handler, help_text: str, *, file: bool = True, password: bool = False):
        sub = commands.add_parser(name, help=help_text)
        sub.set_defaults(handler=handler)
        if file:
            sub.add_argument("--users-file", help="users file (default: ENIGMAPAY_USERS_FILE or <data dir>/users.toml)")
        if password:
            sub.add_argument("--password-stdin", action="store_true", help="read the password from one line of stdin")
        return sub

    add = command("add-user", _add_user, "add a user, or set a user's role and password", password=True)
    add.add_argument("name")
    add.add_argument("--role", required=True, choices=[r.value for r in Role])
    command("remove-user", _remove_user, "remove a user").add_argument("name")
    command("list-users", _list_users, "list user names and roles")
    command("hash-password", _hash_password, "print a password hash for secrets.toml", file=False, password=True)
    reset = command("reset-two-factor", _reset_two_factor, "forget a user's second factor (lost phone)", file=False)
    reset.add_argument("name")
    reset.add_argument("--actor", help="who resets it, for the audit log (default: cli:<login name>)")
    return root


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    try:
        return args.handler(args)
    except (CommandError, ConfigError, AuthConfigError, PasswordPolicyError, StoreError, ValueError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except (KeyboardInterrupt, EOFError):
        print("\ncancelled; nothing was changed.", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
