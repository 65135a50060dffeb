"""Annotations in the reader app: select (keys or mouse), highlight, write a
note, list, jump, edit, delete and undo, export; plus the pure rules behind
the cursor, the selection and the notes pane.

Pilot tests at 120x40 on a small briefing written here; BRIEFING_HOME is a
temporary folder (conftest).
"""

from __future__ import annotations

import re
from pathlib import Path
from types import SimpleNamespace

import pytest
from textual.command import CommandPalette
from textual.widgets import Input, TextArea

from index.briefing import Briefing
from tui.app import BriefingApp
from tui.navigation import UNANCHORED, annotation_groups, filter_annotations
from tui.passages import Passages, Spans, article_sentences, extend_head, selection_of, split_sentences
from tui.screens import ExportScreen, HelpScreen, NoteScreen
from tui.widgets import AnnotationList, LibraryList
from pilot_helpers import SIZE, prompt_text, wait_until, ready, screen_lines


ALPHA = """---
title: Chips and trade
authors: [Ann Author, Bo Writer]
date: 2024-05-01
---

# Chips and trade

## Background

First sentence of the background. Second sentence here! A third one follows? Fourth closes the paragraph.

Another paragraph starts here. It has two sentences.

## Outlook

{filler}

Outlook opens the section. The U.S. Congress may act soon. Nothing else.

{filler}
"""

FILLER = "\n\n".join(
    f"Filler paragraph number {n} talks about budgets and rules at some length so that it wraps. "
    f"It has a second sentence too."
    for n in range(14)
)


@pytest.fixture
def desk(tmp_path) -> Path:
    root = tmp_path / "desk"
    root.mkdir()
    (root / "alpha.md").write_text(ALPHA.format(filler=FILLER), encoding="utf-8")
    (root / "beta.md").write_text(
        "# Beta memo\n\n## Summary\n\nBeta says trade matters. Beta also says chips matter.\n", encoding="utf-8"
    )
    return root


def cell_backgrounds(app, row: int) -> list:
    cells: list = []
    for seg in app.screen._compositor.render_strips()[row]:
        cells.extend([seg.style.bgcolor if seg.style else None] * len(seg.text))
    return cells


def find_on_screen(app, needle: str) -> tuple[int, int]:
    for row, line in enumerate(screen_lines(app)):
        col = line.find(needle)
        if col >= 0:
            return row, col
    raise AssertionError(f"{needle!r} is not on screen")


def offset_of(app: BriefingApp, needle: str) -> int:
    return app.article.text.index(needle)


async def note_screen(pilot) -> NoteScreen:
    await wait_until(pilot, lambda: isinstance(pilot.app.screen, NoteScreen), "the note editor")
    screen = pilot.app.screen
    for box in screen.query(Input):
        box.cursor_blink = False
    return screen


# -- selecting and highlighting ---------------------------------------------------------


async def test_keys_select_by_sentence_and_word_then_note_and_tags_are_saved(briefing):
    app = BriefingApp(briefing)
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        view = app.view
        # ) puts the cursor on the first sentence on screen, then walks sentences
        await pilot.press("right_parenthesis")
        assert app.article.text[slice(*view.cursor)] == "Background"
        await pilot.press("right_parenthesis", "right_parenthesis")
        assert app.article.text[slice(*view.cursor)] == "Second sentence here!"
        # v selects the cursor sentence; ) extends by a sentence, shift+right by a word
        await pilot.press("v", "right_parenthesis", "shift+right")
        assert app.article.text[slice(*view.selected_range)] == "Second sentence here! A third one follows? Fourth"
        await pilot.press("h")
        editor = await note_screen(pilot)
        await pilot.press(*"Why", "space", *"this", "enter", *"matters")
        await pilot.press("tab")
        assert editor.query_one("#note-tags", Input).has_focus
        await pilot.press(*"chips", "comma", "space", *"Trade")
        await pilot.press("ctrl+s")
        await wait_until(pilot, lambda: not isinstance(app.screen, NoteScreen), "the editor to close")
        [ann] = briefing.annotations("alpha")
        assert ann.quote == "Second sentence here! A third one follows? Fourth"
        assert ann.note == "Why this\nmatters"
        assert ann.tags == ["chips", "trade"]
        assert view.selected_range is None  # the selection became the highlight
        # the library counts it at once
        label = prompt_text(app.query_one(LibraryList).get_option("alpha").prompt)
        assert "1 note" in label


