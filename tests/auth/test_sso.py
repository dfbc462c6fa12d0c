"""Single sign-on: the provider's claims -> a role (or a refusal), the ID token's expiry, the
[auth] configuration, SSO sessions beside local ones, and a new session id on a role change."""

from datetime import timedelta

import pytest

from dashboard.auth import (
    LOCAL_SIGN_IN_OFF,
    SSO_EXPIRED,
    SSO_NO_ROLE,
    AuthConfigError,
    Role,
    SignInError,
    SsoConfig,
    account_setup,
    sso_setup,
)
from dashboard.config import Secret, Settings

from .conftest import PASSWORDS, T0

SSO = SsoConfig(
    provider="company",
    role_claim="groups",
    claim_roles=(("console-ops", Role.OPERATOR), ("console-admins", Role.ADMIN), ("finance", Role.VIEWER)),
    email_roles=(("ayse@example.com", Role.ADMIN),),
)
EXP = int((T0 + timedelta(hours=1)).timestamp())


def claims(sub="u-1", **extra):
    return {"is_logged_in": True, "sub": sub, "exp": EXP, **extra}


# --- who gets which role -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "extra, role",
    [
        ({"groups": ["console-ops"]}, Role.OPERATOR),
        ({"groups": "console-ops"}, Role.OPERATOR),  # a single value, as some providers send it
        ({"groups": ["finance", "console-admins"]}, Role.ADMIN),  # the highest role any rule gives
        ({"groups": ["marketing"]}, None),
        ({}, None),
        ({"email": "Ayse@Example.com"}, Role.ADMIN),  # e-mails compare in lower case
        ({"email": "ayse@example.com", "email_verified": True, "groups": ["finance"]}, Role.ADMIN),
        ({"email": "ayse@example.com", "email_verified": False}, None),  # the provider says: not hers
        ({"groups": [{"nested": "console-admins"}]}, None),
    ],
)
def test_role_comes_from_the_claim_or_the_email_table(extra, role):
    assert SSO.role_for(claims(**extra)) is role


def test_identity_is_named_by_email_else_provider_and_subject():
    mail = SSO.identity(claims(email="Ayse@Example.com"))
    assert (mail.name, mail.subject, mail.role) == ("ayse@example.com", "company:u-1", Role.ADMIN)
    assert mail.expires_at == T0 + timedelta(hours=1)
    anonymous = SSO.identity(claims(sub="x-9", groups=["finance"]))
    assert (anonymous.name, anonymous.role) == ("company:x-9", Role.VIEWER)
    assert SSO.identity({"is_logged_in": False}) is None
    assert SSO.identity({}) is None
    assert SSO.identity({"is_logged_in": True}) is None  # no subject: nobody to tie a session to
    assert SSO.identity(claims(exp="soon")).expires_at is None


# --- signing in ----------------------------------------------------------------------------------


@pytest.fixture
def sso_auth(make_auth):
    return make_auth(sso=SSO)


def test_an_identity_with_a_role_signs_in_and_is_audited(sso_auth, audit, clock):
    session = sso_auth.sign_in_sso(SSO.identity(claims(groups=["console-ops"])), source="10.0.0.7")
    assert (session.user, session.role, session.method, session.source) == (
        "company:u-1",
        Role.OPERATOR,
        "sso",
        "10.0.0.7",
    )
    assert session.expires_at == T0 + timedelta(minutes=30)  # idle expiry comes first here
    row = audit.query()[0]
    assert (row.action, row.actor, row.outcome) == ("sign_in", "company:u-1", "ok")
    assert row.details == {"method": "sso", "provider": "company", "source": "10.0.0.7", "role": "operator"}


def test_an_identity_without_a_role_is_refused_audited_and_gets_no_session(sso_auth, audit):
    with pytest.raises(SignInError) as refused:
        sso_auth.sign_in_sso(SSO.identity(claims(email="mallory@example.com", groups=["marketing"])))
    assert refused.value.message == SSO_NO_ROLE
    row = audit.query()[0]
    assert (row.action, row.actor, row.outcome) == ("sign_in_failed", "mallory@example.com", "no_role")
    assert sso_auth.active_sessions() == []


