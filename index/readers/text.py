"""Reader for scraped plain-text articles.

Scraped text comes in two shapes: one paragraph per line, or paragraphs
separated by blank lines and possibly hard-wrapped at a fixed width. Both are
turned into *units* (one paragraph-like run of text each); the units are then
cleaned of site furniture ("Advertisement", "Share this", a tail of
"Previous Article / Next Article / Leave a Comment" lines), duplicated lines
and teasers, and classified into blocks by general heuristics: short lines
without closing punctuation followed by prose are headings, image descriptions
are captions, fully quoted lines are quotes, bulleted lines are list items.

Everything here works on shape and generic web vocabulary; nothing is matched
against one particular site or file.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from ..model import Article, ArticleBuilder
from ..normalize import strip_controls

# --- vocabulary ------------------------------------------------------------

# Whole lines (compared case-insensitively, trailing punctuation ignored) that
# are site furniture, never article content.
_FURNITURE_LINES = {
    "ad", "ads", "advertisement", "advertisements", "advertising", "sponsored",
    "sponsored content", "paid content", "promoted", "partner content",
    "share", "share this", "share this article", "share this story",
    "share this post", "share this page", "share article", "share story",
    "share via", "shares", "tweet", "email", "e-mail", "print", "copy link",
    "link copied", "click to share", "save", "save article", "bookmark",
    "subscribe", "subscribe now", "sign up", "sign in", "log in", "login",
    "register", "newsletter", "get the newsletter",
    "read more", "read next", "read also", "continue reading", "see more",
    "show more", "load more", "more", "more stories", "more articles",
    "related", "related articles", "related stories", "related posts",
    "related content", "related reading", "related news", "related topics",
    "you may also like", "you might also like", "you may like",
    "recommended", "recommended for you", "recommended stories",
    "most popular", "most read", "popular", "trending", "trending now",
    "editor's picks", "editors' picks", "don't miss", "top stories",
    "was this helpful", "was this article helpful", "was this post helpful",
    "did you find this helpful", "did you find this article helpful",
    "previous article", "next article", "previous post", "next post",
    "previous story", "next story", "previous", "next", "prev",
    "leave a comment", "leave a reply", "write a comment", "post a comment",
    "add a comment", "comments", "comment", "view comments", "show comments",
    "join the conversation", "join the discussion",
    "skip to content", "skip to main content", "back to top", "scroll to top",
    "scroll to continue", "scroll to continue with content",
    "story continues below", "story continues below advertisement",
    "article continues below", "article continues below advertisement",
    "continue reading below", "advertisement - scroll to continue",
    "loading", "follow us", "story continues below gallery", "story continues below video", "about the author", "listen to this article",
    "tags", "topics", "filed under", "categories", "category",
}

# Furniture that also turns up in the middle of an article: dropped where it
# stands, but never taken as the start of the trailing furniture.
_INLINE_FURNITURE = {
    "ad", "ads", "advertisement", "advertisements", "advertising", "sponsored",
    "sponsored content", "paid content", "promoted", "partner content", "share",
    "shares", "tweet", "email", "e-mail", "print", "copy link", "link copied",
    "click to share", "save", "save article", "bookmark", "loading", "skip to content",
    "skip to main content", "back to top", "scroll to top", "scroll to continue",
    "scroll to continue with content", "story continues below",
    "story continues below advertisement", "article continues below",
    "article continues below advertisement", "continue reading below",
    "advertisement - scroll to continue", "listen to this article",
    "story continues below gallery", "story continues below video",
}

# Prefixes that make a short line furniture ("Tags: AI, policy").
_FURNITURE_PREFIX = re.compile(
    r"^(?:(?:tags|tagged|topics|filed under|categories|related|read more|read also|also read"
    r"|see also|more|more from \w+|more on this story|share|follow us|sign up|subscribe)\s*[:|›»]"
    r"|(?:share (?:this|on|via)|follow us on|sign up for|subscribe to|more from|\d+\s+comments?"
    r"|\d+\s+shares?)\b)",
    re.IGNORECASE,
)
_FURNITURE_PREFIX_MAX_WORDS = 16

_BULLET = re.compile(r"^(?P<indent>[ \t]*)(?P<marker>[-*•·▪◦‣–](?=\s)|\d{1,3}[.)](?=\s)|[a-z]\)(?=\s))\s*")
_GLYPH_MARKERS = set("-*•·▪◦‣–")
_ATX = re.compile(r"^\s{0,3}(#{1,6})\s+(.+?)\s*#*\s*$")
_SETEXT = re.compile(r"^\s{0,3}(={3,}|-{3,})\s*$")
_RULE = re.compile(r"^\s*(?:[-*_=~•·]\s*){3,}$")

_ELLIPSIS = re.compile(r"(?:…|\.\s?\.\s?\.)\s*$")
_VISUAL = re.compile(
    r"\b(?:illustrations?|images?|photos?|photographs?|pictures?|visuali[sz]ations?"
    r"|renderings?|renders?|diagrams?|charts?|graphics?|infographics?|screenshots?"
    r"|showing|depicting|depicts|shows|pictured|close-up|aerial view|artwork)\b",
    re.IGNORECASE,
)
_CAPTION_PREFIX = re.compile(
    r"^(?:image|photo|photograph|picture|illustration|caption|credit|photo credit"
    r"|image credit|pictured|graphic|chart|figure|fig\.?|source|video)\s*\d*\s*[:|—–]\s*\S",
    re.IGNORECASE,
)
_CREDIT = re.compile(
    r"\b(?:getty images|shutterstock|alamy|unsplash|ap photo|photo by|photograph by"
    r"|image by|illustration by|photo courtesy|image courtesy|photo credit|image credit"
    r"|(?:photo|image|illustration|credit)\s*:)",
    re.IGNORECASE,
)

_QUOTE_PAIRS = {"“": "”„“", '"': '"', "«": "»", "„": "“”", "‘": "’", "»": "«", "「": "」"}
_ATTRIBUTION = re.compile(r"\s*(?:[—–―]|-{1,2})\s*[^“”\"«»]{1,80}$")

_BYLINE = re.compile(r"^(?:by|written by|words by|story by|reporting by)\s+(?P<rest>\S.*)$", re.IGNORECASE)
_MONTHS = (
    r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?"
    r"|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?"
)
_DATE = re.compile(
    r"(?:\b\d{4}-\d{1,2}-\d{1,2}\b"
    r"|\b\d{1,2}/\d{1,2}/\d{2,4}\b"
    rf"|\b{_MONTHS}\s+\d{{1,2}}(?:st|nd|rd|th)?,?\s+\d{{4}}\b"
    rf"|\b\d{{1,2}}(?:st|nd|rd|th)?\s+{_MONTHS},?\s+\d{{4}}\b"
    r"|\b\d+\s+(?:minutes?|hours?|days?|weeks?)\s+ago\b)",
    re.IGNORECASE,
)
_DATE_LINE_WORDS = re.compile(
    r"^(?:published|updated|posted|last updated|modified|date)\b\s*(?:on|at)?\s*:?\s*",
    re.IGNORECASE,
)

_CLOSERS = "”’\"'»)]}*_"

# --- units -------------------------------------------------------------------


@dataclass(slots=True)
class _Unit:
    text: str  # one line of prose (lines joined), not yet normalized
    list_level: int = -1  # >= 0 for list items
    heading_level: int = 0  # > 0 when the source marks it as a heading (#, underline)

    @property
    def is_list(self) -> bool:
        return self.list_level >= 0


def _words(text: str) -> int:
    return len(text.split())


def _last_char(text: str) -> str:
    stripped = text.rstrip().rstrip(_CLOSERS)
    return stripped[-1:] if stripped else ""


def _first_word(line: str) -> str:
    parts = line.split(None, 1)
    return parts[0] if parts else ""


def _wrap_width(lines: list[str]) -> int | None:
    """The width the text was hard-wrapped at, or None when it was not wrapped.

    Looks at lines followed by another non-blank line: in a hard-wrapped file
    most of them run close to one width and stop mid-sentence; in a file with
    one paragraph per line they are long and end with closing punctuation.
    """
    pairs = [
        (ln.strip(), nxt.strip())
        for ln, nxt in zip(lines, lines[1:])
        if ln.strip() and nxt.strip() and not _BULLET.match(nxt)
    ]
    if len(pairs) < 2:
        return None
    inner = [ln for ln, _ in pairs]
    lengths = sorted(len(s) for s in inner)
    width = lengths[int(0.9 * (len(lengths) - 1))]
    if width > 140 or width < 30:
        return None
    # a wrapper fills lines: mostly the next line's first word would not have fitted
    if sum(1 for ln, nxt in pairs if _soft_break(ln, nxt, width)) < 0.6 * len(pairs):
        return None
    wrapped = sum(1 for s in inner if len(s) >= 0.5 * width and _last_char(s) not in ".!?…:")
    return width if wrapped >= 0.4 * len(inner) else None


def _blank_separated_width(lines: list[str]) -> int | None:
    """For text whose paragraphs are separated by blank lines and whose lines
    are all short: the longest line, so that a line break inside a paragraph
    that a wrapper would have made still joins (a wrapped list item, say)."""
    blanks = sum(1 for ln in lines if not ln.strip())
    longest = max((len(ln.strip()) for ln in lines), default=0)
    if blanks >= 2 and 30 <= longest <= 140:
        return longest
    return None


def _units(raw: str) -> list[_Unit]:
    text = unicodedata.normalize("NFC", strip_controls(raw)).expandtabs(4)
    lines = [ln.rstrip() for ln in text.split("\n")]
    width = _wrap_width(lines) or _blank_separated_width(lines)
    units: list[_Unit] = []
    current: _Unit | None = None  # the unit the next line may continue
    prev_line = ""
    for line in lines:
        stripped = line.strip()
        if not stripped:
            current = None
            prev_line = ""
            continue
        setext = _SETEXT.match(line)
        if setext and current is not None and prev_line and not current.is_list:
            # "Title\n=====": the unit just read is a heading
            if _words(current.text) <= 20:
                current.heading_level = 1 if setext.group(1)[0] == "=" else 2
                current = None
                prev_line = ""
                continue
        if _RULE.match(line):
            current = None
            prev_line = ""
            continue
        atx = _ATX.match(line)
        if atx:
            units.append(_Unit(atx.group(2), heading_level=len(atx.group(1))))
            current = None
            prev_line = ""
            continue
        bullet = _BULLET.match(line)
        if bullet:
            marker = bullet.group("marker")
            body = line[bullet.end():]
            if marker not in _GLYPH_MARKERS:
                body = f"{marker} {body}"  # keep ordinal numbers: they carry meaning
            level = len(bullet.group("indent")) // 2
            current = _Unit(body, list_level=min(level, 5))
            units.append(current)
            prev_line = stripped
            continue
        indented = len(line) - len(line.lstrip()) > 0
        if current is not None and (
            (width and _soft_break(prev_line, stripped, width)) or (current.is_list and indented)
        ):
            if current.text.endswith("-") and current.text[-2:-1].isalpha() and stripped[:1].islower():
                current.text += stripped
            else:
                current.text += " " + stripped
            prev_line = stripped
            continue
        current = _Unit(stripped)
        units.append(current)
        prev_line = stripped
    for unit in units:  # whitespace folded once here: helpers below rely on it
        unit.text = " ".join(unit.text.split())
    return [u for u in units if u.text]


def _soft_break(prev: str, nxt: str, width: int) -> bool:
    """True when the break between two lines was made by a wrapper: the next
    line's first word would not have fitted on the previous line."""
    return len(prev) + 1 + len(_first_word(nxt)) > width


