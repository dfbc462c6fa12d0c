"""The pieces of two-factor sign-in that need no database: TOTP codes (RFC 6238, through `pyotp`),
one-time recovery codes, the QR code of an enrolment, and the box the TOTP secrets are kept in.

- TOTP: 6 digits, 30-second steps, SHA-1 (what every authenticator app reads from an otpauth://
  URI). A code is accepted for the step before, the current and the one after (clock drift); which
  step matched is returned so the caller can refuse that step, and every earlier one, afterwards.
- Recovery codes: 16 symbols of a 32-letter alphabet (80 random bits), shown as XXXX-XXXX-XXXX-XXXX.
  Stored as SHA-256 of the user name and the code: with 80 bits a fast hash cannot be searched, so
  they need no scrypt (which would cost ~70 ms per stored code at every attempt).
- The secret box: AES-256-GCM (`cryptography`) under a key from ENIGMAPAY_TWO_FACTOR_KEY, or a
  random key kept in `<data dir>/two_factor_key` (mode 0600), never in the database: a dump of the
  database alone does not reveal any secret. The user name is the associated data, so a secret
  copied to another user's row does not open. Losing the key loses every enrolment (an admin then
  resets each user's second factor: `python -m dashboard.auth reset-two-factor NAME`).
- QR codes are drawn by `segno` (pure Python, no imaging library needed, writes PNG itself).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import io
import logging
import os
import secrets
from datetime import datetime
from pathlib import Path

import pyotp
import segno
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from dashboard.auth.users import AuthConfigError
from dashboard.config import Settings

log = logging.getLogger(__name__)

ISSUER = "EnigmaPay console"
DIGITS = 6
INTERVAL = 30  # seconds per time step
DRIFT_STEPS = 1  # steps accepted either side of now
RECOVERY_CODES = 10
RECOVERY_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: easy to copy from paper
RECOVERY_LENGTH = 16
KEY_FILENAME = "two_factor_key"
MIN_KEY_LENGTH = 32
_BOX_VERSION = "v1"
_NONCE_BYTES = 12


# --- TOTP ----------------------------------------------------------------------------------------


def new_secret() -> str:
    """A fresh random TOTP secret: 32 base32 characters (160 bits, RFC 4226's recommendation)."""
    return pyotp.random_base32(length=32)


def provisioning_uri(secret: str, user: str) -> str:
    """The otpauth:// URI an authenticator app reads from the QR code."""
    return pyotp.TOTP(secret, digits=DIGITS, interval=INTERVAL).provisioning_uri(name=user, issuer_name=ISSUER)


def grouped(secret: str) -> str:
    """The secret as a person types it: groups of four ("ABCD EFGH ...")."""
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


def time_step(at: datetime) -> int:
    if at.tzinfo is None:
        raise ValueError("naive datetime: TOTP steps are counted from an aware time")
    return int(at.timestamp()) // INTERVAL


def code_at(secret: str, step: int) -> str:
    return pyotp.TOTP(secret, digits=DIGITS, interval=INTERVAL).generate_otp(step)


def clean_code(typed: object) -> str:
    """What a person typed, without spaces and dashes, upper-case (codes are read aloud or copied)."""
    return "".join(ch for ch in str(typed) if ch not in " -\t\u00a0").upper()[:64]


def is_totp_code(code: str) -> bool:
    return len(code) == DIGITS and code.isascii() and code.isdigit()


def matching_step(secret: str, code: str, at: datetime) -> int | None:
    """The time step whose code `code` is (the latest, within the drift), or None.

    Every candidate is compared, in constant time, whether or not an earlier one matched."""
    if not is_totp_code(code):
        return None
    now = time_step(at)
    found = None
    for step in range(now - DRIFT_STEPS, now + DRIFT_STEPS + 1):
        if hmac.compare_digest(code_at(secret, step), code):
            found = step
    return found


# --- recovery codes ------------------------------------------------------------------------------


def new_recovery_codes(count: int = RECOVERY_CODES) -> list[str]:
    """`count` fresh recovery codes as shown to a person (XXXX-XXXX-XXXX-XXXX)."""
    codes = []
    for _ in range(count):
        raw = "".join(secrets.choice(RECOVERY_ALPHABET) for _ in range(RECOVERY_LENGTH))
        codes.append("-".join(raw[i : i + 4] for i in range(0, RECOVERY_LENGTH, 4)))
    return codes


def is_recovery_code(code: str) -> bool:
    return len(code) == RECOVERY_LENGTH and all(ch in RECOVERY_ALPHABET for ch in code)


def recovery_hash(user: str, code: str) -> str:
    """What the store keeps of a recovery code (`code` cleaned: `clean_code`)."""
    return hashlib.sha256(f"enigmapay-recovery\x00{user}\x00{clean_code(code)}".encode()).hexdigest()


# --- QR code -------------------------------------------------------------------------------------


def qr_png(uri: str, *, scale: int = 6) -> bytes:
    """A PNG of the QR code of `uri` (error correction M, a quiet zone of 4 modules)."""
    buffer = io.BytesIO()
    segno.make_qr(uri, error="m").save(buffer, kind="png", scale=scale, border=4)
    return buffer.getvalue()


# --- the secret box ------------------------------------------------------------------------------


class SecretBoxError(Exception):
    """A stored secret that this key does not open (another key, or a damaged value)."""


class SecretBox:
    """Encrypts TOTP secrets for the store (AES-256-GCM, the user name as associated data)."""

    def __init__(self, key_material: bytes) -> None:
        if len(key_material) < MIN_KEY_LENGTH:
            raise ValueError(f"the two-factor key must be at least {MIN_KEY_LENGTH} bytes")
        self._aead = AESGCM(hashlib.sha256(b"enigmapay-two-factor-key\x00" + key_material).digest())

    def __repr__(self) -> str:
        return "SecretBox(key=***)"

    def seal(self, user: str, secret: str) -> str:
        nonce = os.urandom(_NONCE_BYTES)
        sealed = self._aead.encrypt(nonce, secret.encode("ascii"), f"two-factor:{user}".encode())
        return f"{_BOX_VERSION}.{base64.urlsafe_b64encode(nonce + sealed).decode('ascii')}"

    def open(self, user: str, box: str) -> str:
        version, _, body = box.partition(".")
        try:
            if version != _BOX_VERSION:
                raise ValueError("unknown version")
            raw = base64.urlsafe_b64decode(body.encode("ascii"))
            plain = self._aead.decrypt(raw[:_NONCE_BYTES], raw[_NONCE_BYTES:], f"two-factor:{user}".encode())
        except (InvalidTag, ValueError, binascii.Error):
            raise SecretBoxError(f"the two-factor secret of {user!r} does not open with this key") from None
        return plain.decode("ascii")


def load_two_factor_key(settings: Settings) -> bytes:
    """ENIGMAPAY_TWO_FACTOR_KEY, or a random key kept in `<data dir>/two_factor_key` (mode 0600),
    created on first use. Kept beside the database file, not in it."""
    if settings.two_factor_key is not None:
        return settings.two_factor_key.reveal().encode("utf-8")
    path = Path(settings.data_dir) / KEY_FILENAME
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        if path.stat().st_mode & 0o077:
            log.warning("%s was readable by others; restricting it to its owner", path)
            os.chmod(path, 0o600)
        key = path.read_text(encoding="ascii").strip()
        if len(key) < MIN_KEY_LENGTH:
            raise AuthConfigError(
                f"{path} is damaged (too short). Restore it from a backup; a new key makes every "
                "enrolled second factor unusable (reset each with `python -m dashboard.auth reset-two-factor`)."
            ) from None
        return key.encode("ascii")
    key = secrets.token_urlsafe(48)
    with os.fdopen(fd, "w", encoding="ascii") as handle:
        handle.write(key + "\n")
        handle.flush()
        os.fsync(handle.fileno())
    return key.encode("ascii")
