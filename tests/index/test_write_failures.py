"""A build whose writes fail half-way (full disk, a file-size limit, a read-only folder) leaves the
old index whole, says what happened in one line, and the next run completes.

The failures are real, made with the operating system rather than mocks:
- a full disk: the index folder on a tmpfs in a private mount namespace (`unshare -m`, needs
  CAP_SYS_ADMIN, skipped without it), filled with ballast to leave just too little space for
  the new vector segment or the transaction of an update in place, or for the database or the
  vector segment of a whole rebuild;
- a file-size limit: `RLIMIT_FSIZE` set in the child (`preexec_fn`, SIGXFSZ ignored), so a
  write past the limit fails with EFBIG; works for any user, root included;
- a read-only folder: a read-only bind mount in a private mount namespace when root (for whom
  chmod does not stop writes), chmod 0555 otherwise;
- the store's own error, with SQLite's limits on one connection: a page count it may not pass
  (SQLITE_FULL) and reads only (SQLITE_READONLY), each said in words as the full disk and the
  read-only folder are.

The builds are the real command with the fake embedder (``tests/fakes/newsdesk.py``): what a
failed write leaves does not depend on the model.
"""

from __future__ import annotations

import os
import resource
import shutil
import signal
import sqlite3
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from index import snapshot
from index.build import build_index
from index.config import Settings
from index.errors import DatabaseWriteError, write_failure
from index.opened import OpenedSnapshot
from index.records import FileRecord
from index.store import Store
from tests import figures
from tests.index.runs import ROOT, add_articles, answers, live_store, run_newsdesk

NEW_ARTICLES = 12
IS_ROOT = os.geteuid() == 0


def can_mount() -> bool:
    """True when this process may mount in a private mount namespace (root with CAP_SYS_ADMIN)."""
    if not IS_ROOT or shutil.which("unshare") is None:
        return False
    probe = subprocess.run(["unshare", "-m", "sh", "-c", "mount -t tmpfs -o size=4k tmpfs /mnt"], capture_output=True)
    return probe.returncode == 0


MOUNTS = can_mount()


def assert_failed_cleanly(result: subprocess.CompletedProcess, reason: str, index_dir: Path) -> None:
    """Exit 1, one line naming the reason and the folder, no traceback, no workspace left."""
    assert result.returncode == 1, (result.stdout, result.stderr)
    lines = [line for line in result.stderr.splitlines() if not line.startswith("20")]  # log lines carry a date
    assert lines == [f"newsdesk: could not write the new index in {index_dir}: {reason}; the previous index is unchanged"], result.stderr
    assert "Traceback" not in result.stderr
    assert not list(index_dir.glob(snapshot.WORK_PREFIX + "*"))


def assert_old_index_whole_and_next_run_completes(settings: Settings, embedder, before) -> None:
    assert answers(settings, embedder) == before
    assert OpenedSnapshot.open(settings, embedder).stats().articles == 5
    report = build_index(settings, embedder)
    assert report.added == NEW_ARTICLES and report.total_articles == 5 + NEW_ARTICLES


# --- a full disk --------------------------------------------------------------------------

FULL_DISK = """
set -e
mount -t tmpfs -o size=64m tmpfs "$MNT"
cp -a "$INDEX/." "$MNT/"
avail=$(df -B1 --output=avail "$MNT" | tail -n 1)
head -c $((avail - FREE)) /dev/zero > "$MNT/.ballast"
"$PYTHON" -c "$BUILD" "$NEWSDESK_DATA_DIR" "$MNT" "$KIND"
rm "$MNT/.ballast"
cp -a "$MNT/." "$RESULT/"
"""
BUILD = """
import sys, traceback
import tests.fakes.newsdesk  # the fake embedder
from pathlib import Path
from index import Archive, Settings
from index.errors import BuildError
try:
    Archive(Settings(data_dir=Path(sys.argv[1]), index_dir=Path(sys.argv[2]))).reindex(full=sys.argv[3] == "full")
except BuildError as error:
    frames = [frame.name for frame in traceback.extract_tb(error.__cause__.__traceback__)]
    print(error)
    print(next(name for name in reversed(frames) if name in ("write", "insert", "update")))
"""


