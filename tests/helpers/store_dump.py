"""Everything a store holds, as text, on either engine: for tests asserting what is never stored."""

from __future__ import annotations

import sqlite3

from dashboard.store import Store


def dump(store: Store) -> str:
    """Every row of every table of the store (SQLite: the file's SQL dump)."""
    if store.engine.name == "sqlite":
        with sqlite3.connect(store.path) as conn:
            return "\n".join(conn.iterdump())
    tables = store.engine.read(
        "SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema() ORDER BY 1"
    )
    assert tables, "no tables found: the dump would prove nothing"
    lines = []
    for table in tables:
        name = table["table_name"]
        lines += [f"{name}: {row!r}" for row in store.engine.read(f'SELECT * FROM "{name}"')]
    return "\n".join(lines)
