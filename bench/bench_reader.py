"""Benchmark the article view: wrap/layout, first screen, page-down, jump to end, memory.

Run from the repository root:  .venv/bin/python bench/bench_reader.py

Articles: the largest CRS report of ../shared/corpora/crs-reports-md/markdown
(read with index.readers.read_file), and a synthetic 1 MB article. Figures are
printed, never asserted.
"""

from __future__ import annotations

import asyncio
import gc
import resource
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from index.model import Article, ArticleBuilder  # noqa: E402
from tui.layout import layout_article  # noqa: E402

CORPUS = ROOT.parent / "shared" / "corpora" / "crs-reports-md" / "markdown"
SIZE = (120, 40)  # terminal size for the app runs
PRESSES = 50


def rss_mib() -> float:
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def synthetic(target_chars: int, article_id: str = "synthetic") -> Article:
    words = (
        "the committee reported funding for research programs across federal agencies while "
        "appropriations for fiscal year grants remained below the authorized levels in statute"
    ).split()
    b = ArticleBuilder(article_id, title="Synthetic article")
    size = n = 0
    while size < target_chars:
        b.add("heading", f"Section {n}: appropriations and oversight", level=2 if n % 4 else 1)
        size += 40
        for k in range(8):
            count = 40 + (n * 7 + k * 13) % 120
            para = " ".join(words[(n + k + i) % len(words)] for i in range(count))
            kind = "quote" if k == 3 else "list_item" if k == 5 else "paragraph"
            b.add(kind, para)
            size += len(para) + 2
        b.add("table", "| Agency | FY2024 | FY2025 |\n|---|---|---|\n| NSF | 9,060 | 9,480 |")
        n += 1
    return b.build()


def largest_report() -> tuple[Article | None, str]:
    if not CORPUS.is_dir():
        return None, f"corpus absent ({CORPUS.relative_to(ROOT.parent)} not found): using a synthetic 220 KB article"
    files = sorted(CORPUS.rglob("*.md"), key=lambda p: p.stat().st_size)
    if not files:
        return None, "corpus has no .md files: using a synthetic 220 KB article"
    path = files[-1]
    try:
        from index.readers import read_file

        t = time.perf_counter()
        article = read_file(path, path.stem)
        took = time.perf_counter() - t
    except Exception as exc:  # the reader is being written elsewhere
        return None, f"could not read {path.name} ({exc}): using a synthetic 220 KB article"
    return article, f"{path.name} ({path.stat().st_size // 1024} KB file; read_file {took * 1000:.0f} ms)"


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.1f} ms"


def spread(values: list[float]) -> str:
    return f"median {ms(statistics.median(values))}, min {ms(min(values))}, max {ms(max(values))}"


def bench_layout(article: Article) -> None:
    for width in (80, 120):
        times = []
        for _ in range(9):
            t = time.perf_counter()
            layout = layout_article(article, width)
            times.append(time.perf_counter() - t)
        print(
            f"  layout at {width} cols: {spread(times)}, "
            f"{len(layout):,} lines, arrays {layout.nbytes() / 1024:.0f} KiB"
        )


async def bench_app(article: Article) -> None:
    from textual.app import App, ComposeResult

    from tui.article_view import ArticleView

    class BenchApp(App):
        def __init__(self) -> None:
            super().__init__()
            self.first_text_frame: float | None = None
            self.frames = 0
            self.frame_event = asyncio.Event()

        def compose(self) -> ComposeResult:
            yield ArticleView()

        def on_mount(self) -> None:
            view = self.query_one(ArticleView)
            view.show_article(article)
            view.focus()

        def _display(self, screen, renderable) -> None:  # count frames as they leave the compositor
            super()._display(screen, renderable)
            if renderable is None:
                return
            self.frames += 1
            self.frame_event.set()
            if self.first_text_frame is None:
                try:
                    view = self.query_one(ArticleView)
                except Exception:
                    return
                if view.line_layout is not None:
                    self.first_text_frame = time.perf_counter()

    gc.collect()
    t0 = time.perf_counter()
    app = BenchApp()
    async with app.run_test(size=SIZE) as pilot:
        while app.first_text_frame is None and time.perf_counter() - t0 < 10:
            await pilot.pause()
        print(f"  App() -> first frame with text: {ms((app.first_text_frame or time.perf_counter()) - t0)}")
        view = app.query_one(ArticleView)
        screen = app.screen
        height = view.scrollable_content_region.height
        print(f"  memory after load: {rss_mib():.0f} MiB RSS")

        def frame_now() -> None:
            # The work of one frame, synchronously: what the screen does when the
            # view's Update message arrives and the update timer fires.
            screen._dirty_widgets.add(view)
            screen._on_timer_update()

        # 1. the view's own work: action + render every visible line
        work = []
        for _ in range(PRESSES):
            t = time.perf_counter()
            view.action_page_down()
            view._painting = True
            try:
                for y in range(height):
                    view.render_line(y)
            finally:
                view._painting = False
            work.append(time.perf_counter() - t)
        view.action_go_top()
        await pilot.pause()

        # 2. action + one full frame (layout check, compositor, strips), no timer wait
        frames = []
        for _ in range(PRESSES):
            before = app.frames
            t = time.perf_counter()
            view.action_page_down()
            frame_now()
            frames.append(time.perf_counter() - t)
            assert app.frames > before, "no frame was produced"
        await pilot.pause()

        # 3. through the event loop: action -> frame out (includes the wait for
        #    Textual's screen update timer, up to 1/60 s)
        view.action_go_top()
        await pilot.pause()
        e2e = []
        for _ in range(PRESSES):
            app.frame_event.clear()
            t = time.perf_counter()
            view.action_page_down()
            await asyncio.wait_for(app.frame_event.wait(), 2)
            e2e.append(time.perf_counter() - t)

        print(
            f"  page-down, view work (action + {height} lines): "
            f"median {ms(statistics.median(work))}, max {ms(max(work))}"
        )
        print(
            f"  page-down, action + full frame: {spread(frames)}"
        )
        print(
            f"  page-down, action -> frame out via the event loop: {spread(e2e)}"
        )

        view.action_go_top()
        await pilot.pause()
        t = time.perf_counter()
        view.action_go_end()
        frame_now()
        print(f"  jump to end (action + frame): {ms(time.perf_counter() - t)}")

        view.action_go_top()
        await pilot.pause()
        for _ in range(len(view.line_layout) // max(1, height - 1) + 1):
            view.action_page_down()
            frame_now()
        print(f"  memory after scrolling through: {rss_mib():.0f} MiB RSS")

        t = time.perf_counter()
        await pilot.resize_terminal(SIZE[0] - 30, SIZE[1])
        await pilot.pause()
        print(f"  resize -> relaid frame (pilot resize + pause: an upper bound): {ms(time.perf_counter() - t)}")


def main() -> None:
    load = Path("/proc/loadavg").read_text().split()[0] if Path("/proc/loadavg").exists() else "?"
    print(f"Python {sys.version.split()[0]}; terminal {SIZE[0]}x{SIZE[1]} (headless); load average {load}")
    report, note = largest_report()
    print(f"Largest CRS report: {note}")
    if report is None:
        report = synthetic(220_000, "report")
    big = synthetic(1_000_000)
    for label, article in (("report", report), ("1 MB synthetic", big)):
        print(f"\n{label}: {len(article.text) / 1024:.0f} KB text, {len(article.blocks)} blocks, {len(article.sections)} sections")
        bench_layout(article)
        asyncio.run(bench_app(article))
        gc.unfreeze()


if __name__ == "__main__":
    main()
