"""Failed sign-ins: throttled per name and source, in the store, audited; locked attempts skip the hash."""

import pytest

from dashboard.auth import WRONG_CREDENTIALS, SignInError, ThrottlePolicy
from dashboard.auth import authenticator as authenticator_module
from tests.helpers.store_dump import dump

from .conftest import PASSWORDS


def fail(auth, name="alice", password="wrong-password", source=None) -> SignInError:
    with pytest.raises(SignInError) as caught:
        auth.sign_in(name, password, source=source)
    return caught.value


def audit_rows(audit):
    return [(e.action, e.actor, e.outcome) for e in reversed(audit.query())]


def test_five_failures_lock_the_name_and_the_password_is_not_even_checked(auth, clock, monkeypatch):
    for _ in range(5):
        assert fail(auth).message == WRONG_CREDENTIALS
    checked = []
    monkeypatch.setattr(authenticator_module, "verify_password", lambda *a: checked.append(a) or True)
    error = fail(auth, password=PASSWORDS["alice"])
    assert error.message == "Too many attempts; try again in 30 s." and error.retry_after == 30
    assert checked == []
    clock.advance(seconds=29)
    assert "try again in 1 s" in fail(auth, password=PASSWORDS["alice"]).message


def test_lockout_doubles_then_caps(auth, clock):
    for _ in range(5):
        fail(auth)
    waits = []
    for _ in range(7):
        waits.append(fail(auth).retry_after)  # locked: refused, not counted
        clock.advance(seconds=waits[-1])
        fail(auth)  # the lock has passed: this wrong password counts and locks again, longer
    assert waits == [30, 60, 120, 240, 480, 900, 900]


def test_success_resets_the_count(auth, clock):
    for _ in range(4):
        fail(auth)
    assert auth.sign_in("alice", PASSWORDS["alice"]).user == "alice"
    for _ in range(4):
        assert fail(auth).message == WRONG_CREDENTIALS  # four more before any lock
    assert fail(auth).message == WRONG_CREDENTIALS
    assert fail(auth).retry_after == 30


def test_failures_older_than_the_window_are_forgotten(auth, clock):
    for _ in range(4):
        fail(auth)
    clock.advance(minutes=16)
    for _ in range(4):
        assert fail(auth).message == WRONG_CREDENTIALS
    assert fail(auth).message == WRONG_CREDENTIALS
    assert fail(auth).retry_after == 30


def test_unknown_names_are_throttled_the_same_and_get_the_same_message(auth, monkeypatch):
    checked = []
    real = authenticator_module.verify_password
    monkeypatch.setattr(authenticator_module, "verify_password", lambda pw, h: checked.append(h) or real(pw, h))
    errors = [fail(auth, name="mallory") for _ in range(5)]
    assert {e.message for e in errors} == {WRONG_CREDENTIALS}
    assert len(checked) == 5 and all(h.startswith("scrypt$n=2**15") for h in checked)  # the dummy hash: same cost
    assert fail(auth, name="mallory").message.startswith("Too many attempts")
    assert fail(auth, name="alice").message == WRONG_CREDENTIALS  # other names are not locked


def test_name_is_matched_case_insensitively_for_sign_in_and_throttling(auth):
    for _ in range(5):
        fail(auth, name="ALICE ")
    assert fail(auth, name="alice", password=PASSWORDS["alice"]).retry_after == 30


def test_a_source_address_guessing_across_names_is_locked(make_auth):
    auth = make_auth(throttle=ThrottlePolicy(max_failures_per_source=5))
    for i in range(5):
        assert fail(auth, name=f"guess{i}", source="203.0.113.9").message == WRONG_CREDENTIALS
    assert fail(auth, name="alice", password=PASSWORDS["alice"], source="203.0.113.9").retry_after == 30
    assert auth.sign_in("alice", PASSWORDS["alice"], source="198.51.100.1").user == "alice"


def test_throttle_state_survives_a_restart(make_auth, open_store, audit):
    for _ in range(5):
        fail(make_auth())
    assert fail(make_auth(store=open_store())).retry_after == 30


def test_audit_rows_carry_outcome_and_typed_name(auth, audit):
    auth.sign_in("alice", PASSWORDS["alice"], source="10.0.0.7")
    fail(auth, name="bob")
    fail(auth, name="nobody\x1b[31m\n" + "x" * 200)
    for _ in range(5):
        fail(auth, name="carol")
    rows = audit_rows(audit)
    assert rows[0] == ("sign_in", "alice", "ok")
    assert rows[1] == ("sign_in_failed", "bob", "wrong_password")
    action, actor, outcome = rows[2]
    assert outcome == "unknown_user" and actor.startswith("nobody[31m") and "\x1b" not in actor and "\n" not in actor
    assert len(actor) <= 64
    assert [r[2] for r in rows[3:]] == ["wrong_password"] * 5
    fail(auth, name="carol")
    assert audit_rows(audit)[-1] == ("sign_in_failed", "carol", "locked")
    entry = audit.query(action="sign_in")[0]
    assert entry.details == {"source": "10.0.0.7", "role": "operator"}


def test_blank_name_is_audited_as_blank(auth, audit):
    fail(auth, name="  ")
    assert audit_rows(audit)[-1] == ("sign_in_failed", "(blank)", "unknown_user")


def test_failure_audit_never_holds_the_password(auth, audit, store):
    fail(auth, password="s3cret-guess-123")
    assert "s3cret-guess-123" not in dump(store)


def test_two_processes_share_the_counters(make_auth, open_store):
    first = make_auth()
    second = make_auth(store=open_store())  # another process's (or replica's) connection to the same database
    for auth in (first, second, first, second, first):
        fail(auth)
    assert fail(second).retry_after == 30
