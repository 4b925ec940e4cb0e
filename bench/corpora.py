"""Corpora for the benchmarks, built once and kept in ``bench/.work/`` (ignored by git).

- ``squad_archive()``: the 2,010 SQuAD-it paragraphs as articles, indexed with the shipped pipeline.
- ``squad_archive(embedder, root, model)`` with another model: kept apart, ``bench/.work/squad-<model>``.
- ``held_out_archive(embedder, every)``: the same without every ``every``-th Wikipedia article (topic),
  made from the full one by removing paragraphs (an incremental build: nothing is embedded again).
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

from index.build import build_index
from index.config import MINILM_MODEL, Settings, load_settings
from index.embedder import Embedder
from index.passages import embedding_text
from index.snapshot import current, store_path
from index.store import Store

WORK = Path(__file__).resolve().parent / ".work"
SEEDS = Path(__file__).resolve().parents[1] / "data" / "articles"
MODELS_DIR = load_settings().models_dir  # where converted models are installed (NEWSDESK_MODELS_DIR)
COPY_MARKER = re.compile(r" \[copia \d+\]")
NOISE = 0.02


def model_slug(identity: str) -> str:
    """A folder name for a model: "" for MiniLM, once the default (its archives keep their old folders)."""
    if identity == MINILM_MODEL:
        return ""
    return "-" + re.sub(r"[^A-Za-z0-9.]+", "_", Path(identity).name or identity).strip("_")


def squad_archive(embedder: Embedder, root: Path | None = None) -> Settings:
    root = root or WORK / f"squad{model_slug(embedder.identity)}"
    settings = Settings.for_data_dir(root, model=embedder.identity, models_dir=MODELS_DIR)
    if not (settings.articles_dir / "squad.jsonl").exists():
        squad.write_articles(settings.articles_dir)
    build_index(settings, embedder)
    return settings


def held_out_archive(embedder: Embedder, every: int = 8, offset: int = 0) -> Settings:
    """SQuAD-it without the topics ``t`` with ``t % every == offset``: a copy of the full archive,
    its article file rewritten without them, brought up to date incrementally."""
    full = squad_archive(embedder)
    root = WORK / f"squad{model_slug(embedder.identity)}-without{offset}of{every}"
    settings = Settings.for_data_dir(root, model=embedder.identity, models_dir=MODELS_DIR)
    if not settings.index_dir.exists():
        shutil.copytree(full.index_dir, settings.index_dir, symlinks=True)
    kept = [p for p in squad.paragraphs() if squad.topic_number(p["id"]) % every != offset]
    squad.write_articles(settings.articles_dir, items=kept)
    build_index(settings, embedder)
    return settings


def seed_archive(embedder: Embedder, root: Path | None = None) -> Settings:
    root = root or WORK / f"seeds{model_slug(embedder.identity)}"
    settings = Settings.for_data_dir(root, model=embedder.identity, models_dir=MODELS_DIR)
    if not settings.articles_dir.exists():
        shutil.copytree(SEEDS, settings.articles_dir)
    build_index(settings, embedder)
    return settings


class RepeatingEmbedder(Embedder):
    """Embeds a copy's passage as its original's sentence vectors plus seeded noise (bench only)."""

    def __init__(self, model: str):
        super().__init__(model)
        self._cache: dict[str, np.ndarray] = {}
        self._rng = np.random.default_rng(7)

    def prime(self, settings: Settings) -> None:
        """Take the sentence vectors of an archive already built (the SQuAD one) instead of embedding again."""
        store = Store(store_path(current(settings.index_dir)))
        rows = store.db.execute(
            "SELECT p.id, a.title, p.text FROM passages p JOIN articles a ON a.id = p.article_id"
        ).fetchall()
        vectors = store.sentence_vectors([pid for pid, _, _ in rows], self.dimension)
        for pid, title, text in rows:
            self._cache[embedding_text(title, text)] = vectors[pid]

    def encode_sentences(self, texts, spans, progress=None):
        out, missing = [], []
        for number, (text, text_spans) in enumerate(zip(texts, spans)):
            cached = self._cache.get(COPY_MARKER.sub("", text))
            if cached is None or len(cached) != len(text_spans):
                missing.append(number)
                out.append(None)
            else:
                out.append(self._noisy(cached))
        if progress:
            progress(len(texts) - len(missing))
        fresh = super().encode_sentences([texts[i] for i in missing], [spans[i] for i in missing], progress)
        for number, matrix in zip(missing, fresh):
            out[number] = matrix
        return out

    def _noisy(self, matrix: np.ndarray) -> np.ndarray:
        noisy = matrix + self._rng.normal(0, NOISE, matrix.shape).astype(np.float32)
        return (noisy / np.linalg.norm(noisy, axis=1, keepdims=True)).astype(np.float32)


def repeated_archive(embedder: Embedder, copies: int = 25, root: Path | None = None) -> Settings:
    """SQuAD-it ``copies`` times over (built from the SQuAD archive's vectors, plus noise)."""
    root = root or WORK / f"repeated{copies}{model_slug(embedder.identity)}"
    settings = Settings.for_data_dir(root, model=embedder.identity, models_dir=MODELS_DIR)
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

