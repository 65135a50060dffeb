"""Annotations: highlights with notes and tags, anchored to article offsets.

An annotation keeps its offsets *and* the quoted text with some context, so it
can find its passage again when the article changes (:func:`reanchor`). It is
the user's own work: it is never deleted because its passage went away; it
becomes an orphan that keeps its quote and note.
"""

from __future__ import annotations

import difflib
import re
import uuid
from dataclasses import asdict, dataclass, field
from datetime import datetime, timezone
from typing import Any

CONTEXT = 32
COLORS = ("yellow", "green", "blue", "pink", "purple")
ANCHORED, MOVED, ORPHANED = "anchored", "moved", "orphaned"
STATES = (ANCHORED, MOVED, ORPHANED)

# A fuzzy match must be at least this similar to the quote, and either sit
# where the quote's context says it should or be nearly identical.
FUZZY_FLOOR = 0.75
FUZZY_WITHOUT_CONTEXT = 0.95


def now_iso() -> str:
    return datetime.now(timezone.utc).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def new_id() -> str:
    return uuid.uuid4().hex[:16]


_TAG_OK = re.compile(r"[^\w\-/.]+", re.UNICODE)


def clean_tag(tag: str) -> str:
    """Tags are single words: lower case, no spaces, no leading '#'."""
    return _TAG_OK.sub("-", tag.strip().lstrip("#").lower()).strip("-")


def clean_tags(tags: list[str] | tuple[str, ...]) -> list[str]:
    out: list[str] = []
    for tag in tags:
        for part in re.split(r"[,\s]+", tag):
            t = clean_tag(part)
            if t and t not in out:
                out.append(t)
    return out


@dataclass(slots=True)
class Annotation:
    article_id: str
    start: int
    end: int
    quote: str
    prefix: str = ""
    suffix: str = ""
    content_hash: str = ""
    color: str = "yellow"
    note: str = ""
    tags: list[str] = field(default_factory=list)
    id: str = field(default_factory=new_id)
    created: str = field(default_factory=now_iso)
    updated: str = ""
    state: str = ANCHORED

    def __post_init__(self) -> None:
        if not self.updated:
            self.updated = self.created
        if self.color not in COLORS:
            raise ValueError(f"unknown colour {self.color!r} (choose from {', '.join(COLORS)})")
        if self.state not in STATES:
            raise ValueError(f"unknown state {self.state!r}")

    @classmethod
    def on_text(cls, article_id: str, text: str, start: int, end: int, content_hash: str = "",
                **fields: Any) -> "Annotation":
        """A new annotation on ``text[start:end]`` with its context."""
        if not (0 <= start < end <= len(text)):
            raise ValueError(f"range {start}-{end} is outside the article (length {len(text)})")
        fields["tags"] = clean_tags(fields.get("tags") or [])
        return cls(
            article_id=article_id,
            start=start,
            end=end,
            quote=text[start:end],
            prefix=text[max(0, start - CONTEXT) : start],
            suffix=text[end : end + CONTEXT],
            content_hash=content_hash,
            **fields,
        )

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "Annotation":
        known = {f for f in cls.__dataclass_fields__}  # type: ignore[attr-defined]
        return cls(**{k: v for k, v in data.items() if k in known})


@dataclass(frozen=True, slots=True)
class Anchor:
    start: int
    end: int
    state: str


def _common_suffix(a: str, b: str) -> int:
    n = 0
    for x, y in zip(reversed(a), reversed(b)):
        if x != y:
            break
        n += 1
    return n


def _common_prefix(a: str, b: str) -> int:
    n = 0
    for x, y in zip(a, b):
        if x != y:
            break
        n += 1
    return n


def _context_score(text: str, start: int, end: int, prefix: str, suffix: str) -> int:
    before = text[max(0, start - len(prefix)) : start]
    after = text[end : end + len(suffix)]
    return _common_suffix(before, prefix) + _common_prefix(after, suffix)


