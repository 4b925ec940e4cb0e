"""The store's full-text side: FTS5 searches, the keyword columns of passages and the statistics bm25 reads.

``Store`` inherits these queries; like its own, what SQLite raises in them comes out as the store's
``StoreError`` (``database.translating``). The columns hold the terms of ``keywords``.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable

from index.database import Database, translating
from index.keywords import COLUMNS

CRISIS_MERGE = 16  # FTS5's own default "crisismerge": a level of this many segments is merged at once


@translating
class FullText(Database):
    """The queries on ``passages_fts`` and on the passages each of its terms occurs in."""

    def keyword_search(self, expression: str, limit: int) -> list[tuple[int, float]]:
        """(passage id, bm25 relevance) for an FTS5 MATCH expression, best first (higher is better)."""
        if not expression:
            return []
        sql = "SELECT rowid, -rank FROM passages_fts WHERE passages_fts MATCH ? ORDER BY rank LIMIT ?"
        return [(r[0], r[1]) for r in self.db.execute(sql, [expression, limit])]

    def keyword_columns(self, passage_ids: Iterable[int]) -> dict[int, tuple[str, ...]]:
        """The keyword columns (``keywords.COLUMNS``) of these passages."""
        ids = list(passage_ids)
        marks = ",".join("?" * len(ids))
        sql = f"SELECT rowid, {', '.join(COLUMNS)} FROM passages_fts WHERE rowid IN ({marks})"
        return {row[0]: tuple(row[1:]) for row in self.db.execute(sql, ids)} if ids else {}

    def keyword_totals(self) -> tuple[int, float]:
        """(rows, mean terms per row) of the full-text index, as FTS5's bm25() reads them: from
        its averages record (row 1 of its ``_data`` table: varints, the row count then each
        column's term count), which FTS5 keeps up to date with every change."""
        row = self.db.execute("SELECT block FROM passages_fts_data WHERE id = 1").fetchone()
        counts = _varints(row[0]) if row else [0]
        return counts[0], sum(counts[1:]) / max(counts[0], 1)

    def document_frequencies(self, terms: Iterable[str]) -> dict[str, int]:
        """In how many passages each term occurs (any column); a term none holds is left out."""
        terms = list(terms)
        if not terms:
            return {}
        marks = ",".join("?" * len(terms))
        return dict(self.db.execute(f"SELECT term, passages FROM term_passages WHERE term IN ({marks})", terms).fetchall())

    def defer_merges(self) -> None:
        """Leave FTS5's merging of its segments to its crisis merges (``CRISIS_MERGE`` segments of a
        level merged into one at once) instead of a step of merging in every write, for the
        updates in place that follow (kept in the database; inside the caller's transaction).

        With FTS5's default (a step of merging whenever a level holds 4 segments) a small update
        also wrote a share of merges as large as the archive's own segments: 10 articles added 10
        times to a million passages wrote 15 to 100 times their own size, 46 on average; with
        crisis merges only, over two such runs, 14 to 110 times, 26 on average, and FTS5's step
        costs about the same (``bench/scale.py``, docs/benchmarks.md)."""
        row = self.db.execute("SELECT v FROM passages_fts_config WHERE k = 'automerge'").fetchone()
        if row is None or row[0] != 0:
            self.db.execute("INSERT INTO passages_fts (passages_fts, rank) VALUES ('automerge', 0)")

    def count_terms(self, rows: Iterable[tuple[str, ...]], added: bool) -> None:
        """Count each term of these passages' keyword columns once per passage into
        ``term_passages``: up for passages ``added``, down for passages removed (inside the
        update's transaction, so the counts always match the passages)."""
        counts = Counter(term for columns in rows for term in set(" ".join(columns).split()))
        if added:
            self.db.conn.executemany(
                "INSERT INTO term_passages (term, passages) VALUES (?, ?) "
                "ON CONFLICT (term) DO UPDATE SET passages = passages + excluded.passages",
                counts.items(),
            )
            return
        self.db.conn.executemany("UPDATE term_passages SET passages = passages - ? WHERE term = ?", ((n, t) for t, n in counts.items()))
        self.db.conn.executemany("DELETE FROM term_passages WHERE term = ? AND passages <= 0", ((t,) for t in counts))


def _varints(blob: bytes) -> list[int]:
    """The SQLite varints in ``blob`` (big-endian groups of 7 bits, high bit set on all but the
    last; a ninth byte holds 8 bits)."""
    values, value, length = [], 0, 0
    for byte in blob:
        length += 1
        value = (value << 8) | byte if length == 9 else (value << 7) | (byte & 0x7F)
        if length == 9 or not byte & 0x80:
            values.append(value)
            value, length = 0, 0
    return values
