"""Statements: one IBAN or all, a month or any range, as PDF and XLSX, with the PDF's first page shown."""

from dashboard.ui import access, statements_view

access.require_page(__file__)  # before anything else: a hand-typed URL shows no data

statements_view.statements_page()
