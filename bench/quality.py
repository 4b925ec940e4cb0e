"""Retrieval quality on SQuAD-it: keyword-only, vector-only and the shipped hybrid, side by side.

The 2,010 Italian paragraphs are indexed as articles with the shipped pipeline; every Italian
question (7,609) and every English original of one (6,895) is asked, and the rank of the right
paragraph is read off each method's ranking (the same candidate lists the product fuses):
recall@1, @5, @20 and MRR@10, plus textbook reciprocal rank fusion (k=60) of the same two lists
for reference, and how often the top quote of the shipped hybrid holds the gold answer text.

    python bench/quality.py [--every N] [--limit N]     (a sample, for a quick look)

Targets (issue 3): Italian recall@5 >= 0.90 and recall@1 >= 0.73; English->Italian recall@5 >= 0.65
and recall@1 >= 0.40; the hybrid above both single methods on recall@5 in both languages.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
import time
from collections import defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import corpora  # noqa: E402
import squad  # noqa: E402

from index import ranking  # noqa: E402
from index.config import DEFAULT_MODEL  # noqa: E402
from index.embedder import Embedder  # noqa: E402
from index.opened import OpenedSnapshot  # noqa: E402

TODAY = dt.date(2026, 11, 21)
RRF_K = 60
METHODS = ("keyword", "vector", "rrf k=60", "hybrid (shipped)")
TARGETS = {"it": {"R@1": 0.73, "R@5": 0.90}, "en": {"R@1": 0.40, "R@5": 0.65}}


def article_ranking(passages: list[int], article_of: dict[int, str]) -> list[str]:
    """Distinct articles in the order their passages come."""
    return list(dict.fromkeys(article_of[pid] for pid in passages))


def rrf(keyword: dict[int, float], vector: dict[int, float]) -> dict[int, float]:
    fused: dict[int, float] = defaultdict(float)
    for scores in (keyword, vector):
        for position, pid in enumerate(ranking.rank(scores), start=1):
            fused[pid] += 1 / (RRF_K + position)
    return fused


class Evaluation:
    """Ranks of the gold paragraph per method, and quote hits, over one question set."""

    def __init__(self, archive: OpenedSnapshot):
        self.archive = archive
        self.answerer = archive.answerer
        self.ranks: dict[str, list[int]] = {m: [] for m in METHODS}
        self.quote_hits: list[bool] = []
        self.detected: list[str] = []

    def ask(self, question: squad.Question) -> None:
        answerer = self.answerer
        read = answerer.read(question.text, TODAY)
        self.detected.append(read.detected)
        candidates = answerer.search(read)
        hybrid, scores = answerer.rank(candidates)
        orders = {
            "keyword": ranking.rank(candidates.keyword),
            "vector": ranking.rank(candidates.vector),
            "rrf k=60": ranking.rank(rrf(candidates.keyword, candidates.vector)),
            "hybrid (shipped)": hybrid,
        }
        for method, passages in orders.items():
            articles = article_ranking(passages, answerer.article_of)
            self.ranks[method].append(articles.index(question.paragraph) + 1 if question.paragraph in articles else 0)
        if hybrid and answerer.article_of[hybrid[0]] == question.paragraph:
            self.quote_hits.append(self._quote_holds_answer(candidates, hybrid[0], scores[hybrid[0]], question))

    def _quote_holds_answer(self, candidates, pid: int, score: float, question: squad.Question) -> bool:
        quote, _ = self.answerer.assess_passage(candidates, pid, score)
        return squad.holds_answer(quote, question.answers)


def metrics(ranks: list[int]) -> dict[str, float]:
    count = len(ranks)
    found = lambda k: sum(1 for r in ranks if 0 < r <= k) / count  # noqa: E731
    return {
        "R@1": found(1), "R@5": found(5), "R@20": found(20),
        "MRR@10": sum(1 / r for r in ranks if 0 < r <= 10) / count,
    }


def report(name: str, language: str, evaluation: Evaluation, seconds: float) -> None:
    count = len(evaluation.detected)
    told = sum(1 for d in evaluation.detected if d == language) / count
    print(f"\n{name}: {count} questions, {1000 * seconds / count:.1f} ms each; language told right {told:.4f}")
    print(f"  {'method':<20}{'R@1':>8}{'R@5':>8}{'R@20':>8}{'MRR@10':>8}")
    table = {method: metrics(ranks) for method, ranks in evaluation.ranks.items()}
    for method, values in table.items():
        print(f"  {method:<20}" + "".join(f"{values[m]:>8.3f}" for m in ("R@1", "R@5", "R@20", "MRR@10")))
    hybrid = table["hybrid (shipped)"]
    targets = ", ".join(
        f"{m} {hybrid[m]:.3f} {'>=' if hybrid[m] >= t else '<'} {t}" for m, t in TARGETS[language].items()
    )
    beats = all(hybrid["R@5"] > table[m]["R@5"] for m in ("keyword", "vector"))
    print(f"  targets: {targets}; hybrid R@5 above keyword and vector: {'yes' if beats else 'NO'}")
    hits = evaluation.quote_hits
    right = table["hybrid (shipped)"]["R@1"]
    if hits:
        rate = sum(hits) / len(hits)
        print(f"  top quote holds the gold answer: {rate:.3f} when the top paragraph is right "
              f"({len(hits)} questions), {rate * right:.3f} of all questions")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", default=DEFAULT_MODEL)
    parser.add_argument("--limit", type=int, help="questions per language (default: all)")
    parser.add_argument("--every", type=int, default=1, help="take every N-th question (a quicker, spread sample)")
    args = parser.parse_args()
    embedder = Embedder(args.model, models_dir=corpora.MODELS_DIR)
    settings = corpora.squad_archive(embedder)
    archive = OpenedSnapshot.open(settings, embedder)
    print(f"SQuAD-it archive: {archive.stats().articles} articles, {archive.stats().passages} passages, "
          f"{archive.vectors.size} sentence vectors; model {embedder.identity}")
    for name, language, questions in (
        ("Italian questions", "it", squad.italian_questions()),
        ("English questions over the Italian paragraphs", "en", squad.english_questions()),
    ):
        questions = questions[:: args.every][: args.limit] if args.limit else questions[:: args.every]
        evaluation = Evaluation(archive)
        started = time.perf_counter()
        for question in questions:
            evaluation.ask(question)
        report(name, language, evaluation, time.perf_counter() - started)


if __name__ == "__main__":
    main()
