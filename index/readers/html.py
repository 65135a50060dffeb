"""Reader for HTML pages, built on the standard library's ``html.parser``.

A basic extractor (a later change may swap in a dedicated one):

* title from ``og:title``, else the first ``<h1>``, else ``<title>``;
  author, date, url, description and site name from ``<meta>`` tags (and
  ``<link rel="canonical">``, ``<time datetime>``);
* ``script``, ``style``, ``nav``, ``aside``, ``form``, ``noscript`` (and other
  non-reading elements) are dropped, and so are ``header`` and ``footer`` outside
  an ``<article>`` or ``<main>``;
* when the page marks its content with ``<article>`` or ``<main>``, only blocks
  inside it are kept;
* ``h1``-``h6`` become headings, ``p`` paragraphs, ``li`` list items (with their
  nesting depth), ``blockquote`` quotes, ``figcaption``/``caption`` captions,
  ``table`` one line per row with cells joined by `` | ``, ``pre`` code;
* a page with nothing left after that gives whatever text it has (only script
  and style are still dropped), so a page without main content, or with markup
  so broken that a dropped element never closes, still yields text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from html.parser import HTMLParser
from typing import Any

from ..model import Article, ArticleBuilder
from ..normalize import clean_inline

# Never text: their content is code, styling or widgets.
_ALWAYS_SKIP = {"script", "style", "template", "svg", "math", "iframe", "object", "canvas", "noscript", "select", "textarea", "button"}
# Page furniture around the content.
_BOILERPLATE = {"nav", "aside", "form", "dialog", "menu"}
_HEADER_FOOTER = {"header", "footer"}
_CONTENT_ROOTS = {"article", "main"}

_VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param", "source", "track", "wbr"}
_HEADINGS = {"h1": 1, "h2": 2, "h3": 3, "h4": 4, "h5": 5, "h6": 6}
_BLOCKS = {
    "p", "div", "section", "article", "main", "li", "ul", "ol", "dl", "dt", "dd", "blockquote",
    "figure", "figcaption", "caption", "pre", "table", "tr", "td", "th", "thead", "tbody", "tfoot",
    "address", "details", "summary", "center", "body", "hr", "br",
} | set(_HEADINGS) | _HEADER_FOOTER
# Closing any of these implies the ones in the value are closed (sloppy markup).
_IMPLIED_END = {"p": {"p"}, "li": {"li", "p"}, "dt": {"dt", "dd", "p"}, "dd": {"dt", "dd", "p"}, "tr": {"tr", "td", "th"}, "td": {"td", "th"}, "th": {"td", "th"}}


@dataclass
class _Block:
    kind: str
    text: str
    level: int
    in_content: bool


class _Extractor(HTMLParser):
    def __init__(self, drop_boilerplate: bool = True):
        super().__init__(convert_charrefs=True)
        self.drop_boilerplate = drop_boilerplate
        self.stack: list[str] = []
        self.skip: list[str] = []  # open elements whose content is dropped
        self.blocks: list[_Block] = []
        self.buf: list[str] = []
        self.buf_kind = "paragraph"
        self.buf_level = 0
        self.buf_content = False
        self.meta: dict[str, str] = {}
        self.title_parts: list[str] = []
        self.in_title = False
        self.first_h1: str | None = None
        self.times: list[str] = []
        self.canonical = ""
        self.saw_content_root = False
        # tables
        self.table_depth = 0
        self.rows: list[list[str]] = []
        self.cell: list[str] | None = None
        self.table_content = False

    # -- state helpers
    def _open(self, tag: str) -> bool:
        return tag in self.stack

    def _in_content(self) -> bool:
        return any(t in _CONTENT_ROOTS for t in self.stack)

    def _kind(self) -> tuple[str, int]:
        for tag in reversed(self.stack):
            if tag in _HEADINGS:
                return "heading", _HEADINGS[tag]
            if tag == "pre":
                return "code", 0
            if tag in ("figcaption", "caption"):
                return "caption", 0
            if tag == "blockquote":
                return "quote", 0
            if tag in ("li", "dd", "dt"):
                depth = sum(1 for t in self.stack if t in ("ul", "ol", "dl"))
                return "list_item", max(0, depth - 1)
        return "paragraph", 0

    def _flush(self) -> None:
        text = "".join(self.buf)
        self.buf = []
        if text.strip():
            if self.buf_kind == "heading" and self.buf_level == 1 and self.first_h1 is None:
                self.first_h1 = clean_inline(text)
            self.blocks.append(_Block(self.buf_kind, text, self.buf_level, self.buf_content))

    def _skipping(self) -> bool:
        return bool(self.skip)

    def _drops(self, tag: str, attrs: dict[str, str]) -> bool:
        if tag in _ALWAYS_SKIP:
            return True
        if "hidden" in attrs or attrs.get("aria-hidden") == "true":
            return tag not in ("html", "body", "article", "main")
        if not self.drop_boilerplate:
            return False
        if tag in _BOILERPLATE:
            return True
        role = (attrs.get("role") or "").lower()
        if role in ("navigation", "banner", "contentinfo", "complementary", "search"):
            return True
        if tag in _HEADER_FOOTER:
            return tag == "footer" or not self._in_content()
        return False

    # -- parser callbacks
    def handle_starttag(self, tag: str, attrs_list: list[tuple[str, str | None]]) -> None:
        attrs = {k.lower(): (v or "") for k, v in attrs_list}
        if tag == "meta":
            self._meta(attrs)
            return
        if tag == "link":
            if "canonical" in attrs.get("rel", "").lower().split() and attrs.get("href"):
                self.canonical = attrs["href"]
            return
        if tag == "time" and attrs.get("datetime"):
            self.times.append(attrs["datetime"])
        if tag == "title" and not self._open("body"):
            self.in_title = True
        if tag in _VOID:
            if tag == "br" and not self.skip:
                if self.cell is not None:
                    self.cell.append("\n")
                else:
                    self.buf.append("\n")
            return
        if self.skip:
            # Keep the stack of dropped elements so their end tags match.
            if tag not in _VOID:
                self.skip.append(tag)
            return
        if self._drops(tag, attrs):
            self.skip.append(tag)
            return
        implied = _IMPLIED_END.get(tag, ())
        while self.stack and self.stack[-1] in implied:
            # <p>one<p>two: the first paragraph ends where the second starts.
            self.handle_endtag(self.stack[-1])
        if tag in _CONTENT_ROOTS or (attrs.get("role") or "").lower() == "main":
            self.saw_content_root = True
            if tag not in _CONTENT_ROOTS:  # <div role="main"> counts as <main>
                self.stack.append("main")
                self._after_block_start()
                return
        if tag == "table":
            self._flush()
            self.table_depth += 1
            if self.table_depth == 1:
                self.rows = []
                self.cell = None
                self.table_content = self._in_content()
            self.stack.append(tag)
            return
        if self.table_depth == 1 and tag == "tr":
            self.rows.append([])
        elif self.table_depth == 1 and tag in ("td", "th"):
            if not self.rows:
                self.rows.append([])
            self.cell = []
            self.rows[-1].append("")
        elif self.table_depth >= 1 and self.cell is not None and tag in _BLOCKS:
            self.cell.append(" ")
        self.stack.append(tag)
        if tag in _BLOCKS and self.table_depth == 0:
            self._after_block_start()

    def _after_block_start(self) -> None:
        self._flush()
        self.buf_kind, self.buf_level = self._kind()
        self.buf_content = self._in_content()

    def handle_endtag(self, tag: str) -> None:
        if tag == "title":
            self.in_title = False
        if self.skip:
            if tag in self.skip:
                while self.skip:
                    if self.skip.pop() == tag:
                        break
            return
        if tag not in self.stack:
            if tag == "p":  # </p> without <p>: an empty paragraph break
                self._flush()
            return
        # Close everything up to the matching element (unclosed children too).
        while self.stack:
            top = self.stack.pop()
            self._closed(top)
            if top == tag:
                break

    def _closed(self, tag: str) -> None:
        if tag == "table":
            self.table_depth = max(0, self.table_depth - 1)
            if self.table_depth == 0:
                self._emit_table()
            return
        if self.table_depth >= 1:
            if tag in ("td", "th") and self.table_depth == 1 and self.cell is not None:
                self.rows[-1][-1] = "".join(self.cell)
                self.cell = None
            return
        if tag in _BLOCKS:
            self._flush()
            self.buf_kind, self.buf_level = self._kind()
            self.buf_content = self._in_content()

    def _emit_table(self) -> None:
        if self.cell is not None and self.rows:
            self.rows[-1][-1] = "".join(self.cell)
        self.cell = None
        lines = []
        for row in self.rows:
            cells = [clean_inline(c) for c in row]
            while cells and not cells[-1]:
                cells.pop()
            if any(cells):
                lines.append(" | ".join(cells))
        self.rows = []
        if lines:
            self.blocks.append(_Block("table", "\n".join(lines), 0, self.table_content))
        self.buf_kind, self.buf_level = self._kind()
        self.buf_content = self._in_content()

    def handle_data(self, data: str) -> None:
        if self.in_title:
            self.title_parts.append(data)
            return
        if self.skip or not self.stack and not data.strip():
            return
        if self.table_depth >= 1:
            if self.cell is not None:
                self.cell.append(data)
            return
        if not self.buf:
            self.buf_kind, self.buf_level = self._kind()
            self.buf_content = self._in_content()
        self.buf.append(data)

    def _meta(self, attrs: dict[str, str]) -> None:
        key = (attrs.get("property") or attrs.get("name") or attrs.get("itemprop") or "").strip().lower()
        value = attrs.get("content", "")
        if key and value.strip() and key not in self.meta:
            self.meta[key] = value.strip()

    def close(self) -> None:
        super().close()
        while self.stack:
            self._closed(self.stack.pop())
        if self.table_depth:
            self.table_depth = 0
            self._emit_table()
        self._flush()


_TITLE_KEYS = ("og:title", "twitter:title", "dc.title", "headline")
_AUTHOR_KEYS = ("author", "article:author", "dc.creator", "byl", "sailthru.author", "parsely-author", "dcterms.creator")
_DATE_KEYS = (
    "article:published_time", "datepublished", "date", "pubdate", "publishdate", "dc.date",
    "dcterms.date", "dc.date.issued", "sailthru.date", "parsely-pub-date", "og:published_time",
    "article:modified_time", "datemodified",
)
_URL_KEYS = ("og:url", "twitter:url")


def _page_metadata(ex: _Extractor, meta: dict[str, Any]) -> None:
    from .markdown import iso_date

    m = ex.meta
    for key in _AUTHOR_KEYS:
        value = m.get(key)
        if value and not re.match(r"^https?://", value):
            value = re.sub(r"^\s*by\s+", "", value, flags=re.IGNORECASE)
            authors = [clean_inline(a) for a in re.split(r"\s*(?:;|\band\b|,(?=\s*[A-Z][a-z]+\s+[A-Z]))\s*", value)]
            authors = [a for a in authors if a]
            if authors:
                meta.setdefault("authors", authors)
                break
    for value in [m.get(k) for k in _DATE_KEYS] + ex.times:
        iso = iso_date(value) if value else None
        if iso:
            meta.setdefault("date", iso)
            break
    url = ex.canonical or next((m[k] for k in _URL_KEYS if m.get(k)), "")
    if re.match(r"^https?://", url):
        meta.setdefault("url", url.strip())
    for key, target in (("og:site_name", "publisher"), ("description", "summary"), ("og:description", "summary")):
        if m.get(key):
            meta.setdefault(target, clean_inline(m[key]))


def _extract(raw: str, drop_boilerplate: bool) -> _Extractor:
    ex = _Extractor(drop_boilerplate=drop_boilerplate)
    ex.feed(raw)
    ex.close()
    return ex


def read_html(raw: str, article_id: str, metadata: dict) -> Article:
    """Read an HTML page into an Article (see the module docstring)."""
    meta: dict[str, Any] = dict(metadata or {})
    ex = _extract(raw, drop_boilerplate=True)
    blocks = ex.blocks
    if ex.saw_content_root and any(b.in_content for b in blocks):
        blocks = [b for b in blocks if b.in_content]
    if not any(b.text.strip() for b in blocks):
        # Nothing but furniture (or a dropped element never closed): take all text.
        fallback = _extract(raw, drop_boilerplate=False)
        blocks = fallback.blocks
    title = ""
    for key in _TITLE_KEYS:
        if ex.meta.get(key):
            title = clean_inline(ex.meta[key])
            break
    title = title or (ex.first_h1 or "") or clean_inline("".join(ex.title_parts))
    _page_metadata(ex, meta)

    # The title is not part of the text: drop a leading heading that repeats it.
    first_heading = next((i for i, b in enumerate(blocks) if b.kind == "heading"), None)
    if first_heading is not None and first_heading <= 1 and title:
        if clean_inline(blocks[first_heading].text).casefold() == title.casefold():
            blocks = blocks[:first_heading] + blocks[first_heading + 1 :]

    builder = ArticleBuilder(article_id, title=title, metadata=meta)
    for b in blocks:
        builder.add(b.kind, b.text, b.level)
    return builder.build()


def html_fragment_text(fragment: str) -> str:
    """Plain text of an HTML fragment (script and style dropped), one line."""
    ex = _extract(fragment, drop_boilerplate=False)
    return clean_inline(" ".join(b.text for b in ex.blocks))
