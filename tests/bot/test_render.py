"""Rendering answers as Telegram HTML: escaped, bold quote inside a blockquote, within the limit.

The property tests below generate responses with nasty titles, quotes, passages, dates and
sources (markup, entities, control characters, right-to-left marks, emoji, endless titles,
broken URLs): every page, inline result and re-index report must parse as Telegram HTML
(with the fake Bot API's parser, which refuses a bare "&") and fit Telegram's limits.
"""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from bot import admin, asking, inline, messages, render
from index.records import Answer, BuildReport, Response
from tests import figures
from tests.fakes.telegram import MAX_CALLBACK_DATA_BYTES, MAX_TEXT_LENGTH, parse_telegram_html, utf16_len

PASSAGE = "Prima frase del passaggio. Il presidente ha firmato l'accordo sulla difesa. Ultima frase."
QUOTE = "Il presidente ha firmato l'accordo sulla difesa."


def answer(**changes) -> Answer:
    values = dict(article_id="a.txt", title="Titolo <b>&", date="2022-12-20", source="a.txt", quote=QUOTE, passage=PASSAGE, score=1.0)
    values.update(changes)
    return Answer(**values)


def response(*answers: Answer, language="en") -> Response:
    return Response(question="q", no_answer=False, answers=answers, language=language)


def test_quote_is_bold_inside_the_passage_blockquote():
    markup = render.render_answers(response(answer()), [answer()])
    plain, entities = parse_telegram_html(markup)
    assert "<blockquote>Prima frase del passaggio. <b>Il presidente" in markup
    assert "1. Titolo <b>&" in plain  # the title is escaped, shown as typed
    assert {e["type"] for e in entities} == {"bold", "blockquote"}


def test_url_source_is_a_link_and_file_source_is_text():
    linked = render.render_answers(response(answer()), [answer(source="https://www.example.org/a?x=1&y=\"2\"")])
    assert '<a href="https://www.example.org/a?x=1&amp;y=&quot;2&quot;">example.org</a>' in linked
    parse_telegram_html(linked)
    bad = render.render_answers(response(answer()), [answer(source="javascript:alert(1)")])
    assert "<a " not in bad


def test_undated_answer_in_italian():
    markup = render.render_answers(response(answer(date=None), language="it"), [answer(date=None)])
    assert "senza data · a.txt" in markup


@pytest.mark.parametrize(("language", "caveat"), [("en", "Not sure this answers it:"), ("it", "Non sono sicuro che risponda:")])
def test_an_uncertain_answer_carries_a_short_caveat(language, caveat):
    sure, unsure = answer(confidence=0.8), answer(title="Altro", confidence=0.3, uncertain=True)
    markup = render.render_answers(response(sure, unsure, language=language), [sure, unsure])
    plain, entities = parse_telegram_html(markup)
    assert plain.count(caveat) == 1 and plain.index("Altro") < plain.index(caveat)  # under the second answer's header
    assert any(e["type"] == "italic" for e in entities)
    assert render.render_inline_description(unsure, language).startswith(caveat)
    assert not render.render_inline_description(sure, language).startswith(caveat)


def test_long_answers_are_trimmed_around_the_quote_within_the_limit():
    long_passage = ("Contesto prima. " * 400) + QUOTE + (" Contesto dopo." * 400)
    answers = [answer(passage=long_passage) for _ in range(3)]
    markup = render.render_answers(response(*answers), answers)
    plain, _ = parse_telegram_html(markup)
    assert utf16_len(plain) <= 4096
    assert plain.count(QUOTE) == 3 and "…" in plain


def test_enormous_quote_is_shortened():
    huge = "parola " * 3000
    answers = [answer(quote=huge, passage=huge) for _ in range(3)]
    plain, _ = parse_telegram_html(render.render_answers(response(*answers), answers))
    assert 0 < utf16_len(plain) <= 4096


def test_emoji_count_as_two_units():
    emoji = "🙂" * 1500  # 3,000 UTF-16 units
    answers = [answer(quote=emoji, passage=emoji) for _ in range(2)]
    plain, _ = parse_telegram_html(render.render_answers(response(*answers), answers))
    assert utf16_len(plain) <= 4096


def test_control_characters_are_dropped():
    markup = render.render_answers(response(answer()), [answer(title="A\x00B\x1fC\u0085D")])
    assert "ABCD" in markup


def test_shorten():
    assert render.shorten("uno due tre quattro", 100) == "uno due tre quattro"
    assert render.shorten("uno due tre quattro", 12) == "uno due tre…"


# --- property tests: whatever the archive holds -----------------------------------------

