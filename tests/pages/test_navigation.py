import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_every_page_renders_without_error(console):
    from dashboard.ui.pages import PAGES

    for entry in PAGES:
        page = entry.script.removeprefix("pages/").removesuffix(".py")
        at = console.open(page)
        assert not at.exception, page
        assert not at.error, (page, [e.value for e in at.error])
        assert at.title, page


def test_every_page_file_is_in_the_navigation_table():
    # A `pages/` folder beside the entry script is also Streamlit's old automatic multipage layout;
    # console.py's st.navigation decides the pages, so every page file must be in its table.
    from dashboard.ui.pages import PAGES

    assert "st.navigation(" in (ROOT / "console.py").read_text()
    on_disk = {
        f"pages/{p.name}" for p in (ROOT / "pages").glob("*.py") if p.name != "__init__.py"
    }  # a package for import-linter
    assert on_disk == {entry.script for entry in PAGES}


def test_server_turns_off_the_legacy_pages_folder_mode_before_any_request():
    import importlib

    from streamlit.runtime.pages_manager import PagesManager

    PagesManager.uses_pages_directory = None
    importlib.reload(importlib.import_module("app"))
    assert PagesManager.uses_pages_directory is False


def test_served_app_never_offers_the_tables_built_in_download(tmp_path, monkeypatch):
    """The table toolbar's "Download as CSV" bypasses the safe, audited export: app.py switches it
    off even where our .streamlit/config.toml is missing, and it stays off when the config files are
    re-read (Streamlit does that whenever config.toml changes on disk)."""
    import importlib

    from streamlit import config

    monkeypatch.chdir(tmp_path)  # a deployment started elsewhere: no .streamlit/config.toml
    config.set_option("client.disableDataExport", False)
    importlib.reload(importlib.import_module("app"))
    assert config.get_option("client.disableDataExport") is True
    config.get_config_options(force_reparse=True)
    assert config.get_option("client.disableDataExport") is True


def test_config_file_switches_off_the_tables_built_in_download():
    import tomllib

    settings = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text())
    assert settings["client"]["disableDataExport"] is True


def test_page_scripts_never_talk_http_themselves():
    for page in (ROOT / "pages").glob("*.py"):
        text = page.read_text()
        assert "httpx" not in text and "EnigmaPayClient" not in text, page.name


def _sign_in_page_paths():
    import streamlit as st

    from dashboard.ui.access import sign_in_pages

    st.text(repr([p.url_path for p in sign_in_pages()]))


def test_sign_in_has_its_own_address_besides_the_root():
    # Streamlit serves the default page at "/" whatever its url_path: /sign-in needs its own page.
    from streamlit.testing.v1 import AppTest

    from dashboard.ui.access import SIGN_IN_PATH
    from dashboard.ui.pages import PAGES

    at = AppTest.from_function(_sign_in_page_paths).run()
    paths = ast.literal_eval(at.text[0].value)
    assert paths.count("") == 1 and SIGN_IN_PATH in paths
    assert {entry.url_path for entry in PAGES} <= set(paths)  # a shared link keeps its address


def _open_by_address(console, monkeypatch, address: str):
    """Open the console as a browser does when `address` (e.g. "overview") is typed into the address
    bar: the first run asks for the page by its name, with no page hash yet. Returns (AppTest, how
    often Streamlit answered "Page not found")."""
    import functools

    from streamlit.commands import navigation
    from streamlit.runtime.scriptrunner import RerunData
    from streamlit.testing.v1 import AppTest, local_script_runner

    from tests.pages.conftest import CONSOLE, TIMEOUT

    not_found = []
    real = navigation.send_page_not_found
    monkeypatch.setattr(navigation, "send_page_not_found", lambda ctx: not_found.append(1) or real(ctx))
    monkeypatch.setattr(local_script_runner, "RerunData", functools.partial(RerunData, page_name=address))
    console.sign_in_as("admin")
    at = AppTest.from_file(CONSOLE, default_timeout=TIMEOUT).run()
    return at, len(not_found)


def test_the_overview_has_its_own_address_besides_the_root(console, monkeypatch):
    # Streamlit serves the default page at "/" and answered "Page not found" at /overview.
    at, not_found = _open_by_address(console, monkeypatch, "overview")
    assert not at.exception and not_found == 0
    assert at.title[0].value == "Overview"
    at.switch_page("pages/balances.py").run()  # the menu's links still lead to their pages
    assert at.title[0].value == "Balances"
    at.switch_page("pages/overview.py").run()
    assert at.title[0].value == "Overview"


def test_an_unknown_address_is_still_not_found(console, monkeypatch):
    at, not_found = _open_by_address(console, monkeypatch, "no-such-page")
    assert not_found == 1 and at.title[0].value == "Overview"  # the check above can fail
