"""Hardening figures: random and hostile input through every reader and the
query parser, and a writer killed (SIGKILL) at random moments.

    python bench/bench_hardening.py [--cases 2000] [--kills 50] [--seed 1]

Prints, per parser, the cases tried and the crashes (an exception other than
the clear one-line ReadError / query error), and for the kill loop the kills
survived, the acknowledged changes and the changes lost, with SQLite's
integrity check.
"""

from __future__ import annotations

import argparse
import random
import sqlite3
import subprocess
import sys
import tempfile
import textwrap
import time
import traceback
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from index.briefing import Briefing  # noqa: E402
from index.model import ArticleBuilder  # noqa: E402
from index.readers import ReadError, read_file  # noqa: E402
from index.search import SearchIndex  # noqa: E402

HOSTILE_BITS = [
    "\x1b[31m", "\x1b[0m", "\x1b]52;c;aGVsbG8=\x07", "\x1b]0;title\x07", "\x1b]2;t\x1b\\", "\x9b31m",
    "\x00", "\x07", "\x85", "\u202e", "\u2066", "[bold red]", "[/]", "[@click=app.quit]", "[link=x]",
    "<script>alert(1)</script>", "<p>", "</div>", "# ", "## ", "> ", "- ", "1. ", "|a|b|\n|-|-|\n", "```",
    "---\n", "“", "”", "…", "中文", "e\u0301", "\t", "\r\n", "\n\n", "&amp;", "&#0;", "<!--", "]]>",
]
WORDS = "export control model policy the of and report Anthropic chips AI rule".split()
QUERY_BITS = ['"', "(", ")", "AND", "OR", "NOT", "*", "~", "title:", "section:", "note:", "tag:", "author:",
              "date:", "[", "]", "TO", "^", "?", "+", "-", ":", "\\", "'", "{", "}", "/", "2026", "~2"]


def random_text(rng: random.Random, pieces: list[str], n: int) -> str:
    out = []
    for _ in range(n):
        r = rng.random()
        if r < 0.5:
            out.append(rng.choice(WORDS))
        elif r < 0.85:
            out.append(rng.choice(pieces))
        else:
            out.append("".join(chr(rng.randrange(0, 0x3000)) for _ in range(rng.randrange(1, 6))))
        out.append(rng.choice([" ", " ", "\n", ""]))
    return "".join(out)


def fuzz_readers(rng: random.Random, cases: int) -> dict[str, tuple[int, int, int]]:
    results = {}
    for suffix in (".txt", ".md", ".html"):
        crashes = rejected = 0
        for i in range(cases):
            if i % 3 == 0:
                data = bytes(rng.randrange(256) for _ in range(rng.randrange(0, 400)))
            else:
                data = random_text(rng, HOSTILE_BITS, rng.randrange(1, 120)).encode("utf-8", "surrogatepass")
            try:
                art = read_file(Path("x" + suffix), "x", data=data)
                bad = [c for c in art.text if ord(c) < 32 and c not in "\n" or 0x7F <= ord(c) <= 0x9F]
                if bad:
                    raise AssertionError(f"control characters left: {bad[:3]!r}")
            except ReadError:
                rejected += 1
            except Exception:
                crashes += 1
                if crashes <= 3:
                    traceback.print_exc()
        results[suffix] = (cases, rejected, crashes)
    return results


def fuzz_queries(rng: random.Random, cases: int, workdir: Path) -> tuple[int, int, int]:
    index = SearchIndex(workdir / "qindex")
    index.open()
    arts = []
    for n in range(30):
        b = ArticleBuilder(f"a{n}", title=" ".join(rng.choice(WORDS) for _ in range(4)))
        for s in range(3):
            b.add("heading", " ".join(rng.choice(WORDS) for _ in range(3)), level=2)
            b.add("paragraph", " ".join(rng.choice(WORDS) for _ in range(60)))
        arts.append(b.build())
    index.update(arts)
    by_id = {a.id: a for a in arts}
    crashes = errors = 0
    for _ in range(cases):
        query = random_text(rng, QUERY_BITS, rng.randrange(1, 10))
        try:
            result = index.search(query, limit=10, get_article=by_id.get)
            if result.error:
                errors += 1
                if "\n" in result.error:
                    raise AssertionError("a query error spans lines")
        except Exception:
            crashes += 1
            if crashes <= 3:
                traceback.print_exc()
    index.close()
    return cases, errors, crashes


WRITER = textwrap.dedent(
    """
    import sys
    from index.briefing import Briefing
    b = Briefing.open(sys.argv[1], sys.argv[2])
    b.read_changes()
    text = b.article("a").text
    n = 0
    while True:
        s = (n * 7) % (len(text) - 20)
        ann = b.annotate("a", s, s + 12, note=f"note {n}")
        b.update_annotation(ann.id, note=f"edited {n}", tags=["t"])
        print(ann.id, flush=True)
        n += 1
    """
)


def kill_loop(rng: random.Random, kills: int, workdir: Path) -> tuple[int, int, int, str]:
    root = workdir / "brief"
    root.mkdir()
    (root / "a.txt").write_text("Some words about export controls. " * 40, encoding="utf-8")
    home = workdir / "home"
    acked: list[str] = []
    env_path = str(REPO)
    for _ in range(kills):
        proc = subprocess.Popen([sys.executable, "-c", WRITER, str(root), str(home)], stdout=subprocess.PIPE,
                                text=True, cwd=env_path)
        first = proc.stdout.readline().strip()
        if first:
            acked.append(first)
        time.sleep(rng.uniform(0.0, 0.2))
        proc.kill()
        rest, _ = proc.communicate()
        acked.extend(rest.split())
    with Briefing.open(root, home) as b:
        integrity = sqlite3.connect(b.store.path).execute("PRAGMA integrity_check").fetchone()[0]
        stored = {a.id: a for a in b.annotations()}
    lost = sum(1 for i in acked if i not in stored or not stored[i].note.startswith("edited"))
    return kills, len(acked), lost, integrity


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--cases", type=int, default=2000)
    parser.add_argument("--kills", type=int, default=50)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        t0 = time.perf_counter()
        for suffix, (n, rejected, crashes) in fuzz_readers(rng, args.cases).items():
            print(f"reader {suffix:5}  cases {n:6}  rejected with a reason {rejected:5}  crashes {crashes}")
        n, errors, crashes = fuzz_queries(rng, args.cases, work)
        print(f"query parser   cases {n:6}  explained errors {errors:5}  crashes {crashes}")
        kills, acked, lost, integrity = kill_loop(rng, args.kills, work)
        print(f"SIGKILL loop   kills survived {kills}  acknowledged changes {acked}  lost {lost}  "
              f"integrity_check {integrity}")
        print(f"({time.perf_counter() - t0:.0f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
