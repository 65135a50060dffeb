"""The app shell's panes: library, outline, search panel, find bar, status bar.

Article text, titles and snippets are data: every label here is a rich
``Text`` built from plain strings, never a markup string.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Iterable

from rich.console import Group
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.widgets import Input, Label, OptionList, ProgressBar, Static, Tree
from textual.widgets.option_list import Option

from index.model import Article, SearchResult
from tui.navigation import article_date, article_source, excerpt, first_line

if TYPE_CHECKING:
    from index.briefing import ArticleInfo

MATCH_STYLE = "bold reverse"
SUGGESTION_ID = "suggestion"


def plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def counter_text(index: int | None, total: int) -> str:
    """The match counter: "match 3 of 17", "17 matches", "no matches"."""
    if total == 0:
        return "no matches"
    if index is None:
        return plural(total, "match")
    return f"match {index + 1} of {total}"


# -- library ----------------------------------------------------------------------


def article_label(info: "ArticleInfo") -> Group:
    """Title (bold), then one dim line: date · site or first author · notes · sections.
    Titles and metadata are data: plain Text, never markup."""
    n_notes = getattr(info, "n_annotations", 0)
    title = Text(" ".join((info.title or info.id).split()), style="bold", overflow="fold")
    metadata = info.metadata if isinstance(info.metadata, dict) else {}
    bits = [b for b in (article_date(metadata), excerpt(article_source(metadata), 40)) if b]
    if n_notes:
        bits.append(plural(n_notes, "note"))
    bits.append(plural(info.n_sections, "section"))
    details = Text(" · ".join(bits), style="dim", no_wrap=True, overflow="ellipsis")
    return Group(title, details)


class LibraryList(OptionList):
    """The briefing's articles; Enter or click opens one."""

    BINDINGS = [
        Binding("enter", "select", "Open article", id="library.open", show=False),
    ]

    def set_articles(self, infos: Iterable["ArticleInfo"], current: str | None = None) -> None:
        keep = self.highlighted_id or current
        options: list[Option | None] = []
        for info in infos:
            if options:
                options.append(None)  # a separator line between articles
            options.append(Option(article_label(info), id=info.id))
        self.set_options(options)
        # While the reader moves in the list, a refresh leaves the highlight be.
        target = (keep or current) if self.has_focus else (current or keep)
        if target is not None:
            try:
                self.highlighted = self.get_option_index(target)
            except Exception:
                self.highlighted = 0 if self.option_count else None
        elif self.option_count:
            self.highlighted = 0

    @property
    def highlighted_id(self) -> str | None:
        if self.highlighted is None or not self.option_count:
            return None
        try:
            return self.get_option_at_index(self.highlighted).id
        except Exception:
            return None

    def mark_current(self, article_id: str | None) -> None:
        if article_id is None:
            return
        try:
            self.highlighted = self.get_option_index(article_id)
        except Exception:
            pass


# -- outline ----------------------------------------------------------------------


class OutlineTree(Tree[str]):
    """The current article's sections; Enter jumps, the cursor follows reading."""

    BINDINGS = [
        Binding("enter", "select_cursor", "Go to section", id="outline.jump", show=False),
    ]

    def __init__(self, **kwargs) -> None:
        super().__init__(Text("Outline"), **kwargs)
        self.show_root = False
        self.auto_expand = False
        self._section_nodes: dict[str, object] = {}
        self._following: str | None = None

    def show_sections(self, article: Article | None) -> None:
        self.clear()
        self._section_nodes.clear()
        self._following = None
        if article is None:
            return
        stack: list[tuple[int, object]] = [(0, self.root)]
        for section in article.sections:
            while len(stack) > 1 and stack[-1][0] >= section.level:
                stack.pop()
            parent = stack[-1][1]
            node = parent.add(Text(section.title or "(untitled)"), data=section.id, expand=True)  # type: ignore[attr-defined]
            node.allow_expand = False
            self._section_nodes[section.id] = node
            stack.append((section.level, node))
        # parents with children can be folded
        for node in self._section_nodes.values():
            node.allow_expand = bool(node.children)  # type: ignore[attr-defined]
        self.root.expand_all()

    def follow(self, section_id: str | None) -> None:
        """Move the cursor to a section without selecting (jumping to) it."""
        if section_id is None or section_id == self._following:
            return
        node = self._section_nodes.get(section_id)
        if node is None:
            return
        self._following = section_id
        if node._line < 0:  # type: ignore[attr-defined]  # lines not built yet
            self.call_after_refresh(self._follow_now, section_id)
        else:
            self.move_cursor(node)  # type: ignore[arg-type]

    def _follow_now(self, section_id: str) -> None:
        node = self._section_nodes.get(section_id)
        if node is not None and self._following == section_id:
            self.move_cursor(node)  # type: ignore[arg-type]

    @property
    def cursor_section_id(self) -> str | None:
        node = self.cursor_node
        return node.data if node is not None else None


