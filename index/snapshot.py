"""Index snapshots on disk: built beside the live one, checked, then swapped in at once.

Layout of the index folder::

    CURRENT            the name of the live snapshot (replaced atomically)
    .lock              held by the one build allowed at a time
    snap-<n>-<time>/   a complete snapshot: store.sqlite, vectors.faiss, manifest.json
    work-<id>/         a build in progress (left over only by a killed build; cleared by the next)

A build writes a ``work-`` folder, syncs it to disk, renames it to ``snap-`` and
then replaces ``CURRENT``: whatever stops the build (Ctrl-C, kill -9, a full
disk), ``CURRENT`` names a whole snapshot. The previous snapshot is kept, so a
reader that has just read ``CURRENT`` can still open what it names. What a
stopped build leaves (a ``work-`` folder, or a ``snap-`` newer than the live one
when it stopped between the rename and the swap) is cleared by the next build.

A snapshot is checked whole when it is opened (``load``): its manifest records
the size and checksum of both files, and the database and the vectors must hold
the same passages.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import fcntl
import hashlib
import json
import os
import shutil
import sqlite3
import uuid
from collections.abc import Iterator
from pathlib import Path

from index.errors import BuildError, BuildInProgressError, IndexCorruptError, IndexMissingError, ModelMismatchError
from index.readers import PIPELINE_VERSION
from index.store import SCHEMA_VERSION, Store
from index.vectors import VectorIndex

CURRENT = "CURRENT"
LOCK = ".lock"
STORE_FILE = "store.sqlite"
VECTORS_FILE = "vectors.faiss"
MANIFEST_FILE = "manifest.json"
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
        _sync_folder(workspace)
        snapshot = index_dir / _next_name(index_dir)
        os.rename(workspace, snapshot)
        _fsync_dir(index_dir)
        pointer = index_dir / f"{CURRENT}.{uuid.uuid4().hex[:6]}.tmp"
        pointer.write_text(snapshot.name + "\n")
        _fsync_file(pointer)
        os.replace(pointer, index_dir / CURRENT)
        _fsync_dir(index_dir)
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


# --- the manifest: what built a snapshot, and what its files must be ------------------------

CHECKED_FILES = (("store", STORE_FILE, "the database"), ("vectors", VECTORS_FILE, "the vector file"))


def write_manifest(folder: Path, manifest: dict[str, object]) -> None:
    """Record ``manifest`` plus the size and checksum of the database and the vector file."""
    recorded = dict(manifest)
    for key, name, _ in CHECKED_FILES:
        recorded[f"{key}_bytes"] = (folder / name).stat().st_size
        recorded[f"{key}_blake2b"] = file_digest(folder / name)
    (folder / MANIFEST_FILE).write_text(json.dumps(recorded, indent=2, sort_keys=True) + "\n")


def read_manifest(folder: Path) -> dict[str, object]:
    try:
        manifest = json.loads((folder / MANIFEST_FILE).read_text())
    except FileNotFoundError:
        raise IndexCorruptError(f"{folder.name} has no {MANIFEST_FILE}") from None
    except (json.JSONDecodeError, UnicodeDecodeError) as error:
        raise IndexCorruptError(f"{folder.name}/{MANIFEST_FILE} is damaged ({error})") from error
    if not isinstance(manifest, dict):
        raise IndexCorruptError(f"{folder.name}/{MANIFEST_FILE} is damaged (not a JSON object)")
    return manifest


def same_version(manifest: dict[str, object]) -> bool:
    """Built by this version of Newsdesk: its schema and pipeline, with every file's checksum recorded."""
    return (
        manifest.get("schema") == SCHEMA_VERSION
        and manifest.get("pipeline") == PIPELINE_VERSION
        and "store_blake2b" in manifest
    )


def check_version(manifest: dict[str, object]) -> None:
    """Raise ``IndexCorruptError`` unless the snapshot's schema and pipeline are this version's.

    A snapshot written before the database checksum was recorded still loads (its files are
    checked by counts and ids); the next build rebuilds it whole to record the checksum."""
    if manifest.get("schema") != SCHEMA_VERSION or manifest.get("pipeline") != PIPELINE_VERSION:
        raise IndexCorruptError("it was built by another version of Newsdesk")


