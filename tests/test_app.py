"""Pilot tests of the reader app: what a user does and sees.

Every test runs against a small briefing written here (so its structure is
known) with BRIEFING_HOME in a temporary folder (conftest), at 120x40.
"""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest
from textual.command import CommandPalette


from index.briefing import Briefing, BriefingError
from tui.app import BriefingApp
from tui.article_view import ArticleView
from tui.navigation import find_literal, merge_ranges, term_matches, PlaceHistory, Place
from tui.screens import HelpScreen
from tui.widgets import LibraryList, OutlineTree, QueryInput, ResultsList, SearchPanel
from pilot_helpers import SIZE, prompt_text, wait_until, ready

WORDS = (
    "policy trade agency review budget market report analysis federal program "
    "rule senate house committee data risk model chip supply"
).split()


def paragraph(seed: int, n: int = 60, tail: str = "") -> str:
    words = [WORDS[(seed * 7 + i * 3 + i * i) % len(WORDS)] for i in range(n)]
    text = " ".join(words).capitalize()
    return text + (f" {tail}" if tail else "") + "."


def write_doc(path: Path, title: str, sections: list[str], export_in: set[str]) -> None:
    lines = [f"# {title}", ""]
    for s, name in enumerate(sections):
        lines += [f"## {name}", ""]
        for i in range(4):
            tail = "and export controls remain in force" if name in export_in and i % 2 == 0 else ""
            lines += [paragraph(s * 10 + i, tail=tail), ""]
    path.write_text("\n".join(lines), encoding="utf-8")


@pytest.fixture
def folder(tmp_path) -> Path:
    root = tmp_path / "desk"
    root.mkdir()
    write_doc(root / "alpha.md", "Alpha report on chips", ["Background", "Export controls", "Outlook", "Annex"],
              {"Export controls", "Outlook", "Annex"})
    write_doc(root / "beta.md", "Beta [red]memo[/red] on trade", ["Summary", "Details", "Next steps"], {"Details"})
    return root


@pytest.fixture
def opened(home):
    """Open briefings and close them after the test."""
    briefings: list[Briefing] = []

    def open_(root: Path, cls=Briefing) -> Briefing:
        b = cls.open(root, home)
        briefings.append(b)
        return b

    yield open_
    for b in briefings:
        try:
            b.close()
        except Exception:
            pass


def text_of(app: BriefingApp, selector: str) -> str:
    return str(app.query_one(selector).content)


def counter(app: BriefingApp) -> str:
    return text_of(app, "#counter")


def visible_text(view: ArticleView) -> str:
    top = view.scroll_offset.y
    return "\n".join(view.line_text(top + y) for y in range(view.scrollable_content_region.height))


async def type_text(pilot, text: str) -> None:
    await pilot.press(*[("space" if ch == " " else ch) for ch in text])


async def search(pilot, query: str) -> BriefingApp:
    app: BriefingApp = pilot.app
    await pilot.press("slash")
    await type_text(pilot, query)
    await wait_until(
        pilot,
        lambda: app.search_result is not None and app.search_result.query == query,
        f"results for {query!r}",
    )
    return app


# -- opening ---------------------------------------------------------------------


async def test_opens_with_library_and_first_article(folder, opened):
    app = BriefingApp(opened(folder))
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        library = app.query_one(LibraryList)
        labels = [prompt_text(library.get_option(i).prompt) for i in ("alpha", "beta")]
        assert labels[0].startswith("Alpha report on chips") and "4 sections" in labels[0]
        # titles are data: markup-like text is shown literally
        assert labels[1].startswith("Beta [red]memo[/red] on trade") and "3 sections" in labels[1]
        assert app.article is not None and app.article.id == "alpha"
        assert "Background" in visible_text(app.view)
        assert app.focused is app.view
        assert "search ready" in text_of(app, "#status-text")
        assert not app.query_one("#progress").display


async def test_article_readable_while_indexing(folder, opened):
    """A slow index: the article is on screen, search says it is indexing,
    and the search runs as soon as the index is ready."""
    gate = threading.Event()

    class SlowIndex(Briefing):
        def update_index(self, progress=None):
            gate.wait(10)
            return super().update_index(progress)

    app = BriefingApp(opened(folder, SlowIndex))
    try:
        async with app.run_test(size=SIZE) as pilot:
            await wait_until(pilot, lambda: "Background" in visible_text(app.view), "the first article")
            assert not app.index_ready
            assert "indexing" in text_of(app, "#status-text")
            assert app.query_one("#progress").display
            await pilot.press("slash")
            await type_text(pilot, "export")
            await pilot.pause(0.3)
            assert "indexing" in text_of(app, "#search-status")
            gate.set()
            await wait_until(pilot, lambda: app.search_result is not None, "the search after indexing")
            assert app.search_result.hits
    finally:
        gate.set()


