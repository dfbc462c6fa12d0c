"""Roles and what each may do: ONE table, `CAPABILITIES` (which page needs which: dashboard.ui.pages)."""

from __future__ import annotations

import enum


class Role(enum.Enum):
    """viewer < operator < admin (each role can do everything the one before it can)."""

    VIEWER = "viewer"
    OPERATOR = "operator"
    ADMIN = "admin"

    @classmethod
    def parse(cls, text: str) -> Role:
        try:
            return cls(str(text).strip().lower())
        except ValueError:
            raise ValueError(f"unknown role {text!r}; use one of {', '.join(r.value for r in cls)}") from None

    @property
    def rank(self) -> int:
        return list(Role).index(self)

    def __lt__(self, other: object) -> bool:
        if not isinstance(other, Role):
            return NotImplemented
        return self.rank < other.rank

    def __le__(self, other: object) -> bool:
        if not isinstance(other, Role):
            return NotImplemented
        return self.rank <= other.rank


VIEW, EXPORT, MOVE_MONEY, LOOKUP, CALLBACKS, AUDIT, SETTINGS, END_SESSIONS = (
    "view",
    "export",
    "move_money",
    "lookup",
    "callbacks",
    "audit",
    "settings",
    "end_sessions",  # end another user's sessions (everyone may end their own)
)

# The one table of who may do what.
CAPABILITIES: dict[Role, frozenset[str]] = {
    Role.VIEWER: frozenset({VIEW, EXPORT}),
    Role.OPERATOR: frozenset({VIEW, EXPORT, MOVE_MONEY, LOOKUP, CALLBACKS}),
    Role.ADMIN: frozenset({VIEW, EXPORT, MOVE_MONEY, LOOKUP, CALLBACKS, AUDIT, SETTINGS, END_SESSIONS}),
}
ALL_CAPABILITIES = frozenset().union(*CAPABILITIES.values())


def can(role: Role | None, capability: str) -> bool:
    """Whether `role` may use `capability`; an unknown capability is a programming error."""
    if capability not in ALL_CAPABILITIES:
        raise ValueError(f"unknown capability {capability!r}; known: {sorted(ALL_CAPABILITIES)}")
    return role is not None and capability in CAPABILITIES[role]
