"""Helpers shared by the Pilot tests of the reader app."""

from __future__ import annotations

from textual.widgets import Input

SIZE = (120, 40)


def prompt_text(prompt) -> str:
    """The plain text of an option's label (a Text, or a Group of lines)."""
    parts = getattr(prompt, "renderables", None)
    return "\n".join(str(p) for p in parts) if parts is not None else str(prompt)


async def wait_until(pilot, predicate, what: str, tries: int = 500) -> None:
    for _ in range(tries):
        if predicate():
            return
        await pilot.pause(0.02)
    raise AssertionError(f"gave up waiting for {what}")


async def ready(pilot):
    """Wait until the app's index is ready (or failed), with cursor blink off."""
    app = pilot.app
    for box in app.query(Input):
        box.cursor_blink = False
    await wait_until(pilot, lambda: app.index_ready or app.index_error, "the index")
    await pilot.pause()
    return app


def screen_lines(app) -> list[str]:
    """The text of every line the screen shows now."""
    return ["".join(seg.text for seg in strip) for strip in app.screen._compositor.render_strips()]


def screen_text(app) -> str:
    return "\n".join(screen_lines(app))
