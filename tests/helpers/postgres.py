"""A throwaway PostgreSQL server for the tests, from Debian's `postgresql` package.

`initdb` refuses to run as root, so when the tests run as root the cluster is made and served by
the `postgres` user (`runuser -u postgres --`) in a temporary folder it owns. The server listens on
a free loopback port and on a unix socket in that folder; `stop()` ends it and removes the folder.

    server = PostgresServer.start()
    url = server.create_database("store_test")   # postgresql://postgres@127.0.0.1:PORT/store_test
    ...
    server.stop()
"""

from __future__ import annotations

import glob
import os
import shutil
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from tests.helpers.processes import free_port

STARTUP_TIMEOUT = 30.0


def pg_bin_dir() -> Path:
    """The newest installed PostgreSQL's bin folder (Debian keeps them under /usr/lib/postgresql/N/bin)."""
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=lambda p: int(Path(p).parent.parent.name))
    if not found:
        raise RuntimeError("PostgreSQL is not installed: `make test` installs Debian's postgresql package")
    return Path(found[-1]).parent


def _as_server_user(argv: list[str]) -> list[str]:
    return ["runuser", "-u", "postgres", "--", *argv] if os.geteuid() == 0 else argv


@dataclass
class PostgresServer:
    folder: Path
    port: int
    bin_dir: Path

    @classmethod
    def start(cls) -> PostgresServer:
        bin_dir = pg_bin_dir()
        folder = Path(tempfile.mkdtemp(prefix="console-pg-"))
        data = folder / "data"
        if os.geteuid() == 0:
            shutil.chown(folder, "postgres", "postgres")
        subprocess.run(
            _as_server_user(
                [str(bin_dir / "initdb"), "-D", str(data), "-U", "postgres", "-A", "trust", "-E", "UTF8", "--locale=C"]
            ),
            check=True,
            capture_output=True,
        )
        server = cls(folder=folder, port=free_port(), bin_dir=bin_dir)
        options = f"-c listen_addresses=127.0.0.1 -p {server.port} -k {folder} -c max_connections=200 -c fsync=off"
        subprocess.run(
            _as_server_user(
                [
                    str(bin_dir / "pg_ctl"),
                    "-D",
                    str(data),
                    "-l",
                    str(folder / "server.log"),
                    "-o",
                    options,
                    "-w",
                    "start",
                ]
            ),
            check=True,
            capture_output=True,
            timeout=STARTUP_TIMEOUT,
        )
        return server

    @property
    def admin_url(self) -> str:
        return self.url("postgres")

    def url(self, database: str) -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/{database}"

    def psql(self, sql: str, database: str = "postgres") -> str:
        result = subprocess.run(
            [
                str(self.bin_dir / "psql"),
                "-X",
                "-q",
                "-At",
                "-v",
                "ON_ERROR_STOP=1",
                "-d",
                self.url(database),
                "-c",
                sql,
            ],
            check=True,
            capture_output=True,
            text=True,
        )
        return result.stdout

    def execute(self, sql: str, database: str = "postgres") -> None:
        """One statement outside a transaction (CREATE / DROP DATABASE), without a psql process."""
        import psycopg

        with psycopg.connect(self.url(database), autocommit=True) as connection:
            connection.execute(sql)

    def create_database(self, name: str, template: str | None = None) -> str:
        """A fresh database (dropped first if it exists), empty or a copy of `template`; its URL."""
        self.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        self.execute(f'CREATE DATABASE "{name}"' + (f' TEMPLATE "{template}"' if template else ""))
        return self.url(name)

    def pause(self) -> None:
        """Stop the server but keep its data: `resume()` brings the same databases back (outage tests)."""
        self._ctl("stop", "-m", "fast")

    def resume(self) -> None:
        options = f"-c listen_addresses=127.0.0.1 -p {self.port} -k {self.folder} -c max_connections=200 -c fsync=off"
        self._ctl("start", "-l", str(self.folder / "server.log"), "-o", options, "-w")

    def stop(self) -> None:
        try:
            self._ctl("stop", "-m", "immediate")
        finally:
            shutil.rmtree(self.folder, ignore_errors=True)

    def _ctl(self, *args: str) -> None:
        subprocess.run(
            _as_server_user([str(self.bin_dir / "pg_ctl"), "-D", str(self.folder / "data"), *args]),
            check=True,
            capture_output=True,
            timeout=STARTUP_TIMEOUT,
        )

    def wait_ready(self, timeout: float = STARTUP_TIMEOUT) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            ready = subprocess.run(
                [str(self.bin_dir / "pg_isready"), "-h", "127.0.0.1", "-p", str(self.port)], capture_output=True
            )
            if ready.returncode == 0:
                return
            time.sleep(0.1)
        raise TimeoutError("PostgreSQL did not become ready")
