"""An articles folder or file the process may not read stops the build, naming it; it is never a deletion.

The unreadable condition is real: the folder or file is ``chmod 000`` and the build runs in a
child process that cannot bypass file permissions. As root (for whom chmod stops nothing) the
child drops CAP_DAC_OVERRIDE and CAP_DAC_READ_SEARCH from its capability bounding set before it
starts Python, so the Python it runs has them in no set; as another user chmod is enough.
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from index import snapshot
from index.build import build_index
from index.config import Settings
from index.opened import OpenedSnapshot
from tests.index.runs import ROOT, answers, run_newsdesk

IS_ROOT = os.geteuid() == 0
PR_CAPBSET_DROP = 24
CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH = 1, 2
FOLDER = "esteri"  # two of the five seed articles live in it


def without_permission_bypass() -> None:
    """``preexec_fn``: as root, give up the capabilities that let root read what chmod forbids."""
    if not IS_ROOT:
        return
    libc = ctypes.CDLL(None, use_errno=True)
    for capability in (CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH):
        if libc.prctl(PR_CAPBSET_DROP, capability, 0, 0, 0) != 0:
            raise OSError(ctypes.get_errno(), "prctl(PR_CAPBSET_DROP)")


@contextlib.contextmanager
def unreadable(path: Path) -> Iterator[Path]:
    mode = path.stat().st_mode
    path.chmod(0)
    try:
        yield path
    finally:
        path.chmod(mode)


@pytest.fixture(scope="module")
def embedder(fake_embedder):
    """The fake embedder, for this module's builds and the `newsdesk` runs (``tests/fakes/newsdesk.py``):
    what is refused is a file the process may not read, whatever the model."""
    return fake_embedder


@pytest.fixture
def foldered(settings: Settings, embedder) -> Settings:
    """The seed articles indexed, two of them inside the subfolder ``esteri``."""
    folder = settings.articles_dir / FOLDER
    folder.mkdir()
    for path in sorted(settings.articles_dir.glob("*.txt"))[:2]:
        shutil.move(path, folder / path.name)
    report = build_index(settings, embedder)
    assert report.total_articles == 5
    return settings


def assert_refused(result: subprocess.CompletedProcess, path: Path) -> None:
    """Exit 1 and one line on standard error naming the path, no traceback."""
    assert result.returncode == 1, (result.stdout, result.stderr)
    assert "Traceback" not in result.stderr
    lines = [line for line in result.stderr.splitlines() if not line.startswith("20")]  # log lines carry a date
    assert len(lines) == 1 and lines[0].startswith("newsdesk: ") and str(path) in lines[0], result.stderr
    assert "permission denied" in lines[0]


def assert_index_kept(settings: Settings, embedder, live: Path, before) -> None:
    assert snapshot.current(settings.index_dir) == live
    assert OpenedSnapshot.open(settings, embedder).stats().articles == 5
    assert answers(settings, embedder) == before


@pytest.mark.parametrize("target", [FOLDER, f"{FOLDER}/*", "."], ids=["subfolder", "file", "articles folder"])
def test_newsdesk_index_stops_at_what_it_cannot_read(foldered, embedder, target):
    settings = foldered
    live, before = snapshot.current(settings.index_dir), answers(settings, embedder)
    path = next(settings.articles_dir.glob(target)) if "*" in target else (settings.articles_dir / target).resolve()
    with unreadable(path):
        result = run_newsdesk(settings, "index", preexec_fn=without_permission_bypass, fake=True)
    assert_refused(result, path)
    assert_index_kept(settings, embedder, live, before)
    report = build_index(settings, embedder)  # readable again: nothing was lost
    assert (report.removed, report.unchanged, report.total_articles) == (0, 5, 5)


LIBRARY_REINDEX = """
import sys
import tests.fakes.newsdesk  # the fake embedder
from index.config import load_settings
from index.errors import NewsdeskError
from index.archive import Archive

archive = Archive(load_settings()).open(build_if_missing=False)
try:
    report = archive.reindex()
    print("rebuilt:", report)
except NewsdeskError as error:
    print(f"{type(error).__name__}: {error}")
print(archive.stats().articles)
print(archive.ask(sys.argv[1]).answers[0].article_id)
"""


def test_the_library_reindex_refuses_and_keeps_answering(foldered, embedder):
    settings = foldered
    live = snapshot.current(settings.index_dir)
    question = "Chi ha incontrato Lavrov a Minsk?"
    expected = OpenedSnapshot.open(settings, embedder).ask(question).answers[0].article_id
    environ = {**os.environ, "NEWSDESK_DATA_DIR": str(settings.data_dir)}
    environ.pop("NEWSDESK_INDEX_DIR", None)
    with unreadable(settings.articles_dir / FOLDER):
        result = subprocess.run(
            [sys.executable, "-c", LIBRARY_REINDEX, question], env=environ, cwd=ROOT,
            preexec_fn=without_permission_bypass, capture_output=True, text=True, timeout=300,
        )
    assert result.returncode == 0, result.stderr
    refused, articles, answered = result.stdout.splitlines()
    assert refused.startswith("ArticlesUnreadableError: ") and str(settings.articles_dir / FOLDER) in refused
    assert (articles, answered) == ("5", expected)
    assert snapshot.current(settings.index_dir) == live