async def test_paragraph_keys_and_escape_clears_selection_then_cursor(briefing):
    app = BriefingApp(briefing)
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        view = app.view
        await pilot.press("right_curly_bracket", "right_curly_bracket", "right_curly_bracket")
        assert app.article.text[slice(*view.cursor)] == "Another paragraph starts here."
        # the cursor's sentence is tinted, the rest of the line is not
        row, col = find_on_screen(app, "Another paragraph starts here. It has")
        cells = cell_backgrounds(app, row)
        assert cells[col] != cells[col - 1]
        assert cells[col + len("Another paragraph starts here. ")] == cells[col - 1]
        await pilot.press("left_curly_bracket")
        assert app.article.text[slice(*view.cursor)] == "First sentence of the background."
        await pilot.press("v", "right_curly_bracket")  # to the end of this paragraph
        assert app.article.text[slice(*view.selected_range)] == (
            "First sentence of the background. Second sentence here! A third one follows? Fourth closes the paragraph."
        )
        await pilot.press("right_curly_bracket")  # and over the next one
        assert app.article.text[slice(*view.selected_range)].endswith("here. It has two sentences.")
        await pilot.press("escape")
        assert view.selected_range is None and view.cursor is not None
        await pilot.press("escape")
        assert view.cursor is None
        assert app.focused is view


async def test_h_without_a_selection_first_shows_the_cursor_then_highlights_its_sentence(briefing):
    app = BriefingApp(briefing)
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        await pilot.press("h")
        assert not isinstance(app.screen, NoteScreen)
        assert briefing.annotations() == []
        assert app.view.cursor is not None
        await pilot.press("right_parenthesis", "h")
        await note_screen(pilot)
        await pilot.press("escape")
        [ann] = briefing.annotations()
        assert ann.quote == "First sentence of the background."


async def test_mouse_drag_then_h_highlights_and_escape_keeps_it(briefing):
    app = BriefingApp(briefing)
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        view = app.view
        row, col = find_on_screen(app, "Another paragraph")
        x0, y = col - view.region.x, row - view.region.y
        x1 = x0 + len("Another paragraph") - 1  # the end includes the cell under the pointer
        await pilot.mouse_down(view, offset=(x0, y))
        await pilot.hover(view, offset=(x1, y))
        await pilot.mouse_up(view, offset=(x1, y))
        await pilot.pause()
        assert app.screen.get_selected_text() == "Another paragraph"
        await pilot.press("h")
        await note_screen(pilot)
        await pilot.press(*"unsaved")
        await pilot.press("escape")  # cancels the note, not the highlight
        await wait_until(pilot, lambda: not isinstance(app.screen, NoteScreen), "the editor to close")
        [ann] = briefing.annotations()
        assert ann.quote == "Another paragraph" and ann.note == ""
        # the highlight is drawn where the words are
        await pilot.pause()
        row, col = find_on_screen(app, "Another paragraph")
        cells = cell_backgrounds(app, row)
        assert cells[col] != cells[col - 1]
        assert cells[col] == cells[col + len("Another paragraph") - 1]
        assert cells[col + len("Another paragraph") + 1] == cells[col - 1]


# -- drawing -----------------------------------------------------------------------------


async def test_overlapping_highlights_both_show_and_differ_from_matches(briefing):
    text = briefing.article("alpha").text
    a = text.index("Another paragraph")
    briefing.annotate("alpha", a, a + len("Another paragraph starts"), color="green")
    briefing.annotate("alpha", a + len("Another "), a + len("Another paragraph starts here."), color="blue")
    app = BriefingApp(briefing)
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        row, col = find_on_screen(app, "Another paragraph starts here.")
        cells = cell_backgrounds(app, row)
        plain, green, overlap, blue_only = cells[col - 1], cells[col], cells[col + 8], cells[col + 26]
        assert len({plain, green, overlap}) == 3
        assert overlap == blue_only  # the later (here also the inner) highlight is on top
        assert blue_only != green
        # a find match is drawn differently from a highlight
        await pilot.press("ctrl+f", *"starts")
        await pilot.pause()
        row2, col2 = find_on_screen(app, "Another paragraph starts here.")
        match_cell = cell_backgrounds(app, row2)[col2 + len("Another paragraph ")]
        assert match_cell not in (plain, green, overlap)
        # both stay listed (and selectable) in the pane
        await pilot.press("escape", "a")
        listing = app.query_one(AnnotationList)
        ids = [listing.get_option_at_index(i).id for i in range(listing.option_count)]
        assert len([i for i in ids if i]) == 2


