"""The app and the CLI on one briefing at once: no lost write, and what the
CLI does shows up in the open app."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from click.testing import CliRunner

from index.briefing import Briefing
from pilot_helpers import SIZE, ready, wait_until
from tui.app import BriefingApp
from tui.cli import main

SEEDS = Path(__file__).resolve().parent.parent / "seeds"
ARTICLE = "000_ec491110502b415f"


async def test_cli_annotate_import_and_index_while_the_app_is_open(tmp_path, home):
    root = tmp_path / "seeds"
    shutil.copytree(SEEDS, root)
    briefing = Briefing.open(root, home)
    app = BriefingApp(briefing)
    app.watch_interval = 0.5  # the first look may well come after the CLI is done
    runner = CliRunner()
    try:
        async with app.run_test(size=SIZE) as pilot:
            await ready(pilot)
            await wait_until(pilot, lambda: app.article is not None, "an open article")
            assert app.article.id == ARTICLE
            # In the app: a highlight with a note.
            mine = briefing.annotate(ARTICLE, 0, 40, note="made in the app")
            # Meanwhile, the CLI: annotate, index, export and re-import.
            r = runner.invoke(main, ["annotate", "-b", str(root), ARTICLE, "--quote", "Anthropic can breathe again",
                                     "--note", "zebra angle from the command line", "--tag", "cli"])
            assert r.exit_code == 0, r.output
            r = runner.invoke(main, ["index", "-b", str(root)])
            assert r.exit_code == 0, r.output
            exported = tmp_path / "notes.json"
            r = runner.invoke(main, ["export", "-b", str(root), "--format", "json", "-o", str(exported)])
            assert r.exit_code == 0, r.output
            r = runner.invoke(main, ["import", "-b", str(root), str(exported)])
            assert r.exit_code == 0 and "0 new" in r.output, r.output
            # The open app draws the CLI's highlight without a restart...
            await wait_until(pilot, lambda: len(app.article_annotations) == 2, "the CLI's annotation in the app")
            # ...and finds its note.
            await pilot.press("slash")
            for ch in "zebra":
                await pilot.press(ch)
            await wait_until(pilot, lambda: app.search_result is not None and app.search_result.hits, "search hits")
            assert [h.kind for h in app.search_result.hits] == ["annotation"]
    finally:
        briefing.close()
    with Briefing.open(root, home) as b:
        notes = {a.note for a in b.annotations()}
    assert notes == {"made in the app", "zebra angle from the command line"}
    assert mine.id in {a["id"].rsplit(":", 1)[-1] for a in json.loads(exported.read_text())["first"]["items"]}
