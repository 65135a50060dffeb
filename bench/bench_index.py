"""Benchmark the search index on a synthetic briefing.

Builds N articles (default 10,000; ``--quick`` 1,000) of about 800 words with
3-6 sections each, by recombining paragraphs and headings of the CRS reports in
``../shared/corpora/crs-reports-md/markdown`` (relative to the repository
root). If that folder is absent it says so and falls back to generated text.

Prints: full build time, index size, incremental update of one article, query
latency p50/p95 over a fixed mix (top 10 with snippets and offsets), cold open
time and peak RSS.

    .venv/bin/python bench/bench_index.py [--articles N | --quick] [--dir PATH]
"""

from __future__ import annotations

import argparse
import pathlib
import random
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = pathlib.Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from index.model import Article, ArticleBuilder  # noqa: E402
from index.search import SearchIndex  # noqa: E402

CORPUS = ROOT.parent / "shared" / "corpora" / "crs-reports-md" / "markdown"

_MD_LINK = re.compile(r"\[([^\]]*)\]\([^)]*\)")
_MD_MARK = re.compile(r"[*_`]+")


def load_corpus() -> tuple[list[str], list[str], str]:
    """Paragraphs and headings from the CRS reports, and a line saying where they came from."""
    paragraphs: list[str] = []
    headings: list[str] = []
    files = sorted(CORPUS.rglob("*.md")) if CORPUS.is_dir() else []
    for path in files:
        for line in path.read_text("utf-8", errors="replace").splitlines():
            line = _MD_MARK.sub("", _MD_LINK.sub(r"\1", line)).strip()
            if not line or line.startswith(("|", "!", "---", "**", "[")):
                continue
            if line.startswith("#"):
                h = line.lstrip("#").strip()
                if 3 <= len(h) <= 80:
                    headings.append(h)
            elif len(line) >= 200 and line.count(" ") >= 30:
                paragraphs.append(line)
            elif 8 <= len(line) <= 70 and not line.endswith((".", ":", ";", ",")) and line[0].isupper():
                headings.append(line)
    if len(paragraphs) >= 200 and len(headings) >= 20:
        return paragraphs, headings, f"CRS corpus: {len(files)} files, {len(paragraphs)} paragraphs, {len(headings)} headings"
    # Fallback: generated text from a fixed vocabulary.
    rng = random.Random(7)
    words = (
        "policy export control trade tariff agency congress senate committee budget "
        "federal regulation security defense energy health program report funding "
        "state local court law rule data market price labor tax credit loan bank "
        "climate water land transport rail road ship port border visa asylum "
        "nuclear missile treaty alliance sanction oversight hearing testimony"
    ).split()
    paragraphs = [
        " ".join(rng.choice(words) for _ in range(rng.randint(60, 140))).capitalize() + "."
        for _ in range(3000)
    ]
    headings = [" ".join(rng.choice(words) for _ in range(3)).title() for _ in range(300)]
    return paragraphs, headings, (
        f"NOTE: {CORPUS} not found; using GENERATED text (figures are not representative)"
    )


def make_article(i: int, paragraphs: list[str], headings: list[str]) -> Article:
    """Article number ``i``: deterministic, so it can be rebuilt instead of kept in memory."""
    rng = random.Random(1_000_003 * i + 17)
    b = ArticleBuilder(f"a{i:05d}", rng.choice(headings))
    n_sections = rng.randint(3, 6)
    budget = rng.randint(700, 900)
    per_section = budget // n_sections
    for _ in range(n_sections):
        b.add("heading", rng.choice(headings), 2)
        words = 0
        while words < per_section:
            p = rng.choice(paragraphs).split(" ")
            if words + len(p) > per_section + 20:
                # Trim to the budget at a sentence end when there is one.
                p = p[: max(20, per_section - words)]
                ends = [k for k, w in enumerate(p) if w.endswith(".")]
                if ends and ends[-1] >= 15:
                    p = p[: ends[-1] + 1]
            b.add("paragraph", " ".join(p))
            words += len(p)
    return b.build()


QUERIES = [
    # single terms
    "congress", "appropriations", "tariffs", "immigration", "nuclear", "medicare",
    "sanctions", "oversight", "broadband", "wildfire",
    # several terms
    "federal budget deficit", "export controls china", "health insurance coverage",
    "defense spending authorization", "student loan forgiveness", "tax credit energy",
    "what are the effects of tariffs on trade?", "supreme court ruling",
    # phrases
    '"federal government"', '"national security"', '"public law"', '"fiscal year"',
    '"executive order"', '"united states"',
    # fuzzy and prefix
    "goverment~", "congres~", "appropiations~", "sanctons~", "regulat*", "immigr*",
    # fields and operators
    "title:budget", "section:background", "title:defense spending", "section:issues congress",
    "trade NOT china", "energy OR climate", "senate AND hearing",
]


def rss_mb() -> float:
    """Peak RSS of this process. /proc's VmHWM first: on Linux ru_maxrss
    carries the parent's peak across fork+exec."""
    try:
        for line in pathlib.Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def dir_size_mb(path: pathlib.Path) -> float:
    return sum(p.stat().st_size for p in path.iterdir() if p.is_file()) / 1e6


