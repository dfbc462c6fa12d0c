from decimal import Decimal

from dashboard import data_access
from dashboard.sandbox import Faults
from tests.helpers.markdown import shown


def metrics(at) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def test_overview_shows_channels_commissions_connection_and_total(console):
    at = console.open()
    assert not at.exception
    assert [s.value for s in at.success] == ["Connection successful"]
    m = metrics(at)
    assert m["Commission"] == "3.50%"
    assert m["Withdrawal commission"] == "0.50%"
    assert m["Withdrawal fee"] == "₺2.50"
    # A fresh sandbox has no payouts in flight, so its live balances are what /ibans shows.
    total = Decimal(sum(console.sandbox.state.live_balances())) / 100
    assert m["Total balance"] == f"₺{total:,.2f}"


def test_sidebar_says_sandbox_and_when_data_was_fetched(console):
    at = console.open()
    sidebar = at.sidebar
    assert any("SANDBOX" in md.value for md in sidebar.markdown)
    assert any(c.value.startswith("Data fetched") for c in sidebar.caption)


def test_upstream_failure_is_a_message_not_a_traceback_and_keeps_cached_data(console):
    at = console.open()
    assert metrics(at)["Total balance"].startswith("₺")
    console.sandbox.state.set_faults(Faults(error_rate=1.0))
    at.sidebar.button(key="sidebar_refresh").click().run()
    assert not at.exception
    errors = " ".join(e.value for e in at.error)
    assert "EnigmaPay had a problem" in errors
    # The last good numbers stay, marked with their age.
    assert metrics(at)["Total balance"].startswith("₺")
    assert any("the refresh failed" in w.value for w in at.warning)


def test_wrong_credentials_explain_what_to_do(console, monkeypatch):
    monkeypatch.setenv("ENIGMAPAY_SECRET_KEY", "not-the-secret")
    monkeypatch.setenv("ENIGMAPAY_AUTH_DISABLED", "true")  # "live" credentials: no demo accounts
    at = console.open()
    assert not at.exception
    text = shown(" ".join(e.value for e in at.error))
    assert "ENIGMAPAY_API_KEY" in text and "not-the-secret" not in text


def test_key_without_secret_refuses_to_start_with_a_clear_message(console, monkeypatch):
    monkeypatch.delenv("ENIGMAPAY_SECRET_KEY")
    at = console.open()
    assert not at.exception
    assert "ENIGMAPAY_SECRET_KEY is not" in shown(at.error[0].value)


def test_one_outage_is_one_error_box_not_one_per_call(console):
    # Settings and IBANs both fail for one reason: the page says it once.
    console.sandbox.state.set_faults(Faults(error_rate=1.0))
    at = console.open()
    assert not at.exception
    assert len(at.error) == 1, [e.value for e in at.error]
    assert "EnigmaPay had a problem" in shown(at.error[0].value)


def test_refresh_from_a_tab_whose_session_ended_asks_the_api_nothing(console):
    at = console.open()
    assert not at.exception
    before = console.calls("GET /ibans")
    data_access.sign_out_everywhere("admin", actor="admin")  # e.g. from another tab or replica
    at.sidebar.button(key="sidebar_refresh").click().run()
    assert not at.exception
    assert at.title[0].value == "Sign in"
    # The next load anywhere (another tab, the background's snapshot) still uses the fresh shared
    # answer: the click forced nothing.
    data_access.load_ibans()
    assert console.calls("GET /ibans") == before
