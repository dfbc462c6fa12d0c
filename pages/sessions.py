"""Sessions: where you are signed in (end any of them); administrators also see everybody's."""

from dashboard.ui import access, sessions_view

access.require_page(__file__)  # before anything else: a hand-typed URL shows no data

sessions_view.sessions_page()
