"""The Reconciliation page against a sandbox whose history ended two hours ago (so no completion is
near the balances read): nothing reconciled without snapshots, a drift made on the page shows as a
difference of its amount on today, the day's transactions, the audited export, no drift control live."""

from __future__ import annotations

import csv
import io
from dataclasses import replace
from datetime import datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import openpyxl
import pytest

from dashboard import data_access, services
from dashboard.audit import AuditLog
from dashboard.reconciliation import DriftError, drift_sandbox_balance, history_range, recent_differences
from dashboard.store import Store

PAGE = "reconciliation"
IST = ZoneInfo("Europe/Istanbul")


@pytest.fixture
def make_sandbox(make_sandbox):
    """The console fixture's sandbox, its demo history ending two hours ago, three IBANs."""
    anchor = datetime.now(IST).replace(second=0, microsecond=0) - timedelta(hours=2)
    return lambda **overrides: make_sandbox(**{**overrides, "anchor": anchor, "ibans": 3})


def _snapshot_now(console) -> None:
    """What the background task does every minute: store each IBAN's balance as /ibans reports it."""
    state = console.sandbox.state
    taken = datetime.now(IST) - timedelta(seconds=5)
    rows = [
        {"iban_id": a.id, "taken_at": taken, "balance_kurus": b}
        for a, b in zip(state.data.accounts, state.live_balances())
    ]
    store = Store.in_dir(console.data_dir / "sandbox")
    try:
        store.balances.add(rows)
    finally:
        store.close()


def _drift(at, iban_id: int, amount: str):
    at.selectbox(key="recon_drift_iban").set_value(iban_id)
    at.text_input(key="recon_drift_amount").input(amount)
    return at.button(key="recon_drift_submit").click().run()


def test_without_snapshots_nothing_is_reconciled_and_nothing_differs(console):
    at = console.open(PAGE)
    assert not at.exception and not at.error
    assert at.title[0].value == "Reconciliation"
    days = at.dataframe[0].value
    today = datetime.now(IST).date()
    assert len(days) == 3 * today.day  # every IBAN, every day of the month so far
    # what a manager looks for first, before the table runs off the right edge of the screen
    assert list(days.columns[:4]) == ["IBAN", "Day", "Result", "Difference"]
    assert list(at.dataframe[1].value.columns[:4]) == [
        "IBAN",
        "Difference",
        "Days with a difference",
        "Days not reconciled",
    ]
    assert set(days["Result"]) == {"not reconciled"}
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Days with a difference"] == "0" and metrics["Days not reconciled"] == str(3 * today.day)
    assert len(at.dataframe[1].value) == 4  # three IBANs and all of them
    assert [e.label for e in at.expander] == ["Sandbox: drift a balance"]  # an admin, on the sandbox


def test_a_drift_on_the_page_is_a_difference_of_its_amount_today(console):
    at = console.open(PAGE)
    _snapshot_now(console)
    at = _drift(at, 2, "-150,25")
    assert not at.exception
    assert console.sandbox.state.drifts() == {2: -15025}
    drifted = console.sandbox.state.data.accounts[1].iban
    assert [e.value.replace("\\", "") for e in at.error] == [
        f"{' '.join(drifted[i : i + 4] for i in range(0, 26, 4))} on {datetime.now(IST).date()}: "
        "the provider's balance differs by -₺150.25."
    ]
    days = at.dataframe[0].value
    flagged = days[days["Result"] == "difference"]
    assert len(flagged) == 1
    assert str(flagged.iloc[0]["Day"]) == datetime.now(IST).date().isoformat()
    assert str(flagged.iloc[0]["Difference"]) == "-150.25"
    assert set(days[days["Day"] == flagged.iloc[0]["Day"]]["Result"]) == {"difference", "reconciled"}
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Days with a difference"] == "1" and metrics["Difference"] == "-₺150.25"
    entries = AuditLog(console.store()).query(action="sandbox_drift")
    assert len(entries) == 1 and entries[0].details == {"iban_id": 2}

    # a day's transactions: as many moved money as the month table says, their effects its net change
    busy = days[(days["Transactions"] > 0)].iloc[0]
    iban_id = next(a.id for a in console.sandbox.state.data.accounts if a.iban == busy["IBAN"].replace(" ", ""))
    at.selectbox(key="recon_drill").set_value((iban_id, busy["Day"])).run()
    assert not at.exception
    drill = at.dataframe[2].value
    effects = [Decimal(str(e)) for e in drill["Effect on balance"]]
    assert sum(1 for e in effects if e) == busy["Transactions"]
    net = Decimal(str(busy["Money in"])) - Decimal(str(busy["Money out"])) - Decimal(str(busy["Commission"]))
    assert sum(effects) == net

    rows = list(csv.reader(io.StringIO(console.download(".csv").decode("utf-8-sig"))))
    header = rows[0]
    differing = [r for r in rows[1:] if r[header.index("Result")] == "difference"]
    assert len(differing) == 1 and differing[0][header.index("Difference")] == "-150.25"
    assert AuditLog(console.store()).query(action="export")[0].details["dataset"] == "reconciliation"
    # what the alerts' "reconciliation difference" condition reads (outside any page, as the background does)
    balances = data_access.load_ibans()
    today = datetime.now(IST).date()
    history = data_access.load_history(balances.value, *history_range(today - timedelta(days=1), today))
    found = recent_differences(history, balances, days=2)
    assert [(d.iban_id, d.day, d.amount_kurus) for d in found] == [(2, today, -15025)]
    # ... and the alerts' own source: the mirror synced (look-back only), then reconciled; the alert fires
    alerting = services.reconciliation_watch().differences(recheck=0)
    assert [(d.iban_id, d.day, d.difference_kurus) for d in alerting] == [(2, today, -15025)]
    services.alerts().evaluate()
    firing = services.records().store.alerts.states(state="firing", kind="reconciliation")
    assert [(a.subject, a.details["difference_kurus"]) for a in firing] == [("2", -15025)]

    workbook = openpyxl.load_workbook(io.BytesIO(console.download(".xlsx")))
    sheet = workbook.active
    assert sheet.title == "Reconciliation" and sheet.max_row == len(days) + 1
    header = [c.value for c in sheet[1]]
    values = [r[header.index("Difference")] for r in sheet.iter_rows(min_row=2, values_only=True)]
    assert Decimal(str(min(v for v in values if v is not None))) == Decimal("-150.25")  # a number, not text


