"""Streamlit client options the console needs however it is started.

`.streamlit/config.toml` sets them too, but a deployment may run without that file (another
working directory, an image built without it) or override it; app.py applies these before it
serves anything, and again after every re-read of the config files (Streamlit re-reads them when
config.toml changes on disk, which would otherwise drop a value set here).
"""

from __future__ import annotations

from streamlit import config

# Tables never offer Streamlit's own "Download as CSV" (nor clipboard copy): that file bypasses
# dashboard/export.py (formula escaping, local times, exact amounts, the audit entry). Pages offer
# downloads only through the safe, audited export.
REQUIRED = {"client.disableDataExport": True}

_WHERE = "dashboard.ui.client_options"
_hooked = False


def _apply() -> None:
    for key, value in REQUIRED.items():
        if config.get_option(key) != value:
            config.set_option(key, value, _WHERE)


def enforce() -> None:
    """Set the required options now and after every later re-read of the config files."""
    global _hooked
    _apply()
    if not _hooked:
        config.on_config_parsed(_apply, force_connect=True)
        _hooked = True
