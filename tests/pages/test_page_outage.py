"""A database that cannot be reached: every page (the sign-in page too) shows one clear notice instead
of a traceback, nothing that depends on the store stays on screen, nothing is changed, and the
console works again by itself when the database is back (dashboard/ui/outage.py)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from streamlit.testing.v1 import AppTest

from dashboard import services
from dashboard.store import StoreUnavailable
from dashboard.ui import outage
from dashboard.ui.pages import PAGES
from tests.helpers.outage import StoreSwitch
from tests.pages.conftest import CONSOLE, TIMEOUT
from tests.pages.test_page_send_money import GOOD

NOTICE = outage.UNAVAILABLE
TR_NOTICE = "Konsolun veritabanına şu anda ulaşılamıyor."


@pytest.fixture
def store(monkeypatch) -> StoreSwitch:
    return StoreSwitch(monkeypatch)


def _notice_only(at) -> None:
    """The run ended with the notice and nothing else: no traceback, no page, no sidebar."""
    assert not at.exception, [e.value for e in at.exception]
    assert any(NOTICE in e.value for e in at.error), [e.value for e in at.error]
    assert not at.title, [t.value for t in at.title]
    assert not at.dataframe and not at.metric and not at.table
    assert not at.sidebar.button and not at.sidebar.selectbox and not at.sidebar.caption
    assert [b.key for b in at.button] == ["outage_try_again"]  # the only thing left to press


@pytest.mark.parametrize("entry", PAGES, ids=lambda e: e.url_path)
def test_every_page_says_the_database_cannot_be_reached_then_recovers(console, store, entry):
    page = entry.script.removeprefix("pages/").removesuffix(".py")
    at = console.open(page)
    assert not at.exception and at.title  # the page works
    store.down()
    at.run()
    _notice_only(at)
    store.up()
    at.button(key="outage_try_again").click().run()
    assert not at.exception
    assert not any(NOTICE in e.value for e in at.error)
    assert at.title and at.title[0].value != "Sign in"  # still signed in: the session was never lost


def test_an_outage_in_the_middle_of_a_page_takes_away_what_it_had_drawn(console, store):
    at = console.open("operations")
    assert at.title and at.sidebar.button  # the page and the signed-in sidebar
    store.down(only="FROM operations")  # the sign-in check passes; the page's journal read fails
    at.run()
    _notice_only(at)
    assert store.refused


def test_the_sign_in_page_says_so_when_the_store_cannot_even_be_opened(console, store):
    console.sign_in_as(None)
    services.reset()  # nothing opened yet: building the records and the authenticator fails
    store.down()
    at = AppTest.from_file(CONSOLE, default_timeout=TIMEOUT).run()
    _notice_only(at)
    store.up()
    at.run()
    assert not at.exception and at.title[0].value == "Sign in"


def test_signing_in_during_an_outage_says_so_and_counts_no_failed_attempt(console, store):
    at = console.open(user=None)
    assert at.title[0].value == "Sign in"
    store.down()
    at.text_input(key="signin_name").input("admin")
    at.text_input(key="signin_password").input("wrong password")
    at.button[0].click().run()
    _notice_only(at)
    assert store.refused
    store.up()
    rows = console.store().engine.read("SELECT count(*) AS n FROM auth_throttle")
    assert rows[0]["n"] == 0  # the refused attempt left nothing behind


def test_the_notice_speaks_turkish(console, store):
    at = console.open("overview", lang="tr")
    store.down()
    at.run()
    assert not at.exception
    assert any(TR_NOTICE in e.value for e in at.error), [e.value for e in at.error]


def test_a_payout_confirmed_during_an_outage_is_not_sent(console, store):
    at = console.open("send_money")
    for name, value in GOOD.items():
        at.text_input(key=f"send_{name}").input(value)
    at.run()
    at.button(key="send_review").click().run()
    store.down()
    at.button(key="send_confirm").click().run()
    _notice_only(at)
    assert console.calls("POST /send-money") == 0  # the intent could not be written: nothing sent
    store.up()
    assert console.store().operations.recent(10) == []  # no half-written intent either
    intents = console.store().engine.read("SELECT count(*) AS n FROM audit_log WHERE outcome = 'intent'")
    assert intents[0]["n"] == 0


def test_a_button_callback_during_an_outage_says_the_action_was_not_done(console, store):
    at = console.open("callbacks")
    store.down()
    at.button(key="cb_verify").click().run()  # its callback runs before the script: no traceback
    assert not at.exception
    assert any(outage.ACTION_NOT_DONE in w.value for w in at.warning)
    _notice_only(at)
    store.up()
    at.run()
    assert not at.exception and not any(outage.ACTION_NOT_DONE in w.value for w in at.warning)


def test_the_saved_language_is_loaded_once_the_database_is_back(console, store):
    console.store().accounts.set_language("admin", "tr", at=datetime.now(UTC))
    console.sign_in_as("admin")
    store.down(only="FROM user_preferences")  # signed in, then reading the saved language fails
    at = AppTest.from_file(CONSOLE, default_timeout=TIMEOUT).run()  # a new session, its first run
    _notice_only(at)
    assert store.refused
    store.up()
    at.run()
    assert not at.exception
    assert at.session_state["lang"] == "tr"  # not skipped because the first try failed


def test_the_notice_is_raised_only_for_store_unavailable(console, monkeypatch):
    """Other errors are not dressed up as an outage (they stay bugs to see)."""
    from dashboard import data_access

    at = console.open("overview")
    monkeypatch.setattr(data_access, "user_language", lambda user: (_ for _ in ()).throw(RuntimeError("bug")))
    at.session_state["_lang_user"] = "someone else"
    at.run()
    assert at.exception
    assert not any(NOTICE in e.value for e in at.error)


def test_store_unavailable_is_a_store_error():
    from dashboard.store import StoreError

    assert issubclass(StoreUnavailable, StoreError)


# --- fragments that rerun on their own (run_every) run without console.py around them -------------


def _fragment_under_test(monkeypatch, failing: bool):
    import streamlit as st

    reruns: list[str] = []
    monkeypatch.setattr(st, "fragment", lambda **kwargs: lambda fn: fn)  # the body as a plain function
    monkeypatch.setattr(st, "rerun", lambda scope="fragment": reruns.append(scope))

    @outage.fragment(run_every=None)
    def panel() -> None:
        if failing:
            raise StoreUnavailable("down")

    return panel, reruns


def test_a_fragment_rerun_that_cannot_reach_the_store_reruns_the_whole_app(monkeypatch):
    panel, reruns = _fragment_under_test(monkeypatch, failing=True)
    panel()  # a rerun of the fragment alone: no traceback, the full run shows the notice
    assert reruns == ["app"]


def test_inside_a_full_run_a_fragment_leaves_the_error_to_the_console(monkeypatch):
    panel, reruns = _fragment_under_test(monkeypatch, failing=True)
    monkeypatch.setattr(outage._full_run, "active", True, raising=False)
    with pytest.raises(StoreUnavailable):
        panel()  # run_guarded shows the notice; a rerun here could loop
    assert reruns == []


def test_pages_declare_their_fragments_through_the_outage_guard():
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    for page in (root / "pages").glob("*.py"):
        assert "st.fragment" not in page.read_text(), f"{page.name}: use outage.fragment (dashboard/ui/outage.py)"


def test_every_page_callback_is_guarded():
    """Widget callbacks run before the script, outside console.py's guard: each page's on_click /
    on_change function is wrapped in outage.guard_callback (a new one that touches the store would
    otherwise show a traceback during an outage)."""
    import ast
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    unguarded = []
    for page in sorted((root / "pages").glob("*.py")):
        tree = ast.parse(page.read_text())
        guarded = {
            f.name
            for f in ast.walk(tree)
            if isinstance(f, ast.FunctionDef)
            and any(ast.unparse(d) == "outage.guard_callback" for d in f.decorator_list)
        }
        for call in ast.walk(tree):
            for kw in getattr(call, "keywords", []) if isinstance(call, ast.Call) else []:
                if kw.arg in ("on_click", "on_change") and isinstance(kw.value, ast.Name):
                    if kw.value.id not in guarded:
                        unguarded.append(f"{page.name}: {kw.value.id}")
    assert not unguarded
