"""Export annotations as Markdown or W3C Web Annotation JSON, and import them back.

Files are written atomically (a temporary file in the same folder, then a
rename), so an interrupted export never leaves half a file behind.
"""

from __future__ import annotations

import json
import os
import stat
import re
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Iterable

from .annotations import COLORS, ORPHANED, STATES, Annotation, clean_tags, now_iso
from .model import Article
from .normalize import strip_controls

W3C_CONTEXT = "http://www.w3.org/ns/anno.jsonld"
ANN_URN = "urn:briefing:annotation:"
ARTICLE_URN = "urn:briefing:article:"


class ExportError(Exception):
    """One-line reason an export or import cannot go on."""


class ExportExists(ExportError):
    """The target file exists and overwriting was not asked for."""


_MD_SPECIAL = re.compile(r"([\\`*_\[\]<>#|~])")


def md_escape(text: str) -> str:
    """Article text is data: escape what Markdown would read as syntax."""
    text = _MD_SPECIAL.sub(r"\\\1", text)
    # A line that starts like a list item, heading or rule would change the structure.
    return re.sub(r"^(\s*)([-+=]|\d+[.)])(?=\s|$)", lambda m: m.group(1) + "\\" + m.group(2), text, flags=re.M)


def _yaml_str(value: str) -> str:
    return json.dumps(value, ensure_ascii=False)  # JSON strings are valid YAML scalars


@dataclass(slots=True)
class ExportScope:
    article_id: str | None = None
    tag: str | None = None

    def admits(self, ann: Annotation) -> bool:
        if self.article_id is not None and ann.article_id != self.article_id:
            return False
        if self.tag is not None and self.tag not in ann.tags:
            return False
        return True

    def describe(self) -> str:
        parts = []
        if self.article_id:
            parts.append(f"article {self.article_id}")
        if self.tag:
            parts.append(f"tag #{self.tag}")
        return ", ".join(parts) or "all annotations"


def to_markdown(briefing_name: str, annotations: list[Annotation],
                get_article: Callable[[str], Article | None], scope: ExportScope | None = None) -> str:
    scope = scope or ExportScope()
    anns = [a for a in annotations if scope.admits(a)]
    anchored = [a for a in anns if a.state != ORPHANED]
    orphans = [a for a in anns if a.state == ORPHANED]
    out: list[str] = [
        "---",
        f"briefing: {_yaml_str(briefing_name)}",
        f"exported: {now_iso()}",
        f"scope: {_yaml_str(scope.describe())}",
        f"count: {len(anns)}",
        "---",
        "",
    ]
    by_article: dict[str, list[Annotation]] = {}
    for ann in anchored:
        by_article.setdefault(ann.article_id, []).append(ann)
    for article_id, items in by_article.items():
        article = get_article(article_id)
        title = article.title if article else article_id
        out += [f"# {md_escape(title)}", "", _source_line(article, article_id), ""]
        items.sort(key=lambda a: (a.start, a.created))
        current_section = None
        first = True
        for ann in items:
            section = article.section_at(ann.start) if article else None
            if section is not None and section.id != current_section:
                current_section = section.id
                if section.title != title:  # the opening section is named after the article
                    out += [f"## {md_escape(section.title)}", ""]
                first = True
            if not first:
                out += ["---", ""]
            out += _annotation_md(ann)
            first = False
    if orphans:
        out += ["# Unanchored", "", "These annotations lost their passage when the article changed or was removed.", ""]
        first = True
        for ann in sorted(orphans, key=lambda a: (a.article_id, a.created)):
            if not first:
                out += ["---", ""]
            article = get_article(ann.article_id)
            label = article.title if article else ann.article_id
            out += [f"*from {md_escape(label)}*", ""]
            out += _annotation_md(ann)
            first = False
    return "\n".join(out).rstrip("\n") + "\n"


def _source_line(article: Article | None, article_id: str) -> str:
    if article is None:
        return f"Source: `{article_id}` (no longer in the briefing)"
    md = article.metadata
    bits = [f"`{md.get('path') or article_id}`"]
    for key in ("url", "date", "report_number"):
        if md.get(key):
            bits.append(md_escape(str(md[key])))
    authors = md.get("authors") or md.get("author")
    if authors:
        bits.append(md_escape(", ".join(authors) if isinstance(authors, list) else str(authors)))
    return "Source: " + " · ".join(bits)


