"""Generic readers of one setting's text (numbers, booleans, lists, role tables) and the error they
raise; `dashboard.config` re-exports ConfigError."""

from __future__ import annotations

from collections.abc import Mapping

ROLE_NAMES = ("viewer", "operator", "approver", "admin")  # dashboard.auth.roles.Role's values


class ConfigError(Exception):
    """A configuration the console must not start with; the message says how to fix it."""


def _positive_int(values: Mapping[str, str], name: str, default: int) -> int:
    raw = values.get(name)
    if raw is None:
        return default
    if not (raw.isascii() and raw.isdigit()) or int(raw) < 1:
        raise ConfigError(f"{name} must be a whole number of at least 1 (got {raw!r}).")
    return int(raw)


def _name_list(values: Mapping[str, str], name: str) -> frozenset[str] | None:
    """A comma-separated list of lower-case names; `none` is the empty list; unset is None (the default).
    Whether the names are known is checked where they are used (roles: dashboard.auth)."""
    raw = values.get(name)
    if raw is None:
        return None
    names = frozenset(part.strip().lower() for part in raw.split(",") if part.strip())
    return frozenset() if names == {"none"} else names


def _positive_float(values: Mapping[str, str], name: str, default: float) -> float:
    raw = values.get(name)
    if raw is None:
        return default
    try:
        number = float(raw)
    except ValueError:
        raise ConfigError(f"{name} must be a number (got {raw!r}).") from None
    if not number > 0:
        raise ConfigError(f"{name} must be greater than zero (got {raw!r}).")
    return number


_TRUE, _FALSE = frozenset({"true", "1", "yes", "on"}), frozenset({"false", "0", "no", "off"})


def _boolean(values: Mapping[str, str], name: str, *, default: bool = False) -> bool:
    raw = values.get(name)
    if raw is None:
        return default
    if raw.lower() in _FALSE:
        return False
    if raw.lower() in _TRUE:
        return True
    raise ConfigError(f"{name} must be true or false (got {raw!r}).")


def _role_table(values: Mapping[str, str], name: str) -> tuple[tuple[str, str], ...]:
    """`key=role,key=role` -> ((key, role), ...); a pair without `=` or with an unknown role is refused."""
    pairs = []
    for item in filter(None, (part.strip() for part in values.get(name, "").split(","))):
        key, sep, role = item.rpartition("=")
        key, role = key.strip(), role.strip().lower()
        if not sep or not key:
            raise ConfigError(f"{name}: {item!r} is not key=role (e.g. console-admins=admin).")
        if role not in ROLE_NAMES:
            raise ConfigError(f"{name}: {item!r} names no role; use one of {', '.join(ROLE_NAMES)}.")
        pairs.append((key, role))
    return tuple(pairs)
