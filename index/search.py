"""Full-text search over a briefing: a Whoosh index with one document per section.

Design (figures behind it are in the shared Whoosh notes):

* One Whoosh document per :class:`~index.model.Section`; the body indexed is
  ``article.text[section.start:section.end]`` (with the heading once more, so
  heading words count more) and hit offsets are ``section.start + local
  offset``. Section documents also carry the article's title (weighted 0.75
  of the body for plain words), ``author`` and ``date`` (``author:smith``,
  ``date:2026``, ``date:[2025-01-01 TO 2026-06-30]``).
* Annotations are documents of their own (``ann_id``; quote and note in
  ``note`` and in ``body``, tags in ``tag``), so ``note:``/``tag:`` and plain
  words find them; they come back as hits of kind "annotation".
* One analyzer (:class:`BriefingAnalyzer`) does tokenizing, lower-casing, stop
  words and Porter stemming in a single loop with an unbounded stem cache; it
  is used for indexing, for the query parser and for highlighting, so the three
  always agree. Indexing runs the same steps fused with Whoosh's position
  encoding (:class:`_Text`, byte-identical postings), and a full build's
  workers sort their postings in memory (``PARALLEL_LIMITMB``): together 10,000
  articles build in about 30 s instead of 68 s.
* Plain words: for up to four words, sections holding *all* of them come first
  (an AND search), then sections holding only some (an OR search); longer
  queries (questions) are ranked by BM25 over any of their words. ``total``
  counts the sections matching any word, exactly; for a phrase whose words
  occur together in more than a few thousand sections it is an estimate
  (positions checked on an even sample of them). Explicit AND/OR/NOT,
  "phrases", ``title:``/``section:``, ``term*`` and ``term~`` work as usual.
* Ranking does not go through Whoosh's collector: each term's postings are
  read a block at a time and scored with Whoosh's own BM25F formula and
  statistics (same scores, same order), and AND/OR/NOT are dict and set
  operations; phrases are ranked by their words and their positions checked
  best first only until the page is full (:class:`_Engine`). Queries it does
  not handle (date ranges) go to Whoosh's collector, whose ``total`` for
  very common words is an estimate.
* Prefix and fuzzy terms are expanded here, capped, against the index and a
  small vocabulary of surface words kept next to the index (also used for
  did-you-mean, so suggestions are real words, not stems).
* One searcher is reused until the next update; every commit merges small
  segments so the index stays at one or two segments.
* Offsets, snippets and snippet spans come from re-analysing the few hit
  sections' text with the same analyzer (cheap: top hits only; none at all
  with ``snippets=False``).
* Related passages: a section's key terms by tf-idf, as one weighted query
  over the other articles (:meth:`SearchIndex.related`).
"""

from __future__ import annotations

import datetime
import gc
import hashlib
import json
import math
import os
import pathlib
import pickle
import re
import threading
import warnings
from bisect import bisect_left
from collections import Counter
from itertools import accumulate, islice
from typing import Callable, Iterable, Iterator

from whoosh import fields as wfields
from whoosh import formats
from whoosh import index as windex
from whoosh import qparser
from whoosh import query as wq
from whoosh.analysis import STOP_WORDS, LowercaseFilter, RegexTokenizer, Token
from whoosh.analysis.acore import Composable
from whoosh.lang.porter import stem as _porter_stem
from whoosh.system import pack_uint as _pack_uint

from .model import Article, Hit, SearchResult

__all__ = ["QueryError", "SearchIndex", "BriefingAnalyzer", "analyze"]


class IndexBusy(RuntimeError):
    """Another process holds the index's write lock for too long."""


class QueryError(ValueError):
    """A query that cannot be run; ``str()`` is a one-line explanation naming it."""


# ---------------------------------------------------------------------------
# Analysis

_WORD = re.compile(r"\w+(?:\.\w+)*")
# Whoosh's stop list plus question words, so a natural-language question
# ("what are the effects of X on Y?") boils down to its content words.
# "us" is kept: in news and policy writing it is mostly "US".
_STOPS = (frozenset(STOP_WORDS) - {"us"}) | frozenset(
    """about after also been before but could did do does had has how into its
    than then there these they those was were what which who whom whose why
    would should""".split()
)
_MINSIZE = 2
# Everyday words (beyond the stop words) that never make a passage's key terms
# for related passages; they are still indexed and searchable.
_COMMON = """able about above according across actually after again against ago ahead
all almost along already although always among another any anyone anything around
away back because become becomes before began begin behind being below best better
between big both bring brought call called came can come comes coming could day days
despite did different does done down during each early else end enough especially even
ever every everything far few first following found four from further get gets getting
give given gives go goes going gone good got great half happen happened has have having
help here high however including instead into just keep kept know known large last late
later least less let like likely little long look looking lot made make makes making
many may maybe might more most much must need needs never new next nothing now number
off often old once one only other others our out over own part past per perhaps place
put quite rather really recent recently right said same saw say saying says second see
seem seemed seems seen set several shall should show shown side since six small some
something soon still such sure take taken takes taking than that their them then there
these thing things think third this those though three through thus time times today
together too took toward towards two under until upon use used uses using very via want
wanted way ways week weeks well went were what whatever when where whether which while
who whole whom whose why will within without would year years yet""".split()
_stem_cache: dict[str, str] = {}


def _stem(word: str) -> str:
    try:
        return _stem_cache[word]
    except KeyError:
        if len(_stem_cache) > 500_000:
            _stem_cache.clear()
        s = _stem_cache[word] = _porter_stem(word)
        return s


_COMMON_STEMS = frozenset(_porter_stem(w) for w in _COMMON)


def analyze(text: str) -> list[tuple[str, int, int]]:
    """``(stem, start, end)`` for each indexed word of ``text``, in order
    (stop words and one-letter words dropped, as in the index)."""
    out = []
    stops = _STOPS
    cache = _stem_cache
    for m in _WORD.finditer(text):
        w = m.group().lower()
        if len(w) < _MINSIZE or w in stops:
            continue
        s = cache.get(w)
        if s is None:
            s = _stem(w)
        out.append((s, m.start(), m.end()))
    return out


class BriefingAnalyzer(Composable):
    """Regex tokenizer + lowercase + stop words + cached Porter stem, fused into
    one loop (several times faster than the composed Whoosh chain)."""

    is_morph = True

    def __eq__(self, other: object) -> bool:
        return type(other) is type(self)

    def __hash__(self) -> int:
        return hash(type(self).__name__)

    def __call__(
        self,
        value: str,
        positions: bool = False,
        chars: bool = False,
        keeporiginal: bool = False,
        removestops: bool = True,
        start_pos: int = 0,
        start_char: int = 0,
        tokenize: bool = True,
        mode: str = "",
        **kwargs,
    ) -> Iterator[Token]:
        t = Token(positions, chars, removestops=removestops, mode=mode, **kwargs)
        t.boost = 1.0
        if not tokenize:
            w = value.lower()
            t.original = value
            t.text = _stem(w) if w else w
            t.stopped = False
            if positions:
                t.pos = start_pos
            if chars:
                t.startchar = start_char
                t.endchar = start_char + len(value)
            yield t
            return
        stops = _STOPS
        cache = _stem_cache
        pos = start_pos
        for m in _WORD.finditer(value):
            w = m.group().lower()
            stopped = len(w) < _MINSIZE or w in stops
            if stopped and removestops:
                continue
            s = cache.get(w)
            if s is None:
                s = _stem(w)
            t.text = s
            t.stopped = stopped
            if keeporiginal:
                t.original = m.group()
            if positions:
                t.pos = pos
            if chars:
                t.startchar = start_char + m.start()
                t.endchar = start_char + m.end()
            pos += 1
            yield t


class _Text(wfields.TEXT):
    """A TEXT field whose indexing does analysis, grouping and position
    encoding in one loop when its analyzer is :class:`BriefingAnalyzer` (no
    Token objects, no generator chain): the same postings, bytes for bytes,
    as Whoosh's ``Positions.word_values`` (tests compare them)."""

    def index(self, value, **kwargs):
        fmt = self.format
        if (
            type(self.analyzer) is not BriefingAnalyzer
            or type(fmt) is not formats.Positions
            or not isinstance(value, str)
            or kwargs
        ):
            yield from super().index(value, **kwargs)
            return
        yield from _index_positions(value, fmt.field_boost)


def _index_positions(value: str, field_boost: float):
    """(term bytes, frequency, weight, encoded positions) of each distinct
    indexed word of ``value``, as ``Positions.word_values`` gives them."""
    if "\u0130" in value or "\u03a3" in value:
        # The two characters whose lower case depends on context or changes
        # what is a word: lower each word, as the analyzer does.
        words = [m.lower() for m in _WORD.findall(value)]
    else:
        words = _WORD.findall(value.lower())
    stops = _STOPS
    cache = _stem_cache
    poses: dict[str, list[int]] = {}
    pos = 0
    for w in words:
        if len(w) < _MINSIZE or w in stops:
            continue
        st = cache.get(w)
        if st is None:
            st = _stem(w)
        got = poses.get(st)
        if got is None:
            poses[st] = [pos]
        else:
            got.append(pos)
        pos += 1
    dumps = pickle.dumps
    for st, plist in poses.items():
        n = len(plist)
        if n == 1:
            deltas = plist
        else:
            deltas = [plist[0]]
            deltas += [b - a for a, b in zip(plist, islice(plist, 1, None))]
        yield st.encode("utf-8"), n, float(n) * field_boost, _pack_uint(n) + dumps(deltas, 2)


# ---------------------------------------------------------------------------
# Schema and storage layout

