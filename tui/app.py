"""The reader app: library, outline, article view, search, find and history.

The app draws and routes; the briefing (``index.briefing.Briefing``) does the
work. Reading files and indexing run in thread workers that only post
messages; every widget change happens here, on the app's thread.
"""

from __future__ import annotations

from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable

from rich.text import Text
from textual import on, work
from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.command import DiscoveryHit, Hit, Hits, Provider
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.css.query import NoMatches
from textual.message import Message
from textual.timer import Timer
from textual.widgets import Footer, Header, Input, OptionList, Static, Tree
from textual.worker import get_current_worker

from index.annotations import ORPHANED, Annotation, relocate
from index.export import ExportError, ExportScope, to_json, to_markdown, write_atomic
from index.model import Article, Hit as SearchHit, SearchResult
from tui.article_view import ArticleView
from tui.navigation import (
    Place,
    PlaceHistory,
    annotation_groups,
    article_matches,
    merge_ranges,
    excerpt,
    filter_annotations,
    find_literal,
    match_at_or_after,
    match_containing,
    next_sort,
    sort_articles,
    term_matches,
    SORT_LABELS,
)
from tui.screens import ExportRequest, ExportScreen, HelpScreen, NoteEdit, NoteScreen, binding_rows
from tui.widgets import (
    SUGGESTION_ID,
    AnnotationList,
    AnnotationPane,
    ArticleHeader,
    FindBar,
    LibraryList,
    OutlineTree,
    QueryInput,
    RelatedList,
    RelatedPane,
    ResultsList,
    SearchPanel,
    StatusBar,
    counter_text,
    plural,
)

if TYPE_CHECKING:
    from index.briefing import ArticleInfo, Briefing, RefreshReport

NARROW_WIDTH = 140  # below this many columns the notes pane replaces the sidebar
SEARCH_DELAY = 0.2  # seconds of quiet typing before a search runs
SAVE_DELAY = 1.0  # seconds after the last scroll before the position is saved
HISTORY_KEY = "search_history"
LAST_ARTICLE_KEY = "last_article"
THEME_KEY = "theme"
LIBRARY_SORT_KEY = "library_sort"
WATCH_INTERVAL = 2.0  # seconds between looks at the briefing folder
RELATED_DELAY = 0.3  # seconds the reading position rests before related passages are looked up


def position_key(article_id: str) -> str:
    return f"position:{article_id}"


class _LoadCancelled(Exception):
    """Raised from a progress callback to stop reading or indexing early."""


def one_line(exc: BaseException | str) -> str:
    text = str(exc).strip() or type(exc).__name__
    return text.splitlines()[0]


class BriefingCommands(Provider):
    """Command palette: every action of the app and the reader, every article,
    every section of the open article."""

    def _commands(self) -> list[tuple[str, str, Callable[[], Any], bool]]:
        app = self.app
        if not isinstance(app, BriefingApp):
            return []
        return app.palette_commands(self.screen)

    async def discover(self) -> Hits:
        for name, help_text, callback, discover in self._commands():
            if discover:
                yield DiscoveryHit(Content(name), callback, text=name, help=Content(help_text))  # type: ignore[arg-type]

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for name, help_text, callback, _ in self._commands():
            score, offsets = matcher.fuzzy_search.match(matcher.query, name)
            if score > 0:
                # Names hold article titles: plain Content, never markup.
                display = Content(name)
                for offset in offsets:
                    if not name[offset].isspace():
                        display = display.stylize(matcher.match_style, offset, offset + 1)
                yield Hit(score, display, callback, text=name, help=Content(help_text))  # type: ignore[arg-type]


