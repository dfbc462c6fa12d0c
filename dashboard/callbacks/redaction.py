"""Keeping the callback token (the URL's only secret) out of access logs."""

from __future__ import annotations

import logging
import re

# -- access-log redaction -----------------------------------------------------------------------

_TOKEN_IN_PATH = re.compile(r"(/callbacks/)[^/?\s]+")


class _RedactCallbackToken(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.args, tuple):
            record.args = tuple(_TOKEN_IN_PATH.sub(r"\1***", a) if isinstance(a, str) else a for a in record.args)
        if isinstance(record.msg, str):
            record.msg = _TOKEN_IN_PATH.sub(r"\1***", record.msg)
        return True


def redact_access_log(logger_name: str = "uvicorn.access") -> None:
    """Replace the token in logged callback paths by ***. Idempotent."""
    logger = logging.getLogger(logger_name)
    if not any(isinstance(f, _RedactCallbackToken) for f in logger.filters):
        logger.addFilter(_RedactCallbackToken())