def _annotation_md(ann: Annotation) -> list[str]:
    quote_lines = [f"> {md_escape(line)}" if line else ">" for line in ann.quote.split("\n")]
    tags = " ".join(f"#{t}" for t in ann.tags)
    locator = " · ".join(b for b in (ann.color, ann.created[:10], tags, f"id {ann.id}") if b)
    if ann.state != "anchored":
        locator += f" · {ann.state}"
    lines = quote_lines + ["", f"*{locator}*", ""]
    if ann.note.strip():
        lines += [ann.note.strip(), ""]
    return lines


# -- W3C Web Annotation ---------------------------------------------------------


def to_w3c(ann: Annotation) -> dict[str, Any]:
    body: list[dict[str, Any]] = []
    if ann.note:
        body.append({"type": "TextualBody", "value": ann.note, "format": "text/markdown",
                     "purpose": "commenting"})
    for tag in ann.tags:
        body.append({"type": "TextualBody", "value": tag, "purpose": "tagging"})
    return {
        "@context": W3C_CONTEXT,
        "id": ANN_URN + ann.id,
        "type": "Annotation",
        "created": ann.created,
        "modified": ann.updated,
        "body": body,
        "target": {
            "source": ARTICLE_URN + ann.article_id,
            "selector": [
                {"type": "TextQuoteSelector", "exact": ann.quote, "prefix": ann.prefix, "suffix": ann.suffix},
                {"type": "TextPositionSelector", "start": ann.start, "end": ann.end},
            ],
        },
        "briefing:color": ann.color,
        "briefing:state": ann.state,
        "briefing:contentHash": ann.content_hash,
    }


def to_json(briefing_name: str, annotations: list[Annotation], scope: ExportScope | None = None) -> str:
    scope = scope or ExportScope()
    items = [to_w3c(a) for a in annotations if scope.admits(a)]
    doc = {
        "@context": W3C_CONTEXT,
        "type": "AnnotationCollection",
        "label": f"{briefing_name}: {scope.describe()}",
        "total": len(items),
        "first": {"type": "AnnotationPage", "items": items},
    }
    return json.dumps(doc, ensure_ascii=False, indent=2) + "\n"


def from_w3c(item: Any, where: str) -> Annotation:
    """One W3C annotation back into an Annotation; ExportError names what is wrong."""
    if not isinstance(item, dict):
        raise ExportError(f"{where}: not an object")
    if item.get("type") != "Annotation":
        raise ExportError(f"{where}: type is {item.get('type')!r}, not 'Annotation'")
    raw_id = item.get("id")
    if not isinstance(raw_id, str) or not raw_id:
        raise ExportError(f"{where}: missing id")
    ann_id = raw_id.removeprefix(ANN_URN)
    target = item.get("target")
    if not isinstance(target, dict):
        raise ExportError(f"{where}: missing target")
    source = target.get("source")
    if not isinstance(source, str) or not source.startswith(ARTICLE_URN):
        raise ExportError(f"{where}: target.source must be {ARTICLE_URN}<article id>")
    selectors = target.get("selector")
    if isinstance(selectors, dict):
        selectors = [selectors]
    if not isinstance(selectors, list):
        raise ExportError(f"{where}: missing target.selector")
    quote = position = None
    for sel in selectors:
        if isinstance(sel, dict) and sel.get("type") == "TextQuoteSelector":
            quote = sel
        elif isinstance(sel, dict) and sel.get("type") == "TextPositionSelector":
            position = sel
    if quote is None or not isinstance(quote.get("exact"), str) or not quote["exact"]:
        raise ExportError(f"{where}: needs a TextQuoteSelector with 'exact' text")
    start = end = 0
    if position is not None:
        start, end = position.get("start"), position.get("end")
        if not (isinstance(start, int) and isinstance(end, int) and 0 <= start <= end):
            raise ExportError(f"{where}: TextPositionSelector start/end must be whole numbers, start ≤ end")
    note = ""
    tags: list[str] = []
    bodies = item.get("body") or []
    if isinstance(bodies, dict):
        bodies = [bodies]
    if not isinstance(bodies, list):
        raise ExportError(f"{where}: body must be a list")
    for body in bodies:
        if not isinstance(body, dict) or not isinstance(body.get("value", ""), str):
            raise ExportError(f"{where}: a body is not a TextualBody")
        if body.get("purpose") == "tagging":
            tags.append(body.get("value", ""))
        else:
            note = (note + "\n\n" + body.get("value", "")).strip() if note else body.get("value", "")
    color = item.get("briefing:color", "yellow")
    state = item.get("briefing:state", "anchored")
    if color not in COLORS:
        color = "yellow"
    if state not in STATES:
        state = "anchored"
    created = item.get("created") if isinstance(item.get("created"), str) else now_iso()
    modified = item.get("modified") if isinstance(item.get("modified"), str) else created
    return Annotation(
        id=ann_id,
        article_id=source.removeprefix(ARTICLE_URN),
        start=start,
        end=end if position is not None else len(quote["exact"]),
        quote=strip_controls(quote["exact"]),
        prefix=strip_controls(str(quote.get("prefix") or "")),
        suffix=strip_controls(str(quote.get("suffix") or "")),
        content_hash=str(item.get("briefing:contentHash") or ""),
        color=color,
        note=strip_controls(note),
        tags=clean_tags([strip_controls(t) for t in tags]),
        created=created,
        updated=modified,
        state=state,
    )


