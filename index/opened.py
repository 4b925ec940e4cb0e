"""One opened snapshot folder: what the live ``index.Archive`` answers from (private to the index).

An ``OpenedSnapshot`` answers from one snapshot folder; many threads may ask it at once.
An update in place (see ``build``) is noticed at the next question: it reads the new
generation's segments and passages and answers from them, each question inside one read
transaction, so what it quotes comes from one state. A whole rebuild writes a new snapshot
beside it; the ``Archive`` then opens a new ``OpenedSnapshot`` and swaps its reference,
sharing the loaded model.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
from collections.abc import Sequence
from pathlib import Path

from index import segments, snapshot, views
from index.answering import Answerer
from index.config import Settings
from index.embedder import Embedder
from index.errors import IndexCorruptError
from index.manifest import Manifest
from index.readers import valid_unicode
from index.records import Answer, ArticleView, Response, Stats
from index.segments import Vectors
from index.store import Store

logger = logging.getLogger(__name__)

DEFAULT_ANSWERS = 3


class OpenedSnapshot:
    """An open, checked index snapshot. Thread-safe for asking and reading stats."""

    def __init__(self, folder: Path, manifest: Manifest, store: Store, vectors: Vectors, embedder: Embedder):
        self.folder = folder
        self.manifest = manifest
        self.store = store
        self.vectors = vectors
        self.embedder = embedder
        self.sizes = snapshot.folder_sizes(folder)  # kept: the folder may be deleted while it answers
        self._answerer = Answerer(store, vectors, embedder)
        self._catching_up = threading.Lock()
        self._unusable: int | None = None  # a generation that could not be read (logged once)

    @classmethod
    def open(cls, settings: Settings, embedder: Embedder) -> "OpenedSnapshot":
        """Open the live snapshot, checking it whole; raises ``IndexMissingError``,
        ``IndexCorruptError`` (saying what is damaged and how to rebuild) or ``ModelMismatchError``."""
        try:
            folder = snapshot.current(settings.index_dir)
            store, manifest, vectors = snapshot.load(folder, embedder.identity)
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
        with self.store.reading():
            self._catch_up()
            return self._answerer.ask(valid_unicode(question), k=k, today=today or dt.date.today())

    @property
    def generation(self) -> int:
        return self.manifest.generation

    def _catch_up(self) -> None:
        """Answer from the generation the store holds now, when an update in place committed one.

        Only forward: a question pinned to an older state than the one loaded keeps it. New
        segments are checked against their recorded checksums; one that fails (or is gone, merged
        away under a question that waited long) is logged once and the loaded state answers."""
        generation = self.store.generation()
        if generation <= self.manifest.generation or generation == self._unusable:
            return
        with self._catching_up:
            if generation <= self.manifest.generation:
                return
            try:
                manifest = self.store.manifest()
                loaded = {record.id: index for record, index in self.vectors.segments}
                vectors = segments.load(self.folder, self.store.segments(), self.store.dropped(), manifest.dimension, loaded)
            except (IndexCorruptError, OSError) as error:
                logger.warning("kept answering from generation %d: generation %d cannot be read: %s",
                               self.manifest.generation, generation, error)
                self._unusable = generation
                return
            self._answerer.catch_up(vectors, *self.store.catalog(after=self._answerer.last_passage))
            self.vectors, self.manifest = vectors, manifest

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
            model=self.manifest.model,
            dimension=self.manifest.dimension,
            built_at=self.manifest.built_at,
            vector_index=self.vectors.kind,
            sizes=self._sizes(),
            languages=self.store.languages(),
            model_location=self.embedder.location,
        )

    def _sizes(self) -> dict[str, int]:
        """The files' sizes now (updates in place grow them), or as last read once the folder is gone."""
        try:
            self.sizes = snapshot.folder_sizes(self.folder)
        except OSError:
            pass
        return dict(self.sizes)

    def close(self) -> None:
        self._answerer.close()
        self.store.close()

