"""The article view: a line-virtualized reader for one :class:`Article`.

Layout (wrapping) lives in :mod:`tui.layout`; this widget draws the lines it
describes, a few at a time, and maps screen cells back to article offsets.

Article text is data: it goes to the screen as plain ``Segment`` text, never
through a markup parser.
"""

from __future__ import annotations

import gc
import heapq
from bisect import bisect_right
from typing import NamedTuple

from rich.segment import Segment
from rich.style import Style
from textual import events
from textual.actions import SkipAction
from textual.binding import Binding
from textual.cache import LRUCache
from textual.geometry import Offset, Region, Size
from textual.message import Message
from textual.scroll_view import ScrollView
from textual.selection import Selection
from textual.strip import Strip

from index.model import Article, Section

from .layout import (
    FIRST,
    SPACER,
    LayoutOptions,
    LineLayout,
    cells_of,
    layout_article,
    offset_at_cell,
    prefix_for,
)
from .passages import Passages, extend_head, selection_of

HIGHLIGHT_COLOURS = ("yellow", "green", "blue", "pink", "orange", "purple")


class _Layer(NamedTuple):
    """Sorted, non-overlapping ranges with one style key each."""

    starts: list[int]
    ends: list[int]
    keys: list[str]


_EMPTY_LAYER = _Layer([], [], [])


def _flatten(ranges: list[tuple[int, int, str]]) -> _Layer:
    """Overlapping (start, end, key) ranges -> non-overlapping; later ranges win."""
    items = [(s, e, k, n) for n, (s, e, k) in enumerate(ranges) if e > s]
    if not items:
        return _EMPTY_LAYER
    points = sorted({p for s, e, _k, _n in items for p in (s, e)})
    items.sort()
    starts: list[int] = []
    ends: list[int] = []
    keys: list[str] = []
    heap: list[tuple[int, int, str]] = []  # (-n, end, key): latest range on top
    j = 0
    for a, b in zip(points, points[1:]):
        while j < len(items) and items[j][0] <= a:
            s, e, k, n = items[j]
            heapq.heappush(heap, (-n, e, k))
            j += 1
        while heap and heap[0][1] <= a:
            heapq.heappop(heap)
        if heap:
            # entries below the top may be stale; only the top matters here
            key = heap[0][2]
            if ends and ends[-1] == a and keys[-1] == key:
                ends[-1] = b
            else:
                starts.append(a)
                ends.append(b)
                keys.append(key)
    return _Layer(starts, ends, keys)


def _overlaps(layer: _Layer, start: int, end: int):
    """(start, end, key) of the layer's ranges that meet [start, end), clipped."""
    i = bisect_right(layer.ends, start)
    starts, ends, keys = layer
    n = len(starts)
    while i < n and starts[i] < end:
        yield max(starts[i], start), min(ends[i], end), keys[i]
        i += 1


