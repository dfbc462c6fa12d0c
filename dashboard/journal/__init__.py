"""Exactly-once money actions: every payout and card payment goes through this journal.

The provider has no idempotency key, so the journal is our equivalent (see STYLE.md): each form
gets an `operation_id` when rendered, the intent is committed *before* the API call, and a second
submit of the same id -- double click, Streamlit rerun, two browser tabs -- returns the first entry
and calls nothing.

Operation states:
    held                same content as a recent payout; nothing sent. The UI asks "send a second
                        payout?"; submitting again with confirm_duplicate=True proceeds.
    pending             intent committed, call in flight -- or the process died before the answer
                        (then, after `pending_grace`, it is listed by `unsettled()`).
    confirmed           the provider accepted; transaction_id known. `status`/`status_final` track
                        the provider's transaction status (refresh_status / status checks).
    rejected            the provider answered with a refusal (401/403/404/422/429/other 4xx,
                        success:false): nothing happened upstream.
    failed_before_send  proven not sent (input refused by our checks, connection never made).
    unknown             the request may have reached the provider and no answer came. Never resent
                        automatically; `settle` looks for it, an operator may resolve it.
    not_sent            an operator checked with the provider and declared it not sent.

Settling an unknown payout (no transaction id: the answer never came). The provider offers no
lookup by our reference, so `settle` searches, in order:
 1. the transaction history of every dealer IBAN from the intent's day: a withdrawal with the same
    customer IBAN, amount and username, created no earlier than the intent (minus clock slack),
    not already tied to another entry. Exactly one -> confirmed. Several -> stays unknown
    ("ambiguous"; an operator picks via mark_resolved(transaction_id=...)).
 2. callback events with the same username and amount received since the intent, whose
    transaction is tied to no entry and is not in the history we just read with other details
    (e.g. a deposit). Exactly one, and transaction-status confirms it exists with that amount ->
    confirmed. Callbacks carry no IBAN or type, so this only fills the gap while history lags.
 3. otherwise it stays unknown. After `settle_after` the message tells the operator to check with
    EnigmaPay and mark it resolved: only a person may declare money not sent.
An unknown *card payment* moves no money by itself (the customer pays through the link we never
received), so settle leaves it for an operator.

The scheduled run (`settle_all`) backs off per entry: an entry is checked 30 s after its last
check, then 1, 2, 4 ... minutes, at most every `settle_max_wait`; `settle_horizon` after the
attempt it stops and leaves the entry to a person (`needs_person`). It logs when an entry's
outcome changes, not per check. "Check now" (`settle`) ignores the schedule: a person asked.
"""

from dashboard.journal.journal import Journal
from dashboard.journal.records import (
    CONFIRMED,
    FAILED_BEFORE_SEND,
    HELD,
    NEEDS_PERSON,
    NOT_SENT,
    PENDING,
    REJECTED,
    STATES,
    UNKNOWN,
    ApprovalRequired,
    Operation,
    new_operation_id,
    outcome_state,
    status_key,
    transaction_id_text,
)

__all__ = [
    "CONFIRMED",
    "FAILED_BEFORE_SEND",
    "HELD",
    "NEEDS_PERSON",
    "NOT_SENT",
    "PENDING",
    "REJECTED",
    "STATES",
    "UNKNOWN",
    "ApprovalRequired",
    "Journal",
    "Operation",
    "new_operation_id",
    "outcome_state",
    "status_key",
    "transaction_id_text",
]
