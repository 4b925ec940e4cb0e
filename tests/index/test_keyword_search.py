"""The keyword side in two steps: FTS5 over the rarest terms, then the others over the candidates,
scored as FTS5's bm25 scores them (on the seed archive, built by the fake embedder: no model)."""

from __future__ import annotations

import datetime as dt
import sqlite3

import pytest

from index import keyword_search, keywords, questions, snapshot
from index.build import build_index
from index.config import Settings
from index.fulltext import _varints
from index.opened import OpenedSnapshot

TODAY = dt.date(2026, 11, 21)
QUESTIONS = [
    "Chi ha incontrato Lavrov a Minsk?",
    "Quale accordo è stato firmato a Minsk nel dicembre 2022?",
    "How big was the loan Putin granted to Belarus?",
    "What did the ministers of Russia and Belarus sign?",
]


@pytest.fixture(scope="module")
def store(indexed_seeds, fake_embedder):
    opened = OpenedSnapshot.open(Settings.for_data_dir(indexed_seeds(fake_embedder)), fake_embedder)
    yield opened.store
    opened.close()


def family_rows(store, family: str, term: str) -> int:
    """In how many rows FTS5 finds ``term`` within the family's columns (what its bm25 counts)."""
    expression = keywords.match_expression({family: [term]})
    return len(store.keyword_search(expression, 1_000_000))


def every_row(store) -> dict[int, tuple[str, ...]]:
    ids = [pid for (pid,) in store.db.execute("SELECT rowid FROM passages_fts")]
    return store.keyword_columns(ids)


@pytest.mark.parametrize("text", QUESTIONS)
def test_bm25_scores_a_passage_as_fts5_does(store, text):
    question = questions.read(text, TODAY)
    frequencies = keyword_search.frequencies_of(store, question.every_term)
    rows, mean_length = store.keyword_totals()
    compared = 0
    for family, family_terms in keywords.bounded(question.terms, frequencies, None).items():
        terms = {family: family_terms}
        weights = {term: keywords.idf(family_rows(store, family, term), rows) for term in family_terms}
        hits = store.keyword_search(keywords.match_expression(terms), 20)
        columns = store.keyword_columns([pid for pid, _ in hits])
        for pid, score in hits:
            assert keywords.bm25(terms, columns[pid], weights, mean_length) == pytest.approx(score, rel=1e-9)
            compared += 1
    assert compared


def test_the_totals_are_the_rows_and_their_mean_length(store):
    rows = every_row(store)
    count, mean_length = store.keyword_totals()
    assert count == len(rows) > 0
    assert mean_length == pytest.approx(sum(len(" ".join(c).split()) for c in rows.values()) / len(rows))


@pytest.mark.parametrize("blob, values", [
    (bytes([0]), [0]),
    (bytes([0x7F, 0x81, 0x00]), [127, 128]),
    (bytes([0x82, 0xAC, 0x05]), [38405]),
    (bytes([0xFF] * 8 + [0xFF]), [2**64 - 1]),  # nine bytes: the last holds 8 bits
])
def test_varints_are_read_as_sqlite_writes_them(blob, values):
    assert _varints(blob) == values


@pytest.mark.parametrize("text", QUESTIONS)
def test_terms_left_out_of_fts5_are_scored_over_the_candidates(store, text):
    question = questions.read(text, TODAY)
    whole = keyword_search.search(store, question, None, 100)
    tight = keyword_search.search(store, question, 1, 100)
    assert not whole.left_out and tight.left_out  # with a budget of 1, the question's rarest term alone
    searched = set(tight.scores)
    assert searched <= set(whole.scores)
    rows = every_row(store)
    weights = {term: 1.0 for terms in tight.left_out.values() for term in terms}
    holding = {pid for pid, columns in rows.items() if keywords.bm25(tight.left_out, columns, weights, 1.0) > 0}
    candidates = sorted(rows)[:10]  # passages the vector search might have found
    completed = keyword_search.complete(store, tight, tight.scores, candidates)
    assert set(completed) == searched | (set(candidates) & holding)
    for pid in completed:
        assert completed[pid] >= tight.scores.get(pid, 0.0)
        assert (completed[pid] > tight.scores.get(pid, 0.0)) == (pid in holding)
    assert keyword_search.complete(store, whole, whole.scores, candidates) is whole.scores  # nothing left out


