"""What a person sees of Markdown source built with `ui.literal`: its backslash escapes undone
(CommonMark shows an escaped ASCII punctuation character as the character itself) and without the
invisible word joiners that keep bare URLs and emails from becoming links."""

import re
import string

_ESCAPED = re.compile(r"\\([" + re.escape(string.punctuation) + "])")


def shown(markdown: str) -> str:
    return _ESCAPED.sub(r"\1", markdown).replace("\u2060", "")
