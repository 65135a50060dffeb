"""Screen safety ("Hardening"): hostile articles and notes go to the screen as
plain text. Markup-looking strings show literally in every pane, clicking on
them does nothing, and no escape or C1 control reaches a rendered segment."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from textual.widgets import Input, TextArea

from index.briefing import Briefing
from tui.app import BriefingApp
from tui.navigation import Place
from tui.screens import NoteScreen
from pilot_helpers import SIZE, wait_until, ready

HOSTILE = Path(__file__).resolve().parent / "fixtures" / "hostile"
# ESC, the other C0 controls (but tab/newline), DEL, C1, bidi overrides and isolates
CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")

NOTE = "[bold red]noted[/] and [@click=app.quit]quit me[/] and [link=https://example.com]go[/link]"
EXTRA = """---
title: "Metadata [@click=app.quit]trap[/]"
source: "[bold]Evil Site[/bold]"
date: 2024-03-02
---

# Metadata [@click=app.quit]trap[/]

## Plain section

A calm paragraph about a [b]tag[/b] and nothing else. It mentions markup too.
"""


@pytest.fixture
def hostile(tmp_path) -> Path:
    root = tmp_path / "[b]desk[@click=app.quit]"  # even the folder name (the header) is data
    shutil.copytree(HOSTILE, root)
    (root / "extra.md").write_text(EXTRA, encoding="utf-8")
    return root


@pytest.fixture
def briefing(hostile, home):
    b = Briefing.open(hostile, home)
    b.refresh()
    text = b.article("hostile.txt").text
    quote = "[@click=app.quit]click me[/]"
    start = text.index(quote)
    b.annotate("hostile.txt", start, start + len(quote), note=NOTE, tags=["[b]x[/b]", "plain"])
    yield b
    b.close()


def rendered(app) -> list[str]:
    """The screen as composed: every segment's text, row by row. Asserts that
    no segment carries an escape or other control character."""
    rows: list[str] = []
    for strip in app.screen._compositor.render_strips():
        for seg in strip:
            assert not CONTROL.search(seg.text), repr(seg.text)
            assert "\x1b" not in seg.text
        rows.append("".join(seg.text for seg in strip))
    return rows


def on_screen(app, needle: str) -> tuple[int, int]:
    for row, line in enumerate(rendered(app)):
        col = line.find(needle)
        if col >= 0:
            return row, col
    raise AssertionError(f"{needle!r} is not shown literally:\n" + "\n".join(rendered(app)))


async def click_on(pilot, needle: str) -> None:
    """Click the middle of a literal markup string and check nothing ran."""
    app: BriefingApp = pilot.app
    row, col = on_screen(app, needle)
    await pilot.click(offset=(col + len(needle) // 2, row))
    await pilot.pause()
    assert app.is_running and app.return_code is None
    assert app.title == "briefing"


async def test_every_pane_shows_markup_literally_and_clicks_on_it_do_nothing(briefing):
    app = BriefingApp(briefing)
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        app.show_place(Place("hostile.txt", 0))
        await pilot.pause()
        # header (folder name), library rows and their metadata line
        on_screen(app, "briefing — [b]desk[@click=app.quit]")
        await click_on(pilot, "Hostile Red Title [bold red]Boom[/]")
        on_screen(app, "Markdown Bold [red]Report[/red]")
        await click_on(pilot, "Metadata [@click=app.quit]trap[/]")
        on_screen(app, "2024-03-02 · [bold]Evil Site[/bold]")
        app.show_place(Place("hostile.txt", 0))
        await pilot.pause()
        # the title above the text and the outline
        row, _ = on_screen(app, "Hostile Red Title [bold red]Boom[/]")
        assert row > 0
        await click_on(pilot, "Markup Section [b]")
        # the article text
        app.show_place(Place("hostile.txt", 0))
        await pilot.pause()
        await click_on(pilot, "[@click=app.quit]click me[/]")
        await click_on(pilot, "[link=https://example.com]a link[/link]")
        on_screen(app, "[bold red]loud[/]")
        on_screen(app, "$variable and [reverse]reversed[/reverse]")
        # the markdown article: a section title with a click action
        app.show_place(Place("hostile.md", 0))
        await pilot.pause()
        await click_on(pilot, "Section with [@click=app.quit]quit[/]")
        on_screen(app, "[bold]markup[/bold]")


async def test_search_results_show_titles_and_snippets_literally(briefing):
    app = BriefingApp(briefing)
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        await pilot.press("slash", *"markup")
        await wait_until(pilot, lambda: app.search_result is not None and app.search_result.query == "markup",
                         "results")
        await pilot.pause()
        rows = "\n".join(rendered(app))
        assert "Hostile Red Title [bold red]Boom[/] › Markup Section [b]" in rows
        assert "[reverse]reversed[/reverse]" in rows or "[bold]markup[/bold]" in rows
        await click_on(pilot, "Markup Section [b]")


async def test_notes_pane_and_note_editor_show_notes_literally(briefing):
    app = BriefingApp(briefing)
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        app.show_place(Place("hostile.txt", 0))
        await pilot.pause()
        await pilot.press("a")
        await pilot.pause()
        on_screen(app, "“[@click=app.quit]click me[/]”")
        on_screen(app, "[bold red]noted[/] and [@click=app.qui…")  # cut to the pane's width
        on_screen(app, "#b-x-/b #plain")
        await click_on(pilot, "[@click=app.qui…")
        # the whole briefing's notes, grouped under the article's title
        await pilot.press("s")
        await pilot.pause()
        on_screen(app, "Hostile Red Title [bold red]Boom[/]")
        await pilot.press("e")
        await wait_until(pilot, lambda: isinstance(app.screen, NoteScreen), "the note editor")
        for box in app.screen.query(Input):
            box.cursor_blink = False
        app.screen.query_one(TextArea).cursor_blink = False
        await pilot.pause()
        on_screen(app, "“[@click=app.quit]click me[/]”")
        on_screen(app, "[bold red]noted[/] and [@click=app.quit]quit me[/]")
        await click_on(pilot, "“[@click=app.quit]click me[/]”")
        await pilot.press("escape")
        await wait_until(pilot, lambda: not isinstance(app.screen, NoteScreen), "the editor to close")
        assert briefing.annotations("hostile.txt")[0].note == NOTE


async def test_live_changes_and_related_passages_stay_literal(briefing, hostile):
    app = BriefingApp(briefing)
    app.watch_interval = 0.05
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        (hostile / "late.md").write_text(
            "# Late [@click=app.quit]arrival[/]\n\n## About [bold]markup[/bold]\n\n"
            "Rich markup like click me and a link and loud reversed markup, literally.\n",
            encoding="utf-8",
        )
        await wait_until(pilot, lambda: len(app.infos) == 4, "the new article")
        await wait_until(pilot, lambda: app.index_ready and not app._loading, "the re-index")
        await pilot.pause()
        await click_on(pilot, "Late [@click=app.quit]arrival[/]")
        app.show_place(Place("hostile.txt", 0))
        await pilot.pause()
        await pilot.press("r")
        await wait_until(pilot, lambda: app.related_hits, "related passages")
        await pilot.pause()
        rows = "\n".join(rendered(app))
        assert "Late [@click=app.quit]arrival[/] ›" in rows
        assert "About [bold]markup[/bold]" in rows
        assert "Markdown Bold [red]Report[/red] ›" in rows
        await click_on(pilot, "Late [@click=app.quit]arrival[/]")
        await click_on(pilot, "About [bold]markup[/bold]")