class BriefingApp(App[None]):
    """Read, search and find in a briefing."""

    CSS_PATH = "app.tcss"
    TITLE = "briefing"
    COMMANDS = App.COMMANDS | {BriefingCommands}
    AUTO_FOCUS = "ArticleView"
    ENABLE_COMMAND_PALETTE = True

    BINDINGS = [
        Binding("slash", "search", "Search", id="app.search"),
        Binding("ctrl+f", "find", "Find", id="app.find"),
        Binding("n", "next_match", "Next match", id="app.next_match"),
        Binding("N", "previous_match", "Prev match", id="app.previous_match"),
        Binding("ctrl+o,alt+left", "back", "Back", id="app.back"),
        Binding("ctrl+i,alt+right", "forward", "Forward", id="app.forward", show=False),
        Binding("l", "focus_library", "Library", id="app.focus_library", show=False),
        Binding("t", "focus_outline", "Outline", id="app.focus_outline", show=False),
        Binding("escape", "focus_reader", "Back to the article", id="app.focus_reader", show=False),
        Binding("a", "toggle_annotations", "Notes", id="app.annotations",
                tooltip="Show the notes pane, move to it, or hide it"),
        Binding("r", "toggle_related", "Related", id="app.related",
                tooltip="Show passages of other articles like the section being read, move to them, or hide them"),
        Binding("o", "sort_library", "Sort the library (source, title, date)", id="app.sort_library", show=False),
        Binding("x", "export", "Export notes", id="app.export"),
        Binding("ctrl+r", "reload", "Reload the briefing folder", id="app.reload", show=False),
        Binding("question_mark", "help", "Help", id="app.help", key_display="?"),
        Binding("q", "quit", "Quit", id="app.quit"),
    ]

    class Progress(Message):
        def __init__(self, stage: str, done: int, total: int, name: str) -> None:
            super().__init__()
            self.stage, self.done, self.total, self.name = stage, done, total, name

    class ChangesRead(Message):
        def __init__(self, report: "RefreshReport") -> None:
            super().__init__()
            self.report = report

    class ChangesPending(Message):
        def __init__(self, pending: bool, annotations_version: int | None = None,
                     articles_version: int | None = None) -> None:
            super().__init__()
            self.pending = pending
            self.annotations_version = annotations_version
            self.articles_version = articles_version

    class RelatedDone(Message):
        def __init__(self, serial: int, hits: list[SearchHit], error: str | None = None) -> None:
            super().__init__()
            self.serial, self.hits, self.error = serial, hits, error

    class LoadFailed(Message):
        def __init__(self, error: str) -> None:
            super().__init__()
            self.error = error

    class IndexReady(Message):
        def __init__(self, notice: str | None) -> None:
            super().__init__()
            self.notice = notice

    class IndexFailed(Message):
        def __init__(self, error: str) -> None:
            super().__init__()
            self.error = error

    class SearchDone(Message):
        def __init__(self, serial: int, result: SearchResult) -> None:
            super().__init__()
            self.serial, self.result = serial, result

    class ExportDone(Message):
        def __init__(self, path: str, count: int) -> None:
            super().__init__()
            self.path, self.count = path, count

    class ExportFailed(Message):
        def __init__(self, error: str, exists: str | None = None) -> None:
            super().__init__()
            self.error, self.exists = error, exists

    def __init__(self, briefing: "Briefing | None" = None, *, error: str | None = None,
                 open_path: str | None = None) -> None:
        super().__init__()
        self.briefing = briefing
        self.open_request = open_path  # an article to open first (`briefing FILE`)
        self.startup_error = error if briefing is None or error else None
        if briefing is None and not error:
            self.startup_error = "no briefing was opened"
        self.article: Article | None = None
        self.infos: list["ArticleInfo"] = []
        self.index_ready = False
        self.index_error: str | None = None
        self.search_result: SearchResult | None = None
        self.matches: list[tuple[int, int]] = []
        self.match_index: int | None = None
        self.match_kind = ""  # "search" or "find"
        self.history = PlaceHistory()
        self._positions: dict[str, int] = {}
        self._dirty_positions: set[str] = set()
        self._save_timer: Timer | None = None
        self._search_timer: Timer | None = None
        self._search_serial = 0
        self._search_done_serial = 0
        self._open_when_done = False
        self._find_anchor = 0
        self._loading = False
        self._theme_restored = False
        self.article_annotations: list[Annotation] = []  # of the open article
        self.notes_scope = "article"  # the pane lists "article" or "all"
        self._deleted: list[str] = []  # annotation ids, last deleted last (u restores)
        self._last_color = "yellow"
        self.library_sort = "source"  # the folder order until a site says otherwise
        # Live briefing: the folder is looked at every `watch_interval` seconds.
        self.watch_interval = WATCH_INTERVAL
        self._watch_timer: Timer | None = None
        self._checking = False
        self._annotations_seen: int | None = None  # annotation change count last drawn
        self._articles_seen: int | None = None  # stored-article change count last shown
        self._refresh_kind = "start"  # what started the running read: "start", "watch" or "reload"
        self._skipped_seen: set[tuple[str, str]] = set()
        self._gone_title: str | None = None  # the open article was removed: say so, open nothing
        # Related passages pane
        self.related_hits: list[SearchHit] = []
        self._related_for: tuple[str, str | None] | None = None
        self._related_serial = 0
        self._related_timer: Timer | None = None

    # -- layout ---------------------------------------------------------------

    def compose(self) -> ComposeResult:
        yield Header()
        with Horizontal(id="main"):
            with Vertical(id="sidebar"):
                yield Static(Text("Library"), classes="pane-title", id="library-title")
                yield LibraryList(id="library")
                yield Static(Text("Outline"), classes="pane-title", id="outline-title")
                yield OutlineTree(id="outline")
            with Vertical(id="reader"):
                yield SearchPanel(id="search")
                yield FindBar(id="find")
                yield Static(Text(""), id="message")
                yield ArticleHeader(Text(""), id="article-header")
                yield ArticleView(id="view")
            yield AnnotationPane(id="notes")
            yield RelatedPane(id="related")
        yield StatusBar(id="status")
        yield Footer()

    @property
    def view(self) -> ArticleView:
        return self.query_one("#view", ArticleView)

    @property
    def library(self) -> LibraryList:
        return self.query_one("#library", LibraryList)

    @property
    def outline(self) -> OutlineTree:
        return self.query_one("#outline", OutlineTree)

    @property
    def search_panel(self) -> SearchPanel:
        return self.query_one("#search", SearchPanel)

    @property
    def query_box(self) -> QueryInput:
        return self.query_one("#query", QueryInput)

    @property
    def find_bar(self) -> FindBar:
        return self.query_one("#find", FindBar)

    @property
    def status(self) -> StatusBar:
        return self.query_one("#status", StatusBar)

    @property
    def notes_pane(self) -> AnnotationPane:
        return self.query_one("#notes", AnnotationPane)

    @property
    def notes_list(self) -> AnnotationList:
        return self.query_one("#ann-list", AnnotationList)

    @property
    def related_pane(self) -> RelatedPane:
        return self.query_one("#related", RelatedPane)

    # -- start ----------------------------------------------------------------

    def on_mount(self) -> None:
        self.search_panel.display = False
        self.find_bar.display = False
        self.notes_pane.display = False
        self.related_pane.display = False
        self.query_one("#article-header", ArticleHeader).display = False
        self.status.hide_progress()
        if self.briefing is None:
            self.show_message(self.startup_error or "no briefing", error=True)
            self.status.set_message(self.startup_error or "no briefing", "bold red")
            return
        self.sub_title = self.briefing.name
        self._restore_theme()
        history = self._state(HISTORY_KEY, [])
        if isinstance(history, list):
            self.query_box.history = [q for q in history if isinstance(q, str)][-50:]
        sort = self._state(LIBRARY_SORT_KEY)
        if isinstance(sort, str) and sort in SORT_LABELS:
            self.library_sort = sort
        self.infos = self._articles()
        self.refresh_library()
        if self.infos:
            self._open_remembered()
        else:
            self.show_message("Reading the briefing…")
        self.status.set_message("reading the briefing…")
        self.start_loading()
        self._watch_timer = self.set_interval(self.watch_interval, self._poll_changes)

    def _restore_theme(self) -> None:
        theme = self._state(THEME_KEY)
        if isinstance(theme, str) and theme in self.available_themes:
            self.theme = theme
        self._theme_restored = True

    def watch_theme(self, theme: str) -> None:
        if self._theme_restored and self.briefing is not None:
            self._set_state(THEME_KEY, theme)

    def _state(self, key: str, default: Any = None) -> Any:
        if self.briefing is None:
            return default
        try:
            return self.briefing.get_state(key, default)
        except Exception:
            return default

    def _set_state(self, key: str, value: Any) -> None:
        if self.briefing is None:
            return
        try:
            self.briefing.set_state(key, value)
        except Exception as exc:
            self.status.set_message(f"could not save reading state: {one_line(exc)}", "red")

    def _articles(self) -> list["ArticleInfo"]:
        try:
            return sort_articles(list(self.briefing.articles()), self.library_sort) if self.briefing else []
        except Exception as exc:
            self.show_message(f"Cannot list the briefing's articles: {one_line(exc)}", error=True)
            return []

    def _open_remembered(self) -> None:
        ids = {info.id for info in self.infos}
        last = self._state(LAST_ARTICLE_KEY)
        target = last if isinstance(last, str) and last in ids else self.infos[0].id
        if self.open_request and self.briefing is not None:
            asked = self.briefing.resolve(self.open_request)
            if asked in ids:
                target, self.open_request = asked, None
        self.show_place(Place(target, self._remembered_position(target)))

    def _remembered_position(self, article_id: str) -> int:
        if article_id in self._positions:
            return self._positions[article_id]
        value = self._state(position_key(article_id), 0)
        return value if isinstance(value, int) and value >= 0 else 0

    # -- loading and indexing (worker) -----------------------------------------

    def start_loading(self, kind: str = "start") -> None:
        if self.briefing is None or self._loading:
            return
        self._loading = True
        self._refresh_kind = kind
        if kind != "watch" or self.index_error:
            # A live refresh keeps the index it has usable while it updates it.
            self.index_ready = False
        self.index_error = None
        self.status.set_progress(0, None)
        self.load_briefing()

    # -- live briefing: notice changes of the folder ------------------------------

    def _poll_changes(self) -> None:
        if self.briefing is None or self._loading or self._checking:
            return  # a read is running (it sees the changes) or a look is under way
        self._checking = True
        self.check_for_changes()

    @work(thread=True, exclusive=True, group="watch", exit_on_error=False)
    def check_for_changes(self) -> None:
        worker = get_current_worker()
        version = articles = None
        try:
            pending = bool(self.briefing.pending_changes()) if self.briefing else False
            version = self.briefing.annotations_version() if self.briefing else None
            articles = self.briefing.articles_version() if self.briefing else None
        except Exception:
            pending = False
        if not worker.is_cancelled:
            self.post_message(self.ChangesPending(pending, version, articles))

    def on_briefing_app_changes_pending(self, message: ChangesPending) -> None:
        self._checking = False
        stored = message.articles_version
        if stored is not None and stored != self._articles_seen:
            # Articles were re-read, maybe by another process (the CLI) that
            # saw the folder change first: this app must catch up too.
            if self._articles_seen is not None and not self._loading:
                message.pending = True
            self._articles_seen = stored
        version = message.annotations_version
        if version is not None and version != self._annotations_seen:
            # Annotations changed, here or in another process (the CLI).
            if self._annotations_seen is not None:
                self.refresh_annotations()
            self._annotations_seen = version
        if message.pending and not self._loading:
            self.status.set_message("the briefing folder changed: reading…")
            self.start_loading("watch")

    @work(thread=True, exclusive=True, group="load", exit_on_error=False)
    def load_briefing(self) -> None:
        briefing = self.briefing
        worker = get_current_worker()
        assert briefing is not None

        def progress_poster(stage: str) -> Callable[[int, int, str], None]:
            last = {"step": -1}

            def progress(done: int, total: int, name: str) -> None:
                if worker.is_cancelled:  # the app is closing: stop reading/indexing
                    raise _LoadCancelled()
                step = (100 * done) // total if total else 100
                if step != last["step"] or done >= total:
                    last["step"] = step
                    self.post_message(self.Progress(stage, done, total, name))

            return progress

        try:
            report = briefing.read_changes(progress=progress_poster("reading"))
        except _LoadCancelled:
            return
        except Exception as exc:
            self.post_message(self.LoadFailed(one_line(exc)))
            return
        self.post_message(self.ChangesRead(report))
        if worker.is_cancelled:
            return
        try:
            notice = briefing.update_index(progress=progress_poster("indexing"))
            index_annotations = getattr(briefing, "index_annotations", None)
            if index_annotations is not None and not worker.is_cancelled:
                index_annotations()
        except _LoadCancelled:
            return
        except Exception as exc:
            self.post_message(self.IndexFailed(one_line(exc)))
            return
        self.post_message(self.IndexReady(notice))

    def on_briefing_app_progress(self, message: Progress) -> None:
        self.status.set_progress(message.done, message.total)
        what = "reading" if message.stage == "reading" else "indexing"
        self.status.set_message(f"{what} {message.done}/{message.total}…")
        if message.stage == "reading" and self.article is None and message.done and self._gone_title is None:
            # first start on a large briefing: show what is already stored
            infos = self._articles()
            if infos:
                self.infos = infos
                self.refresh_library()
                self._open_remembered()

    def on_briefing_app_changes_read(self, message: ChangesRead) -> None:
        report = message.report
        kind = self._refresh_kind
        try:  # what this app has now caught up with (see the folder poll)
            self._articles_seen = self.briefing.articles_version() if self.briefing else None
        except Exception:
            self._articles_seen = None
        self.infos = self._articles()
        self.refresh_library()
        ids = {info.id for info in self.infos}
        reloaded = False
        if self.article is not None and self.article.id not in ids:
            self._article_removed()
        elif not self.infos:
            self._show_empty()
        elif self.article is None:
            if self._gone_title is None:
                self._open_remembered()
        elif self.article.id in report.updated or self._open_article_is_stale():
            # the open article changed on disk: show the new text at the same place
            self._reload_current()
            reloaded = True
        if not reloaded and (report.moved or report.orphaned or report.removed or report.updated):
            self.refresh_annotations(library=False)
        self._notify_changes(report, kind)
        if kind == "watch" and not (report.changed or report.moved or report.orphaned):
            self.status.hide_progress()  # a look that found nothing new: no busy bar
            return
        self.status.set_message("indexing…")
        self.status.set_progress(0, None)

    def _notify_changes(self, report: "RefreshReport", kind: str) -> None:
        """Say what a read changed: after a live refresh or ctrl+r, the report's
        summary; files skipped, once each (until they change)."""
        skipped = {(s.path, s.reason) for s in report.skipped}
        fresh = [s for s in report.skipped if (s.path, s.reason) not in self._skipped_seen]
        self._skipped_seen = skipped
        if fresh:
            first = fresh[0]
            more = f" (and {len(fresh) - 1} more)" if len(fresh) > 1 else ""
            self.notify(
                f"{plural(len(fresh), 'file')} skipped: {first.path}: {first.reason}{more}",
                severity="warning",
                markup=False,
            )
        if report.warnings:  # only for files read this time: never repeated
            more = f" (and {len(report.warnings) - 1} more)" if len(report.warnings) > 1 else ""
            self.notify(f"{report.warnings[0]}{more}", title="Read with a caveat", markup=False)
        if kind == "start":
            return
        if report.changed or report.moved or report.orphaned or kind == "reload":
            summary = report.summary()
            if report.skipped:  # said above, once
                parts = [p for p in summary.split(", ") if not p.endswith(" skipped")]
                summary = ", ".join(parts) or "no changes"
            self.notify(summary, title="Briefing updated", markup=False,
                        severity="warning" if report.orphaned else "information")

    def _article_removed(self) -> None:
        """The open article's file is gone: say so in the reading area and keep
        the rest of the app working."""
        assert self.article is not None
        title = self.article.title or self.article.id
        self._gone_title = title
        self.article = None
        self.clear_matches()
        self.view.show_article(None)
        self.outline.show_sections(None)
        self.query_one("#article-header", ArticleHeader).show_article(None)
        self.refresh_annotations(library=False)
        self._related_for = None
        self.related_hits = []
        if self.related_pane.display:
            self.related_pane.show_hits([])
            self.related_pane.set_status("")
        if self.infos:
            hint = "Open another one from the library (l, then Enter)."
        else:
            hint = "The briefing has no articles now: put .txt, .md or .html files in its folder."
        self.show_message(f"“{title}” was removed from the briefing folder.\n\n{hint}")
        self.status.set_message(f"“{excerpt(title, 60)}” was removed")
        if self.infos and (self.focused is None or self.focused is self.view):
            self.library.focus()

    def _open_article_is_stale(self) -> bool:
        """The stored text of the open article is newer than the one shown."""
        if self.briefing is None or self.article is None:
            return False
        try:
            stored = self.briefing.article(self.article.id)
        except Exception:
            return False
        return stored is not None and stored.content_hash != self.article.content_hash

    def _reload_current(self) -> None:
        """Show the new text of the open article where the reader was: the
        reading position, the cursor and the matches follow the edit."""
        assert self.article is not None
        old = self.article
        try:
            new = self.briefing.article(old.id) if self.briefing else None
        except Exception as exc:
            self.notify(f"cannot re-read {old.id}: {one_line(exc)}", severity="error", markup=False)
            return
        if new is None:
            return
        top = relocate(old.text, new.text, self._top_offset())
        cursor = self.view.cursor
        current = self.matches[self.match_index] if self.match_index is not None and self.matches else None
        kind = self.match_kind
        self.article = new
        self.view.show_article(new, top)
        self.query_one("#article-header", ArticleHeader).show_article(new)
        self.outline.show_sections(new)
        self.refresh_annotations(library=False)
        if cursor is not None:
            sentence = self.view.sentence_at(relocate(old.text, new.text, cursor[0]))
            if sentence is not None:
                self.view.set_cursor(*sentence, reveal=False)
        ranges: list[tuple[int, int]] = []
        if kind == "find":
            needle = self.query_one("#find-input", Input).value
            ranges = find_literal(new.text, needle) if needle else []
        elif kind == "search" and self.search_result is not None:
            ranges = term_matches(new.text, list(self.search_result.terms or []))
        if ranges:
            index = None
            if current is not None:
                moved = relocate(old.text, new.text, current[0])
                index = match_containing(ranges, moved, moved + 1)
            self.set_matches(ranges, index, kind)
        else:
            self.clear_matches()
        self._positions[new.id] = top
        self._dirty_positions.add(new.id)
        section = new.section_at(top)
        self.outline.follow(section.id if section else None)
        self._related_for = None
        self._schedule_related()

    def _show_empty(self) -> None:
        root = str(self.briefing.root) if self.briefing else ""
        self.article = None
        self.view.show_article(None)
        self.outline.show_sections(None)
        self.query_one("#article-header", ArticleHeader).show_article(None)
        self.article_annotations = []
        self.show_message(
            f"This briefing has no articles yet.\n\nPut .txt, .md or .html files in {root} "
            "and press ctrl+r to read them."
        )

    def on_briefing_app_load_failed(self, message: LoadFailed) -> None:
        self._loading = False
        self._refresh_kind = "start"
        self.status.hide_progress()
        self.status.set_message(f"cannot read the briefing: {message.error}", "bold red")
        self.index_error = message.error
        self._update_search_availability()
        if self.article is None:
            self.show_message(f"Cannot read the briefing.\n\n{message.error}", error=True)
        else:
            self.notify(message.error, title="Cannot read the briefing", severity="error", markup=False)

    def on_briefing_app_index_ready(self, message: IndexReady) -> None:
        self._loading = False
        self.index_ready = True
        self._refresh_kind = "start"
        self.status.hide_progress()
        ready = f"{plural(len(self.infos), 'article')} · search ready"
        if message.notice:
            ready += f" ({message.notice})"
        self.status.set_message(ready)
        self._update_search_availability()
        if self.search_panel.display and self.query_box.value.strip():
            self._start_search()
        if self.related_pane.display:
            self._related_for = None  # the index changed: look again
            self._start_related()

    def on_briefing_app_index_failed(self, message: IndexFailed) -> None:
        self._loading = False
        self._refresh_kind = "start"
        self.index_ready = False
        self.index_error = message.error
        self.status.hide_progress()
        self.status.set_message(f"search unavailable: {message.error}", "bold red")
        self._update_search_availability()

    def _update_search_availability(self) -> None:
        if not self.search_panel.display:
            return
        if self.index_error:
            self.search_panel.set_status(f"search unavailable: {self.index_error} (ctrl+r retries)", "bold red")
        elif not self.index_ready:
            self.search_panel.set_status("indexing… results appear when the index is ready", "italic")

    def action_reload(self) -> None:
        if self._loading:
            self.notify("already reading the briefing", markup=False)
            return
        self.status.set_message("reading the briefing…")
        self.start_loading("reload")

    # -- library and outline -----------------------------------------------------

    def refresh_library(self) -> None:
        self.library.set_articles(self.infos, self.article.id if self.article else None)
        self.refresh_library_title()

    def action_sort_library(self) -> None:
        """o: source → title → date → source; remembered for the briefing."""
        self.library_sort = next_sort(self.library_sort)
        self._set_state(LIBRARY_SORT_KEY, self.library_sort)
        self.infos = sort_articles(self.infos, self.library_sort)
        keep = self.library.highlighted_id
        self.library.set_articles(self.infos, None)
        self.library.mark_current(keep)
        self.refresh_library_title()
        self.status.set_message(f"library sorted {SORT_LABELS[self.library_sort]} · o changes the order")
        if self.notes_pane.display and self.notes_scope == "all":
            self.fill_notes()

    def refresh_library_title(self) -> None:
        title = Text("Library")
        title.append(f" · {len(self.infos)} · {SORT_LABELS.get(self.library_sort, self.library_sort)}", style="dim")
        self.query_one("#library-title", Static).update(title)

    @on(OptionList.OptionSelected, "#library")
    def _library_selected(self, event: OptionList.OptionSelected) -> None:
        article_id = event.option.id
        if article_id is None:
            return
        if self.article is not None and self.article.id == article_id:
            self.view.focus()
            return
        self.go_to(Place(article_id, self._remembered_position(article_id)))
        self.view.focus()

    @on(Tree.NodeSelected, "#outline")
    def _outline_selected(self, event: Tree.NodeSelected) -> None:
        section_id = event.node.data
        if self.article is None or section_id is None:
            return
        section = self.article.section_by_id(section_id)
        if section is not None:
            self.go_to(Place(self.article.id, section.start))
            self.view.focus()

    def on_article_view_position_changed(self, message: ArticleView.PositionChanged) -> None:
        if self.article is None:
            return
        self._positions[self.article.id] = message.offset
        self._dirty_positions.add(self.article.id)
        try:
            self.outline.follow(message.section_id)
        except NoMatches:  # shutting down
            return
        self._schedule_related()
        if self._save_timer is not None:
            self._save_timer.stop()
        self._save_timer = self.set_timer(SAVE_DELAY, self.save_positions)

    def save_positions(self) -> None:
        if self.briefing is None:
            return
        for article_id in sorted(self._dirty_positions):
            self._set_state(position_key(article_id), int(self._positions.get(article_id, 0)))
        self._dirty_positions.clear()

    # -- places and history ---------------------------------------------------------

    def _top_offset(self) -> int:
        try:
            return int(self.view.top_offset())
        except Exception:
            return 0

    def current_place(self) -> Place | None:
        if self.article is None:
            return None
        return Place(self.article.id, self._top_offset())

    def go_to(self, place: Place, *, center: bool = False) -> bool:
        """Jump to a place, remembering where we were for back/forward."""
        leaving = self.current_place()
        if not self.show_place(place, center=center):
            return False
        if leaving is not None and leaving != place:
            self.history.visit(leaving)
        return True

    def show_place(self, place: Place, *, center: bool = False) -> bool:
        """Show ``place`` without touching the history."""
        if self.article is None or self.article.id != place.article_id:
            try:
                article = self.briefing.article(place.article_id) if self.briefing else None
            except Exception as exc:
                self.notify(f"cannot open {place.article_id}: {one_line(exc)}", severity="error", markup=False)
                return False
            if article is None:
                self.notify(f"{place.article_id} is no longer in the briefing", severity="warning", markup=False)
                return False
            if self.article is not None:
                self._positions[self.article.id] = self._top_offset()
                self._dirty_positions.add(self.article.id)
            self.article = article
            self._gone_title = None
            self.clear_matches()
            self.hide_message()
            self.view.show_article(article, place.offset)
            self.query_one("#article-header", ArticleHeader).show_article(article)
            self.outline.show_sections(article)
            self.refresh_annotations(library=False)
            self.library.mark_current(article.id)
            self._set_state(LAST_ARTICLE_KEY, article.id)
            self.save_positions()
            if center:
                self.view.scroll_to_offset(place.offset, center=True)
        else:
            self.view.scroll_to_offset(place.offset, center=center)
        self._positions[place.article_id] = place.offset
        self._dirty_positions.add(place.article_id)
        section = self.article.section_at(place.offset)
        self.outline.follow(section.id if section else None)
        return True

    def open_article(self, article_id: str) -> None:
        self.go_to(Place(article_id, self._remembered_position(article_id)))
        self.view.focus()

    def go_to_section(self, section_id: str) -> None:
        if self.article is None:
            return
        section = self.article.section_by_id(section_id)
        if section is not None:
            self.go_to(Place(self.article.id, section.start))
            self.view.focus()

    def action_back(self) -> None:
        target = self.history.back(self.current_place())
        if target is None:
            self.status.set_message("nothing to go back to")
            return
        self.show_place(target)

    def action_forward(self) -> None:
        target = self.history.forward(self.current_place())
        if target is None:
            self.status.set_message("nothing to go forward to")
            return
        self.show_place(target)

    # -- messages in the reading area ---------------------------------------------------

    def show_message(self, text: str, *, error: bool = False) -> None:
        message = self.query_one("#message", Static)
        message.update(Text(text, style="bold red" if error else ""))
        message.set_class(error, "error")
        message.display = True
        self.view.display = False
        self.query_one("#article-header", ArticleHeader).display = False

    def hide_message(self) -> None:
        self.query_one("#message", Static).display = False
        self.view.display = True
        self.query_one("#article-header", ArticleHeader).display = self.article is not None

    # -- matches (search and find share them) ---------------------------------------------

    def set_matches(self, ranges: list[tuple[int, int]], index: int | None, kind: str) -> None:
        self.matches = ranges
        self.match_kind = kind
        self.match_index = index
        self.view.set_matches(ranges, index)
        self._show_counter()

    def clear_matches(self) -> None:
        self.matches = []
        self.match_index = None
        self.match_kind = ""
        self.view.set_matches([], None)
        self.status.set_counter("")
        self.find_bar.set_counter("")

    def _show_counter(self) -> None:
        text = counter_text(self.match_index, len(self.matches)) if self.match_kind else ""
        self.status.set_counter(text)
        if self.match_kind == "find":
            self.find_bar.set_counter(text)

    def go_to_match(self, index: int) -> None:
        if not self.matches:
            return
        index %= len(self.matches)
        self.match_index = index
        self.view.set_matches(self.matches, index)
        self.view.scroll_to_offset(self.matches[index][0], center=True)
        self._show_counter()
        if self.article is not None:
            section = self.article.section_at(self.matches[index][0])
            self.outline.follow(section.id if section else None)

    def action_next_match(self) -> None:
        self._step_match(1)

    def action_previous_match(self) -> None:
        self._step_match(-1)

    def _step_match(self, step: int) -> None:
        if not self.matches:
            self.status.set_message("no matches: / searches the briefing, ctrl+f finds in this article")
            self.bell()
            return
        if self.match_index is None:
            index = match_at_or_after(self.matches, self._top_offset()) or 0
            if step < 0:
                index -= 1
        else:
            index = self.match_index + step
        if index >= len(self.matches):
            self.status.set_message("search wrapped to the first match")
        elif index < 0:
            self.status.set_message("search wrapped to the last match")
        self.go_to_match(index)

    # -- search ------------------------------------------------------------------------

    def action_search(self) -> None:
        if self.briefing is None:
            return
        self.find_bar.display = False
        self.search_panel.display = True
        box = self.query_box
        box.focus()
        box.select_all()
        self._update_search_availability()

    @on(Input.Changed, "#query")
    def _query_changed(self, event: Input.Changed) -> None:
        if self._search_timer is not None:
            self._search_timer.stop()
        self._search_timer = self.set_timer(SEARCH_DELAY, self._start_search)

    def _start_search(self) -> None:
        if self._search_timer is not None:
            self._search_timer.stop()
            self._search_timer = None
        try:
            query = self.query_box.value
        except NoMatches:  # a timer firing while the app shuts down
            return
        self._search_serial += 1
        if not query.strip():
            self._search_done_serial = self._search_serial
            self.search_result = None
            self.search_panel.show_result(None)
            self._update_search_availability()
            return
        if self.index_error or not self.index_ready:
            self._update_search_availability()
            return
        self.run_search(query, self._search_serial)

    @work(thread=True, exclusive=True, group="search", exit_on_error=False)
    def run_search(self, query: str, serial: int) -> None:
        try:
            result = self.briefing.search(query)  # type: ignore[union-attr]
        except Exception as exc:
            result = SearchResult(query=query, hits=[], total=0, error=one_line(exc))
        if not get_current_worker().is_cancelled:
            self.post_message(self.SearchDone(serial, result))

    def on_briefing_app_search_done(self, message: SearchDone) -> None:
        if message.serial != self._search_serial:
            return  # a newer query is on its way
        self._search_done_serial = message.serial
        self.search_result = message.result
        self.search_panel.show_result(message.result)
        if self._open_when_done:
            self._open_when_done = False
            self._submit_search()

    @on(Input.Submitted, "#query")
    def _query_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        if not event.value.strip():
            return
        if not self.index_ready:
            self._update_search_availability()
            return
        fresh = (
            self.search_result is not None
            and self.search_result.query == event.value
            and self._search_done_serial == self._search_serial
            and self._search_timer is None
        )
        if fresh:
            self._submit_search()
        else:
            self._open_when_done = True
            self._start_search()

    def _submit_search(self) -> None:
        """Enter in the query box: open the highlighted hit, or apply the suggestion."""
        result = self.search_result
        if result is None or result.error:
            self.bell()
            return
        results = self.query_one("#results", ResultsList)
        option_id = None
        if results.highlighted is not None and results.option_count:
            option_id = results.get_option_at_index(results.highlighted).id
        if option_id == SUGGESTION_ID or (not result.hits and result.suggestion):
            self.apply_suggestion()
        elif option_id and option_id.startswith("hit-"):
            self.open_hit(int(option_id[4:]))
        elif result.hits:
            self.open_hit(0)
        else:
            self.bell()

    @on(OptionList.OptionSelected, "#results")
    def _result_selected(self, event: OptionList.OptionSelected) -> None:
        option_id = event.option.id or ""
        if option_id == SUGGESTION_ID:
            self.apply_suggestion()
        elif option_id.startswith("hit-"):
            self.open_hit(int(option_id[4:]))

    def apply_suggestion(self) -> None:
        result = self.search_result
        if result is None or not result.suggestion:
            return
        box = self.query_box
        box.value = result.suggestion
        box.cursor_position = len(box.value)
        box.focus()
        self._start_search()

    def open_hit(self, n: int) -> None:
        result = self.search_result
        if result is None or not (0 <= n < len(result.hits)):
            return
        hit: SearchHit = result.hits[n]
        self.query_box.remember(result.query)
        self._set_state(HISTORY_KEY, self.query_box.history)
        try:
            article = self.briefing.article(hit.article_id) if self.briefing else None
        except Exception:
            article = None
        if article is None:
            self.notify(f"{hit.article_id} is no longer in the briefing", severity="warning", markup=False)
            return
        ranges = article_matches(result, hit.article_id, article.text)
        try:  # every form the index matched (stems too), across the whole article
            exact = self.briefing.match_ranges(result.query, hit.article_id)
        except Exception:
            exact = []
        if exact:
            ranges = merge_ranges(ranges + [(int(s), int(e)) for s, e in exact])
        section = article.section_by_id(hit.section_id)
        index: int | None = None
        if ranges:
            if hit.offsets:
                start, end = min(hit.offsets)
                index = match_containing(ranges, start, end)
            if index is None:
                index = match_at_or_after(ranges, section.start if section else 0)
        target = ranges[index][0] if index is not None else (section.start if section else 0)
        self.close_panels()
        if not self.go_to(Place(hit.article_id, target), center=True):
            return
        self.set_matches(ranges, index, "search")
        if index is not None:
            self.view.scroll_to_offset(target, center=True)
        self.status.set_message(f"search: {result.query}")
        self.view.focus()

    # -- find ---------------------------------------------------------------------------

    def action_find(self) -> None:
        if self.article is None:
            self.status.set_message("open an article to find in it")
            return
        self.search_panel.display = False
        self.find_bar.display = True
        self._find_anchor = self._top_offset()
        box = self.query_one("#find-input", Input)
        box.focus()
        if box.value:
            box.select_all()  # typing replaces the old text
            self._find(box.value)

    @on(Input.Changed, "#find-input")
    def _find_changed(self, event: Input.Changed) -> None:
        self._find(event.value)

    def _find(self, needle: str) -> None:
        if self.article is None:
            return
        if not needle:
            self.clear_matches()
            return
        ranges = find_literal(self.article.text, needle)
        index = match_at_or_after(ranges, self._find_anchor)
        self.set_matches(ranges, index, "find")
        if index is not None:
            self.go_to_match(index)

    @on(Input.Submitted, "#find-input")
    def _find_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        if self.matches and self.match_kind == "find":
            self._step_match(1)

    # -- annotations ---------------------------------------------------------------------------

    def refresh_annotations(self, *, library: bool = True, select_id: str | None = None) -> None:
        """Reload the open article's annotations: highlights, the pane and
        (after a change) the library's counts."""
        current: list[Annotation] = []
        if self.briefing is not None:
            try:  # read the change count first: a change made after it is noticed by the poll
                self._annotations_seen = self.briefing.annotations_version()
            except Exception:
                pass
        if self.briefing is not None and self.article is not None:
            try:
                current = self.briefing.annotations(self.article.id)
            except Exception as exc:
                self.status.set_message(f"cannot read the annotations: {one_line(exc)}", "bold red")
        self.article_annotations = current
        # Where highlights overlap, the later one is drawn on top (made in the
        # same second: the shorter one, so a passage inside another shows).
        drawn = sorted((a for a in current if a.state != ORPHANED), key=lambda a: (a.created, a.start - a.end))
        self.view.set_highlights([(a.start, a.end, a.color) for a in drawn])
        if self.notes_pane.display:
            self.fill_notes(select_id)
        if library:
            self.infos = self._articles()
            self.refresh_library()

    def fill_notes(self, select_id: str | None = None) -> None:
        if self.briefing is None:
            return
        single = self.notes_scope == "article"
        if single:
            anns = list(self.article_annotations)
        else:
            try:
                anns = self.briefing.annotations()
            except Exception as exc:
                self.status.set_message(f"cannot read the annotations: {one_line(exc)}", "bold red")
                anns = []
        query = self.query_one("#ann-filter", Input).value
        shown = filter_annotations(anns, query)
        groups = annotation_groups(
            shown,
            [info.id for info in self.infos],
            {info.id: info.title for info in self.infos},
            single_article=single,
        )
        title = "Notes · " + ("this article" if single else "whole briefing")
        title += f" · {len(shown)}" if len(shown) == len(anns) else f" · {len(shown)} of {len(anns)}"
        if not anns:
            empty = "No notes here yet: select a passage (v or the mouse) and press h."
        else:
            empty = "No notes match the filter."
        self.notes_pane.show(title, groups, empty, select_id)

    @on(ArticleView.HighlightRequested, "#view")
    def _highlight_requested(self, event: ArticleView.HighlightRequested) -> None:
        if self.briefing is None or self.article is None:
            return
        try:
            ann = self.briefing.annotate(self.article.id, event.start, event.end, color=self._last_color,
                                         content_hash=self.article.content_hash)
        except Exception as exc:
            self.notify(f"cannot highlight: {one_line(exc)}", severity="error", markup=False)
            return
        self.view.clear_selection()
        self.refresh_annotations(select_id=ann.id)
        self.status.set_message("highlighted · write a note, or esc to keep just the highlight")
        self.edit_annotation(ann, title="New highlight")

    def edit_annotation(self, ann: Annotation, *, title: str = "Edit note", focus: str = "note") -> None:
        def saved(edit: NoteEdit | None) -> None:
            if edit is None or self.briefing is None:
                if not self.notes_pane.display:
                    self.view.focus()
                return
            try:
                self.briefing.update_annotation(ann.id, note=edit.note, tags=[edit.tags], color=edit.color)
            except Exception as exc:
                self.notify(f"cannot save the note: {one_line(exc)}", severity="error", markup=False)
                return
            self._last_color = edit.color
            self.refresh_annotations(select_id=ann.id)
            self.status.set_message("note saved")

        self.push_screen(
            NoteScreen(title=title, quote=ann.quote, note=ann.note, tags=ann.tags, color=ann.color, focus=focus),
            saved,
        )

    def _highlighted_annotation(self) -> Annotation | None:
        if self.briefing is None:
            return None
        if not self.notes_pane.display:
            self.action_toggle_annotations()
        ann_id = self.notes_list.highlighted_id
        if ann_id is None:
            self.status.set_message("no note chosen: open the notes pane with a and pick one")
            self.bell()
            return None
        try:
            ann = self.briefing.annotation(ann_id)
        except Exception as exc:
            self.notify(f"cannot read the annotation: {one_line(exc)}", severity="error", markup=False)
            return None
        if ann is None:
            self.fill_notes()
        return ann

    def action_toggle_annotations(self) -> None:
        """a: show the pane (and move to it); a again in the pane hides it."""
        pane = self.notes_pane
        if pane.display and self.focused is not None and pane in self.focused.ancestors_with_self:
            self.show_notes_pane(False)
            if self.view.display:
                self.view.focus()
            return
        self.show_notes_pane(True)
        self.notes_list.focus()

    def show_notes_pane(self, show: bool) -> None:
        pane = self.notes_pane
        if show and not pane.display:
            self.related_pane.display = False  # the two share the right side
            pane.display = True
            self.fill_notes()
        elif not show:
            pane.display = False
        self._fit_panes()

    def _fit_panes(self) -> None:
        """On a narrow terminal the notes (or related) pane takes the sidebar's place."""
        side = self.notes_pane.display or self.related_pane.display
        crowded = side and self.size.width < NARROW_WIDTH
        self.query_one("#sidebar").display = not crowded

    def on_resize(self) -> None:
        try:
            self._fit_panes()
        except NoMatches:
            pass

    def action_annotations_scope(self) -> None:
        self.notes_scope = "all" if self.notes_scope == "article" else "article"
        self.show_notes_pane(True)
        self.fill_notes()
        self.notes_list.focus()

    def action_annotations_filter(self) -> None:
        self.show_notes_pane(True)
        self.query_one("#ann-filter", Input).focus()

    @on(Input.Changed, "#ann-filter")
    def _notes_filter_changed(self, event: Input.Changed) -> None:
        self.fill_notes()

    @on(Input.Submitted, "#ann-filter")
    def _notes_filter_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.notes_list.focus()

    @on(OptionList.OptionSelected, "#ann-list")
    def _note_selected(self, event: OptionList.OptionSelected) -> None:
        if event.option.id:
            self.jump_to_annotation(event.option.id)

    def action_annotation_jump(self) -> None:
        ann = self._highlighted_annotation()
        if ann is not None:
            self.jump_to_annotation(ann.id)

    def jump_to_annotation(self, ann_id: str) -> None:
        if self.briefing is None:
            return
        try:
            ann = self.briefing.annotation(ann_id)
        except Exception as exc:
            self.notify(f"cannot read the annotation: {one_line(exc)}", severity="error", markup=False)
            return
        if ann is None:
            self.fill_notes()
            return
        if ann.state == ORPHANED:
            self.status.set_message(f"unanchored: its passage is gone (“{excerpt(ann.quote, 60)}”)")
            self.bell()
            return
        self.close_panels()
        if not self.go_to(Place(ann.article_id, ann.start)):
            return
        self.view.set_cursor(ann.start, ann.end, reveal=False)
        self.status.set_message("moved to the note's passage" + (" (re-anchored after a change)" if ann.state == "moved" else ""))

    def action_annotation_edit(self) -> None:
        ann = self._highlighted_annotation()
        if ann is not None:
            self.edit_annotation(ann)

    def action_annotation_tags(self) -> None:
        ann = self._highlighted_annotation()
        if ann is not None:
            self.edit_annotation(ann, title="Edit tags", focus="tags")

    def action_annotation_delete(self) -> None:
        ann = self._highlighted_annotation()
        if ann is None or self.briefing is None:
            return
        listing = self.notes_list
        index = listing.highlighted
        try:
            self.briefing.delete_annotation(ann.id)
        except Exception as exc:
            self.notify(f"cannot delete: {one_line(exc)}", severity="error", markup=False)
            return
        self._deleted.append(ann.id)
        self.refresh_annotations()
        # keep the cursor near where it was
        if index is not None and listing.option_count:
            index = min(index, listing.option_count - 1)
            while index > 0 and listing.get_option_at_index(index).disabled:
                index -= 1
            if not listing.get_option_at_index(index).disabled:
                listing.highlighted = index
        self.status.set_message(f"deleted “{excerpt(ann.quote, 50)}” · u undoes")

    def action_annotation_undo(self) -> None:
        if self.briefing is None:
            return
        if not self._deleted:
            self.status.set_message("nothing to undo")
            self.bell()
            return
        ann_id = self._deleted.pop()
        try:
            restored = self.briefing.restore_annotation(ann_id)
        except Exception as exc:
            self.notify(f"cannot restore: {one_line(exc)}", severity="error", markup=False)
            return
        self.show_notes_pane(True)
        self.refresh_annotations(select_id=ann_id)
        self.status.set_message("note restored" if restored else "that note is gone")

    # -- related passages ------------------------------------------------------------------------

    def action_toggle_related(self) -> None:
        """r: show the related pane (and move to it); r again in the pane hides it."""
        pane = self.related_pane
        if pane.display and self.focused is not None and pane in self.focused.ancestors_with_self:
            self.show_related_pane(False)
            if self.view.display:
                self.view.focus()
            return
        self.show_related_pane(True)
        self.query_one("#related-list", RelatedList).focus()

    def show_related_pane(self, show: bool) -> None:
        pane = self.related_pane
        if show and not pane.display:
            self.notes_pane.display = False
            pane.display = True
            self._related_for = None
            self._start_related()
        elif not show:
            pane.display = False
            if self._related_timer is not None:
                self._related_timer.stop()
                self._related_timer = None
        self._fit_panes()

    def _reading_section(self) -> tuple[str, str | None] | None:
        if self.article is None:
            return None
        try:
            section = self.view.current_section()
        except NoMatches:
            return None
        return self.article.id, section.id if section else None

    def _schedule_related(self) -> None:
        """The reading position moved: look up related passages once it rests."""
        try:
            shown = self.related_pane.display
        except NoMatches:
            return
        if not shown or self._reading_section() == self._related_for:
            return
        if self._related_timer is not None:
            self._related_timer.stop()
        self._related_timer = self.set_timer(RELATED_DELAY, self._start_related)

    def _start_related(self) -> None:
        if self._related_timer is not None:
            self._related_timer.stop()
            self._related_timer = None
        try:
            pane = self.related_pane
        except NoMatches:  # a timer firing while the app shuts down
            return
        if not pane.display:
            return
        where = self._reading_section()
        if where is None:
            self._related_for = None
            self.related_hits = []
            pane.set_title("Related")
            pane.show_hits([])
            pane.set_status("Open an article to see passages like the one you read.")
            return
        if where == self._related_for:
            return
        article = self.article
        assert article is not None
        section = article.section_by_id(where[1]) if where[1] else None
        pane.set_title("Related · " + excerpt((section.title if section else "") or article.title or article.id, 30))
        if self.briefing is None or not hasattr(self.briefing, "related"):
            pane.set_status("this briefing cannot find related passages", "bold red")
            return
        if self.index_error:
            pane.set_status(f"search unavailable: {self.index_error}", "bold red")
            return
        if not self.index_ready:
            pane.set_status("indexing… related passages appear when the index is ready")
            return
        self._related_for = where
        self._related_serial += 1
        pane.set_status("looking…")
        self.run_related(where[0], where[1], self._related_serial)

    @work(thread=True, exclusive=True, group="related", exit_on_error=False)
    def run_related(self, article_id: str, section_id: str | None, serial: int) -> None:
        try:
            hits = list(self.briefing.related(article_id, section_id, limit=5))  # type: ignore[union-attr]
            error = None
        except Exception as exc:
            hits, error = [], one_line(exc)
        if not get_current_worker().is_cancelled:
            self.post_message(self.RelatedDone(serial, hits, error))

    def on_briefing_app_related_done(self, message: RelatedDone) -> None:
        if message.serial != self._related_serial:
            return  # the reader moved on
        pane = self.related_pane
        self.related_hits = message.hits
        pane.show_hits(message.hits)
        if message.error:
            self._related_for = None
            pane.set_status(f"cannot find related passages: {message.error}", "bold red")
        elif not message.hits:
            pane.set_status("Nothing in the other articles is much like this section.")
        else:
            pane.set_status("")

    @on(OptionList.OptionSelected, "#related-list")
    def _related_selected(self, event: OptionList.OptionSelected) -> None:
        option_id = event.option.id or ""
        if option_id.startswith("related-"):
            self.open_related(int(option_id.removeprefix("related-")))

    def open_related(self, n: int) -> None:
        """Go to a related passage, its shared terms lit as matches (n / N step)."""
        if not (0 <= n < len(self.related_hits)):
            return
        hit = self.related_hits[n]
        try:
            article = self.briefing.article(hit.article_id) if self.briefing else None
        except Exception:
            article = None
        if article is None:
            self.notify(f"{hit.article_id} is no longer in the briefing", severity="warning", markup=False)
            return
        section = article.section_by_id(hit.section_id)
        start = section.start if section else (min(hit.offsets)[0] if hit.offsets else 0)
        self.close_panels()
        if not self.go_to(Place(hit.article_id, start)):
            return
        size = len(article.text)
        ranges = sorted((max(0, a), min(size, b)) for a, b in hit.offsets if b > a)
        if ranges:
            self.set_matches(ranges, None, "related")
        sentence = self.view.sentence_at(start)
        if sentence is not None:
            self.view.set_cursor(*sentence, reveal=False)
        self.status.set_message(f"related: {excerpt(hit.reason or hit.section or hit.title, 80)}")
        self.view.focus()

    # -- export ----------------------------------------------------------------------------------

    def action_export(self) -> None:
        if self.briefing is None:
            return
        if isinstance(self.screen, ExportScreen):
            return
        try:
            tags = sorted({t for a in self.briefing.annotations() for t in a.tags})
        except Exception:
            tags = []
        self.push_screen(
            ExportScreen(
                briefing_name=self.briefing.name,
                article_title=self.article.title if self.article else None,
                tags=tags,
                on_export=self.start_export,
            )
        )

    def start_export(self, request: ExportRequest, overwrite: bool) -> None:
        article_id = self.article.id if self.article is not None and request.scope == "article" else None
        self.run_export(request, article_id, overwrite)

    @work(thread=True, exclusive=True, group="export", exit_on_error=False)
    def run_export(self, request: ExportRequest, article_id: str | None, overwrite: bool) -> None:
        briefing = self.briefing
        assert briefing is not None
        path = Path(request.path).expanduser()
        try:
            if path.exists() and not overwrite:
                self.post_message(self.ExportFailed("already exists", exists=str(path)))
                return
            scope = ExportScope(article_id=article_id, tag=request.tag if request.scope == "tag" else None)
            anns = [a for a in briefing.annotations() if scope.admits(a)]
            if request.format == "json":
                content = to_json(briefing.name, anns, scope)
            else:
                content = to_markdown(briefing.name, anns, briefing.article, scope)
            write_atomic(path, content, overwrite=overwrite)
        except ExportError as exc:
            self.post_message(self.ExportFailed(one_line(exc)))
        except Exception as exc:
            self.post_message(self.ExportFailed(f"{path}: {one_line(exc)}"))
        else:
            self.post_message(self.ExportDone(str(path), len(anns)))

    def _export_screen(self) -> ExportScreen | None:
        for screen in reversed(self.screen_stack):
            if isinstance(screen, ExportScreen):
                return screen
        return None

    def on_briefing_app_export_done(self, message: ExportDone) -> None:
        screen = self._export_screen()
        if screen is not None:
            screen.dismiss(None)
        text = f"wrote {plural(message.count, 'note')} to {message.path}"
        self.status.set_message(text)
        self.notify(text, title="Exported", markup=False)

    def on_briefing_app_export_failed(self, message: ExportFailed) -> None:
        screen = self._export_screen()
        if screen is None:
            self.notify(message.error, title="Export failed", severity="error", markup=False)
        elif message.exists:
            screen.file_exists(message.exists)
        else:
            screen.failed(message.error)

    # -- focus and panels ------------------------------------------------------------------

    def close_panels(self) -> None:
        self.search_panel.display = False
        self.find_bar.display = False

    def action_focus_reader(self) -> None:
        self.close_panels()
        if self.view.display:
            self.view.focus()

    def action_focus_library(self) -> None:
        if not self.query_one("#sidebar").display:
            self.show_notes_pane(False)
        self.library.focus()

    def action_focus_outline(self) -> None:
        if not self.query_one("#sidebar").display:
            self.show_notes_pane(False)
        self.outline.focus()

    # -- help, palette, quit ----------------------------------------------------------------

    def binding_groups(self) -> list[tuple[str, list[tuple[str, str]]]]:
        def display(key: str) -> str:
            return self.get_key_display(Binding(key, ""))

        palette = [Binding(self.COMMAND_PALETTE_BINDING, "command_palette", "Command palette")]
        return [
            ("Everywhere", binding_rows([*self.BINDINGS, *palette], display)),
            ("Reading the article", binding_rows(ArticleView.BINDINGS, display)),
            ("Library", binding_rows(LibraryList.BINDINGS, display)),
            ("Outline", binding_rows(OutlineTree.BINDINGS, display)),
            (
                "Search box",
                binding_rows(
                    [
                        *QueryInput.BINDINGS,
                        Binding("enter", "", "Open the highlighted hit (or apply the suggestion)"),
                        Binding("tab", "", "Move to the list of hits"),
                        *ResultsList.BINDINGS,
                        Binding("escape", "", "Close the search box"),
                    ],
                    display,
                ),
            ),
            (
                "Find in article",
                binding_rows(
                    [
                        Binding("enter", "", "Next match"),
                        Binding("escape", "", "Close the find bar (n / N keep working)"),
                    ],
                    display,
                ),
            ),
            (
                "Notes pane (a)",
                binding_rows(
                    [
                        *AnnotationList.BINDINGS,
                        Binding("a", "", "Hide the pane"),
                        Binding("enter", "", "In the filter: back to the list", id="notes.filter_done"),
                    ],
                    display,
                ),
            ),
            ("Note editor (after h, or e / t in the pane)", binding_rows(NoteScreen.BINDINGS, display)),
            (
                "Related pane (r)",
                binding_rows([*RelatedList.BINDINGS, Binding("r", "", "Hide the pane", id="related.hide")], display),
            ),
            ("Export (x)", binding_rows(ExportScreen.BINDINGS, display)),
        ]

    def action_help(self) -> None:
        if isinstance(self.screen, HelpScreen):
            return
        self.push_screen(HelpScreen(self.binding_groups()))

    def palette_commands(self, screen: Any = None) -> list[tuple[str, str, Callable[[], Any], bool]]:
        """(name, help, callback, show before typing) for the command palette.
        Over a dialog, the dialog's own commands."""
        commands: list[tuple[str, str, Callable[[], Any], bool]] = []
        if isinstance(screen, (NoteScreen, ExportScreen)):
            for binding in screen.BINDINGS:
                assert isinstance(binding, Binding)
                keys = " / ".join(self.get_key_display(Binding(k.strip(), "")) for k in binding.key.split(","))
                commands.append((binding.description, f"key: {keys}", partial(screen.run_action, binding.action), True))
            return commands
        for binding in self.BINDINGS:
            assert isinstance(binding, Binding)
            if binding.action == "quit":
                continue  # the system commands already offer Quit
            keys = " / ".join(self.get_key_display(Binding(k.strip(), "")) for k in binding.key.split(","))
            commands.append((binding.description, f"key: {keys}", partial(self.run_action, binding.action), True))
        for binding in ArticleView.BINDINGS:
            if not isinstance(binding, Binding) or not binding.description:
                continue
            keys = " / ".join(self.get_key_display(Binding(k.strip(), "")) for k in binding.key.split(","))
            commands.append(
                (binding.description, f"reader key: {keys}", partial(self._view_action, binding.action), True)
            )
        for binding in AnnotationList.BINDINGS:
            assert isinstance(binding, Binding)
            keys = " / ".join(self.get_key_display(Binding(k.strip(), "")) for k in binding.key.split(","))
            action = "annotation_jump" if binding.action == "select" else binding.action.removeprefix("app.")
            commands.append(
                (f"Notes: {binding.description}", f"notes pane key: {keys}", partial(self.run_action, action), True)
            )
        for info in self.infos:
            commands.append((f"Open: {info.title}", info.path, partial(self.open_article, info.id), False))
        if self.article is not None:
            for section in self.article.sections:
                commands.append(
                    (f"Go to section: {section.title}", self.article.title, partial(self.go_to_section, section.id), False)
                )
        return commands

    async def _view_action(self, action: str) -> None:
        self.close_panels()
        self.view.focus()
        await self.view.run_action(action)

    async def action_quit(self) -> None:
        if self._watch_timer is not None:
            self._watch_timer.stop()
        if self.article is not None:
            self._positions[self.article.id] = self._top_offset()
            self._dirty_positions.add(self.article.id)
        self.save_positions()
        self.exit()

    def on_unmount(self) -> None:
        self.save_positions()
