"""Sessions: signed cookies, idle and absolute expiry, touch, sign-out everywhere, restarts."""

import os
import stat
from dataclasses import replace

import pytest

from dashboard.auth import COOKIE_NAME, Role, User, hash_password
from dashboard.auth.sessions import load_session_secret
from dashboard.config import Secret, Settings
from tests.helpers.store_dump import dump

from .conftest import PASSWORDS


def signed_in(auth, name="alice"):
    """Sign in and complete the ticket as the route would: (session, cookie value)."""
    session = auth.sign_in(name, PASSWORDS[name])
    done = auth.complete(auth.issue_ticket(session))
    assert done is not None
    return done


class CountingStore:
    """A store proxy that records every attribute asked for: a repository ("accounts") and the
    method asked of it ("accounts.touch_session")."""

    def __init__(self, store):
        self._store, self.calls = store, []

    def __getattr__(self, name):
        self.calls.append(name)
        return _CountingArea(getattr(self._store, name), name, self.calls)


class _CountingArea:
    def __init__(self, area, name, calls):
        self._area, self._name, self._calls = area, name, calls

    def __getattr__(self, method):
        self._calls.append(f"{self._name}.{method}")
        return getattr(self._area, method)


def test_cookie_resolves_to_the_session(auth):
    session, cookie = signed_in(auth)
    resolved = auth.session_from_cookies({COOKIE_NAME: cookie, "other": "x"})
    assert (resolved.user, resolved.role) == ("alice", Role.OPERATOR)
    assert resolved.id == session.id
    assert auth.session_from_cookies({}) is None


def test_only_a_hash_of_the_token_is_stored(auth, store):
    _, cookie = signed_in(auth)
    token = cookie.split(".")[0]
    stored = dump(store)
    assert token not in stored and cookie not in stored


@pytest.mark.parametrize(
    "mangle",
    [
        lambda c: c[:-1],  # truncated
        lambda c: c[:-1] + ("A" if c[-1] != "A" else "B"),  # signature changed
        lambda c: ("A" if c[0] != "A" else "B") + c[1:],  # token changed
        lambda c: c.split(".")[0],  # no signature
        lambda c: c.replace(".", ""),
        lambda c: "",
        lambda c: "é" * len(c),
    ],
)
def test_forged_or_truncated_cookie_is_refused_before_the_store_is_asked(make_auth, store, mangle):
    counting = CountingStore(store)
    auth = make_auth(store=counting)
    _, cookie = signed_in(auth)
    counting.calls.clear()
    assert auth.resolve(mangle(cookie)) is None
    assert counting.calls == []


def test_cookie_signed_with_another_secret_is_refused(make_auth):
    _, cookie = signed_in(make_auth())
    assert make_auth(secret=b"z" * 32).resolve(cookie) is None


def test_idle_expiry_and_touch_extends(auth, clock):
    session, cookie = signed_in(auth)
    assert session.expires_at == clock.now + auth.sessions.idle_timeout
    for _ in range(5):  # used every 25 minutes: stays signed in well past 30 minutes
        clock.advance(minutes=25)
        assert auth.resolve(cookie) is not None
    clock.advance(minutes=30, seconds=1)
    assert auth.resolve(cookie) is None


def test_touch_writes_at_most_once_a_minute(make_auth, store, clock):
    counting = CountingStore(store)
    auth = make_auth(store=counting)
    _, cookie = signed_in(auth)
    counting.calls.clear()
    for _ in range(10):
        clock.advance(seconds=5)
        assert auth.resolve(cookie) is not None
    assert counting.calls.count("accounts.touch_session") == 0
    clock.advance(seconds=15)
    touched = auth.resolve(cookie)
    assert counting.calls.count("accounts.touch_session") == 1
    assert touched.last_seen_at == clock.now and touched.expires_at == clock.now + auth.sessions.idle_timeout


def test_touch_on_a_session_object(auth, clock):
    session, _ = signed_in(auth)
    clock.advance(minutes=20)
    touched = auth.touch(session)
    assert touched.last_seen_at == clock.now
    auth.sign_out(session)
    assert auth.touch(touched) is None


