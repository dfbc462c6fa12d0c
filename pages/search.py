"""Search: every IBAN's transactions of all time (the history mirror) by transaction id, username,
customer name, IBAN (any spacing) or description; `?q=` links to a search, results to the customer."""

import streamlit as st

from dashboard import data_access, ui
from dashboard.ui import access

access.require_page(__file__)  # before anything else: a hand-typed URL shows no data

st.title(ui.t("Search"))
st.caption(
    ui.t("Every IBAN, every synced day: transaction id, username, customer name, IBAN (any spacing) or description.")
)
# The widget key doubles as the URL parameter name (bind="query-params"): the sidebar's box links here.
query = st.text_input(
    ui.t("Search all time"), key="q", bind="query-params", placeholder=ui.t("id, username, customer, IBAN")
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

usernames = [u for u in dict.fromkeys(result.rows["username"].tolist()) if u][:12]
if usernames:
    st.markdown(f"**{ui.t('Customers')}**")
    links = st.columns(min(len(usernames), 4))
    for i, name in enumerate(usernames):
        links[i % len(links)].page_link(
            "pages/customer.py", label=ui.literal(name), icon=":material/person:", query_params={"username": name}
        )

table = data_access.results_table(result.rows, ui.lang())
st.dataframe(table, hide_index=True, key="search_table", column_config=ui.transaction_columns())