def reanchor(ann: Annotation, text: str) -> Anchor:
    """Where ``ann`` sits in ``text`` now.

    1. its offsets still hold the quote → keep them;
    2. exact occurrences of the quote, the best by context agreement and then
       distance from the old place → move there;
    3. a bounded fuzzy match located by the quote's context, above a score
       floor → move there, marked "moved";
    4. otherwise an orphan (offsets kept as they were, the quote kept).
    """
    quote = ann.quote
    if not quote:
        return Anchor(ann.start, ann.end, ORPHANED)
    if text[ann.start : ann.end] == quote:
        return Anchor(ann.start, ann.end, ANCHORED if ann.state != MOVED else MOVED)

    exact = _exact(ann, text)
    if exact is not None:
        return exact
    fuzzy = _fuzzy(ann, text)
    if fuzzy is not None:
        return fuzzy
    return Anchor(ann.start, ann.end, ORPHANED)


def _exact(ann: Annotation, text: str) -> Anchor | None:
    quote = ann.quote
    positions = []
    i = text.find(quote)
    while i != -1 and len(positions) < 1000:
        positions.append(i)
        i = text.find(quote, i + 1)
    if not positions:
        return None
    scored = sorted(
        positions,
        key=lambda p: (-_context_score(text, p, p + len(quote), ann.prefix, ann.suffix), abs(p - ann.start)),
    )
    best = scored[0]
    context = _context_score(text, best, best + len(quote), ann.prefix, ann.suffix)
    # A short quote found far from any of its context could be another passage
    # that merely says the same words: only take it when something vouches.
    if context >= 8 or len(quote) >= 40 or (len(positions) == 1 and len(quote) >= 16):
        return Anchor(best, best + len(quote), ANCHORED)
    return None


def _fuzzy(ann: Annotation, text: str) -> Anchor | None:
    quote = ann.quote
    n = len(quote)
    if n < 8:
        return None
    candidates: set[tuple[int, int]] = set()
    starts: list[int] = []
    ends: list[int] = []
    key = 16
    if len(ann.prefix) >= 8:
        for m in _find_all(text, ann.prefix[-key:]):
            starts.append(m + len(ann.prefix[-key:]))
    if len(ann.suffix) >= 8:
        for m in _find_all(text, ann.suffix[:key]):
            ends.append(m)
    head, tail = quote[: min(key, n // 2)], quote[-min(key, n // 2) :]
    quote_starts = list(_find_all(text, head))
    quote_ends = [m + len(tail) for m in _find_all(text, tail)]
    lo, hi = int(n * 0.5), int(n * 1.5) + 1
    for s in starts + quote_starts:
        for e in ends + quote_ends:
            if lo <= e - s <= hi:
                candidates.add((s, e))
        if not ends and not quote_ends:
            candidates.add((s, min(len(text), s + n)))
    for e in ends + quote_ends:
        if not starts and not quote_starts:
            candidates.add((max(0, e - n), e))
    best: tuple[float, int, int, int] | None = None
    for s, e in candidates:
        if e <= s:
            continue
        ratio = difflib.SequenceMatcher(None, quote, text[s:e], autojunk=False).ratio()
        context = _context_score(text, s, e, ann.prefix, ann.suffix)
        key_ = (ratio, context, -abs(s - ann.start))
        if best is None or key_ > best[:3]:
            best = (ratio, context, -abs(s - ann.start), s, e)  # type: ignore[assignment]
    if best is None:
        return None
    ratio, context, _dist, s, e = best  # type: ignore[misc]
    vouched = context >= 8
    if ratio >= FUZZY_WITHOUT_CONTEXT or (vouched and ratio >= FUZZY_FLOOR):
        return Anchor(s, e, MOVED)
    return None


def _find_all(text: str, needle: str, limit: int = 200):
    if not needle:
        return
    i = text.find(needle)
    count = 0
    while i != -1 and count < limit:
        yield i
        count += 1
        i = text.find(needle, i + 1)


def relocate(old_text: str, new_text: str, offset: int) -> int:
    """Where a reading position at ``offset`` of ``old_text`` is in ``new_text``.

    The passage at the position is found again the way annotations are
    re-anchored; failing that, the same relative place in the new text.
    """
    if old_text == new_text:
        return min(offset, len(new_text))
    offset = max(0, min(offset, len(old_text)))
    end = min(len(old_text), offset + 48)
    if end - offset >= 8:
        probe = Annotation.on_text("_", old_text, offset, end)
        anchor = reanchor(probe, new_text)
        if anchor.state != ORPHANED:
            return anchor.start
    if not old_text:
        return 0
    return int(len(new_text) * offset / len(old_text))
