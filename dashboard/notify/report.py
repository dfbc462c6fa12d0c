"""The daily report e-mail: once per local day per fleet, at ENIGMAPAY_DAILY_REPORT_AT (dealer's zone).

Content, built from `ReportSources` (callables, so the report knows no API, store or cache itself):
yesterday's volume (Completed deposits and withdrawals: counts and sums, commission; how many did
not complete), the balances per IBAN now, the open alerts and the payouts whose outcome is unknown. A
source that fails is said in the report ("could not be read"), never left out silently.

`DailyReport.run()` is the background step: from the configured time on, the report of the local
date is enqueued once under the key `report.daily:<date>` (the outbox ignores it again: a second
run, a restart, another replica). Texts go through `translate` (English / Turkish).
"""

from __future__ import annotations

import html
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

import pandas as pd

from dashboard.history.schema import completed, type_is
from dashboard.i18n import translate
from dashboard.money import format_try, from_kurus, quantize
from dashboard.notify.messages import DAILY_REPORT, EMAIL, Notification, json_safe
from dashboard.notify.outbox import Outbox
from dashboard.timeutil import zone

log = logging.getLogger(__name__)


def no_open_alerts() -> list[Any]:
    """DEFAULT, until the lead wires the alerts repository (its open alerts: title, subject, since)."""
    return []


def no_unknown_payouts() -> list[Any]:
    return []


@dataclass(frozen=True)
class ReportSources:
    """Where the report's figures come from (services.py wires them).

    history(day)       the transactions created on that local day, all IBANs: a history frame
    balances()         the IBANs now (models.Iban: iban, balance), e.g. the fleet's shared /ibans answer
    open_alerts()      open alerts: objects with title, subject and since (aware) -- default none
    unknown_payouts()  journal entries whose outcome is unknown (Operation: id, amount, created_at, ...)
    """

    history: Callable[[date], pd.DataFrame]
    balances: Callable[[], Sequence[Any]]
    open_alerts: Callable[[], Sequence[Any]] = no_open_alerts
    unknown_payouts: Callable[[], Sequence[Any]] = no_unknown_payouts


@dataclass(frozen=True)
class Volume:
    deposits: int = 0
    deposits_kurus: int = 0
    withdrawals: int = 0
    withdrawals_kurus: int = 0
    commission_kurus: int = 0
    not_completed: int = 0


@dataclass(frozen=True)
class ReportFigures:
    day: date  # the day the volume is of (yesterday of the report's date)
    volume: Volume | None  # None: the history could not be read
    balances: list[tuple[str, Decimal]] | None
    open_alerts: list[tuple[str, str, datetime | None]] | None
    unknown_payouts: list[tuple[str, Decimal, datetime, str]] | None
    problems: list[str] = field(default_factory=list)

    @property
    def balance_total(self) -> Decimal:
        return sum((amount for _, amount in self.balances or ()), Decimal("0.00"))


def volume_of(df: pd.DataFrame) -> Volume:
    """Counts and exact kuruş sums of the Completed rows (the only ones that moved money)."""
    done = completed(df)
    deposit, withdrawal = done & type_is(df, "deposit"), done & type_is(df, "withdrawal")
    amount = df["amount_kurus"].to_numpy()
    return Volume(
        deposits=int(deposit.sum()),
        deposits_kurus=int(amount[deposit].sum()),
        withdrawals=int(withdrawal.sum()),
        withdrawals_kurus=int(amount[withdrawal].sum()),
        commission_kurus=int(df["commission_kurus"].to_numpy()[done].sum()),
        not_completed=int((~done).sum()),
    )


def _read(what: str, call: Callable[[], Any], problems: list[str]) -> Any:
    try:
        return call()
    except Exception as exc:  # the report goes out anyway, saying what is missing
        log.warning("daily report: %s could not be read (%s)", what, type(exc).__name__)
        problems.append(what)
        return None


def gather(day: date, sources: ReportSources) -> ReportFigures:
    """The figures of the report about `day`; a source that fails is listed in `problems`."""
    problems: list[str] = []
    frame = _read("transactions", lambda: sources.history(day), problems)
    ibans = _read("balances", sources.balances, problems)
    alerts = _read("open alerts", sources.open_alerts, problems)
    unknown = _read("unknown outcomes", sources.unknown_payouts, problems)
    return ReportFigures(
        day=day,
        volume=None if frame is None else volume_of(frame),
        balances=None if ibans is None else [(i.iban, quantize(i.balance)) for i in ibans],
        open_alerts=None
        if alerts is None
        else [(a.title, getattr(a, "subject", ""), getattr(a, "since", None)) for a in alerts],
        unknown_payouts=None
        if unknown is None
        else [(op.id, op.amount, op.created_at, op.masked_iban or "") for op in unknown],
        problems=problems,
    )


