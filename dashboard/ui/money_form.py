"""What the Send money and Card payment pages share: one operation id per rendered form, fields
with their own error lines, the cost previews and receiving bank, and the outcome panel for a
journal entry.

Session keys are `<prefix>_...` so the two pages never read each other's state.
"""

from __future__ import annotations

from collections.abc import Iterable

import streamlit as st

from dashboard import data_access, ui
from dashboard.banks import bank_for_iban
from dashboard.client.models import EibanChannel
from dashboard.iban import bank_code, iban_is_valid
from dashboard.journal import Operation, new_operation_id
from dashboard.money import AmountError, parse_amount_input

# The costs the pages show come from the one place that knows them (pages may not import payouts).
from dashboard.payouts import PayoutCosts, card_commission, payout_costs, payout_costs_known  # noqa: F401
from dashboard.ui import money_actions


def operation_id(prefix: str) -> str:
    """The id of the form on screen: made when the form is first rendered, kept across reruns.

    A page refresh starts a new session and so a new id; the journal's same-content hold covers that.
    """
    return st.session_state.setdefault(f"{prefix}_op", new_operation_id())


def restore_last_outcome(prefix: str, kind: str) -> None:
    """On a session's first run (a reload, a new tab), show the operator's last outcome of `kind`
    ('payout' / 'card_payment') from the journal again, until they dismiss it (`start_over`).

    Only on the first run: an outcome sent from another tab must not replace a form being typed.
    """
    if st.session_state.get(f"{prefix}_restored"):
        return
    st.session_state[f"{prefix}_restored"] = True
    if f"{prefix}_result" not in st.session_state:
        op = money_actions.last_outcome(ui.actor(), kind)
        if op is not None:
            st.session_state[f"{prefix}_result"] = op.id


def start_over(prefix: str, fields: Iterable[str], *, keep_values: bool = False) -> None:
    """A fresh form (new operation id); `keep_values` keeps what was typed, to correct and resend.

    The outcome on screen counts as dismissed: a reload no longer shows it.
    """
    shown = st.session_state.get(f"{prefix}_result")
    if shown:
        money_actions.dismiss_outcome(ui.actor(), shown)
    for key in [f"{prefix}_op", f"{prefix}_result", f"{prefix}_request", f"{prefix}_errors", f"{prefix}_approval"]:
        st.session_state.pop(key, None)
    if not keep_values:
        for name in fields:
            st.session_state.pop(f"{prefix}_{name}", None)


def set_errors(prefix: str, errors: dict[str, str]) -> None:
    """Field errors from the last review, each shown under its field on the next run."""
    st.session_state[f"{prefix}_errors"] = errors


def open_review(prefix: str, request) -> None:
    """A checked request waits for confirmation: the page keeps its dialog open while it is there,
    so the dialog's buttons are handled on the rerun they cause."""
    set_errors(prefix, {})
    st.session_state[f"{prefix}_review_request"] = request


def reviewing(prefix: str):
    """The request waiting for confirmation, or None."""
    return st.session_state.get(f"{prefix}_review_request")


def close_review(prefix: str) -> None:
    """Forget the request under review (confirmed, cancelled or dismissed)."""
    st.session_state.pop(f"{prefix}_review_request", None)


def errors(prefix: str) -> dict[str, str]:
    return st.session_state.get(f"{prefix}_errors", {})


def text_field(prefix: str, name: str, label: str, *, max_chars: int, container=st, **kwargs) -> str:
    """A text input whose error (from the last review) is shown right under it.

    `max_chars` is the field's limit in dashboard.validation.MAX_CHARS. The browser ignores an edit
    (a paste too) that would make the text longer than that, so the limit is also said in the
    field's help and its character counter; the check names it for text that arrives otherwise.
    """
    help_text = ui.t("At most {limit} characters.", limit=max_chars)
    value = container.text_input(label, key=f"{prefix}_{name}", max_chars=max_chars, help=help_text, **kwargs)
    message = errors(prefix).get(name)
    if message:
        container.error(ui.t(message), icon=":material/error:")
    return value


