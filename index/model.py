"""The document model: an article is one normalized text plus blocks and
sections that point into it by character offsets.

Offsets are the common currency of the product: search hits, annotations and
the reader's screen cells all map to ``[start, end)`` ranges of
:attr:`Article.text`.

Layout of ``Article.text``: blocks in document order, separated by one blank
line (``"\\n\\n"``). A block's own text never contains a blank line; only
tables and code keep single line breaks. The article title is *not* part of the
text (it is :attr:`Article.title`); a heading block starts each section.
"""

from __future__ import annotations

import hashlib
from dataclasses import asdict, dataclass, field
from typing import Any, Iterator

from .normalize import clean_inline, clean_multiline

BLOCK_KINDS = ("heading", "paragraph", "quote", "list_item", "table", "caption", "code")
BLOCK_SEPARATOR = "\n\n"


@dataclass(frozen=True, slots=True)
class Block:
    kind: str  # one of BLOCK_KINDS
    start: int
    end: int
    level: int = 0  # heading level (1-6), list nesting depth (0-based), else 0


@dataclass(frozen=True, slots=True)
class Section:
    id: str  # stable within the article: "s0", "s1", ...
    title: str
    level: int
    start: int  # offset of the heading block (or of the first block)
    end: int  # offset just past the section's last block


@dataclass(slots=True)
class Article:
    id: str
    title: str
    text: str
    blocks: list[Block]
    sections: list[Section]
    metadata: dict[str, Any] = field(default_factory=dict)
    content_hash: str = ""
    warnings: list[str] = field(default_factory=list)

    def block_text(self, block: Block) -> str:
        return self.text[block.start : block.end]

    def section_text(self, section: Section) -> str:
        return self.text[section.start : section.end]

    def section_at(self, offset: int) -> Section | None:
        """The section that holds ``offset`` (the last one starting at or before it)."""
        found = None
        for section in self.sections:
            if section.start <= offset:
                found = section
            else:
                break
        return found or (self.sections[0] if self.sections else None)

    def section_by_id(self, section_id: str) -> Section | None:
        for section in self.sections:
            if section.id == section_id:
                return section
        return None

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "title": self.title,
            "metadata": self.metadata,
            "text": self.text,
            "content_hash": self.content_hash,
            "sections": [asdict(s) for s in self.sections],
            "blocks": [asdict(b) for b in self.blocks],
            "warnings": list(self.warnings),
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "Article":
        return cls(
            id=data["id"],
            title=data["title"],
            text=data["text"],
            blocks=[Block(**b) for b in data["blocks"]],
            sections=[Section(**s) for s in data["sections"]],
            metadata=dict(data.get("metadata") or {}),
            content_hash=data.get("content_hash", ""),
            warnings=list(data.get("warnings") or []),
        )


class ArticleBuilder:
    """Collects blocks in order and produces an :class:`Article` with offsets.

    Readers call :meth:`add` with raw block text; the builder normalizes it
    (inline for prose, multi-line for tables and code), drops empty blocks and
    computes every offset, so readers never do offset arithmetic themselves.
    """

    def __init__(self, article_id: str, title: str = "", metadata: dict[str, Any] | None = None):
        self.id = article_id
        self.title = title
        self.metadata: dict[str, Any] = dict(metadata or {})
        self.warnings: list[str] = []
        self._parts: list[str] = []
        self._blocks: list[Block] = []
        self._length = 0

    def add(self, kind: str, raw: str, level: int = 0) -> Block | None:
        if kind not in BLOCK_KINDS:
            raise ValueError(f"unknown block kind {kind!r}")
        if kind == "code":
            text = clean_multiline(raw, keep_spaces=True)
        elif kind == "table":
            text = clean_multiline(raw)
        else:
            text = clean_inline(raw)
        if not text:
            return None
        if self._parts:
            self._parts.append(BLOCK_SEPARATOR)
            self._length += len(BLOCK_SEPARATOR)
        start = self._length
        self._parts.append(text)
        self._length += len(text)
        block = Block(kind, start, self._length, level)
        self._blocks.append(block)
        return block

    @property
    def blocks(self) -> list[Block]:
        return self._blocks

    def text_of(self, block: Block) -> str:
        return "".join(self._parts)[block.start : block.end]

    def build(self) -> Article:
        text = "".join(self._parts)
        title = clean_inline(self.title) or _fallback_title(text) or self.id
        sections = list(_sections(text, self._blocks, title))
        digest = hashlib.sha256()
        digest.update(title.encode("utf-8", "surrogatepass"))
        digest.update(b"\x00")
        digest.update(text.encode("utf-8", "surrogatepass"))
        for b in self._blocks:
            digest.update(f"|{b.kind}:{b.start}:{b.end}:{b.level}".encode())
        return Article(
            id=self.id,
            title=title,
            text=text,
            blocks=list(self._blocks),
            sections=sections,
            metadata=self.metadata,
            content_hash=digest.hexdigest()[:32],
            warnings=list(self.warnings),
        )


