"""Splits an article into passages of whole sentences, keeping each sentence's offsets.

Paragraphs are the natural unit: an article that fits in one passage stays whole;
otherwise short paragraphs are merged with their neighbours and long ones are cut
at sentence boundaries into balanced pieces; a heading or a caption that would
stand alone joins the text after it. Sizes are measured by a ``Sizer``:
words by default (roughly ``MIN_WORDS``–``MAX_WORDS``), model tokens for the model
(``split_for_model``: "title. passage" within ``passage_budget``). Every sentence
of the article lands in exactly one passage, in order.

What the model reads for a passage is its article's title as a sentence of its own,
then the passage (``embedding_text``), after its passage prompt and special tokens.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Sequence

from index.embedder import PASSAGE, Embedder
from index.records import Article, Passage

MIN_WORDS = 40
MAX_WORDS = 160
PARAGRAPH_SEPARATOR = "\n\n"
WORD_WINDOW = 64  # characters looked at before a full stop to tell an abbreviation
MODEL_INPUT_TOKENS = 200  # prompt + "title. passage" fits here (or in the model's window, if smaller)
MIN_BUDGET_TOKENS = 64  # an enormous title still leaves this much room for the passage
MIN_PASSAGE_TOKENS = 80  # about 40 Italian words: shorter paragraphs are merged with the next

Sizer = Callable[[Sequence[str]], list[int]]  # the sizes of many sentences, in one call
Sentence = tuple[str, int]  # text, size
Piece = list[Sentence]  # consecutive sentences of one paragraph

# Words after which a full stop does not end a sentence (lower case, without the dot).
ABBREVIATIONS = frozenset(
    """
    sig sigg sig.ra dott dott.ssa prof prof.ssa ing avv on sen arch geom rag mons don fr
    mr mrs ms dr st jr sr vs etc ecc es ex pag pagg p pp art artt cap capp n nn no nr tel fig vol
    ca c.a cfr gen col magg ten cap lt sgt gov pres rep sen amb s.p.a spa s.r.l srl inc ltd co corp
    jan feb mar apr jun jul aug sep sept oct nov dec gen febb apr mag giu lug ago set ott dic
    u.s u.k e.g i.e a.c d.c approx dept est sant ss mt ft km cm mm
    """.split()
)

# A sentence ends at . ! ? … (with closing quotes or brackets after it), before white space
# and something that can start a sentence.
_BOUNDARY = re.compile(r"[.!?…]+[\"”»’')\]]*(?=\s+[\"“«‘(\[¿¡]?[\w])")
_WORD_BEFORE = re.compile(r"([\w.]+)$")
_SENTENCE_END = re.compile(r"[.!?…][\"”»’')\]“]*\s*$")


def word_sizes(sentences: Sequence[str]) -> list[int]:
    return [len(sentence.split()) for sentence in sentences]


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
    before = _WORD_BEFORE.search(text, max(0, dot - WORD_WINDOW), dot)  # a window: linear on long texts
    if not before:
        return False
    word = before.group(1).casefold().strip(".")
    if word in ABBREVIATIONS:
        return True
    # An initial ("J. K. Rowling") does not end a sentence.
    return len(word) == 1 and word.isalpha() and text[before.start()].isupper()


def _trim(text: str, span: tuple[int, int]) -> tuple[int, int] | None:
    start, end = span
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return (start, end) if start < end else None


def split_passages(
    article: Article, sizer: Sizer = word_sizes, max_size: int = MAX_WORDS, min_size: int = MIN_WORDS
) -> list[Passage]:
    """The article's passages, in order."""
    paragraphs = [
        [paragraph[s:e] for s, e in split_sentences(paragraph)] for paragraph in article.text.split(PARAGRAPH_SEPARATOR)
    ]
    sizes = iter(sizer([sentence for paragraph in paragraphs for sentence in paragraph]))
    pieces = [
        piece
        for paragraph in paragraphs
        for piece in cut_paragraph([(sentence, next(sizes)) for sentence in paragraph], max_size)
    ]
    if sum(_size(piece) for piece in pieces) <= max_size:
        groups = [pieces] if pieces else []
    else:
        groups = attach_headings(merge_pieces(pieces, min_size, max_size), max_size)
    return [make_passage(article.id, position, group) for position, group in enumerate(groups)]


def _size(piece: Piece) -> int:
    return sum(size for _, size in piece)


def cut_paragraph(sentences: Piece, max_size: int) -> list[Piece]:
    """A paragraph's sentences in balanced runs of at most ``max_size`` (a longer sentence is cut)."""
    sentences = [part for sentence in sentences for part in cut_sentence(sentence, max_size)]
    total = _size(sentences)
    if total <= max_size:
        return [sentences] if sentences else []
    target = total / math.ceil(total / max_size)
    runs: list[Piece] = []
    run: Piece = []
    for sentence in sentences:
        if run and (_size(run) + sentence[1] > max_size or _size(run) >= target):
            runs.append(run)
            run = []
        run.append(sentence)
    runs.append(run)
    return runs


