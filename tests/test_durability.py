"""Annotations are the user's own work: killing a writer at any moment loses
nothing it acknowledged, and two writers on one briefing lose no write."""

from __future__ import annotations

import random
import sqlite3
import subprocess
import sys
import textwrap
import time
from pathlib import Path

from index.briefing import Briefing

WRITER = textwrap.dedent(
    """
    import sys
    from index.briefing import Briefing
    root, home, tag = sys.argv[1], sys.argv[2], sys.argv[3]
    b = Briefing.open(root, home)
    b.read_changes()
    text = b.article("a").text
    n = 0
    while True:
        s = (n * 7) % (len(text) - 20)
        ann = b.annotate("a", s, s + 12, note=f"{tag} note {n}", tags=[tag])
        b.update_annotation(ann.id, note=f"{tag} edited {n}")
        print(ann.id, flush=True)  # acknowledged: committed before this line
        n += 1
    """
)


def _briefing(tmp_path: Path) -> Path:
    root = tmp_path / "brief"
    root.mkdir()
    (root / "a.txt").write_text("Some words about export controls. " * 40, encoding="utf-8")
    return root


def _spawn(root: Path, home: Path, tag: str) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-c", WRITER, str(root), str(home), tag],
        stdout=subprocess.PIPE,
        text=True,
    )


def test_sigkill_at_random_moments_loses_no_acknowledged_change(tmp_path, home):
    root = _briefing(tmp_path)
    rng = random.Random(7)
    acked: list[str] = []
    kills = 12
    for _ in range(kills):
        proc = _spawn(root, home, "k")
        assert proc.stdout is not None
        first = proc.stdout.readline().strip()  # wait until it is writing
        if first:
            acked.append(first)
        time.sleep(rng.uniform(0.0, 0.15))
        proc.kill()
        rest, _ = proc.communicate()
        acked.extend(line for line in rest.split() if line)
    with Briefing.open(root, home) as b:
        db = sqlite3.connect(b.store.path)
        assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        stored = {a.id: a for a in b.annotations()}
    missing = [i for i in acked if i not in stored]
    assert not missing, f"{len(missing)} of {len(acked)} acknowledged annotations lost"
    assert all("edited" in stored[i].note for i in acked)


def test_two_writers_at_once_lose_nothing(tmp_path, home):
    root = _briefing(tmp_path)
    with Briefing.open(root, home) as b:
        b.read_changes()
    procs = [_spawn(root, home, tag) for tag in ("one", "two")]
    acked: list[str] = []
    time.sleep(1.5)
    for proc in procs:
        proc.kill()
        out, _ = proc.communicate()
        acked.extend(out.split())
    with Briefing.open(root, home) as b:
        stored = {a.id for a in b.annotations()}
        tags = {t for a in b.annotations() for t in a.tags}
    assert tags == {"one", "two"}
    assert set(acked) <= stored
