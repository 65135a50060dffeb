"""The briefing's SQLite database: source inventory, parsed articles, reading state.

One database per briefing. Every write is a transaction; the database runs in
WAL mode with a busy timeout so the app and the CLI can share it. The schema is
versioned with ``PRAGMA user_version`` and upgraded by :data:`MIGRATIONS`.
"""

from __future__ import annotations

import json
import sqlite3
import threading
import time
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Iterator

from .model import Article

if TYPE_CHECKING:
    from .annotations import Annotation


class StoreError(Exception):
    """The database cannot be used; ``str(exc)`` is a one-line reason naming the file."""


def _run_script(db: sqlite3.Connection, script: str) -> None:
    """Run several statements inside the caller's transaction (executescript would commit)."""
    for statement in script.split(";"):
        if statement.strip():
            db.execute(statement)


def _v1(db: sqlite3.Connection) -> None:
    _run_script(
        db,
        """
        CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
        CREATE TABLE sources (
            path TEXT PRIMARY KEY,          -- relative to the briefing root, POSIX separators
            article_id TEXT,
            size INTEGER NOT NULL,
            mtime_ns INTEGER NOT NULL,
            hash TEXT NOT NULL,
            status TEXT NOT NULL,           -- 'ok' or 'skipped'
            reason TEXT
        );
        CREATE TABLE articles (
            id TEXT PRIMARY KEY,
            path TEXT NOT NULL,
            title TEXT NOT NULL,
            n_sections INTEGER NOT NULL,
            content_hash TEXT NOT NULL,
            metadata TEXT NOT NULL,         -- JSON object
            data TEXT NOT NULL,             -- JSON of Article.to_dict()
            indexed_hash TEXT,              -- content_hash the search index holds, NULL if none
            updated_at REAL NOT NULL
        );
        CREATE TABLE state (key TEXT PRIMARY KEY, value TEXT NOT NULL);
        """
    )


def _v2(db: sqlite3.Connection) -> None:
    _run_script(
        db,
        """
        CREATE TABLE annotations (
            id TEXT PRIMARY KEY,
            article_id TEXT NOT NULL,
            start INTEGER NOT NULL,
            "end" INTEGER NOT NULL,
            quote TEXT NOT NULL,
            prefix TEXT NOT NULL,
            suffix TEXT NOT NULL,
            content_hash TEXT NOT NULL,
            color TEXT NOT NULL,
            note TEXT NOT NULL,
            tags TEXT NOT NULL,             -- JSON list
            created TEXT NOT NULL,
            updated TEXT NOT NULL,
            state TEXT NOT NULL,            -- anchored / moved / orphaned
            deleted_at TEXT                 -- set when deleted (kept for undo)
        );
        CREATE INDEX annotations_article ON annotations (article_id, start)
        """,
    )


# Each entry upgrades the schema by one version; never edit a released one.
MIGRATIONS: list[Callable[[sqlite3.Connection], None]] = [_v1, _v2]
SCHEMA_VERSION = len(MIGRATIONS)


@dataclass(slots=True)
class SourceRow:
    path: str
    article_id: str | None
    size: int
    mtime_ns: int
    hash: str
    status: str
    reason: str | None


