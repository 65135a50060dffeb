"""Article text is data: escape sequences and controls never reach the terminal,
and markup-looking text is shown literally by every command."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from index.briefing import Briefing
from tui.cli import main

HOSTILE = Path(__file__).resolve().parent / "fixtures" / "hostile"
CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


@pytest.fixture
def hostile(tmp_path) -> Path:
    root = tmp_path / "hostile"
    shutil.copytree(HOSTILE, root)
    return root


def test_readers_strip_controls_and_keep_markup_literally(hostile, home):
    with Briefing.open(hostile, home) as b:
        b.read_changes()
        txt = b.article("hostile.txt")
        md = b.article("hostile.md")
        for art in (txt, md):
            assert not CONTROL.search(art.title + art.text), repr(art.title + art.text)
            for s in art.sections:
                assert not CONTROL.search(s.title)
        assert "[bold red]Boom[/]" in txt.title
        assert "[@click=app.quit]click me[/]" in txt.text
        assert "[link=https://example.com]a link[/link]" in txt.text
        assert "pwned" not in txt.text and "ZWNobyBwd25lZA" not in txt.text
        assert "evil" in txt.text  # the text stays, only the override goes


@pytest.mark.parametrize("command", [["outline"], ["show", "hostile.txt"], ["show", "hostile.md", "--json"], ["search", "clipboard"],
                                     ["search", "markup", "--json"], ["stats"]])
def test_cli_output_carries_no_escape_sequences(hostile, command):
    result = CliRunner().invoke(main, [command[0], "-b", str(hostile), *command[1:]])
    assert result.exit_code == 0, result.output
    out = result.stdout
    if "--json" in command:
        out = json.dumps(json.loads(out), ensure_ascii=False)
    assert "\x1b" not in out and "\x9b" not in out and "\x07" not in out
    assert not CONTROL.search(out.replace("\n", "").replace("\t", ""))
