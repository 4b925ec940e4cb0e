"""The archive: what the edges (CLI, bot) call — open an index, ask it, read its stats, rebuild it.

An open ``Archive`` is an immutable snapshot: many threads may ask it at once.
A rebuild (``build_index``) writes a new snapshot beside it; the caller then
opens a new ``Archive`` and swaps its reference, sharing the loaded model.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Sequence
from pathlib import Path

from index import build, snapshot, views
from index.answering import Answerer
from index.config import Settings
from index.embedder import Embedder
from index.errors import IndexCorruptError
from index.readers import valid_unicode
from index.records import Answer, ArticleView, BuildReport, Response, Stats
from index.store import Store
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
        self.sizes = snapshot.folder_sizes(folder)  # read now: the folder may be deleted while it answers
        self._answerer = Answerer(store, vectors, embedder)

    @classmethod
    def open(cls, settings: Settings, embedder: Embedder | None = None) -> "Archive":
        """Open the live snapshot, checking it whole; raises ``IndexMissingError``,
        ``IndexCorruptError`` (saying what is damaged and how to rebuild) or ``ModelMismatchError``."""
        embedder = embedder or Embedder(settings.model, models_dir=settings.models_dir)
        try:
            folder = snapshot.current(settings.index_dir)
            manifest = snapshot.read_manifest(folder)
            snapshot.check_model(manifest, embedder.identity)
            snapshot.check_version(manifest)
            store, vectors = snapshot.load(folder, manifest)
        except IndexCorruptError as error:
            raise IndexCorruptError(
                f"the index in {settings.index_dir} is damaged: {error}. Rebuild it with `newsdesk index --full`"
            ) from error
        return cls(folder, manifest, store, vectors, embedder)

    @property
    def answerer(self) -> Answerer:
        """The question-answering engine of this snapshot (benchmarks read its rankings)."""
        return self._answerer

    def ask(self, question: str, k: int = DEFAULT_ANSWERS, today: dt.date | None = None) -> Response:
        """The best ``k`` quoted answers to ``question`` (``QuestionError`` when it is empty).

        Lone surrogates (text decoded with ``surrogateescape``) become U+FFFD: the tokenizer refuses them."""
        return self._answerer.ask(valid_unicode(question), k=k, today=today or dt.date.today())

    def still_held(self, answers: Sequence[Answer]) -> tuple[Answer, ...]:
        """The answers whose articles this snapshot still holds: an answer given before a
        takedown is not shown again after it."""
        held = self.store.held_articles(answer.article_id for answer in answers)
        return tuple(answer for answer in answers if answer.article_id in held)

    def show(self, targets: Sequence[str], articles_dir: Path) -> list[ArticleView]:
        """Each target (a file or an article id) as this snapshot holds it, or as a build would read it."""
        return views.show(targets, articles_dir, self.store, self.embedder)

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
            sizes=dict(self.sizes),
            languages=self.store.languages(),
            model_location=self.embedder.location,
        )

    def close(self) -> None:
        self._answerer.close()
        self.store.close()


def build_index(
    settings: Settings,
    embedder: Embedder | None = None,
    full: bool = False,
    progress: build.ProgressCallback | None = None,
    show_progress: bool = False,
) -> BuildReport:
    """Bring the index up to date with the articles folder (everything again with ``full``)."""
    embedder = embedder or Embedder(settings.model, models_dir=settings.models_dir)
    return build.build(settings, embedder, full=full, progress=progress, show_progress=show_progress)


def show_articles(settings: Settings, targets: Sequence[str], embedder: Embedder | None = None) -> list[ArticleView]:
    """``Archive.show`` on the live index; with no index yet, files as a build would read them (ids are unknown)."""
    embedder = embedder or Embedder(settings.model, models_dir=settings.models_dir)
    if not index_exists(settings):
        return views.show(targets, settings.articles_dir, None, embedder)
    archive = Archive.open(settings, embedder)
    try:
        return archive.show(targets, settings.articles_dir)
    finally:
        archive.close()


def index_exists(settings: Settings) -> bool:
    return snapshot.exists(settings.index_dir)
