"""All-time search index (dashboard.history.search, search_query): what a query finds, across IBANs and
fields, Turkish-aware, IBAN in any spacing, transaction ids exactly and by their first digits (exact
first), every word of a query in some field (amounts read exactly), replaced days, missing rows."""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd
import pytest

from dashboard.history import display_frame
from dashboard.history.ingest import records_to_frame
from dashboard.history.search import MISSING, SearchIndex
from dashboard.history.search_query import Run, Word, id_ranges, parse_query

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
    assert found(index, "tr99 0001 0000 0000 0000 0007 77") == [103]
    assert parse_query("TR12 0006").runs == (Run("tr120006", (Word("tr12"), Word("0006", amount_kurus=600))),)


def test_an_iban_held_with_spaces_is_found_typed_compact_or_in_other_blocks():
    spaced = frame([rec(1, "2025-01-01 10:00:00", iban="TR12 0001 0012 3456 7890 1234 56")], 1, IBAN_A)
    index = SearchIndex.empty(TZ).with_rows(spaced)
    assert found(index, "TR120001001234567890123456") == [1]
    assert found(index, "tr1200 0100 1234") == [1]
    assert found(index, "0012 3456 7890") == [1]


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


# --- ids by prefix, exact first ---------------------------------------------------------------


@pytest.fixture
def ids_index() -> SearchIndex:
    """Ids sharing first digits, newest first: 1234 (newest), 123456, 123, 12399, 9123 (a 123 inside)."""
    rows = [
        rec(1234, "2026-05-01 10:00:00", "u1", "Bir", "a"),
        rec(123456, "2026-04-01 10:00:00", "u2", "Iki", "b"),
        rec(123, "2025-01-01 10:00:00", "u3", "Uc", "c"),
        rec(12399, "2024-01-01 10:00:00", "u4", "Dort", "d"),
        rec(9123, "2026-06-01 10:00:00", "u5", "Bes", "e"),
        rec(4_123_456_789_012, "2023-01-01 10:00:00", "u6", "Alti", "f"),
    ]
    return SearchIndex.empty(TZ).with_rows(frame(rows, 1, IBAN_A))


def test_ids_match_by_their_first_digits_with_the_exact_one_first(ids_index):
    # 123 itself is the oldest but one: listed first, then the newest of the ids starting with 123
    assert found(ids_index, "123") == [123, 1234, 123456, 12399]
    assert found(ids_index, "#1234") == [1234, 123456]
    assert found(ids_index, "12345") == [123456]
    assert found(ids_index, "4123456") == [4_123_456_789_012]
    assert found(ids_index, "9123") == [9123]  # ids do not match by a middle part


def test_fewer_than_three_digits_match_ids_exactly_only(ids_index):
    assert found(ids_index, "77") == []  # no id 77, no amount 77,00, no text "77"
    assert found(ids_index, "#12") == []  # 12 is no id (123 and 1234 start with it: 2 digits are too few)
    assert id_ranges("123", 99_999) == [(123, 124), (1230, 1240), (12300, 12400)]
    assert id_ranges("9", 5) == []


def test_exact_first_keeps_the_limit_and_the_count(ids_index):
    result = ids_index.search("123", limit=2)
    assert result.count == 4 and result.rows["id"].tolist() == [123, 1234]


# --- every word in some field -----------------------------------------------------------------


@pytest.fixture
def people() -> SearchIndex:
    rows = [
        rec(
            501,
            "2026-01-05 10:00:00",
            "ayse_k",
            "Ayşe Kaya",
            "EFT",
            amount="1500.00",
            iban="TR120006100000000000000001",
        ),
        rec(
            502,
            "2026-01-04 10:00:00",
            "ayse_k",
            "Ayşe Kaya",
            "EFT",
            amount="1500.50",
            iban="TR120006100000000000000001",
        ),
        rec(
            503, "2026-01-03 10:00:00", "ayse_k", "Ayşe Kaya", "EFT", amount="250.00", iban="TR120006100000000000000001"
        ),
        rec(
            504,
            "2026-01-02 10:00:00",
            "ahmet",
            "Ahmet Şahin",
            "İade",
            amount="1500.00",
            iban="TR120006200000000000000002",
        ),
        rec(
            505,
            "2026-01-01 10:00:00",
            "ahmet",
            "Ahmet Şahin",
            "havale",
            amount="75.00",
            iban="TR990001000000000000000003",
        ),
    ]
    return SearchIndex.empty(TZ).with_rows(frame(rows, 1, IBAN_A))


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("ayşe 1500", [501]),  # a name and an amount, in any order
        ("1500 AYSE", [501]),
        ("ayse 1500,00", [501]),
        ("ayse 1500,50", [502]),
        ("ayse 1.500,50", [502]),
        ("ayse 1,500.50", [502]),
        ("ayse 1500.5", [502]),
        ("1500 TL", [501, 504]),
        ("ayse 1.500", []),  # ambiguous (1500 or 1,50): not read as an amount
        ("ahmet TR12 0006", [504]),  # IBAN blocks together, plus a name
        ("AHMET tr1200 0620", [504]),
        ("şahin iade", [504]),
        ("SAHIN İADE 1500", [504]),
        ("kaya eft 250", [503]),
        ("kaya ahmet", []),  # every word must match
        ("ayse_k eft", [501, 502, 503]),
        ("ahmet 0003", [505]),  # a block of the IBAN
        ("ahmet 505", [505]),  # a name and an id
    ],
)
def test_every_word_matches_some_field(people, query, expected):
    assert found(people, query) == expected


def test_digit_blocks_fall_back_to_words_when_they_are_no_one_string(people):
    # "1500 0006" is in no field as "15000006": an amount and a block of the IBAN, word by word
    assert found(people, "1500 0006") == [501, 504]
    assert found(people, "0006 1000") == [501, 502, 503]  # in IBAN tr1200061000...: read as one string


def test_reading_a_query():
    q = parse_query("  Ayşe   1.500,50 #123 tr12 0006 ")
    assert q.words == (Word("ayse"), Word("1.500,50", amount_kurus=150050), Word("#123", 123, "123"))
    assert q.runs == (Run("tr120006", (Word("tr12"), Word("0006", amount_kurus=600))),)
    assert q.exact_ids == (123,)
    assert parse_query("1500 tl").words == (Word("1500", 1500, "1500", 150000),)
    assert parse_query("99999999999999999999").words[0].id_exact is None  # beyond int64
    assert parse_query("1,555").words[0].amount_kurus is None  # 3 decimals: not an amount
    assert not parse_query(" - _ ")


def test_numbers_of_one_or_two_digits_are_ids_or_amounts_not_text(people):
    # every customer IBAN here holds "00" and "12": those would find everyone
    assert found(people, "ayse 12") == []
    assert found(people, "ahmet 75") == [505]  # amount 75,00
    assert parse_query("12").words == (Word("12", 12, None, 1200, in_text=False),)


def test_an_iban_typed_in_blocks_is_one_string_not_blocks_found_anywhere():
    # the second IBAN holds every block of the first, in another order: read as words it would match
    rows = [
        rec(1, "2025-01-02 10:00:00", iban="TR990001000700000000000077"),
        rec(2, "2025-01-01 10:00:00", iban="TR990007000100770000000000"),
    ]
    index = SearchIndex.empty(TZ).with_rows(frame(rows, 1, IBAN_A))
    assert found(index, "TR99 0001 0007 0000 0000 0000 77") == [1]
    assert found(index, "tr99 0007 0001") == [2]
