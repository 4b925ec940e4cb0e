"""The store's SQLite side: its connections and its transactions.

``Database`` is what a ``store.Store`` is built on; nothing else uses it. The database runs in
WAL mode, so a reader sees the state before an update or after it, never a mix, and a killed
update leaves the state before it: every update is one write transaction (``transaction``), and
a question reads inside one read transaction (``reading``), pinned to one state while it is
answered.

A database opened read-only may be shared by many threads: each thread gets its own
connection. Once the file is gone (its index folder deleted) or replaced, threads that come
later share the first connection instead, which still reads the file it opened. A writable
database belongs to one build, in one thread.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
import threading
from collections.abc import Iterator
from pathlib import Path

import sqlite_utils

from index.errors import IndexCorruptError


def _end_read(conn: sqlite3.Connection) -> None:
    """End a read transaction (nothing to commit); a damaged file may refuse even that."""
    try:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
    except sqlite3.Error:
        pass


def _file_identity(path: Path) -> tuple[int, int] | None:
    """The device and inode of the file at ``path``; None when there is none."""
    try:
        status = os.stat(path)
    except OSError:
        return None
    return status.st_dev, status.st_ino


class Database:
    """An index's SQLite database file, read-only (shared by threads) or writable (one build's)."""

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

    def _connect(self) -> sqlite_utils.Database:
        if self.readonly:
            return self._connect_readonly()
        conn = sqlite3.connect(str(self.path), isolation_level=None)  # transactions are explicit
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
        """This thread's connection (opened at first need)."""
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

    # --- transactions ------------------------------------------------------------------

    @contextlib.contextmanager
    def transaction(self) -> Iterator[None]:
        """One write transaction: everything inside commits together or not at all."""
        conn = self.db.conn
        conn.execute("BEGIN IMMEDIATE")
        try:
            yield
        except BaseException:
            if conn.in_transaction:  # SQLite may have rolled back already (a full disk)
                conn.execute("ROLLBACK")
            raise
        conn.execute("COMMIT")

    @contextlib.contextmanager
    def reading(self) -> Iterator[None]:
        """One read transaction on this thread's connection: every read inside sees one state.

        A connection shared because the file is gone (see the module) is read as it is: a
        deleted file changes no more."""
        conn = self.db.conn
        if conn.in_transaction:
            yield
            return
        conn.execute("BEGIN")
        try:
            yield
        finally:
            _end_read(conn)

    def use_wal(self) -> None:
        """Switch the database to WAL mode (kept in the file), once its first build is written."""
        self.db.execute("PRAGMA journal_mode=WAL")

    def checkpoint(self) -> None:
        """Copy the write-ahead log into the database file and empty it."""
        self.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
