"""Index snapshots on disk: built beside the live one, checked, then swapped in at once.

Layout of the index folder::

    CURRENT            the name of the live snapshot (replaced atomically)
    .lock              held by the one build allowed at a time
    snap-<n>-<time>/   a complete snapshot: store.sqlite, vectors.faiss, manifest.json
    work-<id>/         a build in progress (left over only by a killed build; cleared by the next)

A build writes a ``work-`` folder, syncs it to disk, renames it to ``snap-`` and
then replaces ``CURRENT``: whatever stops the build (Ctrl-C, kill -9, a full
disk), ``CURRENT`` names a whole snapshot. The previous snapshot is kept, so a
reader that has just read ``CURRENT`` can still open what it names.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import fcntl
import hashlib
import json
import os
import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path

from index.errors import BuildError, BuildInProgressError, IndexCorruptError, IndexMissingError

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
    folder = index_dir / name
    if not name.startswith(SNAPSHOT_PREFIX) or not folder.is_dir():
        raise IndexCorruptError(f"{index_dir / CURRENT} names a snapshot that does not exist ({name!r})")
    return folder


def exists(index_dir: Path) -> bool:
    return (index_dir / CURRENT).exists()


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
    """A fresh folder for a build; stale ones left by killed builds are cleared first."""
    for stale in index_dir.glob(WORK_PREFIX + "*"):
        shutil.rmtree(stale, ignore_errors=True)
    workspace = index_dir / f"{WORK_PREFIX}{uuid.uuid4().hex[:12]}"
    workspace.mkdir(parents=True)
    return workspace


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


def write_manifest(folder: Path, manifest: dict[str, object]) -> None:
    """Record ``manifest`` plus the size and checksum of the vector file."""
    vectors = folder / VECTORS_FILE
    manifest = {**manifest, "vectors_bytes": vectors.stat().st_size, "vectors_blake2b": file_digest(vectors)}
    (folder / MANIFEST_FILE).write_text(json.dumps(manifest, indent=2, sort_keys=True) + "\n")


def read_manifest(folder: Path) -> dict[str, object]:
    try:
        return json.loads((folder / MANIFEST_FILE).read_text())
    except FileNotFoundError:
        raise IndexCorruptError(f"{folder.name} has no {MANIFEST_FILE}") from None
    except (json.JSONDecodeError, UnicodeDecodeError) as error:
        raise IndexCorruptError(f"{folder.name}/{MANIFEST_FILE} is damaged ({error})") from error


def check_files(folder: Path, manifest: dict[str, object]) -> None:
    """Raise ``IndexCorruptError`` when a snapshot's files are missing, truncated or altered."""
    for name in (STORE_FILE, VECTORS_FILE):
        if not (folder / name).is_file():
            raise IndexCorruptError(f"the index file {name} is missing")
    vectors = folder / VECTORS_FILE
    if vectors.stat().st_size != manifest.get("vectors_bytes"):
        raise IndexCorruptError(
            f"the vector file {VECTORS_FILE} is {vectors.stat().st_size:,} bytes, "
            f"the manifest says {manifest.get('vectors_bytes')}: it is truncated or was replaced"
        )
    if file_digest(vectors) != manifest.get("vectors_blake2b"):
        raise IndexCorruptError(f"the vector file {VECTORS_FILE} does not match its checksum: it is damaged")


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
