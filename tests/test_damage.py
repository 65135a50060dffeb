"""Damaged state and hostile folders: each gives one clear line and loses nothing."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from index.briefing import Briefing, BriefingError
from index.readers import MAX_FILE_BYTES
from tui.cli import main


def make(root: Path) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    (root / "a.txt").write_text("Export controls were lifted this week by the administration.\n", encoding="utf-8")
    return root


def test_symlink_loops_dangling_links_and_huge_files_are_skipped(tmp_path, home):
    root = make(tmp_path / "b")
    (root / "loop1.txt").symlink_to(root / "loop2.txt")
    (root / "loop2.txt").symlink_to(root / "loop1.txt")
    (root / "gone.txt").symlink_to(root / "vanished.txt")
    (root / "sub").mkdir()
    (root / "sub" / "back").symlink_to(root, target_is_directory=True)  # a folder loop
    with open(root / "huge.txt", "wb") as fh:
        fh.truncate(MAX_FILE_BYTES + 1)
    with Briefing.open(root, home) as b:
        report = b.read_changes()
        reasons = {s.path: s.reason for s in report.skipped}
        assert [i.id for i in b.articles()] == ["a"]
    assert set(reasons) == {"loop1.txt", "loop2.txt", "gone.txt", "huge.txt"}
    assert all("\n" not in r for r in reasons.values())
    assert "too large" in reasons["huge.txt"]


def test_file_vanishing_between_scan_and_read_is_skipped(tmp_path, home, monkeypatch):
    root = make(tmp_path / "b")
    (root / "b.txt").write_text("Soon gone.\n")
    real_read = Path.read_bytes

    def flaky(self):
        if self.name == "b.txt":
            self.unlink()
        return real_read(self)

    monkeypatch.setattr(Path, "read_bytes", flaky)
    with Briefing.open(root, home) as b:
        report = b.read_changes()
        assert [s.path for s in report.skipped] == ["b.txt"]
        assert [i.id for i in b.articles()] == ["a"]


def test_deleted_or_truncated_index_is_rebuilt_with_annotations_intact(tmp_path, home):
    root = make(tmp_path / "b")
    with Briefing.open(root, home) as b:
        b.refresh()
        ann = b.annotate("a", 0, 15, note="keep me")
        index_dir = b.index_dir
    for f in index_dir.iterdir():
        if f.is_file():
            f.write_bytes(f.read_bytes()[: max(0, f.stat().st_size // 3)])
    with Briefing.open(root, home) as b:
        report = b.refresh()
        assert report.notice and "rebuilt" in report.notice
        assert b.search("export").hits
        assert b.annotation(ann.id).note == "keep me"
    import shutil

    shutil.rmtree(index_dir)
    with Briefing.open(root, home) as b:
        b.refresh()
        assert b.search("administration").hits
        assert len(b.annotations()) == 1


def test_home_that_cannot_be_used_is_one_clear_line(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    with pytest.raises(BriefingError) as err:
        Briefing.open(make(tmp_path / "b"), blocker)
    assert "\n" not in str(err.value) and "cannot open" in str(err.value)
    result = CliRunner().invoke(main, ["outline", "-b", str(tmp_path / "b"), "--home", str(blocker)])
    assert result.exit_code == 2 and "Traceback" not in result.output


def test_export_to_a_missing_folder_is_one_line_and_writes_nothing(tmp_path, home):
    root = make(tmp_path / "b")
    runner = CliRunner()
    runner.invoke(main, ["annotate", "-b", str(root), "a", "--quote", "Export controls"])
    target = tmp_path / "nowhere" / "memo.md"
    result = runner.invoke(main, ["export", "-b", str(root), "-o", str(target)])
    assert result.exit_code == 2
    assert "no such folder" in result.output
    assert not target.parent.exists()


def test_unreadable_files_do_not_look_like_changes_on_every_poll(tmp_path, home):
    root = make(tmp_path / "b")
    (root / "gone.txt").symlink_to(root / "nowhere.txt")
    with Briefing.open(root, home) as b:
        assert [s.path for s in b.read_changes().skipped] == ["gone.txt"]
        assert not b.pending_changes()
        # The link comes good: that is a change, and the file is read.
        (root / "nowhere.txt").write_text("Now it reads fine.\n")
        assert b.pending_changes()
        report = b.read_changes()
        assert "gone" in report.added
        # Broken again: the article is removed, and reported as skipped.
        (root / "nowhere.txt").unlink()
        report = b.read_changes()
        assert sorted(report.removed) == ["gone", "nowhere"]
        assert not b.pending_changes()


def test_a_second_index_writer_waits_with_a_message_then_gets_a_clear_error(tmp_path, home):
    from index.search import SearchIndex

    root = make(tmp_path / "b")
    with Briefing.open(root, home) as b:
        b.refresh()
        index_dir = b.index_dir
    # Another process holds the index's write lock (simulated by a writer left open).
    other = SearchIndex(index_dir)
    other.open()
    holder = other._ix.writer()
    try:
        (root / "new.txt").write_text("A new article arrives while the index is busy.\n")
        messages: list[str] = []
        with Briefing.open(root, home) as b:
            b.on_wait = messages.append
            b.read_changes()
            b._open_index()
            b._index.WRITE_LOCK_WAIT = 0.5
            with pytest.raises(BriefingError, match="still being written by another briefing process"):
                b.update_index()
            assert messages == ["waiting for another briefing process to finish writing the search index…"]
    finally:
        holder.cancel()
        other.close()
    # Once the lock is free, nothing was lost: the article is indexed on the next run.
    with Briefing.open(root, home) as b:
        b.update_index()
        assert b.search("arrives").hits