def test_an_expired_id_token_does_not_sign_in(sso_auth, clock, audit):
    clock.advance(hours=1)
    with pytest.raises(SignInError) as refused:
        sso_auth.sign_in_sso(SSO.identity(claims(groups=["console-ops"])))
    assert refused.value.message == SSO_EXPIRED
    assert audit.query()[0].outcome == "identity_expired"


def test_the_session_ends_when_the_id_token_expires_even_while_in_use(sso_auth, clock):
    session = sso_auth.sign_in_sso(SSO.identity(claims(groups=["console-ops"])))
    _, cookie = sso_auth.complete(sso_auth.issue_ticket(session))
    for _ in range(5):  # used every 11 minutes: the idle expiry never comes, the token's does
        clock.advance(minutes=11)
        assert sso_auth.resolve(cookie) is not None
    clock.advance(minutes=5)  # 60 minutes after sign-in: exp
    assert sso_auth.resolve(cookie) is None


def test_each_run_checks_the_session_against_the_identity(sso_auth, audit, clock):
    who = SSO.identity(claims(groups=["console-ops"]))
    session = sso_auth.sign_in_sso(who)
    assert sso_auth.check_identity(session, who) == session
    # signed out at Streamlit (st.user empty), or someone else signed in there: the session ends
    assert sso_auth.check_identity(session, None) is None
    assert sso_auth.active_sessions() == []
    session = sso_auth.sign_in_sso(who)
    assert sso_auth.check_identity(session, SSO.identity(claims(sub="u-2", groups=["console-ops"]))) is None
    session = sso_auth.sign_in_sso(who)
    clock.advance(hours=1)
    assert sso_auth.check_identity(session, who) is None
    assert [e.outcome for e in audit.query() if e.action == "session_ended"] == [
        "identity_expired",
        "identity_gone",
        "identity_gone",
    ]


def test_password_sessions_are_not_checked_against_an_identity(make_auth):
    auth = make_auth(sso=SSO)
    session = auth.sign_in("alice", PASSWORDS["alice"])
    assert auth.check_identity(session, None) is session


def test_a_new_role_for_the_identity_means_a_new_session_id(sso_auth):
    session = sso_auth.sign_in_sso(SSO.identity(claims(groups=["console-ops"])))
    _, old_cookie = sso_auth.complete(sso_auth.issue_ticket(session))
    promoted = sso_auth.check_identity(sso_auth.resolve(old_cookie), SSO.identity(claims(groups=["console-admins"])))
    assert promoted.role is Role.ADMIN and promoted.role_changed
    # the script hands the browser over through a new ticket: new cookie, and the old one is dead
    again, new_cookie = sso_auth.complete(sso_auth.issue_ticket(promoted))
    assert again.role is Role.ADMIN and not again.role_changed and new_cookie != old_cookie
    assert sso_auth.resolve(old_cookie) is None
    assert sso_auth.resolve(new_cookie).role is Role.ADMIN


def test_a_local_users_role_change_also_means_a_new_session_id(make_auth, users, audit):
    from dataclasses import replace

    session = make_auth().sign_in("alice", PASSWORDS["alice"])
    _, old_cookie = make_auth().complete(make_auth().issue_ticket(session))
    promoted = make_auth(users={**users, "alice": replace(users["alice"], role=Role.ADMIN)})
    seen = promoted.resolve(old_cookie)
    assert seen.role is Role.ADMIN and seen.role_changed
    assert promoted.resolve(old_cookie).role_changed is False  # recorded: asked for once
    _, new_cookie = promoted.complete(promoted.issue_ticket(seen))
    assert promoted.resolve(old_cookie) is None and promoted.resolve(new_cookie).role is Role.ADMIN
    assert any(e.action == "role_changed" and e.details == {"from": "operator", "to": "admin"} for e in audit.query())


def test_local_sign_in_can_be_switched_off(make_auth, audit):
    auth = make_auth(sso=SSO, local=False)
    with pytest.raises(SignInError) as refused:
        auth.sign_in("alice", PASSWORDS["alice"])
    assert refused.value.message == LOCAL_SIGN_IN_OFF
    assert audit.query()[0].outcome == "local_sign_in_off"


# --- configuration -------------------------------------------------------------------------------

AUTH = """
[auth]
redirect_uri = "http://localhost:8501/oauth2callback"
cookie_secret = "a-cookie-secret-of-enough-length-0123"
[auth.company]
client_id = "console"
client_secret = "s3cret"
server_metadata_url = "http://localhost:9400/.well-known/openid-configuration"
"""


