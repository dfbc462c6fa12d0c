"""No container runtime here: check what can be checked without building the image.

The image must build and start with the README's commands, and its health check must hit an
endpoint the real server answers when configured the way the image configures it.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import urllib.request
from pathlib import Path

import pytest

from tests.helpers.console import healthy, launch, wait_for
from tests.helpers.processes import free_port, stop_group

ROOT = Path(__file__).resolve().parents[1]
DOCKERFILE = (ROOT / "Dockerfile").read_text()


def instructions(name: str) -> list[str]:
    """Arguments of every `NAME ...` instruction, continuation lines joined."""
    joined = re.sub(r"\\\n\s*", " ", DOCKERFILE)
    return [line.split(None, 1)[1].strip() for line in joined.splitlines() if line.startswith(name + " ")]


def env() -> dict[str, str]:
    pairs = " ".join(instructions("ENV"))
    return dict(re.findall(r"(\w+)=(\S+)", pairs))


def readme_commands() -> tuple[str, str]:
    block = re.search(r"```bash\n(.*?)```", (ROOT / "README.md").read_text(), re.S).group(1)
    commands = [line.split("#")[0].strip() for line in block.splitlines() if line.strip()]
    return commands[0], commands[1]


def test_image_starts_with_the_readme_run_command():
    run, test = readme_commands()
    assert (run, test) == ("make run", "make test")
    assert json.loads(instructions("CMD")[-1]) == run.split()


def test_image_installs_with_the_make_target_the_run_command_depends_on():
    assert "make venv" in instructions("RUN")[-1]
    makefile = (ROOT / "Makefile").read_text()
    venv_prereq = re.search(r"^venv: (\S+)", makefile, re.M).group(1)
    run_prereq = re.search(r"^run: (\S+)", makefile, re.M).group(1)
    assert venv_prereq == run_prereq  # `make venv` builds exactly what `make run` needs


def test_image_copies_everything_the_app_imports():
    copied = " ".join(instructions("COPY"))
    for needed in (
        "pyproject.toml",
        "Makefile",
        "dashboard",
        "pages",
        "app.py",
        "console.py",
        ".streamlit/config.toml",
    ):
        assert needed in copied, needed
    top_level_scripts = {p.name for p in ROOT.glob("*.py")}
    assert top_level_scripts <= set(re.findall(r"[\w.]+\.py", copied))
    assert "secrets.toml" not in copied.replace("secrets.toml.example", "")  # secrets are mounted, never baked in


def test_image_runs_as_non_root_with_the_data_dir_as_a_volume():
    assert instructions("USER")[-1] not in ("root", "0")
    assert env()["ENIGMAPAY_DATA_DIR"] in instructions("VOLUME")[-1]
    assert re.match(r"python:3\.11\.\d+-slim", instructions("FROM")[0]), "a slim, pinned Python base"


def test_health_check_targets_streamlits_health_endpoint_on_the_exposed_port():
    check = instructions("HEALTHCHECK")[0]
    url = re.search(r"https?://[^'\" ]+", check).group(0)
    assert url.endswith(":8501/_stcore/health")
    assert instructions("EXPOSE") == ["8501"] and env()["STREAMLIT_SERVER_PORT"] == "8501"


@pytest.mark.slow
def test_server_configured_like_the_image_answers_the_health_check(tmp_path):
    """Start `streamlit run app.py` (what `make run` runs) configured only through the image's
    environment variables, and ask the health check's URL path."""
    port = free_port()
    variables = {
        **env(),
        "STREAMLIT_SERVER_PORT": str(port),
        "STREAMLIT_SERVER_ADDRESS": "127.0.0.1",
        "ENIGMAPAY_DATA_DIR": str(tmp_path),
        "ENIGMAPAY_SANDBOX_TRANSACTIONS": "500",
    }
    environ = {k: v for k, v in os.environ.items() if not k.startswith("ENIGMAPAY_")} | variables
    command = re.search(r"^run: .*\n\t(.+)$", (ROOT / "Makefile").read_text(), re.M).group(1)
    command = command.replace("$(BIN)", str(ROOT / ".venv" / "bin"))
    proc = launch(command.split(), environ, subprocess.DEVNULL)
    try:
        url = f"http://127.0.0.1:{port}"
        wait_for(lambda: healthy(url + "/_stcore/health"), "health answer", proc, lambda: "(output not kept)", 60)
        # Our own liveness route; it also says whether the database answers (app.health).
        with urllib.request.urlopen(f"{url}/healthz", timeout=10) as answer:
            assert json.load(answer) == {"status": "ok", "database": "ok"}
    finally:
        stop_group(proc)
