"""Sign-in, roles and sessions for the console (no Streamlit here).

    setup = account_setup(settings, is_sandbox=backend.is_sandbox)      # AuthConfigError: refuse to start
    auth = Authenticator.from_settings(setup, settings, store, audit)    # unless setup.disabled
    session = auth.sign_in(name, password, source=ip)                    # SignInError(message)
    url = auth.sign_in_url(auth.issue_ticket(session), "/overview")      # browser -> /auth/complete
    session = auth.session_from_cookies(st.context.cookies)              # every run; None = signed out
    can(session.role, "move_money")

Two-factor (TOTP): `sign_in` raises SecondFactorRequired for an enrolled user; then
`auth.complete_second_factor(exc.pending, code)`. Enrolment, recovery codes, reset: `auth.two_factor`
(dashboard.auth.totp_factor.TwoFactor); codes, QR and the secret box: dashboard.auth.totp.
Single sign-on (OIDC via st.login): `sso_setup(settings)`, `auth.sign_in_sso(auth.sso.identity(claims))`,
`auth.check_identity(session, identity)` on every run of an SSO session.

HTTP routes for the cookie: `dashboard.auth.routes.auth_routes`. Command line: `python -m dashboard.auth`.
"""

from dashboard.auth.authenticator import (
    CODE_NEEDED,
    LOCAL_SIGN_IN_OFF,
    SIGN_IN_EXPIRED,
    SSO_EXPIRED,
    SSO_NO_ROLE,
    SSO_NOT_SIGNED_IN,
    WRONG_CREDENTIALS,
    Authenticator,
    PendingSignIn,
    SecondFactorRequired,
    SignInError,
    audit_actor,
)
from dashboard.auth.passwords import (
    MIN_PASSWORD_LENGTH,
    HashFormatError,
    PasswordPolicyError,
    check_new_password,
    hash_password,
    parse_hash,
    verify_password,
)
from dashboard.auth.roles import CAPABILITIES, Role, can
from dashboard.auth.sessions import COOKIE_NAME, Session, load_session_secret
from dashboard.auth.sso import METHOD_SSO, Identity, SsoConfig, sso_setup
from dashboard.auth.throttle import ThrottlePolicy
from dashboard.auth.totp_factor import CodeError, Enrolment, FactorStatus, TwoFactor
from dashboard.auth.users import (
    DEMO_NOTICE,
    SINGLE_USER_NAME,
    SINGLE_USER_NOTICE,
    AccountSetup,
    AuthConfigError,
    DemoAccount,
    User,
    account_setup,
    demo_accounts,
    load_users,
    load_users_file,
    write_users_file,
)

__all__ = [
    "CAPABILITIES",
    "CODE_NEEDED",
    "SIGN_IN_EXPIRED",
    "CodeError",
    "Enrolment",
    "FactorStatus",
    "PendingSignIn",
    "SecondFactorRequired",
    "TwoFactor",
    "COOKIE_NAME",
    "DEMO_NOTICE",
    "SINGLE_USER_NAME",
    "SINGLE_USER_NOTICE",
    "MIN_PASSWORD_LENGTH",
    "WRONG_CREDENTIALS",
    "LOCAL_SIGN_IN_OFF",
    "METHOD_SSO",
    "SSO_EXPIRED",
    "SSO_NOT_SIGNED_IN",
    "SSO_NO_ROLE",
    "Identity",
    "SsoConfig",
    "sso_setup",
    "AccountSetup",
    "AuthConfigError",
    "Authenticator",
    "DemoAccount",
    "HashFormatError",
    "PasswordPolicyError",
    "Role",
    "Session",
    "SignInError",
    "ThrottlePolicy",
    "User",
    "account_setup",
    "audit_actor",
    "can",
    "check_new_password",
    "demo_accounts",
    "hash_password",
    "load_session_secret",
    "load_users",
    "load_users_file",
    "parse_hash",
    "verify_password",
    "write_users_file",
]
