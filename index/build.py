"""Builds: the index brought up to date with the articles folder, in place or whole.

An update (articles added, changed or removed) changes the live snapshot in place and
writes about what changed: the changes are embedded first, then one SQLite transaction
deletes and inserts their passages, records the new vectors' segment file (written
inside it, see ``segments``), the files read and the new manifest. A reader sees the
state before it or after it; a killed or failed update leaves the state before it. When
segments pile up, a merge rewrites a run of them as one, in a transaction of its own.

A whole rebuild (no index yet, ``full``, an index of another version of Newsdesk or a
damaged one) writes a new snapshot beside the live one and publishes it when complete
(see ``snapshot``), so the live index keeps answering and survives any interruption.

The live snapshot is checked whole before it is built upon: a damaged one (truncated,
altered, out of step) would pass its damage on, so the index is then rebuilt whole from
the articles, with a warning naming the damage. A build that cannot write (full disk,
read-only folder, a file too large) raises ``BuildError`` saying so, and the live index
stays as it was.
"""

from __future__ import annotations

import logging
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from index import assembly, keywords, segments, snapshot
from index.config import Settings
from index.embedder import Embedder
from index.errors import BuildError, IndexCorruptError, StoreError, write_failure
from index.manifest import Manifest
from index.passages import embedding_prefix, split_for_model
from index.plan import Holdings, Plan, ProgressCallback, make_plan
from index.records import Article, BuildReport, Progress
from index.store import SCHEMA_VERSION, Store

logger = logging.getLogger(__name__)

WRITE_BATCH = 1024  # passages per transaction of a whole rebuild
MAX_MERGES = 8  # merges after one update, at most (each may make the next one due)

__all__ = ["ProgressCallback", "build_index"]


@dataclass(frozen=True)
class Live:
    """The live snapshot a build updates in place, checked, with a writable store."""

    folder: Path
    store: Store
    manifest: Manifest


@dataclass(frozen=True)
class Embedded:
    """The plan's new articles split into passages, with their sentence vectors (nothing written yet)."""

    split: list[tuple[Article, list]]
    vectors: list[np.ndarray]  # one matrix per passage, in order

    @property
    def passages(self) -> int:
        return len(self.vectors)


def build_index(
    settings: Settings,
    embedder: Embedder,
    full: bool = False,
    progress: ProgressCallback | None = None,
    show_progress: bool = False,
) -> BuildReport:
    """Bring the index in ``settings.index_dir`` up to date with the articles folder."""
    started = time.monotonic()
    if not settings.articles_dir.is_dir():
        raise BuildError(f"the articles folder {settings.articles_dir} does not exist")
    job = Build(settings, embedder, progress, show_progress)
    try:
        with snapshot.build_lock(settings.index_dir):
            return job.run(full, started)
    except (OSError, StoreError) as error:
        raise write_failure(error, settings.index_dir) from error


