"""The incremental build: new and changed articles are embedded, deleted ones leave.

A file whose bytes hash as before is not even parsed; inside a changed file,
articles whose content hash is unchanged keep their passages and vectors. The
build works on a copy of the live snapshot in a workspace folder and publishes
it only when complete (see ``snapshot``), so the live index keeps answering and
survives any interruption. A file whose content cannot be read (binary, malformed,
too large) is skipped with a warning naming it; if it was indexed before, its articles
stay as they were. A folder or file the process may not read (permissions, an owner
changed) stops the build with ``ArticlesUnreadableError`` naming it: skipped, its
articles would count as deleted.

The live snapshot is checked whole before it is built upon: a damaged one
(truncated, altered, out of step) would pass its damage on under a fresh
checksum, so the index is then rebuilt whole from the articles, with a warning
naming the damage. A build that cannot write (full disk, read-only folder, a
file too large) raises ``BuildError`` saying so, and the live index stays as it was.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import sqlite3
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from index import keywords, passages as splitting, readers, snapshot
from index.config import Settings
from index.embedder import PASSAGE, Embedder
from index.errors import ArticleError, BuildError, IndexCorruptError, read_failure, write_failure
from index.records import Article, BuildReport, Progress
from index.store import SCHEMA_VERSION, Store
from index.vectors import VectorIndex

logger = logging.getLogger(__name__)

WRITE_BATCH = 1024  # passages per store transaction
MODEL_INPUT_TOKENS = 200  # prompt + "title. passage" fits here (or in the model's window, if smaller)
MIN_BUDGET_TOKENS = 64  # an enormous title still leaves this much room for the passage
MIN_PASSAGE_TOKENS = 80  # about 40 Italian words: shorter paragraphs are merged with the next
ProgressCallback = Callable[[Progress], None]


@dataclass
class Plan:
    """What a build has to do, worked out before anything is written."""

    new: dict[str, Article] = field(default_factory=dict)  # articles to embed (added or updated)
    added: int = 0
    updated: int = 0
    unchanged: int = 0
    remove: set[str] = field(default_factory=set)  # article ids to delete (removed or updated)
    removed: int = 0
    file_hashes: dict[str, str] = field(default_factory=dict)
    skipped: list[str] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return bool(self.new or self.remove)


@dataclass
class Previous:
    """The live snapshot a build starts from, checked whole."""

    store: Store
    vectors: VectorIndex


def build(
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
    try:
        with snapshot.build_lock(settings.index_dir):
            return _build_locked(settings, embedder, full, progress, show_progress, started)
    except (OSError, sqlite3.DatabaseError) as error:
        raise write_failure(error, settings.index_dir) from error


def _build_locked(settings, embedder, full, progress, show_progress, started) -> BuildReport:
    """Holding the lock: plan against the live snapshot (when it can be built upon), then write and publish."""
    previous = None if full else _open_previous(settings.index_dir, embedder)
    full = full or (previous is None and snapshot.exists(settings.index_dir))
    try:
        plan = make_plan(settings.articles_dir, previous and previous.store, progress)
        if previous is not None and not plan.changed and plan.file_hashes == previous.store.file_hashes():
            return _report(plan, previous.store.counts(), started, full, embedded=0)
        embedded, totals = _write(settings, embedder, previous, plan, progress, show_progress)
    finally:
        if previous is not None:
            previous.store.close()
    return _report(plan, totals, started, full, embedded)


def _open_previous(index_dir: Path, embedder: Embedder) -> Previous | None:
    """The live snapshot, if there is a whole one built by this model and this version.

    None means "rebuild whole": no index yet, one built by another version of Newsdesk,
    or a damaged one. ``ModelMismatchError`` when another model built it.
    """
    if not snapshot.exists(index_dir):
        return None
    try:
        folder = snapshot.current(index_dir)
        manifest = snapshot.read_manifest(folder)
        snapshot.check_model(manifest, embedder.identity)
        if not snapshot.same_version(manifest):
            logger.info("the index was built by another version of Newsdesk: rebuilding it whole")
            return None
        store, vectors = snapshot.load(folder, manifest)
    except IndexCorruptError as error:
        logger.warning("the live index is damaged (%s): rebuilding it whole from the articles", error)
        return None
    return Previous(store, vectors)


# --- planning ------------------------------------------------------------------------------


def article_files(articles_dir: Path) -> Iterator[Path]:
    """Every article file under ``articles_dir`` (subfolders included, hidden ones not), sorted.

    A folder that cannot be listed raises ``ArticlesUnreadableError`` (``os.walk`` alone would skip it).
    """
    for folder, dirs, files in os.walk(articles_dir, onerror=_unlistable):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        for name in sorted(files):
            if not name.startswith(".") and name.lower().endswith(readers.SUFFIXES):
                yield Path(folder) / name


def _unlistable(error: OSError) -> None:
    raise read_failure(error, error.filename) from error


def file_hash(path: Path) -> str:
    return readers.content_hash(path.read_bytes())


def make_plan(articles_dir: Path, previous: Store | None, progress: ProgressCallback | None) -> Plan:
    """Compare the articles folder with the previous index."""
    plan = Plan()
    old_files = previous.file_hashes() if previous else {}
    old_ids = previous.article_ids_by_path() if previous else {}
    old_hashes = previous.article_hashes() if previous else {}
    paths = list(article_files(articles_dir))
    for done, path in enumerate(paths, start=1):
        relative = path.relative_to(articles_dir).as_posix()
        _plan_file(plan, path, articles_dir, relative, old_files, old_ids.get(relative, []), old_hashes)
        if progress:
            progress(Progress("read", done, len(paths)))
    for relative, ids in old_ids.items():
        if relative not in plan.file_hashes:  # the file is gone
            plan.remove.update(ids)
            plan.removed += len(ids)
    return plan


def _plan_file(plan: Plan, path: Path, root: Path, relative: str, old_files, old_ids, old_hashes) -> None:
    try:
        if not path.is_file():  # a named pipe would block the build, a device never end
            raise ArticleError("not a regular file")
        digest = file_hash(path)
        if old_files.get(relative) == digest:
            plan.file_hashes[relative] = digest
            plan.unchanged += len(old_ids)
            return
        articles = readers.read_file(path, root)
    except PermissionError as error:  # not the file's fault: skipped, it would be a deletion
        raise read_failure(error, path) from error
    except (ArticleError, OSError, RecursionError, MemoryError) as error:
        _skip(plan, relative, error, old_files)
        return
    except Exception as error:  # one bad file never stops the build
        logger.exception("unexpected error reading %s", relative)
        _skip(plan, relative, error, old_files)
        return
    plan.file_hashes[relative] = digest
    _plan_articles(plan, articles, old_ids, old_hashes)


def _skip(plan: Plan, relative: str, error: Exception, old_files: dict[str, str]) -> None:
    reason = str(error) or type(error).__name__
    logger.warning("skipped %s: %s", relative, reason)
    plan.skipped.append(f"{relative}: {reason}")
    if relative in old_files:  # keep what was indexed from it; try the file again next time
        plan.file_hashes[relative] = old_files[relative]


def _plan_articles(plan: Plan, articles: list[Article], old_ids: list[str], old_hashes: dict[str, str]) -> None:
    seen = set()
    for article in articles:
        if article.id in seen:
            logger.warning("duplicate article id %s: the first one is kept", article.id)
            continue
        seen.add(article.id)
        old = old_hashes.get(article.id)
        if old == article.content_hash:
            plan.unchanged += 1
            continue
        plan.new[article.id] = article
        if old is None:
            plan.added += 1
        else:
            plan.updated += 1
            plan.remove.add(article.id)
    gone = set(old_ids) - seen
    plan.remove.update(gone)
    plan.removed += len(gone)


# --- writing -------------------------------------------------------------------------------


def _write(settings, embedder, previous, plan, progress, show_progress) -> tuple[int, tuple[int, int]]:
    """Write the new snapshot in a workspace and publish it; (passages embedded, (articles, passages))."""
    if plan.new:
        embedder.model  # noqa: B018 -- load the model first: a Ctrl-C while torch loads leaves no workspace
    workspace = snapshot.new_workspace(settings.index_dir)
    try:
        store = _start_store(workspace, previous and previous.store)
        removed_ids = store.remove_articles(sorted(plan.remove))
        new_ids, new_vectors, embedded = _embed_articles(store, embedder, plan, progress, show_progress)
        store.set_file_hashes(plan.file_hashes)
        vectors = _update_vectors(store, previous, removed_ids, new_ids, new_vectors, embedder.dimension)
        totals = _finish(store, workspace, vectors, embedder)
        snapshot.publish(settings.index_dir, workspace)
        return embedded, totals
    finally:
        snapshot.discard(workspace)  # a no-op once published (the folder was renamed)


def _start_store(workspace: Path, previous: Store | None) -> Store:
    target = workspace / snapshot.STORE_FILE
    if previous is not None:
        destination = sqlite3.connect(str(target))
        with destination:
            previous.db.conn.backup(destination)
        destination.close()
        store = Store(target, readonly=False)
        store.migrate()
        return store
    return Store.create(target)


def embedding_prefix(title: str) -> str:
    """What the model reads before a passage: the article's title, as a sentence of its own."""
    if not title:
        return ""
    return f"{title} " if title[-1] in ".!?…:;" else f"{title}. "


