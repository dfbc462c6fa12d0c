import time

from dashboard.sandbox import Faults
from tests.helpers.forms import assert_inputs_carry_their_limits
from tests.helpers.markdown import shown

PAGE = "send_money"
GOOD = {"username": "user42", "amount": "1500,50", "iban": "TR33 0006 1005 1978 6457 8413 26", "name": "Şule Yılmaz"}


def fill(at, **values):
    for name, value in {**GOOD, **values}.items():
        at.text_input(key=f"send_{name}").input(value)
    return at.run()


def review(at):
    return at.button(key="send_review").click().run()


def confirm(at):
    return at.button(key="send_confirm").click().run()


def reload_and_dismiss(console, user="admin"):
    """A page refresh shows the last outcome first (item 7); "New payout" dismisses it for a new form."""
    return console.open(PAGE, user=user).button(key="send_new").click().run()


def test_validation_errors_show_under_each_field_and_nothing_is_sent(console):
    at = fill(console.open(PAGE), username="", amount="0", iban="TR33 0006 1005 1978 6457 8413 27", name="X")
    review(at)
    assert not at.exception
    errors = " | ".join(e.value for e in at.error)
    assert "username" in errors
    assert "greater than zero" in errors or "more than" in errors
    assert "check digits" in errors
    assert "name" in errors.lower()
    assert not any(b.key == "send_confirm" for b in at.button)  # no confirmation for bad input
    assert console.calls("POST /send-money") == 0


def test_preview_shows_commission_fee_and_total(console):
    at = fill(console.open(PAGE))
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Commission"] == "₺7.50"  # 0.50% of 1500.50, half-up
    assert metrics["Fee"] == "₺2.50"
    assert metrics["Total debited"] == "₺1,510.50"


def test_confirm_step_repeats_every_value_before_anything_is_sent(console):
    at = review(fill(console.open(PAGE), description="Çekim talebi"))
    summary = shown(" ".join(m.value for m in at.markdown))  # as rendered: values are escaped
    for expected in (
        "user42",
        "₺1,500.50",
        "TR33 0006 1005 1978 6457 8413 26",
        "Şule Yılmaz",
        "Çekim talebi",
        "₺1,510.50",
    ):
        assert expected in summary
    assert console.calls("POST /send-money") == 0
    at.button(key="send_cancel").click().run()
    assert console.calls("POST /send-money") == 0


def test_confirmed_payout_shows_transaction_id_and_live_status(console):
    at = confirm(review(fill(console.open(PAGE))))
    assert not at.exception
    success = at.success[0].value
    assert "Transaction id:" in success
    transaction_id = int(success.rsplit(":", 1)[1])
    assert console.sandbox.state.transaction(transaction_id) is not None
    assert console.calls("POST /send-money") == 1


def test_repeated_submission_of_one_form_reaches_the_api_once(console):
    at = review(fill(console.open(PAGE)))
    op_id = at.session_state["send_op"]
    first = confirm(at).success[0].value
    for _ in range(3):  # reruns and refreshes of the result do not resend
        at.run()
    # A second click that arrives while the dialog is still open (double click, replayed event):
    # put the page back in that state, same form, same operation id, and click again.
    del at.session_state["send_result"]
    at.session_state["send_review_request"] = at.session_state["send_request"]
    at.run()
    confirm(at)
    assert at.session_state["send_op"] == op_id
    assert at.success[0].value == first  # the first outcome, shown again
    assert console.calls("POST /send-money") == 1


def test_same_payout_from_a_new_form_is_held_until_confirmed(console):
    confirm(review(fill(console.open(PAGE))))
    # A page refresh: a new session, a new form id, the same payout typed again.
    again = confirm(review(fill(reload_and_dismiss(console))))
    assert console.calls("POST /send-money") == 1
    assert "Is a second payout intended?" in again.warning[0].value
    again.button(key="send_dup_yes").click().run()
    assert console.calls("POST /send-money") == 2
    assert "Transaction id:" in again.success[0].value


def test_declining_the_duplicate_sends_nothing(console):
    confirm(review(fill(console.open(PAGE))))
    again = confirm(review(fill(reload_and_dismiss(console))))
    again.button(key="send_dup_no").click().run()
    assert console.calls("POST /send-money") == 1
    assert any(b.key == "send_review" for b in again.button)  # back to an empty form


def test_timeout_means_outcome_unknown_and_no_resend(console, monkeypatch):
    monkeypatch.setenv("ENIGMAPAY_TIMEOUT", "1")
    console.sandbox.state.set_faults(Faults(hang_paths=("send-money",), hang_seconds=5))
    at = review(fill(console.open(PAGE)))
    started = time.monotonic()
    confirm(at)
    assert time.monotonic() - started < 10
    assert not at.exception
    warning = at.warning[0].value
    assert "outcome is unknown" in warning and "Do NOT send it again" in warning
    assert console.calls("POST /send-money") == 1
    # Nothing offers to resend: the only way on is a new, different form.
    assert not any(b.key == "send_confirm" for b in at.button)


