"""SQuAD-it for the benchmarks: its paragraphs as articles, its questions with their gold paragraphs.

Reads the public data in ``../shared/bench/`` (read-only; nothing is copied into the project).
"""

from __future__ import annotations

import functools
import gzip
import json
from dataclasses import dataclass
from pathlib import Path

from index.languages import fold

SHARED = Path(__file__).resolve().parents[2] / "shared" / "bench"
ITALIAN_FILE = SHARED / "SQuAD_it-test.json.gz"
ENGLISH_FILE = SHARED / "SQuAD-v1.1-dev.json.gz"


@dataclass(frozen=True)
class Question:
    id: str
    text: str
    paragraph: str  # the gold paragraph's article id ("squad.jsonl#p0042")
    answers: tuple[str, ...]


def _load(path: Path) -> list[dict]:
    with gzip.open(path, "rt", encoding="utf-8") as stream:
        return json.load(stream)["data"]


def paragraphs() -> list[dict]:
    """Every Italian paragraph as an article object: id, title (its Wikipedia article), text."""
    items = []
    for article in _load(ITALIAN_FILE):
        for paragraph in article["paragraphs"]:
            items.append({"id": f"p{len(items):04d}", "title": article["title"], "text": paragraph["context"]})
    return items


def write_articles(folder: Path, name: str = "squad.jsonl", items: list[dict] | None = None) -> Path:
    """The paragraphs (or ``items`` of them) as one .jsonl article file in ``folder``."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    text = "".join(json.dumps(item, ensure_ascii=False) + "\n" for item in (paragraphs() if items is None else items))
    if path.exists() and path.read_text(encoding="utf-8") == text:
        return path  # unchanged: the next build is a no-op
    path.write_text(text, encoding="utf-8")
    return path


def italian_questions(name: str = "squad.jsonl") -> list[Question]:
    """The 7,609 Italian questions, each with its gold paragraph."""
    questions, number = [], 0
    for article in _load(ITALIAN_FILE):
        for paragraph in article["paragraphs"]:
            for qa in paragraph["qas"]:
                answers = tuple(a["text"] for a in qa["answers"])
                questions.append(Question(qa["id"], qa["question"], f"{name}#p{number:04d}", answers))
            number += 1
    return questions


def english_questions(name: str = "squad.jsonl") -> list[Question]:
    """The English originals of the Italian questions that kept their id, over the Italian paragraphs."""
    english = {
        qa["id"]: qa["question"]
        for article in _load(ENGLISH_FILE)
        for paragraph in article["paragraphs"]
        for qa in paragraph["qas"]
    }
    return [
        Question(q.id, english[q.id], q.paragraph, q.answers)  # gold answers stay Italian: quotes are Italian
        for q in italian_questions(name)
        if q.id in english
    ]


def topic_number(paragraph_id: str) -> int:
    """The Wikipedia article (topic) number of a paragraph id ("p0042" or "squad.jsonl#p0042")."""
    return _topic_numbers()[paragraph_id.rsplit("#", 1)[-1]]


@functools.cache
def _topic_numbers() -> dict[str, int]:
    return {key.rsplit("#", 1)[-1]: topic for key, topic in paragraph_topics().items()}


def paragraph_topics(name: str = "squad.jsonl") -> dict[str, int]:
    """The Wikipedia article (topic) number of every paragraph's article id."""
    topics, number = {}, 0
    for topic, article in enumerate(_load(ITALIAN_FILE)):
        for _ in article["paragraphs"]:
            topics[f"{name}#p{number:04d}"] = topic
            number += 1
    return topics


def holds_answer(text: str, answers: tuple[str, ...]) -> bool:
    """Whether ``text`` holds one of the gold answers (accents, case and spacing aside)."""
    held = " ".join(fold(text).split())
    return any(" ".join(fold(a).split()) in held for a in answers if a.strip())
