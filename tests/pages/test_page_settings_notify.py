"""Settings page, Notifications section: which channels are configured, and failing deliveries shown
(retrying, with their error) without the webhook's URL or key."""

from dashboard import services
from tests.helpers.receivers import free_port
from tests.pages.conftest import clear_streamlit_caches
from tests.test_notify import KEY, Transition

PAGE = "settings"


def test_nothing_configured_is_said_and_nothing_fails(console):
    at = console.open(PAGE)
    assert not at.exception and not at.error
    assert "Notifications" in [h.value for h in at.subheader]
    captions = " ".join(c.value for c in at.caption)
    assert "E-mail: not configured · Webhook: not configured · Daily report: off. Sent so far: 0." in captions
    assert "No notification is failing." in captions


def test_a_failing_webhook_is_shown_with_its_error_and_next_attempt(console, monkeypatch):
    url = f"http://127.0.0.1:{free_port()}/hook?token=s3cr3t-in-url"  # nothing listens there
    monkeypatch.setenv("ENIGMAPAY_WEBHOOK_URL", url)
    monkeypatch.setenv("ENIGMAPAY_WEBHOOK_SECRET", KEY)
    monkeypatch.setenv("ENIGMAPAY_NOTIFY_TIMEOUT", "2")
    clear_streamlit_caches()
    services.notifier().notify(Transition())
    services.notifier().step()

    at = console.open(PAGE)
    assert not at.exception and not at.error
    assert [w.value for w in at.warning] == ["1 notification deliveries are failing or gave up."]
    problems = next(d.value for d in at.dataframe if "Last error" in d.value.columns or "error" in d.value.columns)
    row = problems.iloc[0].to_dict()
    assert row["subject"] == "[EnigmaPay] Alert: Balance below threshold" and row["channel"] == "Webhook"
    assert row["state"] == "retrying" and row["attempts"] == 1 and row["next"]
    assert row["error"] == "webhook not reached: ConnectError"
    shown = problems.astype(str).to_csv() + " ".join(c.value for c in at.caption)
    assert "s3cr3t" not in shown and KEY not in shown
    assert "E-mail: not configured · Webhook: configured" in shown
