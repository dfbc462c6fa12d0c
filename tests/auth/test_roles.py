import pytest

from dashboard.auth.roles import CAPABILITIES, Role, can
from dashboard.ui.pages import PAGE_CAPABILITY, PAGES_BY_ROLE, can_open

ALL = {"view", "export", "move_money", "lookup", "callbacks", "audit", "settings", "end_sessions"}


def test_the_table():
    assert {c for c in ALL if can(Role.VIEWER, c)} == {"view", "export"}
    assert {c for c in ALL if can(Role.OPERATOR, c)} == {"view", "export", "move_money", "lookup", "callbacks"}
    assert {c for c in ALL if can(Role.ADMIN, c)} == ALL


def test_viewer_cannot_move_money_and_operator_cannot_audit():
    assert not can(Role.VIEWER, "move_money")
    assert not can(Role.VIEWER, "lookup")
    assert not can(Role.OPERATOR, "audit")
    assert not can(Role.OPERATOR, "settings")
    assert not can(Role.OPERATOR, "end_sessions")  # only an admin ends another user's sessions


def test_roles_are_ordered_and_each_includes_the_one_before():
    assert Role.VIEWER < Role.OPERATOR < Role.ADMIN
    assert CAPABILITIES[Role.VIEWER] < CAPABILITIES[Role.OPERATOR] < CAPABILITIES[Role.ADMIN]


def test_no_role_can_nothing_and_unknown_capability_is_a_bug():
    assert not can(None, "view")
    with pytest.raises(ValueError, match="unknown capability"):
        can(Role.ADMIN, "fly")


def test_pages_follow_the_capabilities():
    assert PAGES_BY_ROLE[Role.VIEWER] == {"overview", "balances", "transactions", "sessions"}
    assert {"send-money", "card-payment", "lookup", "callbacks", "operations"} <= PAGES_BY_ROLE[Role.OPERATOR]
    assert "audit" not in PAGES_BY_ROLE[Role.OPERATOR]
    assert PAGES_BY_ROLE[Role.ADMIN] == set(PAGE_CAPABILITY)
    assert can_open(Role.OPERATOR, "send-money") and not can_open(Role.VIEWER, "send-money")
    assert not can_open(Role.ADMIN, "no-such-page")


def test_parse():
    assert Role.parse(" Operator ") is Role.OPERATOR
    with pytest.raises(ValueError, match="viewer, operator, admin"):
        Role.parse("root")
