"""The all-time search over the mirror (history/mirror_search.py, store/mirror_changes.py) on both
engines: a first load of every IBAN and synced day, rows the API stopped reporting shown as such,
and a second replica's syncs seen after a refresh that re-reads only the days that changed."""

from __future__ import annotations

import time
from datetime import UTC, date, datetime, timedelta

import pytest

from dashboard.history.ingest import records_to_frame
from dashboard.history.mirror_search import MirrorSearch, runs
from dashboard.store.mirror_changes import MirrorChanges

TZ = "Europe/Istanbul"
A, B = (7, "TR330006100519786457841326"), (8, "TR560001000000000000000001")
T1 = datetime(2025, 3, 5, 12, 0, tzinfo=UTC)
D1, D2, D3 = date(2025, 3, 1), date(2025, 3, 2), date(2025, 3, 3)


def record(tx_id, day, username="ayse_k", name="Ayşe Kaya", status="Completed"):
    return {
        "id": tx_id,
        "type": "withdrawal",
        "amount": 10,
        "status": status,
        "username": username,
        "customer_name": name,
        "customer_iban": "TR12 0001 0012 3456 7890 1234 56",
        "description": f"order {tx_id}",
        "created_at": f"{day.isoformat()} 10:00:00",
    }


def write(store, account, first, last, records, at):
    frame = records_to_frame(records, iban_id=account[0], iban=account[1], tz=TZ)
    store.mirror.write_days(account[0], account[1], first, last, frame, at, tz=TZ)


class Clock:
    now = 0.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def replicas(open_store):
    """Two stores on one database (two replicas) and the second one's search, with a hand clock."""
    one, two = open_store(), open_store()
    clock = Clock()
    search = MirrorSearch(two.mirror, MirrorChanges(two.engine), TZ, refresh_every=10, clock=clock, background=False)
    return one, search, clock


def test_everything_synced_is_searchable_and_missing_rows_are_marked(replicas):
    one, search, _ = replicas
    write(one, A, D1, D2, [record(1, D1), record(2, D1, "mehmet", "Mehmet Öz"), record(3, D2)], T1)
    write(one, B, D1, D1, [record(4, D1, status="Pending")], T1)
    write(one, A, D1, D1, [record(1, D1)], T1 + timedelta(minutes=1))  # 2 is no longer reported
    found = search.search("ayse kaya").rows
    assert found["id"].tolist() == [3, 4, 1]
    assert found["iban"].astype(str).tolist() == [A[1], B[1], A[1]]
    mehmet = search.search("MEHMET ÖZ").rows
    assert mehmet["id"].tolist() == [2] and mehmet["missing"].tolist() == [True]
    assert search.search("TR12 0001 0012 3456").count == 4
    assert search.of_username("ayse_k")["id"].tolist() == [3, 4, 1]
    assert search.loads == 1


def test_another_replicas_sync_is_seen_after_a_refresh_of_the_changed_days_only(replicas):
    one, search, clock = replicas
    write(one, A, D1, D2, [record(1, D1), record(2, D2, status="Pending")], T1)
    assert search.search("order 2").rows["status"].astype(str).tolist() == ["Pending"]

    write(one, A, D2, D3, [record(2, D2), record(5, D3, "zeynep", "Zeynep Çakır")], T1 + timedelta(minutes=5))
    assert search.search("cakir").count == 0  # not looked yet: the refresh is not due
    clock.now = 11
    assert search.search("cakir").rows["id"].tolist() == [5]
    assert search.search("order 2").rows["status"].astype(str).tolist() == ["Completed"]
    assert (search.loads, search.refreshes) == (1, 1)
    assert len(search.index()) == 3

    clock.now = 30  # nothing new: a look, no re-read
    search.search("x")
    assert search.refreshes == 1


def test_an_empty_mirror_searches_to_nothing(replicas):
    _, search, _ = replicas
    assert search.search("anything").count == 0 and search.of_username("x").empty


def test_runs_split_days_into_contiguous_ranges():
    assert runs([D3, D1, D2, date(2025, 3, 7)]) == [(D1, D3), (date(2025, 3, 7), date(2025, 3, 7))]
    assert runs([]) == []


def test_warming_loads_the_index_once_in_the_background(replicas):
    one, search, _ = replicas
    write(one, A, D1, D1, [record(1, D1)], T1)
    search.warm()
    search.warm()  # already loading or loaded: no second load
    for _ in range(200):
        if search.loads:
            break
        time.sleep(0.05)
    assert search.loads == 1
    assert search.search("ayse").count == 1 and search.loads == 1


def test_a_due_refresh_runs_in_the_background_and_the_next_search_sees_it(open_store):
    one, two = open_store(), open_store()
    clock = Clock()
    search = MirrorSearch(two.mirror, MirrorChanges(two.engine), TZ, refresh_every=10, clock=clock)
    write(one, A, D1, D1, [record(1, D1)], T1)
    assert search.search("order").count == 1
    write(one, A, D2, D2, [record(2, D2)], T1 + timedelta(minutes=1))
    clock.now = 11
    search.search("order")  # answered from the index it had; the refresh starts
    for _ in range(200):
        if search.refreshes:
            break
        time.sleep(0.05)
    assert search.refreshes == 1 and search.search("order").count == 2


def test_words_across_fields_and_id_prefixes_over_the_mirror(replicas):
    """On both engines: what the mirror gives back (IBANs with spaces, amounts as written) is searched
    word by word across fields, ids by their first digits with the exact one first."""
    one, search, _ = replicas
    rows = [record(1234, D1), record(123, D1, "mehmet", "Mehmet Öz"), record(12345, D2, status="Pending")]
    rows[0]["amount"] = "1500.50"
    write(one, A, D1, D2, rows, T1)
    assert search.search("123").rows["id"].tolist() == [123, 12345, 1234]
    assert search.search("ayşe 1.500,50").rows["id"].tolist() == [1234]
    assert search.search("AYSE 10").rows["id"].tolist() == [12345]  # amount 10,00 (1234 is 1500,50)
    assert search.search("mehmet tr1200 0100 1234").rows["id"].tolist() == [123]  # IBAN held with spaces
    assert search.search("öz 1500,50").count == 0  # every word must match one row
