"""Index snapshots on disk: updated in place, or rebuilt whole beside the live one and swapped in.

Layout of the index folder::

    CURRENT            the name of the live snapshot (replaced atomically)
    .lock              held by the one build allowed at a time
    snap-<n>-<time>/   a snapshot: store.sqlite (WAL mode) and segments/ (see ``segments``)
    work-<id>/         a whole rebuild in progress (left over only by a killed one; cleared by the next)

An update (new, changed or removed articles) changes the live snapshot in place: one
SQLite transaction, and at most one new vector segment (see ``build``). A whole rebuild
(the first build, ``--full``, another model or version, a damaged index) writes a
``work-`` folder, syncs it to disk, renames it to ``snap-`` and then replaces
``CURRENT``: whatever stops it (Ctrl-C, kill -9, a full disk), ``CURRENT`` names a whole
snapshot. The previous snapshot is kept, so a reader that has just read ``CURRENT`` can
still open what it names. What a stopped rebuild leaves (a ``work-`` folder, or a
``snap-`` newer than the live one when it stopped between the rename and the swap) is
cleared by the next build.

A snapshot is checked whole when it is opened (``load``): the database's structure and
schema, each segment's recorded size and checksum, and the database and the segments
must hold the same vectors.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import fcntl
import os
import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path

from index import segments
from index.checksums import fsync_dir, fsync_file, sync_tree
from index.errors import BuildError, BuildInProgressError, IndexCorruptError, IndexMissingError
from index.manifest import Manifest
from index.assembly import PIPELINE_VERSION
from index.segments import Vectors
from index.store import SCHEMA_VERSION, Store

CURRENT = "CURRENT"
LOCK = ".lock"
STORE_FILE = "store.sqlite"
SNAPSHOT_PREFIX = "snap-"
WORK_PREFIX = "work-"
KEEP_SNAPSHOTS = 2  # the live one and the one before it


def current(index_dir: Path) -> Path:
    """The live snapshot's folder; ``IndexMissingError`` when there is none."""
    try:
        name = (index_dir / CURRENT).read_text().strip()
    except FileNotFoundError:
        raise IndexMissingError(f"no index in {index_dir}") from None
    except UnicodeDecodeError:
        raise IndexCorruptError(f"{index_dir / CURRENT} is damaged (not text)") from None
    folder = index_dir / name
    if not name.startswith(SNAPSHOT_PREFIX) or "/" in name or not folder.is_dir():
        raise IndexCorruptError(f"{index_dir / CURRENT} names a snapshot that does not exist ({name!r})")
    return folder


def exists(index_dir: Path) -> bool:
    return (index_dir / CURRENT).exists()


def _live_name(index_dir: Path) -> str | None:
    """The name ``CURRENT`` holds, or None when it cannot be read."""
    try:
        return (index_dir / CURRENT).read_text().strip() or None
    except (OSError, UnicodeDecodeError):
        return None


@contextlib.contextmanager
def build_lock(index_dir: Path) -> Iterator[None]:
    """Hold the index folder's build lock; ``BuildInProgressError`` if another build has it."""
    index_dir.mkdir(parents=True, exist_ok=True)
    with open(index_dir / LOCK, "a+") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise BuildInProgressError(f"another build is running on {index_dir}") from None
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def new_workspace(index_dir: Path) -> Path:
    """A fresh folder for a build; what stopped builds left is cleared first."""
    clear_leftovers(index_dir)
    workspace = index_dir / f"{WORK_PREFIX}{uuid.uuid4().hex[:12]}"
    workspace.mkdir(parents=True)
    return workspace


def clear_leftovers(index_dir: Path) -> None:
    """Delete ``work-`` folders and snapshots newer than the live one (never made live).

    Snapshot names sort in build order and a build always makes its snapshot live,
    so a newer one is the work of a build stopped between the rename and the swap.
    """
    for stale in index_dir.glob(WORK_PREFIX + "*"):
        shutil.rmtree(stale, ignore_errors=True)
    live = _live_name(index_dir)
    if live is None or not _sequence_ok(live):
        return
    for orphan in index_dir.glob(SNAPSHOT_PREFIX + "*"):
        if _sequence_ok(orphan.name) and orphan.name > live:
            shutil.rmtree(orphan, ignore_errors=True)


def discard(workspace: Path) -> None:
    shutil.rmtree(workspace, ignore_errors=True)


def publish(index_dir: Path, workspace: Path) -> Path:
    """Make a finished workspace the live snapshot, atomically; returns its folder."""
    try:
        sync_tree(workspace)
        snapshot = index_dir / _next_name(index_dir)
        os.rename(workspace, snapshot)
        fsync_dir(index_dir)
        pointer = index_dir / f"{CURRENT}.{uuid.uuid4().hex[:6]}.tmp"
        pointer.write_text(snapshot.name + "\n")
        fsync_file(pointer)
        os.replace(pointer, index_dir / CURRENT)
        fsync_dir(index_dir)
    except OSError as error:
        raise BuildError(f"could not publish the new index ({error.strerror or error})") from error
    prune(index_dir)
    return snapshot


