"""Two-factor sign-in (dashboard.auth.totp, totp_factor): codes computed by pyotp, as an app would."""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import replace
from datetime import timedelta
from pathlib import Path

import pyotp
import pytest

from dashboard.auth import (
    CodeError,
    PendingSignIn,
    Role,
    SecondFactorRequired,
    SignInError,
    TwoFactor,
    User,
    hash_password,
    totp,
)
from dashboard.auth.totp_factor import (
    ALREADY_ENROLLED,
    NOT_WAITING,
    UNREADABLE,
    WRONG_CODE,
    default_required_roles,
    required_roles,
)
from dashboard.auth.users import AuthConfigError
from dashboard.config import Secret, Settings
from dashboard.store import Store
from tests.auth.conftest import PASSWORDS

REPO = Path(__file__).resolve().parents[2]
KEY = b"t" * 32


def app_code(secret: str, at) -> str:
    """What an authenticator app shows at `at`."""
    return pyotp.TOTP(secret).at(at)


@pytest.fixture
def two(store, audit, clock) -> TwoFactor:
    return TwoFactor(store, audit, totp.SecretBox(KEY), required=frozenset({Role.OPERATOR, Role.ADMIN}), clock=clock)


def enrol(two: TwoFactor, clock, user: str = "alice") -> tuple[str, list[str]]:
    """Enrol `user` as a person would; returns (secret, recovery codes). Moves the clock one step on,
    so that the code used to confirm is not the one the caller uses next."""
    enrolment = two.begin_enrolment(user)
    codes = two.confirm_enrolment(user, app_code(enrolment.secret, clock()))
    clock.advance(seconds=totp.INTERVAL)
    return enrolment.secret, codes


# --- codes ---------------------------------------------------------------------------------------


def test_a_code_pyotp_computes_matches_its_step_and_one_step_of_drift(clock):
    secret = totp.new_secret()
    now = clock()
    step = totp.time_step(now)
    assert totp.matching_step(secret, app_code(secret, now), now) == step
    assert totp.matching_step(secret, app_code(secret, now - timedelta(seconds=30)), now) == step - 1
    assert totp.matching_step(secret, app_code(secret, now + timedelta(seconds=30)), now) == step + 1
    assert totp.matching_step(secret, app_code(secret, now - timedelta(seconds=90)), now) is None
    assert totp.matching_step(secret, "12345", now) is None and totp.matching_step(secret, "abcdef", now) is None


def test_enrolment_uri_qr_and_secret_for_manual_entry():
    secret = totp.new_secret()
    assert len(secret) == 32 and pyotp.TOTP(secret).now().isdigit()
    uri = totp.provisioning_uri(secret, "alice")
    assert uri.startswith("otpauth://totp/") and f"secret={secret}" in uri and "issuer=EnigmaPay%20console" in uri
    assert totp.qr_png(uri).startswith(b"\x89PNG\r\n\x1a\n")
    assert totp.grouped(secret).replace(" ", "") == secret and totp.grouped(secret).count(" ") == 7


def test_recovery_codes_are_random_readable_and_hashed_per_user():
    codes = totp.new_recovery_codes()
    assert len(codes) == 10 == len(set(codes))
    for code in codes:
        assert len(code) == 19 and code.count("-") == 3
        assert totp.is_recovery_code(totp.clean_code(code.lower()))
    code = codes[0]
    assert totp.recovery_hash("alice", code) == totp.recovery_hash("alice", code.replace("-", " ").lower())
    assert totp.recovery_hash("alice", code) != totp.recovery_hash("bob", code)
    assert code not in totp.recovery_hash("alice", code)


def test_secret_box_needs_its_key_and_its_user():
    box = totp.SecretBox(KEY)
    sealed = box.seal("alice", "JBSWY3DPEHPK3PXP")
    assert "JBSWY3DPEHPK3PXP" not in sealed and box.open("alice", sealed) == "JBSWY3DPEHPK3PXP"
    assert box.seal("alice", "JBSWY3DPEHPK3PXP") != sealed  # a fresh nonce each time
    with pytest.raises(totp.SecretBoxError):
        totp.SecretBox(b"u" * 32).open("alice", sealed)
    with pytest.raises(totp.SecretBoxError):
        box.open("bob", sealed)  # copied to another user's row
    with pytest.raises(totp.SecretBoxError):
        box.open("alice", sealed[:-4] + "AAAA")
    assert "t" * 8 not in repr(box)
    with pytest.raises(ValueError):
        totp.SecretBox(b"short")


