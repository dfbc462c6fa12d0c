from tests.helpers.markdown import shown

PAGE = "card_payment"
GOOD = {"username": "user7", "firstname": "Ayşe", "lastname": "Öztürk", "email": "ayse@example.com", "phone": "0532 123 45 67", "amount": "250"}


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
