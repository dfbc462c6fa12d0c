"""The Approvals page and the Send money form above ENIGMAPAY_APPROVAL_THRESHOLD (AppTest, real sandbox)."""

from __future__ import annotations

import pytest

from tests.helpers.markdown import shown

GOOD = {"username": "user42", "amount": "1500,50", "iban": "TR33 0006 1005 1978 6457 8413 26", "name": "Şule Yılmaz"}


@pytest.fixture
def four_eyes(console, monkeypatch):
    monkeypatch.setenv("ENIGMAPAY_APPROVAL_THRESHOLD", "1000")
    return console


def ask_approval(console, user="operator", **values):
    """Fill Send money as `user`, review, and submit: above the threshold that asks for approval."""
    at = console.open("send_money", user=user)
    for name, value in {**GOOD, **values}.items():
        at.text_input(key=f"send_{name}").input(value)
    at.run()
    at.button(key="send_review").click().run()
    assert not any(b.key == "send_confirm" for b in at.button)  # no way to send it directly
    assert any("waits for a second person's approval" in i.value for i in at.info)
    return at.button(key="send_request_approval").click().run()


def card_buttons(at):
    return {
        b.key.rsplit("_", 1)[0]: b for b in at.button if b.key and b.key.startswith(("appr_approve", "appr_reject"))
    }


def test_above_the_threshold_the_form_asks_for_approval_and_sends_nothing(four_eyes):
    at = ask_approval(four_eyes)
    assert not at.exception
    assert any("Waiting for a second person's approval" in i.value for i in at.info)
    assert four_eyes.calls("POST /send-money") == 0
    for _ in range(2):  # reruns make no second request
        at.run()
    mine = four_eyes.open("approvals", user="operator")
    assert not at.exception and not mine.exception
    table = mine.dataframe[0].value
    assert list(table["State"]) == ["waiting"] and list(table["Amount"]) == ["₺1,500.50"]
    assert not card_buttons(mine)  # an operator makes requests; it cannot decide any
    assert four_eyes.calls("POST /send-money") == 0


def test_the_approver_sees_the_queue_with_totals_and_approving_sends_once(four_eyes):
    ask_approval(four_eyes)
    ask_approval(four_eyes, amount="2000", username="user43")
    at = four_eyes.open("approvals", user="approver")
    assert not at.exception
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Requests waiting"] == "2" and metrics["Total amount"] == "₺3,500.50"
    assert "2 waiting for your approval" in " ".join(m.value for m in at.sidebar.markdown)
    summary = shown(" ".join(m.value for m in at.markdown))
    assert "TR33 **** **** 1326" in summary and "TR33 0006 1005 1978 6457 8413 26" not in summary
    assert "₺1,510.50" in summary  # the total debited the maker saw
    first = sorted(k for k in card_buttons(at))
    assert first == ["appr_approve", "appr_reject"]
    approve = [b for b in at.button if b.key.startswith("appr_approve")][0]
    approve.click().run()
    assert not at.exception
    assert any("approved" in s.value for s in at.success)
    assert any("Transaction id:" in s.value for s in at.success)
    assert four_eyes.calls("POST /send-money") == 1
    for _ in range(2):
        at.run()
    assert four_eyes.calls("POST /send-money") == 1
    assert {m.label: m.value for m in at.metric}["Requests waiting"] == "1"
    mine = four_eyes.open("approvals", user="operator").dataframe[0].value
    assert sorted(mine["State"]) == ["approved", "waiting"]
    assert "confirmed" in list(mine["Payout"])


def test_the_maker_cannot_decide_their_own_request(four_eyes):
    ask_approval(four_eyes, user="admin")
    at = four_eyes.open("approvals", user="admin")
    assert not at.exception
    buttons = [b for b in at.button if b.key.startswith(("appr_approve", "appr_reject"))]
    assert buttons and all(b.disabled for b in buttons)
    assert any("You made this request" in c.value for c in at.caption)
    assert "waiting for your approval" not in " ".join(m.value for m in at.sidebar.markdown)
    assert four_eyes.calls("POST /send-money") == 0


