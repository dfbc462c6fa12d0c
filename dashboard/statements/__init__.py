"""Statements: one IBAN or all, a month or any range, as XLSX and PDF (issue 15). No Streamlit.

content.py builds what a statement says (balances never invented), xlsx.py and pdf.py lay it out,
preview.py renders a PDF page to PNG for the page's preview.
"""

from dashboard.statements.content import MARGIN_DAYS, Balance, IbanLine, Statement, build_statement

__all__ = ["MARGIN_DAYS", "Balance", "IbanLine", "Statement", "build_statement"]