class Store:
    """Thread-safe access to one briefing database."""

    def __init__(self, path: Path):
        self.path = path
        self._lock = threading.RLock()
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            self._db = sqlite3.connect(
                path, timeout=10.0, check_same_thread=False, isolation_level=None
            )
            self._db.execute("PRAGMA busy_timeout = 10000")
            self._db.execute("PRAGMA journal_mode = WAL")
            self._db.execute("PRAGMA synchronous = NORMAL")
            self._db.execute("PRAGMA foreign_keys = ON")
            self._migrate()
        except sqlite3.DatabaseError as exc:
            raise StoreError(f"{path}: not a usable briefing database ({exc})") from None
        except OSError as exc:
            raise StoreError(f"{path}: cannot open ({exc.strerror or exc})") from None

    # -- plumbing -------------------------------------------------------------

    def _migrate(self) -> None:
        version = self._db.execute("PRAGMA user_version").fetchone()[0]
        if version > SCHEMA_VERSION:
            raise StoreError(
                f"{self.path}: made by a newer briefing (schema {version} > {SCHEMA_VERSION})"
            )
        for number in range(version, SCHEMA_VERSION):
            with self.transaction() as db:
                MIGRATIONS[number](db)
                db.execute(f"PRAGMA user_version = {number + 1}")

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                yield self._db
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
            else:
                self._db.execute("COMMIT")

    def _query(self, sql: str, args: tuple = ()) -> list[tuple]:
        with self._lock:
            return self._db.execute(sql, args).fetchall()

    def close(self) -> None:
        with self._lock:
            self._db.close()

    # -- sources --------------------------------------------------------------

    def sources(self) -> dict[str, SourceRow]:
        rows = self._query(
            "SELECT path, article_id, size, mtime_ns, hash, status, reason FROM sources"
        )
        return {r[0]: SourceRow(*r) for r in rows}

    def put_source(self, db: sqlite3.Connection, row: SourceRow) -> None:
        db.execute(
            "INSERT OR REPLACE INTO sources VALUES (?, ?, ?, ?, ?, ?, ?)",
            (row.path, row.article_id, row.size, row.mtime_ns, row.hash, row.status, row.reason),
        )

    def delete_source(self, db: sqlite3.Connection, path: str) -> None:
        db.execute("DELETE FROM sources WHERE path = ?", (path,))

    # -- articles -------------------------------------------------------------

    def put_article(self, db: sqlite3.Connection, article: Article, path: str) -> None:
        db.execute(
            """INSERT INTO articles (id, path, title, n_sections, content_hash, metadata, data,
                                     indexed_hash, updated_at)
               VALUES (?, ?, ?, ?, ?, ?, ?, NULL, ?)
               ON CONFLICT(id) DO UPDATE SET
                   path = excluded.path, title = excluded.title,
                   n_sections = excluded.n_sections, content_hash = excluded.content_hash,
                   metadata = excluded.metadata, data = excluded.data,
                   updated_at = excluded.updated_at""",
            (
                article.id,
                path,
                article.title,
                len(article.sections),
                article.content_hash,
                json.dumps(article.metadata, ensure_ascii=False),
                json.dumps(article.to_dict(), ensure_ascii=False),
                time.time(),
            ),
        )
        self._bump(db, "articles_version")

    def delete_article(self, db: sqlite3.Connection, article_id: str) -> None:
        db.execute("DELETE FROM articles WHERE id = ?", (article_id,))
        self._bump(db, "articles_version")

    def move_annotations(self, db: sqlite3.Connection, old_id: str, new_id: str) -> None:
        """An article's id changed (a sibling file with the same stem came or went)."""
        db.execute("UPDATE annotations SET article_id = ? WHERE article_id = ?", (new_id, old_id))
        self.bump_annotations_version(db)

    def content_hash(self, article_id: str) -> str | None:
        rows = self._query("SELECT content_hash FROM articles WHERE id = ?", (article_id,))
        return rows[0][0] if rows else None

    def articles_version(self) -> int:
        value = self.get_meta("articles_version")
        return int(value) if value else 0

    def article_rows(self) -> list[tuple[str, str, str, int, dict]]:
        """(id, title, path, n_sections, metadata) in path order."""
        rows = self._query(
            "SELECT id, title, path, n_sections, metadata FROM articles ORDER BY path"
        )
        return [(r[0], r[1], r[2], r[3], json.loads(r[4])) for r in rows]

    def article(self, article_id: str) -> Article | None:
        rows = self._query("SELECT data FROM articles WHERE id = ?", (article_id,))
        return Article.from_dict(json.loads(rows[0][0])) if rows else None

    def content_hashes(self) -> dict[str, tuple[str, str | None]]:
        """article id -> (content_hash, indexed_hash)."""
        rows = self._query("SELECT id, content_hash, indexed_hash FROM articles")
        return {r[0]: (r[1], r[2]) for r in rows}

    def mark_indexed(self, ids_and_hashes: list[tuple[str, str]]) -> None:
        with self.transaction() as db:
            db.executemany(
                "UPDATE articles SET indexed_hash = ? WHERE id = ?",
                [(h, i) for i, h in ids_and_hashes],
            )

    def forget_indexed(self) -> None:
        with self.transaction() as db:
            db.execute("UPDATE articles SET indexed_hash = NULL")

    # -- annotations ----------------------------------------------------------

    _ANN_COLUMNS = (
        'id, article_id, start, "end", quote, prefix, suffix, content_hash, color, note, tags, '
        "created, updated, state"
    )

    def put_annotation(self, db: sqlite3.Connection, ann: "Annotation") -> None:
        db.execute(
            f"INSERT OR REPLACE INTO annotations ({self._ANN_COLUMNS}, deleted_at) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, NULL)",
            (
                ann.id, ann.article_id, ann.start, ann.end, ann.quote, ann.prefix, ann.suffix,
                ann.content_hash, ann.color, ann.note, json.dumps(ann.tags, ensure_ascii=False),
                ann.created, ann.updated, ann.state,
            ),
        )
        self.bump_annotations_version(db)

    def annotations(self, article_id: str | None = None, *, deleted: bool = False) -> list["Annotation"]:
        from .annotations import Annotation

        where = "deleted_at IS NOT NULL" if deleted else "deleted_at IS NULL"
        args: tuple = ()
        if article_id is not None:
            where += " AND article_id = ?"
            args = (article_id,)
        rows = self._query(
            f"SELECT {self._ANN_COLUMNS} FROM annotations WHERE {where} ORDER BY article_id, start, created",
            args,
        )
        out = []
        for r in rows:
            out.append(
                Annotation(
                    id=r[0], article_id=r[1], start=r[2], end=r[3], quote=r[4], prefix=r[5],
                    suffix=r[6], content_hash=r[7], color=r[8], note=r[9], tags=json.loads(r[10]),
                    created=r[11], updated=r[12], state=r[13],
                )
            )
        return out

    def annotation(self, ann_id: str, *, deleted: bool = False) -> "Annotation | None":
        rows = self._query(
            "SELECT article_id, deleted_at FROM annotations WHERE id = ?", (ann_id,)
        )
        if not rows or (rows[0][1] is not None) != deleted:
            return None
        for ann in self.annotations(rows[0][0], deleted=deleted):
            if ann.id == ann_id:
                return ann
        return None

    def set_annotation_deleted(self, db: sqlite3.Connection, ann_id: str, when: str | None) -> bool:
        cur = db.execute("UPDATE annotations SET deleted_at = ? WHERE id = ?", (when, ann_id))
        if cur.rowcount:
            self.bump_annotations_version(db)
        return cur.rowcount > 0

    def bump_annotations_version(self, db: sqlite3.Connection) -> None:
        """Count annotation changes, so derived data (the search index, an open
        app) can tell it is behind, whichever process made the change."""
        self._bump(db, "annotations_version")

    @staticmethod
    def _bump(db: sqlite3.Connection, key: str) -> None:
        db.execute(
            "INSERT INTO meta VALUES (?, '1') ON CONFLICT(key) "
            "DO UPDATE SET value = CAST(CAST(value AS INTEGER) + 1 AS TEXT)",
            (key,),
        )

    def annotations_version(self) -> int:
        value = self.get_meta("annotations_version")
        return int(value) if value else 0

    def annotation_counts(self) -> dict[str, int]:
        rows = self._query(
            "SELECT article_id, COUNT(*) FROM annotations WHERE deleted_at IS NULL GROUP BY article_id"
        )
        return {r[0]: r[1] for r in rows}

    # -- key/value ------------------------------------------------------------

    def get_state(self, key: str, default: Any = None) -> Any:
        rows = self._query("SELECT value FROM state WHERE key = ?", (key,))
        return json.loads(rows[0][0]) if rows else default

    def set_state(self, key: str, value: Any) -> None:
        with self.transaction() as db:
            db.execute(
                "INSERT OR REPLACE INTO state VALUES (?, ?)", (key, json.dumps(value))
            )

    def get_meta(self, key: str) -> str | None:
        rows = self._query("SELECT value FROM meta WHERE key = ?", (key,))
        return rows[0][0] if rows else None

    def set_meta(self, key: str, value: str) -> None:
        with self.transaction() as db:
            db.execute("INSERT OR REPLACE INTO meta VALUES (?, ?)", (key, value))
