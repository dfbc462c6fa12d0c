"""The bar shown while a history loads: IBANs done of all, and pages received of pages known.

A `HistoryProgress` is the history's ProgressCallback (`(done, total, iban)`) with the `pages(done,
known)` method `history.fetch` also tells, both called on the script thread.
"""

from __future__ import annotations

import streamlit as st

from dashboard import ui


class HistoryProgress:
    """An st.progress bar; `empty()` takes it away once the history is there."""

    def __init__(self) -> None:
        self._bar = st.progress(0.0, text=ui.t("Loading history…"))
        self._ibans = (0, 0)
        self._pages = (0, 0)
        self._shown = 0.0  # the bar never goes back when more pages become known

    def __call__(self, done: int, total: int, _iban: str) -> None:
        self._ibans = (done, total)
        self._show()

    def pages(self, done: int, known: int) -> None:
        self._pages = (done, known)
        self._show()

    def empty(self) -> None:
        self._bar.empty()

    def _show(self) -> None:
        (done, total), (pages, known) = self._ibans, self._pages
        fraction = pages / known if known else done / max(total, 1)
        self._shown = max(self._shown, min(fraction, 1.0))
        if known:
            text = ui.t(
                "Loading history: {done} of {total} IBANs, {pages} of {known} pages",
                done=done,
                total=total,
                pages=pages,
                known=known,
            )
        else:
            text = ui.t("Loading history: {done} of {total} IBANs", done=done, total=total)
        self._bar.progress(self._shown, text=text)
