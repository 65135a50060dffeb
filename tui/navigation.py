"""Headless helpers of the app shell: match lists, literal find and the
back/forward history of places. No Textual import here, so these rules can be
tested (and later moved into ``index/``) without a terminal.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from dataclasses import dataclass

from index.model import SearchResult

Range = tuple[int, int]


def merge_ranges(ranges: list[Range]) -> list[Range]:
    """Sorted, non-overlapping ranges; overlapping or touching ones are joined."""
    merged: list[Range] = []
    for start, end in sorted(r for r in ranges if r[1] > r[0]):
        if merged and start <= merged[-1][1]:
            if end > merged[-1][1]:
                merged[-1] = (merged[-1][0], end)
        else:
            merged.append((start, end))
    return merged


def find_literal(text: str, needle: str, *, case_sensitive: bool = False) -> list[Range]:
    """Every occurrence of ``needle`` in ``text`` (non-overlapping, in order)."""
    if not needle:
        return []
    haystack, wanted = (text, needle) if case_sensitive else (text.casefold(), needle.casefold())
    if len(haystack) != len(text) or len(wanted) != len(needle):
        # casefold changed lengths ("ß" → "ss"): fall back to a regex so offsets stay true.
        flags = 0 if case_sensitive else re.IGNORECASE
        return [m.span() for m in re.finditer(re.escape(needle), text, flags) if m.end() > m.start()]
    found: list[Range] = []
    start = haystack.find(wanted)
    while start >= 0:
        found.append((start, start + len(wanted)))
        start = haystack.find(wanted, start + len(wanted))
    return found


def term_matches(text: str, terms: list[str]) -> list[Range]:
    """Whole-word, case-insensitive occurrences of the surface ``terms``."""
    words = sorted({t for t in terms if t and t.strip()}, key=len, reverse=True)
    if not words:
        return []
    pattern = re.compile(
        r"(?<!\w)(?:" + "|".join(re.escape(w) for w in words) + r")(?!\w)", re.IGNORECASE
    )
    return [m.span() for m in pattern.finditer(text)]


def article_matches(result: SearchResult | None, article_id: str, text: str) -> list[Range]:
    """Every match of a search in one article: the hit offsets the index gave
    for that article's sections plus the query's surface terms found anywhere in
    the text (so sections beyond the hit limit are lit as well)."""
    if result is None:
        return []
    ranges: list[Range] = []
    for hit in result.hits:
        if hit.article_id == article_id:
            ranges.extend((int(s), int(e)) for s, e in hit.offsets)
    ranges.extend(term_matches(text, list(result.terms or [])))
    size = len(text)
    return merge_ranges([(max(0, s), min(size, e)) for s, e in ranges])


def match_at_or_after(ranges: list[Range], offset: int) -> int | None:
    """Index of the first range starting at or after ``offset`` (wrapping to 0)."""
    if not ranges:
        return None
    i = bisect_left([s for s, _ in ranges], offset)
    return i if i < len(ranges) else 0


def match_containing(ranges: list[Range], start: int, end: int) -> int | None:
    """Index of the first range that overlaps ``[start, end)``."""
    starts = [s for s, _ in ranges]
    i = max(0, bisect_right(starts, start) - 1)
    while i < len(ranges) and ranges[i][0] < max(end, start + 1):
        if ranges[i][1] > start:
            return i
        i += 1
    return None


@dataclass(frozen=True, slots=True)
class Place:
    article_id: str
    offset: int


class PlaceHistory:
    """Back/forward stacks of places, like a browser's."""

    def __init__(self, limit: int = 100) -> None:
        self.limit = limit
        self._back: list[Place] = []
        self._forward: list[Place] = []

    @property
    def can_go_back(self) -> bool:
        return bool(self._back)

    @property
    def can_go_forward(self) -> bool:
        return bool(self._forward)

    def visit(self, leaving: Place | None) -> None:
        """Called before a jump: remember where we were; forget the forward stack."""
        if leaving is not None and (not self._back or self._back[-1] != leaving):
            self._back.append(leaving)
            del self._back[: -self.limit]
        self._forward.clear()

    def back(self, current: Place | None) -> Place | None:
        if not self._back:
            return None
        target = self._back.pop()
        if current is not None:
            self._forward.append(current)
        return target

    def forward(self, current: Place | None) -> Place | None:
        if not self._forward:
            return None
        target = self._forward.pop()
        if current is not None:
            self._back.append(current)
        return target


# -- annotations pane -------------------------------------------------------------


def parse_note_filter(query: str) -> tuple[list[str], list[str]]:
    """``"#trade export"`` → (tags, words): tags start with '#', words are the rest,
    all case-folded."""
    tags: list[str] = []
    words: list[str] = []
    for part in query.split():
        if part.startswith("#"):
            tag = part.lstrip("#").casefold()
            if tag:
                tags.append(tag)
        else:
            words.append(part.casefold())
    return tags, words


