"""Turkish and English: every user-visible string goes through `translate` (pages use `ui.t`).

English text is the key and the English translation; `tr.TR` maps it to Turkish. Keys may hold
`{name}` placeholders. Domain code (validation, the client's errors, the journal) produces messages
already filled in, e.g. "A username has at most 64 characters."; such a message is matched against
the keys with placeholders, and the values it carries are put into the Turkish sentence.

A string missing from the Turkish catalog falls back to English; tests/test_i18n.py fails on it.
"""

from __future__ import annotations

import re
from functools import lru_cache

from dashboard.i18n.tr import TR

LANGUAGES = {"en": "English", "tr": "Türkçe"}
CATALOG: dict[str, dict[str, str]] = {"tr": TR}

_FIELD = re.compile(r"\{(\w+)(?:[:!][^{}]*)?\}")


def translate(text: str, lang: str = "en", /, **values: object) -> str:
    """`text` in `lang`, with `{name}` placeholders filled from `values`."""
    if lang != "en":
        catalog = CATALOG.get(lang, {})
        template = catalog.get(text)
        if template is None and not values:
            filled = _fill_pattern(lang, text)
            if filled is not None:
                return filled
        text = template or text
    return text.format(**values) if values else text


def is_translated(text: str, lang: str = "tr") -> bool:
    """Whether `text` (a key, or a message filled in from a key) has a `lang` translation."""
    return text in CATALOG.get(lang, {}) or _fill_pattern(lang, text) is not None


@lru_cache(maxsize=8)
def _patterns(lang: str) -> list[tuple[re.Pattern[str], str]]:
    """Keys with placeholders as regexes, longest first so the most specific sentence wins."""
    out = []
    for key, target in CATALOG.get(lang, {}).items():
        if not _FIELD.search(key):
            continue
        parts, last, seen = [], 0, set()
        for m in _FIELD.finditer(key):
            parts.append(re.escape(key[last : m.start()]))
            name = m.group(1)
            parts.append(f"(?P={name})" if name in seen else f"(?P<{name}>.+?)")
            seen.add(name)
            last = m.end()
        parts.append(re.escape(key[last:]))
        out.append((re.compile("^" + "".join(parts) + "$", re.S), _FIELD.sub(r"{\1}", target)))
    return sorted(out, key=lambda p: -len(p[0].pattern))


def _fill_pattern(lang: str, text: str) -> str | None:
    for pattern, target in _patterns(lang):
        m = pattern.match(text)
        if m:
            return target.format(**m.groupdict())
    return None