async def test_first_start_shows_articles_before_reading_ends(folder, opened):
    """Cold start: the first stored article opens while the rest is still being read."""
    gate = threading.Event()

    class SlowReader(Briefing):
        def read_changes(self, progress=None):
            def held(done, total, name):
                progress(done, total, name)
                if done == total:  # everything is stored; hold the end of reading
                    gate.wait(10)

            return super().read_changes(held)

    app = BriefingApp(opened(folder, SlowReader))
    try:
        async with app.run_test(size=SIZE) as pilot:
            await wait_until(pilot, lambda: app.article is not None, "the first article")
            assert "reading" in text_of(app, "#status-text")
            assert app.query_one("#progress").display
            await wait_until(pilot, lambda: "Background" in visible_text(app.view), "the article text")
            gate.set()
            await ready(pilot)
            assert app.article.id == "alpha"
    finally:
        gate.set()


async def test_quitting_stops_a_long_indexing(folder, opened):
    finished = threading.Event()
    outcome: list[str] = []

    class EndlessIndex(Briefing):
        def update_index(self, progress=None):
            try:
                for n in range(20000):
                    progress(n % 100, 100, "index")
                    time.sleep(0.0005)
                outcome.append("ran to the end")
            except BaseException as exc:
                outcome.append(type(exc).__name__)
                raise
            finally:
                finished.set()

    app = BriefingApp(opened(folder, EndlessIndex))
    async with app.run_test(size=SIZE) as pilot:
        await wait_until(pilot, lambda: "indexing" in text_of(app, "#status-text"), "indexing to start")
        await pilot.press("q")
    assert finished.wait(30)
    assert outcome == ["_LoadCancelled"]


async def test_library_enter_and_click_open_articles(folder, opened):
    app = BriefingApp(opened(folder))
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        await pilot.press("l")
        assert isinstance(app.focused, LibraryList)
        await pilot.press("down", "enter")
        assert app.article.id == "beta"
        assert app.focused is app.view
        assert "Summary" in visible_text(app.view)
        # a click on the first entry opens it
        await pilot.click(LibraryList, offset=(2, 0))
        await pilot.pause()
        assert app.article.id == "alpha"


# -- sections ----------------------------------------------------------------------


async def test_outline_follows_reading_and_jumps(folder, opened):
    app = BriefingApp(opened(folder))
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        outline = app.query_one(OutlineTree)
        assert [str(n.label) for n in outline.root.children] == ["Background", "Export controls", "Outlook", "Annex"]
        await pilot.press("right_square_bracket")
        await pilot.pause()
        assert app.view.current_section().title == "Export controls"
        await wait_until(pilot, lambda: outline.cursor_section_id == "s1", "the outline to follow")
        await pilot.press("right_square_bracket")
        await wait_until(pilot, lambda: outline.cursor_section_id == "s2", "the outline to follow again")
        # jump from the outline
        await pilot.press("t")
        assert app.focused is outline
        await pilot.press("down", "enter")
        await pilot.pause()
        annex = app.article.section_by_id("s3")
        assert app.view.top_offset() == annex.start
        assert app.focused is app.view
        await pilot.press("left_square_bracket")
        await pilot.pause()
        assert app.view.current_section().title == "Outlook"


# -- search --------------------------------------------------------------------------


