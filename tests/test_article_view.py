"""The article view: wrapping (pure) and the widget in a small app."""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st
from rich.cells import cell_len, get_character_cell_size
from textual import events
from textual.app import App, ComposeResult

from index.model import ArticleBuilder
from tui.article_view import ArticleView
from tui.layout import (
    CONT,
    FIRST,
    NARROW_CHARS,
    SPACER,
    LayoutOptions,
    layout_article,
    not_narrow_positions,
    offset_at_cell,
    wrap_range,
)

# --- the wrapper (pure) -------------------------------------------------------


def wrap(text: str, width: int) -> list[tuple[int, int]]:
    s: list[int] = []
    e: list[int] = []
    wrap_range(text, 0, len(text), width, s, e)
    return list(zip(s, e))


def check_wrap(text: str, width: int) -> list[tuple[int, int]]:
    lines = wrap(text, width)
    # every offset covered exactly once, in order
    assert lines[0][0] == 0 and lines[-1][1] == len(text)
    for (a, b), (c, _d) in zip(lines, lines[1:]):
        assert b == c and b > a
    for a, b in lines:
        visible = text[a:b].rstrip(" ")
        assert cell_len(visible) <= width or len(visible) == 1, (text[a:b], width)
    # a line breaks inside a word only when that word does not fit a line
    for a, b in lines[:-1]:
        if text[b - 1] != " " and text[b] != " ":
            word_start = text.rfind(" ", 0, b) + 1
            word_end = text.find(" ", b)
            word = text[word_start : len(text) if word_end < 0 else word_end]
            wide = any(get_character_cell_size(ch) == 2 for ch in text[b - 1 : b + 1])
            assert wide or cell_len(word) > width, (word, width)
    return lines


def test_wrap_breaks_at_spaces_and_keeps_every_offset():
    text = "The quick brown fox jumps over the lazy dog and keeps running far away."
    lines = check_wrap(text, 20)
    assert [text[a:b] for a, b in lines] == [
        "The quick brown fox ",
        "jumps over the lazy ",
        "dog and keeps ",
        "running far away.",
    ]


def test_wrap_line_of_exactly_the_width():
    text = "abcde fghij klmno"
    assert [text[a:b] for a, b in check_wrap(text, 5)] == ["abcde ", "fghij ", "klmno"]


def test_wrap_splits_only_words_longer_than_the_width():
    text = "go supercalifragilisticexpialidocious now"
    pieces = [text[a:b] for a, b in check_wrap(text, 10)]
    assert pieces == ["go ", "supercalif", "ragilistic", "expialidoc", "ious now"]


def test_wrap_counts_wide_characters_as_two_cells():
    text = "中文" * 10  # 20 characters, 40 cells
    lines = check_wrap(text, 10)
    assert [b - a for a, b in lines] == [5, 5, 5, 5]
    mixed = "see 東京タワー today and 中文字符 again"
    for a, b in check_wrap(mixed, 9):
        assert cell_len(mixed[a:b].rstrip()) <= 9


def test_wrap_with_combining_and_zero_width_joiner():
    # cell_len equals len here, yet it is not all narrow: the slow path must run
    text = "中e\u0301 " * 12 + "family 👨\u200d👩\u200d👧 end"
    check_wrap(text, 7)


def test_narrow_set_is_single_cell():
    assert all(get_character_cell_size(ch) == 1 for ch in NARROW_CHARS)


def test_scan_finds_every_character_that_is_not_one_cell():
    text = "plain ‘quotes’ — μ and 中文, soft\xadhyphen, e\u0301, café ✓\nnext"
    expected = [i for i, ch in enumerate(text) if ch != "\n" and get_character_cell_size(ch) != 1]
    found = not_narrow_positions(text)
    # every character the screen draws other than one cell wide is found (the
    # scan may be cautious about a few more, which just take the slow path)
    assert set(expected) <= set(found) and found == sorted(found)
    assert all(text[i] not in NARROW_CHARS for i in found)
    assert not_narrow_positions("ascii only") == []


words = st.lists(
    st.sampled_from(list("abcdefghij") + ["中", "\u00e9", "ß", "—", "e\u0301"]), min_size=1, max_size=25
).map("".join)


@settings(max_examples=200, deadline=None)
@given(st.lists(words, min_size=1, max_size=40), st.integers(min_value=4, max_value=40))
def test_wrap_properties(word_list, width):
    check_wrap(" ".join(word_list), width)


