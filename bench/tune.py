"""Where the shipped weights come from: fusion weights and the "no answer" model, re-derived.

On SQuAD-it, questions of even-numbered Wikipedia articles tune, odd-numbered ones check:
1. the keyword weight of the fusion, per question language, chosen for recall@5 (then @1);
2. the confidence model (``index.quotes.CONFIDENCE``): a logistic regression per language of the
   top passage's signals (cosine, keyword coverage, fused score), answerable questions against the
   same questions with their whole Wikipedia article removed (a topic the archive never covered);
3. its thresholds, checked on the questions written for the seed archive
   (``tests/index/seed_questions.py``), each printed with its confidence.

    python bench/tune.py [--every N]

It prints the values; the shipped ones live in ``index/ranking.py`` and ``index/quotes.py``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from dataclasses import replace
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import corpora  # noqa: E402
import squad  # noqa: E402
from index import dates, ranking  # noqa: E402
from index.answering import search_language  # noqa: E402
from index.archive import Archive  # noqa: E402
from index.embedder import Embedder  # noqa: E402
from index.languages import UNDETERMINED, detect_language  # noqa: E402
from index.quotes import CONFIDENCE, Signals  # noqa: E402
from tests.index.seed_questions import ANSWERABLE, UNANSWERABLE  # noqa: E402

GRID = np.round(np.arange(0.3, 1.0001, 0.025), 3)
TODAY = dt.date(2026, 11, 21)


def search_all(archive: Archive, questions: list[squad.Question]) -> list:
    answerer = archive.answerer
    found = []
    for question in questions:
        found.append(answerer.search(question.text, search_language(detect_language(question.text, UNDETERMINED))))
    return found


def gold_rank(scores: dict[int, float], gold: str, article_of: dict[int, str]) -> int:
    articles = list(dict.fromkeys(article_of[pid] for pid in ranking.rank(scores)))
    return articles.index(gold) + 1 if gold in articles else 0


def recall(ranks: list[int], k: int) -> float:
    return sum(1 for r in ranks if 0 < r <= k) / max(1, len(ranks))


def tune_weights(archive, questions, candidates, topics) -> dict[str, float]:
    """The keyword weight per language that maximizes tune-half recall@5 (then @1)."""
    article_of = archive.answerer.article_of
    chosen = {}
    for language in ("it", "en"):
        rows = [(q, c) for q, c in zip(questions, candidates) if c.language == language]
        best = None
        for weight in GRID:
            ranks = {"tune": [], "held": []}
            for question, cand in rows:
                fused = ranking.fuse(cand.keyword, cand.cosines, weight)
                half = "tune" if topics[question.paragraph] % 2 == 0 else "held"
                ranks[half].append(gold_rank(fused, question.paragraph, article_of))
            key = (recall(ranks["tune"], 5), recall(ranks["tune"], 1))
            if best is None or key > best[0]:
                best = (key, weight, recall(ranks["held"], 5), recall(ranks["held"], 1))
        (tune5, tune1), weight, held5, held1 = best
        chosen[language] = float(weight)
        print(f"{language}: keyword weight {weight:.3f}  tune R@5 {tune5:.4f} R@1 {tune1:.4f} | held R@5 {held5:.4f} R@1 {held1:.4f}")
    return chosen


def top_signals(archive: Archive, cand, keep=lambda pid: True) -> Signals | None:
    """Signals of the best passage among the candidates ``keep`` allows (fusion redone without the others)."""
    answerer = archive.answerer
    keyword = {p: s for p, s in cand.keyword.items() if keep(p)}
    cosines = {p: s for p, s in cand.cosines.items() if keep(p)}
    fused = ranking.fuse(keyword, cosines, answerer.settings.weights.keyword_weight(cand.language))
    if not fused:
        return None
    top = ranking.rank(fused)[0]
    reduced = replace(cand, keyword=keyword, cosines=cosines, fused=fused)
    return answerer.assess_passage(reduced, top, fused[top])[1]


def fit_logistic(x: np.ndarray, y: np.ndarray, ridge: float = 1e-2, steps: int = 50) -> np.ndarray:
    """Logistic regression by Newton's method (weights then intercept)."""
    design = np.hstack([x, np.ones((len(x), 1))])
    w = np.zeros(design.shape[1])
    for _ in range(steps):
        p = 1 / (1 + np.exp(-design @ w))
        gradient = design.T @ (p - y) + ridge * np.r_[w[:-1], 0]
        hessian = (design * (p * (1 - p))[:, None]).T @ design + ridge * np.eye(len(w))
        w -= np.linalg.solve(hessian, gradient)
    return w


