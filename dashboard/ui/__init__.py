"""Streamlit helpers shared by the pages: translation, money/date display, errors, data age.

Pages import `from dashboard import ui` and stay thin; nothing here talks to the API.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import TypeVar

import streamlit as st

from dashboard import money, timeutil
from dashboard.client.errors import EnigmaPayError, RateLimitError, ValidationError
from dashboard.i18n import translate
from dashboard.iban import format_iban
from dashboard.timeutil import now, zone
from dashboard.ui.literal import badge_label, literal

T = TypeVar("T")

LANG_KEY = "lang"
USER_KEY = "auth_user"  # the signed-in user, written by ui.access on every run
_FETCHED_KEY = "_ui_fetched_at"  # oldest fetch time of the data shown on this run
# What a table shows in a cell with nothing in it (st.dataframe's `placeholder`; without it Streamlit
# draws a grey "None", which reads as a bug). Every st.dataframe of the pages passes it, or a word of its
# own (tests/pages/test_missing_cells.py); a column where "nothing" has a meaning says it in words.
MISSING = "—"


def actor() -> str:
    """Who is acting, for the journal and the audit log (the signed-in user once accounts exist)."""
    return st.session_state.get(USER_KEY, "unknown")


def lang() -> str:
    return st.session_state.get(LANG_KEY, "en")


def t(text: str, /, **values: object) -> str:
    return translate(text, lang(), **values)


def t_md(text: str, /, **values: object) -> str:
    """`t` for Markdown: the sentence's own Markdown renders, its values (from a person or the API)
    are shown literally."""
    return t(text, **{name: literal(value) for name, value in values.items()})


def fmt_money(amount: Decimal | int | None, *, kurus: bool = False) -> str:
    return money.format_try(amount, lang(), kurus=kurus)


def fmt_percent(rate: Decimal | None) -> str:
    return money.format_percent(rate, lang())


def fmt_count(n: int) -> str:
    """A whole number with thousands separators: '12.345' in Turkish, '12,345' in English."""
    text = f"{n:,}"
    return text.replace(",", ".") if lang() == "tr" else text


# Date-times: Turkish day.month.year, English ISO-like year-month-day; 24-hour clock in both.
_TIME_FORMATS = {"tr": "%d.%m.%Y %H:%M:%S", "en": "%Y-%m-%d %H:%M:%S"}
# The same for table columns (Streamlit's DatetimeColumn takes moment.js tokens).
_COLUMN_TIME_FORMATS = {"tr": "DD.MM.YYYY HH:mm:ss", "en": "YYYY-MM-DD HH:mm:ss"}


def _dealer_tz() -> str:
    from dashboard import data_access  # the configured zone; imported late to keep ui light

    return data_access.settings().timezone


def fmt_time(when: datetime | None) -> str:
    """A moment in the dealer's time zone (stored times may be UTC)."""
    if when is None:
        return "—"
    return when.astimezone(zone(_dealer_tz())).strftime(_TIME_FORMATS.get(lang(), _TIME_FORMATS["en"]))


def today() -> date:
    """Today in the dealer's time zone (the date pickers' default and upper bound)."""
    return now(_dealer_tz()).date()


def day_bounds(start: date, end: date) -> tuple[datetime, datetime]:
    """[start of `start`, start of the day after `end`) in the dealer's time zone."""
    return timeutil.day_bounds(start, end, _dealer_tz())


def fmt_iban(iban: str) -> str:
    """An IBAN in blocks of four, as a person reads it aloud."""
    return format_iban(iban)


def date_range(picked, fallback: date) -> tuple[date, date]:
    """A range `st.date_input` returned as (start, end): while a person has picked only the first
    day it holds one date (that day alone), and nothing at all when cleared (`fallback` alone)."""
    if isinstance(picked, tuple) and len(picked) == 2:
        return picked
    return (picked[0], picked[0]) if picked else (fallback, fallback)


