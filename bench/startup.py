"""Target 6 (start-up): from launching the README's run command (`streamlit run app.py`, the
process `make run` execs, dependencies installed) to `/healthz` answering, and to the first page
rendered in headless chromium (the Overview heading visible).

Baseline: the same command on a bare one-line Streamlit script (st.write), to /healthz-equivalent
(`/_stcore/health`) and first render: what Streamlit itself costs on this machine.
"""

from __future__ import annotations

import argparse
import time

from bench._common import ROOT, free_port, header, process, quiet, verdict, wait_http
from bench._server import console_server, streamlit_args
from tests.helpers.chromium import CHROMIUM_ARGS


def _first_render(url: str, selector: str, launched: float, timeout: float = 120) -> float:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        try:
            page = browser.new_page()
            page.goto(url, timeout=timeout * 1000)
            page.wait_for_selector(selector, timeout=timeout * 1000)
            return time.perf_counter() - launched
        finally:
            browser.close()


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m bench startup")
    p.parse_args(argv)
    quiet()
    header("startup: streamlit run app.py -> /healthz -> first page in chromium")

    with console_server("startup-server.log") as (url, launched, _data, proc):
        health = wait_http(url + "/healthz", 120, proc=proc)
        health = time.perf_counter() - launched
        render = _first_render(url, '[data-testid="stMain"] h1:has-text("Overview")', launched)

    bare = ROOT / "artifacts" / "bench" / "bare_app.py"
    bare.parent.mkdir(parents=True, exist_ok=True)
    bare.write_text('import streamlit as st\nst.title("Bare")\n')
    port = free_port()
    args = streamlit_args(str(bare), port)
    t0 = time.perf_counter()
    with process(args, log=bare.parent / "startup-bare.log") as bare_proc:
        wait_http(f"http://127.0.0.1:{port}/_stcore/health", 120, proc=bare_proc)
        bare_health = time.perf_counter() - t0
        bare_render = _first_render(f"http://127.0.0.1:{port}", '[data-testid="stMain"] h1:has-text("Bare")', t0)

    print(f"  console: /healthz after {health:.2f} s, Overview rendered in chromium after {render:.2f} s")
    print(f"  bare Streamlit script: health after {bare_health:.2f} s, first render after {bare_render:.2f} s")
    verdict("startup health", health / bare_health, 2.0, "console /healthz / bare Streamlit health")
    verdict("startup first page", render / bare_render, 2.0, "console first page / bare first page")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