async def test_header_shows_title_and_metadata_outside_the_text(briefing):
    app = BriefingApp(briefing)
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        lines = screen_lines(app)
        head = next(i for i, line in enumerate(lines) if "Chips and trade" in line)
        assert "Ann Author, Bo Writer · 2024-05-01" in lines[head + 1]
        assert "Chips and trade" not in app.article.text.split("\n")[0]


# -- the pane -----------------------------------------------------------------------------


async def test_pane_lists_in_document_order_and_enter_jumps_to_the_passage(briefing):
    text = briefing.article("alpha").text
    late = text.index("The U.S. Congress")
    early = text.index("Second sentence")
    briefing.annotate("alpha", late, late + len("The U.S. Congress may act soon."), note="Watch Congress",
                      tags=["politics"])
    briefing.annotate("alpha", early, early + len("Second sentence here!"), note="Early one")
    app = BriefingApp(briefing)
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        await pilot.press("a")
        listing = app.query_one(AnnotationList)
        assert app.focused is listing
        lines = "\n".join(screen_lines(app))
        assert lines.index("Early one") < lines.index("Watch Congress")
        assert "#politics" in lines
        assert app.view.top_offset() < late
        await pilot.press("down", "enter")
        await pilot.pause()
        view = app.view
        assert view.line_layout.line_of(view.top_offset()) == view.line_layout.line_of(late)
        assert view.cursor == (late, late + len("The U.S. Congress may act soon."))
        assert "The U.S. Congress may act soon." in "\n".join(screen_lines(app))
        # back (ctrl+o) returns to where we were
        await pilot.press("ctrl+o")
        assert app.view.top_offset() < late


async def test_delete_then_undo_restores(briefing):
    text = briefing.article("alpha").text
    start = text.index("It has two sentences.")
    ann = briefing.annotate("alpha", start, start + len("It has two sentences."))
    app = BriefingApp(briefing)
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        await pilot.press("a", "d")
        assert briefing.annotations() == []
        assert app.query_one(AnnotationList).highlighted_id is None
        assert "No notes here yet" in "\n".join(screen_lines(app))
        assert "note" not in prompt_text(app.query_one(LibraryList).get_option("alpha").prompt)
        await pilot.press("u")
        assert [a.id for a in briefing.annotations()] == [ann.id]
        assert app.query_one(AnnotationList).highlighted_id == ann.id
        assert "1 note" in prompt_text(app.query_one(LibraryList).get_option("alpha").prompt)


async def test_e_and_t_edit_the_note_and_tags(briefing):
    text = briefing.article("alpha").text
    start = text.index("Nothing else.")
    ann = briefing.annotate("alpha", start, start + len("Nothing else."), note="old", tags=["a"])
    app = BriefingApp(briefing)
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        await pilot.press("a", "e")
        editor = await note_screen(pilot)
        area = editor.query_one("#note-text", TextArea)
        assert area.has_focus and area.text == "old"
        await pilot.press(*" and new")
        await pilot.click("#colour-pink")
        await pilot.click("#note-save")
        await wait_until(pilot, lambda: not isinstance(app.screen, NoteScreen), "the editor to close")
        saved = briefing.annotation(ann.id)
        assert saved.note == "old and new" and saved.color == "pink"
        await pilot.press("t")
        editor = await note_screen(pilot)
        tags = editor.query_one("#note-tags", Input)
        assert tags.has_focus and tags.value == "a"
        await pilot.press("space", *"b", "enter")
        await wait_until(pilot, lambda: not isinstance(app.screen, NoteScreen), "the editor to close")
        assert briefing.annotation(ann.id).tags == ["a", "b"]


