"""Reader for Markdown files.

Generic Markdown goes through markdown-it-py (CommonMark plus tables and
strikethrough) and becomes blocks: headings, paragraphs, list items (with their
nesting depth), quotes, tables (one line per row, cells joined by `` | ``),
code, and captions for images. Link targets and emphasis markers stay out of
the text; YAML front matter becomes metadata.

Markdown converted from congress.gov report pages (the CRS shape: a ``# Title``
line, ``**Report No.:**``-style header lines, ``---``, then the converted page)
gets more work, all driven by the shape of that page rather than by file:

* the header lines and the page's overview table become metadata;
* the page chrome before the dateline ("Title Updated April 10, 2026
  (IF10491)") is dropped: navigation links, breadcrumbs, the repeated title,
  the overview heading and table, the PDF version list, the "Listen" link;
* link-only tables of contents are dropped (their entries still help to
  recognise headings);
* every source line is its own block (the converter wrote one line per HTML
  block), and a short standalone line with no closing punctuation that is
  followed by more text becomes a heading;
* pipe-prefixed runs without a delimiter row are read as what they are on the
  page: tables, figure placeholders (captions), numbered footnotes (list
  items) and text boxes (a caption and quotes).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from markdown_it import MarkdownIt
from markdown_it.token import Token

from ..model import Article, ArticleBuilder
from ..normalize import clean_inline

def _parser(linkify: bool = False) -> MarkdownIt:
    md = MarkdownIt("commonmark", {"html": True}).enable(["table", "strikethrough"])
    if linkify:
        try:
            import linkify_it  # noqa: F401
        except ImportError:  # pragma: no cover - optional
            return md
        md.options["linkify"] = True
        md.enable("linkify")
    return md


_MD = _parser()
# Plain URLs in prose must not be read as emphasis (``a_b_c``); linkify sees to
# that but is slow, so only inline runs that hold a URL and a marker use it.
_MD_LINKIFY = _parser(linkify=True)
_NEEDS_LINKIFY = re.compile(r"(?:https?://|www\.)[^\s]*[_*]")

# ---------------------------------------------------------------------------
# Small helpers: dates, metadata values, leftover emphasis markers


_MONTHS = {
    name: i
    for i, names in enumerate(
        [
            ("january", "jan"),
            ("february", "feb"),
            ("march", "mar"),
            ("april", "apr"),
            ("may",),
            ("june", "jun"),
            ("july", "jul"),
            ("august", "aug"),
            ("september", "sep", "sept"),
            ("october", "oct"),
            ("november", "nov"),
            ("december", "dec"),
        ],
        start=1,
    )
    for name in names
}
_MONTH_RE = r"(?:Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?|Sept?(?:ember)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)\.?"
_DATE_IN_TEXT = re.compile(rf"{_MONTH_RE}\s+\d{{1,2}},\s+\d{{4}}", re.IGNORECASE)


def iso_date(value: Any) -> str | None:
    """``value`` as ``yyyy-mm-dd`` when it reads as a date, else None.

    Accepts ISO dates (with or without a time), ``mm/dd/yyyy``, ``Month D,
    YYYY`` and ``D Month YYYY``.
    """
    if isinstance(value, date):
        return value.isoformat()[:10]
    text = clean_inline(str(value or ""))
    if not text:
        return None
    m = re.match(r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:$|[T ])", text)
    if m:
        y, mo, d = (int(g) for g in m.groups())
        return _valid(y, mo, d)
    m = re.match(r"^(\d{1,2})/(\d{1,2})/(\d{4})$", text)
    if m:
        mo, d, y = (int(g) for g in m.groups())
        return _valid(y, mo, d)
    m = re.match(r"^(?:[A-Za-z]+,?\s+)?([A-Za-z]+)\.?\s+(\d{1,2})(?:st|nd|rd|th)?,?\s+(\d{4})\b", text)
    if m and m.group(1).lower() in _MONTHS:
        return _valid(int(m.group(3)), _MONTHS[m.group(1).lower()], int(m.group(2)))
    m = re.match(r"^(?:[A-Za-z]+,?\s+)?(\d{1,2})\s+([A-Za-z]+)\.?,?\s+(\d{4})\b", text)
    if m and m.group(2).lower() in _MONTHS:
        return _valid(int(m.group(3)), _MONTHS[m.group(2).lower()], int(m.group(1)))
    return None


def _valid(y: int, mo: int, d: int) -> str | None:
    try:
        return date(y, mo, d).isoformat()
    except ValueError:
        return None


def _split_list(value: Any, seps: str = ";") -> list[str]:
    if isinstance(value, (list, tuple)):
        items = [str(v) for v in value]
    else:
        items = re.split(f"[{re.escape(seps)}]", str(value))
    return [c for c in (clean_inline(i) for i in items) if c]


_STRAY_STARS = re.compile(r"\*{2,}")
_STRAY_UNDERSCORE = re.compile(
    r"(?:(?:(?<=[\s(\[\"'“‘])|^)_+(?=[^\W_]))|(?:(?<=[^\W_.])_+(?=[\s.,;:!?)\]\"'”’]|$))"
)
_URL = re.compile(r"(?:https?://|www\.)\S+")


_BROKEN_LINK_HEAD = re.compile(r"\[([^\[\]\n]+)\]\($")
_BROKEN_LINK = re.compile(r"\[([^\[\]\n]+)\]\((?:https?://|mailto:|www\.|#)[^\s]*")


def _scrub(text: str) -> str:
    """Remove markup that the parser left as literal text.

    Converted pages carry broken emphasis such as ``**Source: **`` (a closing
    marker after a space is not a marker in CommonMark) and links whose target
    has an unbalanced parenthesis. Runs of ``**`` and underscores that hug one
    side of a word go; underscores inside a word (``snake_case``) and lone
    asterisks stay; a broken ``[label](target`` keeps its label only.
    """
    if "](" in text:
        text = _BROKEN_LINK.sub(r"\1", text)
    if "*" not in text and "_" not in text:
        return text
    parts = []
    last = 0
    for m in _URL.finditer(text):  # URLs written as text keep every character
        parts.append(_scrub_markers(text[last : m.start()]))
        parts.append(m.group(0))
        last = m.end()
    parts.append(_scrub_markers(text[last:]))
    return "".join(parts)


def _star_gap(m: re.Match[str]) -> str:
    """A run of leftover asterisks between two words stood for a space when
    the next word clearly starts anew (``1**shows``, ``Incentive**Program``)."""
    s = m.string
    left = s[m.start() - 1] if m.start() > 0 else " "
    right = s[m.end()] if m.end() < len(s) else " "
    if right.isalpha() and (left.isdigit() or left in ".,;:)]" or (left.islower() and right.isupper())):
        return " "
    return ""


def _scrub_markers(text: str) -> str:
    if "*" in text:
        text = _STRAY_STARS.sub(_star_gap, text)
    if "_" in text:
        text = _STRAY_UNDERSCORE.sub("", text)
    return text


# ---------------------------------------------------------------------------
# Front matter and the congress.gov header


_FRONT_MATTER = re.compile(r"\A(?:\ufeff)?---[ \t]*\n(.*?)\n(?:---|\.\.\.)[ \t]*(?:\n|\Z)", re.DOTALL)


def parse_front_matter(raw: str) -> tuple[dict[str, Any], str]:
    """Split a leading ``--- ... ---`` YAML block off ``raw``.

    A small YAML subset is understood: ``key: value`` scalars (quoted or not),
    ``[a, b]`` flow lists, ``- item`` block lists and ``|``/``>`` text. Returns
    ({}, raw) when there is no front matter or it does not look like YAML.
    """
    m = _FRONT_MATTER.match(raw)
    if not m:
        return {}, raw
    data: dict[str, Any] = {}
    key: str | None = None
    for line in m.group(1).split("\n"):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        km = re.match(r"^([A-Za-z_][\w .()-]*?)\s*:(?:\s+(.*?))?\s*$", line)
        if km and not line[0].isspace():
            key = km.group(1).strip().lower()
            value = (km.group(2) or "").strip()
            if value in ("|", ">", "|-", ">-", ""):
                data[key] = [] if value == "" else ""
            else:
                data[key] = _yaml_scalar(value)
            continue
        if key is None:
            return {}, raw  # not YAML: leave the text alone
        item = re.match(r"^\s+-\s+(.*)$", line)
        current = data.get(key)
        if item and isinstance(current, list):
            current.append(_yaml_scalar(item.group(1).strip()))
        elif isinstance(current, str):
            data[key] = (current + " " + line.strip()).strip()
        elif current == []:
            data[key] = line.strip()
    for k, v in list(data.items()):
        if v == []:
            data[k] = ""
    return data, raw[m.end() :]


def _yaml_scalar(value: str) -> Any:
    if len(value) >= 2 and value[0] == value[-1] and value[0] in "\"'":
        return value[1:-1]
    if value.startswith("[") and value.endswith("]"):
        return [_yaml_scalar(v.strip()) for v in value[1:-1].split(",") if v.strip()]
    return re.sub(r"\s+#.*$", "", value)


_HEADER_LINE = re.compile(r"^\*\*([^*]+?):?\*\*:?\s*(.*?)\s*$")


def _split_header(raw: str) -> tuple[str, dict[str, str], str] | None:
    """A ``# Title`` line, ``**Key:** value`` lines and a ``---`` rule at the top.

    Returns (title, {key: value}, rest) or None when the text does not start so.
    """
    lines = raw.split("\n")
    i = 0
    while i < len(lines) and not lines[i].strip():
        i += 1
    if i >= len(lines) or not re.match(r"^#\s+\S", lines[i]):
        return None
    title = lines[i].lstrip("#").strip()
    fields: dict[str, str] = {}
    i += 1
    while i < len(lines):
        line = lines[i].strip()
        if not line:
            i += 1
            continue
        m = _HEADER_LINE.match(line)
        if m:
            fields[m.group(1).strip().rstrip(":").lower()] = m.group(2)
            i += 1
            continue
        break
    if not fields or i >= len(lines) or not re.match(r"^\s*(?:---+|\*\*\*+|___+)\s*$", lines[i]):
        return None
    return title, fields, "\n".join(lines[i + 1 :])


_FIELD_KEYS = {
    "report no.": "report_number",
    "report no": "report_number",
    "report number": "report_number",
    "crs product number": "report_number",
    "product number": "report_number",
    "version": "version",
    "source": "url",
    "url": "url",
    "link": "url",
    "canonical": "url",
    "product type": "product_type",
    "crs product type": "product_type",
    "topics": "topics",
    "topic": "topics",
    "topic(s)": "topics",
    "tags": "topics",
    "keywords": "topics",
    "categories": "topics",
    "publication date": "date",
    "date": "date",
    "published": "date",
    "pubdate": "date",
    "author": "authors",
    "authors": "authors",
    "author(s)": "authors",
    "creator": "authors",
    "by": "authors",
    "referenced legislation": "legislation",
    "description": "summary",
    "summary": "summary",
    "lang": "language",
    "language": "language",
}


def _apply_fields(meta: dict[str, Any], fields: dict[str, Any], *, protected: set[str]) -> None:
    """Map header, table or front-matter fields onto metadata keys."""
    for raw_key, value in fields.items():
        key = _FIELD_KEYS.get(raw_key.strip().lower())
        if key is None or key in protected:
            continue
        if key in ("authors", "topics", "legislation"):
            items = _split_list(value)
            if items:
                meta[key] = items
        elif key == "date":
            iso = iso_date(value)
            if iso:
                meta["date"] = iso
            elif clean_inline(str(value)):
                meta.setdefault("date_text", clean_inline(str(value)))
        elif key == "url":
            text = clean_inline(str(value))
            if re.match(r"^https?://", text):
                meta["url"] = text
            elif text and raw_key.strip().lower() == "source":
                meta.setdefault("publisher", text)
        else:
            text = clean_inline(str(value))
            if text:
                meta[key] = text


# ---------------------------------------------------------------------------
# Inline content to plain text


@dataclass
class _Inline:
    text: str = ""
    links: list[tuple[str, str]] = field(default_factory=list)  # (label, href)
    outside: str = ""  # text that is not inside a link
    all_emphasis: bool = False  # every visible character is inside ** or _
    lead_label: bool = False  # starts with an emphasized run-in label ("**Note:** ...")
    images: list[str] = field(default_factory=list)  # alt texts
    only_images: bool = False


def _inline(children: list[Token] | None) -> _Inline:
    out: list[str] = []
    outside: list[str] = []
    links: list[tuple[str, str]] = []
    images: list[str] = []
    link_depth = 0
    emphasis = 0
    plain_seen = False
    emph_seen = False
    lead: list[str] = []
    hide_link = False  # inside the URL of a broken "[label](url" link
    after_broken = False
    for tok in children or []:
        t = tok.type
        if hide_link:
            if t == "link_close":
                hide_link = False
                after_broken = True
            continue
        if t == "link_open" and tok.markup == "linkify" and out:
            m = _BROKEN_LINK_HEAD.search(out[-1])
            if m:  # "[label](https://..." whose target never closed
                out[-1] = out[-1][: m.start()] + m.group(1)
                if outside and outside[-1].endswith(m.group(0)):
                    outside[-1] = outside[-1][: -len(m.group(0))] + m.group(1)
                hide_link = True
                continue
        if t in ("text", "code_inline"):
            piece = _scrub(tok.content) if t == "text" else tok.content
            if after_broken and t == "text":
                piece = re.sub(r"^[^\s]*\)", "", piece)  # the rest of the broken target
            after_broken = False
            out.append(piece)
            if link_depth:
                links[-1] = (links[-1][0] + piece, links[-1][1])
            else:
                outside.append(piece)
            if piece.strip():
                if emphasis:
                    emph_seen = True
                    if not plain_seen:
                        lead.append(piece)
                else:
                    plain_seen = True
        elif t in ("softbreak", "hardbreak"):
            out.append("\n")
            outside.append("\n")
        elif t == "link_open":
            link_depth += 1
            links.append(("", tok.attrGet("href") or ""))
        elif t == "link_close":
            link_depth = max(0, link_depth - 1)
        elif t in ("em_open", "strong_open"):
            emphasis += 1
        elif t in ("em_close", "strong_close"):
            emphasis = max(0, emphasis - 1)
        elif t == "image":
            alt = clean_inline(tok.content or "")
            images.append(alt)
        elif t == "html_inline":
            if re.match(r"(?i)^<br\s*/?>$", tok.content.strip()):
                out.append("\n")
                outside.append("\n")
    text = "".join(out)
    return _Inline(
        text=text,
        links=[(clean_inline(label), href) for label, href in links],
        outside="".join(outside),
        all_emphasis=emph_seen and not plain_seen,
        lead_label=plain_seen and "".join(lead).rstrip().endswith((":", ".", "—")),
        images=images,
        only_images=bool(images) and not text.strip(),
    )


_MARKUP_CHARS = re.compile(r"[\[\]*_`<>&\\!~]|https?:|www\.")


def _inline_markdown(src: str) -> _Inline:
    if not _MARKUP_CHARS.search(src):  # plain text: no parser needed
        return _Inline(text=src, outside=src)
    md = _MD_LINKIFY if _NEEDS_LINKIFY.search(src) else _MD
    tokens = md.parseInline(src)
    return _inline(tokens[0].children if tokens else [])


def _children(tok: Token, env: dict) -> list[Token]:
    """The inline children of ``tok``, re-parsed with linkify when needed."""
    if _NEEDS_LINKIFY.search(tok.content):
        tokens = _MD_LINKIFY.parseInline(tok.content, env)
        return (tokens[0].children or []) if tokens else []
    return tok.children or []


# ---------------------------------------------------------------------------
# Block items, collected before they go to the builder


@dataclass
class _Item:
    kind: str
    text: str
    level: int = 0
    inline: _Inline | None = None
    source: str = "md"  # md | pipe | heading-md


_RAW_LABEL = re.compile(r"^(?:\*\*|__|\*|_)+[^*_\n]{1,80}?[:.—]\s*(?:\*\*|__|\*|_)+\s*\S")


class _Collector:
    """Walks markdown-it tokens and collects block items."""

    def __init__(self, pipe_blocks: dict[str, str] | None = None, env: dict | None = None):
        self.env = env if env is not None else {}
        self.items: list[_Item] = []
        self.pipe_blocks = pipe_blocks or {}
        self._list_serial = 0

    def walk(self, tokens: list[Token]) -> None:
        list_stack: list[int] = []  # list ids, innermost last
        numbers: list[str | None] = []  # ordered-list marker for the open item
        quote_depth = 0
        in_item_first_para: list[bool] = []
        i = 0
        n = len(tokens)
        while i < n:
            tok = tokens[i]
            t = tok.type
            if t in ("bullet_list_open", "ordered_list_open"):
                self._list_serial += 1
                list_stack.append(self._list_serial)
            elif t in ("bullet_list_close", "ordered_list_close"):
                if list_stack:
                    list_stack.pop()
            elif t == "list_item_open":
                marker = None
                if tok.markup in (".", ")"):
                    marker = f"{tok.info}{tok.markup}" if tok.info else None
                numbers.append(marker)
                in_item_first_para.append(True)
            elif t == "list_item_close":
                if numbers:
                    numbers.pop()
                if in_item_first_para:
                    in_item_first_para.pop()
            elif t == "blockquote_open":
                quote_depth += 1
            elif t == "blockquote_close":
                quote_depth = max(0, quote_depth - 1)
            elif t == "heading_open":
                inline = _inline(_children(tokens[i + 1], self.env))
                level = int(tok.tag[1]) if tok.tag[1:].isdigit() else 2
                kind = "quote" if quote_depth else "heading"
                self.items.append(_Item(kind, inline.text, level, inline, "heading-md"))
                i += 3
                continue
            elif t == "paragraph_open":
                inline_tok = tokens[i + 1]
                content = inline_tok.content.strip()
                if content in self.pipe_blocks:
                    self.items.extend(_pipe_items(self.pipe_blocks[content]))
                    i += 3
                    continue
                inline = _inline(_children(inline_tok, self.env))
                if _RAW_LABEL.match(content):  # "**Label: **text" with broken emphasis
                    inline.lead_label = True
                if list_stack:
                    text = inline.text
                    if in_item_first_para and in_item_first_para[-1]:
                        if numbers and numbers[-1]:
                            text = f"{numbers[-1]} {text}"
                        in_item_first_para[-1] = False
                    kind = "quote" if quote_depth else "list_item"
                    self.items.append(_Item(kind, text, len(list_stack) - 1, inline))
                elif inline.only_images:
                    for alt in inline.images:
                        self.items.append(_Item("quote" if quote_depth else "caption", alt))
                else:
                    kind = "quote" if quote_depth else "paragraph"
                    self.items.append(_Item(kind, inline.text, 0, inline))
                i += 3
                continue
            elif t in ("fence", "code_block"):
                self.items.append(_Item("code", tok.content))
            elif t == "html_block":
                text = _html_text(tok.content)
                if text.strip():
                    self.items.append(_Item("quote" if quote_depth else "paragraph", text))
            elif t == "table_open":
                i = self._table(tokens, i)
                continue
            i += 1

    def _table(self, tokens: list[Token], i: int) -> int:
        rows: list[list[str]] = []
        row: list[str] = []
        while i < len(tokens) and tokens[i].type != "table_close":
            tok = tokens[i]
            if tok.type == "tr_open":
                row = []
            elif tok.type == "tr_close":
                rows.append(row)
            elif tok.type == "inline":
                row.append(clean_inline(_inline(_children(tok, self.env)).text))
            i += 1
        self.items.append(_Item("table", _table_text(rows)))
        return i + 1


def _table_text(rows: list[list[str]]) -> str:
    lines = []
    for row in rows:
        while row and not row[-1]:
            row = row[:-1]
        if any(row):
            lines.append(" | ".join(row))
    return "\n".join(lines)


def _html_text(fragment: str) -> str:
    from .html import html_fragment_text

    return html_fragment_text(fragment)


# ---------------------------------------------------------------------------
# Pipe-prefixed runs of converted pages (no delimiter row, so not GFM tables)

_FIGURE = re.compile(r"^(?:Figure|Map|Chart|Graph|Graphic|Image|Photo|Exhibit)\s+[A-Z]?-?\d+[A-Za-z]?\.", re.I)
_NOTE = re.compile(r"^(?:Sources?|Notes?|Source and Notes?|Sources? and Notes?)\s*:", re.I)
_FOOTNOTE_MARK = re.compile(r"^(?:\d{1,4}|[a-z]{1,2})\.$")


def _pipe_rows(block: str) -> list[list[str]]:
    """Rows of a pipe run: a row starts at a ``|`` line; lines that do not
    start with ``|`` continue the row (a multi-line cell)."""
    rows: list[str] = []
    for line in block.split("\n"):
        stripped = line.strip()
        if stripped.startswith("|") or not rows:
            rows.append(stripped)
        else:
            rows[-1] += "\n" + stripped
    out = []
    for row in rows:
        body = row[1:] if row.startswith("|") else row
        if body.endswith("|") and not body.endswith("\\|"):
            body = body[:-1]
        out.append([c.strip() for c in re.split(r"(?<!\\)\|", body)])
    return out


def _cell_text(raw: str) -> str:
    parts = [clean_inline(_inline_markdown(line).text) for line in raw.split("\n")]
    parts = [p for p in parts if p]
    text = ""
    for p in parts:
        if not text:
            text = p
        elif p[0] in "([" or p[0].islower() or text[-1] in ",;:(-":
            text += " " + p
        else:
            text += "; " + p
    return text


def _pipe_items(block: str) -> list[_Item]:
    rows = _pipe_rows(block)
    widths = [len([c for c in r if c]) for r in rows]
    first_line = clean_inline(_inline_markdown(block.split("\n", 1)[0].strip().lstrip("|")).text)
    items: list[_Item] = []
    footnotes = [r for r in rows if len(r) >= 2 and _FOOTNOTE_MARK.match(clean_inline(r[0]))]
    if footnotes and len(footnotes) == len([r for r in rows if any(r)]):
        for r in rows:
            text = " ".join(_cell_text(c) for c in r if c.strip())
            items.append(_Item("list_item", text, 0, source="pipe"))
        return items
    if max(widths, default=0) >= 2 and not _FIGURE.match(first_line):
        rows_text = [[_cell_text(c) for c in r] for r in rows]
        return [_Item("table", _table_text(rows_text), source="pipe")]
    # A figure placeholder or a text box: one line per block.
    lines = [ln.strip() for ln in block.split("\n")]
    figure = bool(_FIGURE.match(first_line))
    for n, line in enumerate(lines):
        bare = line[1:] if line.startswith("|") else line
        text = clean_inline(_inline_markdown(bare.strip()).text)
        if not text:
            continue
        if figure or n == 0 or _NOTE.match(text):
            items.append(_Item("caption", text, source="pipe"))
        else:
            text = re.sub(r"^[-*•]\s+", "• ", text)
            items.append(_Item("quote", text, source="pipe"))
    return items


# ---------------------------------------------------------------------------
# The congress.gov page shape


_DEBRIS_LINK = re.compile(
    r"""^(?:citation|subscribe|share/save|share|save|site\ feedback|feedback|home|print|email|
    crs\ products(?:\ \(library\ of\ congress\))?|hide\ overview|show\ overview|
    download\ pdf(?:\ \([^)]*\))?|pdf\ version\ history|listen|
    jump\ to\ main\ text(?:\ of\ report)?|back\ to\ top|skip\ to\ (?:main\ )?content)$""",
    re.IGNORECASE | re.VERBOSE,
)
_VERSION_ENTRY = re.compile(r"\([\w.-]+\s+-\s+Version:\s*\d+\)\s*$")
_OVERVIEW_ROW = re.compile(r"^\|\s*\*\*(.+?):?\*\*:?\s*\|\s*(.*?)\s*\|?\s*$")
_TOC_TITLES = {"contents", "table of contents", "figures", "tables", "appendixes", "appendices", "boxes"}
_CRS_PRODUCT_HEADING = re.compile(r"^CRS PRODUCT\b.*$", re.IGNORECASE)


def _cut_chrome(body: str, report_number: str) -> tuple[str, dict[str, str], str | None, bool]:
    """Drop the page chrome that ends at the dateline ``... (REPORTNO)``.

    Returns (body after the dateline, overview-table fields, dateline date,
    whether the dateline says "Updated").
    When no dateline is found the body is returned whole.
    """
    lines = body.split("\n")
    dateline = re.compile(r"\(\s*" + re.escape(report_number) + r"\s*\)\s*$") if report_number else None
    cut = None
    if dateline:
        for n, line in enumerate(lines):
            if dateline.search(line.strip()):
                cut = n
                break
    if cut is None:
        return body, {}, None, False
    fields: dict[str, str] = {}
    for line in lines[:cut]:
        m = _OVERVIEW_ROW.match(line.strip())
        if m:
            fields[m.group(1).strip().rstrip(":").lower()] = m.group(2)
    when = None
    m = _DATE_IN_TEXT.search(lines[cut])
    if m:
        when = iso_date(m.group(0))
    updated = bool(re.search(r"Updated\s*" + _MONTH_RE, lines[cut]))
    return "\n".join(lines[cut + 1 :]), fields, when, updated


# Chart scripts that the page converter wrote out as text.
_SCRIPT_START = re.compile(r"^(?:\$\(\s*function\b|jQuery\(\s*function\b|\(\s*function\s*\(|<script\b)")
_SCRIPT_DEBRIS = re.compile(r"^(?:\|\s*)?(?://.*|Created with Highcharts\b.*)$")


def _script_end(lines: list[str], start: int, limit: int = 5000) -> int | None:
    """Index of the line that closes a script starting at ``start`` (brackets
    balance again), or None when they never do."""
    depth = 0
    opened = False
    if lines[start].lstrip().startswith("<script"):
        for k in range(start, min(len(lines), start + limit)):
            if "</script>" in lines[k]:
                return k
        return None
    for k in range(start, min(len(lines), start + limit)):
        code = re.sub(r"'(?:[^'\\]|\\.)*'|\"(?:[^\"\\]|\\.)*\"|//.*$", "", lines[k])
        for ch in code:
            if ch in "({[":
                depth += 1
                opened = True
            elif ch in ")}]":
                depth -= 1
        if opened and depth <= 0:
            return k
    return None


def _page_lines(body: str) -> tuple[str, dict[str, str]]:
    """Give every source line of a converted page its own block.

    Lines are de-indented (the converter's indentation is layout, not code),
    blank lines are put between lines, and pipe-prefixed runs are swapped for
    placeholder paragraphs that the collector expands.
    """
    out: list[str] = []
    blocks: dict[str, str] = {}
    run: list[str] = []
    in_fence = False

    def flush() -> None:
        if run:
            key = f"PIPEBLOCK{len(blocks):05d}X"
            blocks[key] = "\n".join(run)
            out.extend(["", key, ""])
            run.clear()

    lines = body.split("\n")
    n = 0
    while n < len(lines):
        raw_line = lines[n]
        line = raw_line.strip()
        n += 1
        if "Created with Highcharts" in line:  # a chart's drawn labels, run together
            line = raw_line = line[: line.index("Created with Highcharts")].rstrip()
        if not in_fence and not run and _SCRIPT_START.match(line):
            end = _script_end(lines, n - 1)
            if end is not None:
                n = end + 1
                continue
        if not in_fence and _SCRIPT_DEBRIS.match(line):
            continue
        if line.startswith("```") or line.startswith("~~~"):
            flush()
            in_fence = not in_fence
            out.append(raw_line)
            continue
        if in_fence:
            out.append(raw_line)
            continue
        if run:
            if line:
                run.append(line)
                continue
            flush()
            out.append("")
            continue
        if line.startswith("|"):
            run.append(line)
            continue
        out.extend([line, ""])
    flush()
    return "\n".join(out), blocks


def _is_debris_paragraph(item: _Item) -> bool:
    inline = item.inline
    if inline is None or not inline.links:
        return False
    rest = re.sub(r"[\s>|»/·•–-]+", "", inline.outside)
    if len(rest) > 12:  # a breadcrumb's last crumb is a short product number
        return False
    labels = [label for label, _ in inline.links if label]
    return bool(labels) and all(_DEBRIS_LINK.match(label) for label in labels)


def _is_link_only(item: _Item) -> bool:
    inline = item.inline
    if inline is None or not inline.links:
        return False
    return not re.sub(r"[\s.,;:|]+", "", inline.outside)


def _is_anchor_link_only(item: _Item) -> bool:
    if not _is_link_only(item):
        return False
    return all("#" in href for _, href in item.inline.links)  # type: ignore[union-attr]


def _clean_page_items(items: list[_Item], title: str) -> tuple[list[_Item], set[str]]:
    """Drop navigation debris and tables of contents; returns (items, toc titles)."""
    toc: set[str] = set()
    out: list[_Item] = []
    norm_title = clean_inline(title).casefold()
    i = 0
    while i < len(items):
        item = items[i]
        text = clean_inline(item.text)
        if item.kind == "heading" and item.source == "heading-md":
            if text.casefold() == norm_title or _CRS_PRODUCT_HEADING.match(text):
                i += 1
                continue
            if text.casefold() in _TOC_TITLES:
                j = i + 1
                entries = []
                while j < len(items) and items[j].kind == "list_item" and _is_anchor_link_only(items[j]):
                    entries.append(clean_inline(items[j].text))
                    j += 1
                if entries:
                    toc.update(e.casefold() for e in entries)
                    i = j
                    continue
        if item.kind in ("paragraph", "list_item") and _is_debris_paragraph(item):
            i += 1
            continue
        if item.kind == "list_item" and _is_link_only(item) and _VERSION_ENTRY.search(text):
            i += 1
            continue
        if item.kind == "paragraph" and re.fullmatch(r"(?:[-*_]\s*){3,}", text):
            i += 1
            continue
        out.append(item)
        i += 1
    return out, toc


_LEAD_IN_WORDS = {
    "a", "an", "the", "and", "or", "of", "to", "in", "on", "for", "by", "with", "as", "at", "from",
    "that", "which", "include", "includes", "included", "including", "are", "is", "were", "was",
    "be", "following", "follows", "such", "than", "per",
}
_TABLE_TITLE = re.compile(r"^(?:Table|Figure|Box|Map|Chart)\s+[A-Z]?-?\d+[A-Za-z]?\.\s+\S")
_CLOSING = tuple(".,;:!")


def _looks_like_heading(item: _Item, toc: set[str]) -> bool:
    if item.kind != "paragraph" or item.source != "md" or item.inline is None:
        return False
    text = clean_inline(item.text)
    if not text or "\n" in item.text.strip():
        return False
    if text.casefold() in toc:
        return True
    if item.inline.links or item.inline.lead_label or len(text) > 120 or len(text.split()) > 16:
        return False
    if text.endswith(_CLOSING) or "=" in text or _NOTE.match(text) or _TABLE_TITLE.match(text):
        return False
    last_word = re.sub(r"[^\w]+$", "", text).rsplit(" ", 1)[-1].lower()
    if last_word in _LEAD_IN_WORDS:  # "Eligible applicants include" leads into a list
        return False
    first = text.lstrip("\"'“‘(")[:1]
    if not (first.isupper() or first.isdigit()):
        return False
    if text.endswith("?") and len(text.split()) > 14:
        return False
    # A heading is words, not a figure or a formula.
    letters = sum(ch.isalpha() for ch in text)
    return letters >= max(3, len(text) // 2)


def _shape_page_items(items: list[_Item], toc: set[str]) -> list[_Item]:
    """Captions, run-in headings, the disclaimer, and heading levels."""
    out: list[_Item] = []
    for n, item in enumerate(items):
        text = clean_inline(item.text)
        if item.kind == "heading" and item.source == "heading-md":
            out.append(_Item("heading", text, 2, item.inline, item.source))
            continue
        if item.kind == "paragraph":
            m = re.match(r"^Disclaimer\s*:\s*(.*)$", text, re.IGNORECASE | re.DOTALL)
            if m:
                out.append(_Item("heading", "Disclaimer", 2))
                out.append(_Item("paragraph", m.group(1)))
                continue
            if _TABLE_TITLE.match(text) and len(text) <= 250:
                out.append(_Item("caption", text, source=item.source))
                continue
            prev = out[-1].kind if out else ""
            nxt = items[n + 1] if n + 1 < len(items) else None
            if _NOTE.match(text) and prev in ("table", "caption"):
                out.append(_Item("caption", text, source=item.source))
                continue
            if (
                prev == "caption"
                and _TABLE_TITLE.match(clean_inline(out[-1].text))
                and nxt is not None
                and nxt.kind == "table"
                and len(text) <= 200
            ):
                out.append(_Item("caption", text, source=item.source))  # the table's subtitle
                continue
            if nxt is not None and _looks_like_heading(item, toc):
                nxt_text = clean_inline(nxt.text)
                if not nxt_text.lower().startswith("disclaimer"):
                    level = 3 if item.inline and item.inline.all_emphasis and text.casefold() not in toc else 2
                    out.append(_Item("heading", text, level, item.inline))
                    continue
        out.append(item)
    return out


# ---------------------------------------------------------------------------
# The reader


def read_markdown(raw: str, article_id: str, metadata: dict) -> Article:
    """Read Markdown text into an Article (see the module docstring)."""
    meta: dict[str, Any] = dict(metadata or {})
    protected = set(meta)
    raw = raw.replace("\r\n", "\n").replace("\r", "\n").lstrip("\ufeff")

    front, body = parse_front_matter(raw)
    title = clean_inline(str(front.get("title") or "")) if front else ""
    _apply_fields(meta, front, protected=protected)

    page_mode = False
    header = _split_header(body)
    if header is not None:
        head_title, fields, rest = header
        _apply_fields(meta, fields, protected=protected)
        title = title or clean_inline(_inline_markdown(head_title).text)
        body = rest
        page_mode = True
        chrome_cut, overview, when, updated = _cut_chrome(body, str(meta.get("report_number", "")))
        body = chrome_cut
        # The page's overview table fills what the header lines left out.
        extra = {k: v for k, v in overview.items() if _FIELD_KEYS.get(k) not in meta}
        _apply_fields(meta, extra, protected=protected)
        if when and "date" not in meta:
            meta["date"] = when
        if when and updated:
            meta.setdefault("updated", when)

    pipe_blocks: dict[str, str] = {}
    if page_mode:
        body, pipe_blocks = _page_lines(body)
    env: dict = {}
    tokens = _MD.parse(body, env)
    collector = _Collector(pipe_blocks, env)
    collector.walk(tokens)
    items = collector.items

    if page_mode:
        items, toc = _clean_page_items(items, title)
        items = _shape_page_items(items, toc)
    elif items and items[0].kind == "heading" and items[0].level == 1:
        first = clean_inline(items[0].text)
        if not title or first.casefold() == title.casefold():
            title = title or first
            items = items[1:]

    builder = ArticleBuilder(article_id, title=title, metadata=meta)
    for item in items:
        builder.add(item.kind, item.text, item.level)
    return builder.build()