def query_phase(ixdir: pathlib.Path, n: int, rounds: int, paragraphs, headings) -> int:
    cache: dict[str, Article] = {}

    def get_article(article_id: str) -> Article | None:
        a = cache.get(article_id)
        if a is None:
            a = cache[article_id] = make_article(int(article_id[1:]), paragraphs, headings)
        return a

    # Cold open (a fresh object on the existing directory), then queries.
    t0 = time.perf_counter()
    ix = SearchIndex(ixdir)
    notice = ix.open()
    cold = time.perf_counter() - t0
    print(f"cold open             {cold * 1000:8.0f} ms" + (f"   notice: {notice}" if notice else ""))

    first = time.perf_counter()
    ix.search(QUERIES[0], limit=10, get_article=get_article)
    print(f"first query           {(time.perf_counter() - first) * 1000:8.0f} ms")
    for q in QUERIES:  # warm the article cache (not the index)
        ix.search(q, limit=10, get_article=get_article)

    times: dict[str, list[float]] = {q: [] for q in QUERIES}
    totals: dict[str, int] = {}
    for _ in range(rounds):
        for q in QUERIES:
            t0 = time.perf_counter()
            r = ix.search(q, limit=10, get_article=get_article)
            times[q].append(time.perf_counter() - t0)
            totals[q] = r.total
            assert r.error is None, (q, r.error)
    flat = sorted(x * 1000 for v in times.values() for x in v)
    p50 = statistics.median(flat)
    p95 = flat[int(len(flat) * 0.95) - 1]
    print(f"query p50 / p95       {p50:6.1f} / {p95:.1f} ms  over {len(flat)} searches "
          f"(top 10 with snippets + offsets; target p95 <= 50 ms)")
    groups = {
        "term": QUERIES[0:10], "several": QUERIES[10:18], "phrase": QUERIES[18:24],
        "fuzzy/prefix": QUERIES[24:30], "field/ops": QUERIES[30:],
    }
    for name, qs in groups.items():
        g = sorted(x * 1000 for q in qs for x in times[q])
        print(f"   {name:13s} p50 {statistics.median(g):6.1f}  max {g[-1]:6.1f} ms")
    slow = sorted(QUERIES, key=lambda q: -max(times[q]))[:5]
    print("   slowest: " + ", ".join(f"{q} {max(times[q]) * 1000:.0f} ms ({totals[q]} hits)" for q in slow))
    t0 = time.perf_counter()
    s = ix.suggest("goverment spendng")
    print(f"suggest               {(time.perf_counter() - t0) * 1000:8.1f} ms   'goverment spendng' -> {s!r}")
    ix.close()
    print(f"peak RSS (searching)  {rss_mb():8.0f} MB   (fresh process: open + queries; target <= 200 MB)")
    return 0


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--articles", type=int, default=10_000)
    ap.add_argument("--quick", action="store_true", help="1,000 articles")
    ap.add_argument("--dir", type=pathlib.Path, default=None, help="index directory (default: a temp dir)")
    ap.add_argument("--rounds", type=int, default=3, help="passes over the query mix")
    ap.add_argument("--query-phase", action="store_true", help=argparse.SUPPRESS)
    args = ap.parse_args()
    n = 1000 if args.quick else args.articles

    paragraphs, headings, source = load_corpus()
    if args.query_phase:
        return query_phase(args.dir, n, args.rounds, paragraphs, headings)
    print(source)
    tmp = None
    if args.dir is None:
        tmp = pathlib.Path(tempfile.mkdtemp(prefix="briefing-bench-"))
        ixdir = tmp / "index"
    else:
        ixdir = args.dir
        shutil.rmtree(ixdir, ignore_errors=True)

    try:
        articles = (make_article(i, paragraphs, headings) for i in range(n))
        words = sections = 0

        def counted():
            nonlocal words, sections
            for a in articles:
                words += a.text.count(" ") + 1
                sections += len(a.sections)
                yield a

        ix = SearchIndex(ixdir)
        ix.open()
        gen_time = 0.0
        # Generate first so the build figure is the index alone.
        t0 = time.perf_counter()
        batch = list(counted())
        gen_time = time.perf_counter() - t0
        t0 = time.perf_counter()
        c0 = time.process_time()
        ix.update(batch)
        build = time.perf_counter() - t0
        cpu = time.process_time() - c0 + resource.getrusage(resource.RUSAGE_CHILDREN).ru_utime
        workers_rss = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
        del batch
        print(f"articles {n:,}  sections {sections:,}  words {words / 1e6:.1f} M  (generated in {gen_time:.1f} s)")
        print(f"full build            {build:8.1f} s    (CPU {cpu:.1f} s in all processes; target <= 60 s at 10,000)")
        print(f"index size            {dir_size_mb(ixdir):8.1f} MB   segments {ix.segment_count()}")

        # Incremental: change one article (new paragraph order), three times.
        inc = []
        for k in range(3):
            a = make_article((k * 7919) % n, paragraphs, headings)
            changed = Article(
                id=a.id, title=a.title + " (revised)", text=a.text, blocks=a.blocks, sections=a.sections
            )
            t0 = time.perf_counter()
            ix.update([changed])
            inc.append(time.perf_counter() - t0)
        print(f"incremental update    {max(inc) * 1000:8.0f} ms   (max of {len(inc)}; target <= 1000 ms)"
              f"   segments {ix.segment_count()}")
        ix.close()
        sys.stdout.flush()

        # Cold open, queries and RSS in a fresh process, as the app would see them.
        cmd = [sys.executable, __file__, "--query-phase", "--articles", str(n), "--dir", str(ixdir),
               "--rounds", str(args.rounds)]
        subprocess.run(cmd, check=True)
        print(f"peak RSS (building)   {rss_mb():8.0f} MB   (this process, holding all {n:,} articles; "
              f"index worker processes peaked at {workers_rss:.0f} MB)")
    finally:
        if tmp is not None:
            shutil.rmtree(tmp, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
