"""Sign-in accounts: the users file, the `[users]` section of secrets.toml, sandbox demo accounts,
and the decision which of them the console runs with (`account_setup`).

Users file (default `<data dir>/users.toml`, written by `python -m dashboard.auth add-user`):

    [users.alice]
    role = "admin"
    password_hash = "scrypt$n=2**15,r=8,p=1$...$..."
"""

from __future__ import annotations

import hashlib
import os
import re
import tempfile
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from dashboard.auth.passwords import SALT_BYTES, HashFormatError, hash_password, parse_hash
from dashboard.auth.roles import Role
from dashboard.config import Settings

NAME_PATTERN = re.compile(r"[a-z0-9][a-z0-9._-]{0,63}")
ADD_USER_HINT = (
    "add a user with `python -m dashboard.auth add-user NAME --role admin` "
    "or set ENIGMAPAY_AUTH_DISABLED=true for a single-user local setup"
)
# Published in the README and on the sign-in page: they only ever exist on the built-in sandbox.
DEMO_PASSWORDS: dict[str, tuple[Role, str]] = {
    "viewer": (Role.VIEWER, "viewer-demo-pass"),
    "operator": (Role.OPERATOR, "operator-demo-pass"),
    "approver": (Role.APPROVER, "approver-demo-pass"),
    "admin": (Role.ADMIN, "admin-demo-pass"),
}

# The actor and notices of the two special modes, so every page words them the same way.
SINGLE_USER_NAME = "local"
SINGLE_USER_NOTICE = (
    "Sign-in is off (ENIGMAPAY_AUTH_DISABLED=true): anyone who can open this console acts as its "
    "administrator. For a single-user local setup only."
)
DEMO_NOTICE = "Sandbox demo accounts: they exist only on the built-in sandbox and never against the live API."


class AuthConfigError(Exception):
    """Accounts the console must not start with; the message says how to fix it."""


@dataclass(frozen=True)
class User:
    name: str
    role: Role
    password_hash: str = field(repr=False)


@dataclass(frozen=True)
class DemoAccount:
    """A sandbox-only account as the sign-in page lists it."""

    name: str
    role: Role
    password: str


@dataclass(frozen=True)
class AccountSetup:
    """What sign-in looks like for this run."""

    users: Mapping[str, User]
    demo: bool = False  # the users are the sandbox's published demo accounts
    disabled: bool = False  # explicit single-user mode: nobody signs in; every page says so
    local: bool = True  # user name and password sign-in is offered (False: single sign-on only)


def check_name(name: str) -> str:
    """A valid user name (lower-case letters, digits, . _ -; up to 64) or ValueError."""
    if not isinstance(name, str) or not NAME_PATTERN.fullmatch(name):
        raise ValueError(
            f"user name {name!r} is not valid: use 1-64 lower-case letters, digits, '.', '_' or '-', "
            "starting with a letter or digit"
        )
    return name


def parse_users(data: Mapping[str, object], source: str) -> dict[str, User]:
    """Users from the `users` table of a parsed TOML document; AuthConfigError names the problem."""
    table = data.get("users", {})
    if not isinstance(table, Mapping):
        raise AuthConfigError(f"{source}: `users` must be a table of [users.NAME] sections.")
    users: dict[str, User] = {}
    for name, entry in table.items():
        where = f"{source}: [users.{name}]"
        try:
            check_name(name)
        except ValueError as exc:
            raise AuthConfigError(f"{where}: {exc}.") from None
        if not isinstance(entry, Mapping):
            raise AuthConfigError(f"{where} must be a table with role and password_hash.")
        unknown = set(entry) - {"role", "password_hash"}
        if unknown:
            raise AuthConfigError(f"{where}: unknown key(s) {', '.join(sorted(unknown))}; use role and password_hash.")
        if "role" not in entry:
            raise AuthConfigError(f"{where} has no role ({', '.join(r.value for r in Role)}).")
        try:
            role = Role.parse(str(entry["role"]))
        except ValueError as exc:
            raise AuthConfigError(f"{where}: {exc}.") from None
        stored = entry.get("password_hash")
        if not stored:
            raise AuthConfigError(
                f"{where} has no password_hash; set one with `python -m dashboard.auth add-user {name} "
                f"--role {role.value}` (or `python -m dashboard.auth hash-password`)."
            )
        try:
            parse_hash(str(stored))
        except HashFormatError as exc:
            raise AuthConfigError(
                f"{where}: password_hash is not usable ({exc}); make a new one with "
                "`python -m dashboard.auth hash-password`."
            ) from None
        users[name] = User(name, role, str(stored))
    return users


def _read_toml(path: Path) -> dict[str, object]:
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise AuthConfigError(f"{path} is not valid TOML: {exc}") from None
    except OSError as exc:
        raise AuthConfigError(f"{path} cannot be read: {exc.strerror}") from None


