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
