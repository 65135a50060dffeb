"""The `briefing` command line: exit codes, JSON shapes, messages."""

from __future__ import annotations

import json
import subprocess
import sys

from click.testing import CliRunner

from tui.cli import main

SEED = "001_a4290ce710fe2db0"


def run(*args: str, input: str | None = None):
    runner = CliRunner()
    return runner.invoke(main, list(args), input=input, catch_exceptions=False)


def test_outline_of_bundled_briefing():
    result = run("outline")
    assert result.exit_code == 0
    assert "2 articles" in result.output
    assert "Trump Administration Lifts Export Curbs" in result.output


def test_show_json_has_text_sections_and_blocks_with_offsets():
    result = run("show", SEED, "--json")
    assert result.exit_code == 0
    doc = json.loads(result.stdout)
    assert {"id", "title", "metadata", "text", "sections", "blocks"} <= set(doc)
    text = doc["text"]
    for block in doc["blocks"]:
        assert 0 <= block["start"] < block["end"] <= len(text)
    for section in doc["sections"]:
        assert text[section["start"] : section["end"]].startswith(section["title"]) or section["id"] == "s0"


def test_show_unknown_article_exits_1_with_message():
    result = CliRunner().invoke(main, ["show", "no-such-article"])
    assert result.exit_code == 1
    assert "no-such-article" in result.output


def test_unknown_briefing_path_exits_2(tmp_path):
    result = CliRunner().invoke(main, ["search", "-b", str(tmp_path / "missing"), "export"])
    assert result.exit_code == 2
    assert "no such folder" in result.output


def test_search_json_hits_offsets_point_into_show_text():
    result = run("search", "export controls", "--json")
    assert result.exit_code == 0
    data = json.loads(result.stdout)
    assert data["hits"], data
    texts = {}
    for hit in data["hits"]:
        assert {"article_id", "title", "section", "score", "snippet", "offsets"} <= set(hit)
        if hit["article_id"] not in texts:
            texts[hit["article_id"]] = json.loads(run("show", hit["article_id"], "--json").stdout)["text"]
        text = texts[hit["article_id"]]
        assert hit["offsets"]
        for start, end in hit["offsets"]:
            assert text[start:end].lower().startswith(("export", "control"))


def test_search_nothing_found_exits_1():
    result = CliRunner().invoke(main, ["search", "zzyzxquartz"])
    assert result.exit_code == 1


def test_malformed_query_exits_2_with_one_line():
    result = CliRunner().invoke(main, ["search", "title:"])
    assert result.exit_code in (1, 2)
    if result.exit_code == 2:
        assert len(result.output.strip().splitlines()) == 1
        assert "Traceback" not in result.output


def test_batch_queries_one_json_line_each(tmp_path):
    qfile = tmp_path / "q.txt"
    qfile.write_text("export controls\nMythos\nzzyzxquartz\n", encoding="utf-8")
    result = run("search", "--queries", str(qfile), "--json")
    assert result.exit_code == 0
    lines = [json.loads(line) for line in result.stdout.strip().splitlines()]
    assert [l["query"] for l in lines] == ["export controls", "Mythos", "zzyzxquartz"]
    assert lines[0]["hits"] and lines[1]["hits"] and not lines[2]["hits"]


def test_index_reports_skipped_files_and_counts(tmp_path):
    root = tmp_path / "b"
    root.mkdir()
    (root / "ok.txt").write_text("A readable article about export controls.\n", encoding="utf-8")
    (root / "bad.txt").write_bytes(b"\x00\x00binary\x00")
    result = CliRunner().invoke(main, ["index", "-b", str(root)])
    assert result.exit_code == 0
    assert "1 article" in result.output
    assert "skipped bad.txt: binary" in result.output


def test_stats_json():
    data = json.loads(run("stats", "--json").stdout)
    assert data["articles"] == 2
    assert data["sections"] >= 2
    assert data["words"] > 1000


def test_search_does_not_import_textual(tmp_path):
    code = (
        "import sys\n"
        "from tui.cli import main\n"
        "try:\n"
        "    main(['search', 'export', '--json'])\n"
        "except SystemExit:\n"
        "    pass\n"
        "print('textual' in sys.modules)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip().splitlines()[-1] == "False"


def test_piped_briefing_prints_outline():
    result = run()  # CliRunner's stdin/stdout are not terminals
    assert result.exit_code == 0
    assert "Trump Administration Lifts Export Curbs" in result.output
