"""Two-factor sign-in records: each user's TOTP factor and one-time recovery codes (tables
`two_factor`, `two_factor_recovery`).

The policy (codes, windows, throttling, encryption) lives in `dashboard.auth.totp_factor`. The store
holds the TOTP secret only encrypted and recovery codes only hashed. The checks that must hold
across processes -- a time step or a recovery code used at most once, an enrolment confirmed
once -- are single conditional UPDATEs, so two attempts racing each other cannot both succeed.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from dashboard.store.codec import time_value
from dashboard.store.engine import Engine
from dashboard.store.rows import TwoFactorRow, from_record


class TwoFactorRepository:
    """`store.two_factor`: TOTP factors and recovery codes, by user name."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def factor(self, user: str) -> TwoFactorRow | None:
        row = self._engine.read_one("SELECT * FROM two_factor WHERE user_name = ?", (user,))
        return None if row is None else from_record(TwoFactorRow, row)

    def start(self, user: str, secret_box: str, *, at: datetime) -> bool:
        """Keep a new, unconfirmed secret for `user`, replacing an unconfirmed one; False (nothing
        changed) when `user` already has a confirmed factor."""
        with self._engine.write() as cur:
            cur.execute(
                """INSERT INTO two_factor (user_name, secret_box, created_at) VALUES (?, ?, ?)
                   ON CONFLICT (user_name) DO UPDATE SET
                     secret_box = excluded.secret_box, created_at = excluded.created_at, last_step = NULL
                   WHERE two_factor.confirmed_at IS NULL""",
                (user, secret_box, time_value(at)),
            )
            return cur.rowcount == 1

    def confirm(self, user: str, *, step: int, at: datetime, recovery_hashes: Sequence[str]) -> bool:
        """Confirm `user`'s waiting enrolment with the time step of its first code, and give it these
        recovery codes (any older ones go), in one transaction; False if nothing was waiting."""
        with self._engine.write() as cur:
            cur.execute(
                "UPDATE two_factor SET confirmed_at = ?, last_step = ? WHERE user_name = ? AND confirmed_at IS NULL",
                (time_value(at), step, user),
            )
            if cur.rowcount != 1:
                return False
            self._put_recovery(cur, user, recovery_hashes, at)
            return True

    def use_step(self, user: str, step: int) -> bool:
        """Accept time step `step` for `user`'s confirmed factor if no code of it or a later step was
        accepted before (a code is never accepted twice, also not by another process)."""
        with self._engine.write() as cur:
            cur.execute(
                """UPDATE two_factor SET last_step = ?
                   WHERE user_name = ? AND confirmed_at IS NOT NULL AND (last_step IS NULL OR last_step < ?)""",
                (step, user, step),
            )
            return cur.rowcount == 1

    def use_recovery(self, user: str, code_hash: str, *, at: datetime) -> bool:
        """Use one recovery code: True the first time, False if unknown or already used."""
        with self._engine.write() as cur:
            cur.execute(
                """UPDATE two_factor_recovery SET used_at = ?
                   WHERE user_name = ? AND code_hash = ? AND used_at IS NULL""",
                (time_value(at), user, code_hash),
            )
            return cur.rowcount == 1

    def replace_recovery(self, user: str, hashes: Sequence[str], *, at: datetime) -> None:
        """New recovery codes for `user`; every older one, used or not, stops working."""
        with self._engine.write() as cur:
            self._put_recovery(cur, user, hashes, at)

    def recovery_left(self, user: str) -> int:
        row = self._engine.read_one(
            "SELECT COUNT(*) AS n FROM two_factor_recovery WHERE user_name = ? AND used_at IS NULL", (user,)
        )
        return int(row["n"]) if row else 0

    def delete(self, user: str) -> bool:
        """Forget `user`'s factor and recovery codes; True if there was a factor."""
        with self._engine.write() as cur:
            cur.execute("DELETE FROM two_factor_recovery WHERE user_name = ?", (user,))
            cur.execute("DELETE FROM two_factor WHERE user_name = ?", (user,))
            return cur.rowcount == 1

    @staticmethod
    def _put_recovery(cur, user: str, hashes: Sequence[str], at: datetime) -> None:
        cur.execute("DELETE FROM two_factor_recovery WHERE user_name = ?", (user,))
        for code_hash in hashes:
            cur.execute(
                "INSERT INTO two_factor_recovery (user_name, code_hash, created_at) VALUES (?, ?, ?)",
                (user, code_hash, time_value(at)),
            )
