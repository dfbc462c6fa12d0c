"""Debian's chromium, headless: the arguments the browser tests and bench/startup.py launch it with."""

CHROMIUM_ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    # Without these chromium keeps dialling Google services and floods refused connections.
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
