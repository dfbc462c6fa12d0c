"""Sign-in records and per-user preferences: sessions, one-time tickets, failed-attempt counters,
each user's language (tables `auth_sessions`, `auth_tickets`, `auth_throttle`, `user_preferences`).

The policy (lifetimes, lockouts) lives in `dashboard.auth`. Session and ticket ids are SHA-256 hex
digests of tokens; the tokens are never stored.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import asdict
from datetime import datetime, timedelta

from dashboard.store.codec import decode, encode, insert_into, placeholders, time_value
from dashboard.store.engine import Engine
from dashboard.store.rows import SessionRow, ThrottleRow, from_record


class AccountRepository:
    """`store.accounts`: sign-in sessions, tickets, throttle counters, each user's language."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    # -- sessions and tickets ----------------------------------------------------------------

    def create_session(self, session: SessionRow) -> None:
        values = encode(asdict(session))
        with self._engine.write() as cur:
            cur.execute(insert_into("auth_sessions", list(values)), tuple(values.values()))

    def session(self, session_id: str) -> SessionRow | None:
        row = self._engine.read_one("SELECT * FROM auth_sessions WHERE id = ?", (session_id,))
        return None if row is None else from_record(SessionRow, row)

    def sessions(self, user: str | None = None) -> list[SessionRow]:
        """Every stored session (of `user`), the most recently used first; expired ones may be among them."""
        where, params = ('WHERE "user" = ?', (user,)) if user is not None else ("", ())
        rows = self._engine.read(f"SELECT * FROM auth_sessions {where} ORDER BY last_seen_at DESC", params)
        return [from_record(SessionRow, r) for r in rows]

    def set_session_role(self, session_id: str, role: str) -> bool:
        with self._engine.write() as cur:
            cur.execute("UPDATE auth_sessions SET role = ? WHERE id = ?", (role, session_id))
            return cur.rowcount == 1

    def touch_session(self, session_id: str, at: datetime) -> bool:
        with self._engine.write() as cur:
            cur.execute("UPDATE auth_sessions SET last_seen_at = ? WHERE id = ?", (time_value(at), session_id))
            return cur.rowcount == 1

    def delete_session(self, session_id: str) -> bool:
        with self._engine.write() as cur:
            cur.execute("DELETE FROM auth_tickets WHERE session_id = ?", (session_id,))
            cur.execute("DELETE FROM auth_sessions WHERE id = ?", (session_id,))
            return cur.rowcount == 1

    def delete_sessions_of(self, user: str) -> int:
        with self._engine.write() as cur:
            cur.execute(
                'DELETE FROM auth_tickets WHERE session_id IN (SELECT id FROM auth_sessions WHERE "user" = ?)', (user,)
            )
            cur.execute('DELETE FROM auth_sessions WHERE "user" = ?', (user,))
            return cur.rowcount

    def purge(self, *, seen_before: datetime, created_before: datetime, now: datetime) -> int:
        """Drop sessions idle since `seen_before`, created before `created_before` or past their
        identity's expiry (single sign-on), and stale tickets."""
        with self._engine.write() as cur:
            cur.execute(
                "DELETE FROM auth_sessions WHERE last_seen_at < ? OR created_at < ? OR identity_expires_at <= ?",
                (time_value(seen_before), time_value(created_before), time_value(now)),
            )
            removed = cur.rowcount
            cur.execute(
                "DELETE FROM auth_tickets WHERE expires_at <= ? OR session_id NOT IN (SELECT id FROM auth_sessions)",
                (time_value(now),),
            )
            return removed

    def add_ticket(self, ticket_id: str, *, session_id: str, expires_at: datetime) -> None:
        with self._engine.write() as cur:
            cur.execute(
                "INSERT INTO auth_tickets (id, session_id, expires_at) VALUES (?, ?, ?)",
                (ticket_id, session_id, time_value(expires_at)),
            )

    def consume_ticket(self, ticket_id: str, *, at: datetime, new_session_id: str) -> SessionRow | None:
        """Use a ticket once: delete it and, if it was unexpired and its session exists, re-key that
        session to `new_session_id` (the cookie's token is minted only now). Returns the session."""
        with self._engine.write() as cur:
            ticket = cur.execute(
                "DELETE FROM auth_tickets WHERE id = ? RETURNING session_id, expires_at", (ticket_id,)
            ).fetchone()
            if ticket is None or ticket["expires_at"] <= time_value(at):
                return None
            cur.execute("UPDATE auth_sessions SET id = ? WHERE id = ?", (new_session_id, ticket["session_id"]))
            if cur.rowcount != 1:
                return None
            row = cur.execute("SELECT * FROM auth_sessions WHERE id = ?", (new_session_id,)).fetchone()
        return from_record(SessionRow, decode(row))

    # -- sign-in throttling ------------------------------------------------------------------

    def locks(self, keys: Sequence[str]) -> dict[str, ThrottleRow]:
        """Throttle rows (failures, last_failure_at, locked_until_at) for the keys that have one."""
        if not keys:
            return {}
        rows = self._engine.read(f"SELECT * FROM auth_throttle WHERE key IN ({placeholders(keys)})", list(keys))
        return {r["key"]: from_record(ThrottleRow, r) for r in rows}

    def record_failure(
        self,
        keys: Sequence[str],
        *,
        at: datetime,
        reset_before: datetime,
        lockout: Callable[[str, int], timedelta | None],
    ) -> dict[str, int]:
        """Count one failed attempt against each key, in one transaction; returns failures per key.

        A key whose last failure is older than `reset_before` starts again at 1. `lockout(key,
        failures)` says how long the key is now locked (None: not locked)."""
        counts: dict[str, int] = {}
        with self._engine.write() as cur:
            for key in keys:
                failures = cur.execute(
                    """INSERT INTO auth_throttle (key, failures, last_failure_at) VALUES (?, 1, ?)
                       ON CONFLICT (key) DO UPDATE SET
                         failures = CASE WHEN auth_throttle.last_failure_at < ? THEN 1
                                         ELSE auth_throttle.failures + 1 END,
                         last_failure_at = excluded.last_failure_at
                       RETURNING failures""",
                    (key, time_value(at), time_value(reset_before)),
                ).fetchone()[0]
                counts[key] = failures
                duration = lockout(key, failures)
                cur.execute(
                    "UPDATE auth_throttle SET locked_until_at = ? WHERE key = ?",
                    (time_value(at + duration) if duration else None, key),
                )
        return counts

    def clear_failures(self, key: str) -> None:
        with self._engine.write() as cur:
            cur.execute("DELETE FROM auth_throttle WHERE key = ?", (key,))

    # -- preferences -------------------------------------------------------------------------

    def language(self, user: str) -> str | None:
        """The language `user` last chose, or None if they never chose one."""
        row = self._engine.read_one('SELECT language FROM user_preferences WHERE "user" = ?', (user,))
        return row["language"] if row else None

    def set_language(self, user: str, language: str, *, at: datetime) -> None:
        with self._engine.write() as cur:
            cur.execute(
                """INSERT INTO user_preferences ("user", language, updated_at) VALUES (?, ?, ?)
                   ON CONFLICT ("user") DO UPDATE SET language = excluded.language, updated_at = excluded.updated_at""",
                (user, language, time_value(at)),
            )
