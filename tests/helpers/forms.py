"""Checks shared by the form pages' tests (Send money, Card payment)."""

from __future__ import annotations


def assert_inputs_carry_their_limits(at, prefix: str, limited_by: dict[str, str]) -> None:
    """Each text input keyed `prefix + name` carries max_chars = MAX_CHARS[limited_by[name]] and says it."""
    from dashboard.validation import MAX_CHARS

    inputs = {t.key.removeprefix(prefix): t for t in at.text_input if t.key.startswith(prefix)}
    assert {name: t.max_chars for name, t in inputs.items()} == {
        name: MAX_CHARS[kind] for name, kind in limited_by.items()
    }
    for t in inputs.values():
        assert f"At most {t.max_chars} characters." in t.help