def auc(positive: np.ndarray, negative: np.ndarray) -> float:
    scores = np.r_[positive, negative]
    order = scores.argsort().argsort() + 1
    return (order[: len(positive)].sum() - len(positive) * (len(positive) + 1) / 2) / (len(positive) * len(negative))


def tune_confidence(archive, questions, candidates, topics) -> None:
    article_of = archive.answerer.article_of
    topic_of = {pid: topics.get(article) for pid, article in article_of.items()}
    for language in ("it", "en"):
        rows = {"tune": ([], []), "held": ([], [])}
        for question, cand in zip(questions, candidates):
            if cand.language != language:
                continue
            half = "tune" if topics[question.paragraph] % 2 == 0 else "held"
            gone = topics[question.paragraph]
            answerable = top_signals(archive, cand)
            off_topic = top_signals(archive, cand, lambda pid: topic_of[pid] != gone)
            if answerable and off_topic:
                rows[half][0].append((answerable.cosine, answerable.coverage, answerable.fused))
                rows[half][1].append((off_topic.cosine, off_topic.coverage, off_topic.fused))
        positive, negative = (np.array(r) for r in rows["tune"])
        w = fit_logistic(np.vstack([positive, negative]), np.r_[np.ones(len(positive)), np.zeros(len(negative))])
        model = lambda x: 1 / (1 + np.exp(-(np.asarray(x) @ w[:3] + w[3])))  # noqa: E731
        held_pos, held_neg = (np.array(r) for r in rows["held"])
        print(f"{language}: cosine {w[0]:.3f}, coverage {w[1]:.3f}, fused {w[2]:.3f}, intercept {w[3]:.3f}; "
              f"held-out AUC {auc(model(held_pos), model(held_neg)):.3f}")
        shipped = CONFIDENCE[language]
        probability = lambda x: np.array([shipped.probability(Signals(*row)) for row in x])  # noqa: E731
        for threshold in (0.05, 0.1, 0.15, 0.2, 0.3, 0.4, 0.5):
            print(f"   shipped model, threshold {threshold}: answers {np.mean(probability(held_pos) >= threshold):.3f} "
                  f"of answerable, {np.mean(probability(held_neg) >= threshold):.3f} of off-topic (held half)"
                  + (" <- shipped" if threshold == shipped.threshold else ""))


def top_answer(archive: Archive, question: str) -> tuple[str, float, str]:
    """(article, confidence, quote) of the best-ranked passage, whether or not it is answered."""
    answerer = archive.answerer
    language = search_language(detect_language(question, UNDETERMINED))
    period = dates.parse_period(question, TODAY)
    candidates = answerer.search(question, language, period)
    ranked, scores = answerer.rank(candidates, period)
    top = ranked[0]
    quote, signals = answerer.assess_passage(candidates, top, scores[top])
    return answerer.article_of[top], CONFIDENCE[language].probability(signals), quote


def seed_check(embedder: Embedder) -> None:
    archive = Archive.open(corpora.seed_archive(embedder), embedder)
    print("\nseed archive, written questions: the top passage's confidence and the answer given")
    misses = 0
    for question, article, words in ANSWERABLE:
        top, confidence, quote = top_answer(archive, question)
        response = archive.ask(question, k=1, today=TODAY)
        right = not response.no_answer and response.answers[0].article_id == article
        misses += not right
        holds = "quote holds" if words.casefold() in quote.casefold() else "quote lacks"
        print(f"  {'ok ' if right else 'MISS'} answerable   {confidence:.2f} {top[:6]} {holds} {words!r:16} {question}")
    for question in UNANSWERABLE:
        top, confidence, _ = top_answer(archive, question)
        misses += not archive.ask(question, k=1, today=TODAY).no_answer
        print(f"  {'ok ' if archive.ask(question, k=1, today=TODAY).no_answer else 'MISS'} unanswerable {confidence:.2f} {question}")
    print(f"  {misses} of {len(ANSWERABLE) + len(UNANSWERABLE)} written questions missed")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--every", type=int, default=1)
    parser.add_argument("--seeds-only", action="store_true")
    args = parser.parse_args()
    embedder = Embedder()
    if not args.seeds_only:
        archive = Archive.open(corpora.squad_archive(embedder), embedder)
        questions = (squad.italian_questions() + squad.english_questions())[:: args.every]
        topics = squad.paragraph_topics()
        candidates = search_all(archive, questions)
        print("fusion weights (keyword share), tuned on even topics, checked on odd ones:")
        tune_weights(archive, questions, candidates, topics)
        print("\nconfidence model, fitted on even topics (answerable vs. topic removed):")
        tune_confidence(archive, questions, candidates, topics)
    seed_check(embedder)


if __name__ == "__main__":
    main()
