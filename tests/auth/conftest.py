"""Fixtures for the sign-in tests: a fake clock, a store, users with precomputed hashes."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from dashboard.audit import AuditLog
from dashboard.auth import Authenticator, Role, User, hash_password
from dashboard.store import Store

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
PASSWORDS = {"alice": "alice-correct-horse", "bob": "bob-battery-staple", "carol": "carol-is-an-admin"}
ROLES = {"alice": Role.OPERATOR, "bob": Role.VIEWER, "carol": Role.ADMIN}
SECRET = b"k" * 32


class FakeClock:
    def __init__(self, start: datetime = T0) -> None:
        self.now = start

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


@pytest.fixture(scope="session")
def users() -> dict[str, User]:
    # Hashed once per test run (each hash is ~70 ms).
    return {name: User(name, ROLES[name], hash_password(pw)) for name, pw in PASSWORDS.items()}


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def store(any_store) -> Store:
    return any_store


@pytest.fixture
def audit(store, clock) -> AuditLog:
    return AuditLog(store, clock=clock)


@pytest.fixture
def make_auth(users, store, audit, clock):
    def make(**overrides) -> Authenticator:
        kwargs = dict(secret=SECRET, clock=clock, idle_timeout=timedelta(minutes=30))
        kwargs.update(overrides)
        return Authenticator(kwargs.pop("users", users), kwargs.pop("store", store), audit, **kwargs)

    return make


@pytest.fixture
def auth(make_auth) -> Authenticator:
    return make_auth()
