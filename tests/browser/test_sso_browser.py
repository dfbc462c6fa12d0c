"""Single sign-on in a real chromium against a REAL OpenID Connect provider on loopback
(the `oidc-provider-mock` package: discovery, authorization form, token endpoint, signed ID tokens).

- An operator opens a shared deep link signed out, signs in with the provider, lands on that very
  link, and sees the operator pages (Send money opens).
- Signing out ends the console session and Streamlit's identity cookie (st.user) alike.
- An identity the settings give no role is refused on the sign-in page and sees no data.

The console runs as `make run` starts it (`streamlit run app.py`, the sandbox), but from a folder
of its own whose `.streamlit/secrets.toml` holds the `[auth]` section naming the provider.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import time
from collections.abc import Iterator
from urllib.parse import quote, urlsplit

import httpx
import pytest
from playwright.sync_api import Page, expect

from tests.browser.test_console_browser import UI_TIMEOUT, main, menu, sidebar_of, wait_idle
from tests.helpers.console import REPO, console_env, healthy, streamlit_bin, wait_for
from tests.helpers.processes import free_port, stop_group

pytestmark = [pytest.mark.browser, pytest.mark.slow]

OPERATOR = "ops.person@example.com"
NOBODY = "eve@example.com"
SECRETS = """
[auth]
redirect_uri = "http://127.0.0.1:{port}/oauth2callback"
cookie_secret = "browser-test-cookie-secret-0123456789abcdef"
[auth.company]
client_id = "enigmapay-console"
client_secret = "browser-test-client-secret"
server_metadata_url = "{issuer}/.well-known/openid-configuration"
"""


@pytest.fixture(scope="module")
def oidc_provider() -> Iterator[str]:
    """The provider on loopback, with two people: one in the operators' group, one in none of ours."""
    import oidc_provider_mock

    with oidc_provider_mock.run_server_in_thread() as server:
        issuer = f"http://localhost:{server.server_port}"
        for sub, groups in ((OPERATOR, ["console-ops"]), (NOBODY, ["marketing"])):
            claims = {"email": sub, "email_verified": True, "name": sub.split("@")[0], "groups": groups}
            response = httpx.put(f"{issuer}/users/{quote(sub)}", json=claims, trust_env=False)
            assert response.status_code == 204, response.text
        yield issuer


@pytest.fixture(scope="module")
def sso_console(oidc_provider: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    home = tmp_path_factory.mktemp("sso-console")
    (home / ".streamlit").mkdir()
    shutil.copy(REPO / ".streamlit" / "config.toml", home / ".streamlit" / "config.toml")
    port = free_port()
    (home / ".streamlit" / "secrets.toml").write_text(SECRETS.format(port=port, issuer=oidc_provider))
    env = console_env(
        home / "data",
        2000,
        ENIGMAPAY_SSO_ROLE_CLAIM="groups",
        ENIGMAPAY_SSO_CLAIM_ROLES="console-ops=operator,console-admins=admin",
    )
    log_path = REPO / "artifacts" / "console-server-sso.log"
    log_path.parent.mkdir(parents=True, exist_ok=True)
    url = f"http://127.0.0.1:{port}"
    cmd = [str(streamlit_bin()), "run", str(REPO / "app.py"), "--server.port", str(port)]
    cmd += ["--server.address", "127.0.0.1", "--server.headless", "true"]
    with log_path.open("w", encoding="utf-8") as log:
        process = subprocess.Popen(
            cmd,
            cwd=home,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
        )
        try:
            tail = lambda: log_path.read_text(encoding="utf-8", errors="replace")[-3000:]  # noqa: E731
            wait_for(lambda: healthy(url + "/_stcore/health"), "health answer", process, tail, 60, 0.25)
            yield url
        finally:
            stop_group(process)


def sign_in_with_provider(page: Page, sub: str) -> None:
    """Press "Sign in with company", then authorize `sub` on the provider's own form."""
    button = main(page).get_by_role("button", name="Sign in with company")
    expect(button).to_be_visible(timeout=UI_TIMEOUT)
    button.click()
    page.get_by_placeholder("sub").fill(sub)
    page.get_by_role("button", name="Authorize").click()


def test_operator_signs_in_by_sso_and_lands_on_the_shared_link(page: Page, sso_console: str) -> None:
    page.goto(f"{sso_console}/transactions?iban=3")
    expect(main(page).get_by_role("heading", name="Sign in")).to_be_visible(timeout=30_000)
    sign_in_with_provider(page, OPERATOR)

    # ui.literal puts a word joiner before "@" (no mailto link): match the name around it
    signed_in = re.compile(r"Signed in as ops\.person\u2060?@example\.com \(operator\)")
    expect(sidebar_of(page).get_by_text(signed_in)).to_be_visible(timeout=30_000)
    wait_idle(page)
    parts = urlsplit(page.url)
    assert (parts.path, parts.query) == ("/transactions", "iban=3"), page.url
    assert "Send money" in menu(page) and "Audit log" not in menu(page)
    cookies = {c["name"]: c for c in page.context.cookies()}
    assert cookies["enigmapay_session"]["httpOnly"] and "enigmapay_sso_next" not in cookies

    page.goto(f"{sso_console}/send-money")  # an operator page opens
    expect(main(page).get_by_role("heading", name="Send money")).to_be_visible(timeout=UI_TIMEOUT)
    wait_idle(page)
    expect(main(page).get_by_text("Not allowed: your role cannot open this page.")).to_have_count(0)

    # Sign out: the console's session ends, and so does Streamlit's identity cookie (/auth/logout)
    with page.expect_response(lambda r: urlsplit(r.url).path == "/auth/logout", timeout=UI_TIMEOUT):
        sidebar_of(page).get_by_role("button", name="Sign out").click()
    deadline = time.monotonic() + 10  # the redirect chain may still be on its way
    while (names := {c["name"] for c in page.context.cookies(sso_console)}) & {"enigmapay_session", "_streamlit_user"}:
        assert time.monotonic() < deadline, f"still set after sign-out: {names}"
        page.wait_for_timeout(100)
    # The old link, in a new tab of the same browser (same cookies; the first tab may still be on
    # the provider's sign-out redirects), now asks to sign in again.
    again = page.context.new_page()
    again.goto(f"{sso_console}/send-money")
    expect(main(again).get_by_role("heading", name="Sign in")).to_be_visible(timeout=30_000)
    expect(main(again).get_by_role("button", name="Sign in with company")).to_be_visible()


def test_an_identity_with_no_role_is_refused(page: Page, sso_console: str) -> None:
    page.goto(f"{sso_console}/overview")
    sign_in_with_provider(page, NOBODY)
    refusal = "Your single sign-on account has no role in this console: ask an administrator for access."
    expect(main(page).get_by_text(refusal)).to_be_visible(timeout=30_000)
    wait_idle(page)
    assert "enigmapay_session" not in {c["name"] for c in page.context.cookies()}
    expect(sidebar_of(page).get_by_text("Signed in as")).to_have_count(0)
    expect(main(page).get_by_text("Total balance")).to_have_count(0)