def cut_sentence(sentence: Sentence, max_size: int) -> list[Sentence]:
    """A sentence larger than ``max_size`` cut into even runs of words (sizes shared out)."""
    text, size = sentence
    words = text.split()
    count = min(len(words), math.ceil(size / max_size)) if size > max_size else 1
    if count <= 1:
        return [sentence]
    step = math.ceil(len(words) / count)
    parts = [" ".join(words[i : i + step]) for i in range(0, len(words), step)]
    return [(part, max(1, size * len(part.split()) // len(words))) for part in parts]


def merge_pieces(pieces: list[Piece], min_size: int, max_size: int) -> list[list[Piece]]:
    """Group pieces into passages: a passage takes the next piece while it is short and it fits."""
    groups: list[list[Piece]] = []
    size = 0
    for piece in pieces:
        piece_size = _size(piece)
        if groups and size < min_size and size + piece_size <= max_size:
            groups[-1].append(piece)
            size += piece_size
        else:
            groups.append([piece])
            size = piece_size
    if len(groups) > 1 and size < min_size:
        last = groups[-1]
        if sum(_size(p) for p in groups[-2] + last) <= max_size:
            groups.pop()
            groups[-1].extend(last)
    return groups


def reads_as_sentence(text: str) -> bool:
    """Whether ``text`` ends as a sentence does; a heading, a caption or a credit line does not."""
    return bool(_SENTENCE_END.search(text))


def attach_headings(groups: list[list[Piece]], max_size: int) -> list[list[Piece]]:
    """A passage of headings alone (a subheading, a photo caption) joins the text that follows it:
    alone it would be found by its words and quoted, and it answers nothing."""
    out: list[list[Piece]] = []
    for group in groups:
        if out and _only_headings(out[-1]):
            out.extend(_lead_with(out.pop(), group, max_size))
        else:
            out.append(group)
    return out


def _only_headings(group: list[Piece]) -> bool:
    return not any(reads_as_sentence(text) for piece in group for text, _ in piece)


def _lead_with(headings: list[Piece], group: list[Piece], max_size: int) -> list[list[Piece]]:
    """``headings`` before ``group``, whole when they fit together; else with as many of the
    group's first sentences as fit, and the rest of the group after."""
    room = max_size - sum(_size(piece) for piece in headings)
    if sum(_size(piece) for piece in group) <= room:
        return [headings + group]
    first, taken, size = group[0], 0, 0
    while taken < len(first) and size + first[taken][1] <= room:
        size += first[taken][1]
        taken += 1
    if not taken:
        return [headings, group]
    rest = [first[taken:]] if taken < len(first) else []
    return [headings + [first[:taken]], rest + group[1:]]


def make_passage(article_id: str, position: int, group: list[Piece]) -> Passage:
    """Join a group's pieces (paragraphs apart, sentences with a space) and record offsets."""
    text, spans = "", []
    for index, piece in enumerate(group):
        if index:
            text += PARAGRAPH_SEPARATOR
        for number, (sentence, _) in enumerate(piece):
            if number:
                text += " "
            spans.append((len(text), len(text) + len(sentence)))
            text += sentence
    return Passage(article_id=article_id, position=position, text=text, sentences=tuple(spans))


# --- what the model reads -------------------------------------------------------------


def embedding_prefix(title: str) -> str:
    """What the model reads before a passage: the article's title, as a sentence of its own."""
    if not title:
        return ""
    return f"{title} " if title[-1] in ".!?…:;" else f"{title}. "


def embedding_text(title: str, text: str) -> str:
    """What the model reads for a passage: "title. passage"."""
    return embedding_prefix(title) + text


def passage_budget(embedder: Embedder, title: str) -> int:
    """The tokens a passage may take: what the model reads (``MODEL_INPUT_TOKENS``, at most its window)
    less its special tokens, its passage prompt and the title; whole sentences get vectors, none is
    truncated away."""
    title_tokens = embedder.count_tokens([embedding_prefix(title)])[0] if title else 0
    reads = min(MODEL_INPUT_TOKENS, embedder.max_tokens)
    return max(MIN_BUDGET_TOKENS, reads - embedder.special_tokens - embedder.prompt_tokens(PASSAGE) - title_tokens)


def split_for_model(article: Article, embedder: Embedder) -> list:
    """The article's passages, each small enough that prompt + "title. passage" fits ``passage_budget``."""
    budget = passage_budget(embedder, article.title)
    return split_passages(
        article, sizer=embedder.count_tokens, max_size=budget, min_size=min(MIN_PASSAGE_TOKENS, budget // 2)
    )
