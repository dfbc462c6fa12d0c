"""Operations page: unknown outcomes are listed, settled by status checks and never sent again.

What the sandbox does with a hung send-money (checked, not assumed): the request is counted, the
handler sleeps for the hang and only then reads the body -- by then the console's client has given
up and disconnected, so the body read fails and *no payout is created*. So a hung request whose
client timed out is a payout that was never made; the case where the provider did carry it out
while the answer was lost is made by creating the payout in the sandbox's state directly.
"""

import time
from datetime import UTC
from decimal import Decimal

import pytest

from dashboard.journal import Journal
from dashboard.sandbox import Faults
from tests.helpers.markdown import shown
from tests.pages.test_page_send_money import GOOD, confirm, fill, reload_and_dismiss, review

PAGE = "operations"
HANG = 2.0
IBAN = "TR330006100519786457841326"


@pytest.fixture
def unknown_payout(console, monkeypatch):
    """A payout sent through the Send money page whose answer never came; returns its operation id."""
    monkeypatch.setenv("ENIGMAPAY_TIMEOUT", "1")
    console.sandbox.state.set_faults(Faults(hang_paths=("send-money",), hang_seconds=HANG))
    at = confirm(review(fill(console.open("send_money", user="operator"))))
    assert "outcome is unknown" in at.warning[0].value
    op_id = at.session_state["send_result"]
    assert console.calls("POST /send-money") == 1
    console.sandbox.state.set_faults(Faults())  # the hang is lifted
    time.sleep(HANG + 0.5)  # let the sandbox's handler finish with the abandoned request
    return op_id


def card_text(at) -> str:
    return shown(" ".join(m.value for m in at.markdown) + " " + " ".join(c.value for c in at.caption))  # as rendered


def op_state(console, op_id):
    return console.store().operations.get(op_id).state


def test_policy_is_stated_and_nothing_open_on_a_fresh_console(console):
    at = console.open(PAGE, user="operator")
    assert not at.exception
    assert "never by sending again" in at.info[0].value
    assert "Nothing open" in at.success[0].value


def test_unknown_payout_is_listed_with_what_was_sent(console, unknown_payout):
    at = console.open(PAGE, user="operator")
    assert not at.exception
    text = card_text(at)
    for expected in ("₺1,500.50", "TR33 **** **** 1326", "user42", "Şule Yılmaz", "operator", unknown_payout):
        assert expected in text
    assert IBAN not in text and GOOD["iban"] not in text  # only the masked IBAN is shown
    assert "Why it is open" in text
    assert any(b.key == f"ops_check_{unknown_payout}" for b in at.button)


def test_check_now_finds_no_payout_when_the_sandbox_never_made_it(console, unknown_payout):
    # The sandbox dropped the abandoned request: no live transaction was created.
    assert console.sandbox.state.transaction(console.sandbox.state.data.size + 1) is None
    at = console.open(PAGE, user="operator")
    history_reads = console.calls("GET /transactions")
    at.button(key=f"ops_check_{unknown_payout}").click().run()
    assert not at.exception
    assert "Still unknown" in at.warning[-1].value and "Nothing was sent again" in at.warning[-1].value
    assert console.calls("GET /transactions") > history_reads  # it did look
    assert console.calls("POST /send-money") == 1  # and never resent
    assert op_state(console, unknown_payout) == "unknown"


def test_check_now_settles_from_the_history_when_the_provider_did_make_it(console, unknown_payout):
    # The provider carried the payout out but its answer was lost on the way back.
    tx = console.sandbox.state.send_money("user42", Decimal("1500.50"), IBAN, "Şule Yılmaz", None)
    at = console.open(PAGE, user="operator")
    at.button(key=f"ops_check_{unknown_payout}").click().run()
    assert not at.exception
    assert f"transaction {tx.id}" in at.success[0].value and "Nothing was sent again" in at.success[0].value
    row = console.store().operations.get(unknown_payout)
    assert row.state == "confirmed" and row.transaction_id == tx.id
    assert console.calls("POST /send-money") == 1
    # Settled: no longer listed as needing attention (a fresh session shows the calm state).
    assert "Nothing open" in console.open(PAGE, user="operator").success[0].value
    settles = console.store().audit.query(action="settle")
    assert settles and settles[0].actor == "operator" and settles[0].iban_masked == "TR33 **** **** 1326"


def test_mark_resolved_needs_a_confirm_step_and_a_note(console, unknown_payout):
    at = console.open(PAGE, user="operator")
    assert not any(b.key == "ops_resolve_confirm" for b in at.button)  # nothing to confirm yet
    at.button(key=f"ops_resolve_{unknown_payout}").click().run()
    at.button(key="ops_resolve_confirm").click().run()  # no note
    assert "note is required" in at.error[0].value
    assert op_state(console, unknown_payout) == "unknown"

    at.text_area(key="ops_note").input("Called EnigmaPay support (Ayşe): no such payout.").run()
    at.button(key="ops_resolve_confirm").click().run()
    assert not at.exception
    assert "Marked as not sent" in at.success[0].value
    row = console.store().operations.get(unknown_payout)
    assert row.state == "not_sent" and row.resolved_by == "operator"
    assert "Ayşe" in row.resolution_note
    audit = console.store().audit.query(action="mark_resolved")[0]
    assert audit.outcome == "not_sent" and audit.iban_masked == "TR33 **** **** 1326"
    assert console.calls("POST /send-money") == 1


