"""The store: reading a folder, incremental updates, bad files, reading state."""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

import pytest

from index.briefing import Briefing, BriefingError, article_ids_for
from index.store import SCHEMA_VERSION


def write(path: Path, text: str | bytes) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    return path


def bump_mtime(path: Path) -> None:
    st = path.stat()
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns + 2_000_000_000))


def test_bundled_seeds_open_with_no_argument(home):
    with Briefing.open(None, home) as b:
        report = b.read_changes()
        ids = [i.id for i in b.articles()]
    assert ids == ["000_ec491110502b415f", "001_a4290ce710fe2db0"]
    assert sorted(report.added) == ids


def test_incremental_update_reads_only_changed_files(tmp_path, home):
    root = tmp_path / "brief"
    a = write(root / "a.txt", "Alpha heading\n\nAlpha body text is here.\n")
    write(root / "b.txt", "Beta body text only.\n")
    with Briefing.open(root, home) as b:
        first = b.read_changes()
        assert sorted(first.added) == ["a", "b"]
        # Nothing changed: nothing is re-read.
        again = b.read_changes()
        assert not again.changed
        # Touched but identical content: still no change.
        bump_mtime(a)
        assert not b.read_changes().changed
        # Edit one, add one, delete one.
        write(a, "Alpha heading\n\nAlpha body text was edited.\n")
        bump_mtime(a)
        write(root / "sub" / "c.md", "# Gamma\n\nGamma text.\n")
        (root / "b.txt").unlink()
        report = b.read_changes()
        assert report.updated == ["a"]
        assert report.added == ["sub/c"]
        assert report.removed == ["b"]
        assert "edited" in b.article("a").text
        assert b.article("b") is None
        assert [i.id for i in b.articles()] == ["a", "sub/c"]


def test_unreadable_files_are_skipped_with_a_reason(tmp_path, home):
    root = tmp_path / "brief"
    write(root / "good.txt", "A good article with a sentence.\n")
    write(root / "empty.txt", "")
    write(root / "binary.txt", b"\x00\x01\x02\x89PNG\x00" * 50)
    write(root / "latin.txt", "Price: \xa3100 for the report.\n".encode("latin-1"))
    write(root / "image.png", b"\x89PNG\r\n")  # not an article type: ignored silently
    with Briefing.open(root, home) as b:
        report = b.read_changes()
        reasons = {s.path: s.reason for s in report.skipped}
        assert set(reasons) == {"empty.txt", "binary.txt"}
        assert "empty" in reasons["empty.txt"]
        assert "binary" in reasons["binary.txt"]
        assert sorted(report.added) == ["good", "latin"]
        assert "£100" in b.article("latin").text
        assert any("latin.txt" in w and "UTF-8" in w for w in report.warnings)
        # Skipped files are remembered, and reported again without re-reading.
        assert {s.path for s in b.read_changes().skipped} == {"empty.txt", "binary.txt"}


def test_ids_are_stems_unless_two_files_share_one():
    ids = article_ids_for(["a.txt", "b.md", "b.txt", "d/e.html"])
    assert ids == {"a.txt": "a", "b.md": "b.md", "b.txt": "b.txt", "d/e.html": "d/e"}


def test_resolve_by_id_path_and_stem(seeds_copy, home):
    with Briefing.open(seeds_copy, home) as b:
        b.read_changes()
        assert b.resolve("001_a4290ce710fe2db0") == "001_a4290ce710fe2db0"
        assert b.resolve("001_a4290ce710fe2db0.txt") == "001_a4290ce710fe2db0"
        assert b.resolve(str(seeds_copy / "000_ec491110502b415f.txt")) == "000_ec491110502b415f"
        assert b.resolve("missing") is None


def test_missing_or_file_path_is_a_clear_error(tmp_path, home):
    with pytest.raises(BriefingError, match="no such folder"):
        Briefing.open(tmp_path / "nope", home)
    f = write(tmp_path / "file.txt", "x")
    with pytest.raises(BriefingError, match="not a folder"):
        Briefing.open(f, home)


def test_state_survives_reopening(seeds_copy, home):
    with Briefing.open(seeds_copy, home) as b:
        b.set_state("position:001", {"offset": 1234})
    with Briefing.open(seeds_copy, home) as b:
        assert b.get_state("position:001") == {"offset": 1234}
        assert b.get_state("absent", 7) == 7


def test_database_has_schema_version(seeds_copy, home):
    with Briefing.open(seeds_copy, home) as b:
        path = b.store.path
    db = sqlite3.connect(path)
    assert db.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION


def test_newer_schema_is_refused_not_overwritten(seeds_copy, home):
    with Briefing.open(seeds_copy, home) as b:
        path = b.store.path
    db = sqlite3.connect(path)
    db.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 5}")
    db.close()
    before = path.read_bytes()
    with pytest.raises(BriefingError, match="newer"):
        Briefing.open(seeds_copy, home)
    assert path.read_bytes() == before


def test_damaged_database_is_reported_not_overwritten(seeds_copy, home):
    with Briefing.open(seeds_copy, home) as b:
        path = b.store.path
    for extra in ("-wal", "-shm"):
        Path(str(path) + extra).unlink(missing_ok=True)
    path.write_bytes(b"this is not sqlite" * 100)
    with pytest.raises(BriefingError, match="briefing.db"):
        Briefing.open(seeds_copy, home)
    assert path.read_bytes() == b"this is not sqlite" * 100


def test_metadata_uses_one_vocabulary_across_formats(tmp_path, home):
    root = tmp_path / "brief"
    write(root / "a.md", "---\ntitle: Front\nauthor: Jane Doe\ndate: 2026-03-04\n---\n\nBody text here.\n")
    write(root / "b.html", "<html><head><title>Page</title><meta name='author' content='Ann Lee'>"
          "<meta property='og:site_name' content='The Site'></head><body><article><h1>Page</h1>"
          "<p>" + "A paragraph of real article text that goes on for a while. " * 6 + "</p>"
          "</article></body></html>")
    with Briefing.open(root, home) as b:
        b.read_changes()
        a, h = b.article("a"), b.article("b")
    assert a.metadata["authors"] == ["Jane Doe"] and a.metadata["date"] == "2026-03-04"
    assert h.metadata["authors"] == ["Ann Lee"] and h.metadata.get("site") == "The Site"
    assert "author" not in a.metadata and "author" not in h.metadata


def test_pending_changes_notices_add_edit_delete_without_reading(tmp_path, home):
    root = tmp_path / "brief"
    a = write(root / "a.txt", "Alpha body text is here.\n")
    with Briefing.open(root, home) as b:
        assert b.pending_changes()  # never read yet
        b.read_changes()
        assert not b.pending_changes()
        write(a, "Alpha body text was edited.\n")
        bump_mtime(a)
        assert b.pending_changes()
        b.read_changes()
        write(root / "new.md", "# New\n\nText.\n")
        assert b.pending_changes()
        b.read_changes()
        (root / "new.md").unlink()
        assert b.pending_changes()


def test_reading_position_follows_its_passage_when_text_changes():
    from index.annotations import relocate

    old = "First paragraph here.\n\nThe passage being read right now, at the top of the screen.\n\nEnd."
    new = "A new lede.\n\n" + old.replace("First", "Opening")
    at = old.index("The passage being read")
    assert new[relocate(old, new, at):].startswith("The passage being read")
