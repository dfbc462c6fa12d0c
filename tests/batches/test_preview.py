"""The preview: each row through the Send money form's own checks, bank and costs, repeats flagged, totals."""

from __future__ import annotations

from decimal import Decimal

from dashboard import validation
from dashboard.batches import build_preview, read_payout_file
from dashboard.batches.frames import preview_frame
from dashboard.client.models import EibanChannel
from dashboard.i18n import is_translated

IBAN = "TR330006100519786457841326"  # bank code 00061
ZIRAAT = "TR320001000000000000000001"
EIBAN = EibanChannel(True, "Aktif", Decimal("1"), Decimal("0.50"), Decimal("2.50"))
HEADER = "username;amount;customer_iban;customer_name;description\n"


def preview_of(text: str, recent=None, eiban=EIBAN):
    parsed = read_payout_file("p.csv", (HEADER + text).encode())
    return build_preview("p.csv", parsed.rows, eiban, recent)


def test_rows_get_exactly_the_forms_messages():
    preview = preview_of(f"u1;1.500;{IBAN};Ali Veli;\nu2;10;TR000000;A;\n;abc;{IBAN};Ali Veli;\n")
    for row in preview.rows:
        cells = row.cells
        try:
            validation.check_send_money(
                username=cells["username"],
                amount=cells["amount"],
                customer_iban=cells["customer_iban"],
                customer_name=cells["customer_name"],
                description=cells["description"],
            )
        except validation.InputError as exc:
            assert row.problems == exc.errors and not row.valid
        else:
            raise AssertionError("every row here is invalid")
    assert set(preview.rows[1].problems) == {"customer_iban", "customer_name"}
    assert all(is_translated(m) for r in preview.rows for m in r.problems.values())


def test_valid_rows_have_bank_costs_and_totals():
    preview = preview_of(f"u1;1500,50;{IBAN};Ali Veli;x\nu2;100.00;{IBAN};Ayşe Kaya;\nbad;0;{IBAN};Ali Veli;\n")
    first = preview.rows[0]
    assert first.valid and first.request.amount == Decimal("1500.50")
    assert first.bank_code == "00061"
    assert first.costs.commission == Decimal("7.50") and first.costs.fee == Decimal("2.50")
    totals = preview.totals()
    assert (totals.rows, totals.to_send, totals.invalid, totals.flagged) == (3, 2, 1, 0)
    assert totals.amount == Decimal("1600.50")
    assert totals.commission == Decimal("8.00") and totals.fee == Decimal("5.00")
    assert totals.total == Decimal("1613.50")


def test_costs_unknown_without_settings():
    totals = preview_of(f"u1;10;{IBAN};Ali Veli;\n", eiban=None).totals()
    assert totals.commission is None and totals.total is None


def test_repeats_in_file_and_recent_journal_payouts_are_flagged_and_left_out_by_default():
    asked = []

    def recent(keys):
        keys = set(keys)
        asked.append(keys)
        return {k: "op-earlier" for k in keys if k[2] == "u9"}

    preview = preview_of(
        f"u1;10;{IBAN};Ali Veli;\nu2;20;{IBAN};Ali Veli;\nu1;10,00;{IBAN.lower()};Ali Veli;again\nu9;5;{IBAN};Ali Veli;\n",
        recent,
    )
    rows = {r.number: r for r in preview.rows}
    assert rows[4].repeat_of == 2 and rows[4].flagged  # same IBAN, amount and username as row 2
    assert rows[2].repeat_of is None and not rows[2].flagged
    assert rows[5].recent_operation == "op-earlier" and rows[5].flagged
    assert len(asked) == 1 and len(asked[0]) == 3  # one question for every distinct payout
    assert preview.totals().to_send == 2 and preview.totals(include_flagged=True).to_send == 4
    assert preview.confirm_duplicate(False) == set()
    assert preview.confirm_duplicate(True) == {2, 4, 5}  # every copy of a flagged content; row 3 keeps the hold


def test_preview_frame_says_why_in_both_languages():
    preview = preview_of(f"u1;10;{IBAN};Ali Veli;\nu1;10;{IBAN};Ali Veli;\nu3;x;{IBAN};Ali Veli;\n")
    en = preview_frame(preview, include_flagged=False)
    assert list(en["Check"]) == ["✅ to send", "⚠️ left out", "❌ not valid"]
    assert en["Why"][1] == "repeats row 2"
    tr = preview_frame(preview, include_flagged=False, lang="tr")
    assert "2. satırın tekrarı" in list(tr.iloc[:, 2])
