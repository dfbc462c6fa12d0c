"""A faithful stand-in for the EnigmaPay dealer API: deterministic demo data over real HTTP.

cfg = SandboxConfig(seed=42, transactions=30_000)
srv = run_in_thread(cfg)          # srv.base_url, srv.root_url, srv.state, srv.stop()
"""

from dashboard.sandbox.config import SANDBOX_API_KEY, SANDBOX_SECRET_KEY, SandboxConfig, auth_headers, request_hash
from dashboard.sandbox.faults import Faults
from dashboard.sandbox.live import FakeClock
from dashboard.sandbox.runner import RunningSandbox, run_in_thread
from dashboard.sandbox.server import create_app
from dashboard.sandbox.state import SandboxState

__all__ = [
    "SANDBOX_API_KEY",
    "SANDBOX_SECRET_KEY",
    "FakeClock",
    "Faults",
    "RunningSandbox",
    "SandboxConfig",
    "SandboxState",
    "auth_headers",
    "create_app",
    "request_hash",
    "run_in_thread",
]
