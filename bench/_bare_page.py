"""The bare script of the interaction benchmark: render an already filtered frame, nothing else."""

import streamlit as st

from bench._common import SHARED

st.dataframe(SHARED["bare_table"], hide_index=True, key="tx_table", height=420)
