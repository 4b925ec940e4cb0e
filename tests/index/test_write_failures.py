"""A build whose writes fail half-way (full disk, a file-size limit, a read-only folder) leaves the
old index whole, says what happened in one line, and the next run completes.

The failures are real, made with the operating system rather than mocks:
- a full disk: the index folder on a tmpfs in a private mount namespace (`unshare -m`, needs
  CAP_SYS_ADMIN, skipped without it), filled with ballast to leave just too little space for
  the database copy, the new articles or the vector file;
- a file-size limit: `RLIMIT_FSIZE` set in the child (`preexec_fn`, SIGXFSZ ignored), so a
  write past the limit fails with EFBIG; works for any user, root included;
- a read-only folder: a read-only bind mount in a private mount namespace when root (for whom
  chmod does not stop writes), chmod 0555 otherwise.
"""

from __future__ import annotations

import os
import resource
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from index import snapshot
from index.archive import Archive, build_index
from index.config import Settings
from tests import figures
from tests.index.runs import ROOT, add_articles, answers, run_newsdesk

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
    assert Archive.open(settings, embedder).stats().articles == 5
    report = build_index(settings, embedder)
    assert report.added == NEW_ARTICLES and report.total_articles == 5 + NEW_ARTICLES


# --- a full disk --------------------------------------------------------------------------

FULL_DISK = """
set -e
mount -t tmpfs -o size=64m tmpfs "$MNT"
cp -a "$INDEX/." "$MNT/"
avail=$(df -B1 --output=avail "$MNT" | tail -n 1)
head -c $((avail - FREE)) /dev/zero > "$MNT/.ballast"
"$PYTHON" -c "$BUILD" "$NEWSDESK_DATA_DIR" "$MNT"
rm "$MNT/.ballast"
cp -a "$MNT/." "$RESULT/"
"""
BUILD = """
import sys, traceback
from pathlib import Path
from index.archive import build_index
from index.config import Settings
from index.errors import BuildError
try:
    build_index(Settings(data_dir=Path(sys.argv[1]), index_dir=Path(sys.argv[2])))
except BuildError as error:
    frames = [frame.name for frame in traceback.extract_tb(error.__cause__.__traceback__)]
    print(error)
    print(next(name for name in reversed(frames) if name in ("_start_store", "add_articles", "save", "publish")))
"""
POINTS = {  # where to run out of space: free bytes, from (old database, new database, new vector file) sizes
    "_start_store": lambda old, new, vectors: old // 2,
    "add_articles": lambda old, new, vectors: (old + new) // 2,
    "save": lambda old, new, vectors: new + vectors // 2,
}


@pytest.fixture(scope="module")
def sizes(seed_data, tmp_path_factory, embedder) -> tuple[int, int, int]:
    """(old database, new database, new vector file) bytes of a build adding ``NEW_ARTICLES`` to the seeds."""
    data = tmp_path_factory.mktemp("measure") / "data"
    shutil.copytree(seed_data, data)
    settings = Settings.for_data_dir(data)
    old = (snapshot.current(settings.index_dir) / snapshot.STORE_FILE).stat().st_size
    add_articles(settings, NEW_ARTICLES)
    build_index(settings, embedder)
    live = snapshot.current(settings.index_dir)
    return old, (live / snapshot.STORE_FILE).stat().st_size, (live / snapshot.VECTORS_FILE).stat().st_size


@pytest.mark.skipif(not MOUNTS, reason="mounting a tmpfs needs root with CAP_SYS_ADMIN")
@pytest.mark.parametrize("point", POINTS, ids=["copying the database", "writing new articles", "writing the vector file"])
def test_full_disk(built, embedder, sizes, tmp_path, point):
    settings = built
    before = answers(settings, embedder)
    add_articles(settings, NEW_ARTICLES)
    result_dir, mount = tmp_path / "after", tmp_path / "mnt"
    result_dir.mkdir(), mount.mkdir()
    env = {**os.environ, "NEWSDESK_DATA_DIR": str(settings.data_dir), "INDEX": str(settings.index_dir),
           "MNT": str(mount), "RESULT": str(result_dir), "PYTHON": sys.executable, "BUILD": BUILD,
           "FREE": str(POINTS[point](*sizes))}
    with figures.trial("writes failing: disk full (tmpfs)", f"in {point}"):
        done = subprocess.run(["unshare", "-m", "sh", "-c", FULL_DISK], env=env, cwd=ROOT, capture_output=True, text=True, timeout=300)
        message, failed_in = (done.stdout.strip().splitlines() + ["", ""])[:2]
        assert message == f"could not write the new index in {mount}: the disk is full; the previous index is unchanged", done
        assert failed_in == point
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


@pytest.mark.parametrize("extra", [-4096, 16384], ids=["copying the database", "writing new articles"])
def test_file_size_limit(built, embedder, extra):
    settings = built
    before = answers(settings, embedder)
    add_articles(settings, NEW_ARTICLES)
    store = snapshot.current(settings.index_dir) / snapshot.STORE_FILE
    limit = store.stat().st_size + extra
    with figures.trial("writes failing: file-size limit (RLIMIT_FSIZE)"):
        result = run_newsdesk(settings, "index", preexec_fn=file_size_limit(limit))
        assert_failed_cleanly(result, "a write to the disk failed (disk I/O error)", settings.index_dir)
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

READ_ONLY = 'mount --bind "$INDEX" "$INDEX" && mount -o remount,bind,ro "$INDEX" && exec "$PYTHON" -m bot.cli index'


@pytest.mark.skipif(IS_ROOT and not MOUNTS, reason="root needs a read-only mount (CAP_SYS_ADMIN): chmod does not stop root")
def test_read_only_folder(built, embedder):
    settings = built
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
                result = run_newsdesk(settings, "index")
            finally:
                settings.index_dir.chmod(0o755)
            reason = "permission denied"
        assert_failed_cleanly(result, reason, settings.index_dir)
        assert_old_index_whole_and_next_run_completes(settings, embedder, before)


def run_newsdesk_in(settings, command: list[str], env: dict) -> subprocess.CompletedProcess:
    environ = {**os.environ, "NEWSDESK_DATA_DIR": str(settings.data_dir), **env}
    return subprocess.run(command, env=environ, cwd=ROOT, capture_output=True, text=True, timeout=300)
