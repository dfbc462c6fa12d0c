"""Issue 13's pages: all-time search (its page, the sidebar box, the Transactions link), the
customer view (`?username=`), and the mirror's sync status on Balances -- over rows put in the
console's mirror the way a sync writes them, and journal entries as the journal stores them."""

from __future__ import annotations

import json
import re
from datetime import UTC, date, datetime
from decimal import Decimal
from urllib.parse import parse_qs, unquote, urlparse

import pytest
from streamlit.testing.v1 import AppTest

from dashboard.history.ingest import records_to_frame
from tests.pages.conftest import CONSOLE

TZ = "Europe/Istanbul"
A, B = (901, "TR330006100519786457841326"), (902, "TR560001000000000000000001")  # ids the sandbox does not use
SYNCED = datetime(2025, 3, 5, 12, 0, tzinfo=UTC)


def record(tx_id, day, type_, amount, status, username="ayse_k", name="Ayşe Kaya"):
    return {
        "id": tx_id,
        "type": type_,
        "amount": amount,
        "status": status,
        "username": username,
        "customer_name": name,
        "customer_iban": "TR12 0001 0012 3456 7890 1234 56",
        "description": f"order {tx_id}",
        "created_at": f"{day.isoformat()} 10:00:00",
    }


@pytest.fixture
def mirrored(console):
    """Two IBANs' days in the console's mirror (a year apart), and an unknown payout in the journal."""
    store = console.store()
    days = {
        A: [
            record(11, date(2024, 4, 1), "deposit", "1000.00", "Completed"),
            record(12, date(2024, 4, 1), "withdrawal", "250.00", "Completed"),
        ],
        B: [
            record(21, date(2025, 3, 1), "withdrawal", "300.00", "Pending"),
            record(22, date(2025, 3, 1), "deposit", "40.00", "Completed", "mehmet", "Mehmet Öz"),
        ],
    }
    for (iban_id, iban), records in days.items():
        day = date.fromisoformat(records[0]["created_at"][:10])
        frame = records_to_frame(records, iban_id=iban_id, iban=iban, tz=TZ)
        store.mirror.write_days(iban_id, iban, day, day, frame, SYNCED, tz=TZ)
    store.operations.claim(
        {
            "id": "op-lost",
            "kind": "payout",
            "state": "unknown",
            "created_at": SYNCED,
            "updated_at": SYNCED,
            "actor": "operator",
            "amount": Decimal("120.00"),
            "amount_kurus": 12000,
            "username": "ayse_k",
            "customer_iban": "TR120001001234567890123456",
            "request": {},
        },
        duplicate_since=None,
        active_states=(),
    )
    return store


def open_with(console, page, **params) -> AppTest:
    console.sign_in_as("viewer")
    at = AppTest.from_file(CONSOLE, default_timeout=60)
    for name, value in params.items():
        at.query_params[name] = value
    at.switch_page(f"pages/{page}.py").run()
    assert not at.exception, at.exception
    return at


def link_column(table, label="Username"):
    """The column_config Streamlit sent for one column of a dataframe."""
    return json.loads(table.proto.columns)[label]


def test_search_link_finds_every_iban_all_time_and_links_the_customers(console, mirrored):
    at = open_with(console, "search", q="AYSE KAYA")
    [table] = at.dataframe
    assert table.value["ID"].tolist() == [21, 12, 11]  # 2025 on IBAN 2, then 2024 on IBAN 1: newest first
    assert any("3 transactions found" in c.value for c in at.caption)
    # the customer is linked from the table's cells, not from buttons above it
    assert table.value["Username"].tolist() == ["/customer?username=ayse_k"] * 3
    assert list(table.value.columns[:3]) == ["Username", "Note", "ID"]  # the link first
    column = link_column(table)
    assert column["type_config"]["type"] == "link"
    assert re.search(column["type_config"]["display_text"], "/customer?username=ayse_k").group(1) == "ayse_k"
    assert not [link for link in at.get("page_link") if link.proto.page == "customer"]


