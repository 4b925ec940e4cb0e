"""A damaged index (truncated, altered, replaced, out of step) is refused at load with a message
naming the problem; `newsdesk index --full` rebuilds it, and so does a plain `newsdesk index`.

A plain `newsdesk index` on a damaged index rebuilds it whole (with a warning naming the
damage) rather than failing: the articles folder is the truth, the damaged snapshot cannot be
built upon, and a newsroom's nightly `newsdesk index` (or an admin's /reindex) then heals it
without anyone at a shell.
"""

from __future__ import annotations

import json
import logging
import os
import shutil
from dataclasses import dataclass
from pathlib import Path

import pytest

from bot.cli import main
from index import snapshot
from index.archive import Archive, build_index
from index.config import Settings
from index.errors import IndexCorruptError
from tests import figures
from tests.conftest import SEEDS
from tests.index.runs import QUESTIONS, add_articles

STORE, VECTORS, MANIFEST = snapshot.STORE_FILE, snapshot.VECTORS_FILE, snapshot.MANIFEST_FILE


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


def resealed(damage):
    """``damage``, then the manifest's checksums rewritten to match: files that agree with the
    manifest but not with each other (what a faulty build would leave)."""
    def apply(index: Index) -> None:
        damage(index)
        manifest = json.loads((index.live / MANIFEST).read_text())
        snapshot.write_manifest(index.live, manifest)
    return apply


def write(name: str, data: bytes):
    return lambda index: (index.live / name).write_bytes(data)


def point_current_at(name: bytes):
    return lambda index: (index.settings.index_dir / snapshot.CURRENT).write_bytes(name)


DAMAGES = [
    ("vectors truncated", lambda i: truncate(i.live / VECTORS), "vectors.faiss is"),
    ("vectors emptied", write(VECTORS, b""), "the vector file vectors.faiss is 0 bytes"),
    ("vectors altered", lambda i: flip(i.live / VECTORS), "vectors.faiss does not match its checksum"),
    ("vectors missing", lambda i: (i.live / VECTORS).unlink(), "vectors.faiss is missing"),
    ("vectors from another snapshot", from_older(VECTORS), "the vector file vectors.faiss is"),
    ("database truncated", lambda i: truncate(i.live / STORE), "the database store.sqlite is"),
    ("database altered", lambda i: flip(i.live / STORE, at=0.9), "store.sqlite does not match its checksum"),
    ("database missing", lambda i: (i.live / STORE).unlink(), "store.sqlite is missing"),
    ("database from another snapshot", from_older(STORE), "the database store.sqlite is"),
    ("database not a database, resealed", resealed(write(STORE, os.urandom(8192))), "file is not a database"),
    ("database from another snapshot, resealed", resealed(from_older(STORE)), "the files are out of step"),
    ("vectors from another snapshot, resealed", resealed(from_older(VECTORS)), "the files are out of step"),
    ("manifest missing", lambda i: (i.live / MANIFEST).unlink(), "has no manifest.json"),
    ("manifest not JSON", write(MANIFEST, b'{"model": '), "manifest.json is damaged"),
    ("manifest not an object", write(MANIFEST, b"[]"), "not a JSON object"),
    ("CURRENT names no snapshot", point_current_at(b"snap-99999999-gone\n"), "names a snapshot that does not exist"),
    ("CURRENT not text", point_current_at(b"\xff\xfe\x00snap"), "CURRENT is damaged"),
]
IDS = [name for name, _, _ in DAMAGES]


@pytest.fixture(scope="module")
def two_builds(tmp_path_factory, embedder) -> tuple[Path, list]:
    """A small archive built twice (two snapshots, different passages), and its answers."""
    data = tmp_path_factory.mktemp("damaged") / "data"
    (data / "articles").mkdir(parents=True)
    for seed in sorted(SEEDS.iterdir())[:2]:
        shutil.copy(seed, data / "articles")
    settings = Settings.for_data_dir(data)
    build_index(settings, embedder)
    add_articles(settings, 1)
    build_index(settings, embedder)
    return data, summary(Archive.open(settings, embedder))


@pytest.fixture
def index(two_builds, tmp_path) -> Index:
    data = tmp_path / "data"
    shutil.copytree(two_builds[0], data)
    settings = Settings.for_data_dir(data)
    live = snapshot.current(settings.index_dir)
    older = next(p for p in settings.index_dir.glob("snap-*") if p != live)
    return Index(settings, live, older)


def summary(archive: Archive) -> list:
    """What an archive answers, to compare across rebuilds (scores to 4 places: batches differ)."""
    return [[(a.article_id, a.quote, round(a.score, 4)) for a in archive.ask(q).answers] for q in QUESTIONS]


@pytest.mark.parametrize("damage, problem", [d[1:] for d in DAMAGES], ids=IDS)
def test_damage_is_refused_at_load_and_named(index, embedder, damage, problem, monkeypatch, capsys):
    damage(index)
    monkeypatch.setenv("NEWSDESK_DATA_DIR", str(index.settings.data_dir))
    monkeypatch.delenv("NEWSDESK_INDEX_DIR", raising=False)
    with figures.trial("damaged index refused at load"):
        with pytest.raises(IndexCorruptError) as refused:
            Archive.open(index.settings, embedder)
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
        assert "(full rebuild)" in out and "index: 3 articles" in out
        assert "the live index is damaged" in caplog.text and "rebuilding it whole" in caplog.text
        assert summary(Archive.open(index.settings, embedder)) == two_builds[1]


@pytest.mark.parametrize("name", ["vectors altered", "database from another snapshot", "CURRENT not text"])
def test_full_rebuild_recovers(index, two_builds, embedder, name, monkeypatch, capsys):
    dict((d[0], d[1]) for d in DAMAGES)[name](index)
    monkeypatch.setenv("NEWSDESK_DATA_DIR", str(index.settings.data_dir))
    monkeypatch.delenv("NEWSDESK_INDEX_DIR", raising=False)
    with figures.trial("damaged index rebuilt by `newsdesk index --full`"):
        assert main(["index", "--full"]) == 0, capsys.readouterr().err
        assert summary(Archive.open(index.settings, embedder)) == two_builds[1]
        assert not list(index.settings.index_dir.glob("work-*"))


def test_index_from_an_older_newsdesk_loads_and_the_next_run_upgrades_it(index, two_builds, embedder):
    manifest = json.loads((index.live / MANIFEST).read_text())
    del manifest["store_bytes"], manifest["store_blake2b"]  # written before the database's checksum was
    (index.live / MANIFEST).write_text(json.dumps(manifest))
    assert summary(Archive.open(index.settings, embedder)) == two_builds[1]  # checked by counts and ids
    assert build_index(index.settings, embedder).full  # rebuilt whole once, recording the checksum
    assert "store_blake2b" in snapshot.read_manifest(snapshot.current(index.settings.index_dir))
    assert not build_index(index.settings, embedder).full
