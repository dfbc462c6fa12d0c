"""ui.literal: a value from a person or the API, as Markdown source that renders as its own text."""

import string

from hypothesis import given, settings
from hypothesis import strategies as st

from dashboard.ui import literal, t_md
from tests.helpers.markdown import shown

PAYLOADS = ["**ali**", "![t](http://127.0.0.1:9/x.png)", "[click](http://127.0.0.1:9/)", ":red[x]", "$x^2$", "<b>x</b>",
            ":material/home: :smile:", "`code`", "~~x~~", "# h", "> q", "a | b", "&amp;", "_x_", "\\*x\\*", "- item", "1. item"]


def unescaped_punctuation(markdown: str) -> list[int]:
    """Positions of ASCII punctuation that no backslash escapes (each one could start Markdown)."""
    found, i = [], 0
    while i < len(markdown):
        if markdown[i] == "\\" and i + 1 < len(markdown) and markdown[i + 1] in string.punctuation:
            i += 2
            continue
        if markdown[i] in string.punctuation:
            found.append(i)
        i += 1
    return found


def test_each_payload_is_escaped_and_reads_back_as_typed():
    for payload in PAYLOADS:
        markdown = literal(payload)
        assert unescaped_punctuation(markdown) == [], payload
        assert shown(markdown) == payload


def test_examples():
    assert literal("**ali**") == r"\*\*ali\*\*"
    assert literal(":red[x]") == r"\:red\[x\]"
    assert literal("$x^2$") == r"\$x\^2\$"
    assert literal("Ayşe Yılmaz") == "Ayşe Yılmaz"  # letters and spaces untouched
    assert literal(12345) == "12345"


def test_line_breaks_cannot_start_a_new_block():
    assert literal("a\n# b\n\n    c") == r"a \# b      c"


@settings(max_examples=2000)
@given(st.text())
def test_any_text_is_escaped_and_reads_back_on_one_line(text):
    markdown = literal(text)
    assert unescaped_punctuation(markdown) == []
    assert "\n" not in markdown and "\r" not in markdown
    assert shown(markdown) == " ".join(text.splitlines())


def test_t_md_keeps_the_sentences_markdown_and_escapes_only_the_values():
    assert t_md("Signed in as **{user}** ({role})", user="**ali**", role="admin") == r"Signed in as **\*\*ali\*\*** (admin)"
