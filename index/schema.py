"""The store's schema: the SQL that creates an index database (used by ``store`` only).

Tables: ``meta`` (the manifest, key/value), ``files`` (each article file's hash, size and
modification and change times, so an unchanged file is neither read nor hashed again), ``articles``,
``passages``, ``passages_fts`` (FTS5, diacritics folded: one row per passage, its keyword
columns from ``keywords``), ``term_passages`` (in how many passages each keyword term occurs, kept
with every change: FTS5's own vocabulary counts them by reading every posting), ``vectors`` (each
sentence's float32 vector, from which vector segments are rebuilt without the model),
``segments`` (the vector segment files, with their size and checksum) and ``dropped`` (vector ids
deleted since their segment was written).

An index of another schema is not migrated: a build rebuilds it whole from the articles.
"""

from __future__ import annotations

from index.keywords import COLUMNS

SCHEMA_VERSION = 5
FTS_TOKENIZER = "unicode61 remove_diacritics 2"

CREATE = f"""
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE files (
    path TEXT PRIMARY KEY, hash TEXT NOT NULL, size INTEGER NOT NULL, mtime_ns INTEGER NOT NULL,
    ctime_ns INTEGER NOT NULL
);
CREATE TABLE articles (
    id TEXT PRIMARY KEY, path TEXT NOT NULL, title TEXT NOT NULL, date TEXT, date_origin TEXT NOT NULL,
    source TEXT NOT NULL, language TEXT NOT NULL, content_hash TEXT NOT NULL
);
CREATE INDEX articles_path ON articles(path);
CREATE TABLE passages (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    article_id TEXT NOT NULL REFERENCES articles(id),
    position INTEGER NOT NULL, text TEXT NOT NULL, sentences TEXT NOT NULL
);
CREATE INDEX passages_article ON passages(article_id);
CREATE TABLE vectors (id INTEGER PRIMARY KEY, passage_id INTEGER NOT NULL, vector BLOB NOT NULL);
CREATE INDEX vectors_passage ON vectors(passage_id);
CREATE VIRTUAL TABLE passages_fts USING fts5({", ".join(COLUMNS)}, tokenize='{FTS_TOKENIZER}');
CREATE TABLE term_passages (term TEXT PRIMARY KEY, passages INTEGER NOT NULL) WITHOUT ROWID;
CREATE TABLE segments (
    id INTEGER PRIMARY KEY, file TEXT NOT NULL, kind TEXT NOT NULL, vectors INTEGER NOT NULL,
    first_id INTEGER NOT NULL, last_id INTEGER NOT NULL, bytes INTEGER NOT NULL, blake2b TEXT NOT NULL
);
CREATE TABLE dropped (vector_id INTEGER PRIMARY KEY);
PRAGMA user_version = {SCHEMA_VERSION};
"""