_META = ".briefing-search.json"  # dot files are left alone by Whoosh's cleanup
_VOCAB = ".briefing-vocab.json"
_FIELDS = ("title", "heading", "body", "note")  # text fields analysed by BriefingAnalyzer
# Plain words search title and body only: the heading is part of the body
# text (indexed twice there, so heading words count more), and annotation
# documents put their quote, note and tags in the body too. A third field
# would make every word a three-way OR (slower, notes).
_DEFAULT_FIELDS = ("title", "body")
_META_FIELDS = ("author", "date", "tag")  # fields a query may name, not analysed as text
_FIELD_NAMES = {
    "title": "title", "section": "heading", "heading": "heading", "body": "body",
    "note": "note", "tag": "tag", "author": "author", "date": "date",
}
# Names that are a field only when a value follows at once ("tag:x"); with a
# space after the colon they are prose ("Note: how does ...").
_TIGHT_FIELDS = {"note", "tag", "author", "date"}
# A section document carries its article's title: context for the section,
# weaker evidence than the section's own words, so a plain word found in the
# title scores 0.75 of the same find in the body (being short, the title still
# scores high). On Cranfield (1,400 abstracts, 225 queries; eval/retrieval.py)
# weights 0.75 / 1.0 / 2.0 gave MAP 0.315 / 0.312 / 0.303, nDCG@10 0.406 /
# 0.401 / 0.393.
_TITLE_BOOST = 1.0  # index time (scales term frequency)
_TITLE_QUERY_BOOST = 0.75  # query time, for plain words
# The all-words tier (sections holding every word first) is used for queries of
# at most this many distinct words; longer natural-language queries are
# ranked by plain BM25 over any of their words.
_AND_TIER_MAX_WORDS = 4


def _schema() -> wfields.Schema:
    ana = BriefingAnalyzer()
    names = RegexTokenizer(r"\w+") | LowercaseFilter()
    return wfields.Schema(
        # Every document: the article it belongs to.
        article_id=wfields.ID(stored=True),
        # Section documents: the article id again (deleting an article's
        # sections leaves its annotation documents alone), and metadata.
        section_of=wfields.ID(),
        section_id=wfields.STORED(),
        start=wfields.STORED(),
        title=_Text(analyzer=ana, stored=True, field_boost=_TITLE_BOOST),
        heading=_Text(analyzer=ana, stored=True, field_boost=1.5),
        body=_Text(analyzer=ana),
        author=wfields.TEXT(analyzer=names),
        date=wfields.DATETIME(),
        # Annotation documents: id, quote + note, tags, and what a hit needs.
        ann_id=wfields.ID(stored=True),
        note=_Text(analyzer=ana),
        tag=wfields.KEYWORD(lowercase=True, scorable=True),
        ann=wfields.STORED(),
    )


def _merge_policy(writer, segments):
    """Keep the index at a few segments (many segments make queries slow).

    Segments holding at least a fifth of the documents and few deletions are
    kept (at most three: a parallel full build leaves two); every other
    segment is merged into the segment being written. So an update of a few
    articles stays cheap while the count stays at two to four.
    """
    from whoosh.reading import SegmentReader

    total = sum(s.doc_count_all() for s in segments) or 1
    ordered = sorted(segments, key=lambda s: s.doc_count_all(), reverse=True)
    keep = [
        s
        for s in ordered
        if s.doc_count_all() * 5 >= total and (s.doc_count_all() - s.doc_count()) * 4 <= s.doc_count_all()
    ][:3]
    to_merge = [s for s in segments if s not in keep]
    for seg in to_merge:
        reader = SegmentReader(writer.storage, writer.schema, seg)
        writer.add_reader(reader)
        reader.close()
    return keep


# ---------------------------------------------------------------------------
# Query preparation

_FIELD_PREFIX = re.compile(r"(?<![\w.])(\w+):")
_FUZZY_WORD = re.compile(r"(\w+)~")
_OPERATORS = {"AND", "OR", "NOT", "ANDNOT", "ANDMAYBE", "REQUIRE"}
_PREFIX_CAP = 40
_FUZZY_CAP = 5
_LETTERS = "abcdefghijklmnopqrstuvwxyz"
_DATE_VALUE = re.compile(r"\d{4}(?:-\d{1,2}(?:-\d{1,2})?)?")
_DATE_HELP = "a date is a year, month or day (2026, 2026-03, 2026-03-14) or a range [2025-01-01 TO 2026-06-30]"


def _edits1(word: str) -> set[str]:
    splits = [(word[:i], word[i:]) for i in range(len(word) + 1)]
    deletes = [a + b[1:] for a, b in splits if b]
    transposes = [a + b[1] + b[0] + b[2:] for a, b in splits if len(b) > 1]
    replaces = [a + c + b[1:] for a, b in splits if b for c in _LETTERS]
    inserts = [a + c + b for a, b in splits for c in _LETTERS]
    return set(deletes + transposes + replaces + inserts)


def _short(query: str, width: int = 60) -> str:
    q = " ".join(query.split())
    return q if len(q) <= width else q[: width - 1] + "…"


def _prepare(query: str) -> str:
    """Rewrite the raw query string so the parser sees what the user meant.

    Raises :class:`QueryError` for what cannot be interpreted.
    """
    q = query.strip()
    if not q:
        raise QueryError("empty query: type some words to search for")

    def field(m: re.Match) -> str:
        name = m.group(1)
        low = name.lower()
        after = m.string[m.end() : m.end() + 1]
        tight = low in _TIGHT_FIELDS and (not after or after.isspace() or after == ")")
        if low in _FIELD_NAMES and not tight:
            return _FIELD_NAMES[low] + ":"
        return name + " "  # "note: this" is prose, not a field

    q = _FIELD_PREFIX.sub(field, q)
    # "title: foo" means title:foo; a field with nothing after it is an error.
    q = re.sub(r"\b(title|heading|body):\s+(?=[^\s)])", r"\1:", q)
    m = re.search(r"\b(title|heading|body):(?=\s|\)|$)", q)
    if m:
        shown = {"heading": "section"}.get(m.group(1), m.group(1))
        raise QueryError(f"{shown}: needs a word after it in {_short(query)!r}")
    # Range brackets mean something only after date:; elsewhere they are punctuation.
    ranges: list[str] = []

    def keep_range(m: re.Match) -> str:
        lo, hi = m.group(1).strip(), m.group(2).strip()
        for end in (lo, hi):
            if end and not _DATE_VALUE.fullmatch(end):
                raise QueryError(f"date range {m.group(0)!r}: {_DATE_HELP}")
        if not lo and not hi:
            raise QueryError(f"date range {m.group(0)!r}: {_DATE_HELP}")
        ranges.append(f"date:[{lo} TO {hi}]".replace("[ TO", "[TO").replace(" TO ]", " TO]"))
        return f"\x00{len(ranges) - 1}\x00"

    q = re.sub(r"date:\s*[\[{]\s*([^\]}]*?)\s*\bTO\b\s*([^\]}]*?)\s*[\]}]", keep_range, q)
    for m in re.finditer(r"date:([^\s)\x00]*)", q):
        if not _DATE_VALUE.fullmatch(m.group(1)):
            raise QueryError(f"{m.group(0)!r}: {_DATE_HELP}")
    q = re.sub(r"[\[\]{}]", " ", q)
    q = re.sub(r"\x00(\d+)\x00", lambda m: ranges[int(m.group(1))], q)
    if q.count('"') % 2:
        # An unclosed quote: search the words after it as plain words.
        i = q.rfind('"')
        q = q[:i] + " " + q[i + 1 :]
    if not re.search(r"\w", q):
        raise QueryError(f"nothing to search for in {_short(query)!r}")
    return q


def _fix_or_not(q: wq.Query) -> wq.Query:
    """With an OR group, ``a b NOT c`` parses as Or([a, b, Not(c)]), which
    would match everything without c; make it (a OR b) ANDNOT c."""
    if isinstance(q, wq.Or):
        kids = [_fix_or_not(c) for c in q.subqueries]
        pos = [c for c in kids if not isinstance(c, wq.Not)]
        neg = [c.query for c in kids if isinstance(c, wq.Not)]
        if neg and pos:
            a = pos[0] if len(pos) == 1 else wq.Or(pos, boost=q.boost)
            b = neg[0] if len(neg) == 1 else wq.Or(neg)
            return wq.AndNot(a, b)
        return q.__class__(kids, boost=q.boost)
    if isinstance(q, wq.CompoundQuery):
        return q.apply(_fix_or_not)
    if isinstance(q, wq.Not):
        return wq.Not(_fix_or_not(q.query))
    return q


def _walk_positive(
    q: wq.Query,
    words: set[tuple[str, str]],
    phrases: set[tuple[str, ...]],
    other: list[wq.Query] | None = None,
) -> None:
    """Collect the terms and phrases a matching section may contain (not the
    NOT ones); ``other`` gets the positive metadata leaves (author, date, tag)."""
    if isinstance(q, wq.Not):
        return
    if isinstance(q, wq.AndNot):
        _walk_positive(q.a, words, phrases, other)
        return
    if isinstance(q, wq.Phrase):
        if q.fieldname in _FIELDS:
            phrases.add(tuple(str(w) for w in q.words))
        elif other is not None:
            other.append(q)
        return
    if q.is_leaf():
        fieldname = getattr(q, "fieldname", None)
        if isinstance(q, wq.Term) and fieldname in _FIELDS:
            words.add((fieldname, str(q.text)))
        elif other is not None and fieldname in _META_FIELDS:
            other.append(q)
        return
    for c in q.children():
        _walk_positive(c, words, phrases, other)


