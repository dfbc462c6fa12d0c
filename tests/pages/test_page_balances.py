from decimal import Decimal


def test_balances_table_totals_and_charts(console):
    at = console.open("balances")
    assert not at.exception and not at.error
    table = at.dataframe[0].value
    live = console.sandbox.state.live_balances()
    assert len(table) == len(live)
    assert all(len(i.replace(" ", "")) == 26 and i.count(" ") == 6 for i in table["iban"])  # blocks of four
    assert sorted(Decimal(str(b)) for b in table["balance"]) == sorted(Decimal(k) / 100 for k in live)
    total = {m.label: m.value for m in at.metric}["Total balance"]
    assert total == f"₺{Decimal(sum(live)) / 100:,.2f}"
    charts = at.get("plotly_chart")
    assert len(charts) == 2  # balance per IBAN, balance over time


def test_balance_history_period_can_change(console):
    at = console.open("balances")
    at.segmented_control(key="balances_days").set_value(90).run()
    assert not at.exception and not at.error
    assert len(at.get("plotly_chart")) == 2
