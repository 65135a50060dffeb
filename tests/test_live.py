"""A live briefing: files added, changed or removed while the app is open are
noticed, re-read and re-indexed, and the app updates in place."""

from __future__ import annotations

import os
import threading
from pathlib import Path

import pytest

from index.briefing import Briefing
from tui.app import BriefingApp
from tui.navigation import Place
from pilot_helpers import SIZE, wait_until, ready, screen_text

POLL = 0.05  # seconds between looks at the folder in these tests

FILLER = "\n\n".join(
    f"Filler paragraph number {n} talks about budgets and rules at some length so that it wraps "
    f"across the width of the reading pane. It has a second sentence too."
    for n in range(30)
)

ALPHA = """# Chips and trade

## Background

{intro}The background explains the export rules in plain words. Nothing else.

{filler}

## Outlook

The outlook paragraph says where the marker sentence sits. Quite literally.

{filler}
"""


def alpha_text(intro: str = "") -> str:
    return ALPHA.format(intro=intro, filler=FILLER)


@pytest.fixture
def desk(tmp_path) -> Path:
    root = tmp_path / "desk"
    root.mkdir()
    (root / "alpha.md").write_text(alpha_text(), encoding="utf-8")
    (root / "beta.md").write_text("# Beta memo\n\n## Summary\n\nBeta says trade matters.\n", encoding="utf-8")
    return root


def live_app(b: Briefing) -> BriefingApp:
    app = BriefingApp(b)
    app.watch_interval = POLL
    return app


def top_line(app: BriefingApp) -> str:
    view = app.view
    return view.line_text(view.scroll_offset.y).strip()


def notifications(app: BriefingApp) -> list[str]:
    return [n.message for n in app._notifications]


def touch_later(path: Path) -> None:
    """Make sure a rewrite is seen even on a coarse clock: bump the mtime."""
    st = path.stat()
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns + 1_000_000_000))


async def test_an_edit_of_the_open_article_keeps_the_place_and_re_anchors_highlights(briefing, desk):
    text = briefing.article("alpha").text
    start = text.index("The outlook paragraph")
    quote = "says where the marker sentence sits"
    q0 = text.index(quote)
    briefing.annotate("alpha", q0, q0 + len(quote), note="keep me")
    app = live_app(briefing)
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        app.show_place(Place("alpha", start))
        # ctrl+f finds a word; the matches must follow the edit
        await pilot.press("ctrl+f", *"marker")
        await wait_until(pilot, lambda: app.matches, "find matches")
        await pilot.press("escape")
        app.show_place(Place("alpha", start))
        await pilot.pause()
        before = top_line(app)
        assert before.startswith("The outlook paragraph")

        inserted = "A new opening sentence was added above everything. " * 40 + "\n\n"
        (desk / "alpha.md").write_text(alpha_text(intro=inserted), encoding="utf-8")
        touch_later(desk / "alpha.md")

        await wait_until(pilot, lambda: "new opening sentence" in app.article.text, "the new text")
        await wait_until(pilot, lambda: app.index_ready and not app._loading, "the re-index")
        await pilot.pause()
        new_text = app.article.text
        # the reader still sees the same line at the top
        assert top_line(app) == before
        assert app.view.top_offset() == new_text.index("The outlook paragraph")
        # the highlight was re-anchored and is drawn where the quote now is
        ann = app.article_annotations[0]
        assert new_text[ann.start : ann.end] == quote
        assert ann.start > q0
        assert app.view._highlights.starts == [ann.start]
        # find matches recomputed on the new text
        assert app.matches and all(new_text[s:e].lower() == "marker" for s, e in app.matches)
        assert any("1 updated" in m for m in notifications(app))


