"""A damaged index (truncated, altered, replaced, out of step) is refused at load with a message
naming the problem; `newsdesk index --full` rebuilds it, and so does a plain `newsdesk index`.

The store says so itself: whatever meets a damaged database (opening it, its checks, a read, a
transaction, the rows of a generator) raises the store's ``DatabaseDamagedError``, never SQLite's
own error.

A plain `newsdesk index` on a damaged index rebuilds it whole (with a warning naming the
damage) rather than failing: the articles folder is the truth, the damaged snapshot cannot be
built upon, and a newsroom's nightly `newsdesk index` (or an admin's /reindex) then heals it
without anyone at a shell.
"""

from __future__ import annotations

import logging
import os
import shutil
import sqlite3
from dataclasses import dataclass
from pathlib import Path

import pytest

from bot.cli import main
from index import archive, database, snapshot
from index.build import build_index
from index.config import Settings
from index.errors import DatabaseDamagedError, DatabaseReadError, IndexCorruptError
from index.opened import OpenedSnapshot
from index.store import Store
from tests import figures
from tests.conftest import SEEDS
from tests.index.runs import QUESTIONS, add_articles

STORE = snapshot.STORE_FILE
SEGMENT = "segments/seg-00000001.faiss"  # the live snapshot's first segment (the older one has its own)
NEWEST = "segments/seg-00000002.faiss"  # the segment the update in place added


@dataclass
class Index:
    """The folders a damage is done to."""

    settings: Settings
    live: Path  # the live snapshot
    older: Path  # the one before it (other passages)


def truncate(path: Path, keep: float = 0.5) -> None:
    data = path.read_bytes()
    path.write_bytes(data[: int(len(data) * keep)])


def flip(path: Path, at: float = 0.5, count: int = 64) -> None:
    """Invert ``count`` bytes in the middle of the file: same size, other content."""
    data = bytearray(path.read_bytes())
    start = int(len(data) * at)
    data[start : start + count] = bytes(b ^ 0xFF for b in data[start : start + count])
    path.write_bytes(bytes(data))


def from_older(name: str):
    return lambda index: shutil.copyfile(index.older / name, index.live / name)


def write(name: str, data: bytes):
    return lambda index: (index.live / name).write_bytes(data)


def sql(statement: str):
    """A change made to the live database behind Newsdesk's back (what a faulty build would leave)."""
    def apply(index: Index) -> None:
        conn = sqlite3.connect(index.live / STORE)
        with conn:
            conn.execute(statement)
        conn.close()
    return apply


def point_current_at(name: bytes):
    return lambda index: (index.settings.index_dir / snapshot.CURRENT).write_bytes(name)


DAMAGES = [
    ("segment truncated", lambda i: truncate(i.live / NEWEST), "the vector segment seg-00000002.faiss is"),
    ("segment emptied", write(NEWEST, b""), "the vector segment seg-00000002.faiss is 0 bytes"),
    ("segment altered", lambda i: flip(i.live / NEWEST), "seg-00000002.faiss does not match its checksum"),
    ("segment missing", lambda i: (i.live / NEWEST).unlink(), "seg-00000002.faiss is missing"),
    ("segment from another snapshot", from_older(SEGMENT), "the vector segment seg-00000001.faiss is"),
    ("database truncated", lambda i: truncate(i.live / STORE), "the database store.sqlite is damaged"),
    ("database missing", lambda i: (i.live / STORE).unlink(), "store.sqlite is missing"),
    ("database from another snapshot", from_older(STORE), "seg-00000001.faiss"),
    ("database not a database", write(STORE, os.urandom(8192)), "file is not a database"),
    ("a vector row deleted", sql("DELETE FROM vectors WHERE id = (SELECT max(id) FROM vectors)"), "the files are out of step"),
    ("a segment's record deleted", sql("DELETE FROM segments WHERE file = 'seg-00000002.faiss'"), "the files are out of step"),
    ("a passage deleted", sql("DELETE FROM passages WHERE id = (SELECT max(id) FROM passages)"), "the files are out of step"),
    ("manifest without its model", sql("DELETE FROM meta WHERE key = 'model'"), "the index records no model"),
    ("manifest value not a number", sql("UPDATE meta SET value = 'many' WHERE key = 'passages'"), "passages is not a number"),
    ("CURRENT names no snapshot", point_current_at(b"snap-99999999-gone\n"), "names a snapshot that does not exist"),
    ("CURRENT not text", point_current_at(b"\xff\xfe\x00snap"), "CURRENT is damaged"),
]
IDS = [name for name, _, _ in DAMAGES]


