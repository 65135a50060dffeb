"""Retrieval evaluation on the Cranfield collection, through the product's own path.

Each Cranfield document becomes a Markdown article in a briefing folder; the
briefing is read and indexed by the same code the app and CLI use, and every
query goes through ``Briefing.search`` (the same query parser users get).
Articles are ranked by their best section.

    python eval/retrieval.py [--cranfield DIR] [--limit 100] [--keep DIR]

Prints MAP, P@10, nDCG@10 (binary, and graded with Cleverdon's reading:
code 1 = complete answer, the most relevant) and recall@100.

Query ids: cranqrel numbers queries by their *position* in cran.qry, not by
their ``.I`` ids (see cranfield/PROVENANCE.md).
"""

from __future__ import annotations

import argparse
import math
import re
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from index.briefing import Briefing  # noqa: E402

DEFAULT_DIR = REPO.parent / "shared" / "corpora" / "cranfield"


def parse_tagged(text: str) -> list[dict[str, str]]:
    """SMART-style records: `.I id` then `.T/.A/.B/.W` fields (a field may repeat)."""
    records: list[dict[str, str]] = []
    current: dict[str, str] | None = None
    field = None
    for line in text.splitlines():
        m = re.match(r"^\.([A-Z])(?:\s+(.*))?$", line)
        if m:
            tag, rest = m.group(1), (m.group(2) or "").strip()
            if tag == "I":
                current = {"I": rest}
                records.append(current)
                field = None
            else:
                field = tag
                if current is not None:
                    current.setdefault(field, "")
            continue
        if current is not None and field:
            current[field] = (current[field] + " " + line.strip()).strip()
    return records


def tidy(text: str) -> str:
    """Cranfield text is lower case with spaces before punctuation."""
    return re.sub(r"\s+([.,;:?)])", r"\1", re.sub(r"\s+", " ", text)).strip()


def write_briefing(docs: list[dict[str, str]], folder: Path) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for doc in docs:
        number = int(doc["I"])
        title = tidy(doc.get("T", "")) or f"cranfield document {number}"
        body = tidy(doc.get("W", ""))
        # Markdown with the title as the only heading; the abstract as one paragraph.
        content = f"# {title}\n\n{body or title}\n"
        (folder / f"cran{number:04d}.md").write_text(content, encoding="utf-8")


def load_qrels(path: Path) -> dict[int, dict[int, int]]:
    qrels: dict[int, dict[int, int]] = defaultdict(dict)
    for line in path.read_text().split("\n"):
        parts = line.split()
        if len(parts) >= 3:
            qid, docid, code = int(parts[0]), int(parts[1]), int(parts[2])
            if code > 0:
                qrels[qid][docid] = code
    return qrels


def average_precision(ranked: list[int], relevant: set[int]) -> float:
    if not relevant:
        return 0.0
    hits = 0
    total = 0.0
    for i, doc in enumerate(ranked, 1):
        if doc in relevant:
            hits += 1
            total += hits / i
    return total / len(relevant)


def ndcg(ranked: list[int], gains: dict[int, float], k: int) -> float:
    dcg = sum(gains.get(doc, 0.0) / math.log2(i + 1) for i, doc in enumerate(ranked[:k], 1))
    ideal = sorted(gains.values(), reverse=True)[:k]
    idcg = sum(g / math.log2(i + 1) for i, g in enumerate(ideal, 1))
    return dcg / idcg if idcg else 0.0