# -- search -----------------------------------------------------------------------


class QueryInput(Input):
    """The query box; ↑/↓ walk the query history."""

    BINDINGS = [
        Binding("up", "history(-1)", "Previous query", id="search.history_previous", show=False),
        Binding("down", "history(1)", "Next query", id="search.history_next", show=False),
    ]

    def __init__(self, **kwargs) -> None:
        super().__init__(placeholder="search this briefing", **kwargs)
        self.history: list[str] = []
        self._position: int | None = None
        self._draft = ""

    def remember(self, query: str) -> None:
        query = query.strip()
        if not query:
            return
        if query in self.history:
            self.history.remove(query)
        self.history.append(query)
        del self.history[:-50]
        self._position = None

    def action_history(self, step: int) -> None:
        if not self.history:
            return
        if self._position is None:
            if step > 0:
                return
            self._draft = self.value
            position = len(self.history) - 1
        else:
            position = self._position + step
        if position < 0:
            position = 0
        if position >= len(self.history):
            self._position = None
            self.value = self._draft
        else:
            self._position = position
            self.value = self.history[position]
        self.cursor_position = len(self.value)


def hit_label(title: str, section: str, snippet: str, spans: list[tuple[int, int]]) -> Group:
    """ "Article › Section" on one line, the snippet with its matched terms lit below."""
    head = Text(no_wrap=True, overflow="ellipsis")
    head.append(title or "(untitled)", style="bold")
    if section and section != title:
        head.append(" › ", style="dim")
        head.append(section)
    # same length, so the spans stay valid
    flat = snippet.replace("\r", " ").replace("\n", " ").replace("\t", " ")
    body = Text(flat, style="dim")
    for start, end in spans:
        if 0 <= start < end <= len(flat):
            body.stylize(MATCH_STYLE, start, end)
    return Group(head, body) if flat else Group(head)


class ResultsList(OptionList):
    BINDINGS = [
        Binding("enter", "select", "Open hit", id="search.open_hit", show=False),
    ]


class SearchPanel(Vertical):
    """Query box, one status line (count, error, indexing…) and the hits."""

    def compose(self) -> ComposeResult:
        yield QueryInput(id="query")
        yield Static("", id="search-status")
        yield ResultsList(id="results")

    def set_status(self, text: str, style: str = "") -> None:
        self.query_one("#search-status", Static).update(Text(text, style=style))

    def show_result(self, result: SearchResult | None) -> None:
        results = self.query_one("#results", ResultsList)
        if result is None:
            results.clear_options()
            self.set_status("")
            return
        options: list[Option | None] = []
        if result.suggestion and (not result.hits or len(result.hits) < 3):
            prompt = Text("did you mean: ", style="italic")
            prompt.append(result.suggestion, style="bold underline")
            options.append(Option(prompt, id=SUGGESTION_ID))
        for n, hit in enumerate(result.hits):
            if options:
                options.append(None)  # a separator line between hits
            options.append(
                Option(hit_label(hit.title, hit.section, hit.snippet, list(hit.snippet_spans)), id=f"hit-{n}")
            )
        results.set_options(options)
        if result.hits:
            results.highlighted = results.get_option_index("hit-0")
        elif options:
            results.highlighted = 0
        if result.error:
            self.set_status(result.error.splitlines()[0] if result.error else "", "bold red")
        elif result.hits:
            shown = len(result.hits)
            text = plural(result.total, "matching section")
            if result.total > shown:
                text += f" (top {shown} shown)"
            self.set_status(text + " · Enter opens · Tab to the list")
        elif result.query.strip():
            self.set_status("no matches" + (" · Enter tries the suggestion" if result.suggestion else ""))
        else:
            self.set_status("")


