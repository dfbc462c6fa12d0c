import base64
import time

import pytest

from dashboard.auth.passwords import (
    HashFormatError,
    PasswordPolicyError,
    dummy_hash,
    hash_password,
    parse_hash,
    verify_password,
)


@pytest.fixture(scope="module")
def stored() -> str:
    return hash_password("correct horse battery")


def test_round_trip_and_wrong_password(stored):
    assert stored.startswith("scrypt$n=2**15,r=8,p=1$")
    assert verify_password("correct horse battery", stored)
    assert not verify_password("correct horse batterY", stored)
    assert not verify_password("", stored)


def test_same_password_gets_a_new_salt_each_time(stored):
    again = hash_password("correct horse battery")
    assert again != stored
    assert parse_hash(again).salt != parse_hash(stored).salt
    assert verify_password("correct horse battery", again)


def test_parameters_are_read_from_the_string():
    import hashlib

    salt = b"0123456789abcdef"
    key = hashlib.scrypt(b"lower-cost-password", salt=salt, n=2**14, r=4, p=2, dklen=32, maxmem=64 * 2**20)
    stored = f"scrypt$n=16384,r=4,p=2${base64.b64encode(salt).decode()}${base64.b64encode(key).decode()}"
    parsed = parse_hash(stored)
    assert (parsed.n, parsed.r, parsed.p) == (2**14, 4, 2)
    assert verify_password("lower-cost-password", stored)
    # The same string with the defaults' parameters no longer matches: they really are used.
    assert not verify_password("lower-cost-password", stored.replace("n=16384,r=4,p=2", "n=2**15,r=8,p=1"))


def test_tampered_strings_are_refused(stored):
    scheme, params, salt, key = stored.split("$")
    flipped_key = base64.b64encode(bytes([base64.b64decode(key)[0] ^ 1]) + base64.b64decode(key)[1:]).decode()
    flipped_salt = base64.b64encode(bytes([base64.b64decode(salt)[0] ^ 1]) + base64.b64decode(salt)[1:]).decode()
    for bad in (
        f"{scheme}${params}${salt}${flipped_key}",
        f"{scheme}${params}${flipped_salt}${key}",
        f"bcrypt${params}${salt}${key}",
        f"{scheme}$n=2**15,r=8${salt}${key}",
        f"{scheme}$n=2**30,r=8,p=1${salt}${key}",  # a memory bomb is not even attempted
        f"{scheme}$n=1000,r=8,p=1${salt}${key}",  # not a power of two
        f"{scheme}${params}$!!!${key}",
        f"{scheme}${params}${salt}",
        "",
    ):
        assert not verify_password("correct horse battery", bad), bad
    with pytest.raises(HashFormatError):
        parse_hash(f"{scheme}$n=2**30,r=8,p=1${salt}${key}")


@pytest.mark.parametrize("weak", ["", "          ", "short", "123456789"])
def test_weak_new_passwords_are_refused(weak):
    with pytest.raises(PasswordPolicyError) as caught:
        hash_password(weak)
    if weak.strip():
        assert weak not in str(caught.value)


def test_ten_characters_is_enough():
    assert verify_password("0123456789", hash_password("0123456789"))


def test_repr_of_parsed_hash_shows_no_material(stored):
    parsed = parse_hash(stored)
    assert stored.split("$")[2] not in repr(parsed) and stored.split("$")[3] not in repr(parsed)


def test_hash_cost_is_in_the_intended_band():
    start = time.perf_counter()
    hash_password("timing-the-hash")
    elapsed = time.perf_counter() - start
    assert 0.005 < elapsed < 2.0  # ~70 ms on the dev machine; the band catches a broken cost only


def test_dummy_hash_is_well_formed_and_cached():
    assert parse_hash(dummy_hash()).n == 2**15
    assert dummy_hash() is dummy_hash()
