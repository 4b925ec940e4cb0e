"""The scale benchmark's corpus: SQuAD-it recombined into a newsroom's archive, and its vectors.

- ``Topics``: the sentences of SQuAD-it's 2,010 paragraphs, by Wikipedia article (48 topics,
  about 10,200 distinct sentences), as the indexer splits them.
- ``ArticleStream``: the 2,010 paragraphs as they are (``squad.jsonl``: the questions' gold
  paragraphs are in every archive), then news articles of 1–4 paragraphs, each paragraph a new
  combination of sentences of one topic (in their original order, as many as a paragraph of that
  topic has), never a paragraph seen before; each article with a distinct title, 100 a day from
  2006-01-01 (a daily paper's rate), 1,000 a ``.jsonl`` file. Deterministic: a larger archive's
  files begin with a smaller one's.
- ``RecombiningEmbedder``: sentence vectors without running the model over a million passages.
  Each distinct base sentence is encoded once by the real model (cached in ``bench/.work``);
  a sentence of a new passage gets its base vector, moved a little towards its passage's mean
  (the context late chunking would give it) and by seeded noise, renormalised. Its identity is
  the real model's, so the real embedder opens the archive afterwards.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np

import squad
from index.embedder import PASSAGE, Embedder
from index.passages import split_sentences

ARTICLES_PER_FILE = 1_000
ARTICLES_PER_DAY = 100
FIRST_DAY = dt.date(2006, 1, 1)
PARAGRAPHS_PER_ARTICLE = (1, 4)  # inclusive
CHARS_PER_PASSAGE = 540  # measured: e5 cuts these articles into 200-token passages of about 535 characters
TITLE_WORDS = 7
CONTEXT = 0.15  # how far a sentence's vector moves towards its passage's mean
NOISE = 0.02  # per dimension, as bench/corpora.py's copies
SEED = 14
UPDATE_SEED = 1_014  # the articles the updates add come from another stream


def _digest(text: str) -> bytes:
    return hashlib.blake2b(text.encode("utf-8"), digest_size=8).digest()


@dataclass(frozen=True)
class Topics:
    """SQuAD-it's sentences by topic, and how many sentences each of its paragraphs has."""

    names: tuple[str, ...]
    sentences: tuple[tuple[str, ...], ...]  # per topic, in the order of its paragraphs
    paragraph_sizes: tuple[tuple[int, ...], ...]  # per topic

    @classmethod
    def load(cls) -> "Topics":
        names, sentences, sizes = [], {}, {}
        for paragraph in squad.paragraphs():
            topic = paragraph["title"]
            if topic not in sentences:
                names.append(topic)
            found = [paragraph["text"][s:e] for s, e in split_sentences(paragraph["text"])]
            sentences.setdefault(topic, []).extend(found)
            sizes.setdefault(topic, []).append(len(found))
        return cls(tuple(names), tuple(tuple(sentences[n]) for n in names), tuple(tuple(sizes[n]) for n in names))

    def distinct_sentences(self) -> list[str]:
        return list(dict.fromkeys(s for topic in self.sentences for s in topic))


@dataclass(frozen=True)
class ArticleFile:
    name: str
    text: str  # the .jsonl file's content
    articles: int
    passages: float  # estimated, from its characters


