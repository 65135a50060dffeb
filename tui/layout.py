"""Line layout of an article for the reader: pure code, no Textual.

An :class:`~index.model.Article` is laid out at a given pane width into
*display lines*. Each line is described by four parallel arrays:

``starts[i]``, ``ends[i]``
    the ``[start, end)`` range of ``Article.text`` the line stands for. Inside
    a block the ranges are contiguous: a line owns the break space (or the
    ``"\\n"`` of a table/code line) at its end, which is never drawn. So the
    lines of a block cover the block's range exactly once.
``blocks[i]``
    index of the block in ``Article.blocks`` (``-1`` for none).
``flags[i]``
    :data:`FIRST` (first line of a block), :data:`CONT` (continuation) or
    :data:`SPACER` (a blank line between blocks; ``start == end`` == the next
    block's start, so a spacer at the top of the screen reads as "the next
    block").

Every column count here is in terminal cells. Prose is wrapped greedily:
all-narrow text jumps from break to break with ``str.rfind(" ")``; text with
wide or zero-width characters goes grapheme by grapheme (Rich's
``split_graphemes``, the measure the screen uses), and may also break next to
wide (CJK) characters.
"""

from __future__ import annotations

import codecs
import re
from array import array
from bisect import bisect_left, bisect_right
from dataclasses import dataclass

from rich.cells import cell_len, split_graphemes

from index.model import Article

FIRST = 0
CONT = 1
SPACER = 2

# Characters that are exactly one cell wide (checked against Rich's table in
# the tests). A block made only of these takes the fast path.
_NARROW_RANGES = (
    (0x20, 0x7E),
    (0xA0, 0xAC),  # 0xAD soft hyphen is zero-width
    (0xAE, 0x2FF),
    (0x370, 0x482),  # Greek, Cyrillic letters
    (0x2010, 0x2027),  # dashes, quotes, bullets, ellipsis
    (0x2030, 0x205E),
    (0x20A0, 0x20C0),  # currency
    (0x2100, 0x214F),  # letterlike
    (0x2190, 0x21FF),  # arrows
    (0x2500, 0x25FC),  # box drawing, blocks, shapes
)
NARROW_CHARS = frozenset(chr(c) for lo, hi in _NARROW_RANGES for c in range(lo, hi + 1))
_all_narrow = NARROW_CHARS.issuperset

QUOTE_GUTTER = "▌ "
BULLET = "• "
CODE_INDENT = "  "


@dataclass(frozen=True, slots=True)
class LayoutOptions:
    """How text sits in the pane."""

    measure: int = 100  # widest text column, in cells (a readable line length)
    margin: int = 2  # blank cells left of the text
    right_margin: int = 1
    min_width: int = 12  # never wrap narrower than this, even in a tiny pane


def prefix_for(kind: str, level: int, flag: int) -> str:
    """What is drawn before a line's text (gutter, bullet, indent)."""
    if kind == "quote":
        return QUOTE_GUTTER
    if kind == "list_item":
        indent = "  " * min(max(level, 0), 6)
        return indent + (BULLET if flag == FIRST else "  ")
    if kind == "code":
        return CODE_INDENT
    return ""


def spacers_before(kind: str, level: int) -> int:
    """Blank lines before a block (not before the first one)."""
    if kind == "heading" and (level or 2) <= 2:
        return 2
    return 1


class LineLayout:
    """Display lines of one article at one width (see the module docstring)."""

    __slots__ = ("width", "text_width", "margin", "starts", "ends", "blocks", "flags", "_block_line")

    def __init__(self, width: int, text_width: int, margin: int) -> None:
        self.width = width  # pane width the layout was made for
        self.text_width = text_width  # cells available to prefix + text
        self.margin = margin
        self.starts = array("i")
        self.ends = array("i")
        self.blocks = array("i")
        self.flags = array("b")
        self._block_line = array("i")  # first display line of each block

    def __len__(self) -> int:
        return len(self.starts)

    def line_of(self, offset: int) -> int:
        """The display line showing ``offset`` (a separator maps to the line
        before it; an offset at a block start to the block's first line)."""
        n = len(self.starts)
        if not n:
            return 0
        i = bisect_right(self.starts, offset) - 1
        return min(max(i, 0), n - 1)

    def block_line(self, block_index: int) -> int:
        return self._block_line[block_index]

    def visible_end(self, text: str, line: int) -> int:
        """End of the drawn text of ``line`` (without its break space/newline)."""
        start = self.starts[line]
        end = self.ends[line]
        while end > start and text[end - 1] in " \n":
            end -= 1
        return end

    def nbytes(self) -> int:
        return sum(a.itemsize * len(a) for a in (self.starts, self.ends, self.blocks, self.flags, self._block_line))


