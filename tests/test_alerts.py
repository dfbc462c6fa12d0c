"""Alerts (dashboard.alerts, store/alerts.py) on both engines: each condition fires once and recovers
once however often it is evaluated, balance hysteresis, two evaluators on one store record (and
notify) one transition, acknowledging is audited, a failing source keeps its alerts' state."""

from __future__ import annotations

import threading
from datetime import date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from dashboard.alerts import AlertEngine, Alerts, AlertSources, IbanBalance, ReconDifference, model
from dashboard.alerts.sources import API, api_error_kind
from dashboard.audit import AuditLog
from dashboard.client.errors import AuthenticationError
from dashboard.config import ConfigError, load_settings
from dashboard.config.alerts import AlertSettings
from dashboard.i18n import is_translated

IST = ZoneInfo("Europe/Istanbul")
T0 = datetime(2026, 11, 20, 12, 0, tzinfo=IST)
IBAN = "TR330006100519786457841326"
LIMITS = AlertSettings(
    unknown_minutes=30, approval_minutes=60, upstream_minutes=5, callback_minutes=60, balance_margin=Decimal("2")
)


@pytest.fixture
def store(any_store):
    return any_store


class Rig:
    """A store, the alerts' sources on it, a clock and a list of what notify was handed."""

    def __init__(self, store, limits: AlertSettings = LIMITS) -> None:
        self.store, self.now = store, T0
        self.balances: list[IbanBalance] | Exception = []
        self.differences: list[ReconDifference] = []
        self.sent: list[model.AlertTransition] = []
        self.alerts = self.evaluator(store, limits)

    def evaluator(self, store, limits: AlertSettings = LIMITS) -> Alerts:
        sources = AlertSources(store, limits, balances=self._balances, differences=lambda: self.differences)
        return Alerts(sources, AlertEngine(store.alerts, self.sent.append), clock=lambda: self.now)

    def _balances(self) -> list[IbanBalance]:
        if isinstance(self.balances, Exception):
            raise self.balances
        return self.balances

    def run(self, times: int = 3, *, step: timedelta = timedelta(seconds=45)) -> list[str]:
        """Evaluate `times` times, the clock moving `step` each time; the transitions as 'key state'."""
        out = []
        for _ in range(times):
            out += [f"{t.alert_key} {t.state}" for t in self.alerts.evaluate()]
            self.now += step
        return out


def _threshold(store, iban_id: int, threshold_kurus: int, margin_kurus: int | None = None) -> None:
    row = {"iban_id": iban_id, "threshold_kurus": threshold_kurus, "margin_kurus": margin_kurus}
    audit = AuditLog(store).entry("alert_threshold", actor="admin", outcome="set", iban=IBAN)
    store.alerts.set_threshold({**row, "updated_at": T0, "updated_by": "admin"}, audit=audit)


def _unknown_payout(store, op_id: str, created_at: datetime) -> None:
    row = {
        "id": op_id,
        "kind": "payout",
        "state": "unknown",
        "created_at": created_at,
        "updated_at": created_at,
        "actor": "ayse",
        "amount": Decimal("1500.50"),
        "amount_kurus": 150050,
        "username": "user7",
        "request": {},
    }
    store.operations.claim(row, duplicate_since=None, active_states=())


def _waiting_request(store, request_id: str, created_at: datetime) -> None:
    row = {
        "id": request_id,
        "kind": "payout",
        "reference": "op-" + request_id,
        "state": "waiting",
        "maker": "ayse",
        "amount": Decimal("75000.00"),
        "amount_kurus": 7500000,
        "item_count": 1,
        "summary": {},
        "created_at": created_at,
        "expires_at": created_at + timedelta(hours=24),
    }
    store.approvals.insert(row)


def _failed_callback(store, transaction_id: int, verified_at: datetime) -> None:
    event = {
        "transaction_id": transaction_id,
        "status": "completed",
        "status_text": "Completed",
        "amount": Decimal("10.00"),
        "amount_kurus": 1000,
        "username": "user7",
        "raw_json": "{}",
        "received_at": verified_at - timedelta(seconds=5),
    }
    store.callbacks.add_event(event, status_final=True)
    ids = [e.id for e in store.callbacks.events(transaction_id=transaction_id)]
    store.callbacks.set_verification(ids, verification="mismatch", at=verified_at, api_status_text="Failed")