def _next_name(index_dir: Path) -> str:
    """``snap-<sequence>-<UTC time>``: names sort in build order."""
    numbers = [int(p.name.split("-")[1]) for p in index_dir.glob(SNAPSHOT_PREFIX + "*") if _sequence_ok(p.name)]
    stamp = dt.datetime.now(dt.timezone.utc).strftime("%Y%m%dT%H%M%S")
    return f"{SNAPSHOT_PREFIX}{max(numbers, default=0) + 1:08d}-{stamp}"


def _sequence_ok(name: str) -> bool:
    parts = name.split("-")
    return len(parts) >= 2 and parts[1].isdigit()


def prune(index_dir: Path) -> None:
    """Delete snapshots older than the last ``KEEP_SNAPSHOTS``, never the live one."""
    live = (index_dir / CURRENT).read_text().strip()
    snapshots = sorted(index_dir.glob(SNAPSHOT_PREFIX + "*"), key=lambda p: p.name, reverse=True)
    keep = {live, *(p.name for p in snapshots[:KEEP_SNAPSHOTS])}
    for old in snapshots:
        if old.name not in keep:
            shutil.rmtree(old, ignore_errors=True)
    for pointer in index_dir.glob(f"{CURRENT}.*.tmp"):
        pointer.unlink(missing_ok=True)


# --- opening a snapshot, checked whole -------------------------------------------------------


def store_path(folder: Path) -> Path:
    return folder / STORE_FILE


def load(folder: Path, identity: str) -> tuple[Store, Manifest, Vectors]:
    """A snapshot's database, manifest and vectors, checked whole: the way an archive is opened.

    ``ModelMismatchError`` when another model built it; ``IndexCorruptError`` saying what is
    wrong when it is damaged, out of step, or was built by another version of Newsdesk."""
    store = Store(store_path(folder), readonly=True)
    try:
        with store.reading():
            manifest = _checked_manifest(store, identity, structure=True)
            vectors = segments.load(folder, store.segments(), store.dropped(), manifest.dimension)
            check_in_step(store, manifest, vectors)
    except BaseException:
        store.close()
        raise
    return store, manifest, vectors


def check_for_update(folder: Path, identity: str) -> Manifest:
    """The check a build makes before updating a snapshot in place, at a cost that does not grow
    with the archive's text: the schema, the manifest, every segment file's size and checksum,
    and the counts of articles, passages and vectors the database, its manifest and its segment
    records must agree on. (Opening an archive also reads the whole database and every id.)"""
    store = Store(store_path(folder), readonly=True)
    try:
        with store.reading():
            manifest = _checked_manifest(store, identity, structure=False)
            records = store.segments()
            for record in records:
                segments.check_file(folder, record)
            _check_counts(store, manifest, sum(r.vectors for r in records) - len(store.dropped()))
    finally:
        store.close()
    return manifest


def _checked_manifest(store: Store, identity: str, structure: bool) -> Manifest:
    store.check(structure)
    manifest = store.manifest()
    manifest.check_model(identity)
    if not manifest.same_version(SCHEMA_VERSION, PIPELINE_VERSION):
        raise IndexCorruptError("it was built by another version of Newsdesk")
    return manifest


def check_in_step(store: Store, manifest: Manifest, vectors: Vectors) -> None:
    """Raise ``IndexCorruptError`` unless the database, the vectors and the manifest agree, id by id."""
    _check_counts(store, manifest, vectors.size)
    stored, held = store.vector_ids(), vectors.ids()
    if not (len(held) == len(stored) and bool((held == stored).all())):
        raise IndexCorruptError(
            f"the vector segments hold {len(held)} vectors that do not match the database's "
            f"{len(stored)} sentence vectors: the files are out of step"
        )


def _check_counts(store: Store, manifest: Manifest, segment_vectors: int) -> None:
    articles, passages = store.counts()
    if (articles, passages) != (manifest.articles, manifest.passages):
        raise IndexCorruptError(
            f"the database holds {articles} articles and {passages} passages, its manifest "
            f"{manifest.articles} and {manifest.passages}: the files are out of step"
        )
    stored = store.vector_count()
    if not stored == manifest.vectors == segment_vectors:
        raise IndexCorruptError(
            f"the vector segments hold {segment_vectors} vectors, the database {stored} and its manifest "
            f"{manifest.vectors}: the files are out of step"
        )


def folder_sizes(folder: Path) -> dict[str, int]:
    """Bytes on disk of the database (with its write-ahead log) and of the vector segments."""
    sizes = {p.name: p.stat().st_size for p in sorted(folder.iterdir()) if p.is_file()}
    directory = folder / segments.FOLDER
    if directory.is_dir():
        sizes[segments.FOLDER] = sum(p.stat().st_size for p in directory.iterdir() if p.is_file())
    return sizes
