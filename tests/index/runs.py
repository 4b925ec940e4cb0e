"""Helpers for tests that run `newsdesk` as an operator would (a real process), to kill or starve it."""

from __future__ import annotations

import fcntl
import os
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

from index import snapshot
from index.opened import OpenedSnapshot
from index.records import Response

ROOT = Path(__file__).resolve().parents[2]
QUESTIONS = (
    "What was agreed in Minsk in December 2022?",
    "Chi ha incontrato Lavrov a Minsk?",
    "Quali misure economiche ha annunciato il governo bielorusso?",
)


def newsdesk(settings, *args: str, preexec_fn=None, env: dict | None = None, fake: bool = False) -> subprocess.Popen:
    """Start `newsdesk ARGS` on ``settings``' data folder (with the fake embedder when ``fake``)."""
    environ = {**os.environ, "NEWSDESK_DATA_DIR": str(settings.data_dir), **(env or {})}
    environ.pop("NEWSDESK_INDEX_DIR", None)
    return subprocess.Popen(
        [sys.executable, "-m", "tests.fakes.newsdesk" if fake else "bot.cli", *args], env=environ, cwd=ROOT, preexec_fn=preexec_fn,
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )


def run_newsdesk(settings, *args: str, timeout: float = 300.0, **options) -> subprocess.CompletedProcess:
    """Run `newsdesk ARGS` to the end; its exit code, standard output and error."""
    process = newsdesk(settings, *args, **options)
    out, err = process.communicate(timeout=timeout)
    return subprocess.CompletedProcess(process.args, process.returncode, out, err)


def workspaces(settings) -> set[Path]:
    return set(settings.index_dir.glob("work-*"))


def wait_for_workspace(settings, process: subprocess.Popen, timeout: float = 120.0, stale: set[Path] = frozenset()) -> bool:
    """Wait until the build has started writing its workspace (False if it ended first).

    ``stale``: workspaces left by earlier killed runs, which do not count.
    """
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and process.poll() is None:
        if any(p.parent not in stale for p in settings.index_dir.glob("work-*/store.sqlite")):
            return True
        time.sleep(0.005)
    return False


def add_articles(settings, count: int, prefix: str = "extra") -> list[Path]:
    """``count`` new articles, each with its own words, so each is a passage of its own."""
    paths = []
    for number in range(count):
        path = settings.articles_dir / f"{prefix}{number:03d}.txt"
        path.write_text(
            f"Notizia {prefix} numero {number} da Minsk\n\n"
            + f"Il governo bielorusso ha annunciato la misura {prefix}-{number} per l'economia. " * 30
        )
        paths.append(path)
    return paths


def answers(settings, embedder, questions=QUESTIONS) -> list[Response]:
    """What the live index answers to ``questions`` (it must load, whole)."""
    archive = OpenedSnapshot.open(settings, embedder)
    try:
        return [archive.ask(question) for question in questions]
    finally:
        archive.close()


def live_store(settings) -> Path:
    """The live snapshot's database file."""
    return snapshot.store_path(snapshot.current(settings.index_dir))


def set_meta(settings, **values) -> None:
    """Overwrite manifest values in the live database, as another build (or a faulty one) would leave them."""
    conn = sqlite3.connect(live_store(settings))
    with conn:
        conn.executemany("INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)", [(k, str(v)) for k, v in values.items()])
    conn.close()


def generation(settings) -> int:
    conn = sqlite3.connect(f"{live_store(settings).as_uri()}?mode=ro", uri=True)
    try:
        return int(conn.execute("SELECT value FROM meta WHERE key = 'generation'").fetchone()[0])
    finally:
        conn.close()


def build_running(settings) -> bool:
    """Whether a build holds the index folder's lock."""
    lock = settings.index_dir / snapshot.LOCK
    if not lock.exists():
        return False
    with open(lock, "a+") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return True
        fcntl.flock(handle, fcntl.LOCK_UN)
        return False


def wait_for_build(settings, process: subprocess.Popen, timeout: float = 120.0) -> bool:
    """Wait until the build holds the lock (False if it ended first)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and process.poll() is None:
        if build_running(settings):
            return True
        time.sleep(0.005)
    return False