# -- each condition: fires once, recovers once ---------------------------------------------------------


def test_a_low_balance_fires_once_and_recovers_once(store):
    rig = Rig(store)
    _threshold(store, 7, threshold_kurus=100_000)
    rig.balances = [IbanBalance(7, IBAN, 150_000)]
    assert rig.run() == []
    rig.balances = [IbanBalance(7, IBAN, 99_999)]
    assert rig.run() == ["balance_low:7 fired"]
    rig.balances = [IbanBalance(7, IBAN, 500_000)]
    assert rig.run() == ["balance_low:7 recovered"]
    assert [f"{t.state} {t.version}" for t in rig.sent] == ["fired 1", "recovered 2"]
    fired = rig.sent[0]
    assert fired.title == "Balance below threshold: TR33 **** **** 1326"  # masked in messages
    assert fired.detail == "Balance ₺999.99, threshold ₺1,000.00; recovers above ₺1,002.00."
    assert fired.details["balance_kurus"] == 99_999 and fired.to_json()["state"] == "fired"
    assert [e.state for e in store.alerts.events()] == ["ok", "firing"]  # history, newest first


def test_hysteresis_recovers_only_above_threshold_plus_margin(store):
    rig = Rig(store)
    _threshold(store, 7, threshold_kurus=100_000, margin_kurus=20_000)
    seen = []
    for balance in (100_000, 99_000, 100_500, 119_000, 120_000, 99_500, 120_001, 110_000, 100_000):
        rig.balances = [IbanBalance(7, IBAN, balance)]
        seen.append((balance, rig.run(1)))
    assert seen == [
        (100_000, []),  # at the threshold: not below
        (99_000, ["balance_low:7 fired"]),
        (100_500, []),  # back over the threshold, not over the margin: still firing
        (119_000, []),
        (120_000, []),  # threshold + margin is not above it
        (99_500, []),  # below again: it never recovered, so it does not fire again
        (120_001, ["balance_low:7 recovered"]),
        (110_000, []),  # between threshold and margin, ok: stays ok
        (100_000, []),
    ]
    assert len(rig.sent) == 2


def test_the_configured_margin_applies_when_the_iban_sets_none(store):
    rig = Rig(store)  # LIMITS: margin ₺2
    _threshold(store, 7, threshold_kurus=100_000)
    rig.balances = [IbanBalance(7, IBAN, 90_000)]
    rig.run(1)
    rig.balances = [IbanBalance(7, IBAN, 100_200)]
    assert rig.run(1) == []
    rig.balances = [IbanBalance(7, IBAN, 100_201)]
    assert rig.run(1) == ["balance_low:7 recovered"]


def test_removing_a_threshold_recovers_its_alert(store):
    rig = Rig(store)
    _threshold(store, 7, threshold_kurus=100_000)
    rig.balances = [IbanBalance(7, IBAN, 1)]
    assert rig.run(1) == ["balance_low:7 fired"]
    store.alerts.remove_threshold(7, audit=AuditLog(store).entry("alert_threshold", actor="a", outcome="removed"))
    assert rig.run() == ["balance_low:7 recovered"]


def test_a_payout_unknown_longer_than_n_minutes_fires_once_and_recovers_when_settled(store):
    rig = Rig(store)
    _unknown_payout(store, "op1", T0 - timedelta(minutes=10))
    assert rig.run(1) == []  # unknown for 10 minutes: under the 30
    rig.now = T0 + timedelta(minutes=21)
    assert rig.run(4) == ["payout_unknown:op1 fired"]
    assert rig.sent[0].detail == "₺1,500.50 to user7, sent 31 minutes ago; its outcome is still unknown."
    assert store.alerts.get("payout_unknown:op1").details["minutes"] > 31  # kept current, no new transition
    store.operations.transition("op1", from_states=("unknown",), changes={"state": "confirmed"})
    assert rig.run() == ["payout_unknown:op1 recovered"]


