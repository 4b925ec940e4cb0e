"""The library a long-running process answers from: it follows snapshots published by others."""

from __future__ import annotations

import pytest

from index import snapshot
from index.snapshot import STORE_FILE
from index.archive import build_index
from index.library import Library


QUESTION = "Who is Ottavia Brunelleschi-Kovac?"
ARTICLE = (
    "Ottavia Brunelleschi-Kovac nominata ambasciatrice\n\n"
    "Ottavia Brunelleschi-Kovac è stata nominata ambasciatrice italiana a Minsk dal Consiglio dei ministri.\n"
)


@pytest.fixture
def library(built, embedder):
    return Library(built, embedder).open(build_if_missing=False)


def test_a_snapshot_built_by_another_process_is_answered_from_at_the_next_question(built, embedder, library):
    assert library.ask(QUESTION).no_answer
    (built.articles_dir / "ambasciatrice.txt").write_text(ARTICLE)
    build_index(built, embedder)  # as `newsdesk index` from a shell would
    response = library.ask(QUESTION)
    assert not response.no_answer and response.answers[0].article_id == "ambasciatrice.txt"
    assert library.stats().articles == 6


def test_a_damaged_published_snapshot_is_not_used(built, embedder, library):
    (built.articles_dir / "ambasciatrice.txt").write_text(ARTICLE)
    build_index(built, embedder)
    store = snapshot.current(built.index_dir) / STORE_FILE
    store.write_bytes(store.read_bytes()[:4096])  # truncated after it was published
    before = library.archive.folder
    assert library.ask(QUESTION).no_answer  # still the old, whole index
    assert library.archive.folder == before
    assert library.ask("Chi ha incontrato Lavrov a Minsk?").answers
