"""AppTest fixtures: the console (console.py) against a fresh sandbox over real HTTP on loopback.

AppTest cannot run the `st.App` wrapper (app.py), so these run the navigation script directly.
Streamlit caches outlive one AppTest, so every test starts and ends with them cleared.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import streamlit as st
from streamlit.runtime.media_file_manager import MediaFileManager
from streamlit.runtime.pages_manager import PagesManager
from streamlit.testing.v1 import AppTest

from dashboard import data_access, services
from dashboard.auth import COOKIE_NAME, AuthConfigError, demo_accounts
from dashboard.config import ConfigError
from dashboard.sandbox import SANDBOX_API_KEY, SANDBOX_SECRET_KEY, RunningSandbox
from dashboard.store import Store
from dashboard.ui import access

CONSOLE = str(Path(__file__).resolve().parents[2] / "console.py")
TIMEOUT = 60


@dataclass
class Console:
    """One console under test: the sandbox behind it and a way to open pages."""

    sandbox: RunningSandbox
    data_dir: Path
    monkeypatch: pytest.MonkeyPatch
    downloads: dict[str, Callable[[], bytes]] = field(default_factory=dict)

    def sign_in_as(self, user: str | None) -> None:
        """Be a browser carrying `user`'s session cookie (None: signed out).

        AppTest cannot send cookies, so the console's one cookie reader is stood in for; the
        cookie itself is the real one /auth/complete would set (sign-in, ticket, completion).
        """
        cookies: dict[str, str] = {}
        try:
            auth = data_access.authenticator()
        except (ConfigError, AuthConfigError):
            auth = None  # the console itself shows this; nothing to sign in to
        if user is not None and auth is not None:  # None: ENIGMAPAY_AUTH_DISABLED, nobody signs in
            password = next(a.password for a in demo_accounts() if a.name == user)
            _session, cookie = auth.complete(auth.issue_ticket(auth.sign_in(user, password)))
            cookies = {COOKIE_NAME: cookie}
        self.monkeypatch.setattr(access, "request_cookies", lambda: cookies)

    def open(self, page: str | None = None, *, user: str | None = "admin", **session: object) -> AppTest:
        """Open the console (on `page`) as a demo `user` (admin by default; None: signed out)."""
        self.sign_in_as(user)
        at = AppTest.from_file(CONSOLE, default_timeout=TIMEOUT)
        for key, value in session.items():
            at.session_state[key] = value
        at.run()  # console.py first: it registers the pages this user may open
        if page and at.title and at.title[0].value != "Sign in":
            at.switch_page(f"pages/{page}.py").run()
        return at

    def download(self, suffix: str) -> bytes:
        """Run the newest download button whose file ends with `suffix`, as a click would."""
        name = [n for n in self.downloads if n.endswith(suffix)][-1]
        return self.downloads[name]()

    def store(self) -> Store:
        # Sandbox credentials keep their records apart from live ones (dashboard.services.records).
        return Store.in_dir(self.data_dir / "sandbox")

    def calls(self, endpoint: str) -> int:
        """How often the sandbox was asked, e.g. calls("POST /send-money")."""
        return self.sandbox.state.call_counts().get(endpoint, 0)


def clear_streamlit_caches() -> None:
    st.cache_data.clear()
    st.cache_resource.clear()
    services.reset()  # settings, backend, store, authenticator: built again from this test's env


@pytest.fixture
def console(make_sandbox, tmp_path, monkeypatch) -> Iterator[Console]:
    # Today's data: the pages' date presets are relative to the real clock.
    srv = make_sandbox(anchor=None, transactions=2_000)
    for name in [n for n in list(__import__("os").environ) if n.startswith("ENIGMAPAY_")]:
        monkeypatch.delenv(name)
    monkeypatch.setenv("ENIGMAPAY_BASE_URL", srv.base_url)
    monkeypatch.setenv("ENIGMAPAY_API_KEY", SANDBOX_API_KEY)
    monkeypatch.setenv("ENIGMAPAY_SECRET_KEY", SANDBOX_SECRET_KEY)
    monkeypatch.setenv("ENIGMAPAY_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.chdir(tmp_path)  # no stray .env or secrets.toml from the working tree

    handle = Console(srv, tmp_path / "data", monkeypatch)
    original = MediaFileManager.add_deferred

    # Download buttons hand Streamlit a callable that runs when clicked; keep the page's own
    # callables so tests read exactly the bytes a browser would get.
    def capture(self, data_callable, mimetype, coordinates, file_name=None, **kwargs):
        handle.downloads.pop(file_name, None)  # newest last
        handle.downloads[file_name] = data_callable
        return original(self, data_callable, mimetype, coordinates, file_name, **kwargs)

    monkeypatch.setattr(MediaFileManager, "add_deferred", capture)

    # AppTest turns Streamlit's legacy `pages/` folder mode back on for every run (it would run a
    # page script without console.py); the real server turns it off in app.py. Do the same here.
    original_init = PagesManager.__init__

    def without_legacy_pages_mode(self, *args, **kwargs):
        original_init(self, *args, **kwargs)
        PagesManager.uses_pages_directory = False

    monkeypatch.setattr(PagesManager, "__init__", without_legacy_pages_mode)
    clear_streamlit_caches()
    yield handle
    clear_streamlit_caches()
