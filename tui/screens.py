"""Screens of the app shell: the help screen of key bindings."""

from __future__ import annotations

from typing import Iterable

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static


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