async def test_search_open_hit_and_step_through_matches(folder, opened):
    app = BriefingApp(opened(folder))
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        await pilot.press("l", "down", "enter")  # start on beta, so opening a hit moves
        await search(pilot, "export controls")
        result = app.search_result
        assert result.hits and result.error is None
        results = app.query_one(ResultsList)
        first = str(results.get_option("hit-0").prompt.renderables[0])
        assert " › " in first  # "Article › Section"
        assert "matching section" in text_of(app, "#search-status")
        await pilot.press("enter")
        await pilot.pause()
        top = result.hits[0]
        assert app.article.id == top.article_id
        assert not app.query_one(SearchPanel).display
        assert app.focused is app.view
        text = app.article.text
        expected = merge_ranges(term_matches(text, ["export", "controls"]))
        assert app.matches == expected
        total = len(expected)
        assert counter(app) == f"match 1 of {total}"
        start, _ = app.matches[app.match_index]
        assert app.matches[app.match_index][0] >= top.offsets[0][0] - 1
        assert start >= app.view.top_offset()
        await pilot.press("n")
        assert counter(app) == f"match 2 of {total}"
        await pilot.press("N", "N")
        assert counter(app) == f"match {total} of {total}"  # wrapped to the last match
        # n walks across sections
        sections = set()
        for _ in range(total):
            await pilot.press("n")
            sections.add(app.article.section_at(app.matches[app.match_index][0]).id)
            s, e = app.matches[app.match_index]
            assert text[s:e].lower() in ("export", "controls")
        assert len(sections) >= 2
        # the current match is on screen
        s, _ = app.matches[app.match_index]
        await pilot.pause()
        assert app.view.top_offset() <= s


async def test_search_results_update_while_typing_and_light_terms(folder, opened):
    app = BriefingApp(opened(folder))
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        await search(pilot, "outlook")
        assert {h.section for h in app.search_result.hits} == {"Outlook"}
        await type_text(pilot, " annex")
        await wait_until(pilot, lambda: app.search_result.query == "outlook annex", "the longer query")
        hit = app.search_result.hits[0]
        prompt = app.query_one(ResultsList).get_option("hit-0").prompt
        snippet = prompt.renderables[1]
        lit = [snippet.plain[span.start:span.end].lower() for span in snippet.spans if "reverse" in str(span.style)]
        assert lit and set(lit) <= {"outlook", "annex"}
        assert hit.snippet == snippet.plain


async def test_search_error_shows_inline_and_suggestion_applies(folder, opened):
    app = BriefingApp(opened(folder))
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        await search(pilot, "AND")
        status = text_of(app, "#search-status")
        assert "nothing to search" in status and "\n" not in status
        await pilot.press("ctrl+a", "ctrl+k")
        await type_text(pilot, "contrls")
        await wait_until(pilot, lambda: app.search_result.query == "contrls", "the misspelt query")
        results = app.query_one(ResultsList)
        assert "did you mean: controls" in str(results.get_option("suggestion").prompt)
        await pilot.press("enter")
        assert app.query_one(QueryInput).value == "controls"
        await wait_until(pilot, lambda: app.search_result.query == "controls", "the suggested query")
        assert app.search_result.hits


async def test_query_history_with_up_and_down(folder, opened):
    app = BriefingApp(opened(folder))
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        for query in ("outlook", "annex"):
            await search(pilot, query)
            await pilot.press("enter")
            await pilot.pause()
        await pilot.press("slash")
        box = app.query_one(QueryInput)
        await pilot.press("ctrl+a", "ctrl+k", "up")
        assert box.value == "annex"
        await pilot.press("up")
        assert box.value == "outlook"
        await pilot.press("down", "down")
        assert box.value == ""
        await pilot.press("escape")
        assert not app.query_one(SearchPanel).display
        assert app.focused is app.view
    # the history outlives the session
    app2 = BriefingApp(opened(folder))
    async with app2.run_test(size=SIZE) as pilot:
        await ready(pilot)
        await pilot.press("slash", "up")
        assert app2.query_one(QueryInput).value == "annex"


# -- find ------------------------------------------------------------------------------


async def test_find_in_article_with_counter(folder, opened):
    app = BriefingApp(opened(folder))
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        await pilot.press("ctrl+f")
        await type_text(pilot, "EXPORT")
        total = len(find_literal(app.article.text, "export"))
        assert total > 2
        assert counter(app) == f"match 1 of {total}"
        assert text_of(app, "#find-counter") == f"match 1 of {total}"
        await pilot.press("enter")
        assert counter(app) == f"match 2 of {total}"
        await pilot.press("escape")
        assert app.focused is app.view
        await pilot.press("n")
        assert counter(app) == f"match 3 of {total}"
        s, e = app.matches[app.match_index]
        assert app.article.text[s:e] == "export"
        await pilot.pause()
        assert app.view.top_offset() <= s
        await pilot.press("ctrl+f", "ctrl+a", "ctrl+k")
        await type_text(pilot, "zzzz")
        assert counter(app) == "no matches"


# -- history and reading state -------------------------------------------------------------