def filter_annotations(anns: list, query: str) -> list:
    """Annotations whose tags start with every ``#tag`` of the query and whose
    quote, note or tags hold every other word."""
    tags, words = parse_note_filter(query)
    if not tags and not words:
        return list(anns)
    kept = []
    for ann in anns:
        ann_tags = [t.casefold() for t in ann.tags]
        if not all(any(t.startswith(tag) for t in ann_tags) for tag in tags):
            continue
        haystack = "\n".join([ann.quote, ann.note, " ".join(ann.tags)]).casefold()
        if all(word in haystack for word in words):
            kept.append(ann)
    return kept


UNANCHORED = "Unanchored"


def annotation_groups(
    anns: list, article_order: list[str], titles: dict[str, str], *, single_article: bool
) -> list[tuple[str | None, list]]:
    """(heading, annotations) groups for the pane, each in document order.

    One article: a group without a heading. The whole briefing: one group per
    article in library order. Annotations that lost their passage come last,
    under "Unanchored".
    """
    anchored = [a for a in anns if a.state != "orphaned"]
    orphans = sorted((a for a in anns if a.state == "orphaned"), key=lambda a: (a.article_id, a.created))
    groups: list[tuple[str | None, list]] = []
    if single_article:
        if anchored:
            groups.append((None, sorted(anchored, key=lambda a: (a.start, a.created))))
    else:
        by_article: dict[str, list] = {}
        for ann in anchored:
            by_article.setdefault(ann.article_id, []).append(ann)
        rank = {article_id: n for n, article_id in enumerate(article_order)}
        for article_id in sorted(by_article, key=lambda i: (rank.get(i, len(rank)), i)):
            items = sorted(by_article[article_id], key=lambda a: (a.start, a.created))
            groups.append((titles.get(article_id) or article_id, items))
    if orphans:
        groups.append((UNANCHORED, orphans))
    return groups


def excerpt(text: str, limit: int = 160) -> str:
    """One line of at most ``limit`` characters (white space runs folded)."""
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1].rstrip() + "…"


def first_line(text: str) -> str:
    for line in text.splitlines():
        if line.strip():
            return line.strip()
    return ""


# -- library order ----------------------------------------------------------------

LIBRARY_SORTS = ("source", "title", "date")
SORT_LABELS = {"title": "by title", "date": "newest first", "source": "by source"}


def _clean(value) -> str:
    return " ".join(str(value).split()) if value is not None else ""


def article_site(metadata: dict) -> str:
    """The site an article comes from: its ``site``, else its URL's host, else ""."""
    site = _clean(metadata.get("site"))
    if site:
        return site
    url = _clean(metadata.get("url"))
    m = re.match(r"^[a-z][a-z0-9+.-]*://(?:[^/@]*@)?([^/:?#]+)", url, re.IGNORECASE)
    return m.group(1).lower().removeprefix("www.") if m else ""


def article_source(metadata: dict) -> str:
    """Where an article comes from: its site, else its first author, else ""."""
    site = article_site(metadata)
    if site:
        return site
    authors = metadata.get("authors") or metadata.get("author")
    if isinstance(authors, (list, tuple)):
        authors = next((a for a in authors if _clean(a)), "")
    return _clean(authors)


def article_date(metadata: dict) -> str:
    """The ISO date (yyyy-mm-dd, or a prefix of it) or ""."""
    date = _clean(metadata.get("date"))
    m = re.match(r"\d{4}(?:-\d{2}){0,2}", date)
    return m.group(0) if m else ""


def sort_articles(infos: list, mode: str) -> list:
    """Library order: ``title`` (A to Z), ``date`` (newest first, undated last,
    then by title) or ``source`` (by site, else by path)."""

    def title_key(info) -> tuple[str, str]:
        return ((info.title or info.id).casefold(), info.id)

    if mode == "date":
        dated = sorted((i for i in infos if article_date(i.metadata)), key=title_key)
        dated.sort(key=lambda i: article_date(i.metadata), reverse=True)  # stable: ties stay by title
        return dated + sorted((i for i in infos if not article_date(i.metadata)), key=title_key)
    if mode == "source":
        def source_key(info) -> tuple:
            site = article_site(info.metadata).casefold()
            return (0, site, *title_key(info)) if site else (1, info.path.casefold(), info.id)

        return sorted(infos, key=source_key)
    return sorted(infos, key=title_key)


def next_sort(mode: str) -> str:
    i = LIBRARY_SORTS.index(mode) if mode in LIBRARY_SORTS else -1
    return LIBRARY_SORTS[(i + 1) % len(LIBRARY_SORTS)]