# --- furniture ------------------------------------------------------------------


def _key(text: str) -> str:
    return text.casefold().rstrip(" .:!?…|»›>-–—").replace("’", "'")


def _is_furniture(unit: _Unit) -> bool:
    text = unit.text
    if not text or (unit.heading_level and _words(text) > 4):
        return False
    if _key(text) in _FURNITURE_LINES:
        return True
    return bool(_FURNITURE_PREFIX.match(text)) and _words(text) <= _FURNITURE_PREFIX_MAX_WORDS and (
        _last_char(text) not in ".!" or _words(text) <= 4
    )


def _title_like(text: str) -> bool:
    """Short and not a sentence: a related-article title, a button, a label."""
    return _words(text) <= 25 and len(text) <= 200 and _last_char(text) not in ".!;,"


def _cut_tail(units: list[_Unit]) -> list[_Unit]:
    """Drop the trailing run of site furniture: it starts at a furniture line
    and holds only furniture and short title-like lines (related articles)."""
    start = len(units)
    for i in range(len(units) - 1, 0, -1):
        text = units[i].text
        if _is_furniture(units[i]):
            if _key(text) not in _INLINE_FURNITURE:
                start = i
        elif not _title_like(text) or units[i].is_list:
            break
    if start < len(units) and start > 0:
        return units[:start]
    return units


