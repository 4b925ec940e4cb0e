"""The archive a long-running process answers from: it follows snapshots published by others
(built with the fake embedder: which snapshot answers matters here, not how well)."""

from __future__ import annotations

import logging
import shutil
from concurrent.futures import ThreadPoolExecutor

import pytest

from index import snapshot
from index.archive import Archive
from index.build import build_index

QUESTION = "Who is Ottavia Brunelleschi-Kovac?"
ARTICLE = (
    "Ottavia Brunelleschi-Kovac nominata ambasciatrice\n\n"
    "Ottavia Brunelleschi-Kovac è stata nominata ambasciatrice italiana a Minsk dal Consiglio dei ministri.\n"
)


@pytest.fixture
def archive(fake_built, fake_embedder):
    return Archive(fake_built, fake_embedder).open(build_if_missing=False)


def test_a_snapshot_built_by_another_process_is_answered_from_at_the_next_question(fake_built, fake_embedder, archive):
    assert archive.ask(QUESTION).no_answer
    (fake_built.articles_dir / "ambasciatrice.txt").write_text(ARTICLE)
    build_index(fake_built, fake_embedder)  # as `newsdesk index` from a shell would
    response = archive.ask(QUESTION)
    assert not response.no_answer and response.answers[0].article_id == "ambasciatrice.txt"
    assert archive.stats().articles == 6


def test_a_damaged_published_snapshot_is_not_used(fake_built, fake_embedder, archive):
    (fake_built.articles_dir / "ambasciatrice.txt").write_text(ARTICLE)
    build_index(fake_built, fake_embedder, full=True)  # a whole new snapshot, published beside the open one
    store = snapshot.store_path(snapshot.current(fake_built.index_dir))
    store.write_bytes(store.read_bytes()[:4096])  # truncated after it was published
    before = archive.snapshot.folder
    assert archive.ask(QUESTION).no_answer  # still the old, whole index
    assert archive.snapshot.folder == before
    assert archive.ask("Chi ha incontrato Lavrov a Minsk?").answers


def test_an_update_whose_new_segment_is_damaged_is_not_used(fake_built, fake_embedder, archive, caplog):
    (fake_built.articles_dir / "ambasciatrice.txt").write_text(ARTICLE)
    build_index(fake_built, fake_embedder)  # in place: one new segment
    newest = max((snapshot.current(fake_built.index_dir) / "segments").glob("seg-*.faiss"))
    newest.write_bytes(newest.read_bytes()[:100])
    with caplog.at_level(logging.WARNING):
        assert archive.ask(QUESTION).no_answer  # the generation before the update answers
        assert archive.ask(QUESTION).no_answer
    assert archive.ask("Chi ha incontrato Lavrov a Minsk?").answers
    assert sum("cannot be read" in r.message for r in caplog.records) == 1  # said once


MINSK = "Chi ha incontrato Lavrov a Minsk?"


def ids(response) -> list[str]:
    return [answer.article_id for answer in response.answers]


def test_the_index_folder_deleted_under_it_keeps_answering_and_says_so_once(fake_built, fake_embedder, archive, caplog):
    expected = archive.ask(MINSK)
    assert expected.answers
    shutil.rmtree(fake_built.index_dir)
    with caplog.at_level(logging.WARNING):
        for _ in range(2):
            with ThreadPoolExecutor(4) as pool:  # new threads, as the bot's: each opens its own connection
                in_threads = list(pool.map(lambda _: archive.ask(MINSK), range(8)))
            assert in_threads == [expected] * 8
            assert archive.ask(MINSK) == expected
            assert archive.stats().articles == 5
    problems = [record for record in caplog.records if record.levelno >= logging.WARNING]
    assert len(problems) == 1, [record.getMessage() for record in problems]
    assert str(fake_built.index_dir) in problems[0].getMessage()
    report = archive.reindex()  # a later /reindex rebuilds it
    assert report.total_articles == 5 and snapshot.exists(fake_built.index_dir)
    assert ids(archive.ask(MINSK)) == ids(expected)
    assert archive.snapshot.folder.exists()


def test_after_the_index_folder_is_deleted_a_build_elsewhere_is_answered_from(fake_built, fake_embedder, archive):
    expected = archive.ask(MINSK)
    shutil.rmtree(fake_built.index_dir)
    assert archive.ask(MINSK) == expected
    build_index(fake_built, fake_embedder)  # as `newsdesk index` from a shell would
    assert ids(archive.ask(MINSK)) == ids(expected)
    assert archive.snapshot.folder == snapshot.current(fake_built.index_dir)


# --- the facade: what an edge can do without opening anything itself ---------------------------


def test_a_reindex_of_an_archive_not_open_builds_without_opening_it(fake_built, fake_embedder):
    (fake_built.articles_dir / "ambasciatrice.txt").write_text(ARTICLE)
    archive = Archive(fake_built, fake_embedder)
    assert archive.reindex().added == 1  # `newsdesk index`: nothing is loaded to answer
    with pytest.raises(RuntimeError, match="not open"):
        archive.snapshot
    assert archive.open().ask(QUESTION).answers[0].article_id == "ambasciatrice.txt"
    archive.close()
    with pytest.raises(RuntimeError, match="not open"):
        archive.ask(QUESTION)


def test_an_archive_with_no_index_yet_says_how_to_build_it_or_builds_it(tmp_path, fake_embedder):
    from index import IndexMissingError, Settings

    settings = Settings.for_data_dir(tmp_path / "data")
    settings.articles_dir.mkdir(parents=True)
    (settings.articles_dir / "ambasciatrice.txt").write_text(ARTICLE)
    assert not Archive(settings, fake_embedder).exists
    with pytest.raises(IndexMissingError):
        Archive(settings, fake_embedder).open()
    views = Archive(settings, fake_embedder).show(["ambasciatrice.txt"])  # read as a build would
    assert [view.title for view in views] == ["Ottavia Brunelleschi-Kovac nominata ambasciatrice"]
    archive = Archive(settings, fake_embedder).open(build_if_missing=True)  # as the bot starts
    assert archive.exists and archive.stats().articles == 1
    assert archive.show(["ambasciatrice.txt"])[0].indexed


def test_an_archive_makes_no_model_until_one_is_needed(tmp_path):
    """`newsdesk feeds list` on a machine without the model: the facade never asks for it."""
    from index import Settings

    settings = Settings.for_data_dir(tmp_path / "data", models_dir=tmp_path / "no-models")
    assert Archive(settings).followed_feeds() == ()
