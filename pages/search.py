"""Search: every IBAN's transactions of all time (the history mirror) by transaction id, username,
customer name, IBAN (any spacing), description or amount, every word in some field; `?q=` links to a search, each
result's username to the customer."""

import streamlit as st

from dashboard import data_access, ui
from dashboard.ui import access

access.require_page(__file__)  # before anything else: a hand-typed URL shows no data

st.title(ui.t("Search"))
st.caption(
    ui.t(
        "Every IBAN, every synced day. Each word must match: transaction id (or its first digits), username, "
        "customer name, IBAN (any spacing), description or amount (1500, 1.500,50)."
    )
)
# The widget key doubles as the URL parameter name (bind="query-params"): the sidebar's box links here.
query = st.text_input(
    ui.t("Search all time"), key="q", bind="query-params", placeholder=ui.t("name, IBAN, id or amount: ayşe 1500")
)
if not query.strip():
    st.stop()

result = data_access.search_all(query)
if result.count == 0:
    st.info(ui.t_md("Nothing found for {query}.", query=query.strip()), icon=":material/search_off:")
    st.stop()
if result.truncated:
    st.caption(ui.t("{n} transactions found; the newest {shown} are shown.", n=result.count, shown=len(result.rows)))
else:
    st.caption(ui.t("{n} transactions found.", n=result.count))

# Each Username cell links to that customer's page (?username=, URL-encoded) and shows the username.
table = data_access.results_table(result.rows, ui.lang(), ui.page_url(ui.CUSTOMER_PAGE))
columns = {**ui.transaction_columns(), **ui.customer_link_column()}
st.dataframe(table, hide_index=True, key="search_table", column_config=columns, placeholder=ui.MISSING)
