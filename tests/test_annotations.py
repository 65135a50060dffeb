"""Annotations: anchoring, re-anchoring on change, export and import."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from click.testing import CliRunner
from markdown_it import MarkdownIt

from index.annotations import MOVED, ORPHANED, Annotation, reanchor
from index.briefing import Briefing
from index.export import ExportError, parse_import, to_json, to_markdown, write_atomic
from tui.cli import main

TEXT = (
    "Export controls on frontier models were lifted this week. "
    "Officials said the decision reflects commercial reality. "
    "Critics warned that the move hands rivals a shortcut. "
    "Officials said the decision reflects commercial reality. "
    "The debate is far from over."
)


def ann_on(text: str, quote: str, nth: int = 0) -> Annotation:
    start = -1
    for _ in range(nth + 1):
        start = text.index(quote, start + 1)
    return Annotation.on_text("a", text, start, start + len(quote))


def test_unchanged_text_keeps_offsets():
    ann = ann_on(TEXT, "Critics warned that the move hands rivals a shortcut.")
    anchor = reanchor(ann, TEXT)
    assert (anchor.start, anchor.end, anchor.state) == (ann.start, ann.end, "anchored")


def test_text_inserted_before_moves_offsets_to_the_same_words():
    ann = ann_on(TEXT, "Critics warned that the move hands rivals a shortcut.")
    changed = "A new opening paragraph was added by the editor.\n\n" + TEXT
    anchor = reanchor(ann, changed)
    assert changed[anchor.start : anchor.end] == ann.quote
    assert anchor.state == "anchored"


def test_edit_inside_the_quote_moves_and_marks_moved():
    ann = ann_on(TEXT, "Critics warned that the move hands rivals a shortcut.")
    changed = TEXT.replace("hands rivals a shortcut", "hands rivals an easy shortcut")
    anchor = reanchor(ann, changed)
    assert anchor.state == MOVED
    assert changed[anchor.start : anchor.end] == "Critics warned that the move hands rivals an easy shortcut."


def test_deleted_passage_becomes_orphan_not_a_similar_sentence():
    ann = ann_on(TEXT, "Critics warned that the move hands rivals a shortcut.")
    changed = TEXT.replace("Critics warned that the move hands rivals a shortcut. ", "")
    changed += " Critics cautioned that the move hands rivals a shortcut."  # merely similar, elsewhere
    assert reanchor(ann, changed).state == ORPHANED


def test_repeated_quote_reanchors_to_the_right_one_by_context():
    quote = "Officials said the decision reflects commercial reality."
    second = ann_on(TEXT, quote, nth=1)
    changed = "Preface. " + TEXT
    anchor = reanchor(second, changed)
    assert anchor.start == changed.index(quote, changed.index(quote) + 1)


def write(path: Path, text: str) -> None:
    path.write_text(text, encoding="utf-8")
    st = path.stat()
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns + 2_000_000_000))


@pytest.fixture
def small(tmp_path, home):
    root = tmp_path / "brief"
    root.mkdir()
    write(root / "a.md", "# Alpha report\n\n## Findings\n\n" + TEXT + "\n\n## Outlook\n\nMore to come.\n")
    b = Briefing.open(root, home)
    b.read_changes()
    yield b, root
    b.close()


def test_file_edits_reanchor_and_orphan_without_losing_notes(small):
    b, root = small
    art = b.article("a")
    quote = "Critics warned that the move hands rivals a shortcut."
    start = art.text.index(quote)
    ann = b.annotate("a", start, start + len(quote), note="Check this claim", tags=["risk"])
    # Text inserted before: same words, new offsets.
    write(root / "a.md", "# Alpha report\n\nA new lede paragraph.\n\n## Findings\n\n" + TEXT + "\n\n## Outlook\n\nMore.\n")
    report = b.read_changes()
    moved = b.annotation(ann.id)
    assert b.article("a").text[moved.start : moved.end] == quote
    assert not report.orphaned
    # The passage deleted: the annotation is kept as an orphan with its note.
    write(root / "a.md", "# Alpha report\n\n## Findings\n\n" + TEXT.replace(quote, "") + "\n")
    report = b.read_changes()
    orphan = b.annotation(ann.id)
    assert report.orphaned == [ann.id]
    assert orphan.state == ORPHANED and orphan.note == "Check this claim" and orphan.quote == quote
    # The file removed entirely: still kept.
    (root / "a.md").unlink()
    b.read_changes()
    assert b.annotations()[0].id == ann.id


def test_markdown_export_parses_back_one_blockquote_per_annotation(small):
    b, _ = small
    text = b.article("a").text
    for quote, note in (("Export controls on frontier models", "First *note*"),
                        ("The debate is far from over.", "Second note\n\nwith two paragraphs"),
                        ("More to come.", "")):
        s = text.index(quote)
        b.annotate("a", s, s + len(quote), note=note, tags=["memo"])
    md = to_markdown(b.name, b.annotations(), b.article)
    tokens = MarkdownIt("commonmark").parse(md)
    assert sum(1 for t in tokens if t.type == "blockquote_open") == 3
    assert "## Findings" in md and "## Outlook" in md
    assert md.index("## Findings") < md.index("Export controls on frontier") < md.index("## Outlook")
    assert "#memo" in md and "count: 3" in md


def test_markdown_export_shows_article_text_literally(tmp_path, home):
    root = tmp_path / "b"
    root.mkdir()
    write(root / "x.txt", "A line with *stars* and [link](http://x) and <b>tags</b> in it.\n")
    with Briefing.open(root, home) as b:
        b.read_changes()
        t = b.article("x").text
        b.annotate("x", 0, len(t))
        md = to_markdown(b.name, b.annotations(), b.article)
    html = MarkdownIt("commonmark").render(md)
    html = html[html.index("<blockquote>") : html.index("</blockquote>")]
    assert "<em>" not in html and "<a " not in html and "<b>" not in html
    assert "*stars*" in html and "&lt;b&gt;tags&lt;/b&gt;" in html


def test_json_export_is_w3c_and_imports_without_duplicates(small, tmp_path):
    b, _ = small
    text = b.article("a").text
    s = text.index("The debate")
    b.annotate("a", s, s + 10, note="n", tags=["x", "y"], color="green")
    doc = json.loads(to_json(b.name, b.annotations()))
    item = doc["first"]["items"][0]
    assert item["@context"] == "http://www.w3.org/ns/anno.jsonld" and item["type"] == "Annotation"
    kinds = {sel["type"] for sel in item["target"]["selector"]}
    assert kinds == {"TextQuoteSelector", "TextPositionSelector"}
    assert {"type": "TextualBody", "value": "n", "format": "text/markdown", "purpose": "commenting"} in item["body"]
    assert {"type": "TextualBody", "value": "x", "purpose": "tagging"} in item["body"]
    # Round trip into a fresh briefing home: same annotations, twice = no duplicates.
    path = tmp_path / "out.json"
    write_atomic(path, to_json(b.name, b.annotations()))
    anns = parse_import(path.read_text(), "out.json")
    assert b.put_annotations(anns) == (0, 1)
    assert b.put_annotations(anns) == (0, 1)
    assert len(b.annotations()) == 1


@pytest.mark.parametrize(
    "content, reason",
    [
        ("{not json", "not JSON"),
        ('{"type": "Annotation", "id": "x"}', "missing target"),
        ('[{"type": "Annotation", "id": "x", "target": {"source": "urn:briefing:article:a", "selector": []}}]',
         "TextQuoteSelector"),
    ],
)
def test_malformed_import_is_rejected_and_changes_nothing(small, tmp_path, content, reason):
    b, _ = small
    before = b.annotations()
    f = tmp_path / "bad.json"
    f.write_text(content)
    result = CliRunner().invoke(main, ["import", "-b", str(b.root), str(f)])
    assert result.exit_code == 2
    assert reason in result.output and "bad.json" in result.output
    assert b.annotations() == before


def test_export_never_overwrites_without_force(tmp_path):
    target = tmp_path / "memo.md"
    target.write_text("precious")
    with pytest.raises(ExportError, match="already exists"):
        write_atomic(target, "new")
    assert target.read_text() == "precious"
    write_atomic(target, "new", overwrite=True)
    assert target.read_text() == "new"
    assert [p.name for p in tmp_path.iterdir()] == ["memo.md"]  # no temp file left behind


def test_cli_annotate_list_export(tmp_path, small):
    b, root = small
    runner = CliRunner()
    r = runner.invoke(main, ["annotate", "-b", str(root), "a", "--quote", "far from over", "--note", "hm", "--tag", "Open"])
    assert r.exit_code == 0, r.output
    r = runner.invoke(main, ["annotate", "-b", str(root), "a", "--quote", "not in the text at all"])
    assert r.exit_code == 2 and "not in article a" in r.output
    r = runner.invoke(main, ["annotations", "-b", str(root)])
    assert "anchored" in r.output and "#open" in r.output
    out = tmp_path / "memo.md"
    r = runner.invoke(main, ["export", "-b", str(root), "--tag", "open", "-o", str(out)])
    assert r.exit_code == 0 and "far from over" in out.read_text()
    r = runner.invoke(main, ["export", "-b", str(root), "-o", str(out)])
    assert r.exit_code == 2 and "already exists" in r.output


def test_notes_and_tags_are_searchable_even_from_another_process(small):
    b, root = small
    b.refresh()
    # Another process (the CLI) annotates while this one is open.
    r = CliRunner().invoke(main, ["annotate", "-b", str(root), "a", "--quote", "far from over",
                                  "--note", "Contrarian angle worth a memo", "--tag", "followup"])
    assert r.exit_code == 0, r.output
    hits = b.search("contrarian").hits
    assert [h.kind for h in hits] == ["annotation"]
    assert b.article("a").text[hits[0].offsets[0][0] : hits[0].offsets[0][1]] == "far from over"
    assert b.search("tag:followup").hits
    # Deleting it takes it out of the results.
    b.delete_annotation(hits[0].annotation_id)
    assert not b.search("contrarian").hits