@pytest.fixture(scope="module")
def embedder(fake_embedder):
    """The fake embedder, for this module's builds and for the in-process `newsdesk` runs: the
    damage is done to the files, and what the model makes of the text does not matter to it."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(archive, "Embedder", lambda model, models_dir=None: fake_embedder)
        yield fake_embedder


@pytest.fixture(scope="module")
def two_builds(tmp_path_factory, embedder) -> tuple[Path, list]:
    """A small archive built whole twice (two snapshots, different passages), the live one then
    updated in place (a second segment), and its answers."""
    data = tmp_path_factory.mktemp("damaged") / "data"
    (data / "articles").mkdir(parents=True)
    for seed in sorted(SEEDS.iterdir())[:2]:
        shutil.copy(seed, data / "articles")
    settings = Settings.for_data_dir(data)
    build_index(settings, embedder)
    add_articles(settings, 1)
    build_index(settings, embedder, full=True)
    add_articles(settings, 1, prefix="later-")
    build_index(settings, embedder)
    return data, summary(OpenedSnapshot.open(settings, embedder))


@pytest.fixture
def index(two_builds, tmp_path) -> Index:
    data = tmp_path / "data"
    shutil.copytree(two_builds[0], data)
    settings = Settings.for_data_dir(data)
    live = snapshot.current(settings.index_dir)
    older = next(p for p in settings.index_dir.glob("snap-*") if p != live)
    return Index(settings, live, older)


def summary(archive: OpenedSnapshot) -> list:
    """What an archive answers, to compare across rebuilds (scores to 4 places: batches differ)."""
    return [[(a.article_id, a.quote, round(a.score, 4)) for a in archive.ask(q).answers] for q in QUESTIONS]


@pytest.mark.parametrize("damage, problem", [d[1:] for d in DAMAGES], ids=IDS)
def test_damage_is_refused_at_load_and_named(index, embedder, damage, problem, monkeypatch, capsys):
    damage(index)
    monkeypatch.setenv("NEWSDESK_DATA_DIR", str(index.settings.data_dir))
    monkeypatch.delenv("NEWSDESK_INDEX_DIR", raising=False)
    with figures.trial("damaged index refused at load"):
        with pytest.raises(IndexCorruptError) as refused:
            OpenedSnapshot.open(index.settings, embedder)
        message = str(refused.value)
        assert problem in message and message.endswith("Rebuild it with `newsdesk index --full`")
        assert main(["ask", QUESTIONS[0]]) == 1
        out, err = capsys.readouterr()
        assert out == "" and err == f"newsdesk: {message}\n"


@pytest.mark.parametrize("damage", [d[1] for d in DAMAGES], ids=IDS)
def test_plain_index_rebuilds_a_damaged_index(index, two_builds, embedder, damage, monkeypatch, capsys, caplog):
    damage(index)
    monkeypatch.setenv("NEWSDESK_DATA_DIR", str(index.settings.data_dir))
    monkeypatch.delenv("NEWSDESK_INDEX_DIR", raising=False)
    caplog.set_level(logging.WARNING, logger="index.build")
    with figures.trial("damaged index rebuilt by `newsdesk index`"):
        code = main(["index"])
        out, err = capsys.readouterr()
        assert code == 0, err
        assert "(full rebuild)" in out and "index: 4 articles" in out
        assert "the live index is damaged" in caplog.text and "rebuilding it whole" in caplog.text
        assert summary(OpenedSnapshot.open(index.settings, embedder)) == two_builds[1]


@pytest.mark.parametrize("name", ["segment altered", "database from another snapshot", "CURRENT not text"])
def test_full_rebuild_recovers(index, two_builds, embedder, name, monkeypatch, capsys):
    dict((d[0], d[1]) for d in DAMAGES)[name](index)
    monkeypatch.setenv("NEWSDESK_DATA_DIR", str(index.settings.data_dir))
    monkeypatch.delenv("NEWSDESK_INDEX_DIR", raising=False)
    with figures.trial("damaged index rebuilt by `newsdesk index --full`"):
        assert main(["index", "--full"]) == 0, capsys.readouterr().err
        assert summary(OpenedSnapshot.open(index.settings, embedder)) == two_builds[1]
        assert not list(index.settings.index_dir.glob("work-*"))


def test_index_of_another_newsdesk_version_is_refused_and_rebuilt_whole(index, two_builds, embedder):
    sql("PRAGMA user_version = 3")(index)  # as the snapshot layout before updates in place left it
    with pytest.raises(IndexCorruptError, match="another version of Newsdesk.*newsdesk index --full"):
        OpenedSnapshot.open(index.settings, embedder)
    assert build_index(index.settings, embedder).full  # a plain build rebuilds it whole
    assert summary(OpenedSnapshot.open(index.settings, embedder)) == two_builds[1]
    assert not build_index(index.settings, embedder).full


# --- the store's own error ------------------------------------------------------------------

DATABASE_DAMAGES = {  # a damage done to the live database, and what SQLite says of it
    "not a database": (write(STORE, os.urandom(8192)), "file is not a database"),
    "truncated": (lambda i: truncate(i.live / STORE), "database disk image is malformed"),
}


def reads(store: Store, dimension: int) -> dict:
    """What a reader of the store may do first: each runs SQL."""
    def in_reading():
        with store.reading():
            store.db.execute("SELECT count(*) FROM articles")  # a statement of the caller's own
    return {
        "whole check": store.check,
        "schema check": lambda: store.check(structure=False),
        "a read": store.counts,
        "a statement in a read transaction": in_reading,
        "a generator's first rows": lambda: next(store.vectors(dimension)),
    }


def refusal(read) -> tuple[str, str, bool]:
    """What ``read`` raised: its message, its reason, and whether SQLite's error is its cause."""
    with pytest.raises(DatabaseDamagedError) as refused:
        read()
    return str(refused.value), refused.value.reason, isinstance(refused.value.__cause__, sqlite3.DatabaseError)


