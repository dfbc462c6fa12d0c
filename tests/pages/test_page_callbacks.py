"""Callbacks page: the feed with each event's verification, 'Verify now', forged events, timelines."""

import json
import re

from dashboard.callbacks import CallbackIntake, parse_callback
from tests.helpers.markdown import shown
from tests.pages.test_page_send_money import confirm, fill, review

PAGE = "callbacks"
TOKEN = "console-callback-token-0123456789"
FORGED_ID = 987_654_321


def deliver(console, **body) -> bool:
    """One callback delivery into the console's store, as the /callbacks route would store it."""
    intake = CallbackIntake(console.store(), token="test-intake-token-0123")
    return intake.accept(parse_callback(json.dumps(body).encode()), "127.0.0.1")


def feed(at):
    return at.dataframe[0].value  # the live feed is the page's first table


def verification_of(table, transaction_id):
    return list(table.loc[table["Transaction id"] == transaction_id, "Verification"])


def test_events_appear_with_verification_and_verify_now_asks_transaction_status(console):
    genuine = console.sandbox.state.transaction_status(1)
    deliver(console, transaction_id=1, status=genuine["status"], amount=genuine["amount"], username="user7")
    deliver(console, transaction_id=1, status=genuine["status"], amount=genuine["amount"], username="user7")  # repeat
    deliver(console, transaction_id=FORGED_ID, status="Completed", amount=99999, username="mallory")

    at = console.open(PAGE)
    assert not at.exception and not at.error
    table = feed(at)
    assert len(table) == 2  # the repeated delivery is stored once...
    assert list(table.loc[table["Transaction id"] == 1, "Deliveries"]) == [2]  # ...and counted
    assert verification_of(table, 1) == ["⏳ pending"] and verification_of(table, FORGED_ID) == ["⏳ pending"]
    assert list(table.loc[table["Transaction id"] == FORGED_ID, "Username"]) == ["mallory"]

    before = console.calls("GET /transaction-status")
    at.button(key="cb_verify").click().run()
    assert not at.exception
    assert console.calls("GET /transaction-status") == before + 2  # one question per transaction
    assert "1 verified" in at.success[0].value and "1 unverified" in at.success[0].value
    table = feed(at)
    assert verification_of(table, 1) == ["✅ verified"]
    assert verification_of(table, FORGED_ID) == ["⛔ unverified (forged?)"]  # EnigmaPay does not know it
    assert list(table.loc[table["Transaction id"] == 1, "EnigmaPay says"]) == [genuine["status"]]
    badges = " ".join(m.value for m in at.markdown)
    assert "verified: 1" in badges and "unverified (forged?): 1" in badges


def test_timeline_of_a_payout_joins_journal_callbacks_and_status_checks(console):
    at = confirm(review(fill(console.open("send_money"))))
    transaction_id = int(at.success[0].value.rsplit(":", 1)[1])
    deliver(console, transaction_id=transaction_id, status="Processing", amount="1500.50", username="user42")

    at = console.open(PAGE)
    at.button(key="cb_verify").click().run()  # a status check of that transaction
    at.text_input(key="cb_tx").input(str(transaction_id)).run()
    assert not at.exception and not at.error
    timeline = at.dataframe[-1].value
    sources = list(timeline["Source"])
    assert {"📒 journal", "📨 callback", "🔎 status check"} <= set(sources)
    assert list(timeline["Time"]) == sorted(timeline["Time"])  # in time order
    assert sources[0] == "📒 journal" and timeline["What"].iloc[0] == "payout submitted"
    callback_row = timeline[timeline["Source"] == "📨 callback"].iloc[0]
    assert callback_row["Status"] == "Processing"
    # The sandbox settles payouts within a second: the check saw a later status than the callback.
    assert "superseded" in callback_row["Detail"] or "verified" in callback_row["Detail"]
    assert "Current status" in " ".join(m.value for m in at.markdown)


def test_timeline_input_checks_the_number_and_says_when_nothing_is_known(console):
    at = console.open(PAGE)
    at.text_input(key="cb_tx").input("12x").run()
    assert "whole number" in at.error[0].value
    at.text_input(key="cb_tx").input("٤٢٤٢٤٢").run()  # Arabic-Indic digits: int() reads 424242
    assert "digits 0-9" in at.error[0].value and not any("no record" in i.value for i in at.info)
    at.text_input(key="cb_tx").input("424242").run()
    assert "no record of transaction 424242" in at.info[-1].value


def test_callback_url_is_shown_with_the_token_masked(console, monkeypatch):
    monkeypatch.setenv("ENIGMAPAY_CALLBACK_TOKEN", TOKEN)
    at = console.open(PAGE)
    text = shown(" ".join(m.value for m in at.markdown) + " ".join(c.value for c in at.caption))
    assert "/callbacks/••••6789" in text
    assert TOKEN not in text and TOKEN[:-4] not in text


def test_live_api_without_a_token_explains_how_to_configure_callbacks(console, monkeypatch):
    monkeypatch.setenv("ENIGMAPAY_API_KEY", "a-live-dealer-key")  # not the sandbox pair: a live connection
    monkeypatch.setenv("ENIGMAPAY_SECRET_KEY", "a-live-dealer-secret")
    monkeypatch.setenv("ENIGMAPAY_AUTH_DISABLED", "true")  # live credentials: no demo accounts to sign in with
    at = console.open(PAGE)
    assert not at.exception
    assert any("Callbacks are not configured" in w.value for w in at.warning)
    assert "ENIGMAPAY_CALLBACK_TOKEN" in " ".join(m.value for m in at.markdown)
    assert not any(b.key == "cb_verify" for b in at.button)


def test_the_backlog_waiting_for_verification_is_shown(console):
    for transaction_id in (1, 2, 3):
        deliver(console, transaction_id=transaction_id, status="Completed", amount="10.00", username="user7")
    at = console.open(PAGE)
    assert not at.exception
    captions = " ".join(c.value for c in at.caption)
    assert re.search(r"3 event\(s\) waiting for verification; the oldest arrived \d+ s ago\.", captions), captions
    at.button(key="cb_verify").click().run()
    assert "waiting for verification" not in " ".join(c.value for c in at.caption)


def test_an_event_with_an_impossible_amount_is_shown_flagged_and_not_verified(console):
    deliver(console, transaction_id=1, status="Completed", amount=-250, username="user7")
    at = console.open(PAGE)
    assert not at.exception
    table = feed(at)
    assert verification_of(table, 1) == ["⛔ impossible amount"]
    before = console.calls("GET /transaction-status")
    at.button(key="cb_verify").click().run()
    assert console.calls("GET /transaction-status") == before  # never checked, never trusted
    assert verification_of(feed(at), 1) == ["⛔ impossible amount"]