def sample_article(long_words: int = 120):
    b = ArticleBuilder("sample", title="Sample")
    b.add("heading", "Introduction", level=1)
    b.add("paragraph", "Literal [bold red]not bold[/] and [@click=app.quit]no link[/] stay as typed.")
    b.add("paragraph", " ".join(f"w{i:03d}" for i in range(long_words)))
    b.add("quote", "A quoted passage that is long enough to wrap over more than one line of the pane.")
    b.add("list_item", "First item of the list, long enough to wrap onto a second line of the pane.")
    b.add("list_item", "Nested item", level=1)
    b.add("heading", "Numbers", level=2)
    b.add("table", "| year | amount |\n|---|---|\n| 2024 | 1,234 |")
    b.add("caption", "Table 1. Amounts by year.")
    b.add("heading", "Later", level=2)
    for n in range(12):
        b.add("paragraph", f"Later paragraph {n} " + "filler text " * 12)
    b.add("heading", "Last", level=2)
    b.add("paragraph", "The final words.")
    return b.build()


def test_layout_covers_each_block_once_with_spacers_between():
    art = sample_article()
    layout = layout_article(art, 50)
    covered = [0] * len(art.text)
    for i in range(len(layout)):
        for o in range(layout.starts[i], layout.ends[i]):
            covered[o] += 1
    for bi, block in enumerate(art.blocks):
        assert all(covered[o] == 1 for o in range(block.start, block.end))
        first = layout.block_line(bi)
        assert layout.flags[first] == FIRST and layout.starts[first] == block.start
        if bi:
            assert layout.flags[first - 1] == SPACER
    separators = [o for o in range(len(art.text)) if not any(b.start <= o < b.end for b in art.blocks)]
    assert separators and all(covered[o] == 0 for o in separators)
    # table rows stay rows
    table = next(bi for bi, b in enumerate(art.blocks) if b.kind == "table")
    rows = [art.text[layout.starts[i] : layout.ends[i]] for i in range(len(layout)) if layout.blocks[i] == table and layout.flags[i] != SPACER]
    assert rows == ["| year | amount |\n", "|---|---|\n", "| 2024 | 1,234 |"]
    # the measure caps the line length on a wide pane
    wide = layout_article(art, 300, LayoutOptions(measure=80))
    assert max(wide.ends[i] - wide.starts[i] for i in range(len(wide))) <= 81
    assert CONT in wide.flags


def test_offset_at_cell_maps_wide_characters():
    text = "ab中文cd"
    assert offset_at_cell(text, 0, len(text), 0) == 0
    assert offset_at_cell(text, 0, len(text), 2) == 2
    assert offset_at_cell(text, 0, len(text), 3) == 2  # right half of 中
    assert offset_at_cell(text, 0, len(text), 4) == 3
    assert offset_at_cell(text, 0, len(text), 99) == len(text)


# --- the widget -----------------------------------------------------------------


class ViewApp(App):
    def __init__(self, article, offset: int = 0):
        super().__init__()
        self.article = article
        self.offset = offset
        self.positions: list[tuple[int, str | None]] = []

    def compose(self) -> ComposeResult:
        view = ArticleView(id="view")
        view.FREEZE_GC = False  # keep the test process's collector as it is
        yield view

    def on_mount(self) -> None:
        view = self.query_one(ArticleView)
        view.show_article(self.article, self.offset)
        view.focus()

    def on_article_view_position_changed(self, message: ArticleView.PositionChanged) -> None:
        self.positions.append((message.offset, message.section_id))


def screen_lines(app: App) -> list[str]:
    # What the terminal would show, as plain text per row.
    return ["".join(seg.text for seg in strip) for strip in app.screen._compositor.render_strips()]


def screen_strips(app: App):
    return app.screen._compositor.render_strips()


async def test_shows_headings_and_text_literally():
    art = sample_article()
    app = ViewApp(art)
    async with app.run_test(size=(100, 20)) as pilot:
        await pilot.pause()
        lines = screen_lines(app)
        assert lines[0].strip() == "Introduction"
        assert any("Literal [bold red]not bold[/] and [@click=app.quit]no link[/] stay as typed." in line for line in lines)
        quote = next(line for line in lines if "A quoted passage" in line)
        assert quote.lstrip().startswith("▌ ")
        bullet = next(line for line in lines if "First item" in line)
        assert bullet.lstrip().startswith("• ")
        # heading is bold, body text is not
        strips = screen_strips(app)
        heading_style = next(seg.style for seg in strips[0] if "Introduction" in seg.text)
        body_row = next(i for i, line in enumerate(lines) if "Literal" in line)
        body_style = next(seg.style for seg in strips[body_row] if "Literal" in seg.text)
        assert heading_style.bold and not body_style.bold


