from tests.helpers.forms import assert_inputs_carry_their_limits
from tests.helpers.markdown import shown

PAGE = "card_payment"
GOOD = {
    "username": "user7",
    "firstname": "Ayşe",
    "lastname": "Öztürk",
    "email": "ayse@example.com",
    "phone": "0532 123 45 67",
    "amount": "250",
}


def fill(at, **values):
    for name, value in {**GOOD, **values}.items():
        at.text_input(key=f"card_{name}").input(value)
    return at.run()


def test_amount_under_200_and_bad_contact_details_are_refused_before_any_call(console):
    at = fill(console.open(PAGE), amount="199,99", email="not-an-email", phone="12")
    at.button(key="card_review").click().run()
    errors = " | ".join(e.value for e in at.error)
    assert "at least ₺200.00" in errors
    assert "email" in errors.lower() and "phone" in errors.lower()
    assert console.calls("POST /credit-card/payment") == 0


def test_confirmed_link_shows_url_order_and_transaction_ids_once(console):
    at = fill(console.open(PAGE))
    at.button(key="card_review").click().run()
    summary = shown(" ".join(m.value for m in at.markdown))  # as rendered: values are escaped
    assert "Ayşe Öztürk" in summary and "+905321234567" in summary and "₺250.00" in summary
    at.button(key="card_confirm").click().run()
    assert not at.exception
    url = at.code[0].value
    assert "/__sandbox__/pay/CC-" in url
    metrics = {m.label: shown(str(m.value)) for m in at.metric}
    assert metrics["Order id"].startswith("CC-") and metrics["Order id"] in url
    assert str(metrics["Transaction id"]).isdigit()
    at.run()
    assert console.calls("POST /credit-card/payment") == 1


def test_form_is_disabled_with_an_explanation_when_the_channel_is_inactive(console):
    console.sandbox.state.set_credit_card_enabled(False)
    at = console.open(PAGE)
    assert not at.exception
    assert "not enabled" in at.info[0].value
    assert not any(t.key == "card_amount" for t in at.text_input)


# Each input of the form -> the limit of dashboard.validation.MAX_CHARS it must carry.
LIMITED_BY = {
    "username": "username",
    "firstname": "name",
    "lastname": "name",
    "email": "email",
    "phone": "phone",
    "amount": "amount",
    "description": "description",
}


def test_every_input_carries_the_limit_of_its_check_and_says_it(console):
    assert_inputs_carry_their_limits(console.open(PAGE), "card_", LIMITED_BY)


def test_unknown_commission_blocks_card_payment_links_with_a_retry(console):
    # Item 3 of the hardening issue, for card payments: the settings call fails.
    from dashboard.sandbox import Faults

    console.sandbox.state.set_faults(Faults(error_rate=1.0, paths=("settings",)))
    at = console.open(PAGE)
    assert not at.exception
    assert "Card payment links are blocked" in " ".join(e.value for e in at.error)
    assert not any(b.key == "card_review" for b in at.button)
    console.sandbox.state.set_faults(Faults())
    at.button(key="card_retry_settings").click().run()
    at = fill(at)
    at.button(key="card_review").click().run()
    summary = shown(" ".join(m.value for m in at.markdown))
    assert "Commission" in summary and "₺8.75 (3.50%)" in summary  # the sandbox's 3.50% of 250
    assert console.calls("POST /credit-card/payment") == 0


def test_card_commission_missing_from_settings_is_unknown_not_zero(console, monkeypatch):
    from dataclasses import replace

    from dashboard import data_access

    loaded = data_access.load_dealer_settings

    def without_rate():
        got = loaded()
        return replace(got, value=replace(got.value, credit_card=replace(got.value.credit_card, commission=None)))

    monkeypatch.setattr(data_access, "load_dealer_settings", without_rate)
    at = fill(console.open(PAGE))
    assert "Card payment links are blocked" in " ".join(e.value for e in at.error)
    assert at.button(key="card_review").disabled
    assert "Commission  per card payment" not in " ".join(c.value for c in at.caption)


def test_the_last_card_payment_link_survives_a_reload_until_dismissed(console):
    # Item 7 of the hardening issue, for card payments.
    at = fill(console.open(PAGE))
    at.button(key="card_review").click().run()
    url = at.button(key="card_confirm").click().run().code[0].value
    reloaded = console.open(PAGE)
    assert not reloaded.exception
    assert [c.value for c in reloaded.code] == [url]
    reloaded.button(key="card_new").click().run()  # dismiss
    again = console.open(PAGE)
    assert not again.code and any(t.key == "card_amount" for t in again.text_input)
    assert console.calls("POST /credit-card/payment") == 1
