"""The store: an index's articles, passages, their vectors, full-text search and manifest.

``Store`` holds the queries on the tables (described in ``schema``), those of the full-text
index in ``fulltext``. It is built on ``database.Database``, which holds its connections and
transactions: the three modules are the only ones that speak SQL, and what SQLite raises comes
out of every method of ``Store`` as the store's own ``StoreError`` (see ``errors`` and
``database.translating``). An update writes inside one ``transaction``, a question reads inside
``reading``.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from pathlib import Path

import numpy as np

from index.database import translating
from index.errors import IndexCorruptError
from index.fulltext import FullText
from index.keywords import COLUMNS, IndexedTerms
from index.manifest import Manifest
from index.passages import PARAGRAPH_SEPARATOR
from index.records import Article, FileRecord, Passage, Segment, StoredPassage
from index.schema import CREATE, SCHEMA_VERSION

SENTENCE_SLOTS = 1024  # a sentence vector's id: passage id * SENTENCE_SLOTS + the sentence's index

_ARTICLE_COLUMNS = ("id", "path", "title", "date", "date_origin", "source", "language", "content_hash")
_INSERT_ARTICLE = f"INSERT OR REPLACE INTO articles ({', '.join(_ARTICLE_COLUMNS)}) VALUES ({', '.join('?' * len(_ARTICLE_COLUMNS))})"
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


@translating
class Store(FullText):
    """An index's SQLite database: what it holds, read and written (its full-text searches: ``FullText``)."""

    @classmethod
    def create(cls, path: Path) -> Store:
        """A new, empty, writable store at ``path``."""
        store = cls(path, readonly=False)
        with store.translated():
            store.db.conn.executescript(CREATE)
        return store

    def check(self, structure: bool = True) -> None:
        """Raise ``IndexCorruptError`` unless the database is of our schema and (with ``structure``,
        which reads the whole file) whole."""
        version = self.db.execute("PRAGMA user_version").fetchone()[0]
        if version != SCHEMA_VERSION:
            raise IndexCorruptError(f"it was built by another version of Newsdesk (schema {version}, this one reads {SCHEMA_VERSION})")
        problem = self.db.execute("PRAGMA quick_check").fetchone()[0] if structure else "ok"
        if problem != "ok":
            raise self.damaged(problem)

    # --- metadata ----------------------------------------------------------------------

    def meta(self) -> dict[str, str]:
        return dict(self.db.execute("SELECT key, value FROM meta").fetchall())

    def manifest(self) -> Manifest:
        """The manifest; ``IndexCorruptError`` when the database is damaged or records none."""
        return Manifest.from_meta(self.meta())

    def write_manifest(self, manifest: Manifest) -> None:
        self.db.conn.executemany("INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)", manifest.to_meta().items())

    def generation(self) -> int:
        """The manifest's generation (one more with every committed update)."""
        row = self.db.execute("SELECT value FROM meta WHERE key = 'generation'").fetchone()
        return int(row[0]) if row else 0

    def files(self) -> dict[str, FileRecord]:
        """Every article file indexed, by path: its hash, size, modification and change times."""
        rows = self.db.execute("SELECT path, hash, size, mtime_ns, ctime_ns FROM files")
        return {path: FileRecord(*record) for path, *record in rows}

    def update_files(self, changed: dict[str, FileRecord], gone: Iterable[str]) -> None:
        """Record the files read again (``changed``) and forget the ones no longer there."""
        self.db.conn.executemany("DELETE FROM files WHERE path = ?", ((path,) for path in gone))
        self.db.conn.executemany(
            "INSERT OR REPLACE INTO files (path, hash, size, mtime_ns, ctime_ns) VALUES (?, ?, ?, ?, ?)",
            ((path, r.digest, r.size, r.mtime_ns, r.ctime_ns) for path, r in changed.items()),
        )

    def article_hashes(self) -> dict[str, str]:
        return dict(self.db.execute("SELECT id, content_hash FROM articles").fetchall())

    def article_ids_by_path(self) -> dict[str, list[str]]:
        found: dict[str, list[str]] = {}
        for article_id, path in self.db.execute("SELECT id, path FROM articles"):
            found.setdefault(path, []).append(article_id)
        return found

    # --- writing (one build, one thread, inside ``transaction``) ------------------------

    def remove_articles(self, article_ids: Iterable[str]) -> list[int]:
        """Delete articles with their passages, keyword rows and vectors; the removed vector ids."""
        removed: list[int] = []
        for article_id in article_ids:
            passages = [r[0] for r in self.db.execute("SELECT id FROM passages WHERE article_id = ?", [article_id])]
            self.count_terms(self.keyword_columns(passages).values(), added=False)
            for passage_id in passages:
                removed += [r[0] for r in self.db.execute("SELECT id FROM vectors WHERE passage_id = ?", [passage_id])]
                self.db.execute("DELETE FROM vectors WHERE passage_id = ?", [passage_id])
                self.db.execute("DELETE FROM passages_fts WHERE rowid = ?", [passage_id])
            self.db.execute("DELETE FROM passages WHERE article_id = ?", [article_id])
            self.db.execute("DELETE FROM articles WHERE id = ?", [article_id])
        return removed

    def add_articles(self, batch: list[tuple[Article, list[Passage], list[IndexedTerms]]], vectors: list[np.ndarray]) -> np.ndarray:
        """Insert articles with their passages, keyword columns and sentence vectors (one matrix per
        passage, in order); the ids of the vectors inserted."""
        matrices = iter(vectors)
        ids: list[int] = []
        indexed: list[tuple[str, ...]] = []
        columns = ", ".join(COLUMNS)
        marks = ", ".join("?" * len(COLUMNS))
        for article, passages, terms in batch:
            self.db.execute(_INSERT_ARTICLE, [getattr(article, column) for column in _ARTICLE_COLUMNS])
            for passage, passage_terms in zip(passages, terms):
                passage_id = self.db.execute(
                    "INSERT INTO passages (article_id, position, text, sentences) VALUES (?, ?, ?, ?)",
                    [article.id, passage.position, passage.text, json.dumps(passage.sentences)],
                ).lastrowid
                self.db.execute(
                    f"INSERT INTO passages_fts (rowid, {columns}) VALUES (?, {marks})", [passage_id, *passage_terms.columns]
                )
                indexed.append(passage_terms.columns)
                rows = [(vector_id(passage_id, i), passage_id, v.astype(np.float32).tobytes()) for i, v in enumerate(next(matrices))]
                self.db.conn.executemany("INSERT INTO vectors (id, passage_id, vector) VALUES (?, ?, ?)", rows)
                ids += [row[0] for row in rows]
        self.count_terms(indexed, added=True)
        return np.array(ids, dtype=np.int64)

    def add_segment(self, segment: Segment) -> None:
        self.db.execute(
            "INSERT INTO segments (id, file, kind, vectors, first_id, last_id, bytes, blake2b) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            [segment.id, segment.file, segment.kind, segment.vectors, segment.first_id, segment.last_id,
             segment.bytes, segment.blake2b],
        )

    def remove_segments(self, segment_ids: Iterable[int]) -> None:
        self.db.conn.executemany("DELETE FROM segments WHERE id = ?", ((i,) for i in segment_ids))

    def drop_vectors(self, vector_ids: Iterable[int]) -> None:
        """Record vectors deleted from the segments that hold them (searches leave them out)."""
        self.db.conn.executemany("INSERT OR IGNORE INTO dropped (vector_id) VALUES (?)", ((int(i),) for i in vector_ids))

    def forget_dropped(self, vector_ids: Iterable[int]) -> None:
        """Forget deletions no segment holds any more (their segments were merged without them)."""
        self.db.conn.executemany("DELETE FROM dropped WHERE vector_id = ?", ((int(i),) for i in vector_ids))

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

    def segments(self) -> list[Segment]:
        """The vector segments, in the order of the ids they hold (oldest first)."""
        rows = self.db.execute("SELECT id, file, kind, vectors, first_id, last_id, bytes, blake2b FROM segments ORDER BY first_id")
        return [Segment(*row) for row in rows]

    def dropped(self) -> np.ndarray:
        """The vector ids deleted from their segments, sorted."""
        return np.array([r[0] for r in self.db.execute("SELECT vector_id FROM dropped ORDER BY vector_id")], dtype=np.int64)

    def vectors_of(self, vector_ids: np.ndarray, dimension: int, batch: int = 10_000) -> np.ndarray:
        """The stored vectors with these ids, in the same order (``IndexCorruptError`` if one is missing)."""
        out = np.empty((len(vector_ids), dimension), dtype=np.float32)
        for start in range(0, len(vector_ids), batch):
            chunk = [int(i) for i in vector_ids[start : start + batch]]
            marks = ",".join("?" * len(chunk))
            found = dict(self.db.execute(f"SELECT id, vector FROM vectors WHERE id IN ({marks})", chunk).fetchall())
            if len(found) != len(chunk):
                raise IndexCorruptError("a vector segment holds vectors the database does not")
            out[start : start + len(chunk)] = np.frombuffer(b"".join(found[i] for i in chunk), dtype=np.float32).reshape(-1, dimension)
        return out

    def vector_ids_between(self, first: int, last: int) -> np.ndarray:
        """The stored vector ids in [first, last], sorted."""
        rows = self.db.execute("SELECT id FROM vectors WHERE id BETWEEN ? AND ? ORDER BY id", [first, last])
        return np.array([r[0] for r in rows], dtype=np.int64)

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

    def catalog(self, after: int = 0) -> tuple[dict[int, str], dict[str, str | None]]:
        """(article id of every passage, date of its article), for the passages with ids above
        ``after``: what ranking needs, kept in memory (passage ids only grow)."""
        sql = "SELECT p.id, p.article_id, a.date FROM passages p JOIN articles a ON a.id = p.article_id WHERE p.id > ?"
        passages: dict[int, str] = {}
        dates: dict[str, str | None] = {}
        for passage_id, article_id, date in self.db.execute(sql, [after]):
            passages[passage_id] = article_id
            dates[article_id] = date
        return passages, dates

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


def _stored_passage(row: tuple) -> StoredPassage:
    pid, article_id, position, text, sentences, title, date, source, language = row
    return StoredPassage(
        id=pid, article_id=article_id, position=position, text=text,
        sentences=tuple(tuple(s) for s in json.loads(sentences)),
        title=title, date=date, source=source, language=language,
    )
