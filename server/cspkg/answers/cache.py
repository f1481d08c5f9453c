"""One answer cache for every worker process on the machine: a SQLite file beside the store.

gunicorn runs several worker processes; a cache of their own would compute each national answer
once per worker. This one is a table in one SQLite file (WAL mode, so readers do not wait on the
writer) that every worker opens: an answer computed by one is served by all. Keys carry the build
the request read, so a new build or a replace (which makes a new build) is a new key, and answers
of any other build are deleted when the first answer of a new build is stored.

Values are the plain data the service keeps (bytes, text, numbers, lists, tuples and dicts of
them), stored with `marshal`, which rebuilds data and never runs code. The cache is an
optimisation: any SQLite error (a locked or full disk, a damaged file) is logged and the answer is
computed as if it were not cached; a request never fails because of the cache.
"""

from __future__ import annotations

import hashlib
import logging
import marshal
import sqlite3
import threading
from pathlib import Path

log = logging.getLogger(__name__)

SCHEMA = ("CREATE TABLE IF NOT EXISTS answers (key TEXT PRIMARY KEY, build TEXT NOT NULL, value BLOB NOT NULL)",
          "CREATE INDEX IF NOT EXISTS answers_build ON answers (build)")


class SharedCache:
    """get/put of answers keyed by (build, anything printable), shared through one SQLite file."""

    def __init__(self, path: Path, size: int, scope: str = ""):
        # `scope` tells apart servers that share a store but answer differently (another row limit,
        # licence or port): each server's workers share entries, two servers never do.
        self.path, self.size, self.scope = Path(path), size, scope
        self._local = threading.local()  # one connection per thread: sqlite3 connections are not shared across threads
        self._pid = None
        self.hits = self.misses = 0

    def key(self, build: str, parts) -> str:
        return hashlib.sha256(repr((self.scope, build, parts)).encode()).hexdigest()

    def _db(self) -> sqlite3.Connection:
        import os

        conn = getattr(self._local, "conn", None)
        if conn is None or self._local.pid != os.getpid():  # a forked worker opens its own
            self.path.parent.mkdir(parents=True, exist_ok=True)
            conn = sqlite3.connect(self.path, timeout=2.0, isolation_level=None, check_same_thread=True)
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute("PRAGMA synchronous=NORMAL")  # a lost answer after a power cut is only recomputed
            for statement in SCHEMA:
                conn.execute(statement)
            self._local.conn, self._local.pid = conn, os.getpid()
        return conn

    def get(self, build: str, parts):
        if not self.size:
            return None
        try:
            row = self._db().execute("SELECT value FROM answers WHERE key = ?", (self.key(build, parts),)).fetchone()
        except sqlite3.Error as err:
            log.warning("answer cache %s: %s (answering without it)", self.path, err)
            return None
        if row is None:
            self.misses += 1
            return None
        self.hits += 1
        return marshal.loads(row[0])

    def put(self, build: str, parts, value):
        """Keep `value` (and return it); drop other builds' answers and the oldest past `size`."""
        if not self.size:
            return value
        try:
            blob = marshal.dumps(value)
            db = self._db()
            db.execute("BEGIN IMMEDIATE")
            try:
                db.execute("DELETE FROM answers WHERE build <> ?", (build,))  # a new build: earlier answers are stale
                db.execute("INSERT OR REPLACE INTO answers (key, build, value) VALUES (?, ?, ?)", (self.key(build, parts), build, blob))
                db.execute("DELETE FROM answers WHERE rowid <= (SELECT MAX(rowid) FROM answers) - ?", (self.size,))
                db.execute("COMMIT")
            except BaseException:
                db.execute("ROLLBACK")
                raise
        except (sqlite3.Error, ValueError) as err:  # ValueError: a value marshal cannot keep
            log.warning("answer cache %s: %s (answer not kept)", self.path, err)
        return value