def check_model(manifest: dict[str, object], identity: str) -> None:
    """Raise ``ModelMismatchError`` unless the snapshot was built by the model ``identity``."""
    if manifest.get("model") != identity:
        raise ModelMismatchError(
            f"the index was built with the model {manifest.get('model')!r} but {identity!r} "
            "is configured: rebuild it with `newsdesk index --full` (or set NEWSDESK_MODEL back)"
        )


def check_files(folder: Path, manifest: dict[str, object]) -> None:
    """Raise ``IndexCorruptError`` when a snapshot's files are missing, truncated or altered.

    Snapshots written before the database's checksum was recorded are checked by
    their vector file here, and by counts and ids in ``check_in_step``.
    """
    for _, name, _ in CHECKED_FILES:
        if not (folder / name).is_file():
            raise IndexCorruptError(f"the index file {name} is missing")
    for key, name, what in CHECKED_FILES:
        if key == "store" and "store_blake2b" not in manifest:
            continue  # written by an older Newsdesk
        _check_file(folder / name, what, manifest.get(f"{key}_bytes"), manifest.get(f"{key}_blake2b"))


def _check_file(path: Path, what: str, size: object, digest: object) -> None:
    actual = path.stat().st_size
    if actual != size:
        raise IndexCorruptError(
            f"{what} {path.name} is {actual:,} bytes, the manifest says {size}: it is truncated or was replaced"
        )
    if file_digest(path) != digest:
        raise IndexCorruptError(f"{what} {path.name} does not match its checksum: it was altered or replaced")


def load(folder: Path, manifest: dict[str, object]) -> tuple[Store, VectorIndex]:
    """A snapshot's database and vectors, checked whole; ``IndexCorruptError`` says what is wrong."""
    check_files(folder, manifest)
    store = Store(folder / STORE_FILE, readonly=True)
    try:
        store.check()
        vectors = VectorIndex.load(folder / VECTORS_FILE, _trained_size(manifest))
        check_in_step(store, vectors, manifest)
    except BaseException:
        store.close()
        raise
    return store, vectors


def _trained_size(manifest: dict[str, object]) -> int:
    try:
        return int(manifest.get("trained_size", 0))  # type: ignore[arg-type]
    except (TypeError, ValueError):
        raise IndexCorruptError("the manifest's trained_size is not a number") from None


def check_in_step(store: Store, vectors: VectorIndex, manifest: dict[str, object]) -> None:
    """Raise ``IndexCorruptError`` unless the database, the vectors and the manifest agree."""
    try:
        articles, passages = store.counts()
        stored = store.vector_ids()
        same_ids = vectors.size == len(stored) == manifest.get("vectors") and bool((vectors.ids() == stored).all())
    except sqlite3.DatabaseError as error:
        raise IndexCorruptError(f"the database {store.path.name} is damaged ({error})") from error
    if (articles, passages) != (manifest.get("articles"), manifest.get("passages")):
        raise IndexCorruptError(
            f"the database holds {articles} articles and {passages} passages, the manifest "
            f"{manifest.get('articles')} and {manifest.get('passages')}: the files are out of step"
        )
    if not same_ids:
        raise IndexCorruptError(
            f"the vector file holds {vectors.size} vectors that do not match the database's "
            f"{len(stored)} sentence vectors: the files are out of step"
        )
    if vectors.dimension != manifest.get("dimension"):
        raise IndexCorruptError(f"the vectors have {vectors.dimension} dimensions, the manifest {manifest.get('dimension')}")


def file_digest(path: Path) -> str:
    digest = hashlib.blake2b(digest_size=16)
    with open(path, "rb") as stream:
        while chunk := stream.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def folder_sizes(folder: Path) -> dict[str, int]:
    return {p.name: p.stat().st_size for p in sorted(folder.iterdir()) if p.is_file()}


# --- durability ------------------------------------------------------------------------------


def _sync_folder(folder: Path) -> None:
    for path in folder.iterdir():
        if path.is_file():
            _fsync_file(path)
    _fsync_dir(folder)


def _fsync_file(path: Path) -> None:
    with open(path, "rb+") as handle:
        os.fsync(handle.fileno())


def _fsync_dir(folder: Path) -> None:
    descriptor = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)
