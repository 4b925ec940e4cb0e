"""The keyword side of a question: FTS5 over its rarest terms, then the others against the candidates.

FTS5 scores every passage that holds any of the terms it is given, so what a question costs is the
sum of its terms' document frequencies: at a million passages a common 4-gram alone matches a
fifth of them, and FTS5 spends about a microsecond on each. So the search runs in two steps:

1. ``search``: the question's rarest terms within ``budget`` postings (``keywords.bounded``) go to
   FTS5, which returns its best ``limit`` passages by bm25;
2. ``complete``: once the vector search has its candidates too, the terms left out are scored over
   the candidates of both searches from their stored keyword columns, with FTS5's own bm25 (its
   row count and mean row length), and added to what FTS5 gave.

A common term so still counts where it decides between candidates, at the cost of the few hundred
candidates instead of the archive's postings. With the budget scaled to SQuAD-it's size, leaving
the common terms out altogether cost 8 points of Italian recall@1 at the equivalent of 10,000
postings in a million passages. Scoring them over both searches' candidates lost nothing; over
FTS5's hits alone it lost 3 (``bench/budget.py``, docs/benchmarks.md). An archive where every
question fits in the budget searches exactly as FTS5 alone: on SQuAD-it the costliest of 14,504
questions reads 17,022 postings.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from index import keywords
from index.questions import Question
from index.store import Store


@dataclass(frozen=True)
class KeywordHits:
    """What the first step found for one question."""

    scores: dict[int, float]  # passage id -> bm25 of the terms searched, best first
    frequencies: dict[str, int]  # in how many passages each term of the question occurs (0: none)
    left_out: dict[str, list[str]]  # per family, the terms some passage holds that FTS5 was not given


def search(store: Store, question: Question, budget: int | None, limit: int) -> KeywordHits:
    """The first step: the question's rarest terms within ``budget`` postings (``None``: all), in FTS5."""
    frequencies = frequencies_of(store, question.every_term)
    present = keywords.bounded(question.terms, frequencies, None)
    searched = keywords.bounded(present, frequencies, budget)
    left_out = {family: [t for t in terms if t not in searched.get(family, ())] for family, terms in present.items()}
    scores = store.keyword_search(keywords.match_expression(searched), limit)
    return KeywordHits(dict(scores), frequencies, {family: terms for family, terms in left_out.items() if terms})


def complete(store: Store, hits: KeywordHits, found: dict[int, float], candidates: Iterable[int]) -> dict[int, float]:
    """The second step: ``found`` (the first step's scores the caller kept) with the bm25 of the
    terms left out added, over ``found`` and ``candidates`` (the vector search's); a candidate
    holding none of the question's terms is left out. Without terms left out, ``found`` itself."""
    if not hits.left_out:
        return found
    ids = list(dict.fromkeys([*found, *candidates]))
    rows, mean_length = store.keyword_totals()
    weights = {term: keywords.idf(hits.frequencies[term], rows) for terms in hits.left_out.values() for term in terms}
    columns = store.keyword_columns(ids)
    scores = {}
    for pid in ids:
        extra = keywords.bm25(hits.left_out, columns[pid], weights, mean_length) if pid in columns else 0.0
        if (score := found.get(pid, 0.0) + extra) > 0:
            scores[pid] = score
    return scores


def frequencies_of(store: Store, terms: Iterable[str], known: dict[str, int] | None = None) -> dict[str, int]:
    """In how many passages each term occurs (0: none), read from the store unless ``known``."""
    known = known or {}
    wanted = list(dict.fromkeys(t for t in terms if t not in known))
    found = store.document_frequencies(wanted)
    return {**known, **{term: found.get(term, 0) for term in wanted}}