def test_two_factor_key_is_a_private_file_in_the_data_dir_unless_set(tmp_path):
    settings = Settings(data_dir=tmp_path)
    first = totp.load_two_factor_key(settings)
    assert len(first) >= 32 and totp.load_two_factor_key(settings) == first
    assert (tmp_path / "two_factor_key").stat().st_mode & 0o777 == 0o600
    assert totp.load_two_factor_key(Settings(data_dir=tmp_path, two_factor_key=Secret("k" * 40))) == b"k" * 40
    (tmp_path / "two_factor_key").write_text("short\n")
    with pytest.raises(AuthConfigError, match="damaged"):
        totp.load_two_factor_key(settings)


# --- which roles must ----------------------------------------------------------------------------


def test_roles_that_move_money_or_administer_or_approve_must_use_a_second_factor_by_default():
    assert default_required_roles() == {Role.OPERATOR, Role.APPROVER, Role.ADMIN}
    assert required_roles(None) == {Role.OPERATOR, Role.APPROVER, Role.ADMIN}
    assert required_roles(frozenset()) == frozenset()
    assert required_roles(frozenset({"viewer", "admin"})) == {Role.VIEWER, Role.ADMIN}
    with pytest.raises(AuthConfigError, match="ENIGMAPAY_TWO_FACTOR_ROLES: unknown role 'boss'"):
        required_roles(frozenset({"boss"}))


def test_owed_until_enrolled_for_required_roles_only(two, clock):
    assert two.owed("alice", Role.OPERATOR) and not two.owed("bob", Role.VIEWER)
    enrolment = two.begin_enrolment("alice")
    assert two.owed("alice", Role.OPERATOR)  # started is not enrolled
    two.confirm_enrolment("alice", app_code(enrolment.secret, clock()))
    assert not two.owed("alice", Role.OPERATOR)
    status = two.status("alice", Role.OPERATOR)
    assert status.enrolled and status.required and status.recovery_left == 10


# --- enrolment -----------------------------------------------------------------------------------


def test_enrolment_takes_effect_only_with_a_right_first_code(two, clock, store):
    enrolment = two.begin_enrolment("alice")
    with pytest.raises(CodeError) as caught:
        two.confirm_enrolment("alice", "000000" if app_code(enrolment.secret, clock()) != "000000" else "111111")
    assert caught.value.message == WRONG_CODE and not two.enrolled("alice")
    codes = two.confirm_enrolment("alice", app_code(enrolment.secret, clock()))
    assert two.enrolled("alice") and len(codes) == 10
    with pytest.raises(CodeError, match=ALREADY_ENROLLED):
        two.begin_enrolment("alice")  # a confirmed factor is only replaced after a reset


def test_a_new_enrolment_replaces_an_unconfirmed_one(two, clock):
    first = two.begin_enrolment("alice")
    second = two.begin_enrolment("alice")
    assert first.secret != second.secret
    with pytest.raises(CodeError):
        two.confirm_enrolment("alice", app_code(first.secret, clock()))
    two.confirm_enrolment("alice", app_code(second.secret, clock()))
    assert two.enrolled("alice")


def test_confirm_without_a_started_enrolment_says_so(two):
    with pytest.raises(CodeError, match=NOT_WAITING):
        two.confirm_enrolment("alice", "123456")


def test_the_database_holds_neither_the_secret_nor_the_recovery_codes(two, clock, store):
    secret, codes = enrol(two, clock)
    rows = store.engine.read("SELECT * FROM two_factor") + store.engine.read("SELECT * FROM two_factor_recovery")
    stored = repr(rows)
    if store.engine.name == "sqlite":  # the file itself too (pages, WAL)
        stored += repr(b"".join(p.read_bytes() for p in Path(store.path).parent.glob("console.sqlite3*")))
    assert secret not in stored
    assert not any(c in stored or c.replace("-", "") in stored for c in codes)
    (row,) = store.engine.read("SELECT secret_box FROM two_factor WHERE user_name = 'alice'")
    assert row["secret_box"].startswith("v1.") and secret not in row["secret_box"]


def test_a_key_that_changed_gives_a_clear_message(two, clock, store, audit):
    secret, _ = enrol(two, clock)
    other = TwoFactor(store, audit, totp.SecretBox(b"z" * 32), clock=clock)
    with pytest.raises(CodeError, match="ask an administrator to reset it") as caught:
        other.verify("alice", app_code(secret, clock()))
    assert caught.value.message == UNREADABLE


# --- verification --------------------------------------------------------------------------------