async def test_back_and_forward_between_places(folder, opened):
    app = BriefingApp(opened(folder))
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        alpha_outlook = app.article.section_by_id("s2").start
        await pilot.press("t", "down", "down", "enter")  # alpha › Outlook
        await pilot.pause()
        assert app.view.top_offset() == alpha_outlook
        await pilot.press("l", "down", "enter")  # beta
        assert app.article.id == "beta"
        await pilot.press("ctrl+o")
        await pilot.pause()
        assert app.article.id == "alpha" and app.view.top_offset() == alpha_outlook
        await pilot.press("alt+left")
        await pilot.pause()
        assert app.article.id == "alpha" and app.view.top_offset() == 0
        await pilot.press("alt+right")
        await pilot.pause()
        assert app.view.top_offset() == alpha_outlook
        await pilot.press("alt+right")
        assert app.article.id == "beta"
        await pilot.press("alt+right")  # nothing further: stays
        assert app.article.id == "beta"
        assert "nothing to go forward" in text_of(app, "#status-text")


async def test_reading_position_and_article_restored_after_restart(folder, opened):
    app = BriefingApp(opened(folder))
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        await pilot.press("l", "down", "enter")
        await pilot.press("space", "space", "j")
        await pilot.pause()
        place = app.view.top_offset()
        section = app.view.current_section().id
        assert place > 0
        await pilot.press("q")
    app2 = BriefingApp(opened(folder))
    async with app2.run_test(size=SIZE) as pilot:
        await ready(pilot)
        assert app2.article.id == "beta"
        assert app2.view.top_offset() == place
        assert app2.view.current_section().id == section
        assert app2.query_one(OutlineTree).cursor_section_id == section


async def test_resize_keeps_the_place(folder, opened):
    app = BriefingApp(opened(folder))
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        await pilot.press("right_square_bracket", "right_square_bracket", "j", "j")
        await pilot.pause()
        before = app.view.top_offset()
        section = app.view.current_section().id
        await pilot.resize_terminal(80, 24)
        await pilot.pause()
        await pilot.pause()
        assert app.view.current_section().id == section
        assert abs(app.view.top_offset() - before) < 200
        await pilot.resize_terminal(*SIZE)
        await pilot.pause()
        await pilot.pause()
        assert app.view.current_section().id == section


# -- palette, help, theme, bindings ---------------------------------------------------------


async def test_help_screen_lists_bindings(folder, opened):
    app = BriefingApp(opened(folder))
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        await pilot.press("question_mark")
        assert isinstance(app.screen, HelpScreen)
        text = " ".join(str(s.content.columns[1]._cells) for s in app.screen.query(".help-group"))
        for description in ("Next match", "Back", "Next section", "Search"):
            assert description in text
        await pilot.press("escape")
        assert not isinstance(app.screen, HelpScreen)


async def test_command_palette_runs_actions(folder, opened):
    app = BriefingApp(opened(folder))
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        names = {name for name, *_ in app.palette_commands()}
        for binding in app.BINDINGS:
            if binding.action != "quit":
                assert binding.description in names
        assert "Next section" in names and "Open: Beta [red]memo[/red] on trade" in names
        await pilot.press("ctrl+p")
        await wait_until(pilot, lambda: isinstance(app.screen, CommandPalette), "the palette")
        await type_text(pilot, "open: beta")
        from textual.command import CommandList

        commands = app.screen.query_one(CommandList)
        await wait_until(pilot, lambda: commands.option_count > 0, "palette hits")
        # the title is shown literally, not read as markup
        assert "Open: Beta [red]memo[/red] on trade" in str(commands.get_option_at_index(0).prompt)
        await pilot.press("enter")
        await wait_until(pilot, lambda: app.article.id == "beta", "the palette to open beta")


async def test_theme_is_remembered(folder, opened):
    app = BriefingApp(opened(folder))
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        assert app.theme != "nord"
        app.theme = "nord"
        await pilot.pause()
    app2 = BriefingApp(opened(folder))
    async with app2.run_test(size=SIZE) as pilot:
        await ready(pilot)
        assert app2.theme == "nord"


def test_every_binding_has_an_id_and_a_description():
    from tui.widgets import QueryInput as Q

    for cls in (BriefingApp, ArticleView, LibraryList, OutlineTree, Q, ResultsList, HelpScreen):
        for binding in cls.BINDINGS:
            assert binding.id and binding.description, (cls.__name__, binding)


# -- errors ---------------------------------------------------------------------------