def costs_unknown(prefix: str, message: str) -> None:
    """Sending is blocked while the costs are unknown: say why, and offer to read the settings again."""
    st.error(ui.t(message), icon=":material/money_off:")
    if st.button(ui.t("Load the dealer settings again"), key=f"{prefix}_retry_settings", icon=":material/refresh:"):
        data_access.reload_dealer_settings()
        st.rerun()


# --- what the action will cost, and where a payout goes ------------------------------------------


def payout_preview(amount_text: str, eiban: EibanChannel | None) -> PayoutCosts | None:
    """The costs of the amount being typed; None while it is blank or not an amount yet."""
    try:
        return payout_costs(parse_amount_input(amount_text), eiban) if amount_text.strip() else None
    except AmountError:
        return None


def receiving_bank(iban: str) -> str:
    """The bank's name, or the code itself when no registry names it (never a guessed name); "—"
    while the IBAN is not valid."""
    if not iban_is_valid(iban):
        return "—"
    bank = bank_for_iban(iban)
    return bank.name if bank else ui.t("Bank code {code} (not in the bank registry)", code=bank_code(iban))


def confirm_rows(rows: list[tuple[str, str]]) -> None:
    """Every value of the action, one per line, for the confirmation dialog; values exactly as typed."""
    st.markdown("\n".join(f"- **{ui.t(label)}**: {ui.literal(value)}" for label, value in rows))


def show_outcome(op: Operation) -> None:
    """The journal entry's state in words an operator can act on."""
    if op.state == "confirmed":
        st.success(
            ui.t("Accepted by EnigmaPay. Transaction id: {id}", id=op.transaction_id), icon=":material/check_circle:"
        )
    elif op.state == "rejected":
        st.error(ui.t("EnigmaPay refused it; nothing was done.") + _message(op), icon=":material/block:")
        for name, messages in (op.field_errors or {}).items():
            st.error(f"**{ui.literal(name)}**: {ui.literal('; '.join(messages))}")
    elif op.state == "failed_before_send":
        st.error(ui.t("Not sent: the request never reached EnigmaPay.") + _message(op), icon=":material/cloud_off:")
    elif op.state in ("unknown", "pending"):
        st.warning(
            ui.t(
                "The outcome is unknown: EnigmaPay did not answer. The request may or may not have been carried out. "
                "Do NOT send it again: its status is being checked and will show on the Operations page."
            )
            + _message(op),
            icon=":material/help:",
        )
    elif op.state == "not_sent":
        st.info(ui.t("An operator confirmed this was not sent."), icon=":material/info:")
    st.caption(ui.t("Operation {id} · {state} · {at}", id=op.id, state=ui.t(op.state), at=ui.fmt_time(op.updated_at)))


def show_approval_state(req) -> None:
    """Where a request for approval stands, for its maker (`req`: a dashboard.approvals.ApprovalRequest)."""
    if req is None:
        return
    if req.state == "waiting":
        st.info(
            ui.t(
                "Waiting for a second person's approval; nothing has been sent. The request expires {at}.",
                at=ui.fmt_time(req.expires_at),
            ),
            icon=":material/hourglass_top:",
        )
    elif req.state == "approved":
        st.success(ui.t_md("Approved by {who}: sending the payout…", who=req.decided_by), icon=":material/approval:")
    elif req.state == "rejected":
        st.error(ui.t_md("Rejected by {who}; nothing was sent.", who=req.decided_by), icon=":material/block:")
    else:
        st.warning(
            ui.t("Nobody decided in time: the request expired and nothing was sent."), icon=":material/timer_off:"
        )
    if req.note:
        st.caption(ui.t_md("Note: {note}", note=req.note))
    st.caption(ui.t("Request {id} · {state} · {at}", id=req.id, state=ui.t(req.state), at=ui.fmt_time(req.created_at)))


def _message(op: Operation) -> str:
    """The entry's message (often EnigmaPay's own words) as a paragraph of literal text, or nothing."""
    return f"\n\n{ui.literal(ui.t(op.message))}" if op.message else ""
