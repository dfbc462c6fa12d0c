"""What a payout or a card payment costs the dealer, as the dealer's settings imply (shown before
confirming).

Unknown is never zero: when the settings could not be read, or do not state a rate or fee, these
return None and the forms block sending (the total debited would be a guess).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from dashboard.client.models import CreditCardChannel, EibanChannel
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


def payout_costs_known(eiban: EibanChannel | None) -> bool:
    """Whether the e-IBAN settings state both the payout commission and the fee."""
    return eiban is not None and eiban.withdrawal_commission is not None and eiban.withdrawal_fee is not None


def payout_costs(amount: Decimal, eiban: EibanChannel | None) -> PayoutCosts | None:
    """Commission is a percentage of the amount (rounded half-up to kuruş); the fee is fixed.

    None when the e-IBAN settings are missing or leave the commission or the fee unstated.
    """
    if not payout_costs_known(eiban):
        return None
    commission = quantize(amount * eiban.withdrawal_commission / 100)
    return PayoutCosts(amount=amount, commission=commission, fee=quantize(eiban.withdrawal_fee))


def card_commission(amount: Decimal, credit_card: CreditCardChannel | None) -> Decimal | None:
    """The commission on a card payment (its percentage of the amount, half-up to kuruş), or None
    when the credit-card settings are missing or state no rate."""
    if credit_card is None or credit_card.commission is None:
        return None
    return quantize(amount * credit_card.commission / 100)
