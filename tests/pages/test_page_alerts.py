"""The Alerts page and the sidebar's count (AppTest, real sandbox): an administrator sets a threshold
(a bad one changes nothing), the evaluation fires it, everyone sees it, an operator acknowledges it
(audited), a viewer may only look."""

from __future__ import annotations

from dashboard import services
from tests.helpers.markdown import shown


def _sidebar_text(at) -> str:
    return " ".join(str(getattr(e, "label", "") or getattr(e, "value", "")) for e in at.sidebar.get("page_link"))


def _set_threshold(at, text: str, margin: str = ""):
    at.text_input(key="alerts_threshold").input(text)
    at.text_input(key="alerts_margin").input(margin)
    return at.button(key="alerts_save").click().run()


def test_a_threshold_fires_an_alert_shown_on_the_page_and_in_the_sidebar(console):
    at = console.open("alerts", user="admin")
    assert not at.exception
    assert any("No alert is firing." in s.value for s in at.success)
    assert "No alerts firing" in _sidebar_text(at)
    store = console.store()

    _set_threshold(at, "1.500")  # ambiguous: refused, nothing stored
    assert not at.exception and at.error and store.alerts.thresholds() == {}
    _set_threshold(at, "999.999.999,00", "0")
    assert any("Threshold saved." in s.value for s in at.success)
    [(iban_id, row)] = store.alerts.thresholds().items()
    assert row.threshold_kurus == 99_999_999_900 and row.margin_kurus == 0 and row.updated_by == "admin"
    assert [line.actor for line in store.audit.query(action="alert_threshold")] == ["admin"]

    transitions = services.alerts().evaluate()
    assert [t.alert_key for t in transitions] == [f"balance_low:{iban_id}"]
    assert services.alerts().evaluate() == []  # once, not once per evaluation

    at = console.open("alerts", user="viewer")
    assert not at.exception
    assert "Alerts firing: 1" in _sidebar_text(at)
    [card] = at.error
    assert shown(card.value).startswith("Balance below threshold: TR") and "****" in shown(card.value)
    assert not [b for b in at.button if b.key and b.key.startswith("alerts_ack")]  # a viewer only looks
    assert not [b for b in at.button if b.key == "alerts_save"]
    history = at.dataframe[0].value
    assert list(history["State"]) == ["Fired"]
    limits = at.dataframe[1].value  # the margin in force: this threshold's own (0), none without a threshold
    assert sorted(limits["Margin"]) == sorted(["₺0.00"] + ["—"] * (len(limits) - 1))


def test_an_operator_acknowledges_a_firing_alert_once_audited(console):
    at = console.open("alerts", user="admin")
    _set_threshold(at, "999.999.999,00")
    services.alerts().evaluate()
    at = console.open("alerts", user="operator")
    margins = [m for m in at.dataframe[1].value["Margin"] if m != "—"]
    assert margins == ["₺1,000.00 (configured)"]  # no margin of its own: the configured one, said so
    [ack] = [b for b in at.button if b.key and b.key.startswith("alerts_ack")]
    at = ack.click().run()
    assert not at.exception
    captions = " ".join(c.value for c in at.caption)
    assert "Acknowledged by **operator**" in captions
    assert not [b for b in at.button if b.key and b.key.startswith("alerts_ack")]
    lines = console.store().audit.query(action="alert_acknowledge")
    assert [(line.actor, line.outcome) for line in lines] == [("operator", "acknowledged")]
    [row] = console.store().alerts.states(state="firing")
    assert row.acknowledged_by == "operator" and row.acknowledged_at is not None


def test_the_page_speaks_turkish(console):
    at = console.open("alerts", user="admin", lang="tr")
    assert not at.exception
    assert at.title[0].value == "Uyarılar"
