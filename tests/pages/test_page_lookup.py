PAGE = "lookup"


def test_lookup_shows_status_amount_and_times(console):
    tx = console.sandbox.state.transaction_status(1)
    at = console.open(PAGE)
    at.text_input(key="transaction_id").input("1").run()
    assert not at.exception and not at.error
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Amount"] == f"₺{tx['amount']:,.2f}"
    assert metrics["Created"] == tx["created_at"]
    assert metrics["Completed"] == (tx["completed_at"] or "—")
    assert any(tx["status"] in md.value for md in at.markdown)  # the status badge


def test_lookup_link_with_transaction_id_in_the_url(console):
    from streamlit.testing.v1 import AppTest

    from tests.pages.conftest import CONSOLE

    console.sign_in_as("operator")
    at = AppTest.from_file(CONSOLE, default_timeout=60)
    at.query_params["transaction_id"] = "1"
    at.switch_page("pages/lookup.py").run()
    assert at.text_input(key="transaction_id").value == "1"
    assert any(m.label == "Amount" for m in at.metric)


def test_not_a_number_gets_a_message_and_no_call(console):
    at = console.open(PAGE)
    before = console.calls("GET /transaction-status")
    at.text_input(key="transaction_id").input("12a").run()
    assert "whole number" in at.error[0].value
    assert console.calls("GET /transaction-status") == before


def test_unknown_transaction_is_explained(console):
    at = console.open(PAGE)
    at.text_input(key="transaction_id").input("999999").run()
    assert not at.exception
    assert "Check the number" in at.error[0].value
