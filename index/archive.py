"""The archive: what the edges (CLI, bot) call — open an index, ask it, read its stats, rebuild it.

An open ``Archive`` is an immutable snapshot: many threads may ask it at once.
A rebuild (``build_index``) writes a new snapshot beside it; the caller then
opens a new ``Archive`` and swaps its reference, sharing the loaded model.
"""

from __future__ import annotations

import datetime as dt
import logging
from pathlib import Path

from index import build, snapshot
from index.answering import Answerer
from index.config import Settings
from index.embedder import Embedder
from index.errors import IndexCorruptError, ModelMismatchError
from index.records import BuildReport, Response, Stats
from index.readers import PIPELINE_VERSION
from index.store import SCHEMA_VERSION, Store
from index.vectors import VectorIndex

logger = logging.getLogger(__name__)

DEFAULT_ANSWERS = 3


class Archive:
    """An open, checked index snapshot. Thread-safe for asking and reading stats."""

    def __init__(self, folder: Path, manifest: dict, store: Store, vectors: VectorIndex, embedder: Embedder):
        self.folder = folder
        self.manifest = manifest
        self.store = store
        self.vectors = vectors
        self.embedder = embedder
        self._answerer = Answerer(store, vectors, embedder)

    @classmethod
    def open(cls, settings: Settings, embedder: Embedder | None = None) -> "Archive":
        """Open the live snapshot, checking it whole; raises ``IndexMissingError``,
        ``IndexCorruptError`` or ``ModelMismatchError``."""
        embedder = embedder or Embedder(settings.model)
        folder = snapshot.current(settings.index_dir)
        manifest = snapshot.read_manifest(folder)
        if (manifest.get("schema"), manifest.get("pipeline")) != (SCHEMA_VERSION, PIPELINE_VERSION):
            raise IndexCorruptError(
                "the index was built by another version of Newsdesk: rebuild it with `newsdesk index --full`"
            )
        if manifest.get("model") != embedder.identity:
            raise ModelMismatchError(
                f"the index was built with the model {manifest.get('model')!r} but {embedder.identity!r} "
                "is configured: rebuild it with `newsdesk index --full` (or set NEWSDESK_MODEL back)"
            )
        snapshot.check_files(folder, manifest)
        store = Store(folder / snapshot.STORE_FILE, readonly=True)
        store.check()
        vectors = VectorIndex.load(folder / snapshot.VECTORS_FILE, int(manifest.get("trained_size", 0)))
        check_in_step(store, vectors, manifest)
        return cls(folder, manifest, store, vectors, embedder)

    @property
    def answerer(self) -> Answerer:
        """The question-answering engine of this snapshot (benchmarks read its rankings)."""
        return self._answerer

    def ask(self, question: str, k: int = DEFAULT_ANSWERS, today: dt.date | None = None) -> Response:
        """The best ``k`` quoted answers to ``question`` (``QuestionError`` when it is empty)."""
        return self._answerer.ask(question, k=k, today=today or dt.date.today())

    def stats(self) -> Stats:
        articles, passages = self.store.counts()
        first, last = self.store.date_range()
        return Stats(
            articles=articles,
            passages=passages,
            first_date=first,
            last_date=last,
            model=str(self.manifest.get("model")),
            dimension=int(self.manifest.get("dimension", 0)),
            built_at=str(self.manifest.get("built_at")),
            vector_index=self.vectors.kind,
            sizes=snapshot.folder_sizes(self.folder),
            languages=self.store.languages(),
        )

    def close(self) -> None:
        self.store.close()


def check_in_step(store: Store, vectors: VectorIndex, manifest: dict) -> None:
    """Raise ``IndexCorruptError`` unless the database, the vectors and the manifest agree."""
    articles, passages = store.counts()
    if (articles, passages) != (manifest.get("articles"), manifest.get("passages")):
        raise IndexCorruptError(
            f"the database holds {articles} articles and {passages} passages, the manifest "
            f"{manifest.get('articles')} and {manifest.get('passages')}: the files are out of step"
        )
    stored = store.vector_ids()
    if vectors.size != len(stored) or vectors.size != manifest.get("vectors") or not (vectors.ids() == stored).all():
        raise IndexCorruptError(
            f"the vector file holds {vectors.size} vectors that do not match the database's "
            f"{len(stored)} sentence vectors: the files are out of step"
        )
    if vectors.dimension != manifest.get("dimension"):
        raise IndexCorruptError(f"the vectors have {vectors.dimension} dimensions, the manifest {manifest.get('dimension')}")


def build_index(
    settings: Settings,
    embedder: Embedder | None = None,
    full: bool = False,
    progress: build.ProgressCallback | None = None,
    show_progress: bool = False,
) -> BuildReport:
    """Bring the index up to date with the articles folder (everything again with ``full``)."""
    embedder = embedder or Embedder(settings.model)
    return build.build(settings, embedder, full=full, progress=progress, show_progress=show_progress)


def index_exists(settings: Settings) -> bool:
    return snapshot.exists(settings.index_dir)
