"""Keyword terms: what the full-text index holds and how a question becomes an FTS5 query.

Pure functions, no I/O. Every passage is indexed in three column families, each
with a title and a text column (all bm25 weights 1):

- ``stems``:    Snowball stems of the content words, in the article's language;
- ``prefixes``: the first ``PREFIX_LENGTH`` letters of every content word;
- ``grams``:    the character ``GRAM_LENGTH``-grams inside every content word.

Numbers stay whole everywhere. An article is stemmed by the Snowball stemmer of its
language (``STEMMERS``: Spanish, French, Portuguese, German… as PyStemmer has them;
Italian's for a language without one), with the Italian stopwords for Italian and the
English and Italian ones for every other language (no list is kept for the others).
An Italian question searches stems and prefixes, and so does a question in another
language the identifier is sure of (Spanish, French…: its own stems);
an English question (the model is English-only, the archive mostly Italian)
searches prefixes and 4-grams, which act as a crude cross-lingual stemmer:
English and Italian share many roots and names ("minister"/"ministro" → "minis").
Measured on SQuAD-it (``bench/quality.py``): this lifts English→Italian keyword
recall@5 from 0.34 to 0.63 and Italian from 0.87 to 0.91.
"""

from __future__ import annotations

import functools
import math
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import Stemmer

from index import glossary
from index.languages import ENGLISH, ITALIAN, MAGNITUDE, QUESTION_FRAMING, fold, stopwords

PREFIX_LENGTH = 5
GRAM_LENGTH = 4
MAX_QUERY_TERMS = 128
FAMILIES = ("stems", "prefixes", "grams")
COLUMNS = tuple(f"{part}_{family}" for family in FAMILIES for part in ("title", "text"))
QUERY_FAMILIES = {ITALIAN: ("stems", "prefixes"), ENGLISH: ("prefixes", "grams")}
SAME_LANGUAGE_FAMILIES = QUERY_FAMILIES[ITALIAN]  # a question in another language searches as an Italian one
STEMMERS = {  # language code -> PyStemmer's algorithm
    ITALIAN: "italian", ENGLISH: "english", "es": "spanish", "fr": "french", "pt": "portuguese", "de": "german",
    "nl": "dutch", "ca": "catalan", "ro": "romanian", "da": "danish", "sv": "swedish", "no": "norwegian",
    "nb": "norwegian", "fi": "finnish", "et": "estonian", "lt": "lithuanian", "hu": "hungarian", "pl": "polish",
    "cs": "czech", "sr": "serbian", "el": "greek", "ru": "russian", "tr": "turkish", "eu": "basque",
    "ga": "irish", "id": "indonesian", "hy": "armenian", "ar": "arabic", "fa": "persian", "hi": "hindi",
    "ne": "nepali", "ta": "tamil", "yi": "yiddish", "eo": "esperanto",
}
BM25_K1, BM25_B = 1.2, 0.75  # FTS5's bm25() parameters
DEFAULT_STEMMER = "italian"  # the archive's own language, for undetermined text and languages without one
_RAW_WORD = re.compile(r"\w+", re.UNICODE)


@functools.lru_cache(maxsize=None)
def _stemmer(language: str) -> Stemmer.Stemmer:
    return Stemmer.Stemmer(STEMMERS.get(language, DEFAULT_STEMMER))


def content_words(text: str, language: str) -> list[str]:
    """The words of ``text`` that carry meaning, as written (case kept for stemming)."""
    drop = stopwords(language)
    return [raw for raw in _RAW_WORD.findall(text.replace("_", " ")) if fold(raw) not in drop]


def question_words(question: str, language: str) -> list[str]:
    """The content words of a question without those that only frame it (unless nothing else is left)."""
    magnitude = MAGNITUDE.get(language)
    raw = content_words(magnitude.sub("how", question) if magnitude else question, language)
    framing = QUESTION_FRAMING.get(language, frozenset())
    return [w for w in raw if fold(w) not in framing] or raw


def stems(raw_words: list[str], language: str) -> list[str]:
    stemmed = _stemmer(language).stemWords([w.lower() for w in raw_words])
    return [fold(w) if w.isdigit() else fold(s) for w, s in zip(raw_words, stemmed)]


def prefixes(raw_words: list[str]) -> list[str]:
    return [w if w.isdigit() else w[:PREFIX_LENGTH] for w in map(fold, raw_words)]


def grams(raw_words: list[str]) -> list[str]:
    out = []
    for word in map(fold, raw_words):
        if word.isdigit() or len(word) <= GRAM_LENGTH:
            out.append(word)
        else:
            out.extend(word[i : i + GRAM_LENGTH] for i in range(len(word) - GRAM_LENGTH + 1))
    return out


def family_terms(raw_words: list[str], family: str, language: str) -> list[str]:
    if family == "stems":
        return stems(raw_words, language)
    return prefixes(raw_words) if family == "prefixes" else grams(raw_words)


@dataclass(frozen=True)
class IndexedTerms:
    """The six FTS columns of one passage, each a space-separated string of terms."""

    columns: tuple[str, ...]  # in the order of ``COLUMNS``