def load_users_file(path: str | os.PathLike[str]) -> dict[str, User]:
    """Users of a users file; a missing file has none."""
    path = Path(path)
    return parse_users(_read_toml(path), str(path)) if path.is_file() else {}


def load_users(
    settings: Settings, *, secrets_path: str | os.PathLike[str] | None = ".streamlit/secrets.toml"
) -> dict[str, User]:
    """Users of the users file and of secrets.toml's `[users]` section (a name in both is an error)."""
    users = load_users_file(settings.users_path)
    if secrets_path and Path(secrets_path).is_file():
        for name, user in parse_users(_read_toml(Path(secrets_path)), str(secrets_path)).items():
            if name in users:
                raise AuthConfigError(
                    f"User {name!r} is defined in both {settings.users_path} and {secrets_path}; keep one."
                )
            users[name] = user
    return users


def _demo_salt(name: str) -> bytes:
    # Sessions remember a tag of the password hash; a fresh salt per process would make every
    # restart, or a second console on the same data folder, sign everybody out. The passwords are
    # published, so a fixed salt hides nothing.
    return hashlib.sha256(f"enigmapay-sandbox-demo:{name}".encode()).digest()[:SALT_BYTES]


@cache
def _demo_users() -> dict[str, User]:
    # Hashed once per process (about 70 ms each), not per sign-in.
    return {
        name: User(name, role, hash_password(pw, salt=_demo_salt(name))) for name, (role, pw) in DEMO_PASSWORDS.items()
    }


def demo_accounts() -> list[DemoAccount]:
    """The sandbox's demo accounts with their published passwords, for the sign-in page."""
    return [DemoAccount(name, role, pw) for name, (role, pw) in DEMO_PASSWORDS.items()]


def account_setup(
    settings: Settings,
    *,
    is_sandbox: bool,
    secrets_path: str | os.PathLike[str] | None = ".streamlit/secrets.toml",
    sso: bool = False,
) -> AccountSetup:
    """Decide the accounts of this run, or raise AuthConfigError with a fix-it message.

    - ENIGMAPAY_AUTH_DISABLED=true: no sign-in (refused if accounts are configured too: one of the
      two settings is a mistake, and guessing could open a live console to anyone).
    - ENIGMAPAY_LOCAL_SIGN_IN=false: single sign-on only (`sso`: an [auth] provider is configured).
    - configured users (file and/or secrets.toml): exactly those.
    - none, on the sandbox: the published demo accounts.
    - none, against the live API: single sign-on only if configured, else refuse to start.
    """
    users = load_users(settings, secrets_path=secrets_path)
    if settings.auth_disabled:
        if users:
            raise AuthConfigError(
                f"ENIGMAPAY_AUTH_DISABLED=true but {len(users)} account(s) are configured "
                f"({settings.users_path}); remove the setting to use sign-in, or the accounts to run without."
            )
        if sso:
            raise AuthConfigError(
                "ENIGMAPAY_AUTH_DISABLED=true but single sign-on is configured ([auth] in secrets.toml); "
                "remove the setting to use sign-in, or [auth] to run without."
            )
        return AccountSetup(users={}, disabled=True)
    if not settings.local_sign_in:
        if not sso:
            raise AuthConfigError(
                "ENIGMAPAY_LOCAL_SIGN_IN=false but no single sign-on is configured ([auth] in secrets.toml): "
                "nobody could sign in."
            )
        return AccountSetup(users={}, local=False)
    if users:
        return AccountSetup(users=users)
    if is_sandbox:
        return AccountSetup(users=_demo_users(), demo=True)
    if sso:
        return AccountSetup(users={}, local=False)
    raise AuthConfigError(
        f"No sign-in accounts are configured for the live API (looked in {settings.users_path}"
        + (f" and {secrets_path}" if secrets_path else "")
        + f"): {ADD_USER_HINT}."
    )


def _toml_string(value: str) -> str:
    # Names and hash strings are from restricted alphabets; escape anyway so the file always parses.
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def write_users_file(path: str | os.PathLike[str], users: Mapping[str, User]) -> None:
    """Replace the users file atomically, readable by the owner only (it holds password hashes)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    lines = [
        "# EnigmaPay console sign-in accounts. Managed by `python -m dashboard.auth`;",
        "# passwords are stored only as scrypt hashes.",
    ]
    for name in sorted(users):
        user = users[name]
        check_name(user.name)
        lines += [
            "",
            f"[users.{user.name}]",
            f"role = {_toml_string(user.role.value)}",
            f"password_hash = {_toml_string(user.password_hash)}",
        ]
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write("\n".join(lines) + "\n")
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp, 0o600)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