WHITESPACE = " \t\r\n\v\f"
NASTY = st.sampled_from([
    "<b>", "</b>", "<blockquote>", "</blockquote>", "<a href='x'>", "</a>", "<tg-spoiler>", "<", ">",
    "&", "&amp;", "&lt;", "&#0;", "&#x110000;", "&bogus;", "`", "```", "*", "_", "~", "||",
    "[x](javascript:alert(1))", "\u202e", "\u200f", "\u0000", "\x1b[31m", "\x7f", "\u0085", "\ufeff",
    "\ufffe", "\r\n", "\t", "\u2028", "😀", "👨‍👩‍👧", "𝕏", '"', "'", "\\",
])
TEXT = st.one_of(st.text(max_size=80), st.lists(st.one_of(NASTY, st.text(max_size=8)), max_size=30).map("".join))
LONG = st.text(min_size=1, max_size=40).map(lambda piece: (piece * (6_000 // len(piece) + 1))[:6_000])
URLS = st.one_of(
    st.builds(lambda host, path: f"https://{host}/{path}", st.from_regex(r"[a-z0-9-]{1,20}(\.[a-z]{2,5}){1,2}", fullmatch=True), TEXT),
    st.sampled_from(["http://[::1", "https://", "http:///x", "javascript:alert(1)", "https://a b.com", "https://ex.com/\"><b>",
                     "https://" + "x" * 3000 + ".com", "ftp://example.org", "HTTPS://EXAMPLE.ORG/Ä"]),
)


@st.composite
def generated_answers(draw) -> Answer:
    quote = draw(st.one_of(TEXT, LONG).filter(str.strip))
    before, after = draw(st.one_of(TEXT, LONG)), draw(st.one_of(TEXT, LONG))
    passage = draw(st.sampled_from([before + quote + after, before + after, quote]))
    return Answer(
        article_id=draw(TEXT), title=draw(st.one_of(TEXT, LONG)),
        date=draw(st.one_of(st.none(), st.sampled_from(["2022", "2022-12", "2022-12-20"]), TEXT)),
        source=draw(st.one_of(TEXT, URLS, LONG)), quote=quote, passage=passage, score=draw(st.floats(-1, 1)),
        confidence=draw(st.floats(0, 1)), uncertain=draw(st.booleans()),
    )


RESPONSES = st.builds(
    Response, question=TEXT, no_answer=st.booleans(), answers=st.lists(generated_answers(), min_size=1, max_size=9).map(tuple),
    language=st.sampled_from(["en", "it", "xx"]), period=st.one_of(st.none(), TEXT),
)


def assert_valid_telegram_html(markup: str, limit: int = MAX_TEXT_LENGTH) -> list[dict]:
    """Parses as Telegram does, is not empty once trimmed, and fits; the entities."""
    text, entities = parse_telegram_html(markup, strict_ampersand=True)
    assert 0 < utf16_len(text.strip(WHITESPACE)) <= limit, (utf16_len(text), markup[:200])
    return entities


@settings(max_examples=400, deadline=None, suppress_health_check=list(HealthCheck))
@given(RESPONSES)
def test_every_page_of_any_response_is_valid_html_within_limits(response):
    with figures.trial("generated responses rendered (every page valid HTML)"):
        for number in range(asking.MAX_ANSWERS // asking.PAGE_SIZE + 1):
            page = asking.page_of(response, "k3yK3y", number)
            entities = assert_valid_telegram_html(page.html)
            shown = response.answers[number * asking.PAGE_SIZE : (number + 1) * asking.PAGE_SIZE]
            if not response.no_answer and shown:
                assert sum(e["type"] == "blockquote" for e in entities) == len(shown)
            assert {e["type"] for e in entities} <= {"bold", "italic", "blockquote", "text_link"}
            if page.more_data is not None:
                assert len(page.more_data.encode()) <= MAX_CALLBACK_DATA_BYTES


@settings(max_examples=200, deadline=None, suppress_health_check=list(HealthCheck))
@given(RESPONSES)
def test_inline_results_of_any_response_are_valid(response):
    with figures.trial("generated inline results rendered"):
        for result in inline.results(response):
            data = result.to_dict()
            assert data["title"].strip() and len(data["id"].encode()) <= 64
            content = data["input_message_content"]
            assert_valid_telegram_html(content["message_text"])


@settings(max_examples=200, deadline=None, suppress_health_check=list(HealthCheck))
@given(st.lists(TEXT, max_size=15), st.floats(0, 1e6))
def test_reindex_report_with_any_file_names_is_valid(skipped, seconds):
    report = BuildReport(added=1, skipped=tuple(f"{name}: {reason}" for name, reason in zip(skipped, reversed(skipped))), seconds=seconds)
    with figures.trial("generated re-index reports rendered"):
        for language in ("en", "it"):
            assert_valid_telegram_html(admin.report_text(report, language))


@pytest.mark.parametrize(
    ("label", "language", "words"),
    [
        ("2022-12", "en", "December 2022"),
        ("2022-12", "it", "dicembre 2022"),
        ("2020-09-14", "it", "14 settembre 2020"),
        ("2022", "en", "2022"),
        ("2020..2022-06", "en", "2020–June 2022"),
        ("garbage-99", "en", "garbage-99"),
    ],
)
def test_period_words(label, language, words):
    assert messages.period_words(label, language) == words
