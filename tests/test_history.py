"""dashboard.history: ingest, filters, summary, daily volume, balance reconstruction, table columns."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest

from dashboard import history as h
from dashboard import money

IST = ZoneInfo("Europe/Istanbul")
IBAN = "TR330006100519786457841326"


def rec(id_, created, amount="100.00", *, type_="deposit", status="Completed", commission="0", **extra):
    return {
        "id": id_,
        "type": type_,
        "amount": amount,
        "commission": commission,
        "status": status,
        "username": extra.pop("username", "dealer1"),
        "customer_name": extra.pop("customer_name", "Ali Veli"),
        "customer_iban": extra.pop("customer_iban", IBAN),
        "description": extra.pop("description", ""),
        "created_at": created,
        "completed_at": extra.pop("completed_at", created),
        **extra,
    }


def frame(records, iban_id=1, iban=IBAN):
    return h.records_to_frame(records, iban_id=iban_id, iban=iban)


def ist(*args) -> pd.Timestamp:
    return pd.Timestamp(datetime(*args, tzinfo=IST))


# --- ingest ---------------------------------------------------------------------------------


def test_good_records_give_the_documented_dtypes_and_exact_kurus():
    df = frame(
        [
            rec(1, "2025-11-26 14:30:00", "1234.50", commission="12.35"),
            rec(2, "2025-11-26 15:00:00", 0.29, type_="withdrawal", commission=0.1),
            rec(3, "2025-11-26 16:00:00", 125000, type_="other"),
        ]
    )
    assert list(df.columns) == list(h.COLUMNS)
    assert str(df["id"].dtype) == "Int64"
    assert df["iban_id"].dtype == np.int64
    for col in ("iban", "type", "status"):
        assert isinstance(df[col].dtype, pd.CategoricalDtype)
    assert list(df["type"].cat.categories) == list(h.TYPES)
    assert list(df["status"].cat.categories) == list(h.STATUSES)
    for col in ("amount_kurus", "commission_kurus", "signed_kurus"):
        assert df[col].dtype == np.int64
    for col in ("username", "customer_name", "customer_iban", "description"):
        assert df[col].dtype == pd.StringDtype("pyarrow")
    for col in ("created_at", "completed_at"):
        assert str(df[col].dt.tz) == "Europe/Istanbul"
    # newest first
    assert df["id"].tolist() == [3, 2, 1]
    assert df["amount_kurus"].tolist() == [12_500_000, 29, 123_450]
    assert df["commission_kurus"].tolist() == [0, 10, 1235]
    assert df["signed_kurus"].tolist() == [0, -29, 123_450]
    assert df["type"].tolist() == ["unknown", "withdrawal", "deposit"]
    assert df["created_at"].iloc[2] == ist(2025, 11, 26, 14, 30)
    assert df["iban"].iloc[0] == IBAN


def test_odd_records_never_crash_and_read_what_can_be_read():
    records = [
        rec("42", "2025-11-26 10:00:00", "1,234.50", extra_field={"nested": [1, 2]}),
        {"id": None, "amount": None, "status": None, "type": None, "created_at": None, "username": 12345},
        {"amount": "abc", "created_at": "garbage", "completed_at": "2025-13-45 99:99:99", "id": "x"},
        {},
        "not a record",
        None,
    ]
    df = frame([records[:2], records[2:]])  # pages
    assert len(df) == 4
    first = df.iloc[0]
    assert first["id"] == 42
    assert first["amount_kurus"] == 123_450
    blank = df[df["username"] == "12345"].iloc[0]
    assert pd.isna(blank["id"]) and blank["amount_kurus"] == 0 and pd.isna(blank["created_at"])
    assert blank["status"] == "Unknown" and blank["type"] == "unknown" and blank["signed_kurus"] == 0
    assert blank["customer_name"] == "" and blank["description"] == ""
    assert df["created_at"].isna().sum() == 3
    assert df["completed_at"].isna().sum() == 3
    assert "extra_field" not in df.columns


def test_mixed_types_in_a_column_take_the_tolerant_path():
    df = frame(
        [
            rec(1, "2025-01-01 10:00:00", 10.5),
            rec(2, "2025-01-01 11:00:00", "20.25"),
            rec(3, "2025-01-01 12:00:00", "3,000.10", username=7),
        ]
    )
    assert df.sort_values("id")["amount_kurus"].tolist() == [1050, 2025, 300_010]
    assert "7" in df["username"].tolist()


def test_amounts_mixing_numbers_and_strings_are_read_exactly():
    df = frame(
        [
            rec(1, "2025-01-01 10:00:00", 0.29, commission="0.01"),
            rec(2, "2025-01-01 11:00:00", "1,000.07"),
            rec(3, "2025-01-01 12:00:00", 5, commission=None),
        ]
    )
    assert df.sort_values("id")["amount_kurus"].tolist() == [29, 100_007, 500]
    assert df.sort_values("id")["commission_kurus"].tolist() == [1, 0, 0]
    assert df.sort_values("id")["customer_name"].tolist() == ["Ali Veli"] * 3


def test_a_single_record_and_flat_records_are_accepted():
    assert len(frame(rec(1, "2025-01-01 10:00:00"))) == 1
    assert len(frame(iter([rec(1, "2025-01-01 10:00:00"), rec(2, "2025-01-01 10:00:01")]))) == 2
    mixed = frame([rec(1, "2025-01-01 10:00:00"), [rec(2, "2025-01-01 10:00:01"), None], 7, [rec(3, None)]])
    assert sorted(mixed["id"].tolist()) == [1, 2, 3]


def test_negative_amounts_are_stored_as_magnitudes():
    df = frame([rec(1, "2025-01-01 10:00:00", "-50.00", type_="withdrawal")])
    assert df["amount_kurus"].iloc[0] == 5000 and df["signed_kurus"].iloc[0] == -5000


@pytest.mark.parametrize(
    ("word", "label"),
    [
        ("Completed", "Completed"),
        ("COMPLETED", "Completed"),
        ("Tamamlandı", "Completed"),
        ("TAMAMLANDI", "Completed"),
        ("Başarılı", "Completed"),
        ("beklemede", "Pending"),
        ("Pending", "Pending"),
        ("İşleniyor", "Processing"),
        ("İŞLENİYOR", "Processing"),
        ("processing", "Processing"),
        ("Başarısız", "Failed"),
        ("BAŞARISIZ", "Failed"),
        ("İptal", "Cancelled"),
        ("İPTAL EDİLDİ", "Cancelled"),
        ("iptal edildi", "Cancelled"),
        ("Canceled", "Cancelled"),
        ("Reddedildi", "Rejected"),
        ("rejected", "Rejected"),
        ("something else", "Unknown"),
        ("", "Unknown"),
        (None, "Unknown"),
    ],
)
def test_status_words_map_to_canonical_labels(word, label):
    df = frame([rec(1, "2025-01-01 10:00:00", status=word)])
    assert df["status"].iloc[0] == label
    assert h.status_label(word) == label


@pytest.mark.parametrize(
    ("word", "label"),
    [
        ("deposit", "deposit"),
        ("Deposit", "deposit"),
        ("yatırım", "deposit"),
        ("YATIRIM", "deposit"),
        ("Yatirim", "deposit"),
        ("withdrawal", "withdrawal"),
        ("çekim", "withdrawal"),
        ("ÇEKİM", "withdrawal"),
        ("cekim", "withdrawal"),
        ("refund", "unknown"),
        (None, "unknown"),
    ],
)
def test_type_words_map_to_canonical_labels(word, label):
    df = frame([rec(1, "2025-01-01 10:00:00", type_=word)])
    assert df["type"].iloc[0] == label


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2025-11-26 14:30:00", ist(2025, 11, 26, 14, 30)),
        ("2025-11-26T14:30:00", ist(2025, 11, 26, 14, 30)),
        ("2025-11-26T11:30:00Z", ist(2025, 11, 26, 14, 30)),
        ("2025-11-26T11:30:00.250000+00:00", ist(2025, 11, 26, 14, 30) + pd.Timedelta(milliseconds=250)),
        ("2025-11-26 13:30:00+0200", ist(2025, 11, 26, 14, 30)),
        (" 2025-11-26 14:30:00 ", ist(2025, 11, 26, 14, 30)),
        ("2025-11-26", ist(2025, 11, 26, 0, 0)),
    ],
)
def test_time_formats(text, expected):
    assert frame([rec(1, text)])["created_at"].iloc[0] == expected


@pytest.mark.parametrize("text", ["garbage", "26/11/2025", "", "2025-02-30 10:00:00", 1732624200, None])
def test_unreadable_times_are_nat(text):
    assert pd.isna(frame([rec(1, text)])["created_at"].iloc[0])


def test_customer_iban_is_stored_compact_upper_case():
    df = frame([rec(1, "2025-01-01 10:00:00", customer_iban="tr33 0006 1005 1978 6457 8413 26")])
    assert df["customer_iban"].iloc[0] == IBAN


def test_empty_frame_has_the_same_dtypes_as_a_full_one():
    empty = h.empty_frame()
    full = frame([rec(1, "2025-01-01 10:00:00")])
    assert len(empty) == 0
    assert list(empty.columns) == list(full.columns)
    for col in full.columns:
        if col != "iban":
            assert empty[col].dtype == full[col].dtype, col
    assert len(frame([])) == 0


def test_combine_unions_iban_categories_and_sorts_newest_first():
    a = frame([rec(1, "2025-01-01 10:00:00"), rec(3, "2025-01-03 10:00:00")], iban_id=1, iban="TR1")
    b = frame([rec(2, "2025-01-02 10:00:00"), rec(4, "2025-01-04 10:00:00")], iban_id=2, iban="TR2")
    both = h.combine([a, b])
    assert both["id"].tolist() == [4, 3, 2, 1]
    assert both["iban_id"].tolist() == [2, 1, 2, 1]
    assert isinstance(both["iban"].dtype, pd.CategoricalDtype)
    assert set(both["iban"].cat.categories) == {"TR1", "TR2"}
    assert both["iban"].tolist() == ["TR2", "TR1", "TR2", "TR1"]
    assert isinstance(both["status"].dtype, pd.CategoricalDtype)
    assert len(h.combine([])) == 0


def test_newest_first_breaks_ties_by_id_and_puts_missing_times_last():
    df = frame(
        [rec(1, "2025-01-01 10:00:00"), rec(5, None), rec(2, "2025-01-01 10:00:00"), rec(3, "2025-01-02 10:00:00")]
    )
    assert df["id"].tolist() == [3, 2, 1, 5]


# --- filters --------------------------------------------------------------------------------


@pytest.fixture
def sample() -> pd.DataFrame:
    a = frame(
        [
            rec(1, "2025-11-01 09:00:00", "100.00", username="şule_k", customer_name="Şule Yılmaz"),
            rec(
                2,
                "2025-11-10 12:00:00",
                "250.50",
                type_="withdrawal",
                status="Beklemede",
                customer_name="İSTANBUL Ticaret",
                description="Kira ödemesi",
            ),
            rec(
                3,
                "2025-11-15 23:59:59",
                "999.99",
                status="Başarısız",
                customer_name="Işık Gıda",
                customer_iban="TR120001000000000000000099",
            ),
            rec(
                4, "2025-11-16 00:00:00", "1000.00", type_="çekim", customer_name="Mehmet Can", description="Order #77"
            ),
        ],
        iban_id=1,
        iban="TR1",
    )
    b = frame([rec(5, "2025-11-12 08:00:00", "5000.00", customer_name="ayşe demir")], iban_id=2, iban="TR2")
    return h.combine([a, b])


def ids(df):
    return sorted(df["id"].tolist())


def test_no_filter_returns_everything(sample):
    assert ids(h.apply_filter(sample, h.TransactionFilter())) == [1, 2, 3, 4, 5]


def test_filter_by_iban(sample):
    assert ids(h.apply_filter(sample, h.TransactionFilter(iban_ids=(2,)))) == [5]
    assert ids(h.apply_filter(sample, h.TransactionFilter(iban_ids=[1]))) == [1, 2, 3, 4]
    assert ids(h.apply_filter(sample, h.TransactionFilter(iban_ids=()))) == []


def test_filter_by_dates_is_inclusive_in_local_days(sample):
    f = h.TransactionFilter(start=date(2025, 11, 10), end=date(2025, 11, 15))
    # 23:59:59 on the end day is in; 00:00:00 the day after is out
    assert ids(h.apply_filter(sample, f)) == [2, 3, 5]
    assert ids(h.apply_filter(sample, h.TransactionFilter(start=date(2025, 11, 16)))) == [4]
    assert ids(h.apply_filter(sample, h.TransactionFilter(end=date(2025, 11, 1)))) == [1]


def test_date_filter_uses_the_dealer_zone_not_utc():
    # 21:00 UTC is 00:00 the next day in Istanbul (UTC+3)
    df = frame([rec(1, "2025-11-15T21:00:00Z"), rec(2, "2025-11-15T20:59:59Z"), rec(3, None)])
    assert df.set_index("id").loc[1, "created_at"] == ist(2025, 11, 16, 0, 0)
    assert ids(h.apply_filter(df, h.TransactionFilter(start=date(2025, 11, 16), end=date(2025, 11, 16)))) == [1]
    assert ids(h.apply_filter(df, h.TransactionFilter(start=date(2025, 11, 15), end=date(2025, 11, 15)))) == [2]


def test_filter_by_status_accepts_any_spelling(sample):
    assert ids(h.apply_filter(sample, h.TransactionFilter(statuses=("Completed",)))) == [1, 4, 5]
    assert ids(h.apply_filter(sample, h.TransactionFilter(statuses=("beklemede", "FAILED")))) == [2, 3]
    assert ids(h.apply_filter(sample, h.TransactionFilter(statuses=()))) == []


def test_filter_by_type(sample):
    assert ids(h.apply_filter(sample, h.TransactionFilter(types=("withdrawal",)))) == [2, 4]
    assert ids(h.apply_filter(sample, h.TransactionFilter(types=("yatırım",)))) == [1, 3, 5]


def test_filter_by_amount_is_inclusive_and_exact(sample):
    f = h.TransactionFilter(min_amount=Decimal("250.50"), max_amount=Decimal("1000"))
    assert ids(h.apply_filter(sample, f)) == [2, 3, 4]
    assert ids(h.apply_filter(sample, h.TransactionFilter(min_amount=Decimal("250.51")))) == [3, 4, 5]
    assert ids(h.apply_filter(sample, h.TransactionFilter(max_amount=Decimal("999.989")))) == [1, 2]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("ŞULE", [1]),
        ("şule", [1]),
        ("sule", [1]),
        ("YILMAZ", [1]),
        ("yilmaz", [1]),
        ("istanbul", [2]),
        ("İSTANBUL", [2]),
        ("İstanbul", [2]),
        ("ISTANBUL", [2]),
        ("ışık", [3]),
        ("IŞIK", [3]),
        ("isik", [3]),
        ("AYŞE", [5]),
        ("kira ödemesi", [2]),
        ("ORDER #77", [4]),
        ("TR12000100", [3]),
        ("tr12 0001 0000", [3]),
        ("0000 0000 0099", [3]),
        ("nobody", []),
        ("   ", [1, 2, 3, 4, 5]),
    ],
)
def test_text_search_is_turkish_aware(sample, text, expected):
    assert ids(h.apply_filter(sample, h.TransactionFilter(text=text))) == expected


def test_text_search_does_not_match_across_fields():
    df = frame([rec(1, "2025-01-01 10:00:00", username="abc", customer_name="def", description="")])
    assert ids(h.apply_filter(df, h.TransactionFilter(text="abcdef"))) == []
    assert ids(h.apply_filter(df, h.TransactionFilter(text="abc def"))) == []


def test_filters_combine(sample):
    f = h.TransactionFilter(
        iban_ids=(1,),
        start=date(2025, 11, 1),
        end=date(2025, 11, 30),
        statuses=("Completed", "Pending"),
        types=("deposit",),
        min_amount=Decimal("50"),
        text="şule",
    )
    assert ids(h.apply_filter(sample, f)) == [1]
    f2 = h.TransactionFilter(start=date(2025, 11, 10), end=date(2025, 11, 16), text="a")
    assert ids(h.apply_filter(sample, f2)) == [2, 3, 4, 5]
    # the text filter runs on the rows left by the others; result keeps the frame's order
    out = h.apply_filter(sample, h.TransactionFilter(types=("deposit",), text="y"))
    assert out["id"].tolist() == [5, 1] and out.index.tolist() == [0, 1]


def test_filter_is_hashable_and_empty_frame_filters():
    f = h.TransactionFilter(statuses=["Completed"], text="x")
    assert hash(f) == hash(h.TransactionFilter(statuses=("Completed",), text="x"))
    assert len(h.apply_filter(h.empty_frame(), f)) == 0


def test_date_presets():
    presets = h.date_presets(date(2025, 11, 26))
    assert presets["today"] == (date(2025, 11, 26), date(2025, 11, 26))
    assert presets["7 days"] == (date(2025, 11, 20), date(2025, 11, 26))
    assert presets["30 days"] == (date(2025, 10, 28), date(2025, 11, 26))
    assert presets["this month"] == (date(2025, 11, 1), date(2025, 11, 26))


# --- summary, volume, balances --------------------------------------------------------------


def test_summary_sums_completed_rows_exactly():
    df = frame(
        [
            rec(1, "2025-01-01 10:00:00", 0.1, commission=0.01),
            rec(2, "2025-01-01 11:00:00", 0.2, commission="0.02"),
            rec(3, "2025-01-01 12:00:00", "0.07", type_="withdrawal", commission=0.3),
            rec(4, "2025-01-01 13:00:00", "1000", status="Pending"),
            rec(5, "2025-01-01 14:00:00", "500", type_="withdrawal", status="İptal"),
            rec(6, "2025-01-01 15:00:00", "9", type_="weird"),
        ]
    )
    s = h.summarize(df)
    assert s == h.Summary(
        count=6, money_in=Decimal("0.30"), money_out=Decimal("0.07"), net=Decimal("0.23"), commission=Decimal("0.33")
    )
    assert str(s.money_in) == "0.30"
    empty = h.summarize(h.empty_frame())
    assert empty.count == 0 and empty.net == Decimal("0.00")


def test_daily_volume_per_local_day_zero_filled():
    df = frame(
        [
            rec(1, "2025-11-01 09:00:00", "10.00"),
            rec(2, "2025-11-01T21:30:00Z", "5.00", type_="withdrawal"),  # 00:30 on Nov 2 in Istanbul
            rec(3, "2025-11-02 10:00:00", "7.00", status="Failed"),
            rec(4, "2025-11-04 23:59:59", "1.25"),
            rec(5, None, "99.00"),
        ]
    )
    v = h.daily_volume(df)
    assert v["day"].tolist() == [date(2025, 11, d) for d in (1, 2, 3, 4)]
    assert v["deposits_kurus"].tolist() == [1000, 0, 0, 125]
    assert v["withdrawals_kurus"].tolist() == [0, 500, 0, 0]
    assert v["count"].tolist() == [1, 2, 0, 1]
    assert v["deposits_kurus"].dtype == np.int64
    ranged = h.daily_volume(df, start=date(2025, 10, 31), end=date(2025, 11, 2))
    assert ranged["day"].tolist() == [date(2025, 10, 31), date(2025, 11, 1), date(2025, 11, 2)]
    assert ranged["count"].tolist() == [0, 1, 2]
    assert len(h.daily_volume(h.empty_frame())) == 0


def test_balance_history_walks_back_from_the_current_balance():
    df = frame(
        [
            rec(1, "2025-11-01 10:00:00", "100.00", commission="2.00"),  # +98.00
            rec(
                2,
                "2025-11-02 10:00:00",
                "30.00",
                type_="withdrawal",
                commission="1.00",
                completed_at="2025-11-02 10:05:00",
            ),  # -31.00
            rec(3, "2025-11-02 12:00:00", "500.00", status="Failed"),  # no effect
            rec(4, "2025-11-03 09:00:00", "50.00", commission="0.50"),  # +49.50
        ]
    )
    now = datetime(2025, 11, 4, 12, 0, tzinfo=IST)
    out = h.balance_history(df, {1: 1_000_00}, now=now)
    assert out.columns.tolist() == ["iban_id", "at", "balance_kurus"]
    assert out["at"].tolist() == [
        ist(2025, 11, 1, 10),
        ist(2025, 11, 2, 10, 5),
        ist(2025, 11, 3, 9),
        ist(2025, 11, 4, 12),
    ]
    # after tx4 = 1000.00; after tx2 = 1000 - 49.50; after tx1 = that + 31.00
    assert out["balance_kurus"].tolist() == [98_150, 95_050, 100_000, 100_000]
    assert (out["iban_id"] == 1).all()

    daily = h.balance_history(df, {1: 1_000_00}, now=now, freq="D")
    assert daily["at"].tolist() == [ist(2025, 11, 2), ist(2025, 11, 3), ist(2025, 11, 4), ist(2025, 11, 4, 12)]
    assert daily["balance_kurus"].tolist() == [98_150, 95_050, 100_000, 100_000]


def test_balance_history_per_iban_and_gaps_carried_forward():
    a = frame([rec(1, "2025-11-01 10:00:00", "10.00")], iban_id=1, iban="TR1")
    b = frame([rec(2, "2025-11-01 11:00:00", "5.00", type_="withdrawal")], iban_id=2, iban="TR2")
    now = datetime(2025, 11, 3, 8, 0, tzinfo=IST)
    out = h.balance_history(h.combine([a, b]), {1: 5000, 2: 700, 3: 42}, now=now)
    by = {k: g["balance_kurus"].tolist() for k, g in out.groupby("iban_id")}
    assert by == {1: [5000, 5000], 2: [700, 700], 3: [42]}
    daily = h.balance_history(h.combine([a, b]), {1: 5000}, now=now, freq="D")
    assert daily["balance_kurus"].tolist() == [5000, 5000, 5000]
    assert daily["at"].tolist() == [ist(2025, 11, 2), ist(2025, 11, 3), ist(2025, 11, 3, 8)]
    assert len(h.balance_history(h.empty_frame(), {}, now=now)) == 0


# --- table ----------------------------------------------------------------------------------


def test_display_frame_columns_types_and_labels(sample):
    t = h.display_frame(sample)
    assert t.columns.tolist() == [
        "ID",
        "Date",
        "IBAN",
        "Type",
        "Status",
        "Amount (TRY)",
        "Commission (TRY)",
        "Username",
        "Customer",
        "Customer IBAN",
        "Description",
        "Completed at",
    ]
    assert t["Amount (TRY)"].dtype == pd.ArrowDtype(pa.decimal128(18, 2))
    row = t[t["ID"] == 2].iloc[0]
    assert row["Amount (TRY)"] == Decimal("-250.50") and row["Type"] == "Withdrawal" and row["Status"] == "Pending"
    assert t.sort_values("Amount (TRY)")["ID"].tolist() == [4, 2, 1, 3, 5]
    assert isinstance(t["Date"].dtype, pd.DatetimeTZDtype)

    tr = h.display_frame(sample, lang="tr")
    assert tr.columns[:6].tolist() == ["No", "Tarih", "IBAN", "Tür", "Durum", "Tutar (TL)"]
    assert set(tr["Tür"]) == {"Yatırım", "Çekim"}
    assert "Tamamlandı" in set(tr["Durum"])
    assert len(h.display_frame(h.empty_frame())) == 0


def test_display_frame_formats_the_dealer_iban():
    t = h.display_frame(frame([rec(1, "2025-01-01 10:00:00")]))
    assert t["IBAN"].iloc[0] == "TR33 0006 1005 1978 6457 8413 26"


def test_kurus_to_decimal_array_is_exact_for_large_and_negative_values():
    values = np.array([0, 1, -1, 10, -123_456, 10**17 - 1, -(10**17 - 1)], dtype=np.int64)
    arr = money.kurus_to_decimal_array(values)
    assert arr.tolist() == [Decimal(int(v)) / 100 for v in values]


# --- Arrow pages (client._reader.arrow_transaction_page) ------------------------------------------


def test_arrow_pages_give_the_same_frame_as_dict_pages():
    import orjson

    from dashboard.client import _reader

    records = [
        rec(
            i,
            f"2025-11-{10 + i % 9:02d} 1{i % 10}:00:00",
            10.5 * i,
            commission=0.25,
            type_="withdrawal" if i % 3 else "deposit",
            status="Tamamlandı" if i % 2 else "pending",
            customer_iban="tr33 0006 1005 1978 6457 8413 26",
            completed_at=None if i % 4 else "2025-11-20 10:00:00",
        )
        for i in range(1, 40)
    ]
    pages = [records[:20], records[20:]]
    bodies = [
        orjson.dumps({"success": True, "data": p, "current_page": n + 1, "last_page": 2}) for n, p in enumerate(pages)
    ]
    arrow_pages = [_reader.arrow_transaction_page(b) for b in bodies]
    assert all(p is not None for p in arrow_pages)
    fast = h.records_to_frame((p.records for p in arrow_pages), iban_id=3, iban=IBAN)
    slow = h.records_to_frame(pages, iban_id=3, iban=IBAN)
    pd.testing.assert_frame_equal(fast, slow)


@pytest.mark.parametrize(
    "body",
    [
        b'{"success":true,"data":[{"id":1,"amount":"1,234.50"}],"current_page":1,"last_page":1}',  # string amount
        b'{"success":true,"data":[{"id":1},null],"current_page":1,"last_page":1}',  # null record
        b'{"success":true,"data":[{"id":1}],"meta":{"current_page":1,"last_page":2}}',  # resource form
        b'{"success":true,"data":{"data":[{"id":1}],"current_page":1,"last_page":1}}',  # nested form
        b'{"success":true,"data":[{"id":1}]}',  # no pagination hints
        b'{"success":false,"message":"no"}',
        b"[1, 2]",
    ],
)
def test_arrow_page_declines_anything_but_the_plain_shape(body):
    from dashboard.client import _reader

    assert _reader.arrow_transaction_page(body) is None


def test_pages_mixing_arrow_and_dicts_with_different_types_are_read_tolerantly():
    import orjson

    from dashboard.client import _reader

    body = orjson.dumps(
        {
            "success": True,
            "data": [rec(1, "2025-01-01 10:00:00", 10.5, commission=0)],
            "current_page": 1,
            "last_page": 2,
        }
    )
    arrow = _reader.arrow_transaction_page(body).records
    df = h.records_to_frame([arrow, [rec(2, "2025-01-01 11:00:00", "1,000.07", username=7)]], iban_id=1, iban=IBAN)
    assert df.sort_values("id")["amount_kurus"].tolist() == [1050, 100_007]
    assert "7" in df["username"].tolist()


# --- ingest of many IBANs in parts (history.fetch.fetch_history) --------------------------------------


def _many_records(n, offset=0):
    return [
        rec(
            offset + i,
            f"2025-11-{1 + (i * 7) % 28:02d} {(i * 5) % 24:02d}:{i % 60:02d}:00",
            f"{i % 500}.{i % 100:02d}",
            type_="withdrawal" if i % 3 else "yatırım",
            status="Tamamlandı" if i % 2 else "pending",
            customer_name=f"Şule Yılmaz {i}",
            description="=1+1" if i % 11 == 0 else "",
            customer_iban="tr33 0006 1005 1978 6457 8413 26",
            commission="0.25",
        )
        for i in range(n)
    ]


@pytest.mark.parametrize("batch_rows", [1, 7, 50, 10_000])
def test_parts_assembled_give_the_same_frame_as_records_to_frame_and_combine(batch_rows):
    a, b = _many_records(120), _many_records(80, offset=1000)
    pages_a = [a[i : i + 25] for i in range(0, len(a), 25)]
    pages_b = [b[i : i + 30] for i in range(0, len(b), 30)]
    parts = [
        *h.frame_parts(pages_a, iban_id=1, iban="TR1", batch_rows=batch_rows),
        *h.frame_parts(pages_b, iban_id=2, iban="TR2", batch_rows=batch_rows),
    ]
    if batch_rows == 1:  # a batch is whole pages: one part per page
        assert len(parts) == len(pages_a) + len(pages_b)
    if batch_rows == 10_000:  # one part per IBAN
        assert len(parts) == 2
    assembled = h.assemble(parts)
    expected = h.combine([frame(a, iban_id=1, iban="TR1"), frame(b, iban_id=2, iban="TR2")])
    pd.testing.assert_frame_equal(assembled, expected)
    assert all(not p for p in parts)  # every column was popped: the parts hold nothing any more
    assert assembled["created_at"].is_monotonic_decreasing


def test_assembled_columns_are_separate_buffers_and_search_is_chunked_text():
    parts = list(h.frame_parts([_many_records(300)], iban_id=1, iban="TR1", batch_rows=100))
    df = h.assemble(parts)
    ints = [df[c].to_numpy() for c in ("iban_id", "amount_kurus", "commission_kurus", "signed_kurus")]
    assert not any(np.shares_memory(x, y) for i, x in enumerate(ints) for y in ints[i + 1 :])  # no 2-D block
    assert h.apply_filter(df, h.TransactionFilter(text="sule yilmaz 29")).shape[0] == sum(
        "z 29" in f"z {i}" for i in range(300)
    )
    assert h.apply_filter(df, h.TransactionFilter(text="ŞULE")).shape[0] == 300


def test_parts_of_cached_frames_and_fresh_pages_mix():
    cached = frame(_many_records(40), iban_id=1, iban="TR1")
    fresh = list(h.frame_parts([_many_records(30, offset=500)], iban_id=2, iban="TR2"))
    mixed = h.assemble([h.frame_part(cached, "Europe/Istanbul"), *fresh], "Europe/Istanbul")
    pd.testing.assert_frame_equal(
        mixed, h.combine([cached, frame(_many_records(30, offset=500), iban_id=2, iban="TR2")])
    )
    assert len(cached) == 40 and cached["search_text"].notna().all()  # the cached frame itself is untouched


def test_empty_pages_and_select_ibans():
    assert len(h.assemble(list(h.frame_parts([], iban_id=1)))) == 0
    assert len(h.assemble([])) == 0
    both = h.combine(
        [frame(_many_records(5), iban_id=1, iban="TR1"), frame(_many_records(4, 100), iban_id=2, iban="TR2")]
    )
    assert h.select_ibans(both, [1, 2]) is both
    two = h.select_ibans(both, [2])
    assert two["iban_id"].tolist() == [2] * 4 and two.index.tolist() == [0, 1, 2, 3]
