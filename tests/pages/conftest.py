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
from streamlit.testing.v1 import AppTest

from dashboard.store import Store
from dashboard.sandbox import SANDBOX_API_KEY, SANDBOX_SECRET_KEY, RunningSandbox

CONSOLE = str(Path(__file__).resolve().parents[2] / "console.py")
TIMEOUT = 60


@dataclass
class Console:
    """One console under test: the sandbox behind it and a way to open pages."""

    sandbox: RunningSandbox
    data_dir: Path
    downloads: dict[str, Callable[[], bytes]] = field(default_factory=dict)

    def open(self, page: str | None = None, **session: object) -> AppTest:
        at = AppTest.from_file(CONSOLE, default_timeout=TIMEOUT)
        for key, value in session.items():
            at.session_state[key] = value
        if page:
            at.switch_page(f"pages/{page}.py")
        return at.run()

    def download(self, suffix: str) -> bytes:
        """Run the newest download button whose file ends with `suffix`, as a click would."""
        name = [n for n in self.downloads if n.endswith(suffix)][-1]
        return self.downloads[name]()

    def store(self) -> Store:
        # Sandbox credentials keep their records apart from live ones (data_access._services).
        return Store.in_dir(self.data_dir / "sandbox")

    def calls(self, endpoint: str) -> int:
        """How often the sandbox was asked, e.g. calls("POST /send-money")."""
        return self.sandbox.state.call_counts().get(endpoint, 0)


def clear_streamlit_caches() -> None:
    st.cache_data.clear()
    st.cache_resource.clear()


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

    handle = Console(srv, tmp_path / "data")
    original = MediaFileManager.add_deferred

    # Download buttons hand Streamlit a callable that runs when clicked; keep the page's own
    # callables so tests read exactly the bytes a browser would get.
    def capture(self, data_callable, mimetype, coordinates, file_name=None, **kwargs):
        handle.downloads.pop(file_name, None)  # newest last
        handle.downloads[file_name] = data_callable
        return original(self, data_callable, mimetype, coordinates, file_name, **kwargs)

    monkeypatch.setattr(MediaFileManager, "add_deferred", capture)
    clear_streamlit_caches()
    yield handle
    clear_streamlit_caches()