def text_width_for(width: int, options: LayoutOptions) -> int:
    return max(options.min_width, min(options.measure, width - options.margin - options.right_margin))


def layout_article(article: Article, width: int, options: LayoutOptions = LayoutOptions()) -> LineLayout:
    """Lay ``article`` out for a pane ``width`` cells wide."""
    text_width = text_width_for(width, options)
    layout = LineLayout(width, text_width, options.margin)
    text = article.text
    starts: list[int] = []
    ends: list[int] = []
    blocks: list[int] = []
    flags: list[int] = []
    block_line: list[int] = []
    wide = not_narrow_positions(text)
    shapes: dict[tuple[str, int], tuple[int, int]] = {}  # (kind, level) -> (spacers, avail)
    wrap_narrow = _wrap_narrow
    for bi, block in enumerate(article.blocks):
        kind = block.kind
        b_start = block.start
        b_end = block.end
        shape = shapes.get((kind, block.level))
        if shape is None:
            shape = shapes[(kind, block.level)] = (
                spacers_before(kind, block.level),
                max(1, text_width - cells_of(prefix_for(kind, block.level, FIRST))),
            )
        spacers, avail = shape
        if bi:
            starts.extend([b_start] * spacers)
            ends.extend([b_start] * spacers)
            blocks.extend([bi] * spacers)
            flags.extend([SPACER] * spacers)
        first = len(starts)
        block_line.append(first)
        narrow = not wide or bisect_left(wide, b_start) == bisect_left(wide, b_end)
        if kind == "table" or kind == "code":
            pos = b_start
            while True:
                nl = text.find("\n", pos, b_end)
                _hard_wrap(text, pos, b_end if nl < 0 else nl, avail, starts, ends, narrow)
                if nl < 0:
                    break
                ends[-1] = nl + 1  # the line owns its newline
                pos = nl + 1
        elif narrow:
            if b_end - b_start <= avail:
                starts.append(b_start)
                ends.append(b_end)
            else:
                wrap_narrow(text, b_start, b_end, avail, starts, ends)
        else:
            _wrap_cells(text, b_start, b_end, avail, starts, ends)
        count = len(starts) - first
        blocks.extend([bi] * count)
        flags.append(FIRST)
        flags.extend([CONT] * (count - 1))
    layout.starts = array("i", starts)
    layout.ends = array("i", ends)
    layout.blocks = array("i", blocks)
    layout.flags = array("b", flags)
    layout._block_line = array("i", block_line)
    return layout


_scan_runs: list[tuple[int, int]] = []


def _record_run(exc: UnicodeError) -> tuple[str, int]:
    assert isinstance(exc, UnicodeEncodeError)
    _scan_runs.append((exc.start, exc.end))
    return "", exc.end


codecs.register_error("briefing-layout-scan", _record_run)


def not_narrow_positions(text: str) -> list[int]:
    """Sorted offsets of characters that are not exactly one cell wide ("\n" aside).

    Encoding to cp1252 runs at C speed and fails only on characters outside
    it (cp1252 holds ASCII, Latin-1 and the usual curly quotes, dashes and
    bullets, all narrow); only those characters are looked at one by one.
    """
    if text.isascii():
        return []
    _scan_runs.clear()
    text.encode("cp1252", errors="briefing-layout-scan")
    runs = list(_scan_runs)
    _scan_runs.clear()
    narrow = NARROW_CHARS
    found = [i for a, b in runs for i in range(a, b) if text[i] not in narrow]
    if "\xad" in text:  # soft hyphen: in cp1252, but zero width
        found = sorted(set(found) | {m.start() for m in re.finditer("\xad", text)})
    return found


