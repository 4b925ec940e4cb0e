"""What a build has to do: the articles folder compared with what the index holds.

A file whose size, modification and change times are as recorded is neither read nor hashed
(an archive of a million passages is some hundred thousand files); one whose bytes
hash as before is not parsed; inside a changed file, articles whose content hash is
unchanged keep their passages and vectors. A file whose content cannot be read
(binary, malformed, too large) is skipped with a warning naming it; if it was indexed
before, its articles stay as they were. A folder or file the process may not read
(permissions, an owner changed) stops the build with ``ArticlesUnreadableError`` naming
it: skipped, its articles would count as deleted.
"""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from index import assembly, readers
from index.errors import ArticleError, read_failure
from index.records import Article, FileRecord, Progress

logger = logging.getLogger(__name__)

RACY_SECONDS = 2  # a file changed this recently may change again within its clock's tick: hash it next time too
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
    files: dict[str, FileRecord] = field(default_factory=dict)  # files read or hashed again, to record
    gone: set[str] = field(default_factory=set)  # files recorded before and no longer there
    skipped: list[str] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        """Articles to add or remove (recording files alone changes no answer)."""
        return bool(self.new or self.remove)

    @property
    def writes(self) -> bool:
        """Anything to write at all."""
        return self.changed or bool(self.files or self.gone)


@dataclass(frozen=True)
class Holdings:
    """What the index holds, as planning reads it (nothing, for a first build)."""

    files: dict[str, FileRecord] = field(default_factory=dict)
    ids_by_path: dict[str, list[str]] = field(default_factory=dict)
    hashes: dict[str, str] = field(default_factory=dict)  # article id -> content hash

    @classmethod
    def of(cls, store) -> "Holdings":
        return cls(store.files(), store.article_ids_by_path(), store.article_hashes())


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


def make_plan(articles_dir: Path, held: Holdings, progress: ProgressCallback | None = None) -> Plan:
    """Compare the articles folder with what the index holds."""
    plan = Plan()
    seen: set[str] = set()
    paths = list(article_files(articles_dir))
    for done, path in enumerate(paths, start=1):
        relative = path.relative_to(articles_dir).as_posix()
        seen.add(relative)
        _plan_file(plan, path, articles_dir, relative, held)
        if progress:
            progress(Progress("read", done, len(paths)))
    for relative, ids in held.ids_by_path.items():
        if relative not in seen:  # the file is gone
            plan.remove.update(ids)
            plan.removed += len(ids)
    plan.gone = set(held.files) - seen
    return plan


def _plan_file(plan: Plan, path: Path, root: Path, relative: str, held: Holdings) -> None:
    old_ids = held.ids_by_path.get(relative, [])
    old = held.files.get(relative)
    try:
        if not path.is_file():  # a named pipe would block the build, a device never end
            raise ArticleError("not a regular file")
        status = path.stat()
        if old is not None and old.same_stat(status):
            plan.unchanged += len(old_ids)
            return
        content = path.read_bytes()
        record = _record(assembly.content_hash(content), status)
        if old is not None and old.digest == record.digest:
            plan.files[relative] = record  # touched, not changed
            plan.unchanged += len(old_ids)
            return
        articles = readers.read_file(path, root)
    except PermissionError as error:  # not the file's fault: skipped, it would be a deletion
        raise read_failure(error, path) from error
    except (ArticleError, OSError, RecursionError, MemoryError) as error:
        _skip(plan, relative, error)
        return
    except Exception as error:  # one bad file never stops the build
        logger.exception("unexpected error reading %s", relative)
        _skip(plan, relative, error)
        return
    plan.files[relative] = record
    _plan_articles(plan, articles, old_ids, held.hashes)


def _record(digest: str, status: os.stat_result) -> FileRecord:
    """What to record of a file read now. Times too recent to vouch for the content are recorded
    as -1 (read again next time): a file rewritten within its file system's clock tick keeps its
    times, and maybe its size."""
    recent = time.time_ns() - max(status.st_mtime_ns, status.st_ctime_ns) < RACY_SECONDS * 10**9
    if recent:
        return FileRecord(digest, status.st_size, -1, -1)
    return FileRecord(digest, status.st_size, status.st_mtime_ns, status.st_ctime_ns)


def _skip(plan: Plan, relative: str, error: Exception) -> None:
    """Skip a file that cannot be read; what was indexed from it stays, and it is tried again next time."""
    reason = str(error) or type(error).__name__
    logger.warning("skipped %s: %s", relative, reason)
    plan.skipped.append(f"{relative}: {reason}")


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