def secrets(tmp_path, text=AUTH):
    path = tmp_path / "secrets.toml"
    path.write_text(text, encoding="utf-8")
    return path


ROLES = {"sso_role_claim": "groups", "sso_claim_roles": (("console-ops", "operator"),)}


def test_sso_setup_reads_the_provider_and_the_role_rules(tmp_path):
    sso = sso_setup(Settings(**ROLES, sso_email_roles=(("a@b.c", "admin"),)), secrets_path=secrets(tmp_path))
    assert sso == SsoConfig("company", "groups", (("console-ops", Role.OPERATOR),), (("a@b.c", Role.ADMIN),))
    assert "s3cret" not in repr(sso)


def test_no_auth_section_means_no_sso(tmp_path):
    assert sso_setup(Settings(), secrets_path=tmp_path / "missing.toml") is None
    with pytest.raises(AuthConfigError, match="no \\[auth\\] section"):
        sso_setup(Settings(**ROLES), secrets_path=tmp_path / "missing.toml")


@pytest.mark.parametrize(
    "text, settings, message",
    [
        (AUTH.replace('cookie_secret = "a-cookie-secret-of-enough-length-0123"', ""), ROLES, "lacks cookie_secret"),
        (AUTH, {}, "no identity can get a role"),
        (AUTH, {"sso_claim_roles": (("x", "admin"),)}, "needs ENIGMAPAY_SSO_ROLE_CLAIM"),
        (AUTH + '[auth.other]\nclient_id = "b"\n', ROLES, "2 providers .*set ENIGMAPAY_SSO_PROVIDER"),
        (
            AUTH,
            {**ROLES, "sso_provider": "google"},
            "ENIGMAPAY_SSO_PROVIDER='google' but \\[auth\\] configures company",
        ),
    ],
)
def test_sso_setup_refuses_what_cannot_work(tmp_path, text, settings, message):
    with pytest.raises(AuthConfigError, match=message):
        sso_setup(Settings(**settings), secrets_path=secrets(tmp_path, text))


def test_several_providers_and_the_chosen_one(tmp_path):
    text = AUTH + '[auth.other]\nclient_id = "b"\n'
    assert sso_setup(Settings(**ROLES, sso_provider="other"), secrets_path=secrets(tmp_path, text)).provider == "other"
    default = '[auth]\nredirect_uri = "x"\ncookie_secret = "y"\nclient_id = "c"\n'
    assert sso_setup(Settings(**ROLES), secrets_path=secrets(tmp_path, default)).provider == "default"


def test_accounts_beside_sso_and_sso_alone(tmp_path):
    live = dict(data_dir=tmp_path, api_key=Secret("k"), secret_key=Secret("s"))
    # the live API with no local accounts: single sign-on alone is enough to start
    only_sso = account_setup(Settings(**live), is_sandbox=False, secrets_path=None, sso=True)
    assert only_sso.local is False and not only_sso.users
    # switched off: no password sign-in even on the sandbox (no demo accounts)
    off = account_setup(Settings(**live, local_sign_in=False), is_sandbox=True, secrets_path=None, sso=True)
    assert off.local is False and not off.users and not off.demo
    with pytest.raises(AuthConfigError, match="nobody could sign in"):
        account_setup(Settings(**live, local_sign_in=False), is_sandbox=False, secrets_path=None, sso=False)
    with pytest.raises(AuthConfigError, match="single sign-on is configured"):
        account_setup(Settings(**live, auth_disabled=True), is_sandbox=False, secrets_path=None, sso=True)


def test_sessions_past_their_identitys_expiry_are_purged(make_auth, store, clock):
    auth = make_auth(sso=SSO, idle_timeout=timedelta(hours=5))  # so only the ID token's expiry applies
    auth.sign_in_sso(SSO.identity(claims(groups=["console-ops"])))
    clock.advance(minutes=59)
    auth.sign_in("alice", PASSWORDS["alice"])
    assert len(store.accounts.sessions()) == 2
    clock.advance(minutes=1)
    auth.sign_in("alice", PASSWORDS["alice"])
    assert [row.user for row in store.accounts.sessions()] == ["alice", "alice"]