def wrap_range(text: str, pos: int, end: int, width: int, out_s: list[int], out_e: list[int]) -> None:
    """Greedy word wrap of ``text[pos:end]`` to ``width`` cells.

    Appends contiguous ``[start, end)`` line ranges; a line owns the spaces it
    breaks at. Words longer than ``width`` are split.
    """
    if end - pos <= width and _all_narrow(text[pos:end]):
        out_s.append(pos)
        out_e.append(end)
        return
    if _all_narrow(text[pos:end]):
        _wrap_narrow(text, pos, end, width, out_s, out_e)
    else:
        _wrap_cells(text, pos, end, width, out_s, out_e)


def _wrap_narrow(text: str, pos: int, end: int, width: int, out_s: list[int], out_e: list[int]) -> None:
    rfind = text.rfind
    while end - pos > width:
        # A space at pos + width is fine: the line is exactly `width` long.
        cut = rfind(" ", pos + 1, pos + width + 1)
        if cut < 0:
            nxt = pos + width  # a word longer than the line: split it
        else:
            nxt = cut + 1
            while nxt < end and text[nxt] == " ":
                nxt += 1
        out_s.append(pos)
        out_e.append(nxt)
        pos = nxt
    if pos < end:
        out_s.append(pos)
        out_e.append(end)


def _wrap_cells(text: str, pos: int, end: int, width: int, out_s: list[int], out_e: list[int]) -> None:
    """Cell-aware greedy wrap: breaks after spaces and next to wide characters."""
    seg = text[pos:end]
    spans, total = split_graphemes(seg)
    if total <= width:
        out_s.append(pos)
        out_e.append(end)
        return
    line_start = 0  # index into seg
    used = 0  # cells since line_start
    brk = -1  # index into seg where the line may end (-1: none yet)
    used_at_brk = 0
    i = 0
    n = len(spans)
    while i < n:
        s, e, cells = spans[i]
        if seg[s] == " ":
            used += cells
            brk, used_at_brk = e, used
            i += 1
            continue
        if cells == 2 and s > line_start:
            brk, used_at_brk = s, used  # may break before a wide character
        if used + cells > width and s > line_start:
            if brk > line_start:
                out_s.append(pos + line_start)
                out_e.append(pos + brk)
                line_start = brk
                used -= used_at_brk
            else:
                out_s.append(pos + line_start)
                out_e.append(pos + s)
                line_start = s
                used = 0
            brk = -1
            continue  # measure this grapheme again on the new line
        used += cells
        if cells == 2:
            brk, used_at_brk = e, used  # ... and after it
        i += 1
    if line_start < len(seg):
        out_s.append(pos + line_start)
        out_e.append(end)


def _hard_wrap(
    text: str, pos: int, end: int, width: int, out_s: list[int], out_e: list[int], narrow: bool = False
) -> None:
    """Split one table/code line into pieces of at most ``width`` cells."""
    if narrow or _all_narrow(text[pos:end]):
        if end == pos:
            out_s.append(pos)
            out_e.append(end)
            return
        for p in range(pos, end, width):
            out_s.append(p)
            out_e.append(min(p + width, end))
        return
    seg = text[pos:end]
    spans, total = split_graphemes(seg)
    if total <= width:
        out_s.append(pos)
        out_e.append(end)
        return
    line_start = 0
    used = 0
    for s, _e, cells in spans:
        if used + cells > width and s > line_start:
            out_s.append(pos + line_start)
            out_e.append(pos + s)
            line_start = s
            used = 0
        used += cells
    out_s.append(pos + line_start)
    out_e.append(end)


# --- cells <-> offsets --------------------------------------------------------


def cells_of(s: str) -> int:
    return len(s) if _all_narrow(s) else cell_len(s)


def offset_at_cell(text: str, start: int, end: int, cell: int) -> int:
    """The offset in ``text[start:end]`` drawn at ``cell`` cells from its start
    (clamped to ``[start, end]``; the right half of a wide character maps to
    that character)."""
    if cell <= 0:
        return start
    seg = text[start:end]
    if _all_narrow(seg):
        return start + min(cell, len(seg))
    spans, _ = split_graphemes(seg)
    used = 0
    for s, _e, cells in spans:
        if used + cells > cell:
            return start + s
        used += cells
    return end


def cell_of_offset(text: str, start: int, offset: int) -> int:
    """Cells from ``start`` to ``offset`` (offset on the same display line)."""
    return cells_of(text[start:offset])
