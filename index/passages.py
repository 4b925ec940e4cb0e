"""Splits an article into passages of whole sentences, keeping each sentence's offsets.

Paragraphs are the natural unit: short ones are merged with their neighbours,
long ones are cut at sentence boundaries into balanced pieces, so that passages
run roughly ``MIN_WORDS``–``MAX_WORDS`` words. Every sentence of the article lands
in exactly one passage, in order.
"""

from __future__ import annotations

import math
import re

from index.records import Article, Passage

MIN_WORDS = 40
MAX_WORDS = 160
PARAGRAPH_SEPARATOR = "\n\n"

# Words after which a full stop does not end a sentence (lower case, without the dot).
ABBREVIATIONS = frozenset(
    """
    sig sigg sig.ra dott dott.ssa prof prof.ssa ing avv on sen arch geom rag mons don fr
    mr mrs ms dr st jr sr vs etc ecc es ex pag pagg p pp art artt cap capp n nn no nr tel fig vol
    ca c.a cfr gen col magg ten cap lt sgt gov pres rep sen amb s.p.a spa s.r.l srl inc ltd co corp
    jan feb mar apr jun jul aug sep sept oct nov dec gen febb apr mag giu lug ago set ott dic
    u.s u.k e.g i.e a.c d.c approx dept est
    """.split()
)

# A sentence ends at . ! ? … (with closing quotes or brackets after it), before white space
# and something that can start a sentence.
_BOUNDARY = re.compile(r"[.!?…]+[\"”»’')\]]*(?=\s+[\"“«‘(\[¿¡]?[\w])")
_WORD_BEFORE = re.compile(r"([\w.]+)$")


def split_sentences(text: str) -> list[tuple[int, int]]:
    """The (start, end) offsets of the sentences of ``text``, white space excluded."""
    spans, start = [], 0
    for found in _BOUNDARY.finditer(text):
        if _is_abbreviation(text, found.start(), found.group()):
            continue
        spans.append((start, found.end()))
        start = found.end()
    spans.append((start, len(text)))
    return [trimmed for span in spans if (trimmed := _trim(text, span))]


def _is_abbreviation(text: str, dot: int, mark: str) -> bool:
    if not mark.startswith("."):
        return False
    before = _WORD_BEFORE.search(text, 0, dot)
    if not before:
        return False
    word = before.group(1).casefold().strip(".")
    if word in ABBREVIATIONS:
        return True
    # An initial ("J. K. Rowling") or a number in a list ("1. Primo") does not end a sentence.
    return len(word) == 1 and word.isalpha() and text[before.start()].isupper()


def _trim(text: str, span: tuple[int, int]) -> tuple[int, int] | None:
    start, end = span
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return (start, end) if start < end else None


def count_words(text: str) -> int:
    return len(text.split())


def split_passages(article: Article, min_words: int = MIN_WORDS, max_words: int = MAX_WORDS) -> list[Passage]:
    """The article's passages, in order."""
    pieces: list[list[str]] = []  # each piece: the sentences of one paragraph or part of one
    for paragraph in article.text.split(PARAGRAPH_SEPARATOR):
        sentences = [paragraph[s:e] for s, e in split_sentences(paragraph)]
        pieces.extend(cut_paragraph(sentences, max_words))
    groups = merge_pieces(pieces, min_words, max_words)
    return [make_passage(article.id, position, group) for position, group in enumerate(groups)]


def cut_paragraph(sentences: list[str], max_words: int) -> list[list[str]]:
    """A paragraph's sentences in balanced runs of at most ``max_words`` (a longer sentence is cut)."""
    sentences = [part for sentence in sentences for part in cut_sentence(sentence, max_words)]
    total = sum(count_words(s) for s in sentences)
    if total <= max_words:
        return [sentences] if sentences else []
    target = total / math.ceil(total / max_words)
    runs, run, words = [], [], 0
    for sentence in sentences:
        size = count_words(sentence)
        if run and (words + size > max_words or words >= target):
            runs.append(run)
            run, words = [], 0
        run.append(sentence)
        words += size
    runs.append(run)
    return runs


def cut_sentence(sentence: str, max_words: int) -> list[str]:
    """A sentence longer than ``max_words`` cut into pieces at word boundaries."""
    tokens = sentence.split()
    if len(tokens) <= max_words:
        return [sentence]
    return [" ".join(tokens[i : i + max_words]) for i in range(0, len(tokens), max_words)]


def merge_pieces(pieces: list[list[str]], min_words: int, max_words: int) -> list[list[list[str]]]:
    """Group pieces into passages: a passage takes the next piece while it is short."""
    groups: list[list[list[str]]] = []
    words = 0
    for piece in pieces:
        size = sum(count_words(s) for s in piece)
        if groups and words < min_words and words + size <= max_words:
            groups[-1].append(piece)
            words += size
        else:
            groups.append([piece])
            words = size
    if len(groups) > 1 and words < min_words:
        last = groups[-1]
        if sum(count_words(s) for p in groups[-2] + last for s in p) <= max_words:
            groups.pop()
            groups[-1].extend(last)
    return groups


def make_passage(article_id: str, position: int, group: list[list[str]]) -> Passage:
    """Join a group's pieces (paragraphs apart, sentences with a space) and record offsets."""
    text, spans = "", []
    for index, piece in enumerate(group):
        if index:
            text += PARAGRAPH_SEPARATOR
        for number, sentence in enumerate(piece):
            if number:
                text += " "
            spans.append((len(text), len(text) + len(sentence)))
            text += sentence
    return Passage(article_id=article_id, position=position, text=text, sentences=tuple(spans))
