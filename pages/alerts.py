"""Alerts: what fires now (acknowledge it), what fired and recovered before, and the balance
thresholds per IBAN. Evaluated by the background leader; each alert is sent once when it fires
and once when it recovers. Acknowledging: those who act on money (move_money, approve); the
thresholds decide what the whole team is told, so they are an administrator's setting."""

import pandas as pd
import streamlit as st

from dashboard import data_access, ui
from dashboard.ui import access, outage

access.require_page(__file__)  # before anything else: a hand-typed URL shows no data

P = "alerts"  # session-state prefix of this page
ACKNOWLEDGE = ("move_money", "approve")
THRESHOLDS = "settings"
STATE_LABELS = {"fired": "Fired", "recovered": "Recovered"}
alerts = data_access.alerts

st.title(ui.t("Alerts"))
st.caption(
    ui.t(
        "Evaluated about every 45 seconds by one console of the fleet. An alert is sent once when it fires "
        "and once when it recovers."
    )
)


@outage.guard_callback
def _acknowledge(alert_key: str, version: int) -> None:
    done = alerts.acknowledge(alert_key, version, actor=ui.actor())
    st.session_state[f"{P}_ack"] = "done" if done else "gone"


@outage.guard_callback
def _save_threshold(iban_id: int, iban: str) -> None:
    try:
        alerts.set_threshold(
            iban_id,
            iban,
            st.session_state.get(f"{P}_threshold", ""),
            st.session_state.get(f"{P}_margin", ""),
            actor=ui.actor(),
        )
    except alerts.ThresholdError as exc:
        st.session_state[f"{P}_saved"] = ("error", exc.message)
        return
    st.session_state[f"{P}_saved"] = ("saved", "")


@outage.guard_callback
def _remove_threshold(iban_id: int, iban: str) -> None:
    alerts.remove_threshold(iban_id, iban, actor=ui.actor())
    st.session_state[f"{P}_saved"] = ("removed", "")


def _firing_card(row: dict, can_ack: bool) -> None:
    with st.container(border=True, key=f"{P}_card_{row['key']}"):
        st.error(ui.literal(row["title"]), icon=":material/notifications_active:")
        st.caption(ui.literal(row["detail"]))
        st.caption(ui.t("Firing since {at} ({age})", at=ui.fmt_time(row["since"]), age=ui.age_text(row["since"])))
        if row["acknowledged_by"]:
            at = ui.fmt_time(row["acknowledged_at"])
            st.caption(ui.t_md("Acknowledged by **{who}** at {at}", who=row["acknowledged_by"], at=at))
        elif can_ack:
            st.button(
                ui.t("Acknowledge"),
                key=f"{P}_ack_{row['key']}_{row['version']}",
                icon=":material/done:",
                on_click=_acknowledge,
                args=(row["key"], row["version"]),
            )


def _firing() -> None:
    st.subheader(ui.t("Firing now"))
    if st.session_state.pop(f"{P}_ack", None) == "gone":
        st.info(ui.t("That alert recovered, fired again or was acknowledged meanwhile; nothing changed."))
    rows = alerts.firing_table(ui.lang())
    if not rows:
        st.success(ui.t("No alert is firing."), icon=":material/check_circle:")
    can_ack = access.allowed(ACKNOWLEDGE)
    for row in rows:
        _firing_card(row, can_ack)


def _history() -> None:
    st.subheader(ui.t("History"))
    rows = alerts.history_table(ui.lang())
    if not rows:
        st.caption(ui.t("No alert has fired yet."))
        return
    table = pd.DataFrame(
        {
            ui.t("When"): pd.array([ui.fmt_time(r["at"]) for r in rows], dtype="string"),
            ui.t("State"): pd.array([ui.t(STATE_LABELS[r["state"]]) for r in rows], dtype="string"),
            ui.t("Condition"): pd.array([r["condition"] for r in rows], dtype="string"),
            ui.t("Alert"): pd.array([r["title"] for r in rows], dtype="string"),
            ui.t("Details"): pd.array([r["detail"] for r in rows], dtype="string"),
        }
    )
    st.dataframe(table, hide_index=True, key=f"{P}_history", placeholder=ui.MISSING)


def _margin(limit) -> str:
    """The margin in force: the IBAN's own, or the configured one (said so); "—" without a threshold."""
    margin = alerts.margin_in_force(limit)
    if margin is None:
        return "—"
    amount, own = margin
    return ui.fmt_money(amount) if own else ui.t("{amount} (configured)", amount=ui.fmt_money(amount))


def _threshold_table(ibans, limits) -> None:
    table = pd.DataFrame(
        {
            ui.t("IBAN"): pd.array([ui.fmt_iban(i.iban) for i in ibans], dtype="string"),
            ui.t("Balance"): pd.array([ui.fmt_money(i.balance) for i in ibans], dtype="string"),
            ui.t("Threshold"): pd.array(
                [ui.fmt_money(alerts.threshold_amount(limits.get(i.id))) or "—" for i in ibans], dtype="string"
            ),
            ui.t("Margin"): pd.array([_margin(limits.get(i.id)) for i in ibans], dtype="string"),
        }
    )
    st.dataframe(table, hide_index=True, key=f"{P}_thresholds", placeholder=ui.MISSING)


def _threshold_form(ibans) -> None:
    saved = st.session_state.pop(f"{P}_saved", None)
    if saved and saved[0] == "error":
        st.error(ui.t(saved[1]), icon=":material/error:")
    elif saved:
        st.success(ui.t("Threshold saved.") if saved[0] == "saved" else ui.t("Threshold removed."))
    by_id = {i.id: i for i in ibans}
    picked = st.selectbox(ui.t("IBAN"), list(by_id), format_func=lambda i: ui.fmt_iban(by_id[i].iban), key=f"{P}_iban")
    left, right = st.columns(2)
    left.text_input(ui.t("Alert below (₺)"), key=f"{P}_threshold", placeholder="50.000,00")
    right.text_input(
        ui.t("Recover above threshold plus (₺)"), key=f"{P}_margin", placeholder=ui.t("blank: the configured margin")
    )
    save, remove = st.columns(2)
    args = (picked, by_id[picked].iban)
    save.button(ui.t("Save threshold"), key=f"{P}_save", type="primary", on_click=_save_threshold, args=args)
    remove.button(ui.t("Remove threshold"), key=f"{P}_remove", on_click=_remove_threshold, args=args)


def _thresholds() -> None:
    st.subheader(ui.t("Balance thresholds"))
    st.caption(
        ui.t(
            "An IBAN's alert fires when its balance is below the threshold and recovers only above the threshold "
            "plus the margin, so a balance hovering at the threshold does not fire again and again."
        )
    )
    ibans = ui.show_loaded(data_access.load_ibans(), what="the IBAN list")
    if not ibans:
        return
    _threshold_table(ibans, alerts.thresholds())
    if access.allowed(THRESHOLDS):
        _threshold_form(ibans)
    else:
        st.caption(ui.t("Only an administrator changes the thresholds."))


_firing()
_history()
_thresholds()
