"""Where the shipped fusion weights come from, re-derived.

On SQuAD-it, questions of even-numbered Wikipedia articles tune, odd-numbered ones check: the
keyword weight of the fusion, per question language, chosen for recall@5 (then @1). Then the
written seed questions are checked with the shipped calibration. The "no answer" bar and the
answers' confidence are fitted by ``bench/calibrate.py``.

    python bench/tune.py [--model NAME] [--every N] [--seeds-only]

It prints the values beside the shipped ones (``index/ranking.py``; the calibration is in
``index/quotes.py``).
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import calibrate  # noqa: E402
import corpora  # noqa: E402
import squad  # noqa: E402

from index import ranking  # noqa: E402
from index.config import DEFAULT_MODEL  # noqa: E402
from index.embedder import Embedder  # noqa: E402
from index.opened import OpenedSnapshot  # noqa: E402

GRID = np.round(np.arange(0.0, 1.0001, 0.05), 3)
TODAY = dt.date(2026, 11, 21)


def search_all(archive: OpenedSnapshot, questions: list[squad.Question]) -> list:
    answerer = archive.answerer
    found = []
    for question in questions:
        found.append(answerer.search(answerer.read(question.text, TODAY)))
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
        shipped = ranking.fusion_weights(archive.embedder.identity).keyword_weight(language)
        print(f"{language}: keyword weight {weight:.3f} (shipped {shipped:.3f})  tune R@5 {tune5:.4f} R@1 {tune1:.4f} | "
              f"held R@5 {held5:.4f} R@1 {held1:.4f}")
    return chosen


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", default=DEFAULT_MODEL)
    parser.add_argument("--every", type=int, default=1)
    parser.add_argument("--seeds-only", action="store_true")
    args = parser.parse_args()
    embedder = Embedder(args.model, models_dir=corpora.MODELS_DIR)
    if not args.seeds_only:
        archive = OpenedSnapshot.open(corpora.squad_archive(embedder), embedder)
        questions = (squad.italian_questions() + squad.english_questions())[:: args.every]
        topics = squad.paragraph_topics()
        candidates = search_all(archive, questions)
        print("fusion weights (keyword share), tuned on even topics, checked on odd ones:")
        tune_weights(archive, questions, candidates, topics)
    calibrate.seed_check(embedder)


if __name__ == "__main__":
    main()