def test_usernames_in_links_are_url_encoded_and_shown_decoded(console, mirrored):
    odd = record(31, date(2025, 3, 2), "deposit", "5.00", "Completed", "ayşe k&x=1#2", "Ayşe Kaya")
    frame = records_to_frame([odd], iban_id=903, iban="TR560001000000000000000003", tz=TZ)
    mirrored.mirror.write_days(
        903, "TR560001000000000000000003", date(2025, 3, 2), date(2025, 3, 2), frame, SYNCED, tz=TZ
    )
    at = open_with(console, "search", q="31")
    [table] = at.dataframe
    [link] = table.value["Username"].tolist()
    assert link == "/customer?username=ay%C5%9Fe%20k%26x%3D1%232"
    shown = re.search(link_column(table)["type_config"]["display_text"], link).group(1)
    assert unquote(shown) == "ayşe k&x=1#2"  # what the browser shows (it URL-decodes the matched part)
    assert parse_qs(urlparse(link).query) == {"username": ["ayşe k&x=1#2"]}  # what the Customer page reads


def test_multi_word_search_in_turkish_links_under_the_turkish_label(console, mirrored):
    at = console.open("search", user="viewer", lang="tr")
    at.text_input(key="q").input("ayşe 1.000,00").run()
    [table] = at.dataframe
    assert table.value["No"].tolist() == [11]
    assert link_column(table, "Kullanıcı adı")["type_config"]["type"] == "link"


def test_iban_in_blocks_and_nothing_found(console, mirrored):
    at = open_with(console, "search", q="TR12 0001 0012 3456")
    assert len(at.dataframe[0].value) == 4
    at.text_input(key="q").input("nobody here").run()
    assert any("Nothing found" in i.value for i in at.info)


def test_the_sidebar_box_opens_the_search_with_the_query(console, mirrored):
    at = console.open("overview", user="viewer")
    at.sidebar.text_input(key="sidebar_search_text").input("mehmet öz")
    [submit] = [b for b in at.sidebar.button if b.label == "Search"]
    submit.click().run()
    assert not at.exception
    assert at.title[0].value == "Search"
    assert at.dataframe[0].value["ID"].tolist() == [22]
    assert at.query_params["q"] == "mehmet öz"


def test_customer_view_answers_where_the_withdrawals_are(console, mirrored):
    at = open_with(console, "customer", username="ayse_k")
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Deposited"] == "₺1,000.00" and metrics["Withdrawn"] == "₺250.00"
    assert metrics["Open"] == "₺420.00"  # the Pending 300 at EnigmaPay and the unknown payout of 120
    warnings = [w.value for w in at.warning]
    assert any("₺120.00" in w and "Outcome unknown" in w and "Do not send it again" in w for w in warnings)
    assert any("₺300.00" in w and "In progress at EnigmaPay" in w for w in warnings)
    where, statuses, rows, ops = (d.value for d in at.dataframe)
    assert len(where) == 3 and "Paid out: completed at EnigmaPay." in where["Where it is"].tolist()
    assert sorted(where["Transaction"]) == ["12", "21", "not known yet"]  # the unknown payout: no id yet, said so
    assert rows["ID"].tolist() == [21, 12, 11]
    assert statuses["Count"].tolist() == [1, 1, 1]
    assert ops["Amount (TRY)"].tolist() == [Decimal("120.00")]
    assert ops["Transaction"].tolist() == ["not known yet"]  # the unknown payout: words, not a grey "None"
    assert {d.proto.placeholder for d in at.dataframe} == {"—"}  # any other empty cell


def test_customer_view_in_turkish_and_for_an_unknown_customer(console, mirrored):
    at = open_with(console, "customer", username="nobody")
    assert any("No transactions" in i.value for i in at.info)
    at = console.open("customer", user="viewer", lang="tr")
    at.text_input(key="username").input("ayse_k").run()
    assert {m.label for m in at.metric} == {"Yatırılan", "Çekilen", "Açık"}
    assert any("Tekrar göndermeyin" in w.value for w in at.warning)


def test_balances_show_what_the_mirror_holds_per_iban(console, mirrored):
    at = console.open("balances", user="viewer")
    held = at.dataframe[1].value
    # The page's own history load syncs the sandbox's IBANs too: the table is what the mirror says now.
    status = {s.iban: s for s in mirrored.mirror.sync_status()}
    assert {A[1], B[1]} <= set(status)
    assert held["IBAN"].str.replace(" ", "").tolist() == list(status)
    assert held["Rows held"].tolist() == [s.rows for s in status.values()]
    assert held["No longer reported"].tolist() == [s.missing_rows for s in status.values()]


def test_the_transactions_filter_offers_the_all_time_search(console):
    at = console.open("transactions", user="viewer")
    assert not [link for link in at.get("page_link") if link.proto.page == "search"]  # the sidebar has Alerts'
    at.text_input(key="tx_text").input("ayse").run()
    [link] = [link for link in at.get("page_link") if link.proto.page == "search"]
    assert link.proto.label == "Search all time for this"