def score_rankings(rankings: dict[int, list[int]], qrels: dict[int, dict[int, int]],
                   queries: int | None = None) -> dict[str, float]:
    """Mean MAP, P@10, nDCG@10 (binary and graded) and R@100 over queries
    1..``queries`` (default: the highest query number in either argument).

    ``rankings[n]`` is the ranked document numbers for query ``n`` (missing:
    nothing found); ``qrels[n]`` maps relevant documents to Cranfield codes
    (1 most relevant ... 4, graded gain 5 - code)."""
    count = queries if queries is not None else max([*rankings, *qrels, 0])
    sums: dict[str, float] = defaultdict(float)
    for n in range(1, count + 1):
        ranked = rankings.get(n, [])
        judged = qrels.get(n, {})
        relevant = set(judged)
        sums["MAP"] += average_precision(ranked, relevant)
        sums["P@10"] += sum(1 for d in ranked[:10] if d in relevant) / 10
        sums["nDCG@10"] += ndcg(ranked, {d: 1.0 for d in relevant}, 10)
        sums["nDCG@10 graded"] += ndcg(ranked, {d: float(5 - c) for d, c in judged.items()}, 10)
        sums["R@100"] += (len(relevant & set(ranked[:100])) / len(relevant)) if relevant else 0.0
    return {k: (v / count if count else 0.0) for k, v in sums.items()}


def evaluate(folder: Path, queries: list[str], qrels: dict[int, dict[int, int]], home: Path,
             limit: int) -> dict[str, float]:
    t0 = time.perf_counter()
    briefing = Briefing.open(folder, home)
    briefing.refresh()
    build = time.perf_counter() - t0
    errors = 0
    rankings: dict[int, list[int]] = {}
    t1 = time.perf_counter()
    for n, query in enumerate(queries, 1):
        # The ranking alone: snippets would cost more than the search at depth 100.
        result = briefing.search(query, limit=limit, snippets=False)
        if result.error:
            errors += 1
            print(f"query {n} failed to parse: {result.error}", file=sys.stderr)
        ranked: list[int] = []
        seen: set[int] = set()
        for hit in result.hits:  # hits are sections: keep each article's best
            doc = int(hit.article_id.removeprefix("cran"))
            if doc not in seen:
                seen.add(doc)
                ranked.append(doc)
        rankings[n] = ranked
    elapsed = time.perf_counter() - t1
    t2 = time.perf_counter()
    for query in queries:  # what a user waits for: the top 10 with snippets
        briefing.search(query, limit=10)
    elapsed10 = time.perf_counter() - t2
    briefing.close()
    count = len(queries)
    figures = score_rankings(rankings, qrels, count)
    figures.update(queries=count, parse_errors=errors, build_s=build, query_ms=1000 * elapsed / max(1, count),
                   query10_ms=1000 * elapsed10 / max(1, count))
    return figures


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cranfield", type=Path, default=DEFAULT_DIR)
    parser.add_argument("--limit", type=int, default=100, help="hits per query (ranking depth)")
    parser.add_argument("--keep", type=Path, help="build the briefing here instead of a temp dir")
    args = parser.parse_args(argv)
    folder = args.cranfield
    if not (folder / "cran.all.1400").is_file():
        print(f"Cranfield collection not found at {folder}: nothing evaluated.")
        return 0
    docs = parse_tagged((folder / "cran.all.1400").read_text(encoding="utf-8", errors="replace"))
    queries = [tidy(q.get("W", "")) for q in parse_tagged((folder / "cran.qry").read_text())]
    qrels = load_qrels(folder / "cranqrel")
    with tempfile.TemporaryDirectory() as tmp:
        work = args.keep or Path(tmp)
        write_briefing(docs, work / "cranfield")
        figures = evaluate(work / "cranfield", queries, qrels, work / "home", args.limit)
    print(f"Cranfield: {len(docs)} documents, {figures['queries']} queries, ranking depth {args.limit}")
    for key in ("MAP", "P@10", "nDCG@10", "nDCG@10 graded", "R@100"):
        print(f"  {key:15} {figures[key]:.4f}")
    print(f"  parse errors    {figures['parse_errors']}")
    print(f"  build {figures['build_s']:.1f} s; per query {figures['query_ms']:.1f} ms at depth {args.limit} "
          f"without snippets, {figures['query10_ms']:.1f} ms for a top 10 with snippets")
    return 0


if __name__ == "__main__":
    sys.exit(main())
