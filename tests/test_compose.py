"""No container runtime here: `docker-compose.yml` is checked against the README's "Several replicas"
section, the Dockerfile and `deploy/nginx.conf` (the file the fleet test runs), by content.

What the README promises: services postgres, console-1, console-2 and nginx; the consoles built from
this repository's image with the same settings (a PostgreSQL URL on the postgres service, one
session secret, one callback token, one accounts volume); nginx publishing the port the README
opens and mounting deploy/nginx.conf, whose upstreams are the console services on the image's port;
the README's nginx block is that file.
"""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import urlsplit

import yaml

from dashboard.config import SETTINGS
from tests.test_dockerfile import env as dockerfile_env
from tests.test_dockerfile import instructions

ROOT = Path(__file__).resolve().parents[1]
COMPOSE_TEXT = (ROOT / "docker-compose.yml").read_text(encoding="utf-8")
COMPOSE = yaml.safe_load(COMPOSE_TEXT)
SERVICES = COMPOSE["services"]
NGINX_CONF = (ROOT / "deploy" / "nginx.conf").read_text(encoding="utf-8")
CONSOLES = ("console-1", "console-2")


def readme_section() -> str:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    return re.search(r"^## Several replicas\n(.*?)^## ", readme, re.S | re.M).group(1)


def code_blocks(text: str, language: str) -> list[str]:
    return re.findall(rf"```{language}\n(.*?)```", text, re.S)


def without_comment_lines(text: str) -> list[str]:
    """The configuration's lines less whole-line comments and blank lines."""
    return [line.rstrip() for line in text.splitlines() if line.strip() and not line.lstrip().startswith("#")]


def interpolated(value: str) -> str:
    """A compose value with `${NAME:?message}` / `${NAME}` replaced by `<NAME>`."""
    return re.sub(r"\$\{(\w+)[^}]*\}", r"<\1>", value)


def test_the_services_the_readme_names():
    assert set(SERVICES) == {"postgres", *CONSOLES, "nginx"}
    section = readme_section()
    for name in SERVICES:
        assert f"`{name}`" in section, f"the README does not name the {name} service"


def test_both_consoles_are_this_image_with_the_same_settings():
    first, second = (SERVICES[name] for name in CONSOLES)
    assert first == second, "the replicas must run with the same settings"
    assert first["build"] == "."
    assert (ROOT / "Dockerfile").is_file()
    assert "ports" not in first, "only nginx is published: browsers and callbacks go through it"
    assert first["depends_on"]["postgres"]["condition"] == "service_healthy"
    assert SERVICES["postgres"]["healthcheck"]["test"], "service_healthy needs a health check"
    assert instructions("HEALTHCHECK"), "nginx waits for the consoles' image health check"


def test_consoles_use_the_postgres_service_through_the_database_url():
    environment = SERVICES["console-1"]["environment"]
    postgres = SERVICES["postgres"]["environment"]
    url = urlsplit(interpolated(environment["ENIGMAPAY_DATABASE_URL"]))
    assert url.scheme == "postgresql"
    assert (url.hostname, url.port) == ("postgres", 5432)
    assert url.username == postgres["POSTGRES_USER"] and url.path == "/" + postgres["POSTGRES_DB"]
    assert url.password == "<POSTGRES_PASSWORD>" == interpolated(postgres["POSTGRES_PASSWORD"])
    assert "postgres:15" in SERVICES["postgres"]["image"]  # the major version the tests run (Debian's)


def test_every_console_setting_in_the_compose_file_is_a_real_setting_the_readme_explains():
    environment = SERVICES["console-1"]["environment"]
    section = readme_section()
    for name in environment:
        assert name in SETTINGS, f"{name} is not a console setting (dashboard/config.py)"
    for shared in ("ENIGMAPAY_DATABASE_URL", "ENIGMAPAY_SESSION_SECRET", "ENIGMAPAY_CALLBACK_TOKEN"):
        assert shared in environment and f"**`{shared}`**" in section, shared
    for secret in ("ENIGMAPAY_SESSION_SECRET", "ENIGMAPAY_CALLBACK_TOKEN"):  # from .env, never written here
        assert interpolated(environment[secret]) == f"<{secret}>", environment[secret]
    for variable in set(re.findall(r"\$\{(\w+)", COMPOSE_TEXT)):
        assert variable in section, f"the README does not say to set {variable}"
    assert environment["ENIGMAPAY_DATA_DIR"] == dockerfile_env()["ENIGMAPAY_DATA_DIR"]


def test_the_consoles_share_one_accounts_volume_at_the_images_data_folder():
    data_dir = dockerfile_env()["ENIGMAPAY_DATA_DIR"]
    for name in CONSOLES:
        assert f"console-data:{data_dir}" in SERVICES[name]["volumes"]
    assert "console-data" in COMPOSE["volumes"]
    assert "console-data" in readme_section() and "add-user" in readme_section()


def test_nginx_mounts_the_fleet_tests_config_and_publishes_the_readmes_port():
    nginx = SERVICES["nginx"]
    mounts = {volume.split(":")[0]: volume.split(":")[1] for volume in nginx["volumes"]}
    assert mounts == {"./deploy/nginx.conf": "/etc/nginx/conf.d/default.conf"}
    (published,) = nginx["ports"]
    host_port, container_port = published.split(":")
    assert re.search(rf"^\s*listen {container_port};", NGINX_CONF, re.M)
    assert f"http://localhost:{host_port}" in readme_section()
    for name in CONSOLES:
        assert nginx["depends_on"][name]["condition"] == "service_healthy"


def test_nginx_upstreams_are_the_console_services_on_the_images_port():
    upstream = re.search(r"upstream consoles \{(.*?)\}", NGINX_CONF, re.S).group(1)
    servers = re.findall(r"^\s*server (\S+?):(\d+)", upstream, re.M)
    port = instructions("EXPOSE")[0]
    assert servers == [(name, port) for name in CONSOLES]
    assert re.search(r"^\s*hash \$console_route consistent;", upstream, re.M), "sticky by the routing cookie"


def test_the_readme_shows_the_nginx_config_the_test_runs():
    (block,) = code_blocks(readme_section(), "nginx")
    assert without_comment_lines(block) == without_comment_lines(NGINX_CONF)


def test_the_readme_commands_use_this_compose_file():
    commands = code_blocks(readme_section(), "bash")[0]
    named = []
    for line in commands.splitlines():
        words = line.split("#")[0].split()
        if words[:3] == ["docker", "compose", "run"]:
            named += [word for word in words[3:] if not word.startswith("-")][:1]
        elif words[:3] == ["docker", "compose", "restart"]:
            named += words[3:]
    assert "docker compose up --build" in commands
    assert set(named) == set(CONSOLES), named
