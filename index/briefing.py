"""A briefing: a folder of articles, its database and its search index.

This is the one object the CLI and the app talk to. Opening is cheap (no file
is read); :meth:`Briefing.read_changes` brings the store up to date with the
folder and :meth:`Briefing.update_index` brings the search index up to date
with the store. Both are safe to call from a worker thread.
"""

from __future__ import annotations

import hashlib
import os
import re
import threading
from collections import OrderedDict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

from .annotations import COLORS, MOVED, ORPHANED, Annotation, clean_tags, now_iso, reanchor
from .model import Article, Hit, SearchResult, Skipped
from .normalize import strip_controls
from .readers import MAX_FILE_BYTES, ReadError, is_supported, read_file
from .store import SourceRow, Store, StoreError

Progress = Callable[[int, int, str], None]

HOME_ENV = "BRIEFING_HOME"


class BriefingError(Exception):
    """The briefing cannot be opened; ``str(exc)`` is one line naming the path."""


@dataclass(slots=True)
class ArticleInfo:
    id: str
    title: str
    path: str
    n_sections: int
    metadata: dict
    n_annotations: int = 0


@dataclass(slots=True)
class RefreshReport:
    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)  # "path: warning" for files read with a caveat
    notice: str | None = None
    moved: list[str] = field(default_factory=list)  # annotation ids re-anchored by a fuzzy match
    orphaned: list[str] = field(default_factory=list)  # annotation ids that lost their passage

    @property
    def changed(self) -> bool:
        return bool(self.added or self.updated or self.removed)

    def summary(self) -> str:
        parts = []
        for label, items in (("added", self.added), ("updated", self.updated), ("removed", self.removed)):
            if items:
                parts.append(f"{len(items)} {label}")
        if self.skipped:
            parts.append(f"{len(self.skipped)} skipped")
        if self.moved:
            parts.append(f"{len(self.moved)} annotation{'s' if len(self.moved) != 1 else ''} moved")
        if self.orphaned:
            n = len(self.orphaned)
            parts.append(f"{n} annotation{'s' if n != 1 else ''} unanchored")
        return ", ".join(parts) or "no changes"


def bundled_seeds() -> Path:
    """The default briefing shipped with the package."""
    here = Path(__file__).resolve().parent
    for candidate in (here / "_seeds", here.parent / "seeds"):
        if candidate.is_dir():
            return candidate
    raise BriefingError("the bundled briefing (seeds) is missing from this installation")


def default_home() -> Path:
    env = os.environ.get(HOME_ENV)
    if env:
        return Path(env).expanduser()
    from platformdirs import user_data_dir

    return Path(user_data_dir("briefing", appauthor=False))


def data_dir_for(root: Path, home: Path) -> Path:
    slug = re.sub(r"[^A-Za-z0-9._-]+", "-", root.name).strip("-") or "briefing"
    digest = hashlib.sha1(str(root).encode("utf-8", "surrogateescape")).hexdigest()[:10]
    return home / "briefings" / f"{slug}-{digest}"


def scan_folder(root: Path) -> list[Path]:
    """Supported files below ``root`` in a stable order; hidden entries and
    symlinked folders are not followed (no loops)."""
    found: list[Path] = []
    for dirpath, dirnames, filenames in os.walk(root, followlinks=False):
        dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
        for name in sorted(filenames):
            path = Path(dirpath) / name
            if is_supported(path):
                found.append(path)
    return found


