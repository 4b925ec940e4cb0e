"""Files checked and made durable: sizes and checksums recorded at writing, fsync of files and folders."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

from index.errors import IndexCorruptError


def file_digest(path: Path) -> str:
    digest = hashlib.blake2b(digest_size=16)
    with open(path, "rb") as stream:
        while chunk := stream.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def size_and_digest(path: Path) -> tuple[int, str]:
    return path.stat().st_size, file_digest(path)


def check(path: Path, what: str, size: object, digest: object) -> None:
    """Raise ``IndexCorruptError`` unless ``path`` has the recorded size and checksum."""
    actual = path.stat().st_size
    if actual != size:
        raise IndexCorruptError(f"{what} is {actual:,} bytes, the index says {size}: it is truncated or was replaced")
    if file_digest(path) != digest:
        raise IndexCorruptError(f"{what} does not match its checksum: it was altered or replaced")


def fsync_file(path: Path) -> None:
    with open(path, "rb+") as handle:
        os.fsync(handle.fileno())


def fsync_dir(folder: Path) -> None:
    descriptor = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


def sync_tree(folder: Path) -> None:
    """fsync every file under ``folder`` and every folder, deepest first."""
    for path in sorted(folder.rglob("*"), key=lambda p: len(p.parts), reverse=True):
        if path.is_file():
            fsync_file(path)
        elif path.is_dir():
            fsync_dir(path)
    fsync_dir(folder)