def test_resolving_with_an_id_int_would_misread_is_refused(console, unknown_payout):
    at = console.open(PAGE, user="operator")
    at.button(key=f"ops_resolve_{unknown_payout}").click().run()
    at.text_area(key="ops_note").input("EnigmaPay support gave the id").run()
    at.text_input(key="ops_resolve_tx").input("٩٩٩٨").run()  # int() reads 9998
    at.button(key="ops_resolve_confirm").click().run()
    assert not at.exception and "digits 0-9" in at.error[0].value
    assert op_state(console, unknown_payout) == "unknown"
    at.text_input(key="ops_resolve_tx").input("9223372036854775807").run()  # the largest id is an id
    at.button(key="ops_resolve_confirm").click().run()
    assert console.store().operations.get(unknown_payout).transaction_id == 2**63 - 1


def test_cancel_leaves_the_entry_open(console, unknown_payout):
    at = console.open(PAGE, user="operator")
    at.button(key=f"ops_resolve_{unknown_payout}").click().run()
    at.text_area(key="ops_note").input("typed, then thought better of it").run()
    at.button(key="ops_resolve_cancel").click().run()
    assert not any(b.key == "ops_resolve_confirm" for b in at.button)
    assert op_state(console, unknown_payout) == "unknown"


def test_recent_operations_table_filters_by_state(console, unknown_payout):
    # A second, answered payout (different amount: no duplicate hold), once the first one's outcome,
    # shown again on the fresh page, is dismissed.
    confirm(review(fill(reload_and_dismiss(console, user="operator"), amount="250")))
    at = console.open(PAGE, user="operator")
    table = at.dataframe[-1].value  # the recent operations table (the only one)
    assert set(table["State"]) == {"unknown", "confirmed"}
    assert set(table["Amount"]) == {"₺1,500.50", "₺250.00"}
    assert table.loc[table["State"] == "confirmed", "Transaction id"].str.isdigit().all()
    # No id yet: words, not Streamlit's grey "None"; any other empty cell drawn as "—".
    assert list(table.loc[table["State"] == "unknown", "Transaction id"]) == ["not known yet"]
    assert at.dataframe[-1].proto.placeholder == "—"
    at.multiselect(key="ops_states").select("unknown").run()
    table = at.dataframe[-1].value  # the recent operations table (the only one)
    assert list(table["State"]) == ["unknown"] and list(table["Operation"]) == [unknown_payout]


def test_a_request_nobody_here_awaits_is_not_reported_as_in_flight(console):
    """After a crash (or from another console on the same data) a pending entry has no call behind it
    in this process: the page says so, with when it is checked, and does not also say 'Nothing open'."""
    import threading

    from dashboard.journal import new_operation_id
    from dashboard.validation import check_send_money

    release = threading.Event()

    class StuckClient:  # the other process: it sent the payout and never heard back
        def send_money(self, request):
            release.wait(30)
            raise TimeoutError

    other = Journal(console.store(), StuckClient())
    request = check_send_money(username="user42", amount="1500,50", customer_iban=IBAN, customer_name="Şule Yılmaz")
    sender = threading.Thread(
        target=other.submit_payout, args=(new_operation_id(), request), kwargs={"actor": "operator"}
    )
    sender.start()
    try:
        deadline = time.monotonic() + 10
        while not console.store().operations.recent(5) and time.monotonic() < deadline:
            time.sleep(0.05)
        at = console.open(PAGE, user="operator")
        assert not at.exception
        assert not at.success, [s.value for s in at.success]  # not "Nothing open"
        warning = " ".join(w.value for w in at.warning)
        assert "1 request(s) have no answer recorded" in warning and "nothing is sent again" in warning
        assert not at.info[1:], [i.value for i in at.info]  # not "waiting for EnigmaPay's answer" either
    finally:
        release.set()
        sender.join(30)


def test_an_entry_past_the_settling_horizon_is_shown_as_needing_a_person(console, unknown_payout):
    from datetime import datetime, timedelta

    day_later = lambda: datetime.now(UTC) + timedelta(hours=25)  # noqa: E731
    Journal(console.store(), lambda: None, clock=day_later).settle_all()  # the scheduled run, a day later
    at = console.open(PAGE, user="operator")
    assert not at.exception
    assert "Needs a person: the console has stopped checking this entry automatically" in card_text(at)
    assert any(b.key == f"ops_resolve_{unknown_payout}" for b in at.button)
