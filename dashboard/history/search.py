"""All-time search: an in-process index of the mirror's rows, queried in milliseconds. No Streamlit, no I/O.

What a query means (every word in some field; ids by prefix; amounts; IBAN blocks) is
`search_query.py`'s. How it is fast: the four text fields (username, customer name, customer IBAN,
description) are held dictionary-encoded -- each distinct value once, folded like `schema.fold`
(the customer IBAN also without spaces), plus one int32 code per row. A word is a substring match
over the distinct values only (tens of thousands of customers, not a million rows), then one gather
of a boolean lookup table per field; ids and amounts are integer compares. The first word scans
every row, each further word only the rows still matching. `bench/search.py` measures it against
DuckDB over the same rows.

The index is immutable: `replace_days` returns a new one, so a search running while another thread
refreshes sees one consistent index (`dashboard.history.mirror_search` holds the current one).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from dashboard.history.ingest import empty_frame
from dashboard.history.schema import STATUSES, STRING_DTYPE, TEXT_FIELDS, TIME_UNIT, TYPES
from dashboard.history.search_query import Query, Word, id_ranges, parse_query
from dashboard.store.mirror_codec import fold_array

MISSING = "missing"  # bool column: the API stopped reporting this row (the mirror keeps it, marked)
_EPOCH_DAY = date(1970, 1, 1).toordinal()
_NUMBER_COLUMNS = ("amount_kurus", "commission_kurus", "signed_kurus")
_CODE = "_code_"  # prefix of the per-field code columns in the index's base frame


def local_days(created: pd.Series) -> np.ndarray:
    """Days since 1970-01-01 of each row's dealer-local creation date; -1 where created_at is NaT."""
    wall = created.dt.tz_localize(None).to_numpy().astype("datetime64[D]").astype(np.int64)
    return np.where(created.isna().to_numpy(), -1, wall).astype(np.int32)


def _day_number(day: date) -> int:
    return day.toordinal() - _EPOCH_DAY


@dataclass(frozen=True)
class SearchResult:
    """What one query found: how many rows in all, and `limit` of them (history columns plus MISSING):
    rows whose id the query names in full first, then the newest first."""

    query: str
    count: int
    rows: pd.DataFrame

    @property
    def truncated(self) -> bool:
        return self.count > len(self.rows)


@dataclass(frozen=True)
class _Dictionary:
    """One text field's distinct values, as held and folded (aligned)."""

    values: pa.Array
    folded: pa.Array

    def lookup(self, patterns: Iterable[str]) -> np.ndarray:
        """Which distinct values contain any of the patterns."""
        hit = np.zeros(len(self.values), dtype=bool)
        for pattern in patterns:
            hit |= pc.match_substring(self.folded, pattern).to_numpy(zero_copy_only=False)
        return hit


def _folded(values: pa.Array, name: str) -> pa.Array:
    """`schema.fold` of each distinct value, by Arrow kernels (the mirror's `fold_array`, tested equal);
    customer IBANs also without spaces, so an IBAN typed in any spacing is found."""
    folded = fold_array(values).cast(pa.large_string())
    return pc.replace_substring(folded, " ", "") if name == "customer_iban" else folded


def _encode(column: pd.Series, known: _Dictionary | None, name: str) -> tuple[np.ndarray, _Dictionary]:
    """Codes of `column` into `known` (extended with the values it lacks)."""
    data = pa.array(column.array, type=pa.large_string()).fill_null("")
    if known is None or len(known.values) == 0:
        encoded = pc.dictionary_encode(data)
        values = encoded.dictionary
        return encoded.indices.to_numpy().astype(np.int32), _Dictionary(values, _folded(values, name))
    codes = pc.index_in(data, value_set=known.values)
    absent = codes.is_null()
    if pc.any(absent).as_py():
        new = pc.unique(pc.filter(data, absent))
        known = _Dictionary(pa.concat_arrays([known.values, new]), pa.concat_arrays([known.folded, _folded(new, name)]))
        codes = pc.index_in(data, value_set=known.values)
    return codes.to_numpy(zero_copy_only=False).astype(np.int32), known


def _codes(column: pd.Series, labels: tuple[str, ...]) -> np.ndarray:
    """Codes into `labels` of a categorical (or text) column of those labels."""
    if isinstance(column.dtype, pd.CategoricalDtype):
        return column.cat.set_categories(labels).cat.codes.to_numpy().astype(np.int8)
    return pd.Categorical(column.astype(str), categories=labels).codes.astype(np.int8)


