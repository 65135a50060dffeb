"""SVG snapshots of the reader's main screens (pytest-textual-snapshot).

Regenerate after an intended change of the look with
``pytest tests/test_snapshots.py --snapshot-update`` and review the SVGs.
The seeds snapshot also changes when the text reader changes the seeds' layout.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.widgets import Input

from index.briefing import Briefing
from tui.app import BriefingApp

SIZE = (120, 40)


def write_doc(path: Path, title: str, sections: list[str]) -> None:
    words = "policy trade agency review budget market report analysis federal program rule".split()
    lines = [f"# {title}", ""]
    for s, name in enumerate(sections):
        lines += [f"## {name}", ""]
        for i in range(3):
            body = " ".join(words[(s * 5 + i * 3 + k * k) % len(words)] for k in range(50)).capitalize()
            if i == 1:
                body += " while export controls remain in force"
            lines += [body + ".", ""]
    path.write_text("\n".join(lines), encoding="utf-8")


@pytest.fixture
def desk(tmp_path) -> Path:
    root = tmp_path / "desk"
    root.mkdir()
    write_doc(root / "alpha.md", "Alpha report on chips", ["Background", "Export controls", "Outlook"])
    write_doc(root / "beta.md", "Beta memo on trade", ["Summary", "Details"])
    return root


@pytest.fixture
def briefings(home):
    opened: list[Briefing] = []

    def open_(root: Path) -> Briefing:
        b = Briefing.open(root, home)
        opened.append(b)
        return b

    yield open_
    for b in opened:
        b.close()


async def settle(pilot) -> None:
    """Wait for reading and indexing to finish; no blinking cursors."""
    app: BriefingApp = pilot.app
    for box in app.query(Input):
        box.cursor_blink = False
    for _ in range(500):
        if app.index_ready or app.index_error:
            break
        await pilot.pause(0.02)
    assert app.index_ready, "the index never became ready"
    await pilot.pause()


def test_main_screen_on_the_seeds(snap_compare, seeds_copy, briefings):
    app = BriefingApp(briefings(seeds_copy))
    assert snap_compare(app, terminal_size=SIZE, run_before=settle)


def test_search_results(snap_compare, desk, briefings):
    app = BriefingApp(briefings(desk))

    async def run_before(pilot) -> None:
        await settle(pilot)
        await pilot.press("slash", *"export", "space", *"controls")
        for _ in range(500):
            if app.search_result is not None and app.search_result.query == "export controls":
                break
            await pilot.pause(0.02)
        await pilot.pause()

    assert snap_compare(app, terminal_size=SIZE, run_before=run_before)


def test_hit_opened_with_matches_lit(snap_compare, desk, briefings):
    app = BriefingApp(briefings(desk))

    async def run_before(pilot) -> None:
        await settle(pilot)
        await pilot.press("slash", *"export", "space", *"controls", "enter")
        for _ in range(500):
            if app.matches:
                break
            await pilot.pause(0.02)
        await pilot.press("n")
        await pilot.pause()

    assert snap_compare(app, terminal_size=SIZE, run_before=run_before)


def test_help_screen(snap_compare, desk, briefings):
    app = BriefingApp(briefings(desk))

    async def run_before(pilot) -> None:
        await settle(pilot)
        await pilot.press("question_mark")
        await pilot.pause()

    assert snap_compare(app, terminal_size=SIZE, run_before=run_before)


def _annotate(b: Briefing, article_id: str, needle: str, **fields) -> None:
    text = b.article(article_id).text
    start = text.index(needle)
    b.annotate(article_id, start, start + len(needle), **fields)


def test_notes_pane_and_highlights(snap_compare, desk, briefings):
    b = briefings(desk)
    b.read_changes()
    _annotate(b, "alpha", "Export controls", color="green", note="Heading noted", tags=["chips"])
    _annotate(b, "alpha", "while export controls remain in force", note="[bold]literal[/] note\nsecond line",
              tags=["trade", "law"])
    app = BriefingApp(b)

    async def run_before(pilot) -> None:
        await settle(pilot)
        await pilot.press("a")
        await pilot.pause()

    assert snap_compare(app, terminal_size=SIZE, run_before=run_before)


def test_note_editor(snap_compare, desk, briefings):
    app = BriefingApp(briefings(desk))

    async def run_before(pilot) -> None:
        await settle(pilot)
        await pilot.press("right_parenthesis", "right_parenthesis", "v", "right_parenthesis", "h")
        await pilot.pause()
        for box in app.screen.query(Input):
            box.cursor_blink = False
        await pilot.press(*"Why", "space", *"it", "space", *"matters")
        await pilot.pause()

    assert snap_compare(app, terminal_size=SIZE, run_before=run_before)


def test_export_dialog(snap_compare, desk, briefings):
    b = briefings(desk)
    b.read_changes()
    _annotate(b, "alpha", "Export controls", tags=["chips"])
    app = BriefingApp(b)

    async def run_before(pilot) -> None:
        await settle(pilot)
        await pilot.press("x")
        await pilot.pause()
        for box in app.screen.query(Input):
            box.cursor_blink = False
        await pilot.pause()

    assert snap_compare(app, terminal_size=SIZE, run_before=run_before)
