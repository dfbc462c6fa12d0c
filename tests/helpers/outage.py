"""A database outage without a database server: every store query raises StoreUnavailable while down.

    store = StoreSwitch(monkeypatch)
    store.down()   # every Engine read / write (and opening a Store, which migrates) raises
    store.up()     # the same engines answer again, as a database that came back would

It switches the engine class, so it also covers stores opened while it is down. The real outage
(a PostgreSQL server stopped and started again) is in tests/test_outage_postgres.py.
"""

from __future__ import annotations

from contextlib import contextmanager

import pytest

from dashboard.store import StoreUnavailable
from dashboard.store.engine import Engine


class StoreSwitch:
    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.is_down = False
        self._only: str | None = None
        self.refused = 0  # queries refused while down
        read, write = Engine.read, Engine.write

        def checked_read(engine, sql, *args, **kwargs):
            self._check(sql)
            return read(engine, sql, *args, **kwargs)

        @contextmanager
        def checked_write(engine, *args, **kwargs):
            self._check()
            with write(engine, *args, **kwargs) as cur:
                yield cur

        monkeypatch.setattr(Engine, "read", checked_read)
        monkeypatch.setattr(Engine, "write", checked_write)

    def _check(self, sql: str | None = None) -> None:
        if self.is_down and (self._only is None or (sql is not None and self._only in sql)):
            self.refused += 1
            raise StoreUnavailable("the database cannot be reached (test outage)")

    def down(self, only: str | None = None) -> None:
        """From now on queries fail; `only`: just the reads whose SQL contains it (an outage that
        starts in the middle of a script run, after the sign-in check)."""
        self.is_down, self._only = True, only

    def up(self) -> None:
        self.is_down = False
