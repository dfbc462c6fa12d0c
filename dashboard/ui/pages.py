"""The console's pages: ONE registry (script, title, icon, URL path, section, capability).

The menu (console.py), the hidden pages (sign-in at every page's path, pages a role may not use)
and each page's own check (`access.require_page(__file__)`) all read it, so who may open a page is
written once. What each role may do comes from `dashboard.auth.roles.CAPABILITIES`.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import PurePath

from dashboard.auth.roles import APPROVE, AUDIT, CALLBACKS, EXPORT, LOOKUP, MOVE_MONEY, SETTINGS, VIEW, Role, can_any


@dataclass(frozen=True)
class PageEntry:
    script: str  # relative to the entry script's folder, as st.Page takes it
    title: str  # English; translated where shown
    icon: str
    url_path: str
    section: str  # English; translated where shown
    capability: str | tuple[str, ...]  # what a role needs to open the page, or any one of several


PAGES: tuple[PageEntry, ...] = (
    PageEntry("pages/overview.py", "Overview", ":material/dashboard:", "overview", "Monitor", VIEW),
    PageEntry("pages/balances.py", "Balances", ":material/account_balance_wallet:", "balances", "Monitor", VIEW),
    PageEntry("pages/transactions.py", "Transactions", ":material/receipt_long:", "transactions", "Monitor", VIEW),
    # Issue 13: all-time search over the history mirror, and one customer on one screen (support desk).
    PageEntry("pages/search.py", "Search", ":material/travel_explore:", "search", "Monitor", VIEW),
    PageEntry("pages/customer.py", "Customer", ":material/person_search:", "customer", "Monitor", VIEW),
    PageEntry("pages/reconciliation.py", "Reconciliation", ":material/rule:", "reconciliation", "Monitor", VIEW),
    # Alerts: everyone sees them; acknowledging (move_money, approve) and thresholds (settings) are checked
    # on the page.
    PageEntry("pages/alerts.py", "Alerts", ":material/notifications:", "alerts", "Monitor", VIEW),
    PageEntry("pages/statements.py", "Statements", ":material/description:", "statements", "Monitor", EXPORT),
    PageEntry("pages/send_money.py", "Send money", ":material/send_money:", "send-money", "Act", MOVE_MONEY),
    # Batch payouts: makers upload and control batches; approvers see every row of what they approve.
    PageEntry(
        "pages/batch_payouts.py",
        "Batch payouts",
        ":material/upload_file:",
        "batch-payouts",
        "Act",
        (MOVE_MONEY, APPROVE),
    ),
    PageEntry("pages/card_payment.py", "Card payment", ":material/credit_card:", "card-payment", "Act", MOVE_MONEY),
    PageEntry("pages/lookup.py", "Lookup", ":material/search:", "lookup", "Act", LOOKUP),
    # Operations settles unknown money actions and marks them resolved (not sent / that transaction):
    # deciding what happened to money is moving money, not reading callbacks.
    PageEntry("pages/operations.py", "Operations", ":material/pending_actions:", "operations", "Act", MOVE_MONEY),
    # Approvals: approvers decide there; makers (who move money) follow their own requests.
    PageEntry("pages/approvals.py", "Approvals", ":material/approval:", "approvals", "Act", (APPROVE, MOVE_MONEY)),
    PageEntry("pages/callbacks.py", "Callbacks", ":material/webhook:", "callbacks", "Act", CALLBACKS),
    PageEntry("pages/audit_log.py", "Audit log", ":material/history_edu:", "audit-log", "Admin", AUDIT),
    PageEntry("pages/settings.py", "Settings", ":material/settings:", "settings", "Admin", SETTINGS),
    PageEntry("pages/two_factor.py", "Two-factor sign-in", ":material/phonelink_lock:", "two-factor", "Account", VIEW),
    PageEntry("pages/sessions.py", "Sessions", ":material/devices:", "sessions", "Account", VIEW),
)

PAGE_CAPABILITY: dict[str, str | tuple[str, ...]] = {p.url_path: p.capability for p in PAGES}  # url_path -> capability

PAGES_BY_ROLE: dict[Role, frozenset[str]] = {
    role: frozenset(p.url_path for p in PAGES if can_any(role, p.capability)) for role in Role
}


def can_open(role: Role | None, url_path: str) -> bool:
    """Whether `role` may open the page with this url_path (unknown pages: no)."""
    needed = PAGE_CAPABILITY.get(url_path)
    return needed is not None and can_any(role, needed)


def visible_url_paths(role: Role) -> list[str]:
    """The pages `role` sees in the menu, in menu order."""
    return [p.url_path for p in PAGES if can_open(role, p.url_path)]


def entry_for(script_file: str) -> PageEntry:
    """The registry entry of a page script (its `__file__`); a script not registered is a bug."""
    path = PurePath(script_file).as_posix()
    for entry in PAGES:
        if path == entry.script or path.endswith("/" + entry.script):
            return entry
    raise LookupError(f"{script_file!r} is not in dashboard.ui.pages.PAGES")
