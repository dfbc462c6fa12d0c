"""What an all-time search query asks for: its words, and what each word may match. No Streamlit, no I/O.

A query matches a row when EVERY word matches SOME field of that row ("ayşe 1500", "ahmet TR12
0006"). A word matches:
- as text: its folded form (`schema.fold`: Turkish i's, accents off, '_' and '-' as spaces) inside
  the username, customer name, customer IBAN (held without spaces, so any spacing matches) or
  description -- except a number of 1 or 2 digits, which nearly every IBAN holds somewhere ("ayşe
  10" means 10 lira or transaction 10, not any Ayşe whose IBAN has a 10 in it);
- as a transaction id: digits (optionally after '#') equal to the id, or -- 3 digits or more -- the
  first digits of it (support staff often have only those); exact matches are listed first;
- as an amount: '1500', '1500,00', '1.500,50', '1,500.50', read exactly (`money.parse_amount_input`,
  Decimal, no float), equal to the row's amount in kuruş ("1.500" is ambiguous and is not read).
Blocks of digits typed one after another ('TR12 0006 1005', '0000 0777') are first read as one
string without the spaces (an IBAN typed in blocks); only when that finds no row are they read as
separate words (`Run`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from dashboard.history.schema import fold
from dashboard.money import AmountError, parse_amount_input, to_kurus

ID_PREFIX_DIGITS = 3  # the fewest digits read as the beginning of a transaction id
_MAX_ID = 2**63 - 1
_ID = re.compile(r"#?([1-9][0-9]{0,18})")
_AMOUNT = re.compile(r"₺?[0-9][0-9.,]*")
_BLOCK_START = re.compile(r"(tr)?[0-9]*")  # an IBAN's first block: 'tr12', or digits
_BLOCK = _DIGITS = re.compile(r"[0-9]+")
_CURRENCY = frozenset({"tl", "try", "₺"})


@dataclass(frozen=True)
class Word:
    """One word of a query and everything it may match."""

    text: str  # folded; matched inside the text fields (when `in_text`)
    id_exact: int | None = None
    id_prefix: str | None = None  # digits: ids starting with them (ID_PREFIX_DIGITS or more)
    amount_kurus: int | None = None
    in_text: bool = True


@dataclass(frozen=True)
class Run:
    """Digit blocks typed one after another: one string without spaces (`compact`), or, when that
    finds nothing, each block a word of its own."""

    compact: str
    words: tuple[Word, ...]


@dataclass(frozen=True)
class Query:
    words: tuple[Word, ...]
    runs: tuple[Run, ...]

    @property
    def exact_ids(self) -> tuple[int, ...]:
        """The transaction ids the query names in full (listed first in the results)."""
        every = list(self.words) + [w for run in self.runs for w in run.words]
        return tuple(dict.fromkeys(w.id_exact for w in every if w.id_exact is not None))

    def __bool__(self) -> bool:
        return bool(self.words or self.runs)


def read_word(text: str) -> Word:
    """One folded word's readings: text, transaction id (exact, prefix), amount."""
    id_exact = id_prefix = amount = None
    digits = _ID.fullmatch(text)
    if digits and int(digits.group(1)) <= _MAX_ID:
        id_exact = int(digits.group(1))
        if len(digits.group(1)) >= ID_PREFIX_DIGITS:
            id_prefix = digits.group(1)
    if _AMOUNT.fullmatch(text):
        amount = _amount_kurus(text)
    in_text = not (_DIGITS.fullmatch(text) and len(text) < ID_PREFIX_DIGITS)
    return Word(text, id_exact, id_prefix, amount, in_text)


def _amount_kurus(text: str) -> int | None:
    try:
        kurus = to_kurus(parse_amount_input(text))
    except (AmountError, ValueError):  # ambiguous ('1.500'), more than 2 decimals, not a number
        return None
    return kurus if 0 < kurus <= _MAX_ID else None


def parse_query(query: str) -> Query:
    """The query's words (folded) and its runs of digit blocks; an empty Query for blank text."""
    tokens = [t for t in fold(query or "").split(" ") if t]
    tokens = [t for i, t in enumerate(tokens) if not (t in _CURRENCY and i and _AMOUNT.fullmatch(tokens[i - 1]))]
    words: list[Word] = []
    runs: list[Run] = []
    i = 0
    while i < len(tokens):
        j = i + 1
        if _BLOCK_START.fullmatch(tokens[i]):
            while j < len(tokens) and _BLOCK.fullmatch(tokens[j]):
                j += 1
        if j - i >= 2:
            runs.append(Run("".join(tokens[i:j]), tuple(read_word(t) for t in tokens[i:j])))
        else:
            words.append(read_word(tokens[i]))
        i = j
    return Query(tuple(words), tuple(runs))


def id_ranges(prefix: str, max_id: int) -> list[tuple[int, int]]:
    """Half-open ranges [low, high) of the ids up to `max_id` whose decimal digits start with `prefix`:
    '123' -> [123, 124), [1230, 1240), [12300, 12400), ... as long as `low` <= max_id."""
    out: list[tuple[int, int]] = []
    low, high = int(prefix), int(prefix) + 1
    while low <= max_id:
        out.append((low, high))
        low, high = low * 10, high * 10
    return out
