import pytest

from dashboard.auth.roles import CAPABILITIES, Role, can, can_any
from dashboard.ui.pages import PAGE_CAPABILITY, PAGES_BY_ROLE, can_open

ALL = {"view", "export", "move_money", "lookup", "callbacks", "audit", "settings", "approve", "end_sessions"}


def test_the_table():
    assert {c for c in ALL if can(Role.VIEWER, c)} == {"view", "export"}
    assert {c for c in ALL if can(Role.OPERATOR, c)} == {"view", "export", "move_money", "lookup", "callbacks"}
    assert {c for c in ALL if can(Role.APPROVER, c)} == {"view", "export", "approve"}
    assert {c for c in ALL if can(Role.ADMIN, c)} == ALL


def test_viewer_cannot_move_money_and_operator_cannot_audit():
    assert not can(Role.VIEWER, "move_money")
    assert not can(Role.VIEWER, "lookup")
    assert not can(Role.OPERATOR, "audit")
    assert not can(Role.OPERATOR, "settings")
    assert not can(Role.OPERATOR, "end_sessions")  # only an admin ends another user's sessions


def test_viewer_operator_admin_nest_and_approver_stands_beside_them():
    assert CAPABILITIES[Role.VIEWER] < CAPABILITIES[Role.OPERATOR] < CAPABILITIES[Role.ADMIN]
    assert CAPABILITIES[Role.VIEWER] < CAPABILITIES[Role.APPROVER] < CAPABILITIES[Role.ADMIN]
    # Neither includes the other: an approver approves but never initiates; an operator initiates, never approves.
    assert not CAPABILITIES[Role.APPROVER] <= CAPABILITIES[Role.OPERATOR]
    assert not CAPABILITIES[Role.OPERATOR] <= CAPABILITIES[Role.APPROVER]
    assert not can(Role.APPROVER, "move_money") and not can(Role.OPERATOR, "approve")
    with pytest.raises(TypeError):
        Role.VIEWER < Role.ADMIN  # noqa: B015 -- no ranking to compare by


def test_no_role_can_nothing_and_unknown_capability_is_a_bug():
    assert not can(None, "view")
    with pytest.raises(ValueError, match="unknown capability"):
        can(Role.ADMIN, "fly")


def test_can_any():
    assert can_any(Role.APPROVER, ("move_money", "approve")) and can_any(Role.OPERATOR, ("move_money", "approve"))
    assert not can_any(Role.VIEWER, ("move_money", "approve"))
    assert can_any(Role.VIEWER, "view") and not can_any(None, ("view",))


def test_pages_follow_the_capabilities():
    assert PAGES_BY_ROLE[Role.VIEWER] == {
        "overview",
        "balances",
        "transactions",
        "search",
        "customer",
        "reconciliation",
        "alerts",
        "statements",
        "two-factor",
        "sessions",
    }
    assert {"send-money", "card-payment", "lookup", "callbacks", "operations"} <= PAGES_BY_ROLE[Role.OPERATOR]
    assert "audit" not in PAGES_BY_ROLE[Role.OPERATOR]
    assert PAGES_BY_ROLE[Role.ADMIN] == set(PAGE_CAPABILITY)
    assert PAGES_BY_ROLE[Role.APPROVER] == {
        "overview",
        "balances",
        "transactions",
        "search",
        "customer",
        "reconciliation",
        "alerts",
        "statements",
        "batch-payouts",
        "approvals",
        "two-factor",
        "sessions",
    }
    assert "approvals" in PAGES_BY_ROLE[Role.OPERATOR]  # makers follow their own requests there
    assert can_open(Role.OPERATOR, "send-money") and not can_open(Role.VIEWER, "send-money")
    assert not can_open(Role.APPROVER, "send-money") and not can_open(Role.VIEWER, "approvals")
    assert not can_open(Role.ADMIN, "no-such-page")


def test_parse():
    assert Role.parse(" Operator ") is Role.OPERATOR
    assert Role.parse("APPROVER") is Role.APPROVER
    with pytest.raises(ValueError, match="viewer, operator, approver, admin"):
        Role.parse("root")
