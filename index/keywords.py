"""Keyword terms: what goes into the full-text index and how a question becomes a query.

Pure functions, no I/O. A passage is indexed under its folded words (the FTS5
``text`` column) and under ``terms``: the Snowball stem of each content word in
the passage's language plus its first ``PREFIX_LENGTH`` letters. The prefixes act
as a crude cross-lingual stemmer: English and Italian share many roots and names
("minister"/"ministro" → "minis"), so an English question reaches Italian text.
"""

from __future__ import annotations

import functools

import Stemmer

from index.languages import ENGLISH, ENGLISH_STOPWORDS, ITALIAN, ITALIAN_STOPWORDS, words

PREFIX_LENGTH = 5
MAX_QUERY_TERMS = 64
STOPWORDS = ITALIAN_STOPWORDS | ENGLISH_STOPWORDS
_STEMMER_NAMES = {ITALIAN: "italian", ENGLISH: "english"}


@functools.lru_cache(maxsize=None)
def _stemmer(language: str) -> Stemmer.Stemmer:
    return Stemmer.Stemmer(_STEMMER_NAMES.get(language, "italian"))


def content_words(text: str) -> list[str]:
    """Folded words of ``text`` that carry meaning (stopwords and 1-letter words dropped)."""
    return [w for w in words(text) if len(w) > 1 and w not in STOPWORDS]


def roots(word_list: list[str], language: str) -> list[str]:
    """Stems and prefixes of ``word_list``, in the passage's (or question's) language."""
    stems = _stemmer(language).stemWords(word_list)
    out = []
    for word, stem in zip(word_list, stems):
        out.append(stem)
        if len(word) > PREFIX_LENGTH and not word.isdigit():
            out.append(word[:PREFIX_LENGTH])
    return out


def index_terms(text: str, language: str) -> str:
    """The ``terms`` column of a passage: its stems and prefixes, space-separated."""
    return " ".join(roots(content_words(text), language))


def query_terms(question: str, language: str) -> list[str]:
    """The distinct roots of a question's content words, in order."""
    seen: dict[str, None] = {}
    for term in roots(content_words(question), language):
        seen.setdefault(term, None)
    return list(seen)[:MAX_QUERY_TERMS]


def match_expression(terms: list[str]) -> str:
    """An FTS5 MATCH expression OR-ing ``terms`` (each quoted, so no term is an operator)."""
    return " OR ".join(f'"{term}"' for term in terms if term)
