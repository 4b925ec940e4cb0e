"""Intake: an uploaded article file saved into the articles folder, safely.

The name is reduced to a plain file name (no folders, no hidden files, no
control characters), the file must be a readable article of a supported type
within ``MAX_UPLOAD_BYTES``, and it is written atomically, never outside the
articles folder and never over a different existing file.
"""

from __future__ import annotations

import hashlib
import os
import re
import unicodedata
import uuid
from pathlib import Path

from index import readers
from index.errors import ArticleError, UploadError

MAX_UPLOAD_BYTES = 5 * 1024 * 1024
UPLOAD_SUFFIXES = (".txt", ".md", ".html", ".htm", ".json", ".jsonl")
MAX_NAME_CHARS = 100
MAX_NAME_BYTES = 200  # file systems allow 255 bytes of UTF-8; room is left for "-2", "-3"…
_UNSAFE = re.compile(r"[^\w.-]+")


def safe_name(filename: str) -> str:
    """A plain, safe file name from whatever name an upload came with."""
    name = unicodedata.normalize("NFKC", filename or "")
    name = "".join(ch for ch in name if unicodedata.category(ch)[0] != "C")
    name = re.split(r"[/\\]", name)[-1]  # drop every folder part, Unix or Windows
    name = _UNSAFE.sub("_", name).strip("._-")
    stem, dot, suffix = name.rpartition(".")
    if not dot:
        stem, suffix = name, ""
    suffix = _cut(suffix.lower(), MAX_NAME_CHARS // 2)  # a suffix that long is no known type anyway
    room = MAX_NAME_CHARS - len(suffix) - 1, MAX_NAME_BYTES - len(suffix.encode()) - 1
    stem = _cut(stem, *room) or "article"
    return f"{stem}.{suffix}" if suffix else stem


def _cut(text: str, chars: int, utf8_bytes: int | None = None) -> str:
    """``text`` cut to at most ``chars`` characters and ``utf8_bytes`` bytes of UTF-8."""
    text = text[: max(chars, 0)]
    if utf8_bytes is not None:
        text = text.encode()[: max(utf8_bytes, 0)].decode(errors="ignore")
    return text


def check_upload(filename: str, size: int | None) -> str:
    """The safe name of an acceptable upload; ``UploadError`` for a wrong type or size.

    ``size`` None is unknown (Telegram may not say): only the name is checked, and
    ``save_article`` checks the size of what was downloaded.
    """
    name = safe_name(filename)
    suffix = Path(name).suffix.lower()
    if suffix not in UPLOAD_SUFFIXES:
        raise UploadError(f"only {', '.join(UPLOAD_SUFFIXES)} files can be added, not {suffix or 'files without a type'}")
    if size is None:
        return name
    if size > MAX_UPLOAD_BYTES:
        raise UploadError(f"the file is {size / 1048576:.1f} MB; the limit is {MAX_UPLOAD_BYTES // 1048576} MB")
    if size == 0:
        raise UploadError("the file is empty")
    return name


def save_article(articles_dir: Path, filename: str, content: bytes) -> Path:
    """Check ``content`` reads as an article, then save it under a safe, free name; the path."""
    name = check_upload(filename, len(content))
    articles_dir.mkdir(parents=True, exist_ok=True)
    staging = articles_dir / f".upload-{uuid.uuid4().hex}{Path(name).suffix}"  # hidden: builds skip it
    try:
        _write_synced(staging, content)
        try:
            readers.read_file(staging, articles_dir)
        except ArticleError as error:
            raise UploadError(f"the file is not a readable article: {error}") from error
        target = _free_path(articles_dir, name, content)
        os.replace(staging, target)
        return target
    finally:
        staging.unlink(missing_ok=True)


def _free_path(articles_dir: Path, name: str, content: bytes) -> Path:
    """``name`` in the folder, or ``name-2``, ``name-3``… if a different file holds it."""
    root = articles_dir.resolve()
    stem, suffix = Path(name).stem, Path(name).suffix
    for number in range(1, 1000):
        candidate = root / (name if number == 1 else f"{stem}-{number}{suffix}")
        if not candidate.resolve().is_relative_to(root):
            raise UploadError("unsafe file name")
        if not candidate.exists() or _same(candidate, content):
            return candidate
    raise UploadError("too many files with this name")


def _same(path: Path, content: bytes) -> bool:
    return path.is_file() and hashlib.sha256(path.read_bytes()).digest() == hashlib.sha256(content).digest()


def _write_synced(path: Path, content: bytes) -> None:
    with open(path, "xb") as handle:
        handle.write(content)
        handle.flush()
        os.fsync(handle.fileno())