async def test_notes_with_markup_show_literally_in_the_pane(briefing):
    text = briefing.article("alpha").text
    start = text.index("Nothing else.")
    briefing.annotate("alpha", start, start + len("Nothing else."), note="[bold]x[/] and [@click=app.quit]y[/]",
                      tags=["t1"])
    app = BriefingApp(briefing)
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        await pilot.press("a")
        lines = "\n".join(screen_lines(app))
        assert "[bold]x[/] and [@click=app.quit]y[/]" in lines


async def test_filter_by_tag_and_text_and_scope_of_the_whole_briefing(briefing):
    alpha = briefing.article("alpha").text
    beta = briefing.article("beta").text
    s1 = alpha.index("Nothing else.")
    briefing.annotate("alpha", s1, s1 + len("Nothing else."), note="quiet end", tags=["ending"])
    s2 = alpha.index("Another paragraph")
    briefing.annotate("alpha", s2, s2 + len("Another paragraph"), note="second para", tags=["middle"])
    s3 = beta.index("Beta says trade matters.")
    briefing.annotate("beta", s3, s3 + len("Beta says trade matters."), note="from beta", tags=["ending"])
    app = BriefingApp(briefing)
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        await pilot.press("a")
        listing = app.query_one(AnnotationList)

        def shown() -> list[str]:
            return [listing.get_option_at_index(i).id for i in range(listing.option_count)
                    if listing.get_option_at_index(i).id]

        assert len(shown()) == 2
        await pilot.press("s")  # whole briefing, grouped by article
        assert len(shown()) == 3
        lines = "\n".join(screen_lines(app))
        assert lines.index("Chips and trade") < lines.index("Beta memo")
        await pilot.press("f", "number_sign", *"end")
        assert {briefing.annotation(i).note for i in shown()} == {"quiet end", "from beta"}
        app.query_one("#ann-filter", Input).value = "para"
        await pilot.pause()
        assert {briefing.annotation(i).note for i in shown()} == {"second para"}


async def test_orphaned_annotations_are_listed_under_unanchored(desk, home):
    b = Briefing.open(desk, home)
    try:
        b.read_changes()
        text = b.article("beta").text
        start = text.index("Beta also says chips matter.")
        b.annotate("beta", start, start + len("Beta also says chips matter."), note="lost soon")
        (desk / "beta.md").write_text("# Beta memo\n\n## Summary\n\nCompletely different words now.\n",
                                      encoding="utf-8")
        app = BriefingApp(b)
        async with app.run_test(size=SIZE) as pilot:
            await ready(pilot)
            await wait_until(pilot, lambda: b.annotations()[0].state == "orphaned", "re-anchoring")
            await pilot.press("a", "s")
            lines = screen_lines(app)
            row = next(i for i, line in enumerate(lines) if UNANCHORED in line)
            assert any("lost soon" in line for line in lines[row:])
            assert any("unanchored" in line for line in lines[row:])
    finally:
        b.close()


# -- export ------------------------------------------------------------------------------


async def open_export(pilot, path: Path) -> ExportScreen:
    app = pilot.app
    await pilot.press("x")
    await wait_until(pilot, lambda: isinstance(app.screen, ExportScreen), "the export dialog")
    screen = app.screen
    box = screen.query_one("#export-path", Input)
    box.cursor_blink = False
    box.value = str(path)
    await pilot.pause()
    return screen


async def test_export_writes_markdown_with_the_quote_as_a_blockquote(briefing, tmp_path):
    text = briefing.article("alpha").text
    start = text.index("Second sentence here!")
    briefing.annotate("alpha", start, start + len("Second sentence here!"), note="A note")
    target = tmp_path / "out" / "notes.md"
    target.parent.mkdir()
    app = BriefingApp(briefing)
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        await open_export(pilot, target)
        await pilot.click("#export-go")
        await wait_until(pilot, lambda: not isinstance(app.screen, ExportScreen), "the export")
        content = target.read_text(encoding="utf-8")
        assert "> Second sentence here!" in content
        assert "A note" in content
        assert str(target) in str(app.query_one("#status-text").content)