def embedding_text(title: str, text: str) -> str:
    """What the model reads for a passage: "title. passage"."""
    return embedding_prefix(title) + text


def passage_budget(embedder: Embedder, title: str) -> int:
    """The tokens a passage may take: what the model reads (``MODEL_INPUT_TOKENS``, at most its window)
    less its special tokens, its passage prompt and the title; whole sentences get vectors, none is
    truncated away."""
    title_tokens = embedder.count_tokens([embedding_prefix(title)])[0] if title else 0
    reads = min(MODEL_INPUT_TOKENS, embedder.max_tokens)
    return max(MIN_BUDGET_TOKENS, reads - embedder.special_tokens - embedder.prompt_tokens(PASSAGE) - title_tokens)


def split_for_model(article: Article, embedder: Embedder) -> list:
    """The article's passages, each small enough that prompt + "title. passage" fits ``passage_budget``."""
    budget = passage_budget(embedder, article.title)
    return splitting.split_passages(
        article, sizer=embedder.count_tokens, max_size=budget, min_size=min(MIN_PASSAGE_TOKENS, budget // 2)
    )


def _embed_articles(store, embedder, plan, progress, show_progress):
    """Split and embed the plan's new articles, then store them in batches; (vector ids, vectors, passages).

    Every passage of the build goes to the embedder in one call, so the model sorts them all by
    length at once and pads as little as a bare encode of the same texts would.
    """
    split = [(article, split_for_model(article, embedder)) for article in plan.new.values()]
    parts = [(article, passage) for article, passages in split for passage in passages]
    prefixes = [embedding_prefix(article.title) for article, _ in parts]
    texts = [prefix + passage.text for prefix, (_, passage) in zip(prefixes, parts)]
    spans = [
        [(start + len(prefix), end + len(prefix)) for start, end in passage.sentences]
        for prefix, (_, passage) in zip(prefixes, parts)
    ]
    bar = _progress_bar(len(texts), show_progress)
    try:
        vectors = embedder.encode_sentences(texts, spans, progress=_passage_progress(len(texts), bar, progress))
    finally:
        bar.close()
    ids, done = [], 0
    for batch in _batches(split):
        count = sum(len(passages) for _, passages, _ in batch)
        ids.append(store.add_articles(batch, vectors[done : done + count]))
        done += count
    matrix = np.vstack(vectors) if vectors else np.zeros((0, embedder.dimension), np.float32)
    return (np.concatenate(ids) if ids else np.zeros(0, np.int64)), matrix, len(texts)


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


def _update_vectors(store, previous, removed_ids, new_ids, new_vectors, dimension) -> VectorIndex:
    """The previous FAISS index with the changes applied, or a new one when its type must change."""
    total = store.vector_count()
    if previous is not None and not previous.vectors.needs_rebuild(total):
        vectors = previous.vectors
        vectors.remove(np.array(removed_ids, dtype=np.int64))
        vectors.add(new_ids, new_vectors)
        return vectors
    return _vectors_from_store(store, dimension)


def _vectors_from_store(store: Store, dimension: int) -> VectorIndex:
    """A new index of the stored vectors, read in batches (a million passages' float32 vectors,
    4.6 GB, are never in memory at once; a training sample is read first)."""
    return VectorIndex.from_batches(lambda: store.vectors(dimension), store.vector_count(), dimension)


def _finish(store: Store, workspace: Path, vectors: VectorIndex, embedder: Embedder) -> tuple[int, int]:
    articles, passages = store.counts()
    if vectors.size != store.vector_count():
        raise BuildError(f"internal error: {vectors.size} vectors in FAISS, {store.vector_count()} in the database")
    built_at = dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")
    manifest = {
        "model": embedder.identity, "dimension": embedder.dimension, "schema": SCHEMA_VERSION,
        "pipeline": readers.PIPELINE_VERSION, "articles": articles, "passages": passages,
        "vectors": vectors.size,
        "vector_index": vectors.kind, "trained_size": vectors.trained_size, "built_at": built_at,
    }
    store.set_meta(manifest)
    store.close()
    vectors.save(workspace / snapshot.VECTORS_FILE)
    snapshot.write_manifest(workspace, manifest)
    return articles, passages


def _progress_bar(total: int, show: bool):
    from tqdm import tqdm

    return tqdm(total=total, unit="passage", desc="embedding", disable=not (show and sys.stderr.isatty()))


def _report(plan: Plan, totals: tuple[int, int], started: float, full: bool, embedded: int) -> BuildReport:
    return BuildReport(
        added=plan.added, updated=plan.updated, removed=plan.removed, unchanged=plan.unchanged,
        skipped=tuple(plan.skipped), passages=embedded, total_articles=totals[0],
        total_passages=totals[1], seconds=round(time.monotonic() - started, 2), full=full,
    )
