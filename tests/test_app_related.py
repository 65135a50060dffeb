"""The related pane (r): sections of other articles like the one being read."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from index.briefing import Briefing
from tui.app import BriefingApp
from tui.navigation import Place
from pilot_helpers import SIZE, wait_until, ready, screen_text

REPO = Path(__file__).resolve().parent.parent

EXTRA = {
    "bread.md": "# Sourdough at home\n\n## Starter\n\nFeed the starter with flour and water every day; "
    "a lively starter doubles in a few hours.\n\n## Baking\n\nBake the loaf in a hot oven with steam "
    "for a crisp crust and an open crumb.\n",
    "loaves.md": "# Bread for beginners\n\n## Flour\n\nStrong flour and water make a starter; feed the "
    "starter daily until it doubles.\n\n## Oven\n\nA hot oven with steam gives the loaf a crisp crust "
    "and an open crumb.\n",
}


@pytest.fixture
def briefing(tmp_path, home):
    folder = tmp_path / "brief"
    shutil.copytree(REPO / "seeds", folder)
    for name, text in EXTRA.items():
        (folder / name).write_text(text, encoding="utf-8")
    b = Briefing.open(folder, home)
    b.refresh()
    yield b
    b.close()


async def test_r_lists_related_passages_that_follow_the_reading_and_enter_opens_one(briefing):
    app = BriefingApp(briefing)
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        bread = briefing.article("bread")
        app.show_place(Place("bread", bread.sections[0].start))
        await pilot.pause()
        await pilot.press("r")
        await wait_until(pilot, lambda: app.related_hits, "related passages")
        await pilot.pause()
        assert app.related_pane.display
        assert all(h.article_id != "bread" for h in app.related_hits)
        assert app.related_hits[0].article_id == "loaves"
        assert app.related_hits[0].section == "Flour"
        shown = screen_text(app)
        assert "Bread for beginners › Flour" in shown
        assert "shared terms: " in shown and "starter" in shown.split("shared terms: ", 1)[1]
        assert "Related · Starter" in shown

        # reading on into the next section: the list follows (after the position rests)
        app.view.focus()
        await pilot.press("right_square_bracket")
        await wait_until(pilot, lambda: app.related_hits and app.related_hits[0].section == "Oven",
                         "the list to follow the reading")
        assert "Related · Baking" in screen_text(app)

        # Enter in the pane opens the passage, its shared terms lit as matches
        await pilot.press("r")
        assert app.focused is app.query_one("#related-list")
        await pilot.press("enter")
        await wait_until(pilot, lambda: app.article is not None and app.article.id == "loaves", "the passage")
        assert app.view.current_section().title == "Oven"
        assert app.matches and all(app.article.text[s:e].lower() in {"hot", "oven", "steam", "crisp", "crust",
                                                                     "open", "crumb", "loaf"}
                                   for s, e in app.matches)
        assert app.focused is app.view
        # the pane now shows passages like the one opened, from other articles
        await wait_until(pilot, lambda: app.related_hits and all(h.article_id != "loaves" for h in app.related_hits),
                         "passages like the new one")

        # r moves to the pane, r in the pane hides it
        await pilot.press("r")
        assert app.focused is app.query_one("#related-list")
        await pilot.press("r")
        assert not app.related_pane.display
        assert app.focused is app.view


async def test_related_and_notes_share_the_right_side(briefing):
    app = BriefingApp(briefing)
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        await pilot.press("r")
        assert app.related_pane.display and not app.notes_pane.display
        await pilot.press("a")
        assert app.notes_pane.display and not app.related_pane.display
        await pilot.press("r")
        assert app.related_pane.display and not app.notes_pane.display
        # at 120 columns the pane takes the sidebar's place
        assert not app.query_one("#sidebar").display