async def test_keys_move_the_reading_position():
    art = sample_article()
    app = ViewApp(art)
    async with app.run_test(size=(60, 12)) as pilot:
        view = app.query_one(ArticleView)
        await pilot.pause()
        layout = view.line_layout
        assert view.top_offset() == 0
        await pilot.press("j")
        assert view.scroll_offset.y == 1 and view.top_offset() == layout.starts[1]
        await pilot.press("j", "j", "k")
        assert view.scroll_offset.y == 2
        height = view.scrollable_content_region.height
        await pilot.press("space")
        assert view.scroll_offset.y == 2 + height - 1
        await pilot.press("b")
        assert view.scroll_offset.y == 2
        await pilot.press("ctrl+d")
        assert view.scroll_offset.y == 2 + height // 2
        await pilot.press("G")
        assert view.scroll_offset.y == len(layout) - height
        assert "The final words." in screen_lines(app)[height - 1]
        await pilot.press("g")
        assert view.scroll_offset.y == 0 and view.top_offset() == 0
        # the text on screen followed the keys
        assert screen_lines(app)[0].strip() == "Introduction"


async def test_wheel_scrolls_and_reports_the_new_position():
    art = sample_article()
    app = ViewApp(art)
    async with app.run_test(size=(60, 12)) as pilot:
        view = app.query_one(ArticleView)
        await pilot.pause()
        app.positions.clear()
        for _ in range(3):
            view.post_message(events.MouseScrollDown(view, 5, 5, 0, 1, 0, False, False, False))
        await pilot.pause()
        y = view.scroll_offset.y
        assert y > 0
        assert view.top_offset() == view.line_layout.starts[y]
        assert app.positions and app.positions[-1][0] == view.top_offset()
        # the wheel position is kept across a resize
        before = view.top_offset()
        await pilot.resize_terminal(45, 12)
        await pilot.pause()
        assert view.top_offset() == before


async def test_brackets_jump_between_sections():
    art = sample_article()
    app = ViewApp(art)
    async with app.run_test(size=(60, 12)) as pilot:
        view = app.query_one(ArticleView)
        await pilot.pause()
        titles = [s.title for s in art.sections]
        assert titles == ["Introduction", "Numbers", "Later", "Last"]
        await pilot.press("]")
        assert view.top_offset() == art.sections[1].start
        assert view.current_section().id == "s1"
        assert screen_lines(app)[0].strip() == "Numbers"
        await pilot.press("]")
        assert view.current_section().title == "Later"
        await pilot.press("j", "j", "[")
        assert view.current_section().title == "Later"
        assert screen_lines(app)[0].strip() == "Later"
        await pilot.press("[")
        assert view.current_section().title == "Numbers"
        await pilot.pause()
        assert app.positions[-1] == (art.sections[1].start, "s1")


async def test_resize_keeps_the_place():
    art = sample_article(long_words=400)
    long_para = art.blocks[2]
    app = ViewApp(art)
    async with app.run_test(size=(80, 15)) as pilot:
        view = app.query_one(ArticleView)
        await pilot.pause()
        # somewhere in the middle of the long paragraph
        view.scroll_to_offset(long_para.start + 900)
        await pilot.pause()
        before = view.top_offset()
        top_word = screen_lines(app)[0].split()[0]
        for size in ((50, 15), (110, 20), (37, 9)):
            await pilot.resize_terminal(*size)
            await pilot.pause()
            after = view.top_offset()
            assert long_para.start <= after < long_para.end
            layout = view.line_layout
            top = view.scroll_offset.y
            assert layout.starts[top] <= before < layout.ends[top]  # same line
            assert abs(after - before) < layout.text_width
            assert top_word in screen_lines(app)[0]


