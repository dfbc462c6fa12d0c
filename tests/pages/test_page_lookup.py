import pytest

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


def test_unknown_transaction_is_explained_once(console):
    at = console.open(PAGE)
    at.text_input(key="transaction_id").input("999999").run()
    assert not at.exception
    [error] = at.error
    # Said once: the error's own text and a "what to do" hint used to both say to check the id.
    assert error.value.count("Check the") == 1 and "Check the ID" in error.value
    assert [h.value for h in at.subheader] == ["Transaction 999999"]  # which id was not found


@pytest.mark.parametrize(
    "typed, says",
    [
        ("٩٩٩٨", "digits 0-9"),
        ("１２", "digits 0-9"),
        (" 0123 ", "does not start with 0"),
        ("9223372036854775808", "at most"),
    ],
)
def test_ids_int_would_misread_get_a_message_and_no_call(console, typed, says):
    at = console.open(PAGE)
    before = console.calls("GET /transaction-status")
    at.text_input(key="transaction_id").input(typed).run()
    assert says in at.error[0].value and not at.subheader and not at.metric
    assert console.calls("GET /transaction-status") == before


def test_the_id_looked_up_is_shown(console):
    at = console.open(PAGE)
    at.text_input(key="transaction_id").input("  #1 ").run()
    assert not at.exception and not at.error
    assert [h.value for h in at.subheader] == ["Transaction 1"]
    assert any(m.label == "Amount" for m in at.metric)


def test_the_largest_id_the_receiver_stores_is_looked_up(console):
    at = console.open(PAGE)
    before = console.calls("GET /transaction-status")
    at.text_input(key="transaction_id").input("9223372036854775807").run()
    assert console.calls("GET /transaction-status") == before + 1  # asked, not refused as too long
    assert [h.value for h in at.subheader] == ["Transaction 9223372036854775807"]