def report_key(report_date: date) -> str:
    return f"{DAILY_REPORT}:{report_date.isoformat()}"


# --- the text ---------------------------------------------------------------------------------------


def _sections(f: ReportFigures, lang: str, tz: str) -> list[tuple[str, list[str]]]:
    """(heading, lines) of the report, translated."""

    def tr(text: str, **values: object) -> str:
        return translate(text, lang, **values)

    def money(kurus: int) -> str:
        return format_try(from_kurus(kurus), lang)

    def when(at: datetime | None) -> str:
        return at.astimezone(zone(tz)).strftime("%d.%m.%Y %H:%M") if at is not None else ""

    missing = [tr("Could not be read; see the console.")]
    v = f.volume
    volume = missing
    if v is not None:
        volume = [
            tr("Deposits: {count}, {amount}", count=v.deposits, amount=money(v.deposits_kurus)),
            tr("Withdrawals: {count}, {amount}", count=v.withdrawals, amount=money(v.withdrawals_kurus)),
            tr("Commission: {amount}", amount=money(v.commission_kurus)),
            tr("Not completed: {count}", count=v.not_completed),
        ]
    balances = missing
    if f.balances is not None:
        balances = [f"{iban}: {format_try(amount, lang)}" for iban, amount in f.balances]
        balances.append(tr("Total: {amount}", amount=format_try(f.balance_total, lang)))
    alerts = missing
    if f.open_alerts is not None:
        alerts = [" - ".join(filter(None, (t, s, when(at)))) for t, s, at in f.open_alerts] or [tr("None.")]
    unknown = missing
    if f.unknown_payouts is not None:
        unknown = [
            f"{op_id}: {format_try(amount, lang)} {iban} ({when(at)})".replace("  ", " ")
            for op_id, amount, at, iban in f.unknown_payouts
        ] or [tr("None.")]
    return [
        (tr("Volume of {day} (completed transactions)", day=f.day.strftime("%d.%m.%Y")), volume),
        (tr("Balances now"), balances),
        (tr("Open alerts ({count})", count=len(f.open_alerts or ())), alerts),
        (tr("Payouts with unknown outcome ({count})", count=len(f.unknown_payouts or ())), unknown),
    ]


def render(f: ReportFigures, lang: str, tz: str) -> tuple[str, str, str]:
    """(subject, plain text, HTML) of the report; its date is the day after the one it reports."""
    sent_on = (f.day + timedelta(days=1)).strftime("%d.%m.%Y")
    subject = "[EnigmaPay] " + translate("Daily report {day}", lang, day=sent_on)
    sections = _sections(f, lang, tz)
    text = [subject.removeprefix("[EnigmaPay] "), ""]
    page = [f"<h2>{html.escape(text[0])}</h2>"]
    for heading, lines in sections:
        text += [heading, *(f"  {line}" for line in lines), ""]
        page.append(f"<h3>{html.escape(heading)}</h3><ul>")
        page += [f"<li>{html.escape(line)}</li>" for line in lines]
        page.append("</ul>")
    return subject, "\n".join(text), "\n".join(page)


def daily_report(report_date: date, sources: ReportSources, *, lang: str, tz: str, now: datetime) -> Notification:
    """The report sent on `report_date`: the volume of the day before, balances and open items now."""
    figures = gather(report_date - timedelta(days=1), sources)
    subject, text, page = render(figures, lang, tz)
    return Notification(
        key=report_key(report_date),
        kind=DAILY_REPORT,
        subject=subject,
        body=text,
        html=page,
        payload=json_safe(
            {
                "day": figures.day,
                "volume": figures.volume,
                "balances": [{"iban": i, "balance": b} for i, b in figures.balances or ()],
                "open_alerts": len(figures.open_alerts or ()),
                "unknown_payouts": [op_id for op_id, *_ in figures.unknown_payouts or ()],
                "could_not_read": figures.problems,
            }
        ),
        created_at=now,
        channels=(EMAIL,),
    )


def _utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass
class DailyReport:
    """Enqueues the report once per local date, from `at` (local time in `tz`) on."""

    outbox: Outbox
    sources: ReportSources
    at: time
    tz: str
    lang: str = "en"
    clock: Callable[[], datetime] = _utc_now

    def due_date(self) -> date | None:
        """Today's local date once the report time has come; None before it."""
        local = self.clock().astimezone(zone(self.tz))
        return local.date() if local.time() >= self.at else None

    def run(self) -> bool:
        """Enqueue today's report if it is due and not enqueued yet; True when this call enqueued it."""
        day = self.due_date()
        if day is None or self.outbox.exists(report_key(day)):
            return False
        notification = daily_report(day, self.sources, lang=self.lang, tz=self.tz, now=self.clock())
        return self.outbox.enqueue(notification)
