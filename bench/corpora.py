"""Corpora for the benchmarks, built once and kept in ``bench/.work/`` (ignored by git).

- ``squad_archive()``: the 2,010 SQuAD-it paragraphs as articles, indexed with the shipped pipeline.
- ``seed_archive()``: the five seed articles.
- ``repeated_archive(copies)``: SQuAD-it repeated ``copies`` times (50 copies ≈ 100,000 passages), for speed
  at size. Each copy's text carries a marker, so it is a distinct article and passage; its vectors are
  the original passage's vector plus a little noise (``RepeatingEmbedder``), so building it costs one
  embedding of each original passage instead of a hundred thousand.
"""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import numpy as np

import squad
from index.archive import build_index
from index.build import embedding_text
from index.config import Settings
from index.embedder import Embedder
from index.snapshot import STORE_FILE, current
from index.store import Store

WORK = Path(__file__).resolve().parent / ".work"
SEEDS = Path(__file__).resolve().parents[1] / "data" / "articles"
COPY_MARKER = re.compile(r" \[copia \d+\]")
NOISE = 0.02


def squad_archive(embedder: Embedder, root: Path = WORK / "squad") -> Settings:
    settings = Settings.for_data_dir(root)
    if not (settings.articles_dir / "squad.jsonl").exists():
        squad.write_articles(settings.articles_dir)
    build_index(settings, embedder)
    return settings


def seed_archive(embedder: Embedder, root: Path = WORK / "seeds") -> Settings:
    settings = Settings.for_data_dir(root)
    if not settings.articles_dir.exists():
        shutil.copytree(SEEDS, settings.articles_dir)
    build_index(settings, embedder)
    return settings


class RepeatingEmbedder(Embedder):
    """Embeds a copy's text as its original's vector plus seeded noise (bench only)."""

    def __init__(self, model: str | None = None):
        super().__init__(model) if model else super().__init__()
        self._cache: dict[str, np.ndarray] = {}

    def prime(self, settings: Settings) -> None:
        """Take the vectors of an archive already built (the SQuAD one) instead of embedding again."""
        store = Store(current(settings.index_dir) / STORE_FILE)
        texts = dict(
            (pid, embedding_text(title, text))
            for pid, title, text in store.db.execute("SELECT id, title, text FROM passages")
        )
        for ids, matrix in store.vectors(self.dimension):
            for pid, vector in zip(ids.tolist(), matrix):
                self._cache[texts[pid]] = vector

    def encode(self, texts, progress=None, show_progress_bar=False):
        originals = [COPY_MARKER.sub("", text) for text in texts]
        missing = sorted({t for t in originals if t not in self._cache})
        if missing:
            for text, vector in zip(missing, super().encode(missing)):
                self._cache[text] = vector
        rng = np.random.default_rng(len(texts))
        vectors = np.stack([self._cache[t] for t in originals])
        vectors = vectors + rng.normal(0, NOISE, vectors.shape).astype(np.float32)
        return (vectors / np.linalg.norm(vectors, axis=1, keepdims=True)).astype(np.float32)


def repeated_archive(embedder: Embedder, copies: int = 50, root: Path | None = None) -> Settings:
    """SQuAD-it ``copies`` times over (built from the SQuAD archive's vectors, plus noise)."""
    root = root or WORK / f"repeated{copies}"
    settings = Settings.for_data_dir(root)
    if not settings.articles_dir.exists():
        settings.articles_dir.mkdir(parents=True)
        for copy in range(copies):
            with (settings.articles_dir / f"copy{copy:03d}.jsonl").open("w", encoding="utf-8") as stream:
                for item in squad.paragraphs():
                    item = {**item, "text": f"{item['text']} [copia {copy}]"}
                    stream.write(json.dumps(item, ensure_ascii=False) + "\n")
    repeating = RepeatingEmbedder(embedder.identity)
    repeating.prime(squad_archive(embedder))
    build_index(settings, repeating)
    return settings