def test_stale_session_object_does_not_end_a_session_another_tab_keeps_alive(auth, clock):
    old, cookie = signed_in(auth)
    clock.advance(minutes=25)
    assert auth.resolve(cookie) is not None  # the other tab
    clock.advance(minutes=10)  # 35 min after the old object's last_seen
    assert auth.touch(old) is not None
    assert auth.resolve(cookie) is not None


def test_absolute_expiry_even_when_used(auth, clock):
    _, cookie = signed_in(auth)
    for _ in range(12 * 6 - 1):  # every 10 minutes for just under 12 hours
        clock.advance(minutes=10)
        assert auth.resolve(cookie) is not None
    clock.advance(minutes=10)
    assert auth.resolve(cookie) is None


def test_sign_out_ends_the_session_for_every_holder_of_the_cookie(auth):
    session, cookie = signed_in(auth)
    auth.sign_out(auth.resolve(cookie))
    assert auth.resolve(cookie) is None
    assert auth.touch(session) is None


def test_sign_out_everywhere_ends_all_of_a_users_sessions_only(auth):
    _, laptop = signed_in(auth)
    _, phone = signed_in(auth)
    _, other = signed_in(auth, "bob")
    assert laptop != phone
    assert auth.sign_out_everywhere("alice") == 2
    assert auth.resolve(laptop) is None and auth.resolve(phone) is None
    assert auth.resolve(other).user == "bob"


def test_sessions_survive_a_restart(make_auth, open_store, users):
    _, cookie = signed_in(make_auth())
    assert make_auth(store=open_store()).resolve(cookie).user == "alice"


def test_role_change_applies_and_removal_or_new_password_ends_sessions(make_auth, users):
    _, cookie = signed_in(make_auth())
    promoted = {**users, "alice": replace(users["alice"], role=Role.ADMIN)}
    assert make_auth(users=promoted).resolve(cookie).role is Role.ADMIN
    new_password = {**users, "alice": User("alice", Role.OPERATOR, hash_password("a-brand-new-password"))}
    assert make_auth(users=new_password).resolve(cookie) is None
    assert make_auth().resolve(cookie) is None  # ended, not just hidden

    _, cookie = signed_in(make_auth())
    assert make_auth(users={k: v for k, v in users.items() if k != "alice"}).resolve(cookie) is None


def test_ticket_is_single_use_and_expires(auth, clock):
    session = auth.sign_in("alice", PASSWORDS["alice"])
    ticket = auth.issue_ticket(session)
    assert auth.complete(ticket) is not None
    assert auth.complete(ticket) is None
    late = auth.issue_ticket(auth.sign_in("alice", PASSWORDS["alice"]))
    clock.advance(seconds=61)
    assert auth.complete(late) is None
    assert auth.complete("not-a-ticket-at-all-but-long") is None
    assert auth.complete(None) is None


def test_the_session_from_sign_in_is_not_itself_a_cookie(auth):
    session = auth.sign_in("alice", PASSWORDS["alice"])
    _, cookie = auth.complete(auth.issue_ticket(session))
    assert auth.resolve(cookie).id != session.id  # re-keyed when the browser got its token


def test_secrets_stay_out_of_repr(auth):
    session, cookie = signed_in(auth)
    text = repr(session) + repr(auth) + repr(auth.sessions) + repr(auth.users)
    assert cookie.split(".")[0] not in text and cookie.split(".")[1] not in text
    assert session.id not in text and "scrypt" not in text and "kkkk" not in text


def test_session_secret_file_is_created_private_and_reused(tmp_path):
    settings = Settings(data_dir=tmp_path / "data")
    first = load_session_secret(settings)
    path = tmp_path / "data" / "session_secret"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert len(first) >= 32 and load_session_secret(settings) == first
    os.chmod(path, 0o644)
    assert load_session_secret(settings) == first and stat.S_IMODE(path.stat().st_mode) == 0o600
    configured = Settings(data_dir=tmp_path, session_secret=Secret("c" * 40))
    assert load_session_secret(configured) == b"c" * 40


def test_damaged_secret_file_is_a_config_error(tmp_path):
    from dashboard.auth import AuthConfigError

    (tmp_path / "session_secret").write_text("short")
    with pytest.raises(AuthConfigError, match="delete it to make a new one"):
        load_session_secret(Settings(data_dir=tmp_path))
