"""Run a sandbox on loopback in a daemon thread: for tests, benchmarks and the console's built-in backend."""

from __future__ import annotations

import socket
import threading
import time
from dataclasses import dataclass

import uvicorn
from starlette.applications import Starlette

from dashboard.sandbox.config import SandboxConfig
from dashboard.sandbox.faults import API_PREFIX
from dashboard.sandbox.server import create_app
from dashboard.sandbox.state import SandboxState


@dataclass
class RunningSandbox:
    """A sandbox serving on `root_url`; `stop()` (or leaving a `with` block) shuts it down."""

    app: Starlette
    server: uvicorn.Server
    thread: threading.Thread
    host: str
    port: int

    @property
    def state(self) -> SandboxState:
        return self.app.state.sandbox

    @property
    def config(self) -> SandboxConfig:
        return self.state.config

    @property
    def root_url(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}"

    @property
    def base_url(self) -> str:
        return self.root_url + API_PREFIX

    def stop(self, timeout: float = 5.0) -> None:
        # Release hanging requests first, else uvicorn's graceful shutdown waits for them.
        self.state.stopping.set()
        self.server.should_exit = True
        self.thread.join(timeout)

    def __enter__(self) -> RunningSandbox:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


def server_config(app: Starlette, **kwargs) -> uvicorn.Config:
    """uvicorn settings shared by the thread runner and the CLI."""
    return uvicorn.Config(
        app, log_level="warning", access_log=False, lifespan="on", timeout_graceful_shutdown=1, **kwargs
    )


def bind_socket(host: str, port: int) -> socket.socket:
    """A listening-ready TCP socket; binding ourselves lets port 0 resolve to a known port before uvicorn starts.

    proto=IPPROTO_TCP matters: asyncio sets TCP_NODELAY on accepted connections only when the
    socket says it is TCP, and without it keep-alive answers stall ~40 ms on delayed ACKs.
    """
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, port))
    return sock


def run_in_thread(
    config: SandboxConfig | None = None, host: str = "127.0.0.1", port: int = 0, startup_timeout: float = 30.0
) -> RunningSandbox:
    """Start uvicorn in a daemon thread; returns once it accepts connections. port=0 picks a free port."""
    app = create_app(config)
    sock = bind_socket(host, port)
    server = uvicorn.Server(server_config(app))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, name="sandbox-server", daemon=True)
    thread.start()
    deadline = time.monotonic() + startup_timeout
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            sock.close()
            raise RuntimeError("sandbox server did not start")
        time.sleep(0.01)
    return RunningSandbox(app=app, server=server, thread=thread, host=host, port=sock.getsockname()[1])