async def test_added_and_removed_files_update_the_library_and_notify(briefing, desk):
    app = live_app(briefing)
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        assert [i.id for i in app.infos] == ["alpha", "beta"]
        # the reader is browsing the library: a refresh leaves the highlight on beta
        await pilot.press("l", "down")
        assert app.library.highlighted_id == "beta"
        (desk / "gamma.md").write_text("# Gamma [bold]brief[/bold]\n\nGamma text about trade.\n", encoding="utf-8")
        await wait_until(pilot, lambda: len(app.infos) == 3, "the added article")
        await pilot.pause()
        assert "Library · 3" in str(app.query_one("#library-title").content)
        assert "Gamma [bold]brief[/bold]" in screen_text(app)
        assert any(m == "1 added" for m in notifications(app))
        assert app.library.highlighted_id == "beta"

        (desk / "beta.md").unlink()
        await wait_until(pilot, lambda: [i.id for i in app.infos] == ["alpha", "gamma"], "the removal")
        await pilot.pause()
        assert "Library · 2" in str(app.query_one("#library-title").content)
        assert any(m == "1 removed" for m in notifications(app))
        # the new article is searchable once re-indexed
        await wait_until(pilot, lambda: app.index_ready and not app._loading, "the re-index")
        assert {h.article_id for h in briefing.search("gamma").hits} == {"gamma"}
        assert app.article.id == "alpha"  # the open article stayed


async def test_removing_the_open_article_says_so_and_the_app_stays_usable(briefing, desk):
    quote = "explains the export rules"
    text = briefing.article("alpha").text
    q0 = text.index(quote)
    briefing.annotate("alpha", q0, q0 + len(quote))
    app = live_app(briefing)
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        assert app.article.id == "alpha"
        (desk / "alpha.md").unlink()
        await wait_until(pilot, lambda: app.article is None, "the removal of the open article")
        await pilot.pause()
        message = str(app.query_one("#message").content)
        assert "“Chips and trade” was removed" in message
        assert "was removed" in screen_text(app)
        assert not app.view.display
        assert any("1 annotation unanchored" in m for m in notifications(app))
        # keys that need an article do nothing harmful
        await pilot.press("right_parenthesis", "h", "n", "ctrl+f")
        await pilot.press("escape")
        # another file appearing does not replace the message by itself
        (desk / "delta.md").write_text("# Delta\n\nDelta text.\n", encoding="utf-8")
        await wait_until(pilot, lambda: len(app.infos) == 2, "the added article")
        await pilot.pause()
        assert app.article is None
        # the library still opens articles
        await pilot.press("l")
        app.library.highlighted = app.library.get_option_index("beta")
        await pilot.press("enter")
        await wait_until(pilot, lambda: app.article is not None and app.article.id == "beta", "beta opened")
        assert app.view.display
        assert "Beta says trade matters" in screen_text(app)


async def test_no_looking_while_a_refresh_runs_and_none_after_quitting(desk, home):
    release = threading.Event()
    looks: list[int] = []

    class Slow(Briefing):
        held = False

        def pending_changes(self):
            looks.append(1)
            return super().pending_changes()

        def read_changes(self, progress=None):
            if Slow.held:
                release.wait(10)
            return super().read_changes(progress)

    b = Slow.open(desk, home)
    b.read_changes()
    try:
        app = live_app(b)
        async with app.run_test(size=SIZE) as pilot:
            await ready(pilot)
            await wait_until(pilot, lambda: len(looks) >= 2, "the watcher to look")
            Slow.held = True
            (desk / "gamma.md").write_text("# Gamma\n\nGamma.\n", encoding="utf-8")
            await wait_until(pilot, lambda: app._loading, "the refresh to start")
            seen = len(looks)
            for _ in range(10):  # many poll intervals while the read is held
                await pilot.pause(POLL)
            assert len(looks) == seen
            release.set()
            await wait_until(pilot, lambda: len(app.infos) == 3, "the refresh to finish")
            await wait_until(pilot, lambda: len(looks) > seen, "looking again afterwards")
            await pilot.press("q")
        after = len(looks)
        threading.Event().wait(POLL * 5)
        assert len(looks) == after
        assert app.return_code in (None, 0)
    finally:
        release.set()
        b.close()
