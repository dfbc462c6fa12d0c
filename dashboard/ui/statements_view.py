"""The Statements page: pick IBAN(s), a month or a range and a language; build; download the PDF and
the XLSX (each download audited); see the PDF's first page before downloading.

Building reads the history from the period's start (less a margin, `statements.MARGIN_DAYS`) up to
today, the balance snapshots around the period's end, and writes both files once; the result stays
in the session, so a download click does not build it again.
"""

from __future__ import annotations

import calendar
from collections.abc import Sequence
from datetime import date, timedelta

import streamlit as st

from dashboard import data_access, ui
from dashboard.client import models
from dashboard.i18n import LANGUAGES
from dashboard.statements import MARGIN_DAYS, build_statement
from dashboard.statements.desk import MAX_ROWS, MIME, StatementTooLarge, record_download, statement_files
from dashboard.timeutil import day_bounds, now

_BUILT = "_statement_built"  # (Statement, StatementFiles) of the last build in this session
_MONTHS = 24  # months offered in the month picker
_DOWNLOADS = (("pdf", "Download PDF", ":material/picture_as_pdf:"), ("xlsx", "Download Excel", ":material/table_view:"))


def _months(today: date) -> list[date]:
    first = today.replace(day=1)
    months = []
    for _ in range(_MONTHS):
        months.append(first)
        first = (first - timedelta(days=1)).replace(day=1)
    return months


def _month_label(first: date, lang: str) -> str:
    return first.strftime("%m.%Y") if lang == "tr" else first.strftime("%Y-%m")


def _period(today: date) -> tuple[date, date]:
    """The chosen local days, both inclusive; never past today."""
    kind = st.segmented_control(
        ui.t("Period"),
        ["month", "range"],
        default="month",
        required=True,
        format_func=lambda k: ui.t("Month") if k == "month" else ui.t("Date range"),
        key="statement_kind",
    )
    if kind == "range":
        picked = st.date_input(
            ui.t("From – to"), value=(today.replace(day=1), today), max_value=today, key="statement_range"
        )
        return ui.date_range(picked, today)
    lang = ui.lang()  # captured: the label must not change while the widget lives
    first = st.selectbox(
        ui.t("Month"), _months(today), format_func=lambda d: _month_label(d, lang), key="statement_month"
    )
    last = first.replace(day=calendar.monthrange(first.year, first.month)[1])
    return first, min(last, today)


def _dealer() -> str:
    """The configured name, else one the API's settings give, else 'not known' (never made up)."""
    configured = data_access.settings().dealer_name
    if configured:
        return configured
    settings = data_access.load_dealer_settings().value
    extra = settings.extra if settings is not None else {}
    for key in ("dealer_name", "name", "company_name", "title"):
        if isinstance(extra.get(key), str) and extra[key].strip():
            return extra[key].strip()
    return ui.t("not known")


def _build(selection: Sequence[models.Iban], start: date, end: date, lang: str, *, balances_current: bool) -> None:
    bar = st.progress(0.0, text=ui.t("Loading history…"))

    def history_progress(done: int, total: int, _iban: str) -> None:
        bar.progress(
            0.3 * done / max(total, 1), text=ui.t("Loading history: {done} of {total} IBANs", done=done, total=total)
        )

    def file_progress(stage: str, done: int, total: int) -> None:
        base, share, text = (
            (0.3, 0.5, "Writing the PDF: {done} of {total} rows")
            if stage == "pdf"
            else (0.8, 0.2, "Writing the Excel file: {done} of {total} rows")
        )
        bar.progress(
            base + share * done / max(total, 1), text=ui.t(text, done=ui.fmt_count(done), total=ui.fmt_count(total))
        )

    tz = data_access.settings().timezone
    at = now(tz)
    covered_from, _ = day_bounds(start - timedelta(days=MARGIN_DAYS), start, tz)
    loaded = data_access.load_history(selection, covered_from.date(), at.date(), history_progress)
    if loaded.error is not None or loaded.value is None:
        bar.empty()
        ui.show_loaded(loaded, what="the history")
        st.error(ui.t("The statement was not built: the history could not be read in full."))
        return
    _, end_at = day_bounds(start, end, tz)
    snapshots = data_access.balance_snapshots(max(covered_from, end_at - timedelta(days=1)), until=end_at)
    statement = build_statement(
        loaded.value, selection, dealer=_dealer(), start=start, end=end, tz=tz, now=at, lang=lang,
        snapshots=snapshots, current_known=balances_current, covered_from=covered_from,
    )  # fmt: skip
    try:
        st.session_state[_BUILT] = (statement, statement_files(statement, file_progress))
    except StatementTooLarge as too_large:
        st.error(ui.t(StatementTooLarge.MESSAGE, rows=ui.fmt_count(too_large.rows), most=ui.fmt_count(MAX_ROWS)))
    bar.empty()


def _show_built() -> None:
    built = st.session_state.get(_BUILT)
    if built is None:
        return
    statement, files = built
    st.success(
        ui.t_md(  # the IBAN is the API's: shown literally
            "Statement for {iban}, {period}: {rows} transactions, {pages} PDF pages.",
            iban=statement.iban_text(),
            period=statement.period(),
            rows=ui.fmt_count(files.rows),
            pages=ui.fmt_count(files.pages),
        )
    )
    # The download callables run on another thread, after this script: capture plain values now.
    audit, actor = data_access.services().audit, ui.actor()
    left, right, _ = st.columns([1, 1, 3])
    for column, (fmt, label, icon) in zip((left, right), _DOWNLOADS):
        column.download_button(
            ui.t(label),
            data=lambda fmt=fmt: record_download(audit, statement, files, fmt, actor=actor),
            file_name=f"{files.stem}.{fmt}",
            mime=MIME[fmt],
            icon=icon,
            key=f"statement_{fmt}",
        )
    st.image(files.preview_png, caption=ui.t("First page of the PDF"), width="stretch")


def statements_page() -> None:
    st.title(ui.t("Statements"))
    loaded = data_access.load_ibans()
    ibans = ui.show_loaded(loaded, what="balances")
    if not ibans:
        if ibans is not None:
            st.info(ui.t("No IBANs are assigned to this dealer yet."))
        return
    by_id = {i.id: i for i in ibans}
    chosen = st.multiselect(
        ui.t("IBANs"),
        list(by_id),
        format_func=lambda i: f"{ui.fmt_iban(by_id[i].iban)} · {by_id[i].bank_name}",
        placeholder=ui.t("All IBANs"),
        key="statement_ibans",
    )
    start, end = _period(ui.today())
    languages = list(LANGUAGES)
    lang = st.segmented_control(
        ui.t("Language of the statement"),
        languages,
        default=ui.lang(),
        required=True,
        format_func=LANGUAGES.get,
        key="statement_lang",
    )
    if st.button(ui.t("Build statement"), type="primary", icon=":material/description:", key="statement_build"):
        selection = [by_id[i] for i in chosen] or list(ibans)
        _build(selection, start, end, lang or ui.lang(), balances_current=loaded.error is None)
    _show_built()
