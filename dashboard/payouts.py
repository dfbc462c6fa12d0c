"""What a payout costs the dealer, as the dealer's settings imply (shown before confirming)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from dashboard.client.models import EibanChannel
from dashboard.money import quantize


@dataclass(frozen=True)
class PayoutCosts:
    amount: Decimal
    commission: Decimal
    fee: Decimal

    @property
    def total(self) -> Decimal:
        """What leaves the dealer's balance: the amount plus commission and fee."""
        return self.amount + self.commission + self.fee


def payout_costs(amount: Decimal, eiban: EibanChannel | None) -> PayoutCosts:
    """Commission is a percentage of the amount (rounded half-up to kuruş); the fee is fixed."""
    rate = (eiban.withdrawal_commission if eiban else None) or Decimal(0)
    fee = (eiban.withdrawal_fee if eiban else None) or Decimal(0)
    return PayoutCosts(amount=amount, commission=quantize(amount * rate / 100), fee=quantize(fee))
