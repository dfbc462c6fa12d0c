"""What a person sees of Markdown source built with `ui.literal`: its backslash escapes undone
(CommonMark shows an escaped ASCII punctuation character as the character itself)."""

import re
import string

_ESCAPED = re.compile(r"\\([" + re.escape(string.punctuation) + "])")


def shown(markdown: str) -> str:
    return _ESCAPED.sub(r"\1", markdown)