def damaged(problem: str) -> tuple[str, str, bool]:
    return f"the database {STORE} is damaged ({problem})", problem, True


@pytest.mark.parametrize("damage", DATABASE_DAMAGES)
def test_the_store_raises_its_own_error_for_a_damaged_database(index, embedder, damage):
    apply, problem = DATABASE_DAMAGES[damage]
    apply(index)
    store = Store(index.live / STORE)
    try:
        refused = {name: refusal(read) for name, read in reads(store, embedder.dimension).items()}
    finally:
        store.close()
    assert refused == dict.fromkeys(refused, damaged(problem))
    assert refusal(lambda: Store(index.live / STORE, readonly=False)) == damaged(problem)  # a build's, opened to write


def break_last_vector_page(path: Path) -> None:
    """Give the last page of the vectors table a page type that does not exist: SQLite reads the
    rows before it, then finds the file damaged (the schema and the other tables still read)."""
    conn = sqlite3.connect(path)
    root = conn.execute("SELECT rootpage FROM sqlite_master WHERE name = 'vectors'").fetchone()[0]
    size = conn.execute("PRAGMA page_size").fetchone()[0]
    conn.close()
    data = bytearray(path.read_bytes())
    header = (root - 1) * size
    assert data[header] == 0x05, "the vectors table fits one page: no page to break"  # an interior page
    last = int.from_bytes(data[header + 8 : header + 12], "big")  # its right-most child
    data[(last - 1) * size] = 0xFF
    path.write_bytes(bytes(data))


def test_a_damaged_page_met_while_a_generator_reads_is_the_stores_error(index, embedder):
    break_last_vector_page(index.live / STORE)
    store = Store(index.live / STORE)
    batches = []
    try:
        refused = refusal(lambda: batches.extend(store.vectors(embedder.dimension, batch=1)))
    finally:
        store.close()
    assert batches and refused == damaged("database disk image is malformed")


def test_a_busy_database_is_a_passing_read_error_not_damage(tmp_path, monkeypatch):
    """Another program holding the database (here: an exclusive lock) makes a read fail for now:
    the store says it is busy, not damaged, since a rebuild would not help."""
    path = tmp_path / "store.sqlite"
    Store.create(path).close()
    monkeypatch.setattr(database, "BUSY_TIMEOUT_S", 0.05)
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("PRAGMA locking_mode = EXCLUSIVE")
    holder.execute("BEGIN EXCLUSIVE")
    reader = Store(path)
    try:
        with pytest.raises(DatabaseReadError) as failed:
            reader.counts()
    finally:
        reader.close()
        holder.execute("ROLLBACK")
        holder.close()
    reason = "it is busy (another program holds it); try again in a moment"
    assert (str(failed.value), failed.value.reason) == (f"could not read the database store.sqlite: {reason}", reason)
    assert isinstance(failed.value.__cause__, sqlite3.OperationalError) and not isinstance(failed.value, IndexCorruptError)
