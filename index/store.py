"""The SQLite store: articles, passages, their vectors, full-text search and metadata.

The only module that speaks SQL. Tables: ``meta`` (key/value), ``files`` (the
hash of every article file, so unchanged files are not parsed again),
``articles``, ``passages``, ``passages_fts`` (FTS5, diacritics folded: one row
per passage, its keyword columns from ``keywords``) and ``vectors`` (each
sentence's float32 vector, from which the FAISS index can be rebuilt without
the model).

A ``Store`` opened read-only may be shared by many threads: each thread gets
its own connection. Once the file is gone (its index folder deleted) or replaced,
threads that come later share the first connection instead, which still reads the
file it opened. A writable store belongs to one build, in one thread.
"""

from __future__ import annotations

import json
import os
import sqlite3
import threading
from collections.abc import Iterable, Iterator
from pathlib import Path

import numpy as np
import sqlite_utils

from index.errors import IndexCorruptError
from index.keywords import COLUMNS, IndexedTerms
from index.passages import PARAGRAPH_SEPARATOR
from index.records import Article, Passage, StoredPassage

SCHEMA_VERSION = 3
FTS_TOKENIZER = "unicode61 remove_diacritics 2"
SENTENCE_SLOTS = 1024  # a sentence vector's id: passage id * SENTENCE_SLOTS + the sentence's index

MIGRATIONS = [
    f"""
    CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT);
    CREATE TABLE files (path TEXT PRIMARY KEY, hash TEXT NOT NULL);
    CREATE TABLE articles (
        id TEXT PRIMARY KEY, path TEXT NOT NULL, title TEXT NOT NULL, date TEXT,
        date_start TEXT, date_end TEXT, source TEXT NOT NULL, language TEXT NOT NULL,
        content_hash TEXT NOT NULL
    );
    CREATE INDEX articles_path ON articles(path);
    CREATE TABLE passages (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        article_id TEXT NOT NULL REFERENCES articles(id),
        position INTEGER NOT NULL, title TEXT NOT NULL, text TEXT NOT NULL,
        terms TEXT NOT NULL, sentences TEXT NOT NULL
    );
    CREATE INDEX passages_article ON passages(article_id);
    CREATE TABLE vectors (passage_id INTEGER PRIMARY KEY, vector BLOB NOT NULL);
    CREATE VIRTUAL TABLE passages_fts USING fts5(
        title, text, terms, content='passages', content_rowid='id', tokenize='{FTS_TOKENIZER}'
    );
    CREATE VIRTUAL TABLE passages_vocab USING fts5vocab(passages_fts, 'row');
    CREATE TRIGGER passages_ai AFTER INSERT ON passages BEGIN
        INSERT INTO passages_fts(rowid, title, text, terms) VALUES (new.id, new.title, new.text, new.terms);
    END;
    CREATE TRIGGER passages_ad AFTER DELETE ON passages BEGIN
        INSERT INTO passages_fts(passages_fts, rowid, title, text, terms)
        VALUES ('delete', old.id, old.title, old.text, old.terms);
    END;
    """,
    # 2: one vector per sentence (late chunking) and keyword columns per term family. The old
    # vectors cannot be carried over: a build rebuilds such an index whole.
    f"""
    DROP TRIGGER passages_ai;
    DROP TRIGGER passages_ad;
    DROP TABLE passages_vocab;
    DROP TABLE passages_fts;
    DROP TABLE vectors;
    DROP TABLE passages;
    DELETE FROM articles;
    DELETE FROM files;
    CREATE TABLE passages (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        article_id TEXT NOT NULL REFERENCES articles(id),
        position INTEGER NOT NULL, text TEXT NOT NULL, sentences TEXT NOT NULL
    );
    CREATE INDEX passages_article ON passages(article_id);
    CREATE TABLE vectors (id INTEGER PRIMARY KEY, passage_id INTEGER NOT NULL, vector BLOB NOT NULL);
    CREATE INDEX vectors_passage ON vectors(passage_id);
    CREATE VIRTUAL TABLE passages_fts USING fts5(
        {", ".join(COLUMNS)}, tokenize='{FTS_TOKENIZER}'
    );
    CREATE VIRTUAL TABLE passages_vocab USING fts5vocab(passages_fts, 'row');
    """,
    # 3: where each article's date came from; date_start and date_end, which nothing read, go.
    """
    ALTER TABLE articles ADD COLUMN date_origin TEXT NOT NULL DEFAULT '';
    ALTER TABLE articles DROP COLUMN date_start;
    ALTER TABLE articles DROP COLUMN date_end;
    """,
]