def test_an_approval_waiting_longer_than_n_minutes_fires_once_and_recovers_when_decided(store):
    rig = Rig(store)
    _waiting_request(store, "r1", T0 - timedelta(minutes=59))
    assert rig.run(1, step=timedelta(minutes=2)) == []
    assert rig.run(3) == ["approval_waiting:r1 fired"]
    store.approvals.decide("r1", {"state": "approved", "decided_at": rig.now, "decided_by": "mehmet"})
    assert rig.run() == ["approval_waiting:r1 recovered"]


def test_callbacks_failing_verification_fire_once_and_recover_after_the_window(store):
    rig = Rig(store)
    _failed_callback(store, 9001, T0)
    _failed_callback(store, 9002, T0 + timedelta(minutes=1))
    assert rig.run(3) == ["callback_verification:callbacks fired"]
    assert rig.sent[0].details["count"] == 2
    rig.now = T0 + timedelta(minutes=62)
    assert rig.run(3) == ["callback_verification:callbacks recovered"]


def test_the_api_failing_for_n_minutes_fires_once_and_a_success_recovers_it(store):
    rig = Rig(store)
    repo = store.alerts
    repo.record_call(API, at=T0, error=api_error_kind(AuthenticationError("no", status_code=401, body=None)))
    repo.record_call(API, at=T0 + timedelta(minutes=3), error="APIConnectionError")
    assert repo.health(API).failing_since_at == T0  # the first failure starts the period
    rig.now = T0 + timedelta(minutes=4)
    assert rig.run(1) == []
    rig.now = T0 + timedelta(minutes=5)
    assert rig.run(3) == ["api_unreachable:api fired"]
    assert rig.sent[0].details == {"minutes": 5, "error": "APIConnectionError"}
    repo.record_call(API, at=rig.now)
    assert repo.health(API).failing_since_at is None
    assert rig.run(3) == ["api_unreachable:api recovered"]


def test_a_reconciliation_difference_fires_once_per_iban_and_recovers(store):
    rig = Rig(store)
    rig.differences = [
        ReconDifference(7, IBAN, date(2026, 11, 18), 0),
        ReconDifference(7, IBAN, date(2026, 11, 19), -2500),
        ReconDifference(7, IBAN, date(2026, 11, 20), 1000),
    ]
    assert rig.run() == ["reconciliation:7 fired"]
    assert rig.sent[0].details["days"] == 2 and rig.sent[0].details["difference_kurus"] == -1500
    rig.differences = []
    assert rig.run() == ["reconciliation:7 recovered"]


def test_a_condition_whose_source_fails_keeps_its_alerts(store):
    rig = Rig(store)
    _threshold(store, 7, threshold_kurus=100_000)
    rig.balances = [IbanBalance(7, IBAN, 5)]
    assert rig.run(1) == ["balance_low:7 fired"]
    rig.balances = RuntimeError("the API is down")
    assert rig.run(3) == []  # not "recovered" on a failed look
    assert store.alerts.get("balance_low:7").state == "firing"


def test_a_new_firing_fires_again_and_history_keeps_every_transition(store):
    rig = Rig(store)
    _threshold(store, 7, threshold_kurus=100_000, margin_kurus=0)
    for balance in (1, 200_000, 1, 200_000):
        rig.balances = [IbanBalance(7, IBAN, balance)]
        rig.run(2)
    assert [e.version for e in store.alerts.events()] == [4, 3, 2, 1]
    assert [t.state for t in rig.sent] == ["fired", "recovered", "fired", "recovered"]


