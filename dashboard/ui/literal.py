"""Values from a person or from the API shown as literal text wherever Streamlit renders Markdown.

st.markdown, st.caption, st.success/.error/.info/.warning, st.toast, metric labels and values and
badges all read their text as Markdown (plus Streamlit's extras: `:red[...]` colours, `$...$`
KaTeX, `:material/...:` icons, emoji shortcodes). A username `**ali**` would show bold, a
description `![t](http://host/x.png)` would make the browser fetch that URL, `[click](url)` would
become a link. `literal` backslash-escapes every ASCII punctuation character: CommonMark renders
an escaped character as itself and no construct can start from one, and Streamlit's own extras
(directives, math, icons, shortcodes) all begin with a punctuation character.
"""

from __future__ import annotations

import re
import string

_PUNCTUATION = re.compile("([" + re.escape(string.punctuation) + "])")


def literal(value: object) -> str:
    """`value` as Markdown source that renders exactly as its text, on one line.

    Line breaks become spaces: in Markdown they could start a list, a heading or a code block.
    """
    text = " ".join(str(value).splitlines())
    return _PUNCTUATION.sub(r"\\\1", text)
