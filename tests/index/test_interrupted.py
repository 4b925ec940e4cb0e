"""A build killed half-way leaves the previous index loading and answering; the next run completes."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

from index.archive import Archive, build_index

NEW_ARTICLES = 40


def newsdesk(settings, *args: str) -> subprocess.Popen:
    env = {**os.environ, "NEWSDESK_DATA_DIR": str(settings.data_dir)}
    return subprocess.Popen([sys.executable, "-m", "bot.cli", *args], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def wait_for_workspace(settings, process, timeout=60.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and process.poll() is None:
        if list(settings.index_dir.glob("work-*/store.sqlite")):
            return True
        time.sleep(0.005)
    return False


def add_articles(settings, count: int) -> None:
    for number in range(count):
        (settings.articles_dir / f"extra{number:03d}.txt").write_text(
            f"Notizia numero {number} da Minsk\n\n" + "Il governo bielorusso ha annunciato nuove misure economiche. " * 30
        )


def test_killed_build_leaves_old_index_answering(settings, embedder):
    build_index(settings, embedder)
    question = "What was agreed in Minsk in December 2022?"
    before = Archive.open(settings, embedder).ask(question)
    add_articles(settings, NEW_ARTICLES)
    process = newsdesk(settings, "index")
    assert wait_for_workspace(settings, process), process.communicate()
    process.send_signal(signal.SIGKILL)
    process.wait()
    archive = Archive.open(settings, embedder)
    assert archive.stats().articles == 5
    assert archive.ask(question) == before
    report = build_index(settings, embedder)
    assert report.added == NEW_ARTICLES and not list(settings.index_dir.glob("work-*"))
    assert Archive.open(settings, embedder).stats().articles == 5 + NEW_ARTICLES


def test_ctrl_c_leaves_old_index_and_says_so(settings, embedder):
    build_index(settings, embedder)
    add_articles(settings, NEW_ARTICLES)
    process = newsdesk(settings, "index")
    assert wait_for_workspace(settings, process), process.communicate()
    process.send_signal(signal.SIGINT)
    _, err = process.communicate(timeout=60)
    assert process.returncode == 130
    assert "interrupted; the previous index is unchanged" in err
    assert "Traceback" not in err
    assert Archive.open(settings, embedder).stats().articles == 5