def article_ids_for(rel_paths: list[str]) -> dict[str, str]:
    """Readable, unique, stable ids: the relative path without its suffix, or
    with it when two files share a stem."""
    stems: dict[str, list[str]] = {}
    for rel in rel_paths:
        stem = rel.rsplit(".", 1)[0] if "." in rel.rsplit("/", 1)[-1] else rel
        stems.setdefault(stem, []).append(rel)
    ids: dict[str, str] = {}
    for stem, rels in stems.items():
        if len(rels) == 1:
            ids[rels[0]] = stem
        else:
            for rel in rels:
                ids[rel] = rel
    # A stem can equal another file's full name ("x.md" and "x.md.txt"): every
    # file in such a clash is named by its full relative path, which is unique.
    owners: dict[str, list[str]] = {}
    for rel, article_id in ids.items():
        owners.setdefault(article_id, []).append(rel)
    for article_id, rels in owners.items():
        if len(rels) > 1:
            for rel in rels:
                ids[rel] = rel
    return ids


class Briefing:
    def __init__(self, root: Path, home: Path):
        self.root = root
        self.name = "seeds" if root.name == "_seeds" else root.name  # the bundled briefing in a wheel
        self.home = home
        self.data_dir = data_dir_for(root, home)
        try:
            self.store = Store(self.data_dir / "briefing.db")
        except StoreError as exc:
            raise BriefingError(str(exc)) from None
        self._index = None
        self.on_wait: Callable[[str], None] | None = None  # told when another process blocks a write
        self._index_lock = threading.Lock()
        self._write_lock = threading.Lock()
        self._cache: OrderedDict[str, Article] = OrderedDict()
        self._cache_lock = threading.Lock()

    @classmethod
    def open(cls, root: Path | str | None = None, home: Path | str | None = None) -> "Briefing":
        root_path = bundled_seeds() if root is None else Path(root).expanduser()
        if not root_path.exists():
            raise BriefingError(f"{root_path}: no such folder")
        if not root_path.is_dir():
            raise BriefingError(f"{root_path}: not a folder (a briefing is a folder of articles)")
        if not os.access(root_path, os.R_OK | os.X_OK):
            raise BriefingError(f"{root_path}: permission denied")
        home_path = Path(home).expanduser() if home is not None else default_home()
        return cls(root_path.resolve(), home_path)

    # -- reading --------------------------------------------------------------

    def articles(self) -> list[ArticleInfo]:
        counts = self.store.annotation_counts()
        return [ArticleInfo(*row, n_annotations=counts.get(row[0], 0)) for row in self.store.article_rows()]

    def article(self, article_id: str) -> Article | None:
        """The stored article; a cached copy only while it is still the stored
        version (another process may have re-read the file)."""
        current = self.store.content_hash(article_id)
        if current is None:
            with self._cache_lock:
                self._cache.pop(article_id, None)
            return None
        with self._cache_lock:
            cached = self._cache.get(article_id)
            if cached is not None and cached.content_hash == current:
                self._cache.move_to_end(article_id)
                return cached
        article = self.store.article(article_id)
        if article is not None:
            with self._cache_lock:
                self._cache[article_id] = article
                while len(self._cache) > 64:
                    self._cache.popitem(last=False)
        return article

    def resolve(self, ref: str) -> str | None:
        """An article id from an id, a relative path or a path to the file."""
        infos = self.articles()
        by_id = {i.id: i.id for i in infos}
        if ref in by_id:
            return ref
        by_path = {i.path: i.id for i in infos}
        if ref in by_path:
            return by_path[ref]
        candidate = Path(ref).expanduser()
        try:
            rel = candidate.resolve().relative_to(self.root).as_posix()
        except (ValueError, OSError):
            rel = None
        if rel and rel in by_path:
            return by_path[rel]
        stem_matches = [i.id for i in infos if Path(i.path).stem == ref]
        return stem_matches[0] if len(stem_matches) == 1 else None

    def skipped(self) -> list[Skipped]:
        return [
            Skipped(row.path, row.reason or "unreadable")
            for row in self.store.sources().values()
            if row.status == "skipped"
        ]

    def pending_changes(self) -> bool:
        """True when the folder holds files that are new, changed (by size or
        mtime) or gone since the last :meth:`read_changes`. Reads no file."""
        try:
            files = scan_folder(self.root)
        except OSError:
            return False
        known = self.store.sources()
        if len(files) != len(known):
            return True
        for path in files:
            rel = path.relative_to(self.root).as_posix()
            row = known.get(rel)
            if row is None:
                return True
            try:
                st = path.stat()
            except OSError:
                if row.size == _UNREADABLE:
                    continue  # known to be unreadable, already reported
                return True
            if (row.size, row.mtime_ns) != (st.st_size, st.st_mtime_ns):
                return True
        return False

    # -- updating the store ---------------------------------------------------

    def read_changes(self, progress: Progress | None = None) -> RefreshReport:
        """Read new and changed files into the store and drop deleted ones."""
        with self._write_lock:
            return self._read_changes(progress)

    def _read_changes(self, progress: Progress | None) -> RefreshReport:
        report = RefreshReport()
        try:
            files = scan_folder(self.root)
        except OSError as exc:
            raise BriefingError(f"{self.root}: cannot list ({exc.strerror or exc})") from None
        rels = [p.relative_to(self.root).as_posix() for p in files]
        ids = article_ids_for(rels)
        known = self.store.sources()
        existing_ids = {info.id for info in self.articles()}
        total = len(files)
        batch: list[tuple[str, SourceRow, Article | None]] = []

        def flush() -> None:
            if not batch:
                return
            with self.store.transaction() as db:
                for rel, row, article in batch:
                    if article is not _KEEP:
                        old = known.get(rel)
                        old_id = old.article_id if old and old.status == "ok" else None
                        if old_id and article is not None and old_id != article.id:
                            # The file's id changed (a file with the same stem came
                            # or went): its annotations follow it.
                            self.store.move_annotations(db, old_id, article.id)
                            self.store.delete_article(db, old_id)
                        elif old_id and article is None:
                            self.store.delete_article(db, old_id)
                            self._orphan(db, old_id, report)
                        if article is not None:
                            self.store.put_article(db, article, rel)
                            self._reanchor(db, article, report)
                    self.store.put_source(db, row)
            batch.clear()

        def unreadable(rel: str, old: SourceRow | None, reason: str, st: os.stat_result | None = None) -> None:
            """Remember the file as skipped with the stat it had (so polling
            does not see it as new every time); an article it was is removed."""
            report.skipped.append(Skipped(rel, reason))
            size, mtime = (st.st_size, st.st_mtime_ns) if st is not None else (_UNREADABLE, _UNREADABLE)
            if old is not None and old.status == "skipped" and (old.size, old.mtime_ns) == (size, mtime):
                return
            batch.append((rel, SourceRow(rel, None, size, mtime, "", "skipped", reason), None))
            if old is not None and old.status == "ok" and old.article_id:
                report.removed.append(old.article_id)

        for n, (path, rel) in enumerate(zip(files, rels)):
            if progress:
                progress(n, total, rel)
            article_id = ids[rel]
            old = known.get(rel)
            try:
                st = path.stat()
            except OSError as exc:  # vanished, a dangling link or a link loop
                unreadable(rel, old, f"cannot read: {exc.strerror or exc}")
                continue
            same_stat = old and old.size == st.st_size and old.mtime_ns == st.st_mtime_ns
            if same_stat and old.article_id == article_id and (
                old.status == "skipped" or article_id in existing_ids
            ):
                if old.status == "skipped":
                    report.skipped.append(Skipped(rel, old.reason or "unreadable"))
                continue
            if st.st_size > MAX_FILE_BYTES:  # never read a huge file into memory
                unreadable(rel, old, f"too large ({st.st_size // 1024} KB; limit {MAX_FILE_BYTES // 1024} KB)", st)
                continue
            try:
                data = path.read_bytes()
            except OSError as exc:
                unreadable(rel, old, f"cannot read: {exc.strerror or exc}", st)
                continue
            digest = hashlib.sha256(data).hexdigest()
            if old and old.hash == digest and old.article_id == article_id and (
                old.status == "skipped" or article_id in existing_ids
            ):
                # Touched but not changed: remember the new stat, nothing else.
                batch.append((rel, SourceRow(rel, old.article_id, st.st_size, st.st_mtime_ns, digest, old.status, old.reason), _KEEP))
                if old.status == "skipped":
                    report.skipped.append(Skipped(rel, old.reason or "unreadable"))
                continue
            try:
                article = read_file(path, article_id, data=data)
            except ReadError as exc:
                report.skipped.append(Skipped(rel, str(exc)))
                batch.append((rel, SourceRow(rel, None, st.st_size, st.st_mtime_ns, digest, "skipped", str(exc)), None))
                if old is not None and old.status == "ok" and old.article_id:
                    report.removed.append(old.article_id)
                continue
            except Exception as exc:  # a reader bug must not stop the briefing
                reason = f"could not be parsed ({type(exc).__name__}: {exc})".splitlines()[0]
                report.skipped.append(Skipped(rel, reason))
                batch.append((rel, SourceRow(rel, None, st.st_size, st.st_mtime_ns, digest, "skipped", reason), None))
                if old is not None and old.status == "ok" and old.article_id:
                    report.removed.append(old.article_id)
                continue
            article.metadata.setdefault("path", rel)
            for warning in article.warnings:
                report.warnings.append(f"{rel}: {warning}")
            (report.updated if article_id in existing_ids else report.added).append(article_id)
            batch.append((rel, SourceRow(rel, article_id, st.st_size, st.st_mtime_ns, digest, "ok", None), article))
            if len(batch) >= 50:
                flush()
        flush()

        present = set(rels)
        gone = [rel for rel in known if rel not in present]
        if gone:
            with self.store.transaction() as db:
                for rel in gone:
                    row = known[rel]
                    if row.article_id and row.status == "ok":
                        self.store.delete_article(db, row.article_id)
                        report.removed.append(row.article_id)
                        self._orphan(db, row.article_id, report)
                    self.store.delete_source(db, rel)
        with self._cache_lock:
            for article_id in report.updated + report.removed:
                self._cache.pop(article_id, None)
        if progress:
            progress(total, total, "read")
        return report

    def _reanchor(self, db, article: Article, report: RefreshReport) -> None:
        for ann in self.store.annotations(article.id):
            if ann.content_hash == article.content_hash and ann.state != ORPHANED:
                continue
            anchor = reanchor(ann, article.text)
            if anchor.state == ORPHANED and ann.state != ORPHANED:
                report.orphaned.append(ann.id)
            elif anchor.state == MOVED and (ann.state != MOVED or (anchor.start, anchor.end) != (ann.start, ann.end)):
                report.moved.append(ann.id)
            ann.start, ann.end, ann.state = anchor.start, anchor.end, anchor.state
            if anchor.state != ORPHANED:
                ann.content_hash = article.content_hash
            self.store.put_annotation(db, ann)

    def _orphan(self, db, article_id: str, report: RefreshReport) -> None:
        for ann in self.store.annotations(article_id):
            if ann.state != ORPHANED:
                ann.state = ORPHANED
                report.orphaned.append(ann.id)
                self.store.put_annotation(db, ann)

    # -- annotations ----------------------------------------------------------

    def annotations(self, article_id: str | None = None) -> list[Annotation]:
        return self.store.annotations(article_id)

    def annotation_counts(self) -> dict[str, int]:
        return self.store.annotation_counts()

    def annotations_version(self) -> int:
        """A counter of annotation changes by any process (cheap to poll)."""
        return self.store.annotations_version()

    def articles_version(self) -> int:
        """A counter of stored article changes by any process (cheap to poll)."""
        return self.store.articles_version()

    def annotation(self, ann_id: str) -> Annotation | None:
        return self.store.annotation(ann_id)

    def annotate(self, article_id: str, start: int, end: int, *, note: str = "",
                 tags: list[str] | tuple[str, ...] = (), color: str = "yellow",
                 content_hash: str | None = None) -> Annotation:
        """Create an annotation on ``[start, end)`` of the article's text (committed at once).

        ``content_hash``: the version of the text the offsets were taken from;
        if the stored article has changed since, nothing is written."""
        article = self.article(article_id)
        if article is None:
            raise BriefingError(f"no article {article_id!r}")
        if content_hash is not None and content_hash != article.content_hash:
            raise BriefingError(f"{article_id} changed on disk since it was shown; reloading it")
        try:
            ann = Annotation.on_text(article.id, article.text, start, end, article.content_hash,
                                     note=strip_controls(note), tags=list(tags), color=color)
        except ValueError as exc:
            raise BriefingError(str(exc)) from None
        with self.store.transaction() as db:
            self.store.put_annotation(db, ann)
        return ann

    def find_quote(self, article_id: str, quote: str) -> tuple[int, int] | None:
        """The first occurrence of ``quote`` in the article: exact, then ignoring
        case and runs of white space."""
        article = self.article(article_id)
        if article is None or not quote.strip():
            return None
        i = article.text.find(quote)
        if i != -1:
            return i, i + len(quote)
        words = [re.escape(w) for w in quote.split()]
        m = re.search(r"\s+".join(words), article.text, re.IGNORECASE)
        return (m.start(), m.end()) if m else None

    def update_annotation(self, ann_id: str, *, note: str | None = None, tags: list[str] | None = None,
                          color: str | None = None) -> Annotation:
        ann = self.store.annotation(ann_id)
        if ann is None:
            raise BriefingError(f"no annotation {ann_id!r}")
        if note is not None:
            ann.note = strip_controls(note)
        if tags is not None:
            ann.tags = clean_tags(tags)
        if color is not None:
            if color not in COLORS:
                raise BriefingError(f"unknown colour {color!r} (choose from {', '.join(COLORS)})")
            ann.color = color
        ann.updated = now_iso()
        with self.store.transaction() as db:
            self.store.put_annotation(db, ann)
        return ann

    def delete_annotation(self, ann_id: str) -> bool:
        """Delete (recoverable with :meth:`restore_annotation`)."""
        with self.store.transaction() as db:
            return self.store.set_annotation_deleted(db, ann_id, now_iso())

    def restore_annotation(self, ann_id: str) -> bool:
        """Undo a delete; the annotation finds its passage in the text as it is now."""
        ann = self.store.annotation(ann_id, deleted=True)
        if ann is None:
            return False
        self._anchor_to_current(ann)
        with self.store.transaction() as db:
            self.store.put_annotation(db, ann)  # also clears the deletion
        return True

    def _anchor_to_current(self, ann: Annotation) -> None:
        article = self.article(ann.article_id)
        if article is None:
            ann.state = ORPHANED
            return
        anchor = reanchor(ann, article.text)
        ann.start, ann.end, ann.state = anchor.start, anchor.end, anchor.state
        if anchor.state != ORPHANED:
            ann.content_hash = article.content_hash

    def put_annotations(self, anns: list[Annotation]) -> tuple[int, int]:
        """Merge by id in one transaction: (created, updated) counts."""
        existing = {a.id for a in self.store.annotations()} | {a.id for a in self.store.annotations(deleted=True)}
        created = updated = 0
        with self.store.transaction() as db:
            for ann in anns:
                self._anchor_to_current(ann)  # offsets are only a hint: the quote decides
                self.store.put_annotation(db, ann)
                if ann.id in existing:
                    updated += 1
                else:
                    created += 1
        return created, updated

    # -- search index ---------------------------------------------------------

    @property
    def index_dir(self) -> Path:
        return self.data_dir / "index"

    def _open_index(self) -> str | None:
        if self._index is not None:
            return None
        from .search import SearchIndex

        index = SearchIndex(self.index_dir)
        index.on_wait = self.on_wait
        notice = index.open()
        self._index = index
        if notice or index.needs_rebuild():
            self.store.forget_indexed()
            self.store.set_meta(_ANN_INDEXED, "")
        return notice

    def _sync_annotations(self, *, force: bool = False) -> int:
        """Bring annotation documents up to date (call with the index lock held).

        Cheap when nothing changed: one read of the store's change counter, so
        an annotation made by another process is searchable here too."""
        version = str(self.store.annotations_version())
        if not force and self.store.get_meta(_ANN_INDEXED) == version:
            return 0
        current = self.store.annotations()
        gone = self._index.annotation_ids() - {a.id for a in current}
        changed = self._index.update_annotations(current, gone, get_article=self.article)
        self.store.set_meta(_ANN_INDEXED, version)
        return changed

    def update_index(self, progress: Progress | None = None) -> str | None:
        """Bring the search index up to date with the store."""
        with self._index_lock:
            notice = self._open_index()
            hashes = self.store.content_hashes()
            stale = [i for i, (content, indexed) in hashes.items() if content != indexed]
            removed = self._index.article_ids() - set(hashes)
            if not stale and not removed:
                self._sync_annotations()
                return notice
            articles = (a for a in (self.article(i) for i in stale) if a is not None)

            def report(done: int, total: int) -> None:
                if progress:
                    progress(done, total, "index")

            from .search import IndexBusy

            try:
                self._index.update(articles, removed, progress=report)
            except IndexBusy as exc:
                raise BriefingError(str(exc)) from None
            self.store.mark_indexed([(i, hashes[i][0]) for i in stale])
            self._sync_annotations(force=True)  # offsets may have moved with the text
            return notice

    def refresh(self, progress: Progress | None = None) -> RefreshReport:
        report = self.read_changes(progress)
        report.notice = self.update_index(progress)
        return report

    def search(self, query: str, limit: int = 30, snippets: bool = True) -> SearchResult:
        with self._index_lock:
            self._open_index()
            self._sync_annotations()
        return self._index.search(query, limit=limit, get_article=self.article, snippets=snippets)

    def suggest(self, query: str) -> str | None:
        with self._index_lock:
            self._open_index()
        return self._index.suggest(query)

    def related(self, article_id: str, section_id: str | None = None, limit: int = 5) -> list[Hit]:
        """Sections of other articles most like this section (None: the whole article)."""
        with self._index_lock:
            self._open_index()
        try:
            return self._index.related(article_id, section_id, self.article, limit=limit)
        except KeyError as exc:
            raise BriefingError(exc.args[0]) from None

    def match_ranges(self, query: str, article_id: str) -> list[tuple[int, int]]:
        """Every match of the query in the article's text, for lighting them all."""
        article = self.article(article_id)
        if article is None:
            return []
        with self._index_lock:
            self._open_index()
        return self._index.match_ranges(query, article)

    def index_annotations(self) -> int:
        """Bring the annotations in the search index up to date with the store."""
        with self._index_lock:
            self._open_index()
            return self._sync_annotations(force=True)

    # -- reading state --------------------------------------------------------

    def get_state(self, key: str, default: Any = None) -> Any:
        return self.store.get_state(key, default)

    def set_state(self, key: str, value: Any) -> None:
        self.store.set_state(key, value)

    def close(self) -> None:
        with self._index_lock:
            if self._index is not None:
                self._index.close()
                self._index = None
        self.store.close()

    def __enter__(self) -> "Briefing":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


_UNREADABLE = -1  # size and mtime of a source row for a file that cannot be stat'ed or read
_ANN_INDEXED = "annotations_indexed_version"  # store meta: the change count the index holds
_KEEP: Any = object()  # batch marker: source row touched, article unchanged
