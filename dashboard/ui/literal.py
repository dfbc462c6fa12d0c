"""Values from a person or from the API shown as literal text wherever Streamlit renders Markdown.

st.markdown, st.caption, st.success/.error/.info/.warning, st.toast, metric labels and values and
badges all read their text as Markdown (plus Streamlit's extras: `:red[...]` colours, `$...$`
KaTeX, `:material/...:` icons, emoji shortcodes). A username `**ali**` would show bold, a
description `![t](http://host/x.png)` would make the browser fetch that URL, `[click](url)` would
become a link. `literal` backslash-escapes every ASCII punctuation character: CommonMark renders
an escaped character as itself and no construct can start from one, and Streamlit's own extras
(directives, math, icons, shortcodes) all begin with a punctuation character.

Escapes do not stop GFM's bare-URL links: they are found in the text after escapes are undone
(`http://host/x`, `www.host`, `name@host`). An invisible WORD JOINER (U+2060) after each `:`, before
each `@` and after `www` breaks those patterns; what a person sees is unchanged.
"""

from __future__ import annotations

import re
import string

_PUNCTUATION = re.compile("([" + re.escape(string.punctuation) + "])")
WORD_JOINER = "\u2060"
_AUTOLINK_BREAKS = re.compile(r"(?<=:)|(?=@)|(?i:(?<=www)(?=\.))")


def literal(value: object) -> str:
    """`value` as Markdown source that renders exactly as its text, on one line.

    Line breaks become spaces: in Markdown they could start a list, a heading or a code block.
    """
    text = " ".join(str(value).splitlines())
    return _PUNCTUATION.sub(r"\\\1", _AUTOLINK_BREAKS.sub(WORD_JOINER, text))


def badge_label(value: object) -> str:
    """`literal` for st.badge, which escapes square brackets itself (twice escaped, they would show
    their backslashes and a `]` would end the badge early)."""
    return literal(value).replace("\\[", "[").replace("\\]", "]")