_ARTICLE_COLUMNS = ("id", "path", "title", "date", "date_origin", "source", "language", "content_hash")
_PASSAGE_COLUMNS = """
    p.id, p.article_id, p.position, p.text, p.sentences,
    a.title, a.date, a.source, a.language
"""


def vector_id(passage_id: int, sentence: int) -> int:
    """The id of a passage's sentence vector (in the store and in FAISS)."""
    return passage_id * SENTENCE_SLOTS + sentence


def passage_of(vector_ids: np.ndarray) -> np.ndarray:
    """The passage ids of sentence vector ids."""
    return vector_ids // SENTENCE_SLOTS


def _file_identity(path: Path) -> tuple[int, int] | None:
    """The device and inode of the file at ``path``; None when there is none."""
    try:
        status = os.stat(path)
    except OSError:
        return None
    return status.st_dev, status.st_ino


class Store:
    """An index's SQLite database."""

    def __init__(self, path: Path, readonly: bool = True):
        self.path = path
        self.readonly = readonly
        self._local = threading.local()
        self._first: sqlite_utils.Database | None = None  # read-only: the first connection, and the file it opened
        self._file: tuple[int, int] | None = None
        self._first_lock = threading.Lock()
        if not readonly:
            self._local.db = self._connect()

    # --- connections -------------------------------------------------------------------

    @classmethod
    def create(cls, path: Path) -> "Store":
        """A new, empty, writable store at ``path``."""
        store = cls(path, readonly=False)
        store.migrate()
        return store

    def _connect(self) -> sqlite_utils.Database:
        if self.readonly:
            return self._connect_readonly()
        conn = sqlite3.connect(str(self.path))
        conn.execute("PRAGMA journal_mode=DELETE")
        conn.execute("PRAGMA synchronous=FULL")
        return sqlite_utils.Database(conn)

    def _connect_readonly(self) -> sqlite_utils.Database:
        """A new connection to the file, or the first one when the file it opened is no longer there."""
        with self._first_lock:
            if self._first is not None and _file_identity(self.path) != self._file:
                return self._first  # shared between threads: SQLite serializes them
            if not self.path.exists():
                raise IndexCorruptError(f"the database {self.path.name} is missing")
            conn = sqlite3.connect(f"{self.path.resolve().as_uri()}?mode=ro", uri=True, check_same_thread=False)
            db = sqlite_utils.Database(conn)
            if self._first is None:
                self._first, self._file = db, _file_identity(self.path)
            return db

    @property
    def db(self) -> sqlite_utils.Database:
        db = getattr(self._local, "db", None)
        if db is None:
            db = self._local.db = self._connect()
        return db

    def close(self) -> None:
        db = getattr(self._local, "db", None)
        if db is not None:
            db.conn.close()
            self._local.db = None
            if db is self._first:
                self._first = None

    def migrate(self) -> None:
        """Bring the schema up to ``SCHEMA_VERSION`` through the numbered migrations."""
        version = self.db.execute("PRAGMA user_version").fetchone()[0]
        for number, script in enumerate(MIGRATIONS[version:], start=version + 1):
            with self.db.conn:
                self.db.conn.executescript(script)
                self.db.execute(f"PRAGMA user_version = {number}")

    def check(self) -> None:
        """Raise ``IndexCorruptError`` unless the database is whole and of our schema."""
        try:
            version = self.db.execute("PRAGMA user_version").fetchone()[0]
            problem = self.db.execute("PRAGMA quick_check").fetchone()[0]
        except sqlite3.DatabaseError as error:
            raise IndexCorruptError(f"the database {self.path.name} is damaged ({error})") from error
        if problem != "ok":
            raise IndexCorruptError(f"the database {self.path.name} is damaged ({problem})")
        if version != SCHEMA_VERSION:
            raise IndexCorruptError(f"the database has schema {version}, this version reads {SCHEMA_VERSION}")

    # --- metadata ----------------------------------------------------------------------

    def meta(self) -> dict[str, str]:
        return dict(self.db.execute("SELECT key, value FROM meta").fetchall())

    def set_meta(self, values: dict[str, object]) -> None:
        rows = [{"key": k, "value": str(v)} for k, v in values.items()]
        with self.db.conn:
            self.db["meta"].upsert_all(rows, pk="key")

    def file_hashes(self) -> dict[str, str]:
        return dict(self.db.execute("SELECT path, hash FROM files").fetchall())

    def set_file_hashes(self, hashes: dict[str, str]) -> None:
        with self.db.conn:
            self.db.execute("DELETE FROM files")
            self.db["files"].insert_all(({"path": p, "hash": h} for p, h in hashes.items()), pk="path")

    def article_hashes(self) -> dict[str, str]:
        return dict(self.db.execute("SELECT id, content_hash FROM articles").fetchall())

    def article_ids_by_path(self) -> dict[str, list[str]]:
        found: dict[str, list[str]] = {}
        for article_id, path in self.db.execute("SELECT id, path FROM articles"):
            found.setdefault(path, []).append(article_id)
        return found

    # --- writing (one build, one thread) -------------------------------------------------

    def remove_articles(self, article_ids: Iterable[str]) -> list[int]:
        """Delete articles with their passages, keyword rows and vectors; the removed vector ids."""
        removed: list[int] = []
        with self.db.conn:
            for article_id in article_ids:
                passages = [r[0] for r in self.db.execute("SELECT id FROM passages WHERE article_id = ?", [article_id])]
                for passage_id in passages:
                    removed += [r[0] for r in self.db.execute("SELECT id FROM vectors WHERE passage_id = ?", [passage_id])]
                    self.db.execute("DELETE FROM vectors WHERE passage_id = ?", [passage_id])
                    self.db.execute("DELETE FROM passages_fts WHERE rowid = ?", [passage_id])
                self.db.execute("DELETE FROM passages WHERE article_id = ?", [article_id])
                self.db.execute("DELETE FROM articles WHERE id = ?", [article_id])
        return removed

    def add_articles(self, batch: list[tuple[Article, list[Passage], list[IndexedTerms]]], vectors: list[np.ndarray]) -> np.ndarray:
        """Insert articles with their passages, keyword columns and sentence vectors (one matrix per
        passage, in order) in one transaction; the ids of the vectors inserted."""
        matrices = iter(vectors)
        ids: list[int] = []
        columns = ", ".join(COLUMNS)
        marks = ", ".join("?" * len(COLUMNS))
        with self.db.conn:
            for article, passages, terms in batch:
                self.db["articles"].insert(_article_row(article), replace=True)
                for passage, passage_terms in zip(passages, terms):
                    passage_id = self.db.execute(
                        "INSERT INTO passages (article_id, position, text, sentences) VALUES (?, ?, ?, ?)",
                        [article.id, passage.position, passage.text, json.dumps(passage.sentences)],
                    ).lastrowid
                    self.db.execute(
                        f"INSERT INTO passages_fts (rowid, {columns}) VALUES (?, {marks})", [passage_id, *passage_terms.columns]
                    )
                    rows = [(vector_id(passage_id, i), passage_id, v.astype(np.float32).tobytes()) for i, v in enumerate(next(matrices))]
                    self.db.conn.executemany("INSERT INTO vectors (id, passage_id, vector) VALUES (?, ?, ?)", rows)
                    ids += [row[0] for row in rows]
        return np.array(ids, dtype=np.int64)

    # --- reading -------------------------------------------------------------------------

    def counts(self) -> tuple[int, int]:
        """(articles, passages)."""
        articles = self.db.execute("SELECT count(*) FROM articles").fetchone()[0]
        passages = self.db.execute("SELECT count(*) FROM passages").fetchone()[0]
        return articles, passages

    def date_range(self) -> tuple[str | None, str | None]:
        return tuple(self.db.execute("SELECT min(date), max(date) FROM articles").fetchone())

    def languages(self) -> dict[str, int]:
        return dict(self.db.execute("SELECT language, count(*) FROM articles GROUP BY language").fetchall())

    def vector_count(self) -> int:
        return self.db.execute("SELECT count(*) FROM vectors").fetchone()[0]

    def vector_ids(self) -> np.ndarray:
        rows = self.db.execute("SELECT id FROM vectors ORDER BY id").fetchall()
        return np.array([r[0] for r in rows], dtype=np.int64)

    def vectors(self, dimension: int, batch: int = 10_000) -> Iterator[tuple[np.ndarray, np.ndarray]]:
        """Every stored sentence vector, as (ids, matrix) batches in id order."""
        cursor = self.db.execute("SELECT id, vector FROM vectors ORDER BY id")
        while rows := cursor.fetchmany(batch):
            ids = np.array([r[0] for r in rows], dtype=np.int64)
            matrix = np.frombuffer(b"".join(r[1] for r in rows), dtype=np.float32).reshape(len(rows), dimension)
            yield ids, matrix

    def keyword_search(self, expression: str, limit: int) -> list[tuple[int, float]]:
        """(passage id, bm25 relevance) for an FTS5 MATCH expression, best first (higher is better)."""
        if not expression:
            return []
        sql = "SELECT rowid, -rank FROM passages_fts WHERE passages_fts MATCH ? ORDER BY rank LIMIT ?"
        return [(r[0], r[1]) for r in self.db.execute(sql, [expression, limit])]

    def catalog(self) -> tuple[dict[int, str], dict[str, str | None]]:
        """(article id of every passage, date of every article): what ranking needs, kept in memory."""
        articles = dict(self.db.execute("SELECT id, date FROM articles").fetchall())
        passages = dict(self.db.execute("SELECT id, article_id FROM passages").fetchall())
        return passages, articles

    def sentence_vectors(self, passage_ids: Iterable[int], dimension: int) -> dict[int, np.ndarray]:
        """The sentence vectors of these passages, one matrix each (rows in sentence order)."""
        ids = list(passage_ids)
        if not ids:
            return {}
        marks = ",".join("?" * len(ids))
        found: dict[int, list[bytes]] = {}
        # Sorted here, not by ORDER BY: SQLite would sort the blobs in a temporary B-tree, which
        # spills to disk past its cache (400 passages: 26 ms against 10, bench/compression.py).
        rows = self.db.execute(f"SELECT id, passage_id, vector FROM vectors WHERE passage_id IN ({marks})", ids).fetchall()
        for _, passage_id, blob in sorted(rows, key=lambda row: row[0]):
            found.setdefault(passage_id, []).append(blob)
        return {
            pid: np.frombuffer(b"".join(blobs), dtype=np.float32).reshape(len(blobs), dimension)
            for pid, blobs in found.items()
        }

    def document_frequencies(self, terms: Iterable[str]) -> dict[str, int]:
        """In how many passages each term occurs (any column)."""
        terms = list(terms)
        if not terms:
            return {}
        marks = ",".join("?" * len(terms))
        return dict(self.db.execute(f"SELECT term, doc FROM passages_vocab WHERE term IN ({marks})", terms).fetchall())

    def held_articles(self, article_ids: Iterable[str]) -> set[str]:
        """Which of these articles the store holds."""
        ids = list(set(article_ids))
        if not ids:
            return set()
        marks = ",".join("?" * len(ids))
        return {row[0] for row in self.db.execute(f"SELECT id FROM articles WHERE id IN ({marks})", ids)}

    def passages(self, ids: Iterable[int]) -> dict[int, StoredPassage]:
        """The passages with these ids, with their articles' details."""
        ids = list(ids)
        if not ids:
            return {}
        marks = ",".join("?" * len(ids))
        sql = f"SELECT {_PASSAGE_COLUMNS} FROM passages p JOIN articles a ON a.id = p.article_id WHERE p.id IN ({marks})"
        return {row[0]: _stored_passage(row) for row in self.db.execute(sql, ids)}

    def stored_article(self, article_id: str) -> tuple[Article, tuple[str, ...]] | None:
        """The article with this id and its passages' texts in order, or None. The store keeps no
        other text: the article's is its passages, a blank line apart."""
        sql = f"SELECT {', '.join(_ARTICLE_COLUMNS)} FROM articles WHERE id = ?"
        row = self.db.execute(sql, [article_id]).fetchone()
        if row is None:
            return None
        sql = "SELECT text FROM passages WHERE article_id = ? ORDER BY position"
        passages = tuple(text for (text,) in self.db.execute(sql, [article_id]))
        article = Article(text=PARAGRAPH_SEPARATOR.join(passages), **dict(zip(_ARTICLE_COLUMNS, row)))
        return article, passages


def _article_row(article: Article) -> dict[str, object]:
    return {column: getattr(article, column) for column in _ARTICLE_COLUMNS}


def _stored_passage(row: tuple) -> StoredPassage:
    pid, article_id, position, text, sentences, title, date, source, language = row
    return StoredPassage(
        id=pid, article_id=article_id, position=position, text=text,
        sentences=tuple(tuple(s) for s in json.loads(sentences)),
        title=title, date=date, source=source, language=language,
    )