def parse_import(data: str, name: str) -> list[Annotation]:
    """All annotations of a W3C JSON file, or ExportError: nothing is half-read."""
    try:
        doc = json.loads(data)
    except json.JSONDecodeError as exc:
        raise ExportError(f"{name}: not JSON (line {exc.lineno}, column {exc.colno}: {exc.msg})") from None
    if isinstance(doc, list):
        items = doc
    elif isinstance(doc, dict) and doc.get("type") == "AnnotationCollection":
        page = doc.get("first") or {}
        items = page.get("items") if isinstance(page, dict) else None
        if not isinstance(items, list):
            raise ExportError(f"{name}: AnnotationCollection without first.items")
    elif isinstance(doc, dict) and doc.get("type") == "AnnotationPage":
        items = doc.get("items")
        if not isinstance(items, list):
            raise ExportError(f"{name}: AnnotationPage without items")
    elif isinstance(doc, dict):
        items = [doc]
    else:
        raise ExportError(f"{name}: expected an annotation, a list or an AnnotationCollection")
    anns = [from_w3c(item, f"{name}: annotation {n + 1}") for n, item in enumerate(items)]
    seen: set[str] = set()
    for ann in anns:
        if ann.id in seen:
            raise ExportError(f"{name}: annotation id {ann.id} appears twice")
        seen.add(ann.id)
    return anns


def write_atomic(path: Path, content: str, *, overwrite: bool = False) -> None:
    """Write ``content`` to ``path`` all at once, or not at all."""
    path = path.expanduser()
    if path.exists() and not overwrite:
        raise ExportExists(f"{path}: already exists")
    folder = path.parent if str(path.parent) else Path(".")
    if not folder.is_dir():
        raise ExportError(f"{folder}: no such folder")
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=folder)
    except OSError as exc:
        raise ExportError(f"{path}: cannot write ({exc.strerror or exc})") from None
    try:
        os.fchmod(fd, _mode_for(path))
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as fh:
            fh.write(content)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except OSError as exc:
        Path(tmp).unlink(missing_ok=True)
        raise ExportError(f"{path}: cannot write ({exc.strerror or exc})") from None
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _mode_for(path: Path) -> int:
    """The permissions a plainly written file would get: an existing file's
    own, else 0666 less the umask (mkstemp alone would give 0600)."""
    try:
        return stat.S_IMODE(path.stat().st_mode)
    except OSError:
        mask = os.umask(0)
        os.umask(mask)
        return 0o666 & ~mask


def annotations_in_scope(anns: Iterable[Annotation], scope: ExportScope) -> list[Annotation]:
    return [a for a in anns if scope.admits(a)]
