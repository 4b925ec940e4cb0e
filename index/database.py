"""The store's SQLite side: its connections, its transactions, and SQLite's errors turned into its own.

``Database`` is what a ``store.Store`` is built on; nothing else uses it, and it is the only
module of the index that imports ``sqlite3``. The database runs in WAL mode, so a reader sees the
state before an update or after it, never a mix, and a killed update leaves the state before it:
every update is one write transaction (``transaction``), and a question reads inside one read
transaction (``reading``), pinned to one state while it is answered.

A database opened read-only may be shared by many threads: each thread gets its own
connection. Once the file is gone (its index folder deleted) or replaced, threads that come
later share the first connection instead, which still reads the file it opened. A writable
database belongs to one build, in one thread.

What SQLite raises comes out as a ``StoreError`` (see ``errors``): a method that runs SQL is
marked ``@sql`` (every method of ``Store`` is, by ``translating``), and ``transaction``,
``reading`` and ``translated`` cover the statements run inside them. SQLite's word that a file
is damaged is a ``DatabaseDamagedError``, and so is any other failure of a read-only database
except a passing one (busy, a disk's read error: a ``DatabaseReadError``, which no rebuild
mends); a writable database's other failures are a ``DatabaseWriteError``. Each says in words
what went wrong (a full disk…).
"""

from __future__ import annotations

import contextlib
import functools
import inspect
import os
import sqlite3
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import sqlite_utils

from index.errors import (
    DatabaseDamagedError,
    DatabaseReadError,
    DatabaseWriteError,
    IndexCorruptError,
    StoreError,
)

DAMAGED = ("SQLITE_CORRUPT", "SQLITE_NOTADB")  # SQLite's error names for a damaged file, by their start
READ_PROBLEMS = {  # why a read of an undamaged file failed, by the start of SQLite's error name
    "SQLITE_BUSY": "it is busy (another program holds it); try again in a moment",
    "SQLITE_LOCKED": "it is busy (another program holds it); try again in a moment",
    "SQLITE_IOERR": "a read from the disk failed (disk I/O error)",
    "SQLITE_NOMEM": "the machine is out of memory",
}
BUSY_TIMEOUT_S = 5.0  # how long a statement waits for a lock another connection holds
WRITE_PROBLEMS = {  # the reason a write failed, by the start of SQLite's error name
    "SQLITE_FULL": "the disk is full",
    "SQLITE_READONLY": "the file system is read-only",
    "SQLITE_IOERR": "a write to the disk failed (disk I/O error)",
    "SQLITE_CANTOPEN": "the database file cannot be created",
}


def sql(method: Callable) -> Callable:
    """Mark a ``Database`` method that runs SQL: SQLite's errors come out of it as a
    ``StoreError``, a generator's while its rows are read too."""
    if inspect.isgeneratorfunction(method):

        @functools.wraps(method)
        def rows(self: Database, *args, **kwargs):
            with self.translated():
                yield from method(self, *args, **kwargs)

        return rows

    @functools.wraps(method)
    def run(self: Database, *args, **kwargs):
        with self.translated():
            return method(self, *args, **kwargs)

    return run


def translating(cls: type) -> type:
    """``cls`` with every method it defines made ``sql`` (a class method or property is left as
    it is: it translates what it runs itself)."""
    for name, member in list(vars(cls).items()):
        if inspect.isfunction(member):
            setattr(cls, name, sql(member))
    return cls


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

    # --- SQLite's errors -----------------------------------------------------------------

    @contextlib.contextmanager
    def translated(self) -> Iterator[None]:
        """Run the statements inside with SQLite's errors raised as this database's ``StoreError``."""
        try:
            yield
        except sqlite3.DatabaseError as error:
            raise self._store_error(error) from error

    def _store_error(self, error: sqlite3.DatabaseError) -> StoreError:
        """The ``StoreError`` for what SQLite raised (see the module's docstring)."""
        name = getattr(error, "sqlite_errorname", "") or ""
        if self.readonly and not name.startswith(DAMAGED):
            reason = next((text for prefix, text in READ_PROBLEMS.items() if name.startswith(prefix)), None)
            if reason is not None:
                return DatabaseReadError(f"could not read the database {self.path.name}: {reason}", reason)
        if self.readonly or name.startswith(DAMAGED):
            return self.damaged(str(error))
        reason = next((text for prefix, text in WRITE_PROBLEMS.items() if name.startswith(prefix)), str(error))
        return DatabaseWriteError(f"could not write the database {self.path.name}: {reason}", reason)

    def damaged(self, problem: str) -> DatabaseDamagedError:
        """The error saying that the database is damaged, and how."""
        return DatabaseDamagedError(f"the database {self.path.name} is damaged ({problem})", problem)

    # --- connections -------------------------------------------------------------------

    @sql
    def _connect(self) -> sqlite_utils.Database:
        if self.readonly:
            return self._connect_readonly()
        conn = sqlite3.connect(str(self.path), isolation_level=None, timeout=BUSY_TIMEOUT_S)  # transactions are explicit
        conn.execute("PRAGMA synchronous=FULL")
        return sqlite_utils.Database(conn)

    def _connect_readonly(self) -> sqlite_utils.Database:
        """A new connection to the file, or the first one when the file it opened is no longer there."""
        with self._first_lock:
            if self._first is not None and _file_identity(self.path) != self._file:
                self._local.shared = True  # read as it is: see ``reading``
                return self._first  # shared between threads: SQLite serializes them
            if not self.path.exists():
                raise IndexCorruptError(f"the database {self.path.name} is missing")
            conn = sqlite3.connect(f"{self.path.resolve().as_uri()}?mode=ro", uri=True, check_same_thread=False,
                                   timeout=BUSY_TIMEOUT_S)
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
            self._local.shared = False
            if db is self._first:
                self._first = None

    # --- transactions ------------------------------------------------------------------

    @contextlib.contextmanager
    def transaction(self) -> Iterator[None]:
        """One write transaction: everything inside commits together or not at all."""
        with self.translated():
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
        with self.translated():
            conn = self.db.conn
            if conn.in_transaction or getattr(self._local, "shared", False):  # two threads must not both BEGIN on it
                yield
                return
            conn.execute("BEGIN")
            try:
                yield
            finally:
                _end_read(conn)

    @sql
    def use_wal(self) -> None:
        """Switch the database to WAL mode (kept in the file), once its first build is written."""
        self.db.execute("PRAGMA journal_mode=WAL")