# --- classification ---------------------------------------------------------------


def _is_caption(text: str) -> bool:
    if _words(text) > 60:
        return False
    if _CAPTION_PREFIX.match(text):
        return True
    if _ELLIPSIS.search(text) and _words(text) <= 40 and _VISUAL.search(text):
        return True
    credit = _CREDIT.search(text)
    if credit:
        before = text[: credit.start()].rstrip()
        after_sep = before.endswith(("(", "[", "|", "/", "—", "–", "-", ".", ":"))
        return after_sep or before == "" or _last_char(text) not in ".!?"
    return False


def _is_quote(text: str) -> bool:
    if len(text) < 3:
        return False
    opener = text[0]
    closers = _QUOTE_PAIRS.get(opener)
    if not closers:
        return False
    body = text[1:]
    attribution = _ATTRIBUTION.search(body)
    for candidate in (body, body[: attribution.start()] if attribution else None):
        if not candidate:
            continue
        candidate = candidate.rstrip()
        if candidate and candidate[-1] in closers:
            inner = candidate[:-1]
            stray = set(closers) | {opener} | ({'"'} if opener == '"' else set("“”«»"))
            if opener in "‘":
                stray = {"‘"}  # apostrophes are ’ too
            if not any(ch in stray for ch in inner) and inner.strip():
                return True
    return False


