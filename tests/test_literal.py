"""ui.literal: a value from a person or the API, as Markdown source that renders as its own text."""

import re
import string

from hypothesis import given, settings
from hypothesis import strategies as st

from dashboard.ui import literal, t_md
from dashboard.ui.literal import WORD_JOINER, badge_label
from tests.helpers.markdown import shown

PAYLOADS = [
    "**ali**",
    "![t](http://127.0.0.1:9/x.png)",
    "[click](http://127.0.0.1:9/)",
    ":red[x]",
    "$x^2$",
    "<b>x</b>",
    ":material/home: :smile:",
    "`code`",
    "~~x~~",
    "# h",
    "> q",
    "a | b",
    "&amp;",
    "_x_",
    "\\*x\\*",
    "- item",
    "1. item",
]


# mdast-util-gfm-autolink-literal's patterns, simplified (any match would become an <a>).
BARE_LINK = re.compile(r"(?i)https?://|www\.|[-.\w+]@[-\w]")


def test_bare_urls_and_emails_are_not_linked():
    for payload in ("http://127.0.0.1:9/x.png", "HTTPS://x.y", "www.evil.com", "ayse@example.com"):
        markdown = literal(payload)
        assert not BARE_LINK.search(re.sub(r"\\(.)", r"\1", markdown)), payload
        assert shown(markdown) == payload


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
    assert literal(":red[x]") == "\\:\u2060red\\[x\\]"
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
    assert shown(markdown) == " ".join(text.splitlines()).replace(WORD_JOINER, "")
    # GFM links bare URLs and emails in the text left once escapes are undone: none must remain.
    text_node = re.sub(r"\\(.)", r"\1", markdown)
    assert not BARE_LINK.search(text_node)


@settings(max_examples=1000)
@given(st.text())
def test_any_badge_label_is_escaped_once_st_badge_has_escaped_its_brackets(text):
    markdown = badge_label(text).replace("[", "\\[").replace("]", "\\]")  # what st.badge does
    assert unescaped_punctuation(markdown) == []
    assert shown(markdown) == " ".join(text.splitlines()).replace(WORD_JOINER, "")


def test_t_md_keeps_the_sentences_markdown_and_escapes_only_the_values():
    assert (
        t_md("Signed in as **{user}** ({role})", user="**ali**", role="admin")
        == r"Signed in as **\*\*ali\*\*** (admin)"
    )


def test_a_status_word_the_console_does_not_know_is_shown_literally():
    from streamlit.testing.v1 import AppTest

    def page():
        from dashboard import ui

        ui.status_badge("SETTLED_ELSEWHERE", "**ali** :red[x] [click](http://127.0.0.1:9/)")

    at = AppTest.from_function(page).run()
    badge = at.markdown[0].value
    prefix = ":gray-badge[:material/help: "
    assert badge.startswith(prefix) and badge.endswith("]"), badge
    label = badge[len(prefix) : -1]  # st.badge escapes the brackets itself, once
    assert unescaped_punctuation(label) == [], label
    assert shown(label) == "**ali** :red[x] [click](http://127.0.0.1:9/)"
