"""Translation seam: every user-visible string goes through `translate` (pages use `ui.t`).

English text is the key; `CATALOG["tr"]` maps it to Turkish. A string missing from the Turkish
catalog falls back to English, and the completeness test lists it.
"""

from __future__ import annotations

LANGUAGES = {"en": "English", "tr": "Türkçe"}

CATALOG: dict[str, dict[str, str]] = {"tr": {}}


def translate(text: str, lang: str = "en", /, **values: object) -> str:
    """`text` in `lang`, with `{name}` placeholders filled from `values`."""
    template = CATALOG.get(lang, {}).get(text, text) if lang != "en" else text
    return template.format(**values) if values else template
