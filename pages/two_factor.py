"""Two-factor sign-in (every signed-in user): its state, new recovery codes, or setting one up."""

from dashboard.ui import access, two_factor

access.require_page(__file__)

two_factor.account_page(access.current_session())
