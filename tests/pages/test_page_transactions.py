import csv
import io
from datetime import timedelta
from decimal import Decimal

import openpyxl
import pandas as pd

from dashboard.timeutil import now

PAGE = "transactions"


def metric(at, label: str) -> str:
    return next(m.value for m in at.metric if m.label == label)


def shown(at) -> pd.DataFrame:
    return at.dataframe[0].value


def csv_rows(console) -> list[dict[str, str]]:
    data = console.download(".csv")
    assert data.startswith(b"\xef\xbb\xbf"), "UTF-8 BOM so Excel reads Turkish characters"
    return list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"))))


def test_default_view_is_the_last_7_days_with_matching_summary(console):
    at = console.open(PAGE)
    assert not at.exception and not at.error
    rows = shown(at)
    assert len(rows) > 0
    assert metric(at, "Transactions") == f"{len(rows):,}"
    today = now().date()
    days = {d.date() for d in rows["Date"]}
    assert min(days) >= today - timedelta(days=6) and max(days) <= today


def test_status_filter(console):
    at = console.open(PAGE)
    at.multiselect(key="tx_status").set_value(["Completed"]).run()
    rows = shown(at)
    assert len(rows) > 0 and set(rows["Status"]) == {"Completed"}
    assert metric(at, "Transactions") == f"{len(rows):,}"


def test_type_filter(console):
    at = console.open(PAGE)
    at.multiselect(key="tx_type").set_value(["withdrawal"]).run()
    rows = shown(at)
    assert len(rows) > 0 and set(rows["Type"]) == {"Withdrawal"}
    assert all(a < 0 for a in rows["Amount (TRY)"])  # withdrawals are shown negative


def test_amount_range_filter_is_inclusive_and_exact(console):
    at = console.open(PAGE)
    at.text_input(key="tx_min").input("100,00")
    at.text_input(key="tx_max").input("1.000,50").run()
    amounts = [abs(Decimal(str(a))) for a in shown(at)["Amount (TRY)"]]
    assert amounts and all(Decimal("100") <= a <= Decimal("1000.50") for a in amounts)


def test_bad_amount_gets_a_message_and_no_table(console):
    at = console.open(PAGE)
    at.text_input(key="tx_min").input("1.500").run()
    assert not at.exception
    assert "ambiguous" in at.error[0].value
    assert len(at.dataframe) == 0


def test_text_search_over_username_customer_and_description(console):
    at = console.open(PAGE)
    at.segmented_control(key="tx_preset").set_value("custom").run()
    at.date_input(key="tx_range").set_value((now().date() - timedelta(days=364), now().date())).run()
    at.text_input(key="tx_text").input("iade").run()
    rows = shown(at)
    assert len(rows) > 0
    haystack = (
        rows["Username"] + " " + rows["Customer"] + " " + rows["Description"] + " " + rows["Customer IBAN"]
    ).str.lower()
    assert haystack.str.contains("iade").all()


def test_iban_filter_limits_rows_to_the_chosen_iban(console):
    at = console.open(PAGE)
    first_id = at.multiselect(key="tx_ibans").options[0]
    at.multiselect(key="tx_ibans").select(first_id).run()
    rows = shown(at)
    chosen = at.multiselect(key="tx_ibans").value
    assert len(chosen) == 1 and len(rows) > 0
    assert rows["IBAN"].nunique() == 1


def test_today_preset(console):
    at = console.open(PAGE)
    at.segmented_control(key="tx_preset").set_value("today").run()
    assert {d.date() for d in shown(at)["Date"]} <= {now().date()}


def test_csv_export_is_exactly_the_filtered_rows_and_neutralises_formulas(console):
    at = console.open(PAGE)
    at.segmented_control(key="tx_preset").set_value("custom").run()
    at.date_input(key="tx_range").set_value((now().date() - timedelta(days=364), now().date())).run()
    rows = shown(at)
    formula_rows = rows[rows["Description"].str.match(r"^[=+\-@]")]
    assert len(formula_rows) > 0, "the sandbox's year holds descriptions like '=SUM(A1)'"
    exported = csv_rows(console)
    assert len(exported) == len(rows)
    assert [r["ID"] for r in exported] == [str(i) for i in rows["ID"]]
    by_id = {r["ID"]: r for r in exported}
    for _, row in formula_rows.iterrows():
        cell = by_id[str(row["ID"])]["Description"]
        assert cell == "'" + row["Description"], "text starting with = + - @ is defused"
    negative = [r for r in exported if r["Amount (TRY)"].startswith("-")]
    assert negative and all(Decimal(r["Amount (TRY)"]) < 0 for r in negative), "negative amounts stay numbers"


def test_excel_export_matches_the_table(console):
    at = console.open(PAGE)
    at.multiselect(key="tx_status").set_value(["Failed"]).run()
    rows = shown(at)
    sheet = openpyxl.load_workbook(io.BytesIO(console.download(".xlsx"))).active
    values = list(sheet.values)
    assert list(values[0])[: len(rows.columns)][0] == "ID"
    assert len(values) - 1 == len(rows)
    amount_col = list(values[0]).index("Amount (TRY)")
    assert all(isinstance(v[amount_col], (int, float)) for v in values[1:])


def test_export_is_recorded_in_the_audit_log(console):
    from dashboard.audit import AuditLog

    console.open(PAGE)
    console.download(".csv")
    entries = AuditLog(console.store()).query(action="export")
    assert len(entries) == 1 and entries[0].details["format"] == "csv"


def test_turkish_money_columns_stay_numbers_with_two_decimals(console):
    """Transactions can hold 100k+ rows: too many for server-side Turkish text (ui.money_table), so
    in Turkish the money columns are numbers the browser formats in its own locale ("localized",
    two decimals); English always writes English. Either way the column sorts by value."""
    import json

    from dashboard.history import LABELS

    at = console.open(PAGE, lang="tr")
    assert not at.exception and not at.error
    config = json.loads(at.dataframe[0].proto.columns)
    table = at.dataframe[0].value
    for key in ("amount", "commission"):
        label = LABELS["tr"][key]
        assert config[label]["type_config"] == {"type": "number", "format": "localized", "step": 0.01}, label
        assert not pd.api.types.is_string_dtype(table[label]), label  # numbers, not text: sorts by value
