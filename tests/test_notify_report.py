"""The daily report: enqueued once per local day at the configured time (fixed clock), delivered once
to a real SMTP server on loopback, with the right figures; a failing source is said, not hidden."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal

import pytest

from dashboard import history as h
from dashboard.client.models import Iban
from dashboard.notify import EMAIL, WEBHOOK, Outbox, SmtpChannel
from dashboard.notify.report import DailyReport, ReportSources, daily_report, gather
from tests.helpers.receivers import SmtpReceiver
from tests.test_notify import Clock, email_settings

TZ = "Europe/Istanbul"  # UTC+3: 08:00 local is 05:00 UTC
IBAN_A, IBAN_B = "TR330006100519786457841326", "TR320010009999901234567890"


@pytest.fixture
def smtp():
    receiver = SmtpReceiver().start()
    yield receiver
    receiver.stop()


def rec(id_, created, amount, *, type_="deposit", status="Completed", commission="0"):
    return {"id": id_, "type": type_, "amount": amount, "commission": commission, "status": status,
            "username": "u1", "customer_name": "Ali Veli", "customer_iban": IBAN_A, "description": "",
            "created_at": created, "completed_at": created}  # fmt: skip


def yesterday_frame(day: date):
    assert day == date(2026, 11, 30)
    a = h.records_to_frame(
        [
            rec(1, "2026-11-30 09:00:00", "1,500.50", commission="15.01"),
            rec(2, "2026-11-30 10:00:00", "250.25", commission="2.50"),
            rec(3, "2026-11-30 11:00:00", "400.00", type_="withdrawal", commission="4.00"),
            rec(4, "2026-11-30 12:00:00", "999.99", status="Failed", commission="9.99"),
        ],
        iban_id=1,
        iban=IBAN_A,
        tz=TZ,
    )
    b = h.records_to_frame(
        [
            rec(5, "2026-11-30 23:59:00", "0.10", type_="withdrawal"),
            rec(6, "2026-11-30 13:00:00", "7.00", status="Pending"),
        ],
        iban_id=2,
        iban=IBAN_B,
        tz=TZ,
    )
    return h.combine([a, b])


def iban(id_, number, balance):
    return Iban(id_, number, "Dealer", "Bank", "Aktif", True, Decimal(balance), balance)


@dataclass
class Op:
    id: str
    amount: Decimal
    created_at: datetime
    masked_iban: str | None


@dataclass
class OpenAlert:
    title: str
    subject: str
    since: datetime


SOURCES = ReportSources(
    history=yesterday_frame,
    balances=lambda: [iban(1, IBAN_A, "10000.00"), iban(2, IBAN_B, "2500.75")],
    open_alerts=lambda: [OpenAlert("Balance below threshold", IBAN_B, datetime(2026, 11, 30, 20, 0, tzinfo=UTC))],
    unknown_payouts=lambda: [Op("op-7", Decimal("300.00"), datetime(2026, 11, 30, 15, 0, tzinfo=UTC), "TR33 **** 26")],
)


def test_the_report_is_sent_once_at_the_configured_local_time(open_store, smtp):
    clock = Clock(datetime(2026, 12, 1, 4, 59, tzinfo=UTC))  # 07:59 in Istanbul
    stores = [open_store(), open_store()]  # two replicas: each would run the step if it led the job
    outboxes = [
        Outbox(s.notifications, {EMAIL: SmtpChannel(email_settings(smtp)), WEBHOOK: None}, holder=n, clock=clock)
        for n, s in zip("ab", stores)
    ]
    reports = [DailyReport(o, SOURCES, at=time(8, 0), tz=TZ, clock=clock) for o in outboxes]

    assert [r.run() for r in reports] == [False, False]  # not yet
    clock.advance(minutes=1)  # 08:00 local
    assert [r.run() for r in reports] == [True, False]
    clock.advance(hours=3)
    assert [r.run() for r in reports] == [False, False]  # later the same day: already enqueued
    for o in outboxes * 2:
        o.deliver_due()
    assert len(smtp.messages) == 1
    mail = smtp.messages[0]
    assert mail["Subject"] == "[EnigmaPay] Daily report 01.12.2026"
    assert mail["X-EnigmaPay-Notification"].strip() == "report.daily:2026-12-01"
    text = mail.get_body(("plain",)).get_content()
    assert "Volume of 30.11.2026 (completed transactions)" in text
    assert "Deposits: 2, ₺1,750.75" in text  # 1,500.50 + 250.25; the failed and the pending ones not
    assert "Withdrawals: 2, ₺400.10" in text
    assert "Commission: ₺21.51" in text  # 15.01 + 2.50 + 4.00; the failed one's 9.99 not
    assert "Not completed: 2" in text
    assert f"{IBAN_A}: ₺10,000.00" in text and "Total: ₺12,500.75" in text
    assert "Balance below threshold - TR32" in text and "30.11.2026 23:00" in text  # since, local time
    assert "op-7: ₺300.00 TR33 **** 26 (30.11.2026 18:00)" in text
    assert "<h3>Balances now</h3>" in mail.get_body(("html",)).get_content()

    clock.advance(hours=21)  # 08:00 the next day
    assert [r.run() for r in reports] == [True, False]
    assert outboxes[1].deliver_due()["sent"] == 1
    assert [m["Subject"] for m in smtp.messages][1] == "[EnigmaPay] Daily report 02.12.2026"


def test_the_report_in_turkish_and_with_a_source_that_failed():
    def broken():
        raise ConnectionError("secret-host:5432 refused")

    sources = ReportSources(history=yesterday_frame, balances=broken)
    at = datetime(2026, 12, 1, 5, 0, tzinfo=UTC)
    message = daily_report(date(2026, 12, 1), sources, lang="tr", tz=TZ, now=at)
    assert message.subject == "[EnigmaPay] Günlük rapor 01.12.2026"
    assert "Yatırımlar: 2, 1.750,75 ₺" in message.body and "Komisyon: 21,51 ₺" in message.body
    assert "Şu anki bakiyeler\n  Okunamadı; konsola bakın." in message.body
    assert "Açık uyarılar (0)\n  Yok." in message.body
    assert message.payload["could_not_read"] == ["balances"] and "secret-host" not in message.body
    assert message.payload["volume"]["deposits_kurus"] == 175075 and message.channels == (EMAIL,)


def test_an_empty_day_has_zero_volume():
    figures = gather(date(2026, 11, 30), ReportSources(history=lambda d: h.empty_frame(TZ), balances=list))
    assert figures.volume is not None and figures.volume.deposits == figures.volume.commission_kurus == 0
    assert figures.balance_total == Decimal("0.00") and figures.problems == []


def test_no_report_before_its_time_even_across_midnight():
    clock = Clock(datetime(2026, 12, 1, 20, 59, tzinfo=UTC))  # 23:59 local
    report = DailyReport(outbox=None, sources=SOURCES, at=time(8, 0), tz=TZ, clock=clock)  # type: ignore[arg-type]
    assert report.due_date() == date(2026, 12, 1)
    clock.advance(minutes=2)  # 00:01 local on the 2nd
    assert report.due_date() is None
    clock.at += timedelta(hours=8)
    assert report.due_date() == date(2026, 12, 2)
