"""Values from a person or the API are literal text on the pages, never Markdown: what the operator
confirms is exactly what is sent (issue 10, item 2). Each payload would otherwise render as bold, an
image the browser fetches, a link, colour or KaTeX, or HTML."""

import time

from dashboard.sandbox import Faults
from dashboard.ui import literal
from tests.helpers.markdown import shown
from tests.pages.test_page_operations import HANG
from tests.pages.test_page_send_money import confirm, fill, review

PAYLOADS = ["**ali**", "![t](http://127.0.0.1:9/x.png)", "[click](http://127.0.0.1:9/)", ":red[x]", "$x^2$", "<b>x</b>"]


def markdown_text(at) -> str:
    return "\n".join(m.value for m in at.markdown)


def test_payout_confirm_dialog_shows_username_and_description_literally(console):
    at = console.open("send_money")
    for payload in PAYLOADS:
        review(fill(at, username=payload, description=payload))
        summary = markdown_text(at)
        assert f"- **Customer username**: {literal(payload)}" in summary, payload
        assert f"- **Description**: {literal(payload)}" in summary, payload
        assert f"Customer username**: {payload}" in shown(summary)  # what the operator reads
        at.button(key="send_cancel").click().run()
    assert console.calls("POST /send-money") == 0


def test_card_payment_confirm_dialog_shows_username_and_description_literally(console):
    at = console.open("card_payment")
    for payload in PAYLOADS:
        for name, value in {
            "username": payload,
            "firstname": "Ayşe",
            "lastname": "Öztürk",
            "email": "ayse@example.com",
            "phone": "0532 123 45 67",
            "amount": "250",
            "description": payload,
        }.items():
            at.text_input(key=f"card_{name}").input(value)
        at.run()
        at.button(key="card_review").click().run()
        summary = markdown_text(at)
        assert f"- **Customer username**: {literal(payload)}" in summary, payload
        assert f"- **Description**: {literal(payload)}" in summary, payload
        at.button(key="card_cancel").click().run()
    assert console.calls("POST /credit-card/payment") == 0


def test_operations_card_shows_the_username_literally(console, monkeypatch):
    payload = "![t](http://127.0.0.1:9/x.png) **ali**"
    monkeypatch.setenv("ENIGMAPAY_TIMEOUT", "1")
    console.sandbox.state.set_faults(Faults(hang_paths=("send-money",), hang_seconds=HANG))
    confirm(review(fill(console.open("send_money", user="operator"), username=payload)))
    console.sandbox.state.set_faults(Faults())
    time.sleep(HANG + 0.5)  # let the sandbox's handler finish with the abandoned request
    at = console.open("operations", user="operator")
    assert not at.exception
    card = markdown_text(at)
    assert f"**{literal(payload)}**" in card
    assert payload not in card  # never the raw Markdown
    assert payload in shown(card)
