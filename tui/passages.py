"""Passages of an article for the reading cursor and keyboard selection:
sentences, words and paragraphs as sorted ``[start, end)`` ranges, and the
rule that grows a selection by one of them. Pure code, no Textual.

A paragraph is one block of the article. Sentences never cross a block; in
tables and code every line counts as a sentence.
"""

from __future__ import annotations

import re
from array import array
from bisect import bisect_left, bisect_right
from typing import Iterable

from index.model import Article

# A sentence ends at . ! ? or … (with closing quotes/brackets) followed by space.
_END = re.compile(r"[.!?…]+[\"'”’)\]]*(?=\s)")
_SPACE = re.compile(r"\s+")
_WORD = re.compile(r"\S+")
_INITIALS = re.compile(r"(?:[A-Za-z]\.)+$")
ABBREVIATIONS = frozenset(
    """mr mrs ms dr prof sr jr st sen rep reps gov gen col lt capt pres vs etc inc co corp ltd
    jan feb mar apr jun jul aug sep sept oct nov dec al approx est dept univ""".split()
)
# Abbreviations only when a number follows ("No. 5", "p. 12", "Sec. 3").
NUMBER_ABBREVIATIONS = frozenset("no nos sec secs fig figs vol vols pp p art arts ch".split())


def _is_abbreviation(text: str, word_start: int, dot: int, following: str) -> bool:
    word = text[word_start : dot + 1]
    if _INITIALS.match(word):  # U.S. e.g. i.e. P.
        return True
    bare = word[:-1].lower().lstrip("(\"'“‘")
    return bare in ABBREVIATIONS or (bare in NUMBER_ABBREVIATIONS and following[:1].isdigit())


