"""Telegram's HTML subset as the fake parses it: entities, UTF-16 offsets and Telegram's refusals."""

from __future__ import annotations

import html

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.fakes.telegram import EntityParseError, parse_telegram_html, utf16_len

VALID_HTML = [
    ("<b>bold</b> and <strong>strong</strong>", "bold and strong",
     [("bold", 0, 4), ("bold", 9, 6)]),
    ("<i>i</i><em>e</em><u>u</u><ins>n</ins><s>s</s><strike>k</strike><del>d</del>", "ieunskd",
     [("italic", 0, 1), ("italic", 1, 1), ("underline", 2, 1), ("underline", 3, 1),
      ("strikethrough", 4, 1), ("strikethrough", 5, 1), ("strikethrough", 6, 1)]),
    ("<b>bold <i>both</i></b>", "bold both", [("bold", 0, 9), ("italic", 5, 4)]),
    ("😀 <b>x</b>", "😀 x", [("bold", 3, 1)]),  # the emoji is two UTF-16 units
    ('<span class="tg-spoiler">s</span><tg-spoiler>t</tg-spoiler>', "st",
     [("spoiler", 0, 1), ("spoiler", 1, 1)]),
    ("&lt;tag&gt; &amp; &quot;q&quot; &#65;&#x42; AT&T &nbsp;", '<tag> & "q" AB AT&T &nbsp;', []),
    ("<code>x</code>", "x", [("code", 0, 1)]),
    ("<pre>block</pre>", "block", [("pre", 0, 5)]),
    ("<code><b>x</b></code>", "x", [("code", 0, 1)]),  # nothing inside code
    ("<blockquote>q</blockquote><blockquote expandable>e</blockquote>", "qe",
     [("blockquote", 0, 1), ("expandable_blockquote", 1, 1)]),
    ("<B>caps</B>", "caps", [("bold", 0, 4)]),
    ("<b></b>x", "x", []),
]


@pytest.mark.parametrize(("source", "text", "entities"), VALID_HTML)
def test_parse_valid_html(source, text, entities):
    plain, found = parse_telegram_html(source)
    assert plain == text
    assert [(e["type"], e["offset"], e["length"]) for e in found] == entities


def test_parse_links_code_languages_and_custom_emoji():
    _, found = parse_telegram_html(
        '<a href="https://example.org/?a=1&amp;b=2">x</a><a href=\'example.com\'>y</a>'
        '<a href="javascript:alert(1)">z</a><pre><code class="language-python">p</code></pre>'
        '<tg-emoji emoji-id="5368324170671202286">👍</tg-emoji>'
    )
    assert found == [
        {"type": "text_link", "offset": 0, "length": 1, "url": "https://example.org/?a=1&b=2"},
        {"type": "text_link", "offset": 1, "length": 1, "url": "http://example.com"},
        {"type": "pre", "offset": 3, "length": 1, "language": "python"},
        {"type": "custom_emoji", "offset": 4, "length": 2,
         "custom_emoji_id": "5368324170671202286"},
    ]


INVALID_HTML = [
    ("hello world <foo>bar</foo>", 'Unsupported start tag "foo" at byte offset 12'),
    ("é <p>", 'Unsupported start tag "p" at byte offset 3'),  # offsets count UTF-8 bytes
    ("a < b", 'Unsupported start tag "" at byte offset 2'),
    ("<b>never closed", 'Can\'t find end tag corresponding to start tag "b"'),
    ("oops</b>", "Unexpected end tag at byte offset 4"),
    ("<b><i>x</b></i>", 'Unmatched end tag at byte offset 7, expected "</i>", found "</b>"'),
    ("<span>x</span>", 'Tag "span" must have class "tg-spoiler" at byte offset 0'),
    ("x <b", "Unclosed start tag at byte offset 2"),
    ("<b>x</b", "Unclosed end tag at byte offset 4"),
    ("<a href=https://x.org>y</a>", "Unexpected end of name token at byte offset 8"),
    ('<a href="x>y</a>', "Unclosed start tag at byte offset 0"),
    ("<b class>x</b>",
     'Expected equal sign in declaration of an attribute of the tag "b" at byte offset 0'),
    ("<tg-emoji>x</tg-emoji>", "Invalid custom emoji identifier specified"),
]


@pytest.mark.parametrize(("source", "reason"), INVALID_HTML)
def test_parse_invalid_html(source, reason):
    with pytest.raises(EntityParseError) as caught:
        parse_telegram_html(source)
    assert str(caught.value) == reason


def test_strict_ampersand_is_opt_in():
    assert parse_telegram_html("R&D &nbsp;")[0] == "R&D &nbsp;"
    with pytest.raises(EntityParseError, match='Unsupported entity "nbsp" at byte offset 8'):
        parse_telegram_html("R&amp;D &nbsp;", strict_ampersand=True)
    with pytest.raises(EntityParseError, match='Unescaped "&" at byte offset 1'):
        parse_telegram_html("R&D", strict_ampersand=True)


@settings(max_examples=150, deadline=None, database=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.text(alphabet=st.characters(blacklist_categories=["Cs"]), max_size=40),
       st.sampled_from(["b", "i", "u", "s", "code", "tg-spoiler"]))
def test_escaped_text_round_trips(text, tag):
    assert parse_telegram_html(html.escape(text)) == (text, [])
    plain, entities = parse_telegram_html(f"x<{tag}>{html.escape(text)}</{tag}>")
    assert plain == "x" + text
    assert len(entities) == (1 if text else 0)
    if text:
        assert (entities[0]["offset"], entities[0]["length"]) == (1, utf16_len(text))
