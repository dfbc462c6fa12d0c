"""Password hashing: scrypt with a random salt, in a self-describing string.

    scrypt$n=2**15,r=8,p=1$<salt base64>$<hash base64>

The cost parameters travel in the string, so they can be raised later without breaking stored
hashes. Bounds on the parsed parameters keep a tampered users file from turning a sign-in into a
memory or CPU bomb. Measured on the 2-core dev machine: about 70 ms per hash.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import os
import re
from dataclasses import dataclass
from functools import cache

SCHEME = "scrypt"
N, R, P = 2**15, 8, 1
SALT_BYTES = 16
KEY_BYTES = 32
MIN_PASSWORD_LENGTH = 10
MAX_PASSWORD_LENGTH = 1024  # scrypt's first PBKDF2 pass is linear in the input: cap it

_MAX_N, _MAX_R, _MAX_P = 2**20, 32, 16
_PARAMS = re.compile(r"n=(?:2\*\*(\d{1,2})|(\d{1,8})),r=(\d{1,2}),p=(\d{1,2})")


class PasswordPolicyError(ValueError):
    """A new password that is not acceptable; the message says why (never the password)."""


class HashFormatError(ValueError):
    """A stored hash string that is not ours or is damaged."""


@dataclass(frozen=True)
class ScryptHash:
    n: int
    r: int
    p: int
    salt: bytes
    key: bytes

    def __repr__(self) -> str:
        return f"ScryptHash(n={self.n}, r={self.r}, p={self.p}, salt=..., key=...)"


def check_new_password(password: str) -> None:
    """Raise PasswordPolicyError for a password too weak (or too long) to create an account with."""
    if not isinstance(password, str) or not password.strip():
        raise PasswordPolicyError("The password is empty.")
    if len(password) < MIN_PASSWORD_LENGTH:
        raise PasswordPolicyError(f"The password must be at least {MIN_PASSWORD_LENGTH} characters.")
    if len(password) > MAX_PASSWORD_LENGTH:
        raise PasswordPolicyError(f"The password must be at most {MAX_PASSWORD_LENGTH} characters.")


def _maxmem(n: int, r: int, p: int) -> int:
    # scrypt needs 128*r*n bytes for V plus 128*r*p for B; double it for OpenSSL's bookkeeping.
    return 2 * 128 * r * (n + p + 2)


def _derive(password: str, salt: bytes, n: int, r: int, p: int, dklen: int) -> bytes:
    return hashlib.scrypt(password.encode("utf-8"), salt=salt, n=n, r=r, p=p, maxmem=_maxmem(n, r, p), dklen=dklen)


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def hash_password(password: str, *, salt: bytes | None = None) -> str:
    """A new salted scrypt hash string for `password` (which must pass `check_new_password`).

    `salt` defaults to fresh random bytes; pass one only for passwords that are public anyway
    (the sandbox demo accounts), where the same hash in every process is what matters."""
    check_new_password(password)
    salt = os.urandom(SALT_BYTES) if salt is None else salt
    key = _derive(password, salt, N, R, P, KEY_BYTES)
    return f"{SCHEME}$n=2**{N.bit_length() - 1},r={R},p={P}${_b64(salt)}${_b64(key)}"


def parse_hash(stored: str) -> ScryptHash:
    """Parse and bound-check a hash string; HashFormatError says what is wrong (not the value)."""
    parts = stored.split("$") if isinstance(stored, str) else []
    if len(parts) != 4 or parts[0] != SCHEME:
        raise HashFormatError("not a scrypt$<params>$<salt>$<hash> string")
    match = _PARAMS.fullmatch(parts[1])
    if match is None:
        raise HashFormatError("parameters must look like n=2**15,r=8,p=1")
    exponent, plain_n, r, p = match.groups()
    n = 2 ** int(exponent) if exponent is not None else int(plain_n)
    r, p = int(r), int(p)
    if n < 2 or n & (n - 1) or n > _MAX_N or not 1 <= r <= _MAX_R or not 1 <= p <= _MAX_P:
        raise HashFormatError("scrypt parameters out of range")
    try:
        salt = base64.b64decode(parts[2], validate=True)
        key = base64.b64decode(parts[3], validate=True)
    except (binascii.Error, ValueError):
        raise HashFormatError("salt or hash is not valid base64") from None
    if len(salt) < 8 or not 16 <= len(key) <= 64:
        raise HashFormatError("salt or hash has the wrong length")
    return ScryptHash(n, r, p, salt, key)


def verify_password(password: str, stored: str) -> bool:
    """True when `password` matches the hash string; False for a wrong password or a bad string."""
    try:
        parsed = parse_hash(stored)
    except HashFormatError:
        return False
    if not isinstance(password, str) or len(password) > MAX_PASSWORD_LENGTH:
        return False
    candidate = _derive(password, parsed.salt, parsed.n, parsed.r, parsed.p, len(parsed.key))
    return hmac.compare_digest(candidate, parsed.key)


@cache
def dummy_hash() -> str:
    """A hash nobody knows the password of: unknown user names are checked against it so that
    they take as long as known ones."""
    return hash_password(base64.b64encode(os.urandom(24)).decode())
