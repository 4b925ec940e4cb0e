"""A build killed half-way leaves the previous index loading and answering; the next run completes."""

from __future__ import annotations

import signal
import time

from index.build import build_index
from index.opened import OpenedSnapshot
from tests.index.runs import add_articles, newsdesk, wait_for_build

NEW_ARTICLES = 40


def test_killed_build_leaves_old_index_answering(settings, fake_embedder):
    embedder = fake_embedder  # what the vectors mean does not matter here; the build is the real one
    build_index(settings, embedder)
    question = "What was agreed in Minsk in December 2022?"
    before = OpenedSnapshot.open(settings, embedder).ask(question)
    add_articles(settings, NEW_ARTICLES)
    process = newsdesk(settings, "index", fake=True)
    assert wait_for_build(settings, process), process.communicate()
    process.send_signal(signal.SIGKILL)
    process.communicate()  # reads its pipes to the end and closes them
    archive = OpenedSnapshot.open(settings, embedder)
    assert archive.stats().articles == 5
    assert archive.ask(question) == before
    report = build_index(settings, embedder)
    assert report.added == NEW_ARTICLES and not list(settings.index_dir.glob("work-*"))
    assert OpenedSnapshot.open(settings, embedder).stats().articles == 5 + NEW_ARTICLES


def test_ctrl_c_leaves_old_index_and_says_so(settings, embedder):
    build_index(settings, embedder)
    add_articles(settings, 10 * NEW_ARTICLES)  # enough embedding that Ctrl-C lands before the commit
    # A shell starts background jobs with SIGINT ignored (`make test &`), and children inherit that.
    process = newsdesk(settings, "index", preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    assert wait_for_build(settings, process), process.communicate()
    time.sleep(0.2)
    process.send_signal(signal.SIGINT)
    _, err = process.communicate(timeout=60)
    assert process.returncode == 130
    assert "interrupted; the previous index is unchanged" in err
    assert "Traceback" not in err
    assert OpenedSnapshot.open(settings, embedder).stats().articles == 5