async def test_matches_are_styled_and_current_is_distinct():
    art = sample_article()
    text = art.text
    hits = [m.span() for m in re.finditer(r"w01\d", text)]
    app = ViewApp(art)
    async with app.run_test(size=(60, 20)) as pilot:
        view = app.query_one(ArticleView)
        await pilot.pause()
        y0 = view.scroll_offset.y
        view.set_matches(hits, current=1)
        await pilot.pause()
        assert view.scroll_offset.y == y0  # set_matches does not scroll
        lines = screen_lines(app)
        strips = screen_strips(app)

        def styles_at(word: str):
            row = next(i for i, line in enumerate(lines) if word in line)
            col = lines[row].index(word)
            cells = []
            for seg in strips[row]:
                cells.extend([seg.style] * len(seg.text))
            return cells[col - 1], cells[col : col + len(word)], cells[col + len(word)]

        before, inside, after = styles_at("w010")
        assert all(s.bgcolor == inside[0].bgcolor for s in inside)
        assert inside[0].bgcolor != before.bgcolor and inside[0].bgcolor != after.bgcolor
        _, current, _ = styles_at("w011")
        assert current[0].bgcolor != inside[0].bgcolor
        _, other, _ = styles_at("w012")
        assert other[0].bgcolor == inside[0].bgcolor
        view.set_matches([])
        await pilot.pause()
        strips = screen_strips(app)
        lines = screen_lines(app)
        before2, inside2, _ = styles_at("w010")
        assert inside2[0].bgcolor == before2.bgcolor


async def test_highlights_paint_their_colour():
    art = sample_article()
    start = art.text.index("w005")
    app = ViewApp(art)
    async with app.run_test(size=(60, 20)) as pilot:
        view = app.query_one(ArticleView)
        await pilot.pause()
        view.set_highlights([(start, start + 4, "yellow"), (start + 2, start + 9, "green")])
        await pilot.pause()
        lines = screen_lines(app)
        row = next(i for i, line in enumerate(lines) if "w005" in line)
        col = lines[row].index("w005")
        cells = []
        for seg in screen_strips(app)[row]:
            cells.extend([seg.style.bgcolor] * len(seg.text))
        plain, yellow, green = cells[col - 1], cells[col], cells[col + 3]
        assert len({plain, yellow, green}) == 3


async def test_offset_at_maps_a_cell_back_to_its_word():
    art = sample_article()
    app = ViewApp(art)
    async with app.run_test(size=(60, 20)) as pilot:
        view = app.query_one(ArticleView)
        await pilot.press("j")
        lines = screen_lines(app)
        for word in ("w007", "quoted", "[@click=app.quit]no"):
            row = next(i for i, line in enumerate(lines) if word in line)
            col = lines[row].index(word)
            x = col - view.region.x + 1  # a cell inside the word
            offset = view.offset_at(x, row - view.region.y)
            assert art.text[offset - 1 : offset - 1 + len(word)] == word
        blank_row = next(i for i, line in enumerate(lines) if not line.strip())
        assert view.offset_at(3, blank_row) is None


async def test_drag_selects_article_text():
    art = sample_article()
    app = ViewApp(art)
    async with app.run_test(size=(60, 20)) as pilot:
        view = app.query_one(ArticleView)
        await pilot.pause()
        lines = screen_lines(app)
        row = next(i for i, line in enumerate(lines) if "w003" in line)
        x0 = lines[row].index("w003")
        x1 = lines[row].index("w005") + 3
        await pilot.mouse_down(view, offset=(x0, row))
        await pilot.hover(view, offset=(x1, row))
        await pilot.mouse_up(view, offset=(x1, row))
        await pilot.pause()
        assert app.screen.get_selected_text() == "w003 w004 w005"


async def test_large_article_loads_and_jumps_to_the_end():
    b = ArticleBuilder("big", title="Big")
    n = 0
    while sum(len(p) for p in b._parts) < 200_000:
        b.add("heading", f"Part {n}", level=2)
        for k in range(5):
            b.add("paragraph", f"Paragraph {n}.{k} " + "lorem ipsum dolor sit amet " * 25)
        n += 1
    b.add("paragraph", "THE END.")
    art = b.build()
    assert len(art.text) >= 200_000
    app = ViewApp(art)
    async with app.run_test(size=(100, 30)) as pilot:
        view = app.query_one(ArticleView)
        await pilot.pause()
        assert screen_lines(app)[0].strip() == "Part 0"
        await pilot.press("G")
        await pilot.pause()
        lines = screen_lines(app)
        height = view.scrollable_content_region.height
        assert lines[height - 1].strip() == "THE END."
        assert view.current_section().title == f"Part {n - 1}"
        await pilot.press("b")
        assert view.scroll_offset.y == len(view.line_layout) - height - (height - 1)


async def test_show_article_at_an_offset_and_none():
    art = sample_article()
    target = art.sections[2].start
    app = ViewApp(art, offset=target)
    async with app.run_test(size=(60, 12)) as pilot:
        view = app.query_one(ArticleView)
        await pilot.pause()
        assert view.top_offset() == target
        assert screen_lines(app)[0].strip() == "Later"
        view.show_article(None)
        await pilot.pause()
        assert view.article is None
        assert not "".join(screen_lines(app)).strip()