def test_a_code_is_accepted_once_and_never_an_older_one(two, clock, audit):
    secret, _ = enrol(two, clock)
    code = app_code(secret, clock())
    assert two.verify("alice", code) == "totp"
    with pytest.raises(CodeError, match="already used"):
        two.verify("alice", code)  # replay within its window
    clock.advance(seconds=totp.INTERVAL)
    with pytest.raises(CodeError):
        two.verify("alice", app_code(secret, clock() - timedelta(seconds=60)))  # older than the last one used
    assert two.verify("alice", app_code(secret, clock())) == "totp"
    outcomes = [(e.action, e.outcome) for e in audit.query() if e.action.startswith("two_factor")]
    assert ("two_factor_failed", "replayed") in outcomes
    assert outcomes.count(("two_factor_verified", "ok")) == 2
    assert outcomes[-1] == ("two_factor_enrolled", "ok")  # newest first


def test_a_recovery_code_works_once(two, clock, audit):
    _, codes = enrol(two, clock)
    assert two.verify("alice", codes[3].lower().replace("-", " ")) == "recovery_code"
    with pytest.raises(CodeError, match="already used"):
        two.verify("alice", codes[3])
    assert two.status("alice", Role.OPERATOR).recovery_left == 9
    used = audit.query(action="two_factor_recovery_used")
    assert [(e.actor, e.details["left"]) for e in used] == [("alice", 9)]
    assert codes[3] not in str([e.details for e in audit.query()])


def test_another_users_recovery_code_does_not_work(two, clock):
    _, alice_codes = enrol(two, clock, "alice")
    enrol(two, clock, "carol")
    with pytest.raises(CodeError):
        two.verify("carol", alice_codes[0])


def test_wrong_codes_are_throttled_like_passwords(two, clock, audit):
    secret, _ = enrol(two, clock)
    for _ in range(5):
        with pytest.raises(CodeError, match="already used"):
            two.verify("alice", "000000" if app_code(secret, clock()) != "000000" else "111111", source="10.0.0.9")
    with pytest.raises(CodeError, match=r"Too many attempts; try again in 30 s\.") as caught:
        two.verify("alice", app_code(secret, clock()), source="10.0.0.9")  # right, but locked
    assert caught.value.retry_after == 30
    failed = audit.query(action="two_factor_failed")
    assert [e.outcome for e in failed].count("wrong_code") == 5 and failed[0].outcome == "locked"
    assert failed[0].details == {"stage": "sign_in", "source": "10.0.0.9"}
    clock.advance(seconds=31)
    assert two.verify("alice", app_code(secret, clock())) == "totp"


def test_new_recovery_codes_need_a_code_and_replace_the_old_ones(two, clock, audit):
    secret, old = enrol(two, clock)
    with pytest.raises(CodeError):
        two.regenerate_recovery_codes("alice", "not-a-code")
    new = two.regenerate_recovery_codes("alice", app_code(secret, clock()))
    assert set(new).isdisjoint(old) and two.status("alice", Role.OPERATOR).recovery_left == 10
    with pytest.raises(CodeError):
        two.verify("alice", old[0])
    assert two.verify("alice", new[0]) == "recovery_code"
    assert audit.query(action="two_factor_recovery_regenerated")[0].actor == "alice"


def test_reset_forgets_the_factor_ends_sessions_and_is_audited(two, clock, store, audit, users):
    secret, codes = enrol(two, clock)
    from dashboard.auth.sessions import SessionManager

    SessionManager(store, b"k" * 32, clock=clock, idle_timeout=timedelta(minutes=30)).create(users["alice"])
    assert two.reset("alice", actor="carol") is True
    assert not two.enrolled("alice") and two.owed("alice", Role.OPERATOR)
    with pytest.raises(CodeError):
        two.verify("alice", codes[0])
    entry = audit.query(action="two_factor_reset")[0]
    assert (entry.actor, entry.outcome, entry.details) == ("carol", "ok", {"account": "alice", "sessions_ended": 1})
    two.begin_enrolment("alice")  # a new one can be set up


# --- sign-in with the authenticator --------------------------------------------------------------


@pytest.fixture
def auth2(make_auth, two):
    return make_auth(two_factor=two)


def password_step(auth, name="alice") -> PendingSignIn:
    with pytest.raises(SecondFactorRequired) as caught:
        auth.sign_in(name, PASSWORDS[name], source="10.0.0.9")
    return caught.value.pending