async def test_export_as_json_for_a_tag(briefing, tmp_path):
    text = briefing.article("alpha").text
    s1 = text.index("Nothing else.")
    briefing.annotate("alpha", s1, s1 + len("Nothing else."), tags=["keep"])
    s2 = text.index("Another paragraph")
    briefing.annotate("alpha", s2, s2 + len("Another paragraph"), tags=["skip"])
    target = tmp_path / "notes.json"
    app = BriefingApp(briefing)
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        screen = await open_export(pilot, tmp_path / "notes.md")
        await pilot.click("#format-json")
        assert screen.query_one("#export-path", Input).value == str(target)
        screen.query_one("#export-tag").value = "keep"
        await pilot.pause()
        await pilot.press("ctrl+s")
        await wait_until(pilot, target.exists, "the file")
        content = target.read_text(encoding="utf-8")
        assert '"exact": "Nothing else."' in content and "Another paragraph" not in content


async def test_export_does_not_overwrite_without_confirmation(briefing, tmp_path):
    text = briefing.article("alpha").text
    start = text.index("Nothing else.")
    briefing.annotate("alpha", start, start + len("Nothing else."))
    target = tmp_path / "notes.md"
    target.write_text("my own file\n", encoding="utf-8")
    app = BriefingApp(briefing)
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        screen = await open_export(pilot, target)
        await pilot.press("ctrl+s")
        await wait_until(pilot, lambda: "already exists" in str(screen.query_one("#export-status").content),
                         "the warning")
        assert target.read_text(encoding="utf-8") == "my own file\n"
        assert isinstance(app.screen, ExportScreen)
        await pilot.click("#export-go")  # the second press confirms
        await wait_until(pilot, lambda: not isinstance(app.screen, ExportScreen), "the export")
        assert "> Nothing else." in target.read_text(encoding="utf-8")


async def test_export_error_is_one_line_in_the_dialog(briefing, tmp_path):
    app = BriefingApp(briefing)
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        screen = await open_export(pilot, tmp_path / "missing-folder" / "notes.md")
        await pilot.press("ctrl+s")
        status = screen.query_one("#export-status")
        await wait_until(pilot, lambda: "no such folder" in str(status.content), "the error")
        assert "\n" not in str(status.content)
        assert isinstance(app.screen, ExportScreen)


# -- help and palette ------------------------------------------------------------------------


async def test_new_keys_are_in_the_help_screen_and_the_palette(briefing):
    app = BriefingApp(briefing)
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        await pilot.press("question_mark")
        assert isinstance(app.screen, HelpScreen)
        rows = [desc for _title, items in app.binding_groups() for _keys, desc in items]
        for wanted in ("Highlight", "Export notes", "Notes", "Undo delete", "Save the note",
                       "Extend the selection by a word", "Cursor to the next sentence (extends a selection)"):
            assert wanted in rows
        await pilot.press("escape")
        names = [name for name, *_ in app.palette_commands()]
        for wanted in ("Highlight", "Export notes", "Notes: Delete", "Select from the cursor sentence (v again: cancel)"):
            assert wanted in names
        await pilot.press("ctrl+p")
        await wait_until(pilot, lambda: isinstance(app.screen, CommandPalette), "the palette")
        await pilot.press(*"export", "space", *"notes")
        await pilot.pause(0.3)
        await pilot.press("enter")
        await wait_until(pilot, lambda: isinstance(app.screen, ExportScreen), "the export dialog")


# -- pure rules ----------------------------------------------------------------------------


def test_sentences_keep_abbreviations_and_initials_together():
    text = "The U.S. Congress met. It was approx. five hours! See No. 5 and p. 3. Dr. Lee said no. End"
    assert [text[s:e] for s, e in split_sentences(text, 0, len(text))] == [
        "The U.S. Congress met.",
        "It was approx. five hours!",
        "See No. 5 and p. 3.",
        "Dr. Lee said no.",
        "End",
    ]


def test_selection_grows_and_shrinks_around_its_anchor():
    #        0    5    10   15   20
    spans = Spans([(0, 4), (5, 9), (10, 14), (15, 19)])
    anchor = (5, 9)
    head = extend_head(spans, anchor, 9, True)
    assert selection_of(anchor, head) == (5, 14)
    head = extend_head(spans, anchor, head, False)
    assert selection_of(anchor, head) == (5, 9)  # back to the anchor, never less
    head = extend_head(spans, anchor, head, False)
    assert selection_of(anchor, head) == (0, 9)  # then it grows to the left
    head = extend_head(spans, anchor, head, True)
    assert selection_of(anchor, head) == (5, 9)
    assert extend_head(spans, anchor, 19, True) is None


