"""A statement's transactions as text columns for the PDF (the XLSX keeps typed values: `history.display`).

Vectorised where pandas can; money through `money.format_try` (exact, the console's ₺ text).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from dashboard import money
from dashboard.history.display import LABELS
from dashboard.history.schema import type_is
from dashboard.statements.content import TIME_FORMATS, Statement

# (key, English header, width in mm, right-aligned); the description takes what is left.
COLUMNS: tuple[tuple[str, str, float, bool], ...] = (
    ("created_at", "Date", 27, False),
    ("iban", "IBAN", 20, False),
    ("id", "ID", 22, False),
    ("type", "Type", 19, False),
    ("status", "Status", 21, False),
    ("customer_name", "Customer", 42, False),
    ("description", "Description", 0, False),
    ("amount", "Amount", 32, True),
    ("commission", "Commission", 25, True),
)


def columns(statement: Statement) -> list[tuple[str, str, float, bool]]:
    """The PDF's columns: the IBAN column only when the statement covers several IBANs."""
    chosen = [c for c in COLUMNS if c[0] != "iban" or len(statement.lines) > 1]
    return [(key, statement.t(header), width, right) for key, header, width, right in chosen]


def _words(series: pd.Series, labels: dict[str, str]) -> list[str]:
    return series.astype(str).map(lambda word: labels.get(word, word)).tolist()


def _money_texts(kurus: np.ndarray, lang: str) -> list[str]:
    return [money.format_try(int(k), lang, kurus=True) for k in kurus]


def text_columns(statement: Statement) -> dict[str, list[str]]:
    """Each column's cell texts, in row order."""
    rows, lang = statement.rows, statement.lang
    labels = LABELS.get(lang, LABELS["en"])
    amount = rows["amount_kurus"].to_numpy()
    signed = np.where(type_is(rows, "withdrawal"), -amount, amount)
    created = rows["created_at"].dt.tz_convert(statement.tz)
    return {
        "created_at": created.dt.strftime(TIME_FORMATS.get(lang, TIME_FORMATS["en"])).fillna("").tolist(),
        "iban": ["…" + str(iban)[-6:] for iban in rows["iban"].astype(str)],
        "id": rows["id"].astype("string").fillna("").tolist(),
        "type": _words(rows["type"], labels),
        "status": _words(rows["status"], labels),
        "customer_name": rows["customer_name"].fillna("").tolist(),
        "description": rows["description"].fillna("").tolist(),
        "amount": _money_texts(signed, lang),
        "commission": _money_texts(rows["commission_kurus"].to_numpy(), lang),
    }
