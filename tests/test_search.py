"""All-time search index (dashboard.history.search): what a query finds, across IBANs and fields,
Turkish-aware, IBAN in any spacing, transaction ids exactly, replaced days, missing rows."""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd
import pytest

from dashboard.history import display_frame
from dashboard.history.ingest import records_to_frame
from dashboard.history.search import MISSING, SearchIndex, query_patterns

TZ = "Europe/Istanbul"
IBAN_A = "TR330006100519786457841326"
IBAN_B = "TR180001000000000000000001"
CUST_IBAN = "TR120006200000000000000042"


def rec(id_, created, username="ali_veli", name="Ali Veli", desc="EFT yatırım", *, iban=CUST_IBAN, **extra):
    return {
        "id": id_,
        "type": extra.get("type", "deposit"),
        "amount": extra.get("amount", "100.00"),
        "commission": "1.00",
        "status": extra.get("status", "Completed"),
        "username": username,
        "customer_name": name,
        "customer_iban": iban,
        "description": desc,
        "created_at": created,
        "completed_at": None,
    }


def frame(records, iban_id, iban):
    return records_to_frame(records, iban_id=iban_id, iban=iban, tz=TZ)


@pytest.fixture
def index() -> SearchIndex:
    a = frame(
        [
            rec(101, "2025-01-05 10:00:00", "sule_yilmaz", "Şule Yılmaz", "Havale ödeme"),
            rec(102, "2025-03-01 12:00:00", "ali_veli", "Ali Veli", "EFT yatırım", type="withdrawal"),
            rec(103, "2026-06-01 09:00:00", "IRMAK", "Irmak İnce", "iade", iban="TR990001000000000000000777"),
        ],
        1,
        IBAN_A,
    )
    b = frame(
        [
            rec(201, "2024-12-31 23:30:00", "ali_veli", "Ali Veli", "ref 103 bonus"),
            rec(202, "2026-01-02 08:00:00", "mehmet", "Mehmet Öz", "EFT yatırım"),
        ],
        2,
        IBAN_B,
    )
    return SearchIndex.empty(TZ).with_rows(a).with_rows(b)


def found(index, query):
    return index.search(query).rows["id"].tolist()


def test_finds_across_ibans_and_all_time_newest_first(index):
    assert found(index, "ali veli") == [102, 201]  # 2025 on IBAN 1, 2024 on IBAN 2
    result = index.search("eft")
    assert result.count == 2 and result.rows["id"].tolist() == [202, 102]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("sule", [101]),
        ("ŞULE YILMAZ", [101]),
        ("şule_yılmaz", [101]),  # the username, folded like the text filter
        ("ırmak", [103]),
        ("IRMAK INCE", [103]),
        ("havale odeme", [101]),
        ("öz", [202]),
        ("nobody", []),
    ],
)
def test_names_usernames_descriptions_are_turkish_aware(index, query, expected):
    assert found(index, query) == expected


def test_iban_in_any_spacing_and_partial(index):
    assert found(index, "TR99 0001 0000 0000 0000 0007 77") == [103]
    assert found(index, "tr990001000000000000000777") == [103]
    assert found(index, "0000 0777") == [103]
    assert query_patterns("TR12 0006") == ["tr12 0006", "tr120006"]


def test_transaction_id_matches_exactly_and_as_text(index):
    # 103 is a transaction id on IBAN 1 and appears in a description on IBAN 2: both are found, newest first
    assert found(index, "103") == [103, 201]
    assert found(index, "#202") == [202]
    assert 202 not in found(index, "2026")  # created_at is not a search field


def test_limit_keeps_the_newest_and_counts_all(index):
    result = index.search("a", limit=2)
    assert result.count == 5 and result.truncated
    assert result.rows["id"].tolist() == [103, 202]


def test_empty_query_finds_nothing(index):
    assert index.search("   ").count == 0
    assert SearchIndex.empty(TZ).search("ali").count == 0


def test_replace_days_swaps_one_ibans_days_only(index):
    newer = frame([rec(102, "2025-03-01 12:00:00", "ali_veli", "Ali Veli", "EFT yatırım", status="Failed")], 1, IBAN_A)
    newer[MISSING] = np.array([True])
    updated = index.replace_days(1, [date(2025, 3, 1)], newer)
    rows = updated.search("ali veli").rows
    assert rows["id"].tolist() == [102, 201]
    assert rows["status"].astype(str).tolist() == ["Failed", "Completed"]
    assert rows[MISSING].tolist() == [True, False]
    assert len(updated) == len(index)
    assert index.search("ali veli").rows["status"].astype(str).tolist() == ["Completed", "Completed"]  # immutable
    emptied = index.replace_days(1, [date(2025, 3, 1)], frame([], 1, IBAN_A))
    assert found(emptied, "ali veli") == [201]


def test_new_values_are_searchable_after_an_update(index):
    more = frame([rec(301, "2026-07-01 10:00:00", "zeynep", "Zeynep Çakır", "yeni")], 2, IBAN_B)
    assert found(index.with_rows(more), "cakir") == [301]


def test_of_username_is_exact_and_complete(index):
    rows = index.of_username("ali_veli")
    assert rows["id"].tolist() == [102, 201]
    assert index.of_username("ali").empty and index.of_username("").empty


def test_result_rows_keep_the_history_schema_and_display(index):
    rows = index.search("ali veli").rows
    assert str(rows["created_at"].dt.tz) == TZ
    assert rows["iban"].astype(str).tolist() == [IBAN_A, IBAN_B]
    assert rows["amount_kurus"].tolist() == [10000, 10000] and rows["signed_kurus"].tolist() == [-10000, 10000]
    table = display_frame(rows, "en")
    assert table["Customer"].tolist() == ["Ali Veli", "Ali Veli"]
    assert isinstance(table["Date"].iloc[0], pd.Timestamp)
    empty = index.search("nobody").rows
    assert list(display_frame(empty, "en").columns) == list(table.columns)
