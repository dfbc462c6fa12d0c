"""The Transactions table: its columns, in order, with labels per language; also what exports write.

Values stay typed (ids, aware datetimes, categoricals, exact decimal lira) so the table sorts
correctly and exports keep numbers. No Streamlit.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from dashboard.history.schema import STATUSES, type_is
from dashboard.i18n.tr import TR
from dashboard.iban import format_iban
from dashboard.money import kurus_to_decimal_array

# Every word the table shows, per language, in one place (the i18n issue can lift this dict).
LABELS: dict[str, dict[str, str]] = {
    "en": {
        "id": "ID",
        "created_at": "Date",
        "completed_at": "Completed at",
        "iban": "IBAN",
        "type": "Type",
        "status": "Status",
        "amount": "Amount (TRY)",
        "commission": "Commission (TRY)",
        "username": "Username",
        "customer_name": "Customer",
        "customer_iban": "Customer IBAN",
        "description": "Description",
        "deposit": "Deposit",
        "withdrawal": "Withdrawal",
        "unknown": "Unknown",
        **{s: s for s in STATUSES},
    },
    "tr": {
        "id": "No",
        "created_at": "Tarih",
        "completed_at": "Tamamlanma",
        "iban": "IBAN",
        "type": "Tür",
        "status": "Durum",
        "amount": "Tutar (TL)",
        "commission": "Komisyon (TL)",
        "username": "Kullanıcı adı",
        "customer_name": "Müşteri",
        "customer_iban": "Müşteri IBAN",
        "description": "Açıklama",
        "deposit": "Yatırım",
        "withdrawal": "Çekim",
        "unknown": "Bilinmiyor",
        **{s: TR[s] for s in STATUSES},
    },
}


def display_frame(df: pd.DataFrame, lang: str = "en") -> pd.DataFrame:
    """The table's columns, in order, with labels in `lang` ("en" / "tr"); also what exports write.

    Values stay typed so the table sorts correctly and the exports keep numbers: ID Int64, dates
    tz-aware datetimes, Type/Status/IBAN categoricals of translated words, money as exact
    decimal128(18, 2) lira. Amount is signed: withdrawals negative (unknown types as sent).
    Formatting (₺, separators, date format) is the job of the table's column_config and the exports.
    """
    labels = LABELS.get(lang, LABELS["en"])
    amount = df["amount_kurus"].to_numpy()
    shown_amount = np.where(type_is(df, "withdrawal"), -amount, amount)
    ibans = df["iban"].cat.rename_categories(format_iban)
    return pd.DataFrame(
        {
            labels["id"]: df["id"].array,
            labels["created_at"]: df["created_at"].array,
            labels["iban"]: ibans.array,
            labels["type"]: df["type"].cat.rename_categories([labels[t] for t in df["type"].cat.categories]).array,
            labels["status"]: df["status"]
            .cat.rename_categories([labels.get(s, s) for s in df["status"].cat.categories])
            .array,
            labels["amount"]: kurus_to_decimal_array(shown_amount),
            labels["commission"]: kurus_to_decimal_array(df["commission_kurus"].to_numpy()),
            labels["username"]: df["username"].array,
            labels["customer_name"]: df["customer_name"].array,
            labels["customer_iban"]: df["customer_iban"].array,
            labels["description"]: df["description"].array,
            labels["completed_at"]: df["completed_at"].array,
        }
    )