def _fallback_title(text: str) -> str:
    first = text.split("\n", 1)[0]
    return first_sentence(first)


def first_sentence(text: str, limit: int = 120) -> str:
    """The first sentence of ``text``, cut at a word boundary near ``limit``."""
    text = clean_inline(text)
    for i, ch in enumerate(text):
        if ch in ".!?" and (i + 1 == len(text) or text[i + 1] == " ") and i >= 20:
            text = text[: i + 1] if ch != "." else text[:i]
            break
    if len(text) > limit:
        cut = text.rfind(" ", 0, limit)
        text = text[: cut if cut > limit // 2 else limit].rstrip(" ,;:") + "…"
    return text


def _sections(text: str, blocks: list[Block], title: str) -> Iterator[Section]:
    """Sections start at heading blocks; content before the first heading forms
    an opening section named after the article."""
    starts: list[tuple[int, str, int]] = []  # (block index, title, level)
    for i, b in enumerate(blocks):
        if b.kind == "heading":
            starts.append((i, text[b.start : b.end], b.level or 2))
    if not blocks:
        return
    if not starts or starts[0][0] != 0:
        starts.insert(0, (0, title, 1))
    for n, (i, heading, level) in enumerate(starts):
        last = (starts[n + 1][0] if n + 1 < len(starts) else len(blocks)) - 1
        yield Section(
            id=f"s{n}",
            title=heading,
            level=level,
            start=blocks[i].start,
            end=blocks[last].end,
        )


@dataclass(frozen=True, slots=True)
class Skipped:
    """A file of the briefing that could not be read, with a one-line reason."""

    path: str
    reason: str

    def __str__(self) -> str:
        return f"{self.path}: {self.reason}"


@dataclass(slots=True)
class Hit:
    """One search hit: a section of an article."""

    article_id: str
    title: str
    section_id: str
    section: str
    score: float
    snippet: str  # plain text; matched terms wrapped as [[term]] is NOT used: see snippet_spans
    snippet_spans: list[tuple[int, int]]  # ranges of `snippet` to light
    offsets: list[tuple[int, int]]  # match ranges in the article's text
    kind: str = "section"  # or "annotation"
    reason: str = ""  # why it was found, one line (related passages: "shared terms: ...")
    annotation_id: str = ""  # for kind "annotation"

    def to_json(self) -> dict[str, Any]:
        return {
            "article_id": self.article_id,
            "title": self.title,
            "section_id": self.section_id,
            "section": self.section,
            "score": round(self.score, 4),
            "snippet": self.snippet,
            "snippet_spans": [list(s) for s in self.snippet_spans],
            "offsets": [list(o) for o in self.offsets],
            "kind": self.kind,
            "reason": self.reason,
            "annotation_id": self.annotation_id,
        }


@dataclass(slots=True)
class SearchResult:
    query: str
    hits: list[Hit]
    total: int  # number of matching sections (may exceed len(hits))
    suggestion: str | None = None  # "did you mean" query, when useful
    error: str | None = None  # one-line explanation of a malformed query
    terms: list[str] = field(default_factory=list)  # surface terms to light in the article

    def to_json(self) -> dict[str, Any]:
        return {
            "query": self.query,
            "total": self.total,
            "suggestion": self.suggestion,
            "error": self.error,
            "hits": [h.to_json() for h in self.hits],
        }
