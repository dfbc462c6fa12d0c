"""The envelope around every answer: `success`, `message`, `errors` and `data`.

Accepts Laravel's shapes: `success: true|false` with `data`, a bare paginator (`data` without
`success`), and `errors: {field: [messages]}` on a 422.
"""

from __future__ import annotations

from typing import Any

from ._fields import read_text, require_dict
from .errors import MalformedResponseError

_MISSING = object()


def envelope_ok(body: object) -> bool:
    """True for `success: true`, False for `success: false`; a body that is no envelope is malformed.

    A body without `success` but with `data` (a bare Laravel paginator) is accepted as a success.
    """
    body = require_dict(body, "the response body")
    success = body.get("success", _MISSING)
    if success is _MISSING:
        if "data" in body:
            return True
        raise MalformedResponseError("response body has neither 'success' nor 'data'")
    if success in (True, 1, "true", "1"):
        return True
    if success in (False, 0, "false", "0", None):
        return False
    raise MalformedResponseError(f"response 'success' is {success!r}, expected true or false")


def error_message(body: object) -> str | None:
    """The provider's own `message` (or `error`) text in an error body, if any."""
    if not isinstance(body, dict):
        return None
    for key in ("message", "error"):
        value = body.get(key)
        if isinstance(value, str) and value.strip():
            return value.strip()
    return None


def field_errors(body: object) -> dict[str, list[str]]:
    """Laravel's `errors: {field: [msg, ...]}` (a bare string per field is accepted too)."""
    errors = body.get("errors") if isinstance(body, dict) else None
    if not isinstance(errors, dict):
        return {}
    result: dict[str, list[str]] = {}
    for name, messages in errors.items():
        if isinstance(messages, (list, tuple)):
            result[str(name)] = [read_text(m) for m in messages if read_text(m)]
        elif read_text(messages):
            result[str(name)] = [read_text(messages)]
    return result


def body_data(body: dict[str, Any]) -> object:
    return body.get("data")


def body_data_dict(body: dict[str, Any], what: str) -> dict[str, Any]:
    data = body_data(body)
    return {} if data is None else require_dict(data, what)


def body_message(body: dict[str, Any], data: dict[str, Any]) -> str:
    return read_text(body.get("message")) or read_text(data.get("message"))
