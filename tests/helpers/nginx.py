"""Debian's nginx in front of console replicas, for the fleet test: `deploy/nginx.conf` (the file the
README shows and docker-compose.yml mounts) with its upstream addresses, its port and its log folder
rewritten to loopback and a temporary folder, wrapped in a main configuration of its own (prefix,
pid, temp paths, `daemon off`) and run as a child process.

    with running_nginx(["127.0.0.1:8601", "127.0.0.1:8602"], folder) as proxy:
        proxy.url                     # http://127.0.0.1:PORT
        proxy.upstream_for("abc")     # which replica serves a browser with console_route=abc
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx

from tests.helpers.console import REPO, healthy, launch, wait_for
from tests.helpers.processes import free_port, stop_group

NGINX_CONF = REPO / "deploy" / "nginx.conf"
ROUTE_COOKIE = "console_route"
COMPOSE_UPSTREAMS = ("console-1:8501", "console-2:8501")
STARTUP_TIMEOUT_S = 15


def nginx_binary() -> str:
    for candidate in ("/usr/sbin/nginx", shutil.which("nginx")):
        if candidate and Path(candidate).is_file():
            return candidate
    raise RuntimeError("nginx is not installed: `make test` installs Debian's nginx package")


def _replace_once(text: str, old: str, new: str) -> str:
    if text.count(old) != 1:
        raise AssertionError(f"deploy/nginx.conf should contain {old!r} exactly once (the test rewrites it)")
    return text.replace(old, new)


def site_config(upstreams: list[str], port: int, log_dir: Path) -> str:
    """deploy/nginx.conf for loopback: the compose services' addresses -> `upstreams`, port 80 -> `port`."""
    text = NGINX_CONF.read_text(encoding="utf-8")
    if len(upstreams) != len(COMPOSE_UPSTREAMS):
        raise ValueError(f"deploy/nginx.conf names {len(COMPOSE_UPSTREAMS)} replicas")
    for compose_address, address in zip(COMPOSE_UPSTREAMS, upstreams):
        text = _replace_once(text, f"server {compose_address} ", f"server {address} ")
    text = _replace_once(text, "listen 80;", f"listen 127.0.0.1:{port};")
    return _replace_once(text, "/var/log/nginx/", f"{log_dir}/")


def main_config(folder: Path, site: Path) -> str:
    """What Debian's /etc/nginx/nginx.conf would give, all inside `folder`, in the foreground."""
    temp = folder / "temp"
    user = "user root;\n" if os.geteuid() == 0 else ""  # workers read the temp folder made by root
    return f"""daemon off;
{user}worker_processes 1;
pid {folder}/nginx.pid;
error_log {folder}/logs/error.log warn;
events {{ worker_connections 512; }}
http {{
    client_body_temp_path {temp}/body;
    proxy_temp_path {temp}/proxy;
    fastcgi_temp_path {temp}/fastcgi;
    uwsgi_temp_path {temp}/uwsgi;
    scgi_temp_path {temp}/scgi;
    include {site};
}}
"""


@dataclass
class Nginx:
    url: str
    process: subprocess.Popen
    folder: Path

    @property
    def access_log(self) -> Path:
        return self.folder / "logs" / "access.log"

    def log_tail(self, lines: int = 30) -> str:
        parts = []
        for log in (self.access_log, self.folder / "logs" / "error.log", self.folder / "nginx.out"):
            if log.exists():
                text = log.read_text(encoding="utf-8", errors="replace").splitlines()[-lines:]
                parts.append(f"--- {log.name}:\n" + "\n".join(text))
        return "\n".join(parts)

    def upstream_for(self, route: str) -> str:
        """The replica (host:port) nginx sends a browser carrying `console_route=<route>` to, as its
        access log says."""
        answer = httpx.get(f"{self.url}/healthz", cookies={ROUTE_COOKIE: route}, trust_env=False, timeout=5)
        answer.raise_for_status()
        last = self.access_log.read_text(encoding="utf-8").splitlines()[-1]
        return re.search(r"upstream=(\S+)", last).group(1)

    def routes_to(self, upstreams: list[str], tries: int = 64) -> dict[str, str]:
        """A routing-cookie value for each of `upstreams` (found by asking, not by re-implementing the hash)."""
        found: dict[str, str] = {}
        for i in range(tries):
            route = f"fleet-test-{i}"
            found.setdefault(self.upstream_for(route), route)
            if all(u in found for u in upstreams):
                return {u: found[u] for u in upstreams}
        raise AssertionError(f"no routing key reached each of {upstreams} in {tries} tries: {found}")


@contextmanager
def running_nginx(upstreams: list[str], folder: Path) -> Iterator[Nginx]:
    """nginx on a free loopback port in front of `upstreams`, answering on entry, stopped on exit."""
    folder.mkdir(parents=True, exist_ok=True)
    for sub in ("logs", "temp"):
        (folder / sub).mkdir(exist_ok=True)
    port = free_port()
    site = folder / "console.conf"
    site.write_text(site_config(upstreams, port, folder / "logs"), encoding="utf-8")
    conf = folder / "nginx.conf"
    conf.write_text(main_config(folder, site), encoding="utf-8")
    cmd = [nginx_binary(), "-p", str(folder), "-c", str(conf), "-e", str(folder / "logs" / "error.log")]
    subprocess.run([*cmd, "-t"], check=True, capture_output=True)  # a config error says so here
    with (folder / "nginx.out").open("w", encoding="utf-8") as out:
        process = launch(cmd, os.environ.copy(), out)
        proxy = Nginx(url=f"http://127.0.0.1:{port}", process=process, folder=folder)
        try:
            wait_for(
                lambda: healthy(proxy.url + "/healthz"), "nginx answer", process, proxy.log_tail, STARTUP_TIMEOUT_S
            )
            yield proxy
        finally:
            stop_group(process)
