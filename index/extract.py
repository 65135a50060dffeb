"""Main-content extraction for saved web pages, built on trafilatura.

:func:`extract_html` asks trafilatura for the page's main content as XML
(headings, lists, quotes, tables and code kept; comments, links and images
left out) and walks that XML into blocks of an :class:`~index.model.Article`:

* ``<head rend="hN">`` becomes a heading of level N;
* ``<p>`` a paragraph (a quote inside ``<quote>``, a list item inside ``<item>``);
* each ``<item>`` of a ``<list>`` a list item, its level the nesting depth;
* ``<quote>`` quotes, ``<code>`` code (line breaks kept);
* a data ``<table>`` one table block, one line per ``<row>``, cells joined by
  `` | ``; a layout table (cells holding headings, lists or several
  paragraphs, or a single column) is read cell by cell as ordinary content;
* ``<graphic>`` a caption from its title or alt text (only present when
  images are asked for).

Page metadata (title, author, date, site name, canonical URL, description)
comes from trafilatura's metadata extraction (meta tags, JSON-LD, ...). The
article title is the page title; a heading at the top of the content that only
repeats it is dropped, since the title is not part of the text.

trafilatura is imported inside :func:`extract_html`, so importing this module
(and starting the CLI) stays cheap. Extraction never raises: a page without
main content, or one trafilatura cannot read, gives ``None`` and the caller
falls back to a simpler reader.
"""

from __future__ import annotations

import logging
import re
from collections import Counter
from datetime import date
from typing import Any

from .model import Article, ArticleBuilder
from .normalize import clean_inline

# Options handed to trafilatura for every page, chosen with eval/extraction.py
# (40 news pages, shingle F1):
# * formatting off: emphasis is not kept anyway, and with it on trafilatura's XML
#   drops the space between adjacent emphasised words ("The</hi><hi>Hollywood").
# * balanced focus: favor_precision scored 0.966 against 0.963 but dropped real
#   article sentences; favor_recall 0.962.
# * no deduplicate: its cache lives across calls, so a page read twice (or two
#   pages sharing paragraphs) would lose text; it also scored lower (0.950).
# * no images: alt texts are rarely article text (0.955 with them).
EXTRACT_OPTIONS: dict[str, Any] = {
    "include_comments": False,
    "include_tables": True,
    "include_formatting": False,
    "include_links": False,
    "include_images": False,
    "favor_recall": False,
    "favor_precision": False,
    "deduplicate": False,
}

# Loggers of trafilatura and the libraries it drives: their messages are
# about the page, not for the terminal the reader runs in.
_QUIET_LOGGERS = ("trafilatura", "htmldate", "courlan", "justext", "readability")

# Elements of trafilatura's XML that start a block of their own; anything else
# (hi, lb, del, ref, ...) is inline text of the block around it.
_BLOCK_TAGS = frozenset(
    {"doc", "main", "div", "head", "p", "list", "item", "quote", "code", "table", "row", "cell", "graphic", "comments"}
)
# Inside a table cell, these mean the table lays out a page rather than holding data.
_LAYOUT_SIGNS = frozenset({"head", "list", "quote", "code", "table"})
_HEADING_REND = re.compile(r"^h([1-6])$")
_WORD = re.compile(r"\w+")
# Share of the extracted words that may be link text before the page counts as
# a list of links rather than an article.
LINK_TEXT_LIMIT = 0.8

Pending = tuple[str, str, int]  # (kind, raw text, level)


def extract_html(raw: str, article_id: str, metadata: dict) -> Article | None:
    """The main content of an HTML page as an Article, or ``None`` if there is none.

    ``metadata`` (for instance the source format) is kept; keys found on the
    page (``title``, ``author``, ``date``, ``site``, ``url``, ``description``)
    are added where the caller did not set them.
    """
    try:
        return _extract(raw, article_id, metadata)
    except Exception:  # broken markup, parser limits, recursion: the caller falls back
        return None


