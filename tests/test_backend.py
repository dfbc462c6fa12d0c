"""Which API the settings point at, decided without starting anything (the accounts command uses it
to find the same records as the console)."""

from pathlib import Path

from dashboard.backend import is_sandbox
from dashboard.config import Secret, Settings
from dashboard.sandbox import SANDBOX_API_KEY, SANDBOX_SECRET_KEY


def test_sandbox_is_no_key_or_the_sandbox_demo_pair_and_keeps_its_records_apart():
    assert is_sandbox(Settings())
    assert is_sandbox(Settings(api_key=Secret(SANDBOX_API_KEY), secret_key=Secret(SANDBOX_SECRET_KEY)))
    live = Settings(api_key=Secret("live-key"), secret_key=Secret("live-secret"), data_dir=Path("/d"))
    assert not is_sandbox(live)
    assert live.records_dir(sandbox=False) == Path("/d") and live.records_dir(sandbox=True) == Path("/d/sandbox")