def test_a_failing_notify_keeps_the_record_and_the_next_evaluation_hands_it_over_again(store, caplog):
    import json

    calls: list[model.AlertTransition] = []
    failures = [ConnectionError("outbox down")]

    def notify(transition: model.AlertTransition) -> None:
        calls.append(transition)
        if failures:
            raise failures.pop()

    rig = Rig(store)
    rig.alerts = Alerts(rig.alerts.sources, AlertEngine(store.alerts, notify), clock=lambda: rig.now)
    _threshold(store, 7, threshold_kurus=100_000)
    rig.balances = [IbanBalance(7, IBAN, 1)]
    assert rig.run(4) == ["balance_low:7 fired"]  # recorded once
    assert "notify failed" in caplog.text and store.alerts.get("balance_low:7").state == "firing"
    assert len(calls) == 2 and calls[0] == calls[1]  # handed again after the failure, the same transition, then never
    assert calls[0].key == "balance_low:7"
    body = json.loads(json.dumps(calls[0].to_json()))  # JSON-safe as it is
    assert body["state"] == "fired" and body["details"]["threshold_kurus"] == 100_000 and body["version"] == 1


def test_a_transition_recorded_by_a_process_that_died_before_handing_it_over_is_handed_once(open_store):
    first, second = open_store(), open_store()
    change = {"alert_key": "api_unreachable:api", "kind": "api_unreachable", "subject": "api", "state": "firing"}
    change |= {"title": "t", "detail": "d", "details": {}}
    event = first.alerts.transition(None, change, at=T0)  # recorded; the process dies before notify
    assert first.alerts.claim_handover(event.id, now=T0, until=T0 + timedelta(minutes=2))  # ...or while claiming
    taken: list[model.AlertTransition] = []
    engine = AlertEngine(second.alerts, taken.append)
    assert engine.hand_over(T0 + timedelta(minutes=1)) == 0  # claimed by the dead process, not run out yet
    assert engine.hand_over(T0 + timedelta(minutes=3)) == 1
    assert engine.hand_over(T0 + timedelta(minutes=9)) == 0  # once
    assert [t.version for t in taken] == [1] and first.alerts.events()[0].handed_at is not None


# -- one fleet, two evaluators ---------------------------------------------------------------------------


def test_two_evaluators_on_one_store_record_and_notify_each_change_once(open_store):
    first, second = open_store(), open_store()  # two connections: two replicas
    rig = Rig(first)
    other = rig.evaluator(second)
    _threshold(first, 7, threshold_kurus=100_000)
    rig.balances = [IbanBalance(7, IBAN, 1)]
    barrier = threading.Barrier(2)

    def evaluate(alerts: Alerts) -> None:
        barrier.wait()
        alerts.evaluate()

    for balance in (1, 500_000):
        rig.balances = [IbanBalance(7, IBAN, balance)]
        for _ in range(3):
            threads = [threading.Thread(target=evaluate, args=(a,)) for a in (rig.alerts, other)]
            for t in threads:
                t.start()
            for t in threads:
                t.join()
    assert [t.state for t in rig.sent] == ["fired", "recovered"]  # both evaluators share `sent`
    assert len(first.alerts.events()) == 2


def test_a_stale_evaluator_loses_the_compare_and_set_and_notifies_nothing(open_store):
    first, second = open_store(), open_store()
    change = {"alert_key": "api_unreachable:api", "kind": "api_unreachable", "subject": "api", "state": "firing"}
    change |= {"title": "t", "detail": "d", "details": {}}
    assert first.alerts.transition(None, change, at=T0) is not None
    assert second.alerts.transition(None, change, at=T0) is None  # it had seen no alert: too late
    seen = second.alerts.get("api_unreachable:api")
    assert second.alerts.transition(seen, {**change, "state": "ok"}, at=T0) is not None
    assert first.alerts.transition(seen, {**change, "state": "ok"}, at=T0) is None  # version moved on
    assert len(first.alerts.events()) == 2


# -- acknowledge -------------------------------------------------------------------------------------------