def _extract(raw: str, article_id: str, metadata: dict) -> Article | None:
    if not isinstance(raw, str) or not raw.strip():
        return None
    from trafilatura import load_html

    tree = load_html(raw)
    if tree is None:
        return None
    root = extract_xml(tree)
    if root is None:
        return None
    main = root.find("main")
    if main is None:
        return None

    page_meta = _page_metadata(root)
    title = page_meta.get("title", "")
    blocks = _Walker().walk(main)
    blocks = [b for b in blocks if clean_inline(b[1])]
    if not blocks:
        return None
    if not title:
        # No title in the page's metadata: a leading top-level heading is the title.
        first = blocks[0]
        if first[0] == "heading" and first[2] <= 1:
            title = clean_inline(first[1])
            page_meta["title"] = title
    blocks = _drop_repeated_title(blocks, title)
    if not blocks:
        return None

    meta: dict[str, Any] = dict(metadata or {})
    for key, value in page_meta.items():
        meta.setdefault(key, value)
    builder = ArticleBuilder(article_id, title=title, metadata=meta)
    for kind, text, level in blocks:
        builder.add(kind, text, level)
    article = builder.build()
    if not article.text or _mostly_link_text(tree, article.text):
        return None
    return article


def extract_xml(raw, **overrides: Any):
    """trafilatura's XML for ``raw`` (a string or a parsed lxml.html tree, which is
    left untouched) as an lxml element (``<doc>``), or ``None``.

    Uses :data:`EXTRACT_OPTIONS` updated with ``overrides``. Exposed for the
    extraction evaluation and tests; raises nothing but what lxml or
    trafilatura raise on input they cannot handle.
    """
    import trafilatura
    from lxml import etree

    _quiet()
    options = {**EXTRACT_OPTIONS, **overrides}
    xml = trafilatura.extract(raw, output_format="xml", with_metadata=True, **options)
    if not xml:
        return None
    parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=True, recover=True)
    return etree.fromstring(xml.encode("utf-8"), parser)


def extract_plain(raw: str, **overrides: Any) -> str:
    """trafilatura's plain-text output for ``raw`` with the same options ("" if none)."""
    import trafilatura

    _quiet()
    options = {**EXTRACT_OPTIONS, **overrides, "include_formatting": False}
    return trafilatura.extract(raw, output_format="txt", **options) or ""


def _quiet() -> None:
    """Keep these libraries' warnings off stderr when the program configured no logging
    (Python would otherwise print them through its last-resort handler, over the TUI)."""
    for name in _QUIET_LOGGERS:
        logger = logging.getLogger(name)
        if not any(isinstance(h, logging.NullHandler) for h in logger.handlers):
            logger.addHandler(logging.NullHandler())


def _mostly_link_text(tree, text: str) -> bool:
    """Whether the extracted words are, for the most part, the page's link texts:
    an index page of links that the extractor dumped whole, not an article.

    Words are compared as multisets, so common words count only as often as
    they occur inside links. On the 40 news pages of the extraction eval the
    share is at most 0.53; a page of headlines linking to stories gives 1.0.
    """
    words = Counter(_WORD.findall(text.casefold()))
    total = sum(words.values())
    if not total:
        return True
    linked: Counter = Counter()
    for anchor in tree.iter("a"):
        linked.update(_WORD.findall(anchor.text_content().casefold()))
    return sum((words & linked).values()) >= LINK_TEXT_LIMIT * total


# ---------------------------------------------------------------------------
# Metadata


def _page_metadata(root) -> dict[str, Any]:
    found: dict[str, Any] = {}
    title = clean_inline(root.get("title") or "")
    if title:
        found["title"] = title
    author = clean_inline(root.get("author") or "")
    if author:
        found["author"] = author
    when = (root.get("date") or "").strip()
    if when:
        try:
            found["date"] = date.fromisoformat(when[:10]).isoformat()
        except ValueError:
            pass
    site = clean_inline(root.get("sitename") or root.get("hostname") or "")
    if site:
        found["site"] = site
    url = (root.get("url") or "").strip()
    if re.match(r"^https?://\S+$", url):
        found["url"] = url
    description = clean_inline(root.get("description") or "")
    if description:
        found["description"] = description
    return found


# ---------------------------------------------------------------------------
# XML walk


def _inline_text(elem, code: bool = False) -> str:
    """All text of ``elem`` and its descendants (not its tail), ``<lb/>`` as a break."""
    parts: list[str] = []

    def visit(e) -> None:
        tag = e.tag if isinstance(e.tag, str) else ""
        if tag == "lb":
            parts.append("\n" if code else " ")
        elif tag == "graphic":
            pass
        else:
            if e.text:
                parts.append(e.text)
            for child in e:
                visit(child)
                if child.tail:
                    parts.append(child.tail)
        if tag in _BLOCK_TAGS and not code:
            parts.append(" ")

    if elem.text:
        parts.append(elem.text)
    for child in elem:
        visit(child)
        if child.tail:
            parts.append(child.tail)
    return "".join(parts)