def _n_words(q: wq.Query) -> int:
    """Distinct words, phrases and metadata terms a query looks for."""
    words: set[tuple[str, str]] = set()
    phrases: set[tuple[str, ...]] = set()
    other: list[wq.Query] = []
    _walk_positive(q, words, phrases, other)
    return len({t for _f, t in words}) + len(phrases) + len(set(other))


def _plain_terms(q: wq.Query) -> list[tuple[str, str]] | None:
    """The (field, text) terms of a query that is a plain OR of terms."""
    if isinstance(q, wq.Term):
        return [(q.fieldname, str(q.text))]
    if isinstance(q, wq.Or) and all(isinstance(c, wq.Term) for c in q.subqueries):
        return [(c.fieldname, str(c.text)) for c in q.subqueries]
    return None


# ---------------------------------------------------------------------------
# Snippets


def _section_hit(article: Article, section, score, body: str, spans: list[tuple[int, int]],
                 reason: str = "") -> Hit:
    """A hit on ``section`` of ``article``: ``spans`` are matches in ``body``
    (the section's text), turned into a snippet and article offsets."""
    snippet, snippet_spans = _snippet(body, spans)
    return Hit(
        article_id=article.id,
        title=article.title,
        section_id=section.id,
        section=section.title,
        score=float(score or 0.0),
        snippet=snippet,
        snippet_spans=snippet_spans,
        offsets=[(section.start + a, section.start + b) for a, b in spans],
        reason=reason,
    )

_SNIPPET_WIDTH = 200