def test_an_unmeasured_day_reads_not_measured_and_exports_empty(console):
    """No provider balance to compare with: the table says so in words (Streamlit would draw a grey
    "None"), in the chosen language; the CSV and Excel cells are empty, never "None" or "nan"."""
    at = console.open(PAGE)
    assert not at.exception
    days = at.dataframe[0].value
    assert days["Provider balance"].isna().all() and days["Difference"].isna().all()  # nothing measured
    assert [d.proto.placeholder for d in at.dataframe[:2]] == ["not measured", "not measured"]
    assert any("Not measured" in c.value for c in at.caption)
    rows = list(csv.reader(io.StringIO(console.download(".csv").decode("utf-8-sig"))))
    header = rows[0]
    assert header == list(days.columns)  # the export: the table's columns in the table's order
    for column in ("Provider balance", "Difference"):
        assert {r[header.index(column)] for r in rows[1:]} == {""}
    assert rows[1][header.index("Opening")] not in ("", "None", "nan")  # a measured cell keeps its number
    sheet = openpyxl.load_workbook(io.BytesIO(console.download(".xlsx"))).active
    header = [c.value for c in sheet[1]]
    cells = {r[header.index("Provider balance")] for r in sheet.iter_rows(min_row=2, values_only=True)}
    assert cells == {None}  # an empty cell, not the text "None"


def test_bad_drift_amount_changes_nothing(console):
    at = _drift(console.open(PAGE), 1, "1.500")  # ambiguous: refused with a message
    assert not at.exception
    assert any("not drifted" in e.value for e in at.error)
    assert console.sandbox.state.drifts() == {}


def test_turkish_page(console):
    at = console.open(PAGE, lang="tr")
    assert not at.exception and not at.error
    assert at.title[0].value == "Mutabakat"
    assert set(at.dataframe[0].value["Sonuç"]) == {"karşılaştırılamadı"}
    assert [d.proto.placeholder for d in at.dataframe[:2]] == ["ölçülmedi", "ölçülmedi"]  # no balance: not measured


def test_a_viewer_sees_the_page_but_no_drift_control(console):
    at = console.open(PAGE, user="viewer")
    assert not at.exception and at.title[0].value == "Reconciliation"
    assert at.dataframe and not [e for e in at.expander if "drift" in e.label]


def test_no_drift_control_on_a_live_api(console):
    live = replace(services.backend(), is_sandbox=False)
    console.monkeypatch.setattr(data_access, "backend", lambda: live)
    at = console.open(PAGE)
    assert not at.exception
    assert not [e for e in at.expander if "drift" in e.label]
    console.monkeypatch.setattr(services, "backend", lambda: live)
    with pytest.raises(DriftError, match="only on the sandbox"):
        drift_sandbox_balance(1, Decimal("1"), actor="admin")
    assert console.sandbox.state.drifts() == {}