def test_rejecting_needs_a_note_and_sends_nothing(four_eyes):
    ask_approval(four_eyes)
    at = four_eyes.open("approvals", user="approver")
    reject = [b for b in at.button if b.key.startswith("appr_reject")][0]
    reject.click().run()
    assert any("Say why the request is rejected" in e.value for e in at.error)
    note = [t for t in at.text_input if t.key.startswith("appr_note_")][0]
    note.input("Account holder does not match").run()
    [b for b in at.button if b.key.startswith("appr_reject")][0].click().run()
    assert not at.exception and any("rejected" in i.value for i in at.info)
    assert four_eyes.calls("POST /send-money") == 0
    form = four_eyes.open("send_money", user="operator")  # a new session: the form is fresh
    mine = four_eyes.open("approvals", user="operator").dataframe[0].value
    assert list(mine["State"]) == ["rejected"] and list(mine["Note"]) == ["Account holder does not match"]
    assert not form.exception and four_eyes.calls("POST /send-money") == 0


def test_the_makers_form_follows_the_request_to_its_payout(four_eyes):
    at = ask_approval(four_eyes)
    approver = four_eyes.open("approvals", user="approver")
    [b for b in approver.button if b.key.startswith("appr_approve")][0].click().run()
    four_eyes.sign_in_as("operator")
    at.run()  # the maker's open form, on its next run
    assert not at.exception
    assert any("Transaction id:" in s.value for s in at.success)
    assert four_eyes.calls("POST /send-money") == 1


def test_below_the_threshold_nothing_changes(four_eyes):
    at = four_eyes.open("send_money", user="operator")
    for name, value in {**GOOD, "amount": "999,99"}.items():
        at.text_input(key=f"send_{name}").input(value)
    at.run()
    at.button(key="send_review").click().run()
    at.button(key="send_confirm").click().run()
    assert any("Transaction id:" in s.value for s in at.success)
    assert four_eyes.calls("POST /send-money") == 1


def test_a_viewer_cannot_open_approvals_and_sign_in_off_says_nobody_can_approve(console, monkeypatch):
    at = console.open("approvals", user="viewer")
    assert [e.value for e in at.error] == ["Not allowed: your role cannot open this page."]
    monkeypatch.setenv("ENIGMAPAY_AUTH_DISABLED", "true")
    from tests.pages.conftest import clear_streamlit_caches

    clear_streamlit_caches()
    alone = console.open("approvals", user=None)
    assert not alone.exception
    assert any("there is no second person" in w.value for w in alone.warning)


def test_a_batchs_card_names_its_figures_in_words_and_shows_money_as_money(console):
    """The approver reads a batch's summary as labelled figures (the file, its counts, ₺ amounts), never as
    the stored keys (`to_send`, `include_flagged: False`) or a bare decimal."""
    iban = GOOD["iban"].replace(" ", "")
    lines = ["username;amount;customer_iban;customer_name"] + [f"kişi{i};{i + 1},00;{iban};Ali Veli" for i in range(8)]
    lines += [f"kişi0;1,00;{iban};Ali Veli", f"x;0;{iban};Ali Veli"]  # a repeat, a row not valid
    maker = console.open("batch_payouts", user="operator")
    maker.file_uploader[0].set_value(("ödemeler.csv", ("\n".join(lines) + "\n").encode(), "text/csv")).run()
    maker.button(key="batch_submit").click().run()
    assert not maker.exception
    at = console.open("approvals", user="approver")
    assert not at.exception
    summary = shown(" ".join(m.value for m in at.markdown))
    for line in (
        "**File**: ödemeler.csv",
        "**Rows in the file**: 10",
        "**Rows to send**: 8",
        "**Not valid**: 1",
        "**Flagged as repeats**: 1",
        "**Flagged rows sent too**: no",
        "**Amount**: ₺36.00",
        "**Total debited**: ₺56.20",
    ):
        assert line in summary, (line, summary)
    for raw in ("file_name", "to_send", "include_flagged", "False"):
        assert raw not in summary, raw
