"""The server `make run` starts: Streamlit (console.py) plus our own HTTP routes on the same port.

`streamlit run app.py` finds the `app` object below and serves it as an ASGI app.
"""

from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

import streamlit as st


async def health(request: Request) -> JSONResponse:
    """Liveness for load balancers and the Docker HEALTHCHECK (Streamlit's own is /_stcore/health)."""
    return JSONResponse({"status": "ok"})


app = st.App("console.py", routes=[Route("/healthz", health, methods=["GET"])])