@dataclass(frozen=True)
class Sizes:
    """Bytes a build adding ``NEW_ARTICLES`` to the seeds writes: in place (its segment, and what
    its transaction adds to the database and its log), and whole (the database, the segment)."""

    segment: int
    transaction: int
    database: int
    whole_segment: int


POINTS = {  # (build, where it runs out of space, free bytes left)
    "the vector segment of an update": ("update", "write", lambda s: s.segment // 2),
    "the transaction of an update": ("update", "update", lambda s: s.segment + s.transaction // 2),
    "the database of a whole rebuild": ("full", "insert", lambda s: s.database // 2),
    "the vector segment of a whole rebuild": ("full", "write", lambda s: s.database + s.whole_segment // 2),
}


def _index_bytes(settings: Settings) -> int:
    return sum(p.stat().st_size for p in settings.index_dir.rglob("*") if p.is_file())


def _newest_segment(settings: Settings) -> int:
    return max((snapshot.current(settings.index_dir) / "segments").glob("seg-*.faiss")).stat().st_size


@pytest.fixture(scope="module")
def sizes(indexed_seeds, tmp_path_factory, fake_embedder) -> Sizes:
    embedder = fake_embedder
    data = tmp_path_factory.mktemp("measure") / "data"
    shutil.copytree(indexed_seeds(embedder), data)
    settings = Settings.for_data_dir(data)
    before = _index_bytes(settings)
    add_articles(settings, NEW_ARTICLES)
    build_index(settings, embedder)
    segment = _newest_segment(settings)
    transaction = _index_bytes(settings) - before - segment
    build_index(settings, embedder, full=True)
    whole_segment = _newest_segment(settings)
    database = live_store(settings).stat().st_size
    return Sizes(segment, transaction, database, whole_segment)


@pytest.mark.skipif(not MOUNTS, reason="mounting a tmpfs needs root with CAP_SYS_ADMIN")
@pytest.mark.parametrize("point", POINTS)
def test_full_disk(fake_built, fake_embedder, sizes, tmp_path, point):
    settings, embedder = fake_built, fake_embedder
    kind, frame, free = POINTS[point]
    before = answers(settings, embedder)
    add_articles(settings, NEW_ARTICLES)
    result_dir, mount = tmp_path / "after", tmp_path / "mnt"
    result_dir.mkdir(), mount.mkdir()
    env = {**os.environ, "NEWSDESK_DATA_DIR": str(settings.data_dir), "INDEX": str(settings.index_dir),
           "MNT": str(mount), "RESULT": str(result_dir), "PYTHON": sys.executable, "BUILD": BUILD,
           "KIND": kind, "FREE": str(free(sizes))}
    with figures.trial("writes failing: disk full (tmpfs)", f"in {point}"):
        done = subprocess.run(["unshare", "-m", "sh", "-c", FULL_DISK], env=env, cwd=ROOT, capture_output=True, text=True, timeout=300)
        message, failed_in = (done.stdout.strip().splitlines() + ["", ""])[:2]
        assert message == f"could not write the new index in {mount}: the disk is full; the previous index is unchanged", done
        assert failed_in == frame
        assert not list(result_dir.glob(snapshot.WORK_PREFIX + "*"))
        shutil.rmtree(settings.index_dir)
        shutil.copytree(result_dir, settings.index_dir)  # what the failed build left, back on a roomy disk
        assert_old_index_whole_and_next_run_completes(settings, embedder, before)


# --- a file-size limit ---------------------------------------------------------------------


def file_size_limit(limit: int):
    def apply() -> None:
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a write past the limit fails with EFBIG instead
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))
    return apply


LIMITS = {  # an update in place, with every file limited to this many bytes; what the one line says
    "writing the vector segment": (lambda s: s.segment // 2, "a file would exceed the largest size allowed"),
    "writing the transaction": (lambda s: s.segment + max(0, s.transaction - s.segment) // 2,
                                "a write to the disk failed (disk I/O error)"),
}


@pytest.mark.parametrize("point", LIMITS)
def test_file_size_limit(fake_built, fake_embedder, sizes, point):
    settings, embedder = fake_built, fake_embedder
    before = answers(settings, embedder)
    add_articles(settings, NEW_ARTICLES)
    limit, reason = LIMITS[point][0](sizes), LIMITS[point][1]
    assert point != "writing the transaction" or sizes.transaction > sizes.segment, sizes
    with figures.trial("writes failing: file-size limit (RLIMIT_FSIZE)", point):
        result = run_newsdesk(settings, "index", preexec_fn=file_size_limit(limit), fake=True)
        assert_failed_cleanly(result, reason, settings.index_dir)
        assert_old_index_whole_and_next_run_completes(settings, embedder, before)


SAVE_VECTORS = """
import sys
import numpy as np
from pathlib import Path
from index.vectors import VectorIndex
vectors = VectorIndex.build(np.arange(2000), np.ones((2000, 384), dtype=np.float32), 384)
try:
    vectors.save(Path(sys.argv[1]))
except OSError as error:
    print(error.errno, error.strerror)
"""


def test_vector_file_write_failure_is_an_os_error(tmp_path):
    limit = 100_000  # the file is about 3 MB
    done = subprocess.run([sys.executable, "-c", SAVE_VECTORS, str(tmp_path / "v.faiss")], cwd=ROOT,
                          preexec_fn=file_size_limit(limit), capture_output=True, text=True, timeout=120)
    assert done.stdout.strip() == f"27 {os.strerror(27)}", done.stderr  # EFBIG, as FAISS's RuntimeError said


# --- a read-only folder --------------------------------------------------------------------

READ_ONLY = 'mount --bind "$INDEX" "$INDEX" && mount -o remount,bind,ro "$INDEX" && exec "$PYTHON" -m tests.fakes.newsdesk index'


@pytest.mark.skipif(IS_ROOT and not MOUNTS, reason="root needs a read-only mount (CAP_SYS_ADMIN): chmod does not stop root")
def test_read_only_folder(fake_built, fake_embedder):
    settings, embedder = fake_built, fake_embedder
    before = answers(settings, embedder)
    add_articles(settings, NEW_ARTICLES)
    with figures.trial("writes failing: read-only folder", "read-only bind mount" if IS_ROOT else "chmod 0555"):
        if IS_ROOT:
            env = {"INDEX": str(settings.index_dir), "PYTHON": sys.executable}
            result = run_newsdesk_in(settings, ["unshare", "-m", "sh", "-c", READ_ONLY], env)
            reason = "the file system is read-only"
        else:
            settings.index_dir.chmod(0o555)
            try:
                result = run_newsdesk(settings, "index", fake=True)
            finally:
                settings.index_dir.chmod(0o755)
            reason = "permission denied"
        assert_failed_cleanly(result, reason, settings.index_dir)
        assert_old_index_whole_and_next_run_completes(settings, embedder, before)


# --- the store's own error -------------------------------------------------------------------

SQLITE_LIMITS = {  # a limit SQLite puts on the store's connection; the reason a write past it gives
    "no page past the ones it has (SQLITE_FULL)": ("PRAGMA max_page_count = {pages}", "the disk is full"),
    "reads only (SQLITE_READONLY)": ("PRAGMA query_only = 1", "the file system is read-only"),
}


@pytest.mark.parametrize("limit", SQLITE_LIMITS)
def test_a_failed_database_write_is_the_stores_error_saying_why(tmp_path, limit):
    pragma, reason = SQLITE_LIMITS[limit]
    store = Store.create(tmp_path / "store.sqlite")
    try:
        store.db.execute(pragma.format(pages=store.db.execute("PRAGMA page_count").fetchone()[0]))
        with pytest.raises(DatabaseWriteError) as failed, store.transaction():
            store.update_files({f"{n}.md": FileRecord("0" * 64, n, n, n) for n in range(1000)}, ())
    finally:
        store.close()
    assert (str(failed.value), failed.value.reason) == (f"could not write the database store.sqlite: {reason}", reason)
    assert isinstance(failed.value.__cause__, sqlite3.DatabaseError)
    assert str(write_failure(failed.value, tmp_path)) == (
        f"could not write the new index in {tmp_path}: {reason}; the previous index is unchanged"
    )


def run_newsdesk_in(settings, command: list[str], env: dict) -> subprocess.CompletedProcess:
    environ = {**os.environ, "NEWSDESK_DATA_DIR": str(settings.data_dir), **env}
    return subprocess.run(command, env=environ, cwd=ROOT, capture_output=True, text=True, timeout=300)