# -- find -------------------------------------------------------------------------


class FindBar(Horizontal):
    """Find literal text in the open article."""

    def compose(self) -> ComposeResult:
        yield Label(Text("Find:"), id="find-label")
        yield Input(placeholder="text in this article (case-insensitive)", id="find-input")
        yield Label(Text(""), id="find-counter")

    def set_counter(self, text: str) -> None:
        self.query_one("#find-counter", Label).update(Text(text))


# -- status -----------------------------------------------------------------------


class StatusBar(Horizontal):
    """Bottom line: what the app is doing, loading progress, match counter."""

    def compose(self) -> ComposeResult:
        yield Label(Text(""), id="status-text")
        yield ProgressBar(total=None, show_eta=False, id="progress")
        yield Label(Text(""), id="counter")

    def set_message(self, text: str, style: str = "") -> None:
        self.query_one("#status-text", Label).update(Text(text, style=style))

    def set_counter(self, text: str) -> None:
        self.query_one("#counter", Label).update(Text(text))

    def set_progress(self, done: int, total: int | None) -> None:
        """Show the bar: ``done`` of ``total`` steps, or busy (no total yet)."""
        bar = self.query_one("#progress", ProgressBar)
        bar.display = True
        if total is None:
            bar.update(total=None, progress=0)
        else:
            bar.update(total=max(total, 1), progress=min(done, max(total, 1)))

    def hide_progress(self) -> None:
        self.query_one("#progress", ProgressBar).display = False


# -- article header -----------------------------------------------------------------


def metadata_line(metadata: dict) -> str:
    """Authors · date · site · report number, those that are present."""
    bits: list[str] = []
    authors = metadata.get("authors") or metadata.get("author")
    if isinstance(authors, (list, tuple)):
        authors = ", ".join(str(a) for a in authors if str(a).strip())
    if authors:
        bits.append(str(authors))
    for key in ("date", "site", "report_number"):
        value = metadata.get(key)
        if value and str(value).strip():
            bits.append(str(value).strip())
    return " · ".join(" ".join(b.split()) for b in bits)


class ArticleHeader(Static):
    """The open article's title and a metadata line (not part of the text)."""

    def show_article(self, article: Article | None) -> None:
        if article is None:
            self.update(Text(""))
            self.display = False
            return
        header = Text(article.title or article.id, style="bold", no_wrap=True, overflow="ellipsis")
        meta = metadata_line(article.metadata)
        if meta:
            header.append("\n")
            header.append(meta, style="dim")
        self.update(header)
        self.display = True


# -- annotations pane ------------------------------------------------------------------

# Swatch colours for the annotation colours (the reader's highlight colours).
SWATCH = {
    "yellow": "#d7c300",
    "green": "#2e9f45",
    "blue": "#1e90ff",
    "pink": "#ff69b4",
    "purple": "#9370db",
    "orange": "#ffa500",
}
STATE_LABEL = {"moved": "moved", "orphaned": "unanchored"}


def annotation_label(ann) -> Group:
    """Quote excerpt with a colour swatch, first line of the note, tags and state.
    Quotes, notes and tags are data: plain Text, never markup."""
    head = Text(no_wrap=True, overflow="ellipsis")
    head.append("█ ", style=SWATCH.get(ann.color, "white"))
    head.append("“" + excerpt(ann.quote) + "”", style="italic")
    lines = [head]
    note = first_line(ann.note)
    if note:
        lines.append(Text("  " + excerpt(note, 200), no_wrap=True, overflow="ellipsis"))
    tail = Text("  ", no_wrap=True, overflow="ellipsis")
    if ann.tags:
        tail.append(" ".join(f"#{t}" for t in ann.tags), style="bold")
    state = STATE_LABEL.get(ann.state)
    if state:
        if ann.tags:
            tail.append(" · ", style="dim")
        tail.append(state, style="bold red" if ann.state == "orphaned" else "yellow")
    if len(tail) > 2:
        lines.append(tail)
    return Group(*lines)