def test_api_validation_refusal_is_shown_with_its_message(console):
    # More than every balance together: the sandbox refuses with 422 "Insufficient balance."
    at = confirm(review(fill(console.open(PAGE), amount="999999")))
    assert not at.exception
    text = " ".join(e.value for e in at.error)
    assert "refused" in text and "nsufficient" in text
    assert any(b.key == "send_new" for b in at.button)


# Each input of the form -> the limit of dashboard.validation.MAX_CHARS it must carry.
LIMITED_BY = {"username": "username", "amount": "amount", "iban": "iban", "name": "name", "description": "description"}


def test_every_input_carries_the_limit_of_its_check_and_says_it(console):
    assert_inputs_carry_their_limits(console.open(PAGE), "send_", LIMITED_BY)


def _everything_shown(at) -> str:
    parts = [m.value for m in at.markdown] + [str(m.value) for m in at.metric] + [e.value for e in at.error]
    return shown(" | ".join(parts))  # as a person reads it: escapes undone


def test_unknown_costs_are_never_shown_as_zero_and_block_sending(console):
    # Item 3 of the hardening issue: the settings call fails, so commission and fee are unknown.
    console.sandbox.state.set_faults(Faults(error_rate=1.0, paths=("settings",)))
    at = fill(console.open(PAGE))
    assert not at.exception
    on_page = _everything_shown(at)
    assert "₺0.00" not in on_page and "₺1,500.50" not in on_page  # no zero costs, no total = amount
    assert "could not be loaded" in on_page and "Sending is blocked" in on_page
    assert at.button(key="send_review").disabled
    # Even a confirm dialog left open from before the settings were lost offers nothing to send.
    from dashboard.validation import check_send_money

    at.session_state["send_review_request"] = check_send_money(
        username="user42", amount="1500,50", customer_iban=GOOD["iban"], customer_name="Şule Yılmaz"
    )
    at.run()
    assert "could not be loaded" in shown(" ".join(m.value for m in at.markdown))
    assert not any(b.key == "send_confirm" for b in at.button)
    assert console.calls("POST /send-money") == 0
    # Once the settings can be read again, the retry shows the real costs and sending is possible.
    console.sandbox.state.set_faults(Faults())
    at.button(key="send_retry_settings").click().run()
    assert "₺1,510.50" in shown(" ".join(m.value for m in at.markdown))  # the dialog's total debited
    assert any(b.key == "send_confirm" for b in at.button)
    assert {m.label: m.value for m in at.metric}["Total debited"] == "₺1,510.50"
    assert not at.button(key="send_review").disabled


def test_the_last_outcome_survives_a_reload_until_dismissed(console):
    # Item 7 of the hardening issue: a reload after a sent payout showed an empty form.
    sent = confirm(review(fill(console.open(PAGE))))
    outcome = sent.success[0].value
    reloaded = console.open(PAGE)  # a fresh session: what a browser reload is
    assert not reloaded.exception
    assert [s.value for s in reloaded.success] == [outcome]
    assert not any(t.key == "send_amount" for t in reloaded.text_input)
    reloaded.button(key="send_new").click().run()  # dismiss
    assert any(t.key == "send_amount" for t in reloaded.text_input)
    again = console.open(PAGE)
    assert not again.success and any(t.key == "send_amount" for t in again.text_input)
    assert console.calls("POST /send-money") == 1


def test_the_last_outcome_shown_is_the_signed_in_users_own(console):
    confirm(review(fill(console.open(PAGE, user="admin"))))
    other = console.open(PAGE, user="operator")  # has sent nothing: gets the form
    assert not other.success and any(t.key == "send_amount" for t in other.text_input)
    assert console.open(PAGE, user="admin").success


def test_receiving_bank_is_named_from_the_registry_or_by_its_code(console):
    from dashboard.iban import format_iban, make_tr_iban

    garanti = format_iban(make_tr_iban("00062", "0000001234567890"))
    at = fill(console.open(PAGE), iban=garanti)
    assert "Türkiye Garanti Bankası A.Ş." in [shown(m.value) for m in at.markdown]
    at = fill(at)  # the guide's sample IBAN: bank code 00061, in no registry
    assert "Bank code 00061 (not in the bank registry)" in [shown(m.value) for m in at.markdown]
    review(at)
    assert "Bank code 00061 (not in the bank registry)" in shown(" ".join(m.value for m in at.markdown))