def index_terms(title: str, text: str, language: str) -> IndexedTerms:
    """The full-text columns of a passage of an article in ``language``."""
    title_words, text_words = content_words(title, language), content_words(text, language)
    columns = []
    for family in FAMILIES:
        columns.append(" ".join(family_terms(title_words, family, language)))
        columns.append(" ".join(family_terms(text_words, family, language)))
    return IndexedTerms(tuple(columns))


def query_terms(question: str, language: str, use_glossary: bool = True) -> dict[str, list[str]]:
    """The distinct terms of a question, per column family searched for its language.

    An English question also searches the Italian words the glossary gives for its words,
    through their Italian stems and prefixes.
    """
    raw = question_words(question, language)
    found: dict[str, list[str]] = {}
    for family in query_families(language):
        _add(found, family, family_terms(raw, family, language))
    if language == ENGLISH and use_glossary:
        italian = glossary.italian_words(raw)
        _add(found, "stems", stems(italian, ITALIAN))
        _add(found, "prefixes", prefixes(italian))
    return found


def query_families(language: str) -> tuple[str, ...]:
    """The column families a question in ``language`` searches."""
    return QUERY_FAMILIES.get(language, SAME_LANGUAGE_FAMILIES)


def _add(found: dict[str, list[str]], family: str, terms: list[str]) -> None:
    merged = list(dict.fromkeys(found.get(family, []) + [t for t in terms if t]))
    if merged:
        found[family] = merged[:MAX_QUERY_TERMS]


def bounded(terms: dict[str, list[str]], frequencies: Mapping[str, int], budget: int | None) -> dict[str, list[str]]:
    """The terms a keyword search looks for when it may read at most ``budget`` postings.

    FTS5 scores every passage that holds any of the terms, so a question's cost is the sum of its
    terms' document frequencies: at a million passages a common 4-gram alone matches a fifth of
    them. Terms no passage holds are dropped (they match nothing); the question's rarest term is
    kept whatever it costs; then the rarest others join while the postings stay within ``budget``
    (``None``: no bound). Rare terms are the discriminating ones: bm25 gives a common term little
    weight anyway. Each family keeps its terms' order.
    """
    present = {family: [t for t in family_terms_ if frequencies.get(t, 0) > 0] for family, family_terms_ in terms.items()}
    if budget is not None:
        kept = _within_budget(present, frequencies, budget)
        present = {family: [t for t in family_terms_ if (family, t) in kept] for family, family_terms_ in present.items()}
    return {family: family_terms_ for family, family_terms_ in present.items() if family_terms_}


def _within_budget(terms: dict[str, list[str]], frequencies: Mapping[str, int], budget: int) -> set[tuple[str, str]]:
    """The (family, term) pairs searched: the question's rarest term whatever it costs, then the
    rarest others while their postings fit in ``budget`` (a term searched in two families is read
    twice). A family whose terms are all too common is not searched at all: its terms are scored
    over the candidates afterwards (``keyword_search.complete``). Keeping each family's rarest term
    instead cost 750 ms a question at a million passages when that term was a stem such as
    "part", held by a third of them."""
    pairs = sorted(((family, term) for family, family_terms_ in terms.items() for term in family_terms_),
                   key=lambda pair: frequencies[pair[1]])  # fmt: skip
    kept, spent = set(), 0
    for family, term in pairs:
        if kept and spent + frequencies[term] > budget:
            break
        kept.add((family, term))
        spent += frequencies[term]
    return kept


def bm25(terms: dict[str, list[str]], columns: tuple[str, ...], weights: Mapping[str, float], mean_length: float) -> float:
    """A passage's bm25 for ``terms`` (per family) as FTS5's bm25() computes it from the passage's
    six keyword columns (every column weight 1): ``weights`` holds each term's ``idf``, and
    ``mean_length`` the archive's mean terms per row.

    Terms are counted as whole words by C string searches, not a Python loop over the columns:
    with every space doubled, each term of a column sits between spaces of its own.
    """
    length = sum(column.count(" ") + 1 for column in columns if column)
    saturation = BM25_K1 * (1 - BM25_B + BM25_B * length / mean_length)
    score = 0.0
    for family, family_terms_ in terms.items():
        first = COLUMNS.index(f"title_{family}")
        spaced = f" {columns[first].replace(' ', '  ')}  {columns[first + 1].replace(' ', '  ')} "
        for term in family_terms_:
            count = spaced.count(f" {term} ")
            if count:
                score += weights[term] * count * (BM25_K1 + 1) / (count + saturation)
    return score


def idf(frequency: int, rows: int) -> float:
    """FTS5's inverse document frequency of a term held by ``frequency`` of ``rows`` rows (the two
    may be read a moment apart, around an update)."""
    value = math.log((max(rows - frequency, 0) + 0.5) / (frequency + 0.5))
    return value if value > 0 else 1e-6


def match_expression(terms: dict[str, list[str]]) -> str:
    """An FTS5 MATCH expression: per family, its terms OR-ed inside its title and text columns."""
    parts = []
    for family, family_terms_ in terms.items():
        quoted = " OR ".join(f'"{term}"' for term in family_terms_)
        parts.append(f"{{title_{family} text_{family}}} : ({quoted})")
    return " OR ".join(parts)


def sentence_terms(sentence: str, families: Iterable[str], article_language: str) -> set[str]:
    """A sentence's terms in the given column families (those a question searched)."""
    raw = content_words(sentence, article_language)
    return {t for family in families for t in family_terms(raw, family, article_language)}