def _columns(rows: pd.DataFrame, tz: str) -> dict[str, np.ndarray]:
    """The index's numpy columns of history-schema rows (text fields still to encode)."""
    created = rows["created_at"].dt.tz_convert(tz)
    return {
        "id": rows["id"].to_numpy(dtype=np.int64, na_value=-1),
        "iban_id": rows["iban_id"].to_numpy(dtype=np.int64),
        "type": _codes(rows["type"], TYPES),
        "status": _codes(rows["status"], STATUSES),
        **{c: rows[c].to_numpy(dtype=np.int64) for c in _NUMBER_COLUMNS},
        "created_at": created.array.as_unit(TIME_UNIT).asi8,
        "completed_at": rows["completed_at"].array.as_unit(TIME_UNIT).asi8,
        MISSING: rows[MISSING].to_numpy(dtype=bool) if MISSING in rows else np.zeros(len(rows), dtype=bool),
        "day": local_days(created),
    }


@dataclass(frozen=True)
class SearchIndex:
    """Every mirrored row's searchable and shown columns as numpy arrays (text fields as int32 codes
    into per-field dictionaries of distinct values; times int64 UTC microseconds, NaT the minimum)."""

    tz: str
    columns: dict[str, np.ndarray] = field(default_factory=dict)
    dictionaries: dict[str, _Dictionary] = field(default_factory=dict)
    ibans: dict[int, str] = field(default_factory=dict)

    @classmethod
    def empty(cls, tz: str) -> SearchIndex:
        return cls(tz)

    def __len__(self) -> int:
        return len(self.columns["id"]) if self.columns else 0

    @property
    def nbytes(self) -> int:
        """Memory held: the columns plus the distinct text values."""
        held = sum(a.nbytes for a in self.columns.values())
        return held + sum(d.values.nbytes + d.folded.nbytes for d in self.dictionaries.values())

    def replace_days(self, iban_id: int, days: Iterable[date], rows: pd.DataFrame) -> SearchIndex:
        """A new index where IBAN `iban_id`'s rows on `days` (dealer-local creation dates) -- and any
        older copy of a row in `rows` -- are replaced by `rows` (history columns, optional MISSING)."""
        keep = np.ones(len(self), dtype=bool)
        if len(self):
            mine = self.columns["iban_id"] == iban_id
            wanted = np.asarray([_day_number(d) for d in days], dtype=np.int32)
            ids = rows["id"].to_numpy(dtype=np.int64, na_value=-1) if len(rows) else np.empty(0, np.int64)
            keep &= ~(mine & np.isin(self.columns["day"], wanted))
            keep &= ~(mine & np.isin(self.columns["id"], ids[ids >= 0]))
        return self._with(keep, rows)

    def with_rows(self, rows: pd.DataFrame) -> SearchIndex:
        """A new index holding these rows too (a first load: one call per IBAN or all at once)."""
        return self._with(np.ones(len(self), dtype=bool), rows)

    def _with(self, keep: np.ndarray, rows: pd.DataFrame) -> SearchIndex:
        dictionaries = dict(self.dictionaries)
        part = _columns(rows, self.tz)
        for name in TEXT_FIELDS:
            part[_CODE + name], dictionaries[name] = _encode(rows[name], dictionaries.get(name), name)
        _, first = np.unique(part["iban_id"], return_index=True)  # one row per IBAN names it
        ibans = {**self.ibans, **{int(part["iban_id"][i]): str(rows["iban"].iloc[i]) for i in first}}
        if self.columns:
            everything = keep.all()
            part = {k: np.concatenate([v if everything else v[keep], part[k]]) for k, v in self.columns.items()}
        return SearchIndex(self.tz, part, dictionaries, ibans)

    # --- queries ----------------------------------------------------------------------------

    def matches(self, query: str) -> np.ndarray:
        """Which rows match: every word of the query in some field of the row (`search_query`)."""
        mask = np.zeros(len(self), dtype=bool)
        mask[self._matching(parse_query(query))] = True
        return mask

    def search(self, query: str, limit: int = 200) -> SearchResult:
        """The rows matching `query`: their count and `limit` of them -- rows whose transaction id is
        one the query names in full first, then the newest first."""
        parsed = parse_query(query)
        found = self._matching(parsed)
        exact = np.isin(self.columns["id"][found], parsed.exact_ids) if parsed.exact_ids and len(found) else None
        if exact is None or not exact.any():
            return SearchResult(query, len(found), self.rows_at(_newest(self.columns, found, limit)))
        first = _newest(self.columns, found[exact], limit)
        rest = _newest(self.columns, found[~exact], limit - len(first))
        return SearchResult(query, len(found), self.rows_at(np.concatenate([first, rest])))

    def _matching(self, query: Query) -> np.ndarray:
        """Positions of the rows where every word matches some field; a run of digit blocks as one
        string when that finds rows, else block by block. The longest words go first (usually the
        rarest); each next word looks only at the rows still matching."""
        if not query or not len(self):
            return np.empty(0, dtype=np.int64)
        at: np.ndarray | None = None
        for word in sorted(query.words, key=lambda w: -len(w.text)):
            at = _narrow(at, self._word_mask(word, at))
        for run in query.runs:
            whole = self._text_mask((run.compact,), at)
            if whole.any():
                at = _narrow(at, whole)
                continue
            for word in run.words:
                at = _narrow(at, self._word_mask(word, at))
        return at  # type: ignore[return-value]

    def _column(self, name: str, at: np.ndarray | None) -> np.ndarray:
        return self.columns[name] if at is None else self.columns[name][at]

    def _text_mask(self, patterns: Iterable[str], at: np.ndarray | None) -> np.ndarray:
        """Rows (all, or those at `at`) where some text field contains one of the folded patterns."""
        mask = np.zeros(len(self) if at is None else len(at), dtype=bool)
        if at is not None and not len(at):
            return mask
        for name in TEXT_FIELDS:
            lookup = self.dictionaries[name].lookup(patterns)
            if lookup.any():
                mask |= lookup[self._column(_CODE + name, at)]
        return mask

    def _word_mask(self, word: Word, at: np.ndarray | None) -> np.ndarray:
        """Rows (all, or those at `at`) that one word matches: text, transaction id, amount."""
        mask = self._text_mask((word.text,) if word.in_text else (), at)
        if at is not None and not len(at):
            return mask
        if word.id_exact is not None:
            ids = self._column("id", at)
            if word.id_prefix is None:
                mask |= ids == word.id_exact
            else:  # the exact id is the first range
                for low, high in id_ranges(word.id_prefix, int(self.columns["id"].max())):
                    mask |= np.subtract(ids, low).view(np.uint64) < np.uint64(high - low)  # low <= id < high
        if word.amount_kurus is not None:
            mask |= self._column("amount_kurus", at) == word.amount_kurus
        return mask

    def of_username(self, username: str) -> pd.DataFrame:
        """Every row of one customer (the username exactly as sent), newest first."""
        values = self.dictionaries.get("username")
        if values is None or not username:
            return self.rows_at(np.empty(0, dtype=np.int64))
        code = pc.index(values.values, username).as_py()
        found = np.flatnonzero(self.columns[_CODE + "username"] == code) if code >= 0 else np.empty(0, np.int64)
        return self.rows_at(_newest(self.columns, found, len(found)))

    def rows_at(self, positions: np.ndarray) -> pd.DataFrame:
        """The history-schema rows at these positions (plus MISSING), in that order."""
        if not len(self):
            return _empty_rows(self.tz)
        col = {name: values[positions] for name, values in self.columns.items()}
        ids = col["id"]
        out: dict[str, object] = {
            "id": pd.arrays.IntegerArray(ids, ids < 0),
            "iban_id": col["iban_id"],
            "iban": pd.Categorical([self.ibans.get(i, "") for i in col["iban_id"].tolist()]),
            "type": pd.Categorical.from_codes(col["type"], categories=TYPES),
            "status": pd.Categorical.from_codes(col["status"], categories=STATUSES),
            **{name: col[name] for name in _NUMBER_COLUMNS},
        }
        for name in TEXT_FIELDS:
            taken = self.dictionaries[name].values.take(pa.array(col[_CODE + name]))
            out[name] = pd.array(taken, dtype=STRING_DTYPE)
        for name in ("created_at", "completed_at"):
            utc = pd.DatetimeIndex(col[name].view(f"datetime64[{TIME_UNIT}]")).tz_localize("UTC")
            out[name] = utc.tz_convert(self.tz).array
        out[MISSING] = col[MISSING]
        return pd.DataFrame(out)


def _narrow(at: np.ndarray | None, mask: np.ndarray) -> np.ndarray:
    """The positions still matching: those of `mask` (over all rows, or over the positions `at`)."""
    return np.flatnonzero(mask) if at is None else at[mask]


def _newest(columns: dict[str, np.ndarray], found: np.ndarray, limit: int) -> np.ndarray:
    """The positions among `found` with the newest creation times (NaT last, ties: higher id first),
    newest first: the order of the history frame."""
    if not len(found) or limit <= 0:
        return found[:0]
    ticks = columns["created_at"][found]
    key = np.where(ticks == np.iinfo(np.int64).min, np.iinfo(np.int64).max, -ticks)
    if limit < len(found):  # keep every row tied with the limit-th one, then sort those few
        inside = key <= np.partition(key, limit - 1)[limit - 1]
        found, key = found[inside], key[inside]
    ids = columns["id"][found]
    return found[np.lexsort((-ids, key))][:limit]


def _empty_rows(tz: str) -> pd.DataFrame:
    frame = empty_frame(tz).drop(columns=["search_text"], errors="ignore")
    frame[MISSING] = np.zeros(0, dtype=bool)
    return frame
