from decimal import Decimal

from dashboard.client.models import EibanChannel
from dashboard.payouts import payout_costs


def channel(rate: str | None, fee: str | None) -> EibanChannel:
    return EibanChannel(True, "Aktif", Decimal("1.00"), Decimal(rate) if rate else None, Decimal(fee) if fee else None)


def test_commission_is_a_percentage_rounded_half_up_plus_a_fixed_fee():
    costs = payout_costs(Decimal("1234.50"), channel("0.50", "2.50"))
    assert costs.commission == Decimal("6.17")  # 6.1725 -> 6.17
    assert costs.fee == Decimal("2.50")
    assert costs.total == Decimal("1243.17")


def test_half_kurus_rounds_up():
    assert payout_costs(Decimal("1.00"), channel("0.50", None)).commission == Decimal("0.01")  # 0.005


def test_missing_settings_mean_no_costs():
    costs = payout_costs(Decimal("100"), None)
    assert (costs.commission, costs.fee, costs.total) == (Decimal("0.00"), Decimal("0.00"), Decimal("100"))
