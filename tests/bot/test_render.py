"""Rendering answers as Telegram HTML: escaped, bold quote inside a blockquote, within the limit."""

from __future__ import annotations

from bot import render
from index.records import Answer, Response
from tests.botapi import parse_telegram_html, utf16_len

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
