from datetime import datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pandas as pd

from dashboard.balances import balance_points, current_balances_kurus, ibans_table, total_balance
from dashboard.client.models import Iban

TZ = ZoneInfo("Europe/Istanbul")
T0 = datetime(2026, 11, 1, tzinfo=TZ)


def iban(id_: int, balance: str) -> Iban:
    return Iban(id_, "TR330006100519786457841326", "Ali Veli", "Akbank", "Active", True, Decimal(balance), "", {})


def test_table_and_totals_are_exact():
    rows = [iban(1, "0.10"), iban(2, "0.20")]
    assert total_balance(rows) == Decimal("0.30")
    table = ibans_table(rows)
    assert table["iban"][0] == "TR33 0006 1005 1978 6457 8413 26"
    assert [str(v) for v in table["balance"]] == ["0.10", "0.20"]
    assert current_balances_kurus(rows) == {1: 10, 2: 20}


def test_snapshots_replace_the_reconstruction_from_their_first_point_on():
    reconstructed = pd.DataFrame(
        {
            "iban_id": [1, 1, 1, 2],
            "at": [T0, T0 + timedelta(days=1), T0 + timedelta(days=2), T0 + timedelta(days=2)],
            "balance_kurus": [100, 200, 300, 999],
        }
    )
    snapshots = [{"iban_id": 1, "taken_at": T0 + timedelta(days=1, hours=12), "balance_kurus": 250}]
    points = balance_points(reconstructed, snapshots)
    one = points[points["iban_id"] == 1]
    assert list(one["balance_kurus"]) == [100, 200, 250]  # day-2 reconstruction replaced by the snapshot
    assert list(one["source"]) == ["reconstructed", "reconstructed", "snapshot"]
    two = points[points["iban_id"] == 2]
    assert list(two["balance_kurus"]) == [999]  # no snapshot for IBAN 2 yet: reconstruction kept


def test_no_snapshots_means_reconstruction_only():
    reconstructed = pd.DataFrame({"iban_id": [1], "at": [T0], "balance_kurus": [5]})
    assert list(balance_points(reconstructed, [])["source"]) == ["reconstructed"]


def test_status_words_are_mapped_as_on_overview():
    # The API says Active, Aktif, AKTİF or Pasif side by side; the table says one thing per state.
    from dashboard.client._reader import parse_iban

    words = ["Active", "Aktif", "AKTİF", "Pasif", "Inactive"]
    rows = [
        parse_iban({"id": n, "iban": "TR330006100519786457841326", "status": w, "balance": "1.00"})
        for n, w in enumerate(words, 1)
    ]
    assert list(ibans_table(rows)["status"]) == ["Active", "Active", "Active", "Inactive", "Inactive"]
