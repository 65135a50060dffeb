"""The library: metadata on every row, and an order the reader picks (o)."""

from __future__ import annotations

from pathlib import Path

import pytest

from index.briefing import ArticleInfo, Briefing
from tui.app import BriefingApp
from tui.navigation import sort_articles
from pilot_helpers import SIZE, ready, screen_lines


DOCS = {
    "a-zebra.md": ("Zebra crossings report", "date: 2023-01-15\nsource: Roads Weekly"),
    "b-apple.md": ("Apple orchards memo", "authors: [Mia Grower, Tom Picker]\ndate: 2024-06-30"),
    "c-mango.md": ("Mango imports", "url: https://www.fruit-times.example/mango"),
}


@pytest.fixture
def desk(tmp_path) -> Path:
    root = tmp_path / "desk"
    root.mkdir()
    for name, (title, meta) in DOCS.items():
        (root / name).write_text(f"---\ntitle: {title}\n{meta}\n---\n\n# {title}\n\n## One\n\nText.\n",
                                 encoding="utf-8")
    return root


@pytest.fixture
def opened(home):
    briefings: list[Briefing] = []

    def open_(root: Path) -> Briefing:
        b = Briefing.open(root, home)
        briefings.append(b)
        return b

    yield open_
    for b in briefings:
        b.close()


def library_title(app: BriefingApp) -> str:
    return str(app.query_one("#library-title").content)


def row_order(app: BriefingApp) -> list[str]:
    """Titles in the order the library shows them on screen."""
    lines = screen_lines(app)
    found = []
    for title, _ in DOCS.values():
        row = next(i for i, line in enumerate(lines) if title in line[:40])
        found.append((row, title))
    return [t for _row, t in sorted(found)]


async def test_rows_show_date_and_source_dimmed(desk, opened):
    app = BriefingApp(opened(desk))
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        lines = [line[:36] for line in screen_lines(app)]
        assert any("2023-01-15 · Roads Weekly · 1 sect…" in line for line in lines)  # one line, cut
        assert any("2024-06-30 · Mia Grower · 1 section" in line for line in lines)  # first author
        assert any("fruit-times.example · 1 section" in line for line in lines)  # the URL's host
        # the detail line is dimmer than the title
        strips = app.screen._compositor.render_strips()

        def brightness(needle: str) -> int:
            row = next(i for i, line in enumerate(lines) if needle in line)
            seg = next(s for s in strips[row] if needle in s.text)
            return sum(seg.style.color.triplet)

        assert brightness("Roads Weekly") < brightness("Zebra crossings report")


async def test_o_cycles_the_order_shows_it_and_it_is_remembered(desk, opened):
    b = opened(desk)
    app = BriefingApp(b)
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        assert "by source" in library_title(app)
        # by source: sites A-Z, then the rest by path
        assert row_order(app) == ["Mango imports", "Zebra crossings report", "Apple orchards memo"]
        await pilot.press("o")
        await pilot.pause()
        assert "by title" in library_title(app)
        assert row_order(app) == ["Apple orchards memo", "Mango imports", "Zebra crossings report"]
        await pilot.press("o")
        await pilot.pause()
        assert "newest first" in library_title(app)
        assert row_order(app) == ["Apple orchards memo", "Zebra crossings report", "Mango imports"]
        # the open article stays open and highlighted in the library
        assert app.library.highlighted_id == app.article.id
    app = BriefingApp(b)
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        assert "newest first" in library_title(app)
        assert row_order(app) == ["Apple orchards memo", "Zebra crossings report", "Mango imports"]
        await pilot.press("o")
        await pilot.pause()
        assert "by source" in library_title(app)


def test_sort_orders_undated_last_and_sites_before_paths():
    def info(id_, title, **meta):
        return ArticleInfo(id_, title, f"{id_}.md", 1, meta)

    infos = [info("x", "beta", date="2020-01-01"), info("y", "Alpha"), info("z", "gamma", date="2024-02-03T10:00"),
             info("w", "delta", site="B site"), info("v", "eps", site="a site")]
    assert [i.id for i in sort_articles(infos, "title")] == ["y", "x", "w", "v", "z"]
    assert [i.id for i in sort_articles(infos, "date")] == ["z", "x", "y", "w", "v"]
    assert [i.id for i in sort_articles(infos, "source")] == ["v", "w", "x", "y", "z"]
    infos.append(info("u", "zeta", url="https://www.a-news.example/x"))
    assert [i.id for i in sort_articles(infos, "source")] == ["v", "u", "w", "x", "y", "z"]
