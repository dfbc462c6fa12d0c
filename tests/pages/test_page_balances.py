from decimal import Decimal

from dashboard.ui import LANG_KEY


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


def test_status_column_says_active_or_inactive_in_the_chosen_language(console):
    # An API that mixes English and Turkish words: the table shows one translated word per state.
    words = iter(["Active", "Aktif", "Pasif"] * 20)
    answer = console.sandbox.state.ibans

    def mixed_words():
        return [{**row, "status": next(words)} for row in answer()]

    console.monkeypatch.setattr(console.sandbox.state, "ibans", mixed_words)
    at = console.open("balances")
    assert set(at.dataframe[0].value["status"]) == {"Active", "Inactive"}
    at.sidebar.selectbox(key=LANG_KEY).select("tr").run()
    assert set(at.dataframe[0].value["status"]) == {"Aktif", "Pasif"}


def money_config(at, column: str) -> dict:
    import json

    return json.loads(at.dataframe[0].proto.columns)[column]


def test_turkish_balances_table_writes_turkish_numbers_in_any_browser_and_stays_numeric(console):
    from streamlit.dataframe_util import convert_arrow_bytes_to_pandas_df

    from dashboard.money import format_amount

    at = console.open("balances", lang="tr")
    assert not at.exception and not at.error
    config = money_config(at, "balance")
    assert config["label"] == "Bakiye (₺)"
    assert config["type_config"] == {"type": "number"}  # no browser-side format: it would override the text
    table = at.dataframe[0].value
    balances = [Decimal(str(b)) for b in table["balance"]]  # the values stay numbers: the column sorts by value
    arrow = at.dataframe[0].proto.arrow_data
    assert arrow.HasField("styler")
    shown = convert_arrow_bytes_to_pandas_df(arrow.styler.display_values)
    written = list(shown.iloc[:, list(table.columns).index("balance")])
    assert written == [format_amount(b, "tr") for b in balances]  # e.g. 1.234.567,50
    assert any("." in w for w in written) and all(w[-3] == "," for w in written)


def test_english_balances_table_formats_in_the_browser_with_english_separators(console):
    at = console.open("balances")
    assert money_config(at, "balance")["type_config"] == {"type": "number", "format": "%,.2f"}
    assert not at.dataframe[0].proto.arrow_data.HasField("styler")


def test_a_failed_mirror_write_is_shown_above_the_mirror_table_until_written(console):
    """The store refuses the mirror's writes: Balances says, per IBAN, when the last write failed and
    which days will be fetched again (in Turkish too); once a write succeeds the warning is gone."""
    from dashboard import services
    from dashboard.store.mirror import MirrorRepository

    def refuse(*args, **kwargs):
        raise RuntimeError("disk full")

    real = MirrorRepository.write_days
    console.monkeypatch.setattr(MirrorRepository, "write_days", refuse)
    at = console.open("balances")  # the balance chart loads 30 days: fetched, then written in the background
    services.history_mirror().wait_for_writes()
    at.run()
    assert not at.exception
    warnings = [w.value.replace("\\", "") for w in at.warning if "fetched again" in w.value]
    ibans = console.sandbox.state.data.accounts
    assert len(warnings) == len(ibans)
    first = " ".join(ibans[0].iban[i : i + 4] for i in range(0, 26, 4))
    assert any(w.startswith(f"{first}: the last write to the mirror failed at ") for w in warnings)
    assert all("disk full" not in w for w in warnings)  # what failed is in the log, not on the page

    at.session_state[LANG_KEY] = "tr"
    at.run()
    assert sum("yeniden alınacak" in w.value for w in at.warning) == len(ibans)

    console.monkeypatch.setattr(MirrorRepository, "write_days", real)
    at.button(key="sidebar_refresh").click().run()  # fetched again (the days are unsynced), written now
    services.history_mirror().wait_for_writes()
    at.run()
    assert not at.exception and not [w for w in at.warning if "yeniden alınacak" in w.value]
    assert len(at.dataframe[-1].value) == len(ibans)  # the mirror table: every IBAN synced
