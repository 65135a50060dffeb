"""Regression tests for bugs found in review: annotations never land on the
wrong words or lose their article, and odd folders behave."""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path

import pytest
from click.testing import CliRunner

from index.briefing import Briefing, article_ids_for
from index.export import parse_import, to_json, write_atomic
from index.readers import MAX_FILE_BYTES
from pilot_helpers import SIZE, ready, wait_until
from tui.app import BriefingApp
from tui.cli import main

TEXT = "The quick brown fox jumps over the lazy dog near the river bank today.\n"


def touch(path: Path, text: str) -> None:
    path.write_text(text, encoding="utf-8")
    st = path.stat()
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns + 2_000_000_000))


@pytest.fixture
def root(tmp_path) -> Path:
    r = tmp_path / "b"
    r.mkdir()
    touch(r / "a.txt", TEXT)
    return r


def quote_of(b: Briefing, ann_id: str) -> str:
    ann = b.annotation(ann_id)
    return b.article(ann.article_id).text[ann.start : ann.end]


def test_undo_delete_after_an_edit_lands_on_the_same_words(root, home):
    with Briefing.open(root, home) as b:
        b.read_changes()
        s = b.article("a").text.index("lazy dog")
        ann = b.annotate("a", s, s + 8)
        b.delete_annotation(ann.id)
        touch(root / "a.txt", "A new first paragraph arrives.\n\n" + TEXT)
        b.read_changes()
        assert b.restore_annotation(ann.id)
        assert quote_of(b, ann.id) == "lazy dog"


def test_a_sibling_with_the_same_stem_keeps_annotations_on_their_file(root, home):
    with Briefing.open(root, home) as b:
        b.read_changes()
        s = b.article("a").text.index("brown fox")
        ann = b.annotate("a", s, s + 9, note="keep")
        touch(root / "a.md", "# Other\n\nSomething else entirely.\n")
        b.read_changes()
        moved = b.annotation(ann.id)
        assert moved.article_id == "a.txt" and moved.state == "anchored"
        assert quote_of(b, ann.id) == "brown fox"
        assert b.annotation_counts() == {"a.txt": 1}


def test_an_article_that_becomes_unreadable_orphans_its_annotations(root, home):
    with Briefing.open(root, home) as b:
        b.read_changes()
        ann = b.annotate("a", 4, 9)
        (root / "a.txt").write_bytes(b"\x00\x01binary now\x00" * 20)
        report = b.read_changes()
        assert report.orphaned == [ann.id]
        assert b.annotation(ann.id).state == "orphaned"


def test_a_file_that_cannot_be_read_is_not_a_change_on_every_poll(root, home, monkeypatch):
    touch(root / "locked.txt", "Secret words.\n")
    real = Path.read_bytes

    def denied(self):
        if self.name == "locked.txt":
            raise PermissionError(13, "Permission denied")
        return real(self)

    monkeypatch.setattr(Path, "read_bytes", denied)
    with Briefing.open(root, home) as b:
        assert [s.path for s in b.read_changes().skipped] == ["locked.txt"]
        assert not b.pending_changes()


def test_huge_files_are_skipped_without_being_read(root, home, monkeypatch):
    with open(root / "huge.txt", "wb") as fh:
        fh.truncate(MAX_FILE_BYTES + 1)
    real = Path.read_bytes

    def guarded(self):
        assert self.name != "huge.txt", "a huge file was read into memory"
        return real(self)

    monkeypatch.setattr(Path, "read_bytes", guarded)
    with Briefing.open(root, home) as b:
        reasons = {s.path: s.reason for s in b.read_changes().skipped}
        assert "too large" in reasons["huge.txt"]
        assert not b.pending_changes()


def test_ids_never_collide():
    ids = article_ids_for(["x.md", "x.txt", "x.md.txt"])
    assert len(set(ids.values())) == 3


def test_import_without_positions_finds_the_quote_and_strips_terminal_control(root, home, tmp_path):
    with Briefing.open(root, home) as b:
        b.read_changes()
        s = b.article("a").text.index("lazy dog")
        b.annotate("a", s, s + 8, note="n")
        doc = json.loads(to_json(b.name, b.annotations()))
        item = doc["first"]["items"][0]
        item["target"]["selector"] = [sel for sel in item["target"]["selector"] if sel["type"] == "TextQuoteSelector"]
        item["body"][0]["value"] = "\x1b]0;pwned\x07\x1b[2Jlooks fine"
        item["id"] = "urn:briefing:annotation:imported1"
        anns = parse_import(json.dumps([item]), "x.json")
        b.put_annotations(anns)
        assert quote_of(b, "imported1") == "lazy dog"
        assert b.annotation("imported1").note == "looks fine"
        out = CliRunner().invoke(main, ["annotations", "-b", str(root)]).stdout
        assert "\x1b" not in out


def test_export_gets_ordinary_file_permissions(tmp_path):
    old = os.umask(0o022)
    try:
        target = tmp_path / "memo.md"
        write_atomic(target, "x")
        assert stat.S_IMODE(target.stat().st_mode) == 0o644
    finally:
        os.umask(old)


async def test_app_catches_up_when_another_process_read_the_change_first(root, home):
    briefing = Briefing.open(root, home)
    app = BriefingApp(briefing)
    app.watch_interval = 0.1
    try:
        async with app.run_test(size=SIZE) as pilot:
            await ready(pilot)
            await wait_until(pilot, lambda: app.article is not None, "the article")
            # The file changes and the CLI reads it before the app's next look.
            touch(root / "a.txt", "A brand new opening paragraph.\n\n" + TEXT)
            assert CliRunner().invoke(main, ["outline", "-b", str(root)]).exit_code == 0
            await wait_until(pilot, lambda: "brand new opening" in app.article.text, "the app to reload")
            # A highlight made now lands on the words the reader sees.
            s = app.article.text.index("lazy dog")
            ann = briefing.annotate("a", s, s + 8, content_hash=app.article.content_hash)
            assert quote_of(briefing, ann.id) == "lazy dog"
    finally:
        briefing.close()


def test_offsets_from_an_old_version_of_the_text_are_refused(root, home):
    with Briefing.open(root, home) as b:
        b.read_changes()
        shown = b.article("a").content_hash
        touch(root / "a.txt", "Changed.\n\n" + TEXT)
        b.read_changes()
        from index.briefing import BriefingError

        with pytest.raises(BriefingError, match="changed on disk"):
            b.annotate("a", 4, 9, content_hash=shown)
        assert b.annotations() == []