def _heading_candidate(unit: _Unit) -> bool:
    text = unit.text
    if unit.is_list or not text:
        return False
    if len(text) > 100 or _words(text) > 12:
        return False
    first = text[0]
    if not (first.isupper() or first.isdigit()):
        return False
    if _last_char(text) in ".!;:,…" or text.endswith("..."):
        return False
    return any(ch.isalpha() for ch in text)


def _is_prose(unit: _Unit) -> bool:
    if unit.is_list or not _heading_candidate(unit):
        return True
    text = unit.text
    return _is_caption(text) or _is_quote(text)


def _byline(units: list[_Unit], metadata: dict) -> int:
    """Read a byline / date among the few lines under the title into
    ``metadata``; returns how many units were used."""
    used = 0
    for unit in units[:3]:
        text = unit.text
        if unit.is_list or _words(text) > 16 or len(text) > 160:
            break
        by = _BYLINE.match(text)
        if by:
            metadata.setdefault("byline", text)
            rest = by.group("rest")
            date = _DATE.search(rest)
            name = rest[: date.start()] if date else rest
            name = re.split(r"\s*(?:[|•·,—–]|\s-\s|\bon\b|\bupdated\b|\bpublished\b)\s*", name)[0].strip()
            if name:
                metadata.setdefault("author", name)
            if date:
                metadata.setdefault("date", date.group(0))
            used += 1
            continue
        date = _DATE.search(text)
        if date and _words(_DATE.sub("", _DATE_LINE_WORDS.sub("", text))) <= 4:
            metadata.setdefault("date", date.group(0))
            used += 1
            continue
        break
    return used


def _strip_ellipsis(text: str) -> tuple[str, bool]:
    m = _ELLIPSIS.search(text)
    if m:
        return text[: m.start()].rstrip(), True
    return text, False


def _drop_repeats(units: list[_Unit], title: str) -> list[_Unit]:
    """Keep one of consecutive duplicate lines, and drop a line repeating the title."""
    out: list[_Unit] = []
    previous = _key(title) if title else None
    for unit in units:
        key = _key(unit.text)
        if key and key == previous:
            if unit.heading_level and out:
                out[-1].heading_level = out[-1].heading_level or unit.heading_level
            continue
        out.append(unit)
        previous = key
    return out


def _drop_teasers(units: list[_Unit]) -> list[_Unit]:
    """Drop a line that only repeats the start of what follows it (a teaser or
    excerpt: "Heading The first words of the paragraph…")."""
    out: list[_Unit] = []
    for i, unit in enumerate(units):
        text, ellipsis = _strip_ellipsis(unit.text)
        if len(text) >= 30 and i + 1 < len(units) and not unit.heading_level:
            following = " ".join(u.text for u in units[i + 1 : i + 8])
            if following.startswith(text) and (ellipsis or len(text) > len(units[i + 1].text)):
                continue
        out.append(unit)
    return out


def read_text(raw: str, article_id: str, metadata: dict) -> Article:
    meta = dict(metadata or {})
    units = _units(raw)
    units = _cut_tail(units)
    units = [u for u in units if not _is_furniture(u)]

    if units and _BYLINE.match(units[0].text):  # a byline above the title
        units = units[_byline(units, meta) :]
    title = ""
    if len(units) >= 2:
        first = units[0]
        text = first.text
        if not first.is_list and (
            first.heading_level
            or (_words(text) <= 25 and len(text) <= 200 and _last_char(text) not in ".,;:…")
        ):
            title = text
            units = units[1:]
            units = units[_byline(units, meta) :]
    if not title and meta.get("title"):
        title = str(meta["title"])

    units = _drop_repeats(units, title)
    units = _drop_teasers(units)

    builder = ArticleBuilder(article_id, title=title, metadata=meta)
    for i, unit in enumerate(units):
        text = unit.text
        if unit.heading_level:
            builder.add("heading", text, min(unit.heading_level, 6))
        elif unit.is_list:
            builder.add("list_item", text, unit.list_level)
        elif _is_caption(text):
            builder.add("caption", text)
        elif _is_quote(text):
            builder.add("quote", text)
        elif (
            _heading_candidate(unit)
            and i + 1 < len(units)
            and _is_prose(units[i + 1])
            and not units[i + 1].heading_level
        ):
            builder.add("heading", text, 2)
        else:
            builder.add("paragraph", text)
    return builder.build()