def test_passages_step_by_sentence_and_paragraph(briefing):
    article = briefing.article("alpha")
    passages = Passages(article)
    text = article.text
    first = passages.unit_at("sentence", text.index("First sentence"))
    nxt = passages.step("sentence", first[0], True)
    assert text[nxt[0] : nxt[1]] == "Second sentence here!"
    para = passages.step("paragraph", first[0], True)
    assert text[para[0] : para[1]] == "Another paragraph starts here. It has two sentences."


def _crs_articles():
    from index.readers import read_file

    crs = Path(__file__).resolve().parent / "fixtures" / "crs"
    return [read_file(path, path.stem) for path in sorted(crs.glob("*.md"))]


def test_sentences_and_words_found_block_by_block_answer_as_the_whole_split():
    # Every look-up the cursor and the selection make, at every offset, is the
    # same whether the article is split at once or block by block.
    for article in _crs_articles():
        text = article.text
        whole = {
            "sentence": Spans(article_sentences(article)),
            "word": Spans(m.span() for m in re.finditer(r"\S+", text)),
        }
        passages = Passages(article)
        for unit, eager in whole.items():
            lazy = passages.spans(unit)
            for pos in range(-1, len(text) + 2):
                assert lazy.range_at(pos) == eager.range_at(pos), (article.id, unit, pos)
                for name in ("next_start", "next_end", "prev_start", "prev_end"):
                    assert getattr(lazy, name)(pos) == getattr(eager, name)(pos), (article.id, unit, name, pos)


def test_a_cursor_step_on_a_huge_article_splits_only_the_blocks_it_reaches():
    paragraph = ("The committee met again. Members discussed the budget at length; no vote was taken. "
                 "Dr. Lee said the U.S. position is unchanged. ") * 3
    body = "\n\n".join(f"## Part {n}\n\n{paragraph}\n\n{paragraph}" for n in range(2500))
    from index.readers.markdown import read_markdown

    article = read_markdown("# Huge\n\n" + body, "huge", {})
    assert len(article.text) > 1_000_000
    passages = Passages(article)
    middle = article.blocks[len(article.blocks) // 2]
    here = passages.unit_at("sentence", middle.start + 5)
    nxt = passages.step("sentence", here[0], True)
    back = passages.step("sentence", nxt[0], False)
    assert back == here and nxt[0] > here[0]
    assert passages.spans("sentence").blocks_split <= 3
    passages.step("word", here[0], True)
    assert passages.spans("word").blocks_split <= 2


def _ann(id, article_id, start, quote="q", note="", tags=(), state="anchored", created="2024"):
    return SimpleNamespace(id=id, article_id=article_id, start=start, quote=quote, note=note, tags=list(tags),
                           state=state, created=created)


def test_filter_by_tag_prefix_and_words():
    anns = [_ann("1", "a", 0, quote="Trade war", tags=["trade"]), _ann("2", "a", 5, note="chips ahead"),
            _ann("3", "b", 0, tags=["chips", "trade"])]
    assert [a.id for a in filter_annotations(anns, "#tra")] == ["1", "3"]
    assert [a.id for a in filter_annotations(anns, "#trade chips")] == ["3"]
    assert [a.id for a in filter_annotations(anns, "CHIPS")] == ["2", "3"]
    assert len(filter_annotations(anns, "  ")) == 3


def test_groups_in_document_order_with_unanchored_last():
    anns = [_ann("late", "a", 50), _ann("gone", "a", 0, state="orphaned"), _ann("early", "a", 10),
            _ann("other", "b", 0)]
    single = annotation_groups([a for a in anns if a.article_id == "a"], ["a", "b"], {}, single_article=True)
    assert [(h, [a.id for a in items]) for h, items in single] == [(None, ["early", "late"]), (UNANCHORED, ["gone"])]
    every = annotation_groups(anns, ["b", "a"], {"a": "Alpha", "b": "Beta"}, single_article=False)
    assert [(h, [a.id for a in items]) for h, items in every] == [
        ("Beta", ["other"]), ("Alpha", ["early", "late"]), (UNANCHORED, ["gone"])
    ]
