"""The library a long-running process answers from: it follows snapshots published by others
(built with the fake embedder: which snapshot answers matters here, not how well)."""

from __future__ import annotations

import logging
import shutil
from concurrent.futures import ThreadPoolExecutor

import pytest

from index import snapshot
from index.archive import build_index
from index.library import Library


QUESTION = "Who is Ottavia Brunelleschi-Kovac?"
ARTICLE = (
    "Ottavia Brunelleschi-Kovac nominata ambasciatrice\n\n"
    "Ottavia Brunelleschi-Kovac è stata nominata ambasciatrice italiana a Minsk dal Consiglio dei ministri.\n"
)


@pytest.fixture
def library(fake_built, fake_embedder):
    return Library(fake_built, fake_embedder).open(build_if_missing=False)


def test_a_snapshot_built_by_another_process_is_answered_from_at_the_next_question(fake_built, fake_embedder, library):
    assert library.ask(QUESTION).no_answer
    (fake_built.articles_dir / "ambasciatrice.txt").write_text(ARTICLE)
    build_index(fake_built, fake_embedder)  # as `newsdesk index` from a shell would
    response = library.ask(QUESTION)
    assert not response.no_answer and response.answers[0].article_id == "ambasciatrice.txt"
    assert library.stats().articles == 6


def test_a_damaged_published_snapshot_is_not_used(fake_built, fake_embedder, library):
    (fake_built.articles_dir / "ambasciatrice.txt").write_text(ARTICLE)
    build_index(fake_built, fake_embedder, full=True)  # a whole new snapshot, published beside the open one
    store = snapshot.store_path(snapshot.current(fake_built.index_dir))
    store.write_bytes(store.read_bytes()[:4096])  # truncated after it was published
    before = library.archive.folder
    assert library.ask(QUESTION).no_answer  # still the old, whole index
    assert library.archive.folder == before
    assert library.ask("Chi ha incontrato Lavrov a Minsk?").answers


def test_an_update_whose_new_segment_is_damaged_is_not_used(fake_built, fake_embedder, library, caplog):
    (fake_built.articles_dir / "ambasciatrice.txt").write_text(ARTICLE)
    build_index(fake_built, fake_embedder)  # in place: one new segment
    newest = max((snapshot.current(fake_built.index_dir) / "segments").glob("seg-*.faiss"))
    newest.write_bytes(newest.read_bytes()[:100])
    with caplog.at_level(logging.WARNING):
        assert library.ask(QUESTION).no_answer  # the generation before the update answers
        assert library.ask(QUESTION).no_answer
    assert library.ask("Chi ha incontrato Lavrov a Minsk?").answers
    assert sum("cannot be read" in r.message for r in caplog.records) == 1  # said once


MINSK = "Chi ha incontrato Lavrov a Minsk?"


def ids(response) -> list[str]:
    return [answer.article_id for answer in response.answers]


def test_the_index_folder_deleted_under_it_keeps_answering_and_says_so_once(fake_built, fake_embedder, library, caplog):
    expected = library.ask(MINSK)
    assert expected.answers
    shutil.rmtree(fake_built.index_dir)
    with caplog.at_level(logging.WARNING):
        for _ in range(2):
            with ThreadPoolExecutor(4) as pool:  # new threads, as the bot's: each opens its own connection
                in_threads = list(pool.map(lambda _: library.ask(MINSK), range(8)))
            assert in_threads == [expected] * 8
            assert library.ask(MINSK) == expected
            assert library.stats().articles == 5
    problems = [record for record in caplog.records if record.levelno >= logging.WARNING]
    assert len(problems) == 1, [record.getMessage() for record in problems]
    assert str(fake_built.index_dir) in problems[0].getMessage()
    report = library.reindex()  # a later /reindex rebuilds it
    assert report.total_articles == 5 and snapshot.exists(fake_built.index_dir)
    assert ids(library.ask(MINSK)) == ids(expected)
    assert library.archive.folder.exists()


def test_after_the_index_folder_is_deleted_a_build_elsewhere_is_answered_from(fake_built, fake_embedder, library):
    expected = library.ask(MINSK)
    shutil.rmtree(fake_built.index_dir)
    assert library.ask(MINSK) == expected
    build_index(fake_built, fake_embedder)  # as `newsdesk index` from a shell would
    assert ids(library.ask(MINSK)) == ids(expected)
    assert library.archive.folder == snapshot.current(fake_built.index_dir)
