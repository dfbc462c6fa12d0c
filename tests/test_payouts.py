from decimal import Decimal

import pytest

from dashboard.client.models import CreditCardChannel, EibanChannel
from dashboard.payouts import card_commission, payout_costs


def channel(rate: str | None, fee: str | None) -> EibanChannel:
    return EibanChannel(True, "Aktif", Decimal("1.00"), Decimal(rate) if rate else None, Decimal(fee) if fee else None)


def test_commission_is_a_percentage_rounded_half_up_plus_a_fixed_fee():
    costs = payout_costs(Decimal("1234.50"), channel("0.50", "2.50"))
    assert costs.commission == Decimal("6.17")  # 6.1725 -> 6.17
    assert costs.fee == Decimal("2.50")
    assert costs.total == Decimal("1243.17")


def test_half_kurus_rounds_up():
    assert payout_costs(Decimal("1.00"), channel("0.50", "0")).commission == Decimal("0.01")  # 0.005


@pytest.mark.parametrize("eiban", [None, channel(None, "2.50"), channel("0.50", None)])
def test_unknown_costs_are_none_never_zero(eiban):
    # Was: missing settings meant commission 0.00, fee 0.00 and total = amount.
    assert payout_costs(Decimal("100"), eiban) is None


def test_card_commission_is_its_percentage_or_unknown():
    card = CreditCardChannel(True, "Aktif", Decimal("3.50"))
    assert card_commission(Decimal("250"), card) == Decimal("8.75")
    assert card_commission(Decimal("250"), CreditCardChannel(True, "Aktif", None)) is None
    assert card_commission(Decimal("250"), None) is None