async def test_empty_briefing_says_so(tmp_path, opened):
    empty = tmp_path / "empty"
    empty.mkdir()
    app = BriefingApp(opened(empty))
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        message = text_of(app, "#message")
        assert "no articles" in message and "ctrl+r" in message
        assert not app.view.display
        # a file appears; ctrl+r reads it
        write_doc(empty / "late.md", "Late arrival", ["One"], set())
        await pilot.press("ctrl+r")
        await wait_until(pilot, lambda: app.article is not None, "the new article")
        assert app.article.title == "Late arrival"
        assert app.view.display


async def test_unreadable_briefing_shows_message(folder, opened):
    class Unreadable(Briefing):
        def read_changes(self, progress=None):
            raise BriefingError(f"{self.root}: permission denied")

    app = BriefingApp(opened(folder, Unreadable))
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        assert "permission denied" in text_of(app, "#message")
        assert "cannot read the briefing" in text_of(app, "#status-text")
        await pilot.press("slash")
        assert "search unavailable" in text_of(app, "#search-status")


async def test_app_without_briefing_shows_the_error():
    app = BriefingApp(None, error="/nowhere: no such folder")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert "/nowhere: no such folder" in text_of(app, "#message")
        await pilot.press("slash", "n", "ctrl+f", "question_mark")  # nothing breaks


async def test_broken_index_is_reported_not_raised(folder, opened):
    class BrokenIndex(Briefing):
        def update_index(self, progress=None):
            raise RuntimeError("index segment _MAIN_1.seg is truncated")

    app = BriefingApp(opened(folder, BrokenIndex))
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        assert app.article is not None  # reading still works
        assert "search unavailable: index segment" in text_of(app, "#status-text")
        await pilot.press("slash")
        await type_text(pilot, "export")
        await pilot.press("enter")
        assert "search unavailable" in text_of(app, "#search-status")


async def test_damaged_index_files_are_rebuilt(folder, opened, home):
    first = opened(folder)
    first.update_index()  # build it (nothing read yet: empty index)
    first.close()
    for path in first.index_dir.iterdir():
        if path.is_file():
            path.write_bytes(b"garbage")
    app = BriefingApp(opened(folder))
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        assert app.index_ready, text_of(app, "#status-text")
        await search(pilot, "outlook")
        assert app.search_result.hits


# -- headless helpers -----------------------------------------------------------------


def test_place_history_back_and_forward():
    h = PlaceHistory()
    a, b, c = Place("a", 0), Place("b", 5), Place("c", 9)
    h.visit(a)
    h.visit(b)
    assert h.back(c) == b
    assert h.back(b) == a
    assert h.back(a) is None
    assert h.forward(a) == b
    h.visit(b)  # a new jump forgets the forward stack
    assert h.forward(c) is None


def test_find_literal_is_case_insensitive_and_keeps_offsets():
    text = "Straße and STRASSE, export Export"
    assert find_literal(text, "export") == [(20, 26), (27, 33)]
    for s, e in find_literal(text, "strasse"):
        assert text[s:e].casefold() == "strasse"
    assert find_literal(text, "") == []


async def test_opened_hit_lights_every_word_form_in_the_whole_article(tmp_path, opened):
    root = tmp_path / "forms"
    root.mkdir()
    forms = ["export", "exports", "exported", "exporting", "exporter"]
    body = "\n\n".join(
        f"## Part {n}\n\n{paragraph(n)} The {word} question stays open here." for n, word in enumerate(forms)
    )
    (root / "a.md").write_text(f"# Trade notes\n\n{body}\n", encoding="utf-8")
    app = BriefingApp(opened(root))
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        await search(pilot, "export")
        assert len(app.search_result.hits) < len(forms)  # hits are capped per article
        await pilot.press("enter")
        await pilot.pause()
        lit = [app.article.text[s:e].lower() for s, e in app.matches]
        assert sorted(lit) == sorted(forms)
        assert counter(app) == f"match 1 of {len(forms)}"


async def test_files_read_with_a_caveat_are_reported_once(tmp_path, opened):
    root = tmp_path / "caveat"
    root.mkdir()
    (root / "latin.txt").write_bytes("Price of the report: \xa3100 for members.\n".encode("latin-1"))
    app = BriefingApp(opened(root))
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        messages = [n.message for n in app._notifications]
        assert any("latin.txt" in m and "UTF-8" in m for m in messages), messages
        assert "£100" in app.article.text


async def test_a_file_path_opens_its_folder_at_that_article(folder, opened):
    app = BriefingApp(opened(folder), open_path=str(folder / "beta.md"))
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        await wait_until(pilot, lambda: app.article is not None, "an open article")
        assert app.article.id == "beta"
