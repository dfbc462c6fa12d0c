"""`MoneyClient`: the client methods the console's money journal calls, as a `typing.Protocol`.

`EnigmaPayClient` satisfies it, and so does a test's stand-in with the same methods: the journal
types its client with this and so says exactly what it relies on.
"""

from __future__ import annotations

from datetime import date
from typing import Protocol

from . import models


class MoneyClient(Protocol):
    """Sends payouts and card payments, and reads what the journal needs to settle unknown outcomes."""

    def send_money(self, req: models.SendMoneyRequest) -> models.TransferResult: ...

    def create_card_payment(self, req: models.CardPaymentRequest) -> models.CardPayment: ...

    def get_transaction_status(self, transaction_id: int) -> models.TransactionStatus: ...

    def list_ibans(self) -> list[models.Iban]: ...

    def list_transactions(
        self, iban_id: int, start_date: date | None = None, end_date: date | None = None
    ) -> list[models.Transaction]: ...
