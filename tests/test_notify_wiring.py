"""The console's own wiring: settings -> services.notifier() -> the background step, against a sandbox,
a real SMTP server and a webhook receiver on loopback."""

from __future__ import annotations

import os
from datetime import UTC, datetime

import pytest

from dashboard import background, services
from dashboard.sandbox import SANDBOX_API_KEY, SANDBOX_SECRET_KEY
from tests.helpers.receivers import SmtpReceiver, WebhookReceiver
from tests.test_notify import KEY, Transition


@pytest.fixture
def receivers():
    smtp, webhook = SmtpReceiver().start(), WebhookReceiver().start()
    yield smtp, webhook
    smtp.stop()
    webhook.stop()


@pytest.fixture
def console_env(make_sandbox, receivers, tmp_path, monkeypatch):
    srv = make_sandbox()
    smtp, webhook = receivers
    for name in [n for n in list(os.environ) if n.startswith("ENIGMAPAY_")]:
        monkeypatch.delenv(name)
    env = {
        "BASE_URL": srv.base_url,
        "API_KEY": SANDBOX_API_KEY,
        "SECRET_KEY": SANDBOX_SECRET_KEY,
        "DATA_DIR": str(tmp_path / "data"),
        "SMTP_HOST": "127.0.0.1",
        "SMTP_PORT": str(smtp.port),
        "SMTP_SECURITY": "plain",
        "SMTP_FROM": "console@dealer.example",
        "SMTP_TO": "ops@dealer.example",
        "WEBHOOK_URL": webhook.url,
        "WEBHOOK_SECRET": KEY,
        "DAILY_REPORT_AT": "00:00",  # due at any time of the day
        "TIMEOUT": "1",  # a hung payout becomes an unknown outcome quickly
    }
    for name, value in env.items():
        monkeypatch.setenv(f"ENIGMAPAY_{name}", value)
    monkeypatch.chdir(tmp_path)
    services.reset()
    yield srv
    services.reset()


def unknown_payout(sandbox) -> str:
    """A payout whose answer never came (the sandbox hangs past the client's timeout): its journal id."""
    from dashboard.journal import new_operation_id
    from dashboard.sandbox import Faults
    from dashboard.validation import check_send_money

    sandbox.state.set_faults(Faults(hang_paths=("send-money",), hang_seconds=1.5))
    request = check_send_money(
        username="user42", amount="1500,50", customer_iban="TR330006100519786457841326", customer_name="Ali Veli"
    )
    op = services.records().journal.submit_payout(new_operation_id(), request, actor="operator")
    sandbox.state.set_faults(Faults())
    assert op.state == "unknown"
    return op.id


def test_an_alert_and_the_daily_report_go_out_once_through_the_background_step(console_env, receivers):
    smtp, webhook = receivers
    op_id = unknown_payout(console_env)
    notifier = services.notifier()
    at = datetime.now(UTC)
    assert notifier.notify(Transition(at=at)) is True
    assert notifier.notify(Transition(at=at)) is False

    background.notifications()
    background.notifications()

    subjects = sorted(m["Subject"] for m in smtp.messages)
    assert subjects[0] == "[EnigmaPay] Alert: Balance below threshold"
    assert subjects[1].startswith("[EnigmaPay] Daily report ") and len(subjects) == 2
    assert [r.document["type"] for r in webhook.requests] == ["alert.fired"]  # the report is an e-mail
    mail = next(m for m in smtp.messages if "Daily report" in m["Subject"])
    report = mail.get_body(("plain",)).get_content().replace("\r\n", "\n")  # SMTP line ends
    ibans = services.backend().client.list_ibans()
    assert ibans and all(i.iban in report for i in ibans)  # every balance, from the shared /ibans answer
    assert "Could not be read" not in report
    assert f"Payouts with unknown outcome (1)\n  {op_id}: ₺1,500.50 TR33 **** **** 1326" in report
    status = notifier.status()
    assert status.channels == {"email": True, "webhook": True} and status.daily_report_at == "00:00"
    assert status.counts == {"sent": 3} and status.problems == []