def test_the_bound_keeps_the_ranking_the_whole_search_gives(store):
    """On the seed archive the completed scores rank the whole search's passages as FTS5 alone does."""
    question = questions.read("Quale accordo è stato firmato a Minsk nel dicembre 2022?", TODAY)
    whole = keyword_search.search(store, question, None, 100)
    tight = keyword_search.search(store, question, 1, 100)
    completed = keyword_search.complete(store, tight, tight.scores, list(whole.scores))
    assert set(completed) == set(whole.scores)
    assert max(completed, key=completed.get) == max(whole.scores, key=whole.scores.get)
    for pid, score in whole.scores.items():
        assert completed[pid] == pytest.approx(score, rel=0.05)  # FTS5 counts a term's rows per family


def vocabulary_counts(settings) -> dict[str, int]:
    """In how many rows FTS5's own vocabulary finds each term (it reads every posting to count)."""
    folder = snapshot.current(settings.index_dir)
    db = sqlite3.connect(f"file:{folder / 'store.sqlite'}?mode=ro", uri=True)
    try:
        db.execute("CREATE VIRTUAL TABLE temp.vocabulary USING fts5vocab(main, passages_fts, 'row')")
        return dict(db.execute("SELECT term, doc FROM temp.vocabulary").fetchall())
    finally:
        db.close()


def counted_terms(settings, fake_embedder) -> dict[str, int]:
    opened = OpenedSnapshot.open(settings, fake_embedder)
    try:
        return dict(opened.store.db.execute("SELECT term, passages FROM term_passages").fetchall())
    finally:
        opened.close()


def test_the_passages_of_each_term_are_counted_through_additions_changes_and_removals(fake_built, fake_embedder):
    settings = fake_built
    before = counted_terms(settings, fake_embedder)
    assert before == vocabulary_counts(settings)
    articles = settings.articles_dir
    (articles / "vilnius.txt").write_text("Vertice a Vilnius\n\nI ministri della Difesa si sono incontrati a Vilnius.")
    (articles / "000_63f739fd0d5fbe86.txt").unlink()
    changed = articles / "002_236b9d47b589822e.txt"
    changed.write_text(changed.read_text() + "\nAggiunta: il vertice si è chiuso in serata.\n")
    build_index(settings, fake_embedder)
    counted = counted_terms(settings, fake_embedder)
    assert counted == vocabulary_counts(settings) and counted["vilni"] == 1  # the new article's prefix
    assert before.keys() - counted.keys() and all(n > 0 for n in counted.values())  # the removed article's own words left
    build_index(settings, fake_embedder, full=True)
    assert counted_terms(settings, fake_embedder) == counted


@pytest.mark.parametrize("title, text, term, count", [
    ("", "aaaa aaaa bbbb", "aaaa", 2),  # side by side
    ("aaaa", "bbbb aaaa", "aaaa", 2),  # in the title and the text
    ("", "aaaab aaaa", "aaaa", 1),  # whole terms only
    ("", "bbbb", "aaaa", 0),
])
def test_bm25_counts_whole_terms(title, text, term, count):
    columns = ("", "", "", "", title, text)  # the grams family's title and text
    length = sum(len(column.split()) for column in columns)
    saturation = keywords.BM25_K1 * (1 - keywords.BM25_B + keywords.BM25_B * length / 2.0)
    expected = count * (keywords.BM25_K1 + 1) / (count + saturation)
    assert keywords.bm25({"grams": [term]}, columns, {term: 1.0}, 2.0) == pytest.approx(expected)