def test_an_enrolled_user_signs_in_with_password_then_code(auth2, two, clock, audit, store):
    secret, _ = enrol(two, clock)
    pending = password_step(auth2)
    assert store.engine.read("SELECT id FROM auth_sessions") == []  # the password alone made no session
    assert audit.query(action="sign_in") == []
    with pytest.raises(SignInError, match="already used"):
        auth2.complete_second_factor(pending, "12345")
    session = auth2.complete_second_factor(pending, app_code(secret, clock()))
    assert session.user == "alice" and session.role is Role.OPERATOR
    entry = audit.query(action="sign_in")[0]
    assert entry.details == {"source": "10.0.0.9", "role": "operator", "second_factor": "totp"}
    assert secret not in repr(pending) and secret not in repr(auth2)


def test_a_user_without_a_factor_signs_in_with_the_password_and_then_owes_one(auth2):
    session = auth2.sign_in("alice", PASSWORDS["alice"])  # not enrolled: the console sends them to enrol
    assert auth2.second_factor_owed(session)
    assert not auth2.second_factor_owed(auth2.sign_in("bob", PASSWORDS["bob"]))  # a viewer need not
    assert not auth2.second_factor_owed(replace(session, user="sso:someone"))  # not a local account


def test_a_pending_sign_in_expires_and_ends_with_a_password_change(auth2, two, clock, users, make_auth):
    secret, _ = enrol(two, clock)
    pending = password_step(auth2)
    clock.advance(minutes=6)
    with pytest.raises(SignInError, match="took too long"):
        auth2.complete_second_factor(pending, app_code(secret, clock()))
    pending = password_step(auth2)
    changed = {**users, "alice": User("alice", Role.OPERATOR, hash_password("a-brand-new-password"))}
    with pytest.raises(SignInError, match="took too long"):
        make_auth(users=changed, two_factor=two).complete_second_factor(pending, app_code(secret, clock()))


def test_sign_in_with_a_locked_code_says_how_long_to_wait(auth2, two, clock):
    secret, _ = enrol(two, clock)
    pending = password_step(auth2)
    wrong = "000000" if app_code(secret, clock()) != "000000" else "111111"
    for _ in range(5):
        with pytest.raises(SignInError):
            auth2.complete_second_factor(pending, wrong)
    with pytest.raises(SignInError) as caught:
        auth2.complete_second_factor(pending, app_code(secret, clock()))
    assert caught.value.retry_after == 30 and "Too many attempts" in caught.value.message


def test_the_console_requires_it_except_for_the_sandbox_demo_accounts(tmp_path, store, audit):
    from dashboard.auth import Authenticator
    from dashboard.auth.users import AccountSetup

    settings = Settings(data_dir=tmp_path)
    configured = Authenticator.from_settings(AccountSetup(users={}), settings, store, audit)
    assert configured.two_factor.required_roles == {Role.OPERATOR, Role.APPROVER, Role.ADMIN}
    demo = Authenticator.from_settings(AccountSetup(users={}, demo=True), settings, store, audit)
    assert demo.two_factor.required_roles == frozenset()
    none = Settings(data_dir=tmp_path, two_factor_roles=frozenset())
    assert Authenticator.from_settings(AccountSetup(users={}), none, store, audit).two_factor.required_roles == set()


# --- the accounts command ------------------------------------------------------------------------


def test_accounts_command_resets_a_second_factor(tmp_path, clock):
    data = tmp_path / "data"
    store = Store.in_dir(data / "sandbox")  # no API key: the built-in sandbox's records
    from dashboard.audit import AuditLog

    two = TwoFactor(store, AuditLog(store), totp.SecretBox(KEY), clock=clock)
    enrolment = two.begin_enrolment("dilek")
    two.confirm_enrolment("dilek", app_code(enrolment.secret, clock()))
    environ = {k: v for k, v in os.environ.items() if not k.startswith("ENIGMAPAY_")}
    environ.update({"ENIGMAPAY_DATA_DIR": str(data), "PYTHONPATH": str(REPO)})

    def run(*args):
        command = [sys.executable, "-m", "dashboard.auth", "reset-two-factor", *args]
        return subprocess.run(command, capture_output=True, text=True, cwd=tmp_path, env=environ, timeout=60)

    done = run("dilek", "--actor", "carol")
    assert done.returncode == 0, done.stderr
    assert "Reset the second factor of dilek" in done.stdout
    assert not two.enrolled("dilek")
    assert [(e.actor, e.details["account"]) for e in AuditLog(store).query(action="two_factor_reset")] == [
        ("carol", "dilek")
    ]
    again = run("dilek")
    assert again.returncode == 0 and "had no second factor" in again.stdout
    bad = run("Not A Name")
    assert bad.returncode == 2 and "is not valid" in bad.stderr
    store.close()