def age_text(when: datetime) -> str:
    seconds = max(0, int((now(when.tzinfo) - when).total_seconds()))
    if seconds < 60:
        return t("{n} s ago", n=seconds)
    if seconds < 3600:
        return t("{n} min ago", n=seconds // 60)
    return t("{n} h ago", n=seconds // 3600)


def money_column(label: str, *, styled: bool = False):
    """Exact decimal money in a table: thousands separators and always two decimals.

    The column stays numeric (sorts by value; exports keep numbers). Streamlit 1.67 formats numbers
    in the browser either with printf (sprintf-js: "%,.2f" always writes 125,000.00; it can change
    the thousands separator but never the decimal point) or with a named format; "localized" is
    `Intl.NumberFormat(navigator.languages)`, i.e. the browser's locale, not the console's language.
    So Turkish "125.000,00" in every browser needs the text made on the server: `money_table` (pass
    `styled=True` here for its columns: a column format would override its text). Where a table can
    be too large for that (Transactions, Audit log), Turkish falls back to "localized" with two
    decimals: right in a Turkish browser, English separators in an English one. A text column would
    be right in every browser but sort as text.
    """
    if styled:
        return st.column_config.NumberColumn(label)
    if lang() == "tr":
        return st.column_config.NumberColumn(label, format="localized", step=0.01)
    return st.column_config.NumberColumn(label, format="%,.2f")


def money_table(frame, columns: list[str]):
    """`frame` for st.dataframe with its money `columns` written in the chosen language on the server
    (pandas Styler: a text per cell; the value stays a number, so the column still sorts by value).
    Returns (data, styled); give those columns `money_column(label, styled=styled)`.

    Only for tables that stay small (Balances: one row per IBAN): a Styler sends a text for every
    cell, measured 0.4 s and 0.5 MB for 5,000 rows x 7 columns, 3 s for 20,000 x 12 (and pandas
    refuses past 262,144 cells).
    """
    if lang() != "tr":  # "%,.2f" writes English in every browser
        return frame, False
    return frame.style.format(lambda amount: money.format_amount(amount, "tr"), subset=columns, na_rep=""), True


def datetime_column(label: str):
    """A date-time column in the chosen language's format (values are already in the dealer's zone)."""
    return st.column_config.DatetimeColumn(label, format=_COLUMN_TIME_FORMATS.get(lang(), _COLUMN_TIME_FORMATS["en"]))


def transaction_columns() -> dict:
    """column_config for `history.display_frame`: money with separators, dates without offsets."""
    from dashboard.history import LABELS

    labels = LABELS.get(lang(), LABELS["en"])
    money = {labels[k]: money_column(labels[k]) for k in ("amount", "commission")}
    dates = {labels[k]: datetime_column(labels[k]) for k in ("created_at", "completed_at")}
    return {**money, **dates}


CUSTOMER_PAGE = "customer"  # the Customer page's URL path (ui/pages.py), opened as ?username=
_USERNAME_IN_LINK = r"[?&]username=([^&#]*)"  # the browser shows this part of a link, URL-decoded


def page_url(url_path: str) -> str:
    """A page's path as the browser reaches it ("/customer"; under server.baseUrlPath when one is set)."""
    from streamlit import config
    from streamlit.url_util import make_url_path

    return make_url_path(config.get_option("server.baseUrlPath"), "/" + url_path)


def customer_link_column() -> dict:
    """column_config for a results table whose Username cells are links to the Customer page
    (`support.results_table`): each cell opens that customer and shows the username."""
    from dashboard.history import LABELS

    label = LABELS.get(lang(), LABELS["en"])["username"]
    return {label: st.column_config.LinkColumn(label, display_text=_USERNAME_IN_LINK)}


# --- data age shown in the sidebar --------------------------------------------------------------


def start_run() -> None:
    st.session_state[_FETCHED_KEY] = None


def note_fetched(when: datetime | None) -> None:
    """Pages report when the data they show was fetched; the sidebar shows the oldest."""
    if when is None:
        return
    current = st.session_state.get(_FETCHED_KEY)
    if current is None or when < current:
        st.session_state[_FETCHED_KEY] = when


def fetched_at() -> datetime | None:
    return st.session_state.get(_FETCHED_KEY)


# --- errors --------------------------------------------------------------------------------------

_WHAT_TO_DO = {
    "auth": "Check ENIGMAPAY_API_KEY and ENIGMAPAY_SECRET_KEY, then restart the console.",
    "feature_disabled": "Ask EnigmaPay support to enable this feature for your dealer account.",
    "rate_limited": "EnigmaPay asked us to slow down. Wait a moment, then press Refresh.",
    "server": "EnigmaPay had a problem. Try again in a minute; if it persists, contact EnigmaPay support.",
    "network": "Check the server's internet connection, then press Refresh.",
    "timeout": "EnigmaPay did not answer in time. Try again in a minute.",
    "malformed": "EnigmaPay sent an answer we could not read. Try again; if it persists, report it.",
    "outcome_unknown": "Do not send again. Check the status on the Lookup page or wait for the callback.",
}


def show_error(error: EnigmaPayError) -> None:
    """What happened and what to do, never a traceback."""
    lines = [literal(t(error.user_message))]  # may quote the API's field errors
    if isinstance(error, ValidationError) and error.field_errors:
        lines += [f"- **{literal(name)}**: {literal('; '.join(msgs))}" for name, msgs in error.field_errors.items()]
    if isinstance(error, RateLimitError) and error.retry_after:
        lines.append(t("Retry after {n} s.", n=int(error.retry_after)))
    hint = _WHAT_TO_DO.get(error.code)
    if hint:
        lines.append(t(hint))
    st.error("\n\n".join(lines), icon=":material/error:")


def show_loaded(loaded, *, what: str, error_shown: bool = False) -> T | None:
    """Render a loader's failure (keeping stale data with its age) and return the usable value.

    `error_shown`: the same error is already on the page (see `show_all_loaded`); only the age note.
    """
    if loaded.error is not None:
        if not error_shown:
            show_error(loaded.error)
        if loaded.value is not None:
            st.warning(
                t(
                    "Showing {what} fetched {age} ({at}); the refresh failed.",
                    what=t(what),
                    age=age_text(loaded.fetched_at),
                    at=fmt_time(loaded.fetched_at),
                ),
                icon=":material/history:",
            )
    note_fetched(loaded.fetched_at)
    return loaded.value


def show_all_loaded(*loads: tuple[object, str]) -> list:
    """`show_loaded` for several loads of one page: one failure with one cause is said once, not
    once per load (settings and IBANs failing for the same outage)."""
    said: set[tuple[str, str]] = set()
    values = []
    for loaded, what in loads:
        error = loaded.error
        key = (error.code, error.user_message) if error is not None else None
        values.append(show_loaded(loaded, what=what, error_shown=key in said))
        if key is not None:
            said.add(key)
    return values


# --- statuses ------------------------------------------------------------------------------------

_STATUS_LOOK = {
    "PENDING": ("orange", ":material/hourglass_top:"),
    "PROCESSING": ("blue", ":material/sync:"),
    "COMPLETED": ("green", ":material/check_circle:"),
    "FAILED": ("red", ":material/cancel:"),
    "CANCELLED": ("gray", ":material/block:"),
    "REJECTED": ("red", ":material/gpp_bad:"),
}


def status_badge(status, status_text: str | None = "") -> None:
    """A coloured badge for a transaction status (a client `Status` or the journal's lower-case key);
    words we do not know are shown as the provider sent them."""
    name = status.name if hasattr(status, "name") else str(status or "unknown").upper()
    color, icon = _STATUS_LOOK.get(name, ("gray", ":material/help:"))
    label = t(name.title()) if name in _STATUS_LOOK else (badge_label(status_text) if status_text else t("Unknown"))
    st.badge(label, icon=icon, color=color)
