"""A random key kept in a file of the data folder (mode 0600), made on first use: the session-cookie
key and the two-factor key when no setting gives one. One writer wins (O_EXCL); the file is fsynced
before use, so a crash never leaves a key that was used but not kept."""

from __future__ import annotations

import logging
import os
import secrets
from pathlib import Path

from dashboard.auth.users import AuthConfigError

log = logging.getLogger(__name__)

MIN_KEY_LENGTH = 32


def load_or_create_key(path: Path, *, damaged: str) -> bytes:
    """The key in `path`, created if missing. `damaged`: what to do when the file holds too short a
    key (the AuthConfigError's message, after the path)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        if path.stat().st_mode & 0o077:
            log.warning("%s was readable by others; restricting it to its owner", path)
            os.chmod(path, 0o600)
        key = path.read_text(encoding="ascii").strip()
        if len(key) < MIN_KEY_LENGTH:
            raise AuthConfigError(f"{path} is damaged (too short). {damaged}") from None
        return key.encode("ascii")
    key = secrets.token_urlsafe(48)
    with os.fdopen(fd, "w", encoding="ascii") as handle:
        handle.write(key + "\n")
        handle.flush()
        os.fsync(handle.fileno())
    return key.encode("ascii")