class AnnotationList(OptionList):
    """Annotations, one option each; group headings are disabled options."""

    BINDINGS = [
        Binding("enter", "select", "Go to the passage", id="notes.jump", show=False),
        Binding("e", "app.annotation_edit", "Edit note", id="notes.edit",
                tooltip="Edit the note, tags and colour"),
        Binding("t", "app.annotation_tags", "Edit tags", id="notes.tags"),
        Binding("d", "app.annotation_delete", "Delete", id="notes.delete"),
        Binding("u", "app.annotation_undo", "Undo delete", id="notes.undo"),
        Binding("s", "app.annotations_scope", "Article / briefing", id="notes.scope",
                tooltip="List this article's notes or the whole briefing's"),
        Binding("f", "app.annotations_filter", "Filter", id="notes.filter", show=False,
                tooltip="Filter by words or #tag"),
    ]

    @property
    def highlighted_id(self) -> str | None:
        if self.highlighted is None or not self.option_count:
            return None
        option = self.get_option_at_index(self.highlighted)
        return None if option.disabled else option.id


class AnnotationPane(Vertical):
    """Title line, filter box, the annotations and a key hint."""

    def compose(self) -> ComposeResult:
        yield Static(Text("Notes"), classes="pane-title", id="ann-title")
        yield Input(placeholder="filter: words or #tag", id="ann-filter")
        yield AnnotationList(id="ann-list")
        yield Static(
            Text("enter: go to the passage · f filter · a hide", style="dim"),
            id="ann-hint",
        )

    def show(self, title: str, groups: list[tuple[str | None, list]], empty: str,
             select_id: str | None = None) -> None:
        self.query_one("#ann-title", Static).update(Text(title))
        listing = self.query_one("#ann-list", AnnotationList)
        keep = select_id or listing.highlighted_id
        options: list[Option | None] = []
        for heading, items in groups:
            if heading is not None:
                if options:
                    options.append(None)
                options.append(Option(Text(heading, style="bold underline", no_wrap=True, overflow="ellipsis"),
                                      disabled=True))
            for ann in items:
                if options and options[-1] is not None and not options[-1].disabled:
                    options.append(None)
                options.append(Option(annotation_label(ann), id=ann.id))
        if not options:
            options.append(Option(Text(empty, style="dim italic"), disabled=True))
        listing.set_options(options)
        index = None
        if keep is not None:
            try:
                index = listing.get_option_index(keep)
            except Exception:
                index = None
        if index is None:
            index = next((i for i in range(listing.option_count)
                          if not listing.get_option_at_index(i).disabled), None)
        listing.highlighted = index


# -- related passages ----------------------------------------------------------------


def related_label(hit) -> Group:
    """ "Article › Section" (wrapped: the pane is narrow), the one-line reason
    it is related and the start of the passage (plain Text)."""
    head = Text(overflow="fold")
    head.append(" ".join((hit.title or "(untitled)").split()), style="bold")
    section = " ".join((hit.section or "").split())
    if section and section != hit.title:
        head.append(" › ", style="dim")
        head.append(section)
    lines = [head]
    reason = excerpt(getattr(hit, "reason", "") or "", 200)
    if reason:
        lines.append(Text("  " + reason, style="dim italic", no_wrap=True, overflow="ellipsis"))
    snippet = excerpt(hit.snippet or "", 200)
    if snippet:
        lines.append(Text("  " + snippet, style="dim", no_wrap=True, overflow="ellipsis"))
    return Group(*lines)


class RelatedList(OptionList):
    BINDINGS = [
        Binding("enter", "select", "Open the related passage", id="related.open", show=False),
    ]


class RelatedPane(Vertical):
    """Sections of other articles like the one being read; follows the reading."""

    def compose(self) -> ComposeResult:
        yield Static(Text("Related"), classes="pane-title", id="related-title")
        yield Static(Text(""), id="related-status")
        yield RelatedList(id="related-list")
        yield Static(Text("enter: open the passage · r hide", style="dim"), id="related-hint")

    def set_title(self, text: str) -> None:
        self.query_one("#related-title", Static).update(Text(text))

    def set_status(self, text: str, style: str = "dim italic") -> None:
        status = self.query_one("#related-status", Static)
        status.update(Text(text, style=style))
        status.display = bool(text)

    def show_hits(self, hits: list) -> None:
        listing = self.query_one("#related-list", RelatedList)
        options: list[Option | None] = []
        for n, hit in enumerate(hits):
            if options:
                options.append(None)
            options.append(Option(related_label(hit), id=f"related-{n}"))
        listing.set_options(options)
        listing.highlighted = 0 if hits else None