def _tag(elem) -> str:
    return elem.tag if isinstance(elem.tag, str) else ""


class _Walker:
    """Turns trafilatura's ``<main>`` element into pending blocks."""

    def __init__(self) -> None:
        self.out: list[Pending] = []

    def walk(self, main) -> list[Pending]:
        self._container(main, "paragraph", 0)
        return self.out

    def _emit(self, kind: str, text: str, level: int = 0) -> None:
        if text and text.strip():
            self.out.append((kind, text, level))

    def _container(self, elem, kind: str, level: int) -> None:
        """Loose text of ``elem`` becomes ``kind`` blocks; block children their own."""
        buf: list[str] = [elem.text or ""]
        for child in elem:
            if _tag(child) in _BLOCK_TAGS:
                self._emit(kind, "".join(buf), level)
                buf = []
                self._block(child, kind, level)
            elif _tag(child) == "lb":
                buf.append(" ")
            else:
                buf.append(_inline_text(child))
            buf.append(child.tail or "")
        self._emit(kind, "".join(buf), level)

    def _block(self, elem, kind: str, level: int) -> None:
        tag = _tag(elem)
        if tag == "head":
            match = _HEADING_REND.match(elem.get("rend") or "")
            self._emit("heading", _inline_text(elem), int(match.group(1)) if match else 3)
        elif tag == "p":
            self._container(elem, kind, level)
        elif tag == "quote":
            self._container(elem, "quote", 0)
        elif tag == "list":
            depth = level + 1 if kind == "list_item" else 0
            self._container(elem, "list_item", depth)
        elif tag == "item":
            self._container(elem, "list_item", level if kind == "list_item" else 0)
        elif tag == "code":
            self._emit("code", _inline_text(elem, code=True))
        elif tag == "table":
            self._table(elem)
        elif tag == "graphic":
            self._emit("caption", elem.get("title") or elem.get("alt") or "")
        elif tag == "comments":
            return
        else:  # doc, main, div, row or cell out of a table
            self._container(elem, kind if kind != "list_item" else "paragraph", 0)

    def _table(self, table) -> None:
        rows = [r for r in table if _tag(r) == "row"]
        cells = [[c for c in row if _tag(c) == "cell"] for row in rows]
        if _is_layout(table, cells):
            self._container(table, "paragraph", 0)
            return
        lines: list[str] = []
        loose = clean_inline(table.text or "")
        if loose:
            lines.append(loose)
        for row, row_cells in zip(rows, cells):
            texts = [clean_inline(_inline_text(c)) for c in row_cells]
            while texts and not texts[-1]:
                texts.pop()
            if not texts:
                texts = [clean_inline(_inline_text(row))]
            line = " | ".join(texts).strip()
            if line:
                lines.append(line)
            tail = clean_inline(row.tail or "")
            if tail:
                lines.append(tail)
        # Anything else trafilatura left directly in the table (rare) is kept as text.
        for child in table:
            if _tag(child) != "row":
                text = clean_inline(_inline_text(child) + " " + (child.tail or ""))
                if text:
                    lines.append(text)
        self._emit("table", "\n".join(lines))


def _is_layout(table, cells: list[list]) -> bool:
    """A table that lays out the page rather than holding data."""
    if not cells:
        return True
    for row in cells:
        for cell in row:
            paragraphs = 0
            for sub in cell.iter():
                tag = _tag(sub)
                if tag in _LAYOUT_SIGNS and sub is not cell:
                    return True
                if tag == "p":
                    paragraphs += 1
            if paragraphs > 1:
                return True
    # A single column of text is a column of paragraphs, not a table.
    return all(sum(1 for c in row if clean_inline(_inline_text(c))) <= 1 for row in cells)


def _drop_repeated_title(blocks: list[Pending], title: str) -> list[Pending]:
    """Drop a heading near the top that only repeats the article title."""
    if not title:
        return blocks
    key = _title_key(title)
    for i, (kind, text, _level) in enumerate(blocks[:3]):
        if kind == "heading" and _title_key(text) == key:
            return blocks[:i] + blocks[i + 1 :]
        if kind == "paragraph" and len(clean_inline(text)) > 200:
            break  # the body has started
    return blocks


def _title_key(text: str) -> str:
    return re.sub(r"\W+", " ", clean_inline(text).casefold()).strip()
