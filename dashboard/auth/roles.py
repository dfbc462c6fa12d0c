"""Roles and what each may do: ONE table, `CAPABILITIES` (which page needs which: dashboard.ui.pages).

Roles are sets of capabilities, not a ladder. Three of them nest -- viewer < operator < admin, each
able to do everything the one before it can -- and one stands beside that line: an `approver`
(a manager) views and approves payouts that wait for a second person (four-eyes), but neither
initiates nor settles money actions. Admins hold both move_money and approve; the approvals desk
(dashboard.approvals) keeps the maker of a request from approving it.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable


class Role(enum.Enum):
    """A named set of capabilities (`CAPABILITIES`); compare roles by what they may do, not by rank."""

    VIEWER = "viewer"
    OPERATOR = "operator"
    APPROVER = "approver"
    ADMIN = "admin"

    @classmethod
    def parse(cls, text: str) -> Role:
        try:
            return cls(str(text).strip().lower())
        except ValueError:
            raise ValueError(f"unknown role {text!r}; use one of {', '.join(r.value for r in cls)}") from None


VIEW, EXPORT, MOVE_MONEY, LOOKUP, CALLBACKS, AUDIT, SETTINGS, APPROVE, END_SESSIONS = (
    "view",
    "export",
    "move_money",
    "lookup",
    "callbacks",
    "audit",
    "settings",
    "approve",
    "end_sessions",  # end another user's sessions (everyone may end their own)
)

# The one table of who may do what.
_VIEWER = frozenset({VIEW, EXPORT})
_OPERATOR = _VIEWER | {MOVE_MONEY, LOOKUP, CALLBACKS}
CAPABILITIES: dict[Role, frozenset[str]] = {
    Role.VIEWER: _VIEWER,
    Role.OPERATOR: _OPERATOR,
    Role.APPROVER: _VIEWER | {APPROVE},  # approves; never initiates (no move_money)
    Role.ADMIN: _OPERATOR | {AUDIT, SETTINGS, APPROVE, END_SESSIONS},
}
ALL_CAPABILITIES = frozenset().union(*CAPABILITIES.values())


def can(role: Role | None, capability: str) -> bool:
    """Whether `role` may use `capability`; an unknown capability is a programming error."""
    if capability not in ALL_CAPABILITIES:
        raise ValueError(f"unknown capability {capability!r}; known: {sorted(ALL_CAPABILITIES)}")
    return role is not None and capability in CAPABILITIES[role]


def can_any(role: Role | None, capabilities: str | tuple[str, ...]) -> bool:
    """Whether `role` may use at least one of `capabilities` (a page open to makers and approvers)."""
    needed = (capabilities,) if isinstance(capabilities, str) else capabilities
    return any(can(role, c) for c in needed)


def strongest(roles: Iterable[Role]) -> Role | None:
    """Of several roles one person is given (e.g. by single sign-on groups), the one that may do the
    most (admin > operator > approver > viewer); None when there are none."""
    return max(roles, key=lambda r: len(CAPABILITIES[r]), default=None)
