"""Turn files of a briefing into :class:`~index.model.Article` objects.

``read_file`` picks a reader by file extension and guards every file: binary,
empty, oversized or unreadable files raise :class:`ReadError` with a one-line
reason, so one bad file never stops a briefing from loading.
"""

from __future__ import annotations

import re
from pathlib import Path

from ..model import Article
from ..normalize import decode_bytes, looks_binary

MAX_FILE_BYTES = 8 * 1024 * 1024

TEXT_SUFFIXES = {".txt", ".text"}
MARKDOWN_SUFFIXES = {".md", ".markdown", ".mdown", ".mkd"}
HTML_SUFFIXES = {".html", ".htm", ".xhtml"}
SUPPORTED_SUFFIXES = TEXT_SUFFIXES | MARKDOWN_SUFFIXES | HTML_SUFFIXES


class ReadError(Exception):
    """A file could not become an article; ``str(exc)`` is a one-line reason."""


def is_supported(path: Path) -> bool:
    return path.suffix.lower() in SUPPORTED_SUFFIXES and not path.name.startswith(".")


def read_file(path: Path, article_id: str, data: bytes | None = None) -> Article:
    """Read one file into an Article, or raise ReadError."""
    suffix = path.suffix.lower()
    if suffix not in SUPPORTED_SUFFIXES:
        raise ReadError(f"unsupported file type {suffix or '(none)'}")
    if data is None:
        try:
            size = path.stat().st_size
            if size > MAX_FILE_BYTES:
                raise ReadError(f"too large ({size // 1024} KB; limit {MAX_FILE_BYTES // 1024} KB)")
            data = path.read_bytes()
        except OSError as exc:
            raise ReadError(f"cannot read: {exc.strerror or exc}") from None
    if len(data) > MAX_FILE_BYTES:
        raise ReadError(f"too large ({len(data) // 1024} KB; limit {MAX_FILE_BYTES // 1024} KB)")
    if not data.strip():
        raise ReadError("empty file")
    if looks_binary(data):
        raise ReadError("binary file, not text")
    raw, warning = decode_bytes(data)
    source = {"format": suffix.lstrip(".")}
    if suffix in TEXT_SUFFIXES:
        from .text import read_text

        article = read_text(raw, article_id, source)
    elif suffix in MARKDOWN_SUFFIXES:
        from .markdown import read_markdown

        article = read_markdown(raw, article_id, source)
    else:
        from ..extract import extract_html

        article = extract_html(raw, article_id, dict(source))
        if article is None:
            from .html import read_html

            article = read_html(raw, article_id, source)
            article.warnings.append("no main article content found; showing the page's text")
    harmonize_metadata(article.metadata)
    if warning:
        article.warnings.insert(0, warning)
    if not article.text.strip():
        raise ReadError("no readable text")
    return article


def harmonize_metadata(meta: dict) -> None:
    """One vocabulary across readers: ``authors`` (list), ``date`` (ISO),
    ``site``, ``summary``, ``url``."""
    author = meta.pop("author", None)
    if author and not meta.get("authors"):
        parts = re.split(r"\s*(?:;|\band\b|&)\s*", author) if isinstance(author, str) else list(author)
        meta["authors"] = [p.strip() for p in parts if p and p.strip()]
    if isinstance(meta.get("authors"), str):
        meta["authors"] = [meta["authors"]]
    for old, new in (("publisher", "site"), ("description", "summary")):
        value = meta.pop(old, None)
        if value and not meta.get(new):
            meta[new] = value