def _snippet(text: str, spans: list[tuple[int, int]]) -> tuple[str, list[tuple[int, int]]]:
    """About 200 characters of ``text`` around its densest run of matches, on
    one line, with ellipses where cut; and the spans re-based onto it."""
    n = len(text)
    width = _SNIPPET_WIDTH
    if spans:
        best, best_count = 0, -1
        j = 0
        for i, (s, _e) in enumerate(spans):
            j = max(j, i)
            while j + 1 < len(spans) and spans[j + 1][1] <= s + width - 40:
                j += 1
            count = len({text[a:b].lower() for a, b in spans[i : j + 1]}) * 1000 + (j - i)
            if count > best_count:
                best, best_count = i, count
        first = spans[best][0]
        ws = max(0, first - 50)
    else:
        ws = 0
    if ws > 0:
        cut = text.rfind(" ", max(0, ws - 20), ws)
        ws = cut + 1 if cut >= 0 else ws
    we = min(n, ws + width)
    if we < n:
        cut = text.rfind(" ", ws + width // 2, we)
        we = cut if cut > 0 else we
    # Collapse whitespace runs (block separators, table line breaks) to one
    # space, keeping a map from text offsets to snippet offsets.
    out: list[str] = []
    where: dict[int, int] = {}
    prefix = "…" if ws > 0 else ""
    length = len(prefix)
    in_space = False
    marked = False  # this whitespace run already shows a block break
    for k in range(ws, we):
        ch = text[k]
        where[k] = length
        if ch.isspace():
            if in_space:
                if ch == "\n" and not marked and out and out[-1] == " ":
                    # A blank line between blocks (a heading and its text):
                    # show the break instead of running them together.
                    out[-1] = " · "
                    length += 2
                    marked = True
                continue
            in_space = True
            marked = False
            out.append(" ")
        else:
            in_space = False
            out.append(ch)
        length += 1
    where[we] = length
    body = "".join(out).rstrip()
    snippet = prefix + body + ("…" if we < n else "")
    mapped = []
    for s, e in spans:
        if s >= ws and e <= we:
            a, b = where[s], where[e]
            if b > a:
                mapped.append((a, min(b, len(prefix) + len(body))))
    return snippet, mapped


# ---------------------------------------------------------------------------
# Ranking: term-at-a-time BM25F over whole posting lists
#
# Whoosh's collector walks its matcher tree one posting at a time (several
# Python calls per posting and per tree level); a section-per-document index
# of 10,000 articles has words in 20,000+ of its 45,000 documents, so a plain
# query cost 50-130 ms and a phrase over common words up to 600 ms (the
# position check ran over every document holding both words). Here each
# term's postings are read a block at a time into a dict {docnum: score} with
# the very BM25F formula and statistics Whoosh uses (same scores, so the same
# ranking), and AND/OR/NOT are set operations on those dicts. Phrases are
# ranked by their words' scores first and their positions checked only on
# the best candidates, in order, until the page is full (the score with the
# phrase checked is never above the candidate score, so the order is exact).
# Queries with parts this does not handle (date ranges) go to Whoosh.


class _Unsupported(Exception):
    pass


class _Engine:
    """Evaluates normalized Whoosh queries for one searcher."""

    # A phrase whose words occur together in at most this many documents has
    # every candidate checked (an exact total); above it the total is
    # estimated from a sample of the candidates.
    PHRASE_CHECK_ALL = 3000
    PHRASE_SAMPLE = 1000

    def __init__(self, searcher):
        from whoosh import scoring

        w = searcher.weighting
        if type(w) is not scoring.BM25F:
            raise _Unsupported
        self.searcher = searcher
        self.schema = searcher.schema
        self.B, self.K1, self.field_B = w.B, w.K1, dict(getattr(w, "_field_B", {}))
        self.leaves = [(ls.reader(), off) for ls, off in searcher.leaf_searchers()]
        self._lengths: dict[str, bytes] = {}

    # -- postings -----------------------------------------------------------

    def _length_bytes(self, fieldname: str) -> bytes:
        """Every document's encoded length of ``fieldname`` (one byte each,
        as Whoosh stores it), by global document number."""
        got = self._lengths.get(fieldname)
        if got is not None:
            return got
        from whoosh.util.numeric import length_to_byte

        out = bytearray()
        for reader, _off in self.leaves:
            n = reader.doc_count_all()
            part = None
            try:  # the stored length column read in one go
                from whoosh.codec.whoosh3 import LENGTHS_COLUMN

                col = reader._perdoc._cached_reader(f"_{fieldname}_len", LENGTHS_COLUMN)
                if col is None:
                    part = bytes(n)
                else:
                    count = min(n, col._count)
                    part = bytes(col._dbfile.get(col._basepos, count)) + bytes(n - count)
            except Exception:
                part = None
            if part is None or len(part) != n:
                part = bytes(length_to_byte(reader.doc_field_length(d, fieldname, 0) or 0) for d in range(n))
            out += part
        got = self._lengths[fieldname] = bytes(out)
        return got

    def postings(self, fieldname: str, btext: bytes, want_values: bool):
        """(docnums, weights, raw values or None) of a term, live documents only."""
        ids: list[int] = []
        weights: list[float] = []
        values: list | None = [] if want_values else None
        for reader, off in self.leaves:
            if (fieldname, btext) not in reader:
                continue
            m = reader.postings(fieldname, btext)
            deleted = reader.deleted_docs_set if reader.has_deletions() else None
            m = getattr(m, "child", m) if deleted else m
            start = len(ids)
            if _is_block_matcher(m):
                # A block at a time, as the matcher itself reads it (ids are
                # stored as gaps: accumulate() sums them at C speed).
                while m.is_active():
                    m._read_data()
                    raw = m._data[0]
                    ids.extend(raw if m._byteids else accumulate(raw))
                    m._read_weights()
                    weights.extend(m._weights)
                    if values is not None:
                        m._read_values()
                        values.extend(m._values)
                    m._next_block()
            else:
                while m.is_active():
                    ids.append(m.id())
                    weights.append(m.weight())
                    if values is not None:
                        values.append(m.value())
                    m.next()
            if deleted:
                # Find the deleted ones among these postings with a set
                # operation, then their places by bisection (a segment's
                # document numbers come in increasing order).
                gone = deleted.intersection(islice(ids, start, None))
                if len(gone) > 64:  # many: one pass (each del moves the tail)
                    keep = [k for k in range(start, len(ids)) if ids[k] not in gone]
                    ids[start:] = [ids[k] for k in keep]
                    weights[start:] = [weights[k] for k in keep]
                    if values is not None:
                        values[start:] = [values[k] for k in keep]
                elif gone:
                    places = sorted((bisect_left(ids, d, start) for d in gone), reverse=True)
                    for k in places:
                        del ids[k], weights[k]
                        if values is not None:
                            del values[k]
            if off:
                ids[start:] = map(off.__add__, islice(ids, start, None))
        return ids, weights, values

    def term(self, ctx: dict, fieldname: str, text, want_values: bool = False):
        """{docnum: BM25F score} of a term (unboosted), and with
        ``want_values`` {docnum: raw posting value} (positions)."""
        field = self.schema[fieldname] if fieldname in self.schema else None
        if field is None:
            return {}, {}
        if not field.scorable:
            raise _Unsupported
        try:
            btext = field.to_bytes(text)
        except ValueError:
            return {}, {}
        key = (fieldname, btext)
        got = ctx.get(key)
        if got is not None and (not want_values or got[1] is not None):
            return got
        ids, weights, values = self.postings(fieldname, btext, want_values)
        s = self.searcher
        if ids:
            idf = s.idf(fieldname, btext)
            avgfl = s.avg_field_length(fieldname) or 1
            B = self.field_B.get(fieldname, self.B)
            K1 = self.K1
            from whoosh.util.numeric import byte_to_length

            # bm25() of whoosh.scoring, term by term in the same order
            norm = [K1 * ((1 - B) + B * (byte_to_length(b) or 1) / avgfl) for b in range(256)]
            lb = self._length_bytes(fieldname)
            k1p = K1 + 1
            scores = {d: idf * ((w * k1p) / (w + norm[lb[d]])) for d, w in zip(ids, weights)}
        else:
            scores = {}
        vals = dict(zip(ids, values)) if values is not None else None
        got = ctx[key] = (scores, vals)
        return got

    # -- evaluation -----------------------------------------------------------

    def candidates(self, ctx: dict, q) -> dict[int, float]:
        """Documents that may match ``q`` with an upper bound of their score
        (exact unless a phrase in a positive place still has to be checked;
        ``ctx['unchecked']`` says so)."""
        if isinstance(q, wq.Term):
            scores = self.term(ctx, q.fieldname, q.text)[0]
            return _boosted(scores, q.boost)
        if isinstance(q, wq.Phrase):
            ph = self._phrase(ctx, q)
            if ph is None:
                return {}
            ctx["unchecked"] = True
            return _boosted(ph.scores, q.boost)
        if isinstance(q, wq.Or):
            if any(isinstance(c, wq.Not) for c in q.subqueries):
                raise _Unsupported
            acc: dict[int, float] = {}
            for i, c in enumerate(q.subqueries):
                part = self.candidates(ctx, c)
                if i == 0:
                    acc = dict(part)
                    continue
                # The documents in both summed (in the same order as one at
                # a time), the others copied: set operations in C.
                both = acc.keys() & part.keys()
                summed = {d: acc[d] + part[d] for d in both}
                acc.update(part)
                acc.update(summed)
            return _boosted(acc, q.boost)
        if isinstance(q, wq.And):
            pos = [c for c in q.subqueries if not isinstance(c, wq.Not)]
            neg = [c.query for c in q.subqueries if isinstance(c, wq.Not)]
            if not pos:
                raise _Unsupported
            acc = _intersect([self.candidates(ctx, c) for c in pos])
            for c in neg:
                if acc:
                    _drop(acc, self.docs(ctx, c, within=acc))
            if neg:  # Whoosh scores a NOT clause of an AND as 1.0
                acc = {d: x + len(neg) for d, x in acc.items()}
            return _boosted(acc, q.boost)
        if isinstance(q, wq.AndNot):
            acc = dict(self.candidates(ctx, q.a))
            if acc:
                _drop(acc, self.docs(ctx, q.b, within=acc))
            return _boosted(acc, q.boost)
        if isinstance(q, wq.AndMaybe):
            acc = dict(self.candidates(ctx, q.a))
            for d, x in self.candidates(ctx, q.b).items():
                if d in acc:
                    acc[d] += x
            return _boosted(acc, q.boost)
        if isinstance(q, wq.Require):
            a = self.candidates(ctx, q.a)
            b = self.candidates(ctx, q.b)
            return _boosted({d: x for d, x in a.items() if d in b}, q.boost)
        raise _Unsupported

    def docs(self, ctx: dict, q, within) -> set[int]:
        """The documents among ``within`` that match ``q`` exactly (phrases
        checked): for the NOT side of a query."""
        if isinstance(q, wq.Term):
            scores = self.term(ctx, q.fieldname, q.text)[0]
            return {d for d in within if d in scores}
        if isinstance(q, wq.Phrase):
            ph = self._phrase(ctx, q)
            if ph is None:
                return set()
            holds, scores = ph.holds, ph.scores
            if len(scores) < len(within) and not isinstance(within, (tuple, list)):
                return {d for d in scores if d in within and holds(d)}
            return {d for d in within if d in scores and holds(d)}
        if isinstance(q, wq.Or):
            out: set[int] = set()
            for c in q.subqueries:
                out |= self.docs(ctx, c, within)
            return out
        if isinstance(q, wq.And):
            pos = [c for c in q.subqueries if not isinstance(c, wq.Not)]
            neg = [c.query for c in q.subqueries if isinstance(c, wq.Not)]
            if not pos:
                raise _Unsupported
            out = set(within)
            for c in pos:
                out = self.docs(ctx, c, out)
            for c in neg:
                out -= self.docs(ctx, c, out)
            return out
        if isinstance(q, (wq.AndNot, wq.Require, wq.AndMaybe)):
            out = self.docs(ctx, q.a, within)
            if isinstance(q, wq.AndNot):
                out -= self.docs(ctx, q.b, out)
            elif isinstance(q, wq.Require):
                out = self.docs(ctx, q.b, out)
            return out
        raise _Unsupported

    def exact(self, ctx: dict, q, d: int) -> float | None:
        """The score of document ``d`` for ``q`` with phrases checked; None
        when it does not match."""
        if isinstance(q, wq.Term):
            x = self.term(ctx, q.fieldname, q.text)[0].get(d)
            return None if x is None else x * q.boost if q.boost != 1.0 else x
        if isinstance(q, wq.Phrase):
            ph = self._phrase(ctx, q)
            if ph is None or not ph.holds(d):
                return None
            x = ph.scores[d]
            return x * q.boost if q.boost != 1.0 else x
        if isinstance(q, wq.Or):
            total = None
            for c in q.subqueries:
                x = self.exact(ctx, c, d)
                if x is not None:
                    total = x if total is None else total + x
        elif isinstance(q, wq.And):
            total = None
            for c in q.subqueries:
                if isinstance(c, wq.Not):
                    if self.docs(ctx, c.query, (d,)):
                        return None
                    total = 1.0 if total is None else total + 1.0
                    continue
                x = self.exact(ctx, c, d)
                if x is None:
                    return None
                total = x if total is None else total + x
        elif isinstance(q, wq.AndNot):
            total = self.exact(ctx, q.a, d)
            if total is not None and self.docs(ctx, q.b, (d,)):
                return None
        elif isinstance(q, wq.AndMaybe):
            total = self.exact(ctx, q.a, d)
            if total is not None:
                x = self.exact(ctx, q.b, d)
                total = total + x if x is not None else total
        elif isinstance(q, wq.Require):
            total = self.exact(ctx, q.a, d)
            if total is not None and self.exact(ctx, q.b, d) is None:
                return None
        else:
            raise _Unsupported
        if total is None:
            return None
        return total * q.boost if q.boost != 1.0 else total

    def _phrase(self, ctx: dict, q) -> "_Phrase | None":
        # Looked up once per checked document: by the query object first
        # (alive as long as ctx), then by field and words.
        fast = ("phrase-of", id(q))
        got = ctx.get(fast, ctx)
        if got is not ctx:
            return got
        key = ("phrase", q.fieldname, tuple(q.words))
        if key in ctx:
            ctx[fast] = ctx[key]
            return ctx[key]
        field = self.schema[q.fieldname] if q.fieldname in self.schema else None
        if field is None or not q.words:
            ph = None
        else:
            if not field.format or not field.format.supports("positions") or q.slop != 1:
                raise _Unsupported
            parts = [self.term(ctx, q.fieldname, w, want_values=True) for w in q.words]
            ph = None
            if all(p[0] for p in parts):
                ph = _Phrase(parts, field.format.decode_positions)
        ctx[key] = ctx[fast] = ph
        return ph

    def ranked(self, ctx: dict, q):
        """(docnum, score) of every match, best first (equal scores by
        document number); and the number of matches, exact or estimated
        (a phrase over very common words)."""
        ctx["unchecked"] = False
        cand = self.candidates(ctx, q)
        if not ctx["unchecked"]:
            return _best_first(cand), len(cand)
        if len(cand) <= self.PHRASE_CHECK_ALL:
            # Which candidates match, a set at a time; then their scores.
            exact = {}
            for d in self.docs(ctx, q, cand):
                x = self.exact(ctx, q, d)
                if x is not None:
                    exact[d] = x
            return _best_first(exact), len(exact)
        # Many candidates: check them best first, and estimate the total
        # from an even sample of them.
        step = max(1, len(cand) // self.PHRASE_SAMPLE)
        sample = sorted(cand)[::step]
        found = len(self.docs(ctx, q, set(sample)))
        total = round(len(cand) * found / len(sample)) if sample else 0
        return self._checked_best_first(ctx, q, cand), total

    def _checked_best_first(self, ctx: dict, q, cand: dict[int, float]):
        import heapq

        ready: list[tuple[float, int]] = []  # (-exact score, docnum)
        for d, bound in _best_first(cand):
            while ready and -ready[0][0] >= bound:
                neg, dd = heapq.heappop(ready)
                yield dd, -neg
            x = self.exact(ctx, q, d)
            if x is not None:
                heapq.heappush(ready, (-x, d))
        while ready:
            neg, dd = heapq.heappop(ready)
            yield dd, -neg


def _is_block_matcher(m) -> bool:
    return all(
        hasattr(m, a)
        for a in ("_read_data", "_data", "_byteids", "_read_weights", "_read_values", "_next_block", "_weights", "_values")
    )


def _boosted(scores: dict[int, float], boost: float) -> dict[int, float]:
    if boost == 1.0:
        return scores
    return {d: x * boost for d, x in scores.items()}


def _intersect(dicts: list[dict[int, float]]) -> dict[int, float]:
    if not dicts:
        return {}
    if len(dicts) == 1:
        return dicts[0]
    order = sorted(range(len(dicts)), key=lambda i: len(dicts[i]))
    keys = dicts[order[0]].keys()
    for i in order[1:]:
        keys = keys & dicts[i].keys()
    out = {}
    for d in keys:
        x = dicts[0][d]
        for other in dicts[1:]:
            x += other[d]
        out[d] = x
    return out


def _drop(acc: dict[int, float], docs) -> None:
    for d in docs:
        acc.pop(d, None)


class _Phrase:
    """A phrase's candidates (documents with all its words, scored as Whoosh
    scores a phrase: the sum of its words' scores) and a memoized check of
    the words' positions."""

    def __init__(self, parts, decode):
        self.scores = _intersect([p[0] for p in parts])
        self._values = [p[1] for p in parts]
        self._decode = decode
        self._known: dict[int, bool] = {}

    def holds(self, d: int) -> bool:
        """Whether the words stand at consecutive positions in document ``d``."""
        got = self._known.get(d)
        if got is None:
            got = False
            if d in self.scores:
                values = self._values
                # Where the phrase would start, from each word's positions
                # shifted back by its place in the phrase (set operations in C).
                starts = set(self._positions(values[0][d]))
                for k in range(1, len(values)):
                    if not starts:
                        break
                    starts.intersection_update(map((-k).__add__, self._positions(values[k][d])))
                got = bool(starts)
            self._known[d] = got
        return got

    def _positions(self, value: bytes):
        """The positions of a ``Positions`` posting value: a 4-byte count, then
        the pickled list of gaps (what ``Positions.decode_positions`` reads)."""
        if value[-1:] == b".":
            try:
                return accumulate(pickle.loads(value[4:]))
            except Exception:
                pass
        return self._decode(value)


def _best_first(scores: dict[int, float]):
    """(docnum, score) by score, highest first, equal scores by docnum;
    sorted lazily (the first pages cost a sort of the scores alone)."""
    n = len(scores)
    if n == 0:
        return
    values = sorted(scores.values(), reverse=True)
    k = 64
    given = 0
    last = None
    while given < n:
        # Everything scoring at least the k-th best score, best first.
        floor = values[min(n, k) - 1]
        ceiling = last
        page = [
            item for item in scores.items() if item[1] >= floor and (ceiling is None or item[1] < ceiling)
        ]
        page.sort(key=_rank_key)
        yield from page
        given += len(page)
        last = floor
        k *= 4


def _by_score(item):
    return item[1]


def _rank_key(item):
    return (-item[1], item[0])


# ---------------------------------------------------------------------------
# The index


class SearchIndex:
    """The briefing's full-text index. Thread-safe: searches may run in worker
    threads while another thread updates."""

    SCHEMA_VERSION: int = 2
    # Batches of at least this many sections are indexed by PARALLEL_PROCS
    # worker processes. "spawn" is safe from a threaded program (the app); it
    # re-imports the main module in the workers, which must be import-guarded
    # (``if __name__ == "__main__":``), as console-script entry points are.
    PARALLEL_MIN_SECTIONS: int = 4000
    PARALLEL_PROCS: int = 2
    PARALLEL_START_METHOD: str | None = "spawn"
    # Postings each worker may keep in memory (Whoosh's estimate, about 180
    # bytes a posting; a worker's RSS is about 1.1x it) before it sorts them
    # into runs on disk. Runs cost about 8 µs a posting (pickled out and back,
    # heap-merged), close to half the build: 10,000 articles (2.3 M postings
    # a worker) build in 47-64 s with runs (limit 256), 29 s without (570 MB a
    # worker). It is a ceiling, not an allocation: a smaller batch uses less.
    # At 640, batches up to about 12,000 articles are sorted in memory.
    PARALLEL_LIMITMB: int = 640
    # A plain OR query whose terms have more postings than this gets an
    # estimated ``total`` instead of an exact count (which costs a full pass).
    EXACT_COUNT_MAX: int = 4000

    def __init__(self, path: pathlib.Path):
        self.path = pathlib.Path(path)
        self._lock = threading.RLock()  # the index, searcher and vocabulary
        self._write_lock = threading.Lock()  # one writer at a time
        self.on_wait: Callable[[str], None] | None = None  # told when another process holds the lock
        self._ix = None
        self._searcher = None
        self._engine: _Engine | None = None  # for the current searcher
        self._needs_rebuild = False
        self._vocab: Counter[str] | None = None
        self._vocab_sorted: list[str] | None = None
        schema = _schema()
        self._parsers = {}
        for name, group in (("and", qparser.AndGroup), ("or", qparser.OrGroup)):
            p = qparser.MultifieldParser(
                list(_DEFAULT_FIELDS), schema, group=group, fieldboosts={"title": _TITLE_QUERY_BOOST}
            )
            for cls in (
                qparser.WildcardPlugin,
                qparser.BoostPlugin,
                qparser.EveryPlugin,
                qparser.SingleQuotePlugin,
            ):
                p.remove_plugin_class(cls)
            p.add_plugin(qparser.PrefixPlugin())
            p.add_plugin(qparser.FuzzyTermPlugin())
            self._parsers[name] = p

    # -- lifecycle ----------------------------------------------------------

    def open(self) -> str | None:
        with self._write_lock, self._lock:
            self._close_locked()
            notice = None
            # Whoosh leaves a file open when it fails on a damaged index: let it
            # go quietly (it is closed when the exception is dropped).
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", ResourceWarning)
                try:
                    if not self.path.is_dir() or not windex.exists_in(str(self.path)):
                        if self.path.is_dir() and any(self.path.iterdir()):
                            raise _Recreate  # files but no index: damaged
                        notice = "search index created"
                        raise _Recreate
                    meta = json.loads((self.path / _META).read_text("utf-8"))
                    if meta.get("schema_version") != self.SCHEMA_VERSION:
                        notice = "search index was from an older version; rebuilt"
                        raise _Recreate
                    ix = windex.open_dir(str(self.path))
                    self._ix = ix
                    if set(ix.schema.names()) != set(_schema().names()):
                        notice = "search index was from an older version; rebuilt"
                        raise _Recreate
                    self._searcher = ix.searcher()
                    self._engine = None
                    self._probe()
                    self._needs_rebuild = False
                    return None
                except Exception:
                    pass
                gc.collect()
            self._close_locked()
            self._wipe()
            self._create()
            self._needs_rebuild = True
            return notice or "search index was corrupt; rebuilt"

    def needs_rebuild(self) -> bool:
        return self._needs_rebuild

    def close(self) -> None:
        with self._write_lock, self._lock:
            self._close_locked()

    def _close_locked(self) -> None:
        if self._searcher is not None:
            try:
                self._searcher.close()
            except Exception:
                pass
        if self._ix is not None:
            try:
                self._ix.close()
            except Exception:
                pass
        self._searcher = None
        self._engine = None
        self._ix = None
        self._vocab = None
        self._vocab_sorted = None

    def _probe(self) -> None:
        """Read a little of everything, so a damaged index fails here and not
        in the middle of a search."""
        r = self._searcher.reader()
        if r.doc_count_all():
            first = next(iter(r.lexicon("body")), None)
            list(islice(r.lexicon("article_id"), 50))
            list(islice(r.lexicon("title"), 50))
            if first is not None:
                self._searcher.search(wq.Term("body", first), limit=3)
            for docnum in islice(r.all_doc_ids(), 3):
                r.stored_fields(docnum)
        vocab = self.path / _VOCAB
        if vocab.exists():
            with vocab.open("rb") as fh:
                head = fh.read(1)
            if head not in (b"{", b""):
                raise ValueError("vocabulary file damaged")

    def _wipe(self) -> None:
        if self.path.is_dir():
            for child in self.path.iterdir():
                if child.is_file() or child.is_symlink():
                    try:
                        child.unlink()
                    except OSError:
                        pass

    def _create(self) -> None:
        self.path.mkdir(parents=True, exist_ok=True)
        self._ix = windex.create_in(str(self.path), _schema())
        _write_json(self.path / _META, {"schema_version": self.SCHEMA_VERSION})
        _write_json(self.path / _VOCAB, {})
        self._searcher = self._ix.searcher()
        self._engine = None
        self._vocab = Counter()
        self._vocab_sorted = None

    def _require_open(self) -> None:
        if self._ix is None:
            raise RuntimeError("SearchIndex.open() was not called")

    # -- updating -----------------------------------------------------------

    def update(
        self,
        changed: Iterable[Article],
        removed_ids: Iterable[str] = (),
        progress: Callable[[int, int], None] | None = None,
    ) -> None:
        changed = list(changed)
        removed = list(removed_ids)
        with self._write_lock:
            self._require_open()
            with self._lock:
                vocab = self._load_vocab()
                empty = self._searcher.reader().doc_count_all() == 0
            writer = self._writer(sum(len(a.sections) or 1 for a in changed))
            try:
                if not empty:
                    for aid in removed:
                        writer.delete_by_term("article_id", aid)
                new_words: Counter[str] = Counter()
                total = len(changed)
                for n, article in enumerate(changed, 1):
                    if not empty:  # its sections; its annotations stay
                        writer.delete_by_term("section_of", article.id)
                    self._add_article(writer, article)
                    new_words.update(_WORD.findall(article.title.lower()))
                    new_words.update(_WORD.findall(article.text.lower()))
                    if progress is not None:
                        progress(n, total)
            except BaseException:
                writer.cancel()
                raise
            for w in [w for w in new_words if len(w) < 3 or w in _STOPS or not w[0].isalpha()]:
                del new_words[w]
            with self._lock:
                vocab.update(new_words)
                self._vocab_sorted = None
                _write_json(self.path / _VOCAB, dict(vocab))
                writer.commit(mergetype=_merge_policy)
                old = self._searcher
                self._searcher = self._ix.searcher()
                self._engine = None
                if old is not None:
                    old.close()
                self._needs_rebuild = False

    def _writer(self, n_docs: int):
        """A single-process writer, or for a big batch one that indexes in two
        worker processes and keeps their two segments (no final merge)."""
        procs = min(self.PARALLEL_PROCS, os.cpu_count() or 1)
        if procs > 1 and n_docs >= self.PARALLEL_MIN_SECTIONS:
            return self._locked_writer(
                procs=procs,
                multisegment=True,
                limitmb=self.PARALLEL_LIMITMB,
                batchsize=200,
                start_method=self.PARALLEL_START_METHOD,
            )
        return self._locked_writer(procs=1, limitmb=96)

    # Another process (the app, or a second CLI) may be writing this index.
    WRITE_LOCK_WAIT = 60.0

    def _locked_writer(self, **kwargs):
        """A writer, waiting for another process's write lock when needed: the
        wait is announced once through ``on_wait``, and a lock still held after
        WRITE_LOCK_WAIT seconds raises IndexBusy (a one-line message)."""
        from whoosh.index import LockError

        try:
            return self._ix.writer(timeout=0.0, **kwargs)
        except LockError:
            pass
        if self.on_wait is not None:
            self.on_wait("waiting for another briefing process to finish writing the search index…")
        try:
            return self._ix.writer(timeout=self.WRITE_LOCK_WAIT, delay=0.2, **kwargs)
        except LockError:
            raise IndexBusy(
                f"{self.path}: the search index is still being written by another briefing process "
                f"after {self.WRITE_LOCK_WAIT:.0f} s; try again"
            ) from None

    @staticmethod
    def _add_article(writer, article: Article) -> None:
        meta = _metadata_fields(article)
        if not article.sections:
            writer.add_document(article_id=article.id, section_of=article.id, section_id="", start=0, **meta)
            return
        headings = {b.start for b in article.blocks if b.kind == "heading"}
        for section in article.sections:
            heading = section.title if section.start in headings else ""
            body = article.text[section.start : section.end]
            writer.add_document(
                article_id=article.id,
                section_of=article.id,
                section_id=section.id,
                start=section.start,
                title=article.title,
                heading=heading,
                # The heading is the body's first block; once more makes
                # heading words count more than the same words in the text.
                body=f"{heading}\n{body}" if heading else body,
                **meta,
            )

    def article_ids(self) -> set[str]:
        """Articles with sections in the index."""
        with self._lock:
            self._require_open()
            return _live_terms(self._searcher.reader(), "section_of")

    # -- annotations --------------------------------------------------------

    def annotation_ids(self) -> set[str]:
        """Annotations in the index."""
        with self._lock:
            self._require_open()
            return _live_terms(self._searcher.reader(), "ann_id")

    def update_annotations(
        self,
        annotations: Iterable,
        removed_ids: Iterable[str] = (),
        get_article: Callable[[str], Article | None] = lambda _id: None,
    ) -> int:
        """Index each annotation as its own document (quote and note in
        ``note`` and ``body``, tags in ``tag``), replacing what was indexed
        for the same id; drop ``removed_ids``. Annotations indexed unchanged
        are skipped. Returns how many documents were written."""
        removed = list(removed_ids)
        with self._write_lock:
            self._require_open()
            with self._lock:
                reader = self._searcher.reader()
                docs = []
                for ann in annotations:
                    indexed = self._indexed_ann(reader, ann.id)
                    if indexed is None or indexed.get("sig") != _annotation_sig(ann):
                        docs.append(_annotation_doc(ann, get_article))
                removed = [i for i in removed if self._df(reader, "ann_id", i) > 0]
            if not docs and not removed:
                return 0
            writer = self._locked_writer(procs=1, limitmb=32)
            try:
                for ann_id in removed:
                    writer.delete_by_term("ann_id", ann_id)
                for doc in docs:
                    writer.delete_by_term("ann_id", doc["ann_id"])
                    writer.add_document(**doc)
            except BaseException:
                writer.cancel()
                raise
            with self._lock:
                writer.commit(mergetype=_merge_policy)
                old = self._searcher
                self._searcher = self._ix.searcher()
                self._engine = None
                if old is not None:
                    old.close()
            return len(docs)

    def _indexed_ann(self, reader, ann_id: str) -> dict | None:
        try:
            for docnum in reader.postings("ann_id", ann_id).all_ids():
                return reader.stored_fields(docnum).get("ann")
        except Exception:
            return None
        return None

    # -- matches in a whole article -------------------------------------------

    def match_ranges(self, query: str, article: Article) -> list[tuple[int, int]]:
        """Every match of the query's words and phrases in ``article.text``
        (sorted, not overlapping; [] for a query that cannot be read)."""
        try:
            with self._lock:
                self._require_open()
                q_and, q_or = self._compile(query, self._searcher.reader())
        except QueryError:
            return []
        words: set[tuple[str, str]] = set()
        phrases: set[tuple[str, ...]] = set()
        for q in (q_and, q_or):
            if q is not None and q is not wq.NullQuery:
                _walk_positive(q, words, phrases)
        return _match_spans(article.text, {t for _f, t in words}, phrases)

    # -- related passages -----------------------------------------------------
    # Key terms are the passage's words weighted by tf-idf, leaving out
    # everyday words that say nothing about a topic (_COMMON_STEMS).

    RELATED_TERMS: int = 20  # key terms of the passage put in the query
    RELATED_PER_ARTICLE: int = 2

    def related(
        self,
        article_id: str,
        section_id: str | None,
        get_article: Callable[[str], Article | None],
        limit: int = 5,
    ) -> list[Hit]:
        """Sections of *other* articles most like the given section (or, with
        ``section_id`` None, the whole article): its key terms by tf-idf, as
        one weighted query. Each hit's ``reason`` names the shared terms.

        Raises KeyError for an unknown article or section."""
        article = get_article(article_id)
        if article is None:
            raise KeyError(f"no article {article_id!r}")
        if section_id:
            section = article.section_by_id(section_id)
            if section is None:
                raise KeyError(f"no section {section_id!r} in {article_id!r}")
            text = article.text[section.start : section.end]
        else:
            text = article.title + "\n" + article.text
        tokens = analyze(text)
        if not tokens or limit <= 0:
            return []
        surface: dict[str, str] = {}
        for stem, a, b in tokens:
            surface.setdefault(stem, text[a:b])
        tf = Counter(stem for stem, _a, _b in tokens)
        with self._lock:
            self._require_open()
            s = self._searcher
            reader = s.reader()
            n = max(1, reader.doc_count())
            own = Counter()  # documents of this article holding each stem
            for sec in article.sections or ():
                own.update({st for st, _a, _b in analyze(article.text[sec.start : sec.end])})
            weights: dict[str, float] = {}
            for stem, count in tf.items():
                if len(stem) < 3 or not stem[0].isalpha() or stem in _COMMON_STEMS:
                    continue
                df = self._df(reader, "body", stem)
                if df - own.get(stem, 0) <= 0:
                    continue  # nowhere else
                idf = math.log(1.0 + (n - df + 0.5) / (df + 0.5))
                weights[stem] = (1.0 + math.log(count)) * idf
            key = sorted(weights, key=lambda st: (-weights[st], st))[: self.RELATED_TERMS]
            if not key:
                return []
            top = weights[key[0]]
            q = wq.Or([wq.Term("body", st, boost=weights[st] / top) for st in key])
            results = s.search(q, limit=max(50, limit * 10), mask=wq.Term("article_id", article_id))
            found = [(d, sc, s.stored_fields(d)) for d, sc in results.items()]
        hits: list[Hit] = []
        per: Counter[str] = Counter()
        keyset = set(key)
        need = 2 if len(key) >= 2 else 1
        for _d, score, fields in found:
            aid = fields.get("article_id", "")
            if fields.get("ann_id") or not fields.get("section_id") or per[aid] >= self.RELATED_PER_ARTICLE:
                continue
            other = get_article(aid)
            section = other.section_by_id(fields["section_id"]) if other is not None else None
            if section is None:
                continue
            body = other.text[section.start : section.end]
            shared_tokens = [(st, a, b) for st, a, b in analyze(body) if st in keyset]
            in_hit = Counter(st for st, _a, _b in shared_tokens)
            # Named first: the terms that weigh most in both passages.
            shared = sorted(in_hit, key=lambda st: (-weights[st] * (1.0 + math.log(in_hit[st])), st))
            if len(shared) < need:
                continue
            per[aid] += 1
            spans = [(a, b) for _st, a, b in shared_tokens]
            reason = "shared terms: " + ", ".join(surface[st].lower() for st in shared[:5])
            hits.append(_section_hit(other, section, score, body, spans, reason))
            if len(hits) >= limit:
                break
        return hits

    def segment_count(self) -> int:
        """Number of index segments (kept at one or two by every update)."""
        with self._lock:
            self._require_open()
            return len(self._ix._segments())

    # -- vocabulary ---------------------------------------------------------

    def _load_vocab(self) -> Counter[str]:
        if self._vocab is None:
            try:
                data = json.loads((self.path / _VOCAB).read_text("utf-8"))
                self._vocab = Counter({str(k): int(v) for k, v in data.items()})
            except (OSError, ValueError, AttributeError, TypeError):
                self._vocab = Counter()
        return self._vocab

    def _vocab_words_with_prefix(self, prefix: str) -> list[str]:
        import bisect

        if self._vocab_sorted is None:
            self._vocab_sorted = sorted(self._load_vocab())
        words = self._vocab_sorted
        i = bisect.bisect_left(words, prefix)
        out = []
        while i < len(words) and words[i].startswith(prefix) and len(out) < 2000:
            out.append(words[i])
            i += 1
        return out

    def _df(self, reader, fieldname: str, text: str) -> int:
        try:
            return reader.doc_frequency(fieldname, text)
        except Exception:
            return 0

    # -- query expansion ----------------------------------------------------

    def _expand(self, q: wq.Query, reader, fuzzy_surface: dict[str, str]) -> wq.Query:
        if isinstance(q, wq.FuzzyTerm):
            return self._expand_fuzzy(q, reader, fuzzy_surface)
        if isinstance(q, wq.Prefix):
            return self._expand_prefix(q, reader)
        if isinstance(q, (wq.Every, wq.Wildcard)):
            raise QueryError("")
        if q.is_leaf():
            return q
        return q.apply(lambda c: self._expand(c, reader, fuzzy_surface))

    def _fuzzy_candidates(self, reader, typo_stem: str, surface: str) -> dict[str, int]:
        """Stems of the vocabulary's surface words within one edit of the typo
        (first letter kept), and the typo's own stem, with their frequency.

        Edits are looked up in the in-memory vocabulary, not the index: a
        multi-segment reader makes ``terms_within`` slow (notes)."""
        vocab = self._load_vocab()
        found: set[str] = {typo_stem}
        first = surface[:1]
        for w in _edits1(surface):
            if w[:1] == first and w in vocab:
                found.add(_stem(w))
        return {s: self._df(reader, "body", s) + self._df(reader, "title", s) for s in found}

    def _expand_fuzzy(self, q: wq.FuzzyTerm, reader, fuzzy_surface: dict[str, str]) -> wq.Query:
        text = str(q.text)
        surface = fuzzy_surface.get(text, text)
        cands = self._fuzzy_candidates(reader, text, surface)
        exact = {text, _stem(surface)}
        ranked = sorted(cands, key=lambda s: (s not in exact, -cands[s], s))
        terms = [s for s in ranked if self._df(reader, q.fieldname, s) > 0][:_FUZZY_CAP]
        if not terms:
            return wq.NullQuery
        return wq.Or([wq.Term(q.fieldname, s) for s in terms], boost=q.boost)

    def _expand_prefix(self, q: wq.Prefix, reader) -> wq.Query:
        prefix = str(q.text).lower()
        stems: set[str] = set()
        for t in islice(reader.expand_prefix(q.fieldname, prefix), 2000):
            stems.add(t.decode("utf-8") if isinstance(t, bytes) else t)
        for w in self._vocab_words_with_prefix(prefix):
            stems.add(_stem(w))
        scored = [(self._df(reader, q.fieldname, s), s) for s in stems]
        terms = [s for df, s in sorted(scored, reverse=True) if df > 0][:_PREFIX_CAP]
        if not terms:
            return wq.NullQuery
        return wq.Or([wq.Term(q.fieldname, s) for s in terms], boost=q.boost)

    def _compile(self, query: str, reader) -> tuple[wq.Query, wq.Query | None]:
        """The AND form and (when different) the OR form of ``query``."""
        text = _prepare(query)
        fuzzy_surface = {_stem(w.lower()): w.lower() for w in _FUZZY_WORD.findall(text)}
        out = []
        for name in ("and", "or"):
            try:
                q = self._parsers[name].parse(text)
            except Exception as exc:  # the parser is lenient; be safe anyway
                raise QueryError(f"cannot read the query {_short(query)!r}: {exc}") from None
            if name == "or":
                q = _fix_or_not(q)
            try:
                q = self._expand(q, reader, fuzzy_surface).normalize()
            except QueryError:
                raise QueryError(f"{_short(query)!r} would match everything: add a word") from None
            out.append(q)
        q_and, q_or = out
        if q_and is wq.NullQuery or q_or is wq.NullQuery:
            if _has_fuzzy_or_prefix(text):
                return wq.NullQuery, None
            raise QueryError(
                f"nothing to search for in {_short(query)!r}: only operators, punctuation or very common words"
            )
        words: set = set()
        phrases: set = set()
        other: list = []
        _walk_positive(q_and, words, phrases, other)
        if isinstance(q_and, wq.Not) or (not words and not phrases and not other):
            raise QueryError(f"{_short(query)!r} has nothing to find: NOT needs a word to search for")
        return q_and, (None if q_or == q_and else q_or)

    # -- searching ----------------------------------------------------------

    def search(
        self,
        query: str,
        limit: int = 20,
        get_article: Callable[[str], Article | None] = lambda _id: None,
        per_article: int = 3,
        snippets: bool = True,
    ) -> SearchResult:
        """Ranked hits for ``query``. With ``snippets=False`` hits carry no
        snippet, spans or offsets and no article is loaded (for deep rankings)."""
        try:
            with self._lock:
                self._require_open()
                return self._search_locked(query, limit, get_article, per_article, snippets)
        except QueryError as exc:
            return SearchResult(query=query, hits=[], total=0, error=str(exc) or f"cannot search for {_short(query)!r}")
        except RuntimeError:
            raise
        except Exception as exc:  # a damaged index must not crash the reader
            self._needs_rebuild = True
            return SearchResult(
                query=query,
                hits=[],
                total=0,
                error=f"search for {_short(query)!r} failed ({type(exc).__name__}); the index may need a rebuild",
            )

    def _estimate_total(self, reader, q: wq.Query) -> int | None:
        """For a plain OR of common terms, an estimate of how many documents
        match (counting them exactly would visit every posting); None when an
        exact count is cheap or the query is not a plain OR."""
        plain = _plain_terms(q)
        if plain is None:
            return None
        dfs = [self._df(reader, f, t) for f, t in plain]
        if sum(dfs) <= self.EXACT_COUNT_MAX:
            return None
        n = max(1, reader.doc_count())
        miss = 1.0
        for df in dfs:  # terms taken as independent
            miss *= max(0.0, 1.0 - df / n)
        return max(max(dfs), round(n * (1.0 - miss)))

    def _rank(self, s, tiers, limit, per_article, stored_cache):
        """The page of (docnum, score) for the tiers, at most ``per_article``
        sections of an article; the total of the last tier; the documents
        looked at. Raises _Unsupported for a query the engine cannot run."""
        eng = self._engine
        if eng is None or eng.searcher is not s:
            eng = self._engine = _Engine(s)
        ctx: dict = {}  # postings read for this query, shared by the tiers
        chosen: list[tuple[int, float]] = []
        per: Counter[tuple[str, bool]] = Counter()
        seen: set[int] = set()
        total = 0
        for q in tiers:
            ranked, total = eng.ranked(ctx, q)
            if len(chosen) >= limit:
                continue  # only the last tier's total is still wanted
            for d, sc in ranked:
                if d in seen:
                    continue
                seen.add(d)
                if _take(s, stored_cache, per, per_article, d):
                    chosen.append((d, sc))
                    if len(chosen) >= limit:
                        break
        return chosen, total, seen

    def _rank_whoosh(self, s, reader, tiers, limit, per_article, stored_cache):
        """As :meth:`_rank`, with Whoosh's collector (any query)."""
        estimate = self._estimate_total(reader, tiers[-1])
        fetch = max(limit * 3, 30)
        def choose(docs: list[tuple[int, float]]) -> list[tuple[int, float]]:
            chosen: list[tuple[int, float]] = []
            per: Counter[tuple[str, bool]] = Counter()
            for d, sc in docs:
                if _take(s, stored_cache, per, per_article, d):
                    chosen.append((d, sc))
                    if len(chosen) >= limit:
                        break
            return chosen

        while True:
            docs: list[tuple[int, float]] = []
            seen: set[int] = set()
            more = False
            total = 0
            chosen: list[tuple[int, float]] = []
            for i, q in enumerate(tiers):
                last = i == len(tiers) - 1
                if last and i > 0 and estimate is not None and len(chosen) >= limit:
                    break  # the page is full and the count is estimated: skip the OR search
                # The exact count comes from an unoptimized search (it visits
                # every match anyway; len() on an optimized one would walk all
                # postings a second time).
                exact = last and estimate is None
                r = s.search(q, limit=fetch, optimize=not exact)
                if exact:
                    total = len(r)
                more = more or r.scored_length() >= fetch
                docs += [(d, sc) for d, sc in r.items() if d not in seen]
                seen.update(d for d, _ in docs)
                chosen = choose(docs)
            if len(chosen) >= limit or not more:
                break
            fetch *= 4
        if estimate is not None:
            total = max(estimate, len(seen))
        return chosen, total, seen

    def _search_locked(self, query, limit, get_article, per_article, snippets) -> SearchResult:
        s = self._searcher
        reader = s.reader()
        q_and, q_or = self._compile(query, reader)
        if q_and is wq.NullQuery:  # fuzzy/prefix words that match nothing
            return SearchResult(query=query, hits=[], total=0, suggestion=self._suggest_locked(query))
        per_article = max(1, per_article)
        limit = max(0, limit)
        if q_or is None:
            tiers = [q_and]
        elif _n_words(q_or) > _AND_TIER_MAX_WORDS:
            tiers = [q_or]  # a long query: plain BM25 ranking
        else:
            tiers = [q_and, q_or]  # sections holding all the words first
        stored_cache: dict[int, dict] = {}
        try:
            chosen, total, seen = self._rank(s, tiers, limit, per_article, stored_cache)
        except _Unsupported:  # e.g. a date range: Whoosh's own collector
            chosen, total, seen = self._rank_whoosh(s, reader, tiers, limit, per_article, stored_cache)
        words: set[tuple[str, str]] = set()
        phrases: set[tuple[str, ...]] = set()
        for q in tiers:
            _walk_positive(q, words, phrases)
        stems = {t for _f, t in words}
        hits = []
        lit: dict[str, None] = {}
        articles: dict[str, Article | None] = {}
        for d, sc in chosen:
            fields = stored_cache[d]
            aid = fields["article_id"]
            if not snippets:
                hits.append(_bare_hit(fields, sc))
                continue
            if aid not in articles:
                try:
                    articles[aid] = get_article(aid)
                except Exception:
                    articles[aid] = None
            article = articles[aid]
            if fields.get("ann_id"):
                hit = self._make_ann_hit(fields, sc, article, stems, phrases)
            else:
                hit = self._make_hit(fields, sc, article, stems, phrases)
                for a, b in hit.offsets:
                    if article is not None:
                        lit.setdefault(article.text[a:b].lower())
            hits.append(hit)
        # Only unknown words are corrected, so asking is cheap and a typo is
        # pointed out even when the other words still find something.
        suggestion = self._suggest_locked(query)
        return SearchResult(
            query=query,
            hits=hits,
            total=total,
            suggestion=suggestion,
            terms=sorted(lit, key=lambda t: (-len(t), t)),
        )

    @staticmethod
    def _make_hit(fields, score, article, stems, phrases) -> Hit:
        sid = fields.get("section_id", "")
        section = article.section_by_id(sid) if article is not None else None
        if section is None:
            return _bare_hit(fields, score, article)
        text = article.text[section.start : section.end]
        return _section_hit(article, section, score, text, _match_spans(text, stems, phrases))

    @staticmethod
    def _make_ann_hit(fields, score, article, stems, phrases) -> Hit:
        """A hit for an annotation: its section, a snippet from its quote and
        note, and its range of the article as the offsets."""
        ann = fields.get("ann") or {}
        hit = _bare_hit(fields, score, article)
        quote, note = ann.get("quote", ""), ann.get("note", "")
        text = " ".join(quote.split())
        if note:
            text = f"{text} — {' '.join(note.split())}" if text else " ".join(note.split())
        hit.snippet, hit.snippet_spans = _snippet(text, _match_spans(text, stems, phrases))
        start, end = ann.get("start", 0), ann.get("end", 0)
        if article is not None and ann.get("anchored") and 0 <= start < end <= len(article.text):
            hit.offsets = [(start, end)]
            section = article.section_at(start)
            if section is not None:
                hit.section_id, hit.section = section.id, section.title
        return hit

    # -- did you mean -------------------------------------------------------

    def suggest(self, query: str) -> str | None:
        try:
            with self._lock:
                self._require_open()
                return self._suggest_locked(query)
        except RuntimeError:
            raise
        except Exception:
            return None

    def _suggest_locked(self, query: str) -> str | None:
        reader = self._searcher.reader()
        vocab = self._load_vocab()
        changed = False

        def known(stem: str) -> bool:
            return any(self._df(reader, f, stem) > 0 for f in _FIELDS)

        def fix(m: re.Match) -> str:
            nonlocal changed
            word = m.group(0)
            end = m.end()
            if word in _OPERATORS or query[end : end + 1] == ":":
                return word
            low = word.lower()
            if len(low) < 3 or low in _STOPS or not low.isalpha() or known(_stem(low)):
                return word
            best, best_key = None, None
            for cand in _edits1(low):
                if cand[:1] != low[:1] or cand not in vocab:
                    continue
                st = _stem(cand)
                df = sum(self._df(reader, f, st) for f in ("title", "body"))
                if df <= 0:
                    continue
                key = (df, vocab[cand], cand)
                if best_key is None or key > best_key:
                    best, best_key = cand, key
            if best is None:
                return word
            changed = True
            if word.isupper() and len(word) > 1:
                return best.upper()
            if word[:1].isupper():
                return best[:1].upper() + best[1:]
            return best

        out = re.sub(r"[^\W\d_]+", fix, query)
        return out if changed and out != query else None


class _Recreate(Exception):
    pass


def _take(s, stored_cache: dict, per: Counter, per_article: int, d: int) -> bool:
    """Whether document ``d`` goes on the page: a section or annotation, and
    its article not yet at ``per_article`` hits (counts kept in ``per``)."""
    fields = stored_cache.get(d)
    if fields is None:
        fields = stored_cache[d] = s.stored_fields(d)
    is_ann = bool(fields.get("ann_id"))
    if not is_ann and not fields.get("section_id"):
        return False
    key = (fields.get("article_id", ""), is_ann)
    if per[key] >= per_article:
        return False
    per[key] += 1
    return True


def _bare_hit(fields: dict, score, article: Article | None = None) -> Hit:
    """A hit from stored fields alone: no snippet, no offsets."""
    ann = fields.get("ann") or {}
    title = article.title if article is not None else fields.get("title", "")
    if fields.get("ann_id"):
        return Hit(
            article_id=fields["article_id"],
            title=title or ann.get("title", ""),
            section_id=ann.get("section_id", ""),
            section=ann.get("section", "") or title,
            score=float(score or 0.0),
            snippet="",
            snippet_spans=[],
            offsets=[],
            kind="annotation",
            annotation_id=fields["ann_id"],
        )
    return Hit(
        article_id=fields["article_id"],
        title=title,
        section_id=fields.get("section_id", ""),
        section=fields.get("heading") or title,
        score=float(score or 0.0),
        snippet="",
        snippet_spans=[],
        offsets=[],
    )


def _has_fuzzy_or_prefix(text: str) -> bool:
    return bool(re.search(r"\w[~*]", text))


def _match_spans(
    text: str, stems: set[str], phrases: set[tuple[str, ...]]
) -> list[tuple[int, int]]:
    """Ranges of ``text`` holding query terms or phrases, sorted, non-overlapping."""
    tokens = analyze(text)
    spans: list[tuple[int, int]] = []
    if phrases:
        seq = [t[0] for t in tokens]
        for ph in phrases:
            k = len(ph)
            if k == 0:
                continue
            for i in range(len(seq) - k + 1):
                if seq[i] == ph[0] and tuple(seq[i : i + k]) == ph:
                    spans.append((tokens[i][1], tokens[i + k - 1][2]))
    for st, a, b in tokens:
        if st in stems:
            spans.append((a, b))
    spans.sort()
    merged: list[tuple[int, int]] = []
    for a, b in spans:
        if merged and a < merged[-1][1]:
            if b > merged[-1][1]:
                merged[-1] = (merged[-1][0], b)
            continue
        merged.append((a, b))
    return merged


def _annotation_sig(ann) -> str:
    """Changes when anything an annotation's index document shows changes."""
    parts = (ann.article_id, ann.start, ann.end, getattr(ann, "state", ""), getattr(ann, "content_hash", ""),
             ann.quote, ann.note, list(ann.tags or []))
    return hashlib.sha1(json.dumps(parts, ensure_ascii=False).encode("utf-8", "surrogatepass")).hexdigest()


def _annotation_doc(ann, get_article: Callable[[str], Article | None]) -> dict:
    """The index document of an annotation (``ann`` holds what a hit shows)."""
    try:
        article = get_article(ann.article_id)
    except Exception:
        article = None
    anchored = getattr(ann, "state", "") != "orphaned"
    section = article.section_at(ann.start) if article is not None and anchored else None
    tags = [str(t) for t in (ann.tags or [])]
    quote, note = ann.quote or "", ann.note or ""
    stored = {
        "sig": _annotation_sig(ann),
        "quote": quote,
        "note": note,
        "tags": tags,
        "start": int(ann.start),
        "end": int(ann.end),
        "anchored": anchored,
        "section_id": section.id if section else "",
        "section": section.title if section else "",
        "title": article.title if article is not None else "",
    }
    text = "\n".join(x for x in (quote, note) if x)
    return {
        "article_id": ann.article_id,
        "ann_id": ann.id,
        "note": text,
        "body": "\n".join(x for x in (text, " ".join(tags)) if x),
        "tag": " ".join(tags),
        "ann": stored,
    }


def _live_terms(reader, fieldname: str) -> set[str]:
    """Terms of an ID field held by at least one document not deleted (a
    deleted document's terms stay in the lexicon until its segment merges)."""
    out = set()
    for t in reader.lexicon(fieldname):
        text = t.decode("utf-8") if isinstance(t, bytes) else t
        if not reader.has_deletions() or reader.postings(fieldname, text).is_active():
            out.add(text)
    return out


def _metadata_fields(article: Article) -> dict:
    """``author`` and ``date`` of a section document, from the article's metadata."""
    out: dict = {}
    authors = article.metadata.get("authors") or article.metadata.get("author")
    if isinstance(authors, str):
        authors = [authors]
    if isinstance(authors, (list, tuple)):
        names = [str(a) for a in authors if a]
        if names:
            out["author"] = " ; ".join(names)
    when = _parse_date(article.metadata.get("date"))
    if when is not None:
        out["date"] = when
    return out


def _parse_date(value) -> datetime.datetime | None:
    """A ``datetime`` from an ISO date (``2026-03-14``, with or without a time;
    ``2026-03`` and ``2026`` are read as their first day)."""
    if isinstance(value, datetime.datetime):
        return value.replace(tzinfo=None)
    if isinstance(value, datetime.date):
        return datetime.datetime(value.year, value.month, value.day)
    if not isinstance(value, str):
        return None
    m = re.match(r"\s*(\d{4})(?:-(\d{1,2})(?:-(\d{1,2}))?)?", value)
    if not m:
        return None
    try:
        return datetime.datetime(int(m.group(1)), int(m.group(2) or 1), int(m.group(3) or 1))
    except ValueError:
        return None


def _write_json(path: pathlib.Path, data) -> None:
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(json.dumps(data, ensure_ascii=False, separators=(",", ":")), "utf-8")
    os.replace(tmp, path)
