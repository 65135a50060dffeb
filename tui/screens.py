"""Screens of the app shell: help, the note editor and the export dialog.

Quotes, notes and tags are data: every label is a rich ``Text`` from plain
strings, never a markup string.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import partial
from typing import Any, Callable, Iterable

from rich.table import Table
from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, RadioButton, RadioSet, Select, Static, TextArea

from index.annotations import COLORS
from tui.navigation import excerpt
from tui.widgets import SWATCH


def binding_rows(bindings: Iterable[BindingType], key_display) -> list[tuple[str, str]]:
    """(keys, description) for every described binding, keys of one action joined."""
    rows: list[tuple[str, str]] = []
    seen: set[str] = set()
    for item in bindings:
        if isinstance(item, Binding):
            binding = item
        else:
            binding = Binding(*item)
        if not binding.description:
            continue
        keys = " / ".join(key_display(k.strip()) for k in binding.key.split(","))
        marker = binding.id or binding.action
        if marker in seen:
            continue
        seen.add(marker)
        rows.append((keys, binding.description))
    return rows


class HelpScreen(ModalScreen[None]):
    """Every key binding, grouped by where it works."""

    BINDINGS = [
        Binding("escape,q,question_mark", "dismiss", "Close help", id="help.close"),
    ]

    def __init__(self, groups: list[tuple[str, list[tuple[str, str]]]]) -> None:
        super().__init__()
        self.groups = groups

    def compose(self) -> ComposeResult:
        with Vertical(id="help-box"):
            yield Static(Text("Keys · esc closes", style="bold"), id="help-title")
            with VerticalScroll(id="help-scroll"):
                for title, rows in self.groups:
                    table = Table(
                        title=Text(title, style="bold"),
                        title_justify="left",
                        show_header=False,
                        box=None,
                        padding=(0, 2, 0, 0),
                        expand=True,
                    )
                    table.add_column("keys", style="bold", no_wrap=True, min_width=16)
                    table.add_column("does", ratio=1)
                    for keys, description in rows:
                        table.add_row(Text(keys), Text(description))
                    yield Static(table, classes="help-group")


# -- the note editor --------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class NoteEdit:
    """What the note editor hands back: the note, raw tags text and the colour."""

    note: str
    tags: str
    color: str


def tags_text(tags: Iterable[str]) -> str:
    return ", ".join(tags)


class NoteScreen(ModalScreen[NoteEdit | None]):
    """Write the note (Markdown), tags and colour of one highlight."""

    BINDINGS = [
        Binding("ctrl+s", "save", "Save the note", id="note.save", priority=True),
        Binding("escape", "cancel", "Cancel (a new highlight stays)", id="note.cancel"),
    ]

    def __init__(self, *, title: str, quote: str, note: str = "", tags: Iterable[str] = (),
                 color: str = "yellow", focus: str = "note") -> None:
        super().__init__()
        self.heading = title
        self.quote = quote
        self.initial_note = note
        self.initial_tags = list(tags)
        self.initial_color = color if color in COLORS else COLORS[0]
        self.focus_on = focus

    def compose(self) -> ComposeResult:
        with Vertical(id="note-box"):
            yield Static(Text(self.heading + " · ctrl+s saves · esc cancels", style="bold"), id="note-title")
            yield Static(Text("“" + excerpt(self.quote, 400) + "”", style="italic"), id="note-quote")
            yield Label(Text("Note (Markdown)"), classes="field-label")
            yield TextArea(self.initial_note, id="note-text", soft_wrap=True, show_line_numbers=False)
            yield Label(Text("Tags (comma or space separated)"), classes="field-label")
            yield Input(tags_text(self.initial_tags), placeholder="e.g. chips, export-controls", id="note-tags",
                        select_on_focus=False)
            yield Label(Text("Colour"), classes="field-label")
            with RadioSet(id="note-colour"):
                for color in COLORS:
                    label = Text("█ ", style=SWATCH.get(color, ""))
                    label.append(color)
                    yield RadioButton(label, value=color == self.initial_color, id=f"colour-{color}")
            with Horizontal(id="note-buttons"):
                yield Button(Text("Save"), variant="primary", id="note-save")
                yield Button(Text("Cancel"), id="note-cancel")

    def on_mount(self) -> None:
        for box in self.query(Input):
            box.cursor_blink = self.app.is_headless is False
        area = self.query_one("#note-text", TextArea)
        area.cursor_blink = self.app.is_headless is False
        if self.focus_on == "tags":
            tags = self.query_one("#note-tags", Input)
            tags.focus()
            tags.cursor_position = len(tags.value)
        else:
            area.focus()
            area.move_cursor(area.document.end)

    def chosen_color(self) -> str:
        pressed = self.query_one("#note-colour", RadioSet).pressed_button
        if pressed is not None and pressed.id and pressed.id.startswith("colour-"):
            return pressed.id.removeprefix("colour-")
        return self.initial_color

    def action_save(self) -> None:
        self.dismiss(NoteEdit(
            note=self.query_one("#note-text", TextArea).text,
            tags=self.query_one("#note-tags", Input).value,
            color=self.chosen_color(),
        ))

    def action_cancel(self) -> None:
        self.dismiss(None)

    @on(Button.Pressed, "#note-save")
    def _save_pressed(self) -> None:
        self.action_save()

    @on(Button.Pressed, "#note-cancel")
    def _cancel_pressed(self) -> None:
        self.action_cancel()

    @on(Input.Submitted, "#note-tags")
    def _tags_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.action_save()

    def palette_commands(self) -> list[tuple[str, Callable[[], Any]]]:
        return [(b.description, partial(self.run_action, b.action)) for b in self.BINDINGS
                if isinstance(b, Binding)]


# -- export -------------------------------------------------------------------------------------

FORMATS = {"markdown": ".md", "json": ".json"}


@dataclass(frozen=True, slots=True)
class ExportRequest:
    scope: str  # "article", "all" or "tag"
    tag: str | None
    format: str  # "markdown" or "json"
    path: str  # as typed (may start with ~)


def default_export_path(briefing_name: str, fmt: str = "markdown") -> str:
    slug = re.sub(r"[^A-Za-z0-9._-]+", "-", briefing_name).strip("-.") or "briefing"
    return f"~/briefing-notes-{slug}{FORMATS.get(fmt, '.md')}"


class ExportScreen(ModalScreen[None]):
    """Choose scope, format and path; the app writes the file (in a worker)
    and closes this screen, or reports back with :meth:`failed`."""

    BINDINGS = [
        Binding("ctrl+s", "export", "Export (press again to overwrite an existing file)", id="export.go",
                priority=True),
        Binding("escape", "cancel", "Close without exporting", id="export.cancel"),
    ]

    def __init__(self, *, briefing_name: str, article_title: str | None, tags: list[str],
                 on_export: Callable[[ExportRequest, bool], None]) -> None:
        super().__init__()
        self.briefing_name = briefing_name
        self.article_title = article_title
        self.tag_names = tags
        self.on_export = on_export
        self._confirmed: str | None = None  # the path the user agreed to overwrite
        self.busy = False

    def compose(self) -> ComposeResult:
        with Vertical(id="export-box"):
            yield Static(Text("Export notes · ctrl+s exports · esc closes", style="bold"), id="export-title")
            yield Label(Text("What"), classes="field-label")
            with RadioSet(id="export-scope"):
                label = Text("This article")
                if self.article_title:
                    label.append(": " + excerpt(self.article_title, 50), style="dim")
                yield RadioButton(label, value=self.article_title is not None, id="scope-article",
                                  disabled=self.article_title is None)
                yield RadioButton(Text("All annotations"), value=self.article_title is None, id="scope-all")
                yield RadioButton(Text("One tag:"), id="scope-tag", disabled=not self.tag_names)
            yield Select(
                [(Text("#" + tag), tag) for tag in self.tag_names],
                prompt="choose a tag",
                id="export-tag",
                disabled=not self.tag_names,
            )
            yield Label(Text("Format"), classes="field-label")
            with RadioSet(id="export-format"):
                yield RadioButton(Text("Markdown"), value=True, id="format-markdown")
                yield RadioButton(Text("W3C Web Annotation JSON"), id="format-json")
            yield Label(Text("File"), classes="field-label")
            yield Input(default_export_path(self.briefing_name), id="export-path")
            yield Static(Text(""), id="export-status")
            with Horizontal(id="export-buttons"):
                yield Button(Text("Export"), variant="primary", id="export-go")
                yield Button(Text("Cancel"), id="export-cancel")

    def on_mount(self) -> None:
        path = self.query_one("#export-path", Input)
        path.cursor_blink = self.app.is_headless is False
        path.focus()
        path.cursor_position = len(path.value)

    # -- reading the form

    def _pressed(self, radio_id: str, prefix: str, default: str) -> str:
        pressed = self.query_one(radio_id, RadioSet).pressed_button
        if pressed is not None and pressed.id and pressed.id.startswith(prefix):
            return pressed.id.removeprefix(prefix)
        return default

    def request(self) -> ExportRequest | str:
        """The request, or a one-line reason it is incomplete."""
        scope = self._pressed("#export-scope", "scope-", "all")
        tag: str | None = None
        if scope == "tag":
            value = self.query_one("#export-tag", Select).value
            if not isinstance(value, str):
                return "choose a tag to export"
            tag = value
        fmt = self._pressed("#export-format", "format-", "markdown")
        path = self.query_one("#export-path", Input).value.strip()
        if not path:
            return "type the path of the file to write"
        return ExportRequest(scope, tag, fmt, path)

    def set_status(self, text: str, style: str = "") -> None:
        self.query_one("#export-status", Static).update(Text(text, style=style))

    # -- events

    @on(RadioSet.Changed, "#export-format")
    def _format_changed(self, event: RadioSet.Changed) -> None:
        box = self.query_one("#export-path", Input)
        fmt = self._pressed("#export-format", "format-", "markdown")
        stem, dot, ext = box.value.rpartition(".")
        if dot and "." + ext in FORMATS.values():
            box.value = stem + FORMATS[fmt]
        self._unconfirm()

    @on(Select.Changed, "#export-tag")
    def _tag_chosen(self, event: Select.Changed) -> None:
        if isinstance(event.value, str):
            self.query_one("#scope-tag", RadioButton).value = True

    @on(Input.Changed, "#export-path")
    def _path_changed(self) -> None:
        self._unconfirm()

    @on(Input.Submitted, "#export-path")
    def _path_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.action_export()

    @on(Button.Pressed, "#export-go")
    def _go_pressed(self) -> None:
        self.action_export()

    @on(Button.Pressed, "#export-cancel")
    def _cancel_pressed(self) -> None:
        self.action_cancel()

    def _unconfirm(self) -> None:
        if self._confirmed is not None:
            self._confirmed = None
            self.query_one("#export-go", Button).label = Text("Export")
            self.set_status("")

    def action_export(self) -> None:
        if self.busy:
            return
        request = self.request()
        if isinstance(request, str):
            self.set_status(request, "bold red")
            return
        overwrite = self._confirmed == request.path
        self.busy = True
        self.set_status("writing…")
        self.on_export(request, overwrite)

    def action_cancel(self) -> None:
        self.dismiss(None)

    # -- told by the app

    def file_exists(self, path: str) -> None:
        """The file is there: the next Export (or Overwrite) replaces it."""
        self.busy = False
        self._confirmed = self.query_one("#export-path", Input).value.strip()
        self.query_one("#export-go", Button).label = Text("Overwrite")
        self.set_status(f"{path} already exists: press Overwrite (or ctrl+s) to replace it", "bold yellow")

    def failed(self, message: str) -> None:
        self.busy = False
        self.set_status(message.splitlines()[0] if message else "export failed", "bold red")

    def palette_commands(self) -> list[tuple[str, Callable[[], Any]]]:
        return [(b.description, partial(self.run_action, b.action)) for b in self.BINDINGS
                if isinstance(b, Binding)]
