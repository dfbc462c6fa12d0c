"""Transaction history (a package from here on: its one module, unchanged, is `ingest` for now)."""

from dashboard.history.ingest import *  # noqa: F403 -- the names callers use today
