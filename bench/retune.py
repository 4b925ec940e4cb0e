"""What each part of retrieval earns with a model: the keyword weight, the keyword families of English
questions, the glossary, and whether the model reads Italian questions whole or without stopwords.

On SQuAD-it (the 2,010 paragraphs as articles, built with the shipped pipeline), a seeded sample of
Italian questions and of their English originals: each question's keyword hits (for English ones
also without the glossary, and with prefixes only) and its vector (the question read whole, and
without its stopwords) are computed once; then every variant is ranked the way ``ask`` ranks —
the best sentence's cosine per passage, the first ``candidates`` of each side, z-score fusion, at
most two passages per article, the first five passages — and scored by recall@1 and @5 of the gold
paragraph among their articles. Rows split the topics into even (tuning) and odd (checking) halves.
No "no answer" gate here: ``bench/shown.py`` measures what the command shows.

    python bench/retune.py [--model NAME] [--sample N]
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import dataclass
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import corpora  # noqa: E402
import squad  # noqa: E402
from calibrate import sample  # noqa: E402

from index import keywords, ranking  # noqa: E402
from index.answering import RetrievalSettings  # noqa: E402
from index.config import DEFAULT_MODEL  # noqa: E402
from index.embedder import Embedder  # noqa: E402
from index.languages import ITALIAN, UNDETERMINED, detect_language  # noqa: E402
from index.opened import OpenedSnapshot  # noqa: E402
from index.questions import search_language  # noqa: E402

WEIGHTS = (0.0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.85, 1.0)
K, PER_ARTICLE = 5, 2


@dataclass(frozen=True)
class Asked:
    language: str  # the sample's language
    gold: str
    even: bool  # the question's topic is in the tuning half
    hits: dict[str, dict[int, float]]  # keyword variant -> passage id -> bm25
    vectors: dict[str, np.ndarray]  # question text variant -> its vector


class Passages:
    """Every passage's sentence vectors, to score all passages against a question at once."""

    def __init__(self, archive: OpenedSnapshot):
        self.article_of = archive.answerer.article_of
        self.ids = sorted(self.article_of)
        found = archive.store.sentence_vectors(self.ids, archive.vectors.dimension)
        self.rows = np.concatenate([found[pid] for pid in self.ids])
        self.owner = np.concatenate([[i] * len(found[pid]) for i, pid in enumerate(self.ids)])
        self.position = {pid: i for i, pid in enumerate(self.ids)}

    def best_cosines(self, query: np.ndarray) -> np.ndarray:
        best = np.full(len(self.ids), -2.0)
        np.maximum.at(best, self.owner, self.rows @ query)
        return best

    def shown(self, hits: dict[int, float], cosines: np.ndarray, weight: float, candidates: int = 100) -> list[str]:
        """The articles of the first five passages, ranked as ``ask`` ranks them."""
        top = np.argsort(-cosines)[:candidates]
        vector = {self.ids[i]: float(cosines[i]) for i in top}
        both = {**{pid: float(cosines[self.position[pid]]) for pid in hits if pid not in vector}, **vector}
        fused = ranking.fuse(hits, both, weight)
        ranked = ranking.cap_per_group(ranking.rank(fused), self.article_of.__getitem__, PER_ARTICLE)[:K]
        return list(dict.fromkeys(self.article_of[pid] for pid in ranked))


def ask_all(archive: OpenedSnapshot, embedder: Embedder, per_language: int | None) -> list[Asked]:
    topics, store, out = squad.paragraph_topics(), archive.store, []
    for language, questions in (("it", squad.italian_questions()), ("en", squad.english_questions())):
        for question in sample(questions, per_language):
            searched = search_language(detect_language(question.text, UNDETERMINED))
            variants = {"shipped": keywords.query_terms(question.text, searched)}
            if searched == "en":
                variants["no glossary"] = keywords.query_terms(question.text, searched, use_glossary=False)
                variants["prefixes only"] = {"prefixes": keywords.prefixes(keywords.question_words(question.text, "en"))}
            hits = {name: dict(store.keyword_search(keywords.match_expression(terms), 100)) for name, terms in variants.items()}
            bare = " ".join(keywords.question_words(question.text, ITALIAN)) if searched == ITALIAN else question.text
            vectors = {"whole": embedder.encode_question(question.text), "without stopwords": embedder.encode_question(bare or question.text)}
            out.append(Asked(language, question.paragraph, topics[question.paragraph] % 2 == 0, hits, vectors))
    return out


def recalls(passages: Passages, asked: list[Asked], hits: str, vector: str, weight: float) -> dict[str, tuple[float, float]]:
    shown = [passages.shown(a.hits.get(hits, a.hits["shipped"]), passages.best_cosines(a.vectors[vector]), weight) for a in asked]
    out = {}
    for half, keep in (("even", lambda a: a.even), ("odd", lambda a: not a.even), ("all", lambda a: True)):
        pairs = [(s, a.gold) for s, a in zip(shown, asked) if keep(a)]
        out[half] = (np.mean([bool(s) and s[0] == g for s, g in pairs]), np.mean([g in s for s, g in pairs]))
    return out


def report(passages: Passages, asked: list[Asked], model: str) -> None:
    settings = RetrievalSettings.for_model(model)
    print(f"{'questions':<10}{'keywords':<15}{'model reads':<19}{'weight':>7}   R@1/R@5: even (tune)   odd (check)    all")
    for language in ("it", "en"):
        mine = [a for a in asked if a.language == language]
        bare = language == "it" and settings.italian_without_stopwords
        variants = [("shipped", "without stopwords" if bare else "whole")]
        variants += [("shipped", "whole" if bare else "without stopwords")] if language == "it" else [
            ("no glossary", "whole"), ("prefixes only", "whole")]
        for hits, vector in variants:
            for weight in WEIGHTS:
                r = recalls(passages, mine, hits, vector, weight)
                mark = "  <- shipped" if weight == settings.weights.keyword_weight(language) and (hits, vector) == variants[0] else ""
                print(f"{language:<10}{hits:<15}{vector:<19}{weight:>7.2f}   " + "   ".join(f"{r[h][0]:.3f}/{r[h][1]:.3f}" for h in ("even", "odd", "all")) + mark)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", default=DEFAULT_MODEL)
    parser.add_argument("--sample", type=int, default=1500, help="questions per language (0: all)")
    args = parser.parse_args()
    embedder = Embedder(args.model, models_dir=corpora.MODELS_DIR)
    archive = OpenedSnapshot.open(corpora.squad_archive(embedder), embedder)
    print(f"model {embedder.identity}; {args.sample or 'all'} questions per language")
    report(Passages(archive), ask_all(archive, embedder, args.sample or None), embedder.identity)


if __name__ == "__main__":
    main()
