"""What the keyword side's postings budget costs in quality, with the budget scaled to the archive.

At a million passages a question's common terms are left out of FTS5 (``keyword_search``): they cost
more postings than the budget. SQuAD-it is too small for any question to reach the shipped budget,
so here the budget is scaled by the archive's size: a budget of B postings at a million passages is
B × 3,036 / 1,017,944 here (the scale benchmark's archive is SQuAD-it recombined, so a term's
document frequency grows in proportion). On a seeded sample of Italian questions and their English
originals, the ranking ``ask`` shows before its "no answer" gate (the real search, fusion, dates
and variety), recall@1 and @5 of the gold paragraph, for: every term in FTS5; the terms over the
budget left out altogether; and the shipped way, those terms scored over the candidates of both
searches (``keyword_search.complete``). All in one run, on the same questions. Then, unscaled: the
SQuAD-it questions whose terms exceed the shipped budget itself, ranked both ways.

    python bench/budget.py [--sample 1500] [--budgets 5000,10000,20000,200000]
"""

from __future__ import annotations

import argparse
import contextlib
import dataclasses
import datetime as dt
import functools
import sys
from pathlib import Path
from unittest import mock

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import corpora  # noqa: E402
import squad  # noqa: E402
from calibrate import sample  # noqa: E402

from index import answering, keywords  # noqa: E402
from index.config import DEFAULT_MODEL  # noqa: E402
from index.embedder import Embedder  # noqa: E402
from index.opened import OpenedSnapshot  # noqa: E402

SCALE_PASSAGES = 1_017_944  # the million-passage archive of bench/scale.py
BUDGETS = (5_000, 10_000, 20_000, 200_000)
TODAY = dt.date(2026, 12, 3)


def shown_articles(answerer: answering.Answerer, text: str, k: int = 5) -> list[str]:
    """The articles of the first ``k`` passages of the ranking ``ask`` judges."""
    ranked, _ = answerer.rank(answerer.search(answerer.read(text, TODAY)))
    return list(dict.fromkeys(answerer.article_of[pid] for pid in ranked[:k]))


def recalls(answerer: answering.Answerer, asked: list[squad.Question]) -> tuple[float, float]:
    hits1 = hits5 = 0
    for question in asked:
        shown = shown_articles(answerer, question.text)
        hits1 += bool(shown) and shown[0] == question.paragraph
        hits5 += question.paragraph in shown
    return hits1 / len(asked), hits5 / len(asked)


def variants(answerer: answering.Answerer, passages: int, budgets: tuple[int, ...]):
    """(name, settings, whether the terms left out are scored over the candidates) of every row."""
    shipped = answerer.settings
    yield "every term in FTS5", dataclasses.replace(shipped, keyword_postings=None), True
    for budget in budgets:
        scaled = dataclasses.replace(shipped, keyword_postings=max(1, round(budget * passages / SCALE_PASSAGES)))
        yield f"{budget:,} at 1M: common terms left out", scaled, False
        yield f"{budget:,} at 1M: scored over the candidates", scaled, True


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sample", type=int, default=1500, help="questions per language")
    parser.add_argument("--budgets", type=lambda text: tuple(int(b) for b in text.split(",") if b), default=BUDGETS,
                        help="postings at a million passages, comma-separated")
    args = parser.parse_args()
    embedder = Embedder(DEFAULT_MODEL, models_dir=corpora.MODELS_DIR)
    embedder.encode_question = functools.lru_cache(maxsize=None)(embedder.encode_question)  # each question once
    archive = OpenedSnapshot.open(corpora.squad_archive(embedder), embedder)
    answerer, passages = archive.answerer, len(archive.answerer.article_of)
    asked = {"it": sample(squad.italian_questions(), args.sample), "en": sample(squad.english_questions(), args.sample)}
    print(f"model {embedder.identity}; {passages:,} passages; {args.sample} questions per language; the ranking before the gate")
    print(f"{'keyword side':<48}{'IT R@1':>8}{'IT R@5':>8}{'EN R@1':>8}{'EN R@5':>8}")
    shipped = answerer.settings
    for name, settings, completed in variants(answerer, passages, args.budgets):
        answerer.settings = settings
        with mock.patch.object(answering.keyword_search, "complete", _left_out) if not completed else contextlib.nullcontext():
            figures = [value for language in ("it", "en") for value in recalls(answerer, asked[language])]
        print(f"{name:<48}" + "".join(f"{value:>8.3f}" for value in figures), flush=True)
    answerer.settings = shipped
    unscaled(answerer, squad.italian_questions() + squad.english_questions())
    archive.close()


def unscaled(answerer: answering.Answerer, asked: list[squad.Question]) -> None:
    """The questions of SQuAD-it whose terms exceed the shipped budget itself (not scaled), ranked
    with every term in FTS5 and as shipped: the only ones ``bench/quality.py`` sees change."""
    shipped = answerer.settings
    over = [q for q in asked if _postings(answerer, q.text) > shipped.keyword_postings]
    print(f"\nSQuAD-it at the shipped budget ({shipped.keyword_postings:,} postings, not scaled): "
          f"{len(over)} of {len(asked):,} questions exceed it; hits among them (R@1, R@5):")
    for name, budget in (("every term in FTS5", None), ("shipped", shipped.keyword_postings)):
        answerer.settings = dataclasses.replace(shipped, keyword_postings=budget)
        shown = [shown_articles(answerer, q.text) for q in over]
        hits1 = sum(bool(s) and s[0] == q.paragraph for s, q in zip(shown, over))
        print(f"  {name:<46}{hits1:>8}{sum(q.paragraph in s for s, q in zip(shown, over)):>8}")
    answerer.settings = shipped


def _postings(answerer: answering.Answerer, text: str) -> int:
    """The postings FTS5 would read for every term of the question that some passage holds."""
    question = answerer.read(text, TODAY)
    frequencies = answerer.frequencies(question.every_term)
    return sum(frequencies[term] for terms in keywords.bounded(question.terms, frequencies, None).values() for term in terms)


def _left_out(store, hits, found, candidates):
    """``keyword_search.complete`` as if the terms left out did not count."""
    return found


if __name__ == "__main__":
    main()