class ArticleView(ScrollView, can_focus=True):
    """Shows one article; keeps the reading position as an article offset."""

    ALLOW_SELECT = True
    FREEZE_GC = True  # gc.freeze() after laying out an article (steadier frame times)

    BINDINGS = [
        Binding("j,down", "line_down", "Line down", show=False, id="article.line_down"),
        Binding("k,up", "line_up", "Line up", show=False, id="article.line_up"),
        Binding("space,pagedown", "page_down", "Page down", show=False, id="article.page_down"),
        Binding("b,pageup", "page_up", "Page up", show=False, id="article.page_up"),
        Binding("ctrl+d", "half_page_down", "Half page down", show=False, id="article.half_down"),
        Binding("ctrl+u", "half_page_up", "Half page up", show=False, id="article.half_up"),
        Binding("g,home", "go_top", "Top", show=False, id="article.top"),
        Binding("G,end", "go_end", "End", show=False, id="article.end"),
        Binding("[", "prev_section", "Prev section", id="article.prev_section"),
        Binding("]", "next_section", "Next section", id="article.next_section"),
        Binding(")", "sentence(1)", "Cursor to the next sentence (extends a selection)", show=False,
                id="article.next_sentence"),
        Binding("(", "sentence(-1)", "Cursor to the previous sentence (extends a selection)", show=False,
                id="article.previous_sentence"),
        Binding("}", "paragraph(1)", "Cursor to the next paragraph (extends a selection)", show=False,
                id="article.next_paragraph"),
        Binding("{", "paragraph(-1)", "Cursor to the previous paragraph (extends a selection)", show=False,
                id="article.previous_paragraph"),
        Binding("v", "select", "Select from the cursor sentence (v again: cancel)", show=False,
                id="article.select"),
        Binding("shift+right", "extend_word(1)", "Extend the selection by a word", show=False,
                id="article.extend_word"),
        Binding("shift+left", "extend_word(-1)", "Extend the selection a word back", show=False,
                id="article.extend_word_back"),
        Binding("h", "highlight", "Highlight", id="article.highlight"),
        Binding("escape", "clear_selection", "Clear the selection (then the cursor)", show=False,
                id="article.clear_selection"),
    ]

    COMPONENT_CLASSES = {
        "article-view--heading",
        "article-view--heading-1",
        "article-view--heading-2",
        "article-view--quote",
        "article-view--gutter",
        "article-view--bullet",
        "article-view--caption",
        "article-view--table",
        "article-view--code",
        "article-view--match",
        "article-view--match-current",
        "article-view--cursor",
        "article-view--cursor-mark",
        *(f"article-view--highlight-{c}" for c in HIGHLIGHT_COLOURS),
    }

    DEFAULT_CSS = """
    ArticleView {
        scrollbar-gutter: stable;
        overflow-x: hidden;
        overflow-y: auto;
        & > .article-view--heading { text-style: bold; }
        & > .article-view--heading-1 { text-style: bold underline; color: $accent; }
        & > .article-view--heading-2 { text-style: bold; color: $accent; }
        & > .article-view--quote { text-style: italic; }
        & > .article-view--gutter { color: $accent; }
        & > .article-view--bullet { color: $accent; }
        & > .article-view--caption { text-style: dim italic; }
        & > .article-view--table { color: $text; }
        & > .article-view--code { color: $text; background: $foreground 5%; }
        & > .article-view--match { background: $warning 35%; }
        & > .article-view--match-current { background: $warning; color: $background; text-style: bold; }
        & > .article-view--cursor { background: $accent 18%; }
        & > .article-view--cursor-mark { text-style: underline; }
        & > .article-view--highlight-yellow { background: yellow 30%; }
        & > .article-view--highlight-green { background: green 35%; }
        & > .article-view--highlight-blue { background: dodgerblue 35%; }
        & > .article-view--highlight-pink { background: hotpink 35%; }
        & > .article-view--highlight-orange { background: orange 35%; }
        & > .article-view--highlight-purple { background: mediumpurple 40%; }
    }
    """

    class PositionChanged(Message):
        """The reading position changed (top offset or section under the top line)."""

        def __init__(self, view: "ArticleView", offset: int, section_id: str | None) -> None:
            super().__init__()
            self.view = view
            self.offset = offset
            self.section_id = section_id

        @property
        def control(self) -> "ArticleView":
            return self.view

    class HighlightRequested(Message):
        """The user asked to highlight ``[start, end)`` of the article (``h``)."""

        def __init__(self, view: "ArticleView", start: int, end: int) -> None:
            super().__init__()
            self.view = view
            self.start = start
            self.end = end

        @property
        def control(self) -> "ArticleView":
            return self.view

    def __init__(
        self,
        article: Article | None = None,
        *,
        options: LayoutOptions | None = None,
        name: str | None = None,
        id: str | None = None,
        classes: str | None = None,
        disabled: bool = False,
    ) -> None:
        super().__init__(name=name, id=id, classes=classes, disabled=disabled)
        self.options = options or LayoutOptions()
        self._article: Article | None = None
        self._layout: LineLayout | None = None
        self._section_starts: list[int] = []
        # Reading position: the article offset `_anchor` is at the top while
        # scroll_y == `_anchor_y`; a scroll elsewhere re-derives it from the top line.
        self._anchor = 0
        self._anchor_y = 0
        self._last_position: tuple[int, str | None] | None = None
        self._version = 0  # bumped whenever cached strips go stale
        self._strips: LRUCache[tuple[int, int, int], Strip] = LRUCache(1024)
        self._styles: dict[str, Style] = {}
        self._painting = False
        self._paint_width = 0
        self._matches = _EMPTY_LAYER
        self._current: tuple[int, int] | None = None
        self._highlights = _EMPTY_LAYER
        self._selection_range: tuple[int, int] | None = None
        self._selection_source: Selection | None = None
        self._passages: Passages | None = None
        self._cursor: tuple[int, int] | None = None  # the reading cursor (a sentence)
        # Keyboard selection: the anchor passage and the moving end.
        self._key_anchor: tuple[int, int] | None = None
        self._key_head = 0
        self._key_selection: Selection | None = None
        if article is not None:
            self.show_article(article)

    # --- public API -------------------------------------------------------

    @property
    def article(self) -> Article | None:
        return self._article

    @property
    def line_layout(self) -> LineLayout | None:
        """The current display lines (None until laid out)."""
        return self._layout

    def show_article(self, article: Article | None, offset: int = 0) -> None:
        self._article = article
        self._layout = None
        self._section_starts = [s.start for s in article.sections] if article else []
        self._matches = _EMPTY_LAYER
        self._current = None
        self._highlights = _EMPTY_LAYER
        self._selection_range = None
        self._selection_source = None
        self._passages = Passages(article) if article is not None else None
        self._cursor = None
        self._key_anchor = None
        self._key_selection = None
        self._anchor = max(0, offset)
        self._anchor_y = 0
        self._last_position = None
        self._invalidate()
        if article is None:
            self.virtual_size = Size(0, 0)
            self.set_scroll(0, 0)
        else:
            width = self._pane_width()
            if width > 0:
                self._relayout(width)  # else: on the first render_line
            if self.FREEZE_GC and self.is_attached:
                self.call_after_refresh(self._freeze_gc)
        if self.is_attached and self in self.screen.selections:
            self.screen.clear_selection()  # it pointed into the previous article
        self.refresh()
        self._post_position()

    def scroll_to_offset(self, offset: int, *, center: bool = False) -> None:
        offset = max(0, offset)
        layout = self._layout
        if layout is None:
            self._anchor = offset
            self._anchor_y = 0
            return
        line = layout.line_of(offset)
        if center:
            target = self._clamp_y(line - self._pane_height() // 2)
            self._anchor = layout.starts[target]
        else:
            target = self._clamp_y(line)
            self._anchor = offset
        self._anchor_y = target
        self._scroll_y_to(target)

    def top_offset(self) -> int:
        layout = self._layout
        if layout is None or not len(layout):
            return self._anchor
        y = self.scroll_offset.y
        if y == self._anchor_y:
            return self._anchor
        return layout.starts[min(y, len(layout) - 1)]

    def current_section(self) -> Section | None:
        article = self._article
        if article is None or not article.sections:
            return None
        i = bisect_right(self._section_starts, self.top_offset()) - 1
        return article.sections[max(i, 0)]

    def set_matches(self, ranges: list[tuple[int, int]], current: int | None = None) -> None:
        cur = None
        if current is not None and 0 <= current < len(ranges):
            cur = tuple(ranges[current])
        clean: list[tuple[int, int]] = sorted((s, e) for s, e in ranges if e > s)
        starts: list[int] = []
        ends: list[int] = []
        for s, e in clean:
            if ends and s < ends[-1]:  # overlapping matches: merge
                ends[-1] = max(ends[-1], e)
                continue
            starts.append(s)
            ends.append(e)
        self._matches = _Layer(starts, ends, ["match"] * len(starts))
        self._current = cur if cur and cur[1] > cur[0] else None
        self._invalidate()
        self.refresh()

    def set_highlights(self, ranges: list[tuple[int, int, str]]) -> None:
        self._highlights = _flatten(
            [(s, e, f"highlight-{c if c in HIGHLIGHT_COLOURS else 'yellow'}") for s, e, c in ranges]
        )
        self._invalidate()
        self.refresh()

    def offset_at(self, x: int, y: int) -> int | None:
        layout = self._layout
        article = self._article
        if layout is None or article is None or x < 0 or y < 0:
            return None
        if x >= self._pane_width():
            return None
        line = self.scroll_offset.y + y
        if line >= len(layout) or layout.flags[line] == SPACER:
            return None
        start = layout.starts[line]
        block = article.blocks[layout.blocks[line]]
        text_x = layout.margin + cells_of(prefix_for(block.kind, block.level, layout.flags[line]))
        return offset_at_cell(article.text, start, layout.visible_end(article.text, line), x - text_x)

    def line_text(self, line: int) -> str:
        """Plain text of a display line as drawn (margin, prefix and text)."""
        layout, article = self._layout, self._article
        if layout is None or article is None or not 0 <= line < len(layout):
            return ""
        if layout.flags[line] == SPACER:
            return ""
        block = article.blocks[layout.blocks[line]]
        prefix = prefix_for(block.kind, block.level, layout.flags[line])
        return " " * layout.margin + prefix + article.text[layout.starts[line] : layout.visible_end(article.text, line)]

    # --- selection --------------------------------------------------------

    def _selection_to_range(self, selection: Selection) -> tuple[int, int] | None:
        layout, article = self._layout, self._article
        if layout is None or article is None or not len(layout):
            return None

        def to_offset(point, default: int) -> int:
            if point is None:
                return default
            x, y = point
            if y >= len(layout):
                return len(article.text)
            y = max(0, y)
            return min(layout.starts[y] + max(0, x), layout.ends[y])

        a = to_offset(selection.start, 0)
        b = to_offset(selection.end, len(article.text))
        if b < a:
            a, b = b, a
        return (a, b) if b > a else None

    def get_selection(self, selection: Selection) -> tuple[str, str] | None:
        if self._article is None:
            return None
        if selection is self._selection_source and self._selection_range is not None:
            rng: tuple[int, int] | None = self._selection_range
        else:
            rng = self._selection_to_range(selection)
        if rng is None:
            return None
        return self._article.text[rng[0] : rng[1]], "\n"

    def selection_updated(self, selection: Selection | None) -> None:
        # Line-based selections go stale after a re-wrap: keep article offsets.
        # Screen watchers run later: go by the screen's selection as it is now.
        if self.is_attached:
            selection = self.screen.selections.get(self)
        if selection is not None and selection == self._key_selection:
            return  # made by the keys (select_range): already applied
        self._selection_source = selection
        self._selection_range = None if selection is None else self._selection_to_range(selection)
        self._key_anchor = None  # a mouse selection (or none) replaces the keyboard's
        self._key_selection = None
        self._invalidate()
        self.refresh()

    @property
    def selected_range(self) -> tuple[int, int] | None:
        """The selected article range (by mouse or keys), if any."""
        return self._selection_range

    def select_range(self, start: int, end: int) -> None:
        """Select ``[start, end)`` of the article (as the screen's selection, so
        copying works as for a mouse selection)."""
        layout, article = self._layout, self._article
        if layout is None or article is None or not len(layout):
            return
        start = max(0, min(start, len(article.text)))
        end = max(start, min(end, len(article.text)))
        if end <= start:
            self.clear_selection()
            return
        y0, y1 = layout.line_of(start), layout.line_of(end)
        selection = Selection(Offset(start - layout.starts[y0], y0), Offset(end - layout.starts[y1], y1))
        self._key_selection = selection
        self._selection_source = selection
        self._selection_range = (start, end)
        if self.is_attached:
            self.screen.selections = {self: selection}
        self._invalidate()
        self.refresh()

    def clear_selection(self) -> None:
        self._key_anchor = None
        self._key_selection = None
        self._selection_range = None
        self._selection_source = None
        if self.is_attached and self in self.screen.selections:
            self.screen.clear_selection()
        self._invalidate()
        self.refresh()

    # --- reading cursor ---------------------------------------------------

    @property
    def cursor(self) -> tuple[int, int] | None:
        """The range under the reading cursor (a sentence, or a passage jumped to)."""
        return self._cursor

    def set_cursor(self, start: int, end: int, *, reveal: bool = True) -> None:
        article = self._article
        if article is None:
            return
        start = max(0, min(start, len(article.text)))
        self._cursor = (start, max(start, min(end, len(article.text))))
        self._invalidate()
        self.refresh()
        if reveal:
            self._reveal(start)

    def sentence_at(self, offset: int) -> tuple[int, int] | None:
        """The sentence holding ``offset`` (else the next one) of the open article."""
        passages = self._passages
        return None if passages is None else passages.unit_at("sentence", max(0, offset))

    def clear_cursor(self) -> None:
        self._cursor = None
        self._invalidate()
        self.refresh()

    def _visible_lines(self) -> tuple[int, int]:
        top = self.scroll_offset.y
        return top, top + self._pane_height()

    def _is_visible(self, offset: int) -> bool:
        layout = self._layout
        if layout is None:
            return False
        top, bottom = self._visible_lines()
        return top <= layout.line_of(offset) < bottom

    def _reveal(self, offset: int) -> None:
        """Scroll as little as needed to show the line of ``offset``."""
        layout = self._layout
        if layout is None or not len(layout):
            self._anchor = offset
            return
        line = layout.line_of(offset)
        top, bottom = self._visible_lines()
        if top <= line < bottom:
            return
        if line < top:
            target = self._clamp_y(line - 1)
        else:
            target = self._clamp_y(line - self._pane_height() + 2)
        self._anchor = layout.starts[target]
        self._anchor_y = target
        self._scroll_y_to(target)

    def _cursor_position(self) -> int | None:
        """Where cursor moves start: the cursor if on screen, else the top of the screen."""
        layout = self._layout
        if self._article is None or layout is None or not len(layout):
            return None
        if self._cursor is not None and self._is_visible(self._cursor[0]):
            return self._cursor[0]
        return None

    def _first_visible_sentence(self) -> tuple[int, int] | None:
        passages = self._passages
        if passages is None:
            return None
        return passages.unit_at("sentence", self.top_offset())

    def _move_cursor(self, unit: str, step: int) -> None:
        passages = self._passages
        if passages is None:
            return
        pos = self._cursor_position()
        if pos is None:
            target = self._first_visible_sentence()
        elif unit == "sentence":
            target = passages.step("sentence", pos, step > 0)
        else:
            paragraph = passages.step("paragraph", pos, step > 0)
            if step < 0:
                here = passages.unit_at("paragraph", pos)
                if here is not None and here[0] < pos:
                    paragraph = here  # first back to the start of this paragraph
            target = passages.unit_at("sentence", paragraph[0]) if paragraph else None
        if target is None:
            self.app.bell()
            return
        self.set_cursor(*target)

    def _extend(self, unit: str, step: int) -> None:
        passages = self._passages
        anchor = self._key_anchor
        if passages is None or anchor is None:
            return
        head = extend_head(passages.spans(unit), anchor, self._key_head, step > 0)
        if head is None:
            self.app.bell()
            return
        self._key_head = head
        start, end = selection_of(anchor, head)
        self.select_range(start, end)
        self._key_anchor = anchor  # select_range keeps the keyboard's state
        sentence = passages.unit_at("sentence", max(head - 1, 0) if head == end else head)
        if sentence is not None:
            self._cursor = sentence
        self._invalidate()
        self._reveal(head)

    def _start_key_selection(self, anchor: tuple[int, int]) -> None:
        self._key_anchor = anchor
        self._key_head = anchor[1]
        if anchor[1] > anchor[0]:
            self.select_range(*anchor)
        else:
            self.clear_selection()
        self._key_anchor = anchor

    # --- actions ----------------------------------------------------------

    def _move(self, delta: int) -> None:
        if self._layout is None:
            return
        target = self._clamp_y(self.scroll_offset.y + delta)
        self._anchor = self._layout.starts[target] if len(self._layout) else 0
        self._anchor_y = target
        self._scroll_y_to(target)

    def action_line_down(self) -> None:
        self._move(1)

    def action_line_up(self) -> None:
        self._move(-1)

    def action_page_down(self) -> None:
        self._move(max(1, self._pane_height() - 1))

    def action_page_up(self) -> None:
        self._move(-max(1, self._pane_height() - 1))

    def action_half_page_down(self) -> None:
        self._move(max(1, self._pane_height() // 2))

    def action_half_page_up(self) -> None:
        self._move(-max(1, self._pane_height() // 2))

    def action_go_top(self) -> None:
        self._move(-(self.scroll_offset.y + 1))

    def action_sentence(self, step: int) -> None:
        if self._key_anchor is not None:
            self._extend("sentence", step)
        else:
            self._move_cursor("sentence", step)

    def action_paragraph(self, step: int) -> None:
        if self._key_anchor is not None:
            self._extend("paragraph", step)
        else:
            self._move_cursor("paragraph", step)

    def action_select(self) -> None:
        if self._article is None:
            return
        if self._key_anchor is not None:
            self.clear_selection()
            return
        pos = self._cursor_position()
        sentence = self._cursor if pos is not None else self._first_visible_sentence()
        if sentence is None:
            return
        self._cursor = sentence
        self._start_key_selection(sentence)
        self._reveal(sentence[0])

    def action_extend_word(self, step: int) -> None:
        if self._article is None or self._passages is None:
            return
        if self._key_anchor is None:
            pos = self._cursor_position()
            if pos is None:
                sentence = self._first_visible_sentence()
                if sentence is None:
                    return
                self._cursor = sentence
                pos = sentence[0]
            self._start_key_selection((pos, pos))
        self._extend("word", step)

    def action_highlight(self) -> None:
        if self._article is None:
            return
        chosen = self.selected_range or self._cursor
        if chosen is None or chosen[1] <= chosen[0]:
            sentence = self._first_visible_sentence()
            if sentence is not None:
                self.set_cursor(*sentence)
            self.notify(
                "Nothing selected: select with v or the mouse, or press h again to highlight "
                "the sentence under the cursor.",
                markup=False,
            )
            return
        self.post_message(self.HighlightRequested(self, *chosen))

    def on_key(self, event: events.Key) -> None:
        # Escape with a selection clears just the selection; handled here,
        # before the screen (which would clear it too) and the bindings see
        # it, so a second escape can clear the cursor.
        if event.key == "escape" and (self._selection_range is not None or self._key_anchor is not None):
            event.stop()
            event.prevent_default()
            self.clear_selection()

    def action_clear_selection(self) -> None:
        if self._selection_range is not None or self._key_anchor is not None:
            self.clear_selection()
        elif self._cursor is not None:
            self.clear_cursor()
        else:
            raise SkipAction()

    def on_click(self, event: events.Click) -> None:
        # A plain click puts the reading cursor on the sentence clicked.
        if event.chain != 1 or self._passages is None:
            return
        offset = self.offset_at(event.x, event.y)
        if offset is None:
            return
        sentence = self._passages.unit_at("sentence", offset)
        if sentence is not None and sentence[0] <= offset <= sentence[1]:
            self.set_cursor(*sentence, reveal=False)

    def action_go_end(self) -> None:
        if self._layout is not None:
            self._move(len(self._layout))

    def action_next_section(self) -> None:
        layout, article = self._layout, self._article
        if layout is None or article is None:
            return
        top = self.scroll_offset.y
        for section in article.sections:
            if layout.line_of(section.start) > top:
                self.scroll_to_offset(section.start)
                return

    def action_prev_section(self) -> None:
        layout, article = self._layout, self._article
        if layout is None or article is None:
            return
        top = self.scroll_offset.y
        for section in reversed(article.sections):
            if layout.line_of(section.start) < top:
                self.scroll_to_offset(section.start)
                return
        if top > 0:
            self.scroll_to_offset(0)

    # --- scrolling and position -------------------------------------------

    def _pane_width(self) -> int:
        if not self.is_attached:
            return 0
        return self.scrollable_content_region.width

    def _pane_height(self) -> int:
        if not self.is_attached:
            return 1
        return max(1, self.scrollable_content_region.height)

    def _clamp_y(self, y: int) -> int:
        layout = self._layout
        n = len(layout) if layout is not None else 0
        return max(0, min(y, n - self._pane_height()))

    def _scroll_y_to(self, y: int) -> None:
        self.scroll_to(y=y, animate=False, force=True)
        self._post_position()

    def watch_scroll_y(self, old_value: float, new_value: float) -> None:
        super().watch_scroll_y(old_value, new_value)
        y = round(new_value)
        layout = self._layout
        if layout is not None and y != self._anchor_y and len(layout):
            # The user (wheel, scrollbar) moved: the top line is the new place.
            self._anchor = layout.starts[min(y, len(layout) - 1)]
            self._anchor_y = y
        self._post_position()

    def _post_position(self) -> None:
        if self._article is None:
            position: tuple[int, str | None] = (0, None)
        else:
            section = self.current_section()
            position = (self.top_offset(), section.id if section else None)
        if position != self._last_position:
            self._last_position = position
            self.post_message(self.PositionChanged(self, *position))

    # --- layout -----------------------------------------------------------

    def _relayout(self, width: int) -> None:
        """Wrap at ``width`` and keep the anchor offset at the top."""
        article = self._article
        assert article is not None
        self._layout = layout = layout_article(article, width, self.options)
        self._invalidate()
        self.virtual_size = Size(width, len(layout))
        line = layout.line_of(self._anchor)
        target = self._clamp_y(line)
        self._anchor_y = target
        # Applied at once (no validation against the old virtual size), so the
        # lines painted in this very frame already use the new layout.
        self.set_scroll(None, target)
        self.scroll_target_y = target

    def _freeze_gc(self) -> None:
        """After the first frame: collect once, then move what is alive out of
        the collector's way, so full collections (25+ ms on a big article)
        do not land on a page-down."""
        gc.collect()
        gc.freeze()

    def _invalidate(self) -> None:
        self._version += 1
        self._strips.clear()

    def notify_style_update(self) -> None:
        super().notify_style_update()
        self._styles.clear()
        self._invalidate()

    def on_resize(self) -> None:
        self.refresh()

    # --- rendering --------------------------------------------------------

    def _style(self, name: str) -> Style:
        """Cached rich style: "" is the widget's own; else a component layer
        (attributes plus colours blended over the widget background)."""
        try:
            return self._styles[name]
        except KeyError:
            pass
        if name == "":
            style = self.rich_style
        elif name.endswith("+cursor"):
            style = self._style(name.removesuffix("+cursor")) + self._style("cursor-mark")
        else:
            if name == "selection":
                node, component = self.screen, "screen--selection"
            else:
                node, component = self, f"article-view--{name}"
            full = node.get_component_rich_style(component)
            partial = node.get_component_rich_style(component, partial=True)
            style = partial.without_color + Style(
                color=full.color if partial.color is not None else None,
                bgcolor=full.bgcolor if partial.bgcolor is not None else None,
            )
        self._styles[name] = style
        return style

    def _line_base(self, kind: str, level: int) -> Style:
        key = f"{kind}:{level}"
        try:
            return self._styles[key]
        except KeyError:
            pass
        style = self._style("")
        if kind == "heading":
            style += self._style("heading")
            if (level or 2) <= 2:
                style += self._style(f"heading-{level or 2}")
        elif kind in ("quote", "caption", "table", "code"):
            style += self._style(kind)
        self._styles[key] = style
        return style

    def render_lines(self, crop: Region) -> list[Strip]:
        # Painting: no offset metadata, and the width / scroll position are read once.
        self._painting = True
        self._paint_width = self._pane_width()
        try:
            return super().render_lines(crop)
        finally:
            self._painting = False

    def render_line(self, y: int) -> Strip:
        painting = self._painting
        width = self._paint_width if painting else self._pane_width()
        article = self._article
        if article is None or width <= 0:
            return Strip.blank(max(0, width), self._style(""))
        layout = self._layout
        if layout is None or layout.width != width:
            self._relayout(width)
            layout = self._layout
            assert layout is not None
        line = round(self.scroll_y) + y
        if line >= len(layout):
            return Strip.blank(width, self._style(""))
        if not painting:
            # Called by the compositor to map the pointer to text: add offsets.
            return self._build_strip(line, width, with_offsets=True)
        key = (line, width, self._version)
        strip = self._strips.get(key)
        if strip is None:
            strip = self._build_strip(line, width)
            self._strips[key] = strip
        return strip

    def _build_strip(self, line: int, width: int, with_offsets: bool = False) -> Strip:
        layout = self._layout
        article = self._article
        assert layout is not None and article is not None
        plain = self._style("")
        flag = layout.flags[line]
        if flag == SPACER:
            if with_offsets:
                meta = Style.from_meta({"offset": (0, line)})
                return Strip([Segment(" ", plain + meta)] * width, width)
            return Strip.blank(width, plain)
        text = article.text
        block = article.blocks[layout.blocks[line]]
        start = layout.starts[line]
        end = layout.visible_end(text, line)
        base = self._line_base(block.kind, block.level)
        segments: list[Segment] = []
        used = 0

        def lead(s: str, style: Style) -> None:
            if with_offsets:
                meta = style + Style.from_meta({"offset": (0, line)})
                segments.extend(Segment(ch, meta) for ch in s)
            else:
                segments.append(Segment(s, style))

        if layout.margin:
            lead(" " * layout.margin, plain)
            used += layout.margin
        prefix = prefix_for(block.kind, block.level, flag)
        if prefix:
            if block.kind == "quote":
                lead(prefix, self._style("gutter"))
            elif block.kind == "list_item" and flag == FIRST:
                lead(prefix, self._style("bullet"))
            else:
                lead(prefix, base)
            used += cells_of(prefix)

        # Boundaries where the style changes, from every layer.
        spans: list[tuple[int, int, str]] = []
        cursor = self._cursor
        if cursor is not None and cursor[0] < end and cursor[1] > start:
            spans.append((max(cursor[0], start), min(cursor[1], end), "cursor"))
        for layer in (self._highlights, self._matches):
            if layer.starts:
                spans.extend(_overlaps(layer, start, end))
        current = self._current
        if current is not None and current[0] < end and current[1] > start:
            spans.append((max(current[0], start), min(current[1], end), "match-current"))
        selection = self._selection_range
        if selection is not None and selection[0] < end and selection[1] > start:
            spans.append((max(selection[0], start), min(selection[1], end), "selection"))

        if not spans:
            pieces = [(start, end, base)]
        else:
            points = sorted({start, end, *(p for s, e, _k in spans for p in (s, e))})
            pieces = []
            for a, b in zip(points, points[1:]):
                style = base
                under_cursor = False
                for s, e, k in spans:  # layer order: cursor < highlight < match < current < selection
                    if s <= a and e >= b:
                        if k == "cursor":
                            under_cursor = True
                        elif under_cursor and k.startswith("highlight"):
                            k = k + "+cursor"  # a highlight hides the cursor's tint: mark it
                        style = style + self._style(k)
                pieces.append((a, b, style))

        for a, b, style in pieces:
            chunk = text[a:b]
            if with_offsets:
                style = style + Style.from_meta({"offset": (a - start, line)})
            segments.append(Segment(chunk, style))
        used += cells_of(text[start:end])
        if used < width:
            pad_style = plain
            if with_offsets:
                pad_style = plain + Style.from_meta({"offset": (end - start, line)})
            segments.append(Segment(" " * (width - used), pad_style))
            used = width
        strip = Strip(segments, used)
        if used > width:
            strip = strip.crop(0, width)
        return strip