class ArticleStream:
    """Article files, one after another, until ``passages`` (estimated) are written."""

    def __init__(self, topics: Topics, seed: int = SEED, first_number: int = 0, first_day: dt.date = FIRST_DAY):
        self.topics = topics
        self._rng = np.random.default_rng(seed)
        self._seen_paragraphs = {_digest(p["text"]) for p in squad.paragraphs()}
        self._seen_titles: set[str] = set()
        self._number = first_number
        self._first_day = first_day
        self._prefix = "u" if seed != SEED else "n"

    def files(self, passages: int, with_squad: bool = True) -> Iterator[ArticleFile]:
        """The archive's files: ``squad.jsonl`` first (when asked), then news files to ``passages``."""
        written = 0.0
        if with_squad:
            items = squad.paragraphs()
            text = "".join(json.dumps(item, ensure_ascii=False) + "\n" for item in items)
            written = sum(len(item["text"]) for item in items) / CHARS_PER_PASSAGE
            yield ArticleFile("squad.jsonl", text, len(items), written)
        number = 0
        while written < passages:
            lines, estimate = [], 0.0
            while len(lines) < ARTICLES_PER_FILE and written + estimate < passages:
                item = self.article()
                lines.append(json.dumps(item, ensure_ascii=False) + "\n")
                estimate += len(item["text"]) / CHARS_PER_PASSAGE
            written += estimate
            yield ArticleFile(f"{self._prefix}{number:05d}.jsonl", "".join(lines), len(lines), estimate)
            number += 1

    def article(self) -> dict:
        """The next news article: id, title, date, text (paragraphs a blank line apart)."""
        topic = int(self._rng.integers(len(self.topics.names)))
        low, high = PARAGRAPHS_PER_ARTICLE
        paragraphs = [self._paragraph(topic) for _ in range(int(self._rng.integers(low, high + 1)))]
        day = self._first_day + dt.timedelta(days=self._number // ARTICLES_PER_DAY)
        item = {
            "id": f"{self._prefix}{self._number:07d}",
            "title": self._title(topic, paragraphs),
            "date": day.isoformat(),
            "text": "\n\n".join(paragraphs),
        }
        self._number += 1
        return item

    def _paragraph(self, topic: int) -> str:
        pool, sizes = self.topics.sentences[topic], self.topics.paragraph_sizes[topic]
        while True:
            size = min(len(pool), int(sizes[self._rng.integers(len(sizes))]))
            chosen = np.sort(self._rng.choice(len(pool), size=size, replace=False))
            text = " ".join(pool[i] for i in chosen)
            if _digest(text) not in self._seen_paragraphs:
                self._seen_paragraphs.add(_digest(text))
                return text

    def _title(self, topic: int, paragraphs: list[str]) -> str:
        """The topic and the opening words of one of the article's sentences: distinct, like a headline."""
        sentences = [p[a:b] for p in paragraphs for a, b in split_sentences(p)]
        for attempt in range(8):
            words = sentences[int(self._rng.integers(len(sentences)))].split()[:TITLE_WORDS]
            title = f"{self.topics.names[topic]}: {' '.join(words).rstrip('.,;:')}"
            if attempt == 7:
                title = f"{title} ({self._number})"
            if title not in self._seen_titles:
                self._seen_titles.add(title)
                return title
        raise AssertionError("unreachable")


class RecombiningEmbedder(Embedder):
    """Sentence vectors from each base sentence's real vector, moved by context and seeded noise (bench only).

    ``seconds`` adds up the time spent in ``encode_sentences`` (what a build spends embedding);
    ``sentences`` and ``encoded`` count the sentences served and those the real model had to encode.
    """

    def __init__(self, model: str, models_dir: Path, cache: Path):
        super().__init__(model, models_dir=models_dir)
        self._cache_path = cache
        self._base: dict[str, np.ndarray] = {}
        self._dirty = False
        self.seconds, self.sentences, self.encoded = 0.0, 0, 0
        self._load_cache()

    def reset_counters(self) -> None:
        self.seconds, self.sentences, self.encoded = 0.0, 0, 0

    def prime(self, sentences: list[str]) -> int:
        """Encode (once, with the real model) the sentences not cached yet; how many were."""
        missing = [s for s in dict.fromkeys(sentences) if s not in self._base]
        for start in range(0, len(missing), 1024):
            self._encode_base(missing[start : start + 1024])
            self.save()
        return len(missing)

    def encode_sentences(self, texts, spans, progress=None):
        started = time.perf_counter()
        pieces = [[text[s:e] for s, e in text_spans] for text, text_spans in zip(texts, spans)]
        self._encode_base([s for piece in pieces for s in piece if s not in self._base])
        out = []
        for text, piece in zip(texts, pieces):
            out.append(self._varied(text, np.stack([self._base[s] for s in piece])))
            self.sentences += len(piece)
        if progress:
            progress(len(texts))
        self.seconds += time.perf_counter() - started
        return out

    def save(self) -> None:
        if not self._dirty:
            return
        self._cache_path.parent.mkdir(parents=True, exist_ok=True)
        texts = list(self._base)
        np.save(self._cache_path.with_suffix(".npy"), np.stack([self._base[t] for t in texts]))
        self._cache_path.with_suffix(".json").write_text(json.dumps(texts, ensure_ascii=False), encoding="utf-8")
        self._dirty = False

    def _load_cache(self) -> None:
        texts_file, vectors_file = self._cache_path.with_suffix(".json"), self._cache_path.with_suffix(".npy")
        if texts_file.exists() and vectors_file.exists():
            texts, vectors = json.loads(texts_file.read_text(encoding="utf-8")), np.load(vectors_file)
            if len(texts) == len(vectors):
                self._base = dict(zip(texts, vectors))

    def _encode_base(self, sentences: list[str]) -> None:
        sentences = list(dict.fromkeys(sentences))
        if sentences:
            self._base.update(zip(sentences, self.encode(sentences, kind=PASSAGE)))
            self.encoded += len(sentences)
            self._dirty = True

    @staticmethod
    def _varied(text: str, matrix: np.ndarray) -> np.ndarray:
        rng = np.random.default_rng(int.from_bytes(_digest(text), "little"))
        varied = matrix + CONTEXT * matrix.mean(0) + rng.normal(0, NOISE, matrix.shape)
        return (varied / np.linalg.norm(varied, axis=1, keepdims=True)).astype(np.float32)
