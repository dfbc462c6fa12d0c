"""Approvals: requests that wait for a second person (four-eyes)."""

import streamlit as st

from dashboard import ui
from dashboard.ui import access

access.require_page(__file__)  # before anything else: a hand-typed URL shows no data

st.title(ui.t("Approvals"))