def split_sentences(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """Sentences of ``text[start:end]`` (one block of prose), as ranges
    without the spaces between them."""
    out: list[tuple[int, int]] = []
    pos = start
    while pos < end and text[pos].isspace():
        pos += 1
    sentence_start = pos
    for m in _END.finditer(text, pos, end):
        cut = m.end()
        space = _SPACE.match(text, cut, end)
        nxt = space.end() if space else cut
        if nxt >= end:
            break
        if m.group() == ".":
            word_start = max(text.rfind(" ", sentence_start, m.start()) + 1, sentence_start)
            if _is_abbreviation(text, word_start, m.start(), text[nxt : nxt + 1]):
                continue
        if text[nxt].islower():  # "approx. five", "p. m." ...: not a new sentence
            continue
        out.append((sentence_start, cut))
        sentence_start = nxt
    stop = end
    while stop > sentence_start and text[stop - 1].isspace():
        stop -= 1
    if stop > sentence_start:
        out.append((sentence_start, stop))
    return out


def block_sentences(text: str, kind: str, start: int, end: int) -> list[tuple[int, int]]:
    """Sentences of one block: every line of a table or code block, a heading
    or caption whole, prose split at sentence ends."""
    if kind in ("table", "code"):
        found: list[tuple[int, int]] = []
        pos = start
        for line in text[start:end].split("\n"):
            if line.strip():
                lead = len(line) - len(line.lstrip())
                found.append((pos + lead, pos + len(line.rstrip())))
            pos += len(line) + 1
        return found
    if kind in ("heading", "caption"):
        return [(start, end)] if end > start else []
    return split_sentences(text, start, end)


def article_sentences(article: Article) -> list[tuple[int, int]]:
    text = article.text
    found: list[tuple[int, int]] = []
    for block in article.blocks:
        found.extend(block_sentences(text, block.kind, block.start, block.end))
    return found


def block_words(text: str, kind: str, start: int, end: int) -> list[tuple[int, int]]:
    return [m.span() for m in _WORD.finditer(text, start, end)]


class Spans:
    """Sorted, non-overlapping ranges with bisect look-ups."""

    __slots__ = ("starts", "ends")

    def __init__(self, ranges: Iterable[tuple[int, int]]) -> None:
        self.starts = array("i")
        self.ends = array("i")
        for s, e in ranges:
            if e > s:
                self.starts.append(s)
                self.ends.append(e)

    def __len__(self) -> int:
        return len(self.starts)

    def __getitem__(self, i: int) -> tuple[int, int]:
        return self.starts[i], self.ends[i]

    def index_at(self, pos: int) -> int | None:
        """The range holding ``pos``, else the next one, else the last one."""
        n = len(self.starts)
        if not n:
            return None
        i = bisect_right(self.starts, pos) - 1
        if i >= 0 and pos < self.ends[i]:
            return i
        return min(i + 1, n - 1)

    def range_at(self, pos: int) -> tuple[int, int] | None:
        i = self.index_at(pos)
        return None if i is None else self[i]

    def next_start(self, pos: int) -> int | None:
        i = bisect_right(self.starts, pos)
        return self.starts[i] if i < len(self.starts) else None

    def next_end(self, pos: int) -> int | None:
        i = bisect_right(self.ends, pos)
        return self.ends[i] if i < len(self.ends) else None

    def prev_start(self, pos: int) -> int | None:
        i = bisect_left(self.starts, pos) - 1
        return self.starts[i] if i >= 0 else None

    def prev_end(self, pos: int) -> int | None:
        i = bisect_left(self.ends, pos) - 1
        return self.ends[i] if i >= 0 else None


class BlockSpans:
    """Units (sentences, words) found block by block, each block only when a
    look-up reaches it: on a long article a cursor move splits the block under
    the cursor (and perhaps a neighbour), not the whole text.

    Answers like :class:`Spans` over all the blocks' units (which never cross
    a block and come in order)."""

    def __init__(self, article: Article, split) -> None:
        self.text = article.text
        self.blocks = [(b.kind, b.start, b.end) for b in article.blocks]
        self.block_starts = [b.start for b in article.blocks]
        self._split = split
        self._cache: dict[int, Spans] = {}

    @property
    def blocks_split(self) -> int:
        """How many blocks have been split so far."""
        return len(self._cache)

    def _units(self, i: int) -> Spans:
        spans = self._cache.get(i)
        if spans is None:
            kind, start, end = self.blocks[i]
            spans = self._cache[i] = Spans(self._split(self.text, kind, start, end))
        return spans

    def _block_at(self, pos: int) -> int:
        """The block holding (or last starting before) ``pos``; 0 before the first."""
        return max(0, bisect_right(self.block_starts, pos) - 1)

    def next_start(self, pos: int) -> int | None:
        for i in range(self._block_at(pos), len(self.blocks)):
            found = self._units(i).next_start(pos)
            if found is not None:
                return found
        return None

    def next_end(self, pos: int) -> int | None:
        for i in range(self._block_at(pos), len(self.blocks)):
            found = self._units(i).next_end(pos)
            if found is not None:
                return found
        return None

    def prev_start(self, pos: int) -> int | None:
        for i in range(min(self._block_at(pos), len(self.blocks) - 1), -1, -1):
            found = self._units(i).prev_start(pos)
            if found is not None:
                return found
        return None

    def prev_end(self, pos: int) -> int | None:
        for i in range(min(self._block_at(pos), len(self.blocks) - 1), -1, -1):
            found = self._units(i).prev_end(pos)
            if found is not None:
                return found
        return None

    def range_at(self, pos: int) -> tuple[int, int] | None:
        """The unit holding ``pos``, else the next one, else the last one."""
        if not self.blocks:
            return None
        i = self._block_at(pos)
        units = self._units(i)
        if len(units):
            j = bisect_right(units.starts, pos) - 1
            if j >= 0 and pos < units.ends[j]:
                return units[j]
        start = self.next_start(pos)
        if start is not None:
            return self.range_at(start)
        end = self.prev_end(pos + 1)
        if end is None:
            return None
        start = self.prev_start(end)
        return None if start is None else self.range_at(start)


class Passages:
    """Sentences, words and paragraphs of one article, computed when first asked
    for (sentences and words block by block)."""

    def __init__(self, article: Article) -> None:
        self.article = article
        self._units: dict[str, Spans | BlockSpans] = {}

    def spans(self, unit: str) -> "Spans | BlockSpans":
        spans = self._units.get(unit)
        if spans is None:
            article = self.article
            if unit == "sentence":
                spans = BlockSpans(article, block_sentences)
            elif unit == "word":
                spans = BlockSpans(article, block_words)
            elif unit == "paragraph":
                spans = Spans((b.start, b.end) for b in article.blocks)
            else:
                raise ValueError(f"unknown unit {unit!r}")
            self._units[unit] = spans
        return spans

    def unit_at(self, unit: str, pos: int) -> tuple[int, int] | None:
        return self.spans(unit).range_at(pos)

    def step(self, unit: str, pos: int, forward: bool) -> tuple[int, int] | None:
        """The unit after (or before) the one starting at or holding ``pos``."""
        spans = self.spans(unit)
        start = spans.next_start(pos) if forward else spans.prev_start(pos)
        if start is None:
            return None
        return spans.range_at(start)


def extend_head(spans: "Spans | BlockSpans", anchor: tuple[int, int], head: int, forward: bool) -> int | None:
    """Move the free end (``head``) of a selection by one unit.

    The selection is ``(min(anchor[0], head), max(anchor[1], head))``: the
    anchor (the passage the selection started from) always stays selected.
    Forward from the right of the anchor grows to the next unit's end; forward
    from the left of it shrinks from the left. Backward is the mirror image.
    None when there is nowhere to go.
    """
    a0, a1 = anchor
    if forward:
        if head < a0:
            s = spans.next_start(head)
            return a1 if s is None or s >= a0 else s
        return spans.next_end(max(head, a1))
    if head > a1:
        e = spans.prev_end(head)
        return a0 if e is None or e <= a1 else e
    return spans.prev_start(min(head, a0))


def selection_of(anchor: tuple[int, int], head: int) -> tuple[int, int]:
    return min(anchor[0], head), max(anchor[1], head)
