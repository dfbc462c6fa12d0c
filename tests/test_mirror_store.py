"""The history mirror's store (store/mirror.py) on both engines: upserts where a newer report wins,
rows the API stops reporting marked (never deleted) and unmarked when reported again, day states,
frames read back exactly as written, the sync status; and the columnar fold equal to schema.fold."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pandas as pd
import pyarrow as pa
import pytest

from dashboard.history.assemble import assemble
from dashboard.history.ingest import records_to_frame
from dashboard.history.schema import COLUMNS, fold
from dashboard.store.mirror_codec import fold_array

TZ = "Europe/Istanbul"
IBAN = "TR33 0006 1005 1978 6457 8413 26"
IBAN_ID = 7
T1 = datetime(2025, 3, 5, 12, 0, tzinfo=UTC)
T2 = T1 + timedelta(minutes=5)
D1, D2, D3 = date(2025, 3, 1), date(2025, 3, 2), date(2025, 3, 3)


def record(tx_id, day: date, status="Completed", amount=100, hour=10, **extra) -> dict:
    return {
        "id": tx_id,
        "type": "deposit" if tx_id is None or tx_id % 2 else "withdrawal",
        "amount": amount,
        "commission": 1.5,
        "status": status,
        "username": f"user{tx_id}",
        "customer_name": "Şule Yılmaz",
        "customer_iban": "tr12 0001 0012 3456 7890 1234 56",
        "description": f"order {tx_id}",
        "created_at": f"{day.isoformat()} {hour:02d}:00:00",
        "completed_at": f"{day.isoformat()} {hour:02d}:30:00" if status == "Completed" else None,
        **extra,
    }


def frame(records, iban_id=IBAN_ID, iban=IBAN):
    return records_to_frame(records, iban_id=iban_id, iban=iban, tz=TZ)


@pytest.fixture
def mirror(any_store):
    return any_store.mirror


def comparable(df: pd.DataFrame) -> pd.DataFrame:
    return df[list(COLUMNS)].reset_index(drop=True)


def test_a_frame_comes_back_exactly_as_written(mirror):
    written = frame([record(1, D1), record(2, D2, "Pending"), record(3, D2, hour=23), record(None, D3)])
    assert mirror.write_days(IBAN_ID, IBAN, D1, D3, written, T1, tz=TZ) == 4
    back = mirror.read([IBAN_ID], D1, D3, TZ)
    pd.testing.assert_frame_equal(comparable(back), comparable(written))
    only_day_two = mirror.read([IBAN_ID], D2, D2, TZ)
    assert sorted(only_day_two["id"].tolist()) == [2, 3]
    assert mirror.read([99], D1, D3, TZ).empty


def test_a_newer_report_replaces_the_older_one_and_an_older_never_the_newer(mirror, any_store):
    mirror.write_days(IBAN_ID, IBAN, D1, D1, frame([record(1, D1, "Pending")]), T1, tz=TZ)
    mirror.write_days(IBAN_ID, IBAN, D1, D1, frame([record(1, D1, "Completed")]), T2, tz=TZ)
    mirror.write_days(IBAN_ID, IBAN, D1, D1, frame([record(1, D1, "Failed")]), T1, tz=TZ)  # late, older
    back = mirror.read([IBAN_ID], D1, D1, TZ)
    assert back["status"].tolist() == ["Completed"]
    row = any_store.engine.read_one("SELECT status, final, completed_at FROM mirror_transactions")
    assert row["status"] == "Completed" and row["final"] == 1 and row["completed_at"] is not None
    assert mirror.day_states([IBAN_ID], D1, D1)[IBAN_ID][D1].synced_at == T2


def test_a_row_no_longer_reported_is_marked_then_unmarked_never_deleted(mirror, any_store):
    mirror.write_days(IBAN_ID, IBAN, D1, D2, frame([record(1, D1), record(2, D1), record(3, D2)]), T1, tz=TZ)
    mirror.write_days(IBAN_ID, IBAN, D1, D1, frame([record(1, D1)]), T2, tz=TZ)  # 2 is gone; D2 untouched
    assert sorted(mirror.read([IBAN_ID], D1, D2, TZ)["id"].tolist()) == [1, 3]
    with_missing = mirror.read([IBAN_ID], D1, D2, TZ, include_missing=True)
    assert dict(zip(with_missing["id"], with_missing["missing"])) == {1: False, 2: True, 3: False}
    count = any_store.engine.read_one("SELECT COUNT(*) AS n FROM mirror_transactions")["n"]
    assert count == 3
    [status] = mirror.sync_status()
    assert (status.rows, status.missing_rows, status.first_day, status.last_day) == (3, 1, D1, D2)
    assert status.last_synced_at == T2 and status.iban == "TR330006100519786457841326"

    mirror.write_days(IBAN_ID, IBAN, D1, D1, frame([record(1, D1), record(2, D1)]), T2 + timedelta(1), tz=TZ)
    again = mirror.read([IBAN_ID], D1, D2, TZ, include_missing=True)
    assert not again["missing"].any() and len(again) == 3
    assert mirror.sync_status()[0].missing_rows == 0


def test_day_states_count_rows_and_open_rows_empty_days_included(mirror):
    mirror.write_days(IBAN_ID, IBAN, D1, D3, frame([record(1, D1, "Pending"), record(2, D1), record(3, D3)]), T1)
    states = mirror.day_states([IBAN_ID, 8], D1, D3)
    assert states[8] == {}
    mine = states[IBAN_ID]
    assert [(d, s.rows, s.open_rows) for d, s in sorted(mine.items())] == [(D1, 2, 1), (D2, 0, 0), (D3, 1, 0)]


def test_rows_outside_the_written_days_are_ignored_and_a_repeat_keeps_the_final_report(mirror):
    records = [record(1, D1, "Pending"), record(2, D3), record(1, D1, "Completed")]  # 1 twice (paging shifted)
    assert mirror.write_days(IBAN_ID, IBAN, D1, D2, frame(records), T1, tz=TZ) == 1
    back = mirror.read([IBAN_ID], None, None, TZ)
    assert back["id"].tolist() == [1] and back["status"].tolist() == ["Completed"]


def test_several_ibans_and_months_read_as_one_newest_first_frame(mirror):
    other = "TR56 0001 0000 0000 0000 0000 01"
    mirror.write_days(IBAN_ID, IBAN, date(2025, 2, 27), D2, frame([record(1, date(2025, 2, 28)), record(3, D2)]), T1)
    mirror.write_days(8, other, D1, D1, frame([record(2, D1)], iban_id=8, iban=other), T1)
    back = mirror.read([IBAN_ID, 8], date(2025, 2, 1), D3, TZ)
    assert back["id"].tolist() == [3, 2, 1]
    assert back["iban"].tolist() == ["TR330006100519786457841326", "TR560001000000000000000001", IBAN.replace(" ", "")]
    assert back["search_text"].str.contains("sule yilmaz|şule yılmaz", regex=True).all()
    assert [s.iban_id for s in mirror.sync_status()] == [IBAN_ID, 8]


def test_search_text_is_folded_id_and_text_fields(mirror, any_store):
    mirror.write_days(IBAN_ID, IBAN, D1, D1, frame([record(41, D1)]), T1)
    row = any_store.engine.read_one("SELECT search_text, day FROM mirror_transactions")
    assert row["day"] == "2025-03-01"
    assert row["search_text"].split("\x1f") == [
        "41",
        "user41",
        "sule yilmaz",
        "TR120001001234567890123456".lower(),
        "order 41",
    ]


@pytest.mark.parametrize(
    "text",
    [
        "İPTAL EDİLDİ",
        "Şule  Yılmaz",
        "ÇAĞRI_ÖZ-ÜNAL",
        "  trailing\tspace ",
        "Ärger façade",
        "",
        "I ı İ i",
        "a\u00a0 b",
        "x\u2028y",
        "ＡＢＣ ﬁ",
        "NEL\x85x",
        "a\u3000b",
        "Plain-Text_x",
    ],
)
def test_the_columnar_fold_is_schema_fold(text):
    assert fold_array(pa.array([text])).to_pylist() == [fold(text)]


def test_a_transaction_that_moved_to_another_day_is_updated_not_refused(mirror):
    mirror.write_days(IBAN_ID, IBAN, D1, D1, frame([record(1, D1, "Pending")]), T1, tz=TZ)
    # Day 2 holds nothing yet (PostgreSQL's straight COPY is tried first), but id 1 is already held.
    mirror.write_days(IBAN_ID, IBAN, D2, D2, frame([record(1, D2), record(2, D2)]), T2, tz=TZ)
    back = mirror.read([IBAN_ID], D2, D2, TZ)
    assert sorted(back["id"].tolist()) == [1, 2] and set(back["status"]) == {"Completed"}


def test_the_columnar_fold_of_repeated_texts_folds_each_once_and_right():
    texts = ["İPTAL EDİLDİ", "Şule  Yılmaz", "plain", "ÇAĞRI_ÖZ"] * 5
    assert fold_array(pa.array(texts)).to_pylist() == [fold(t) for t in texts]


def test_read_parts_keeps_the_range_and_leaves_out_the_skipped_days_across_months(mirror):
    # One row a day from Jan 30 to May 2: blocks for five months; the range cuts into its first and
    # last month, the skipped ranges fall in a middle month, across a month's end and on the range's edge.
    days = [date(2025, 1, 30) + timedelta(days=n) for n in range(93)]
    written = frame([record(n + 1, day) for n, day in enumerate(days)])
    mirror.write_days(IBAN_ID, IBAN, days[0], days[-1], written, T1, tz=TZ)
    first, last = date(2025, 2, 3), date(2025, 4, 29)
    skip = [(date(2025, 2, 3), date(2025, 2, 4)), (date(2025, 3, 10), date(2025, 3, 12))]
    skip.append((date(2025, 3, 30), date(2025, 4, 2)))
    parts = mirror.read_parts([IBAN_ID, 8], first, last, TZ, skip={IBAN_ID: skip})
    assert list(parts) == [IBAN_ID]  # IBAN 8 holds nothing
    back = mirror_frame(parts[IBAN_ID])
    kept = [d for d in days if first <= d <= last and not any(a <= d <= b for a, b in skip)]
    assert sorted(back["created_at"].dt.date) == kept
    assert sorted(back["id"]) == [days.index(d) + 1 for d in kept]
    whole = mirror_frame(mirror.read_parts([IBAN_ID], None, None, TZ)[IBAN_ID])
    assert sorted(whole["id"]) == list(range(1, 94))


def mirror_frame(part: dict) -> pd.DataFrame:
    return assemble([part], TZ)


def test_the_columnar_fold_collapses_every_whitespace_python_splits_on():
    spaces = [chr(c) for c in range(0x110000) if chr(c).isspace()]
    texts = [t for c in spaces for t in (f"A{c}b", f"{c}x{c}{c}y{c}", f"Ş{c}ı-{c}", f"plain{c}")]
    assert fold_array(pa.array(texts)).to_pylist() == [fold(t) for t in texts]


def test_rows_over_several_upsert_batches_hold_every_column_of_their_write(any_store, monkeypatch):
    """SQLite binds the values a write holds constant (iban_id, iban, synced_at) once per write and
    feeds executemany lazily, batch by batch: every row still gets all its columns."""
    import dashboard.store.mirror as mirror_module

    monkeypatch.setattr(mirror_module, "UPSERT_BATCH", 3)
    mirror = any_store.mirror
    records = [record(i, D1 if i < 5 else D2, "Pending" if i == 6 else "Completed", hour=i) for i in range(1, 9)]
    assert mirror.write_days(IBAN_ID, IBAN, D1, D2, frame(records), T1, tz=TZ) == 8
    mirror.write_days(99, "TR330006100519786457841399", D1, D1, frame([record(1, D1)], 99), T2, tz=TZ)
    rows = any_store.engine.read(
        "SELECT iban_id, tx_id, iban, day, status, final, synced_at, search_text FROM mirror_transactions"
        " WHERE iban_id = ? ORDER BY tx_id",
        (IBAN_ID,),
    )
    assert [r["tx_id"] for r in rows] == list(range(1, 9))
    assert {(r["iban_id"], r["iban"], r["synced_at"]) for r in rows} == {
        (IBAN_ID, "TR330006100519786457841326", rows[0]["synced_at"])
    }
    assert (
        rows[0]["synced_at"]
        < any_store.engine.read_one("SELECT synced_at FROM mirror_days WHERE iban_id = 99")["synced_at"]
    )
    assert [r["day"] for r in rows] == ["2025-03-01"] * 4 + ["2025-03-02"] * 4
    assert [r["final"] for r in rows] == [1] * 5 + [0] + [1] * 2
    assert rows[5]["search_text"] == "6\x1fuser6\x1fsule yilmaz\x1ftr120001001234567890123456\x1forder 6"


# The stored format, spelled out: a month block written by an older console must still read, so its
# columns (names, order, Arrow types) and the row columns a write sets may not move (mirror_codec
# defines ROW_COLUMNS and BLOCK_COLUMNS from one tuple of reported values).
STORED_BLOCK = [
    ("id", pa.int64()),
    ("day", pa.string()),
    ("type", pa.string()),
    ("status", pa.string()),
    ("amount_kurus", pa.int64()),
    ("commission_kurus", pa.int64()),
    ("signed_kurus", pa.int64()),
    ("username", pa.large_string()),
    ("customer_name", pa.large_string()),
    ("customer_iban", pa.large_string()),
    ("description", pa.large_string()),
    ("created_at", pa.int64()),
    ("completed_at", pa.int64()),
]
STORED_ROW = (
    "iban_id tx_id iban day type status amount_kurus commission_kurus signed_kurus username customer_name "
    "customer_iban description created_at completed_at search_text final synced_at"
).split()


def test_the_stored_block_and_row_columns_keep_their_format(any_store):
    from dashboard.store.mirror_codec import BLOCK_COLUMNS, ROW_COLUMNS, block_table

    assert list(ROW_COLUMNS) == STORED_ROW and list(BLOCK_COLUMNS) == [name for name, _ in STORED_BLOCK]
    any_store.mirror.write_days(IBAN_ID, IBAN, D1, D2, frame([record(1, D1), record(2, D2, "Pending")]), T1, tz=TZ)
    stored = any_store.engine.read("SELECT block FROM mirror_blocks WHERE iban_id = ?", (IBAN_ID,))
    assert len(stored) == 1
    block = block_table(bytes(stored[0]["block"]))
    assert [(f.name, f.type) for f in block.schema] == STORED_BLOCK
    assert block.num_rows == 2