class Build:
    """One build: plan against the live snapshot, then update it in place or rebuild it whole."""

    def __init__(self, settings: Settings, embedder: Embedder, progress: ProgressCallback | None, show_progress: bool):
        self.settings = settings
        self.embedder = embedder
        self.progress = progress
        self.show_progress = show_progress

    def run(self, full: bool, started: float) -> BuildReport:
        snapshot.clear_leftovers(self.settings.index_dir)  # what killed rebuilds left
        live = None if full else self.open_live()
        whole = full or (live is None and snapshot.exists(self.settings.index_dir))
        try:
            plan = make_plan(self.settings.articles_dir, Holdings.of(live.store) if live else Holdings(), self.progress)
            if live is not None and not plan.writes:
                return _report(plan, live.store.counts(), started, whole, embedded=0)
            if live is not None:
                embedded, totals = self.update(live, plan)
            else:
                embedded, totals = self.rebuild(plan)
        finally:
            if live is not None:
                live.store.close()
        return _report(plan, totals, started, whole, embedded)

    def open_live(self) -> Live | None:
        """The live snapshot, if there is a whole one built by this model and this version.

        None means "rebuild whole": no index yet, one built by another version of Newsdesk,
        or a damaged one. ``ModelMismatchError`` when another model built it.
        """
        index_dir = self.settings.index_dir
        if not snapshot.exists(index_dir):
            return None
        try:
            folder = snapshot.current(index_dir)
            manifest = snapshot.check_for_update(folder, self.embedder.identity)
        except IndexCorruptError as error:
            if "another version" in str(error):
                logger.info("the index was built by another version of Newsdesk: rebuilding it whole")
            else:
                logger.warning("the live index is damaged (%s): rebuilding it whole from the articles", error)
            return None
        return Live(folder, Store(snapshot.store_path(folder), readonly=False), manifest)

    # --- in place ------------------------------------------------------------------------

    def update(self, live: Live, plan: Plan) -> tuple[int, tuple[int, int]]:
        """Apply the plan to the live snapshot in one transaction; (passages embedded, totals)."""
        store = live.store
        segments.clear_unrecorded(live.folder, store.segments())
        embedded = self.embed(plan)
        with store.transaction():
            store.defer_merges()
            store.drop_vectors(store.remove_articles(sorted(plan.remove)))
            ids = self.insert(store, embedded)
            if len(ids):
                segment_id = segments.next_id(live.folder, store.segments())
                store.add_segment(segments.write(live.folder, segment_id, ids, _matrix(embedded, self.embedder), self.embedder.dimension))
            store.update_files(plan.files, plan.gone)
            totals = self.commit_manifest(store, live.manifest)
        self.merge(live)
        return embedded.passages, totals

    def merge(self, live: Live) -> None:
        """Merge runs of segments while one is due (see ``segments.merge_plan``), each in a
        transaction of its own, from the exact vectors the store keeps."""
        store, dimension = live.store, self.embedder.dimension
        for _ in range(MAX_MERGES):
            records, dropped = store.segments(), store.dropped()
            run = segments.merge_plan(records, dropped)
            if not run:
                return
            ids = store.vector_ids_between(run[0].first_id, run[-1].last_id)
            with store.transaction():
                store.remove_segments(record.id for record in run)
                store.forget_dropped(dropped[(dropped >= run[0].first_id) & (dropped <= run[-1].last_id)])
                if len(ids):
                    segment_id = segments.next_id(live.folder, records)
                    store.add_segment(segments.write(live.folder, segment_id, ids, store.vectors_of(ids, dimension), dimension))
                self.commit_manifest(store, store.manifest())
            logger.info("merged %d vector segments into one of %d vectors", len(run), len(ids))

    # --- whole ---------------------------------------------------------------------------

    def rebuild(self, plan: Plan) -> tuple[int, tuple[int, int]]:
        """Write a whole new snapshot in a workspace and publish it; (passages embedded, totals)."""
        index_dir = self.settings.index_dir
        embedded = self.embed(plan)
        workspace = snapshot.new_workspace(index_dir)
        try:
            store = Store.create(snapshot.store_path(workspace))
            try:
                ids = self.insert(store, embedded, batch_transactions=True)
                with store.transaction():
                    if len(ids):
                        store.add_segment(segments.write(workspace, 1, ids, _matrix(embedded, self.embedder), self.embedder.dimension))
                    store.update_files(plan.files, ())
                    empty = Manifest(self.embedder.identity, self.embedder.dimension, SCHEMA_VERSION, assembly.PIPELINE_VERSION)
                    totals = self.commit_manifest(store, empty)
                store.use_wal()
            finally:
                store.close()
            snapshot.publish(index_dir, workspace)
            return embedded.passages, totals
        finally:
            snapshot.discard(workspace)  # a no-op once published (the folder was renamed)

    # --- steps shared by both ----------------------------------------------------------

    def embed(self, plan: Plan) -> Embedded:
        """Split and embed the plan's new articles (nothing is written).

        Every passage of the build goes to the embedder in one call, so the model sorts them all by
        length at once and pads as little as a bare encode of the same texts would.
        """
        if plan.new:
            self.embedder.model  # noqa: B018 -- load the model first: a Ctrl-C while torch loads leaves nothing behind
        split = [(article, split_for_model(article, self.embedder)) for article in plan.new.values()]
        parts = [(article, passage) for article, passages in split for passage in passages]
        prefixes = [embedding_prefix(article.title) for article, _ in parts]
        texts = [prefix + passage.text for prefix, (_, passage) in zip(prefixes, parts)]
        spans = [
            [(start + len(prefix), end + len(prefix)) for start, end in passage.sentences]
            for prefix, (_, passage) in zip(prefixes, parts)
        ]
        bar = _progress_bar(len(texts), self.show_progress)
        try:
            vectors = self.embedder.encode_sentences(texts, spans, progress=_passage_progress(len(texts), bar, self.progress))
        finally:
            bar.close()
        return Embedded(split, vectors)

    def insert(self, store: Store, embedded: Embedded, batch_transactions: bool = False) -> np.ndarray:
        """Store the embedded articles in batches (each its own transaction when asked); the vector ids."""
        ids, done = [], 0
        for batch in _batches(embedded.split):
            count = sum(len(passages) for _, passages, _ in batch)
            if batch_transactions:
                with store.transaction():
                    ids.append(store.add_articles(batch, embedded.vectors[done : done + count]))
            else:
                ids.append(store.add_articles(batch, embedded.vectors[done : done + count]))
            done += count
        return np.concatenate(ids) if ids else np.zeros(0, np.int64)

    def commit_manifest(self, store: Store, previous: Manifest) -> tuple[int, int]:
        """Write the next generation's manifest with the store's counts (inside the transaction)."""
        articles, passages = store.counts()
        vectors = store.vector_count()
        store.write_manifest(previous.updated(articles, passages, vectors))
        return articles, passages


def _matrix(embedded: Embedded, embedder: Embedder) -> np.ndarray:
    return np.vstack(embedded.vectors) if embedded.vectors else np.zeros((0, embedder.dimension), np.float32)


def _passage_progress(total: int, bar, progress: ProgressCallback | None) -> Callable[[int], None]:
    """A callback for the embedder: moves the terminal bar and reports ``Progress("embed", …)``."""
    done = 0

    def advance(count: int) -> None:
        nonlocal done
        done += count
        bar.update(count)
        if progress:
            progress(Progress("embed", done, total))

    return advance


def _batches(split: list[tuple[Article, list]]) -> Iterator[list[tuple[Article, list, list]]]:
    """Articles with their passages and keyword terms, grouped to about ``WRITE_BATCH`` passages."""
    batch, size = [], 0
    for article, parts in split:
        terms = [keywords.index_terms(article.title, p.text, article.language) for p in parts]
        batch.append((article, parts, terms))
        size += len(parts)
        if size >= WRITE_BATCH:
            yield batch
            batch, size = [], 0
    if batch:
        yield batch


def _progress_bar(total: int, show: bool):
    from tqdm import tqdm

    return tqdm(total=total, unit="passage", desc="embedding", disable=not (show and sys.stderr.isatty()))


def _report(plan: Plan, totals: tuple[int, int], started: float, full: bool, embedded: int) -> BuildReport:
    return BuildReport(
        added=plan.added, updated=plan.updated, removed=plan.removed, unchanged=plan.unchanged,
        skipped=tuple(plan.skipped), passages=embedded, total_articles=totals[0],
        total_passages=totals[1], seconds=round(time.monotonic() - started, 2), full=full,
    )