def test_acknowledging_is_audited_once_per_firing_and_a_new_firing_clears_it(store):
    rig = Rig(store)
    _threshold(store, 7, threshold_kurus=100_000, margin_kurus=0)
    rig.balances = [IbanBalance(7, IBAN, 1)]
    rig.run(1)
    row = store.alerts.get("balance_low:7")
    audit = AuditLog(store)

    def ack(version: int, who: str) -> bool:
        entry = audit.entry("alert_acknowledge", actor=who, outcome="acknowledged", details={"alert": row.alert_key})
        return store.alerts.acknowledge(row.alert_key, version=version, by=who, at=rig.now, audit=entry)

    assert ack(row.version, "mehmet") is True
    assert ack(row.version, "ayse") is False  # acknowledged already: nothing written
    acked = store.alerts.get("balance_low:7")
    assert (acked.acknowledged_by, acked.acknowledged_at) == ("mehmet", rig.now)
    lines = store.audit.query(action="alert_acknowledge")
    assert [(line.actor, line.details["alert"]) for line in lines] == [("mehmet", "balance_low:7")]
    rig.balances = [IbanBalance(7, IBAN, 500_000)]
    rig.run(1)
    assert ack(row.version, "ayse") is False  # recovered meanwhile
    rig.balances = [IbanBalance(7, IBAN, 1)]
    rig.run(1)
    assert store.alerts.get("balance_low:7").acknowledged_by is None  # a new firing is not acknowledged
    assert len(store.audit.query(action="alert_acknowledge")) == 1


# -- texts and settings ---------------------------------------------------------------------------------


def test_every_alert_text_has_its_turkish():
    texts = [t for triple in model.TEXTS.values() for t in triple] + [model.RECOVERED_DETAIL]
    assert [t for t in texts if not is_translated(t)] == []
    title, detail = model.describe(
        model.BALANCE_LOW,
        {
            "iban": "TR33 **** **** 1326",
            "balance_kurus": 99_999,
            "threshold_kurus": 100_000,
            "recover_above_kurus": 100_200,
        },
        "tr",
    )
    assert title == "Bakiye eşiğin altında: TR33 **** **** 1326" and "999,99 ₺" in detail


def test_alert_settings_are_read_and_checked():
    default = load_settings({}, None, None).alerts
    assert default == AlertSettings() and default.balance_margin == Decimal("1000")
    s = load_settings(
        {"ENIGMAPAY_ALERT_UNKNOWN_MINUTES": "15", "ENIGMAPAY_ALERT_BALANCE_MARGIN": "2.500,00"}, None, None
    ).alerts
    assert s.unknown_minutes == 15.0 and s.balance_margin == Decimal("2500.00")
    for env, message in (
        ({"ENIGMAPAY_ALERT_APPROVAL_MINUTES": "0"}, "greater than zero"),
        ({"ENIGMAPAY_ALERT_BALANCE_MARGIN": "-5"}, "zero or more"),
        ({"ENIGMAPAY_ALERT_BALANCE_MARGIN": "lots"}, "not an amount"),
    ):
        with pytest.raises(ConfigError, match=message):
            load_settings(env, None, None)


# -- the background's part ---------------------------------------------------------------------------------


def test_the_snapshots_ibans_call_records_the_apis_health_in_the_store(tmp_path, monkeypatch):
    from types import SimpleNamespace

    from dashboard import background
    from dashboard.client.errors import APIConnectionError
    from dashboard.loaded import Loaded
    from dashboard.store import Store
    from dashboard.timeutil import now

    store = Store.in_dir(tmp_path)  # the SQL is tested on both engines above; this is the background's wiring
    monkeypatch.setattr(background.services, "records", lambda: SimpleNamespace(store=store))
    monkeypatch.setattr(background.services, "settings", lambda: SimpleNamespace(timezone="Europe/Istanbul"))
    background.record_api_health(Loaded(None, None, APIConnectionError("connect refused")))
    first = store.alerts.health(API)
    assert first.last_error == "APIConnectionError" and first.failing_since_at is not None
    background.record_api_health(Loaded([], now("Europe/Istanbul") - timedelta(minutes=10)))  # the fleet's asks fail
    second = store.alerts.health(API)
    assert second.last_error == "no fresh answer" and second.failing_since_at == first.failing_since_at
    answered = now("Europe/Istanbul")
    background.record_api_health(Loaded([], answered))
    assert store.alerts.health(API).failing_since_at is None and store.alerts.health(API).last_ok_at == answered
    assert "alerts" in background.JOBS
