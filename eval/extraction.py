"""Main-content extraction evaluation on saved news pages, through the product's own path.

Each page of ``shared/corpora/news-html-aeb`` goes through
:func:`index.extract.extract_html` (the function the HTML reader uses), and the
article's text is scored against the page's ``articleBody`` in
``ground-truth.json`` the way the article-extraction-benchmark scores
extractors:

* tokens are runs of word characters (``\\w+``), case kept;
* a text is the multiset of its shingles of 4 consecutive tokens (a text of
  fewer tokens is one shorter shingle);
* per page, true positives are the shingles both texts share (counted with
  multiplicity), false positives the extracted ones the truth lacks, false
  negatives the reverse; the three are divided by their sum so that long pages
  weigh no more than short ones;
* precision is averaged over the pages where something was extracted, recall
  over the pages with a truth, and F1 is the harmonic mean of those two means
  (the benchmark's figure); the mean of per-page F1 is printed as well.

    python eval/extraction.py [--corpus DIR] [--worst 10] [--set favor_recall=true ...]

``--set`` overrides an extraction option for the run (to compare settings).
Prints the means, the mean extraction time per page, and the worst pages.
"""

from __future__ import annotations

import argparse
import json
import re
import statistics
import sys
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from index import extract as extract_module  # noqa: E402

DEFAULT_DIR = REPO.parent / "shared" / "corpora" / "news-html-aeb"
SHINGLE = 4

_TOKEN = re.compile(r"\w+")


def shingles(text: str, n: int = SHINGLE) -> Counter:
    tokens = _TOKEN.findall(text or "")
    if len(tokens) < n:
        return Counter([tuple(tokens)]) if tokens else Counter()
    return Counter(tuple(tokens[i : i + n]) for i in range(len(tokens) - n + 1))


def match_counts(truth: str, extracted: str) -> tuple[float, float, float]:
    """(tp, fp, fn) over shingles, normalized to sum to 1 (all 0 when both are empty)."""
    want, got = shingles(truth), shingles(extracted)
    tp = sum((want & got).values())
    fp = sum((got - want).values())
    fn = sum((want - got).values())
    total = tp + fp + fn
    if total == 0:
        return 0.0, 0.0, 0.0
    return tp / total, fp / total, fn / total


def precision(tp: float, fp: float, fn: float) -> float:
    if fp == 0 and fn == 0:
        return 1.0
    return tp / (tp + fp) if tp + fp else 0.0


def recall(tp: float, fp: float, fn: float) -> float:
    if fp == 0 and fn == 0:
        return 1.0
    return tp / (tp + fn) if tp + fn else 0.0


def f1(p: float, r: float) -> float:
    return 2 * p * r / (p + r) if p + r else 0.0


@dataclass
class PageScore:
    page_id: str
    url: str
    counts: tuple[float, float, float]
    seconds: float
    extracted: bool

    @property
    def precision(self) -> float:
        return precision(*self.counts)

    @property
    def recall(self) -> float:
        return recall(*self.counts)

    @property
    def f1(self) -> float:
        return f1(self.precision, self.recall)


def summarize(scores: list[PageScore]) -> dict[str, float]:
    """The benchmark's means: precision over pages with output, recall over pages with a truth."""
    ps = [s.precision for s in scores if s.counts[0] + s.counts[1] > 0]
    rs = [s.recall for s in scores if s.counts[0] + s.counts[2] > 0]
    p = statistics.mean(ps) if ps else 0.0
    r = statistics.mean(rs) if rs else 0.0
    return {
        "precision": p,
        "recall": r,
        "f1": f1(p, r),
        "mean_page_f1": statistics.mean(s.f1 for s in scores) if scores else 0.0,
        "ms_per_page": 1000 * statistics.mean(s.seconds for s in scores) if scores else 0.0,
        "none": sum(1 for s in scores if not s.extracted),
    }


def evaluate(corpus: Path) -> list[PageScore]:
    truth = json.loads((corpus / "ground-truth.json").read_text(encoding="utf-8"))
    scores: list[PageScore] = []
    for page_id in sorted(truth):
        path = corpus / "html" / f"{page_id}.html"
        if not path.exists():
            continue
        raw = path.read_bytes().decode("utf-8", errors="replace")
        start = time.perf_counter()
        article = extract_module.extract_html(raw, page_id, {"format": "html"})
        seconds = time.perf_counter() - start
        text = article.text if article is not None else ""
        counts = match_counts(truth[page_id].get("articleBody", ""), text)
        scores.append(PageScore(page_id, truth[page_id].get("url", ""), counts, seconds, article is not None))
    return scores


def _parse_value(value: str):
    lowered = value.lower()
    if lowered in ("true", "yes", "on"):
        return True
    if lowered in ("false", "no", "off"):
        return False
    return value


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpus", type=Path, default=DEFAULT_DIR)
    parser.add_argument("--worst", type=int, default=10, help="how many of the worst pages to list")
    parser.add_argument("--set", action="append", default=[], metavar="OPTION=VALUE",
                        help="override an extraction option, e.g. favor_recall=true")
    args = parser.parse_args(argv)

    corpus: Path = args.corpus
    if not (corpus / "ground-truth.json").is_file() or not (corpus / "html").is_dir():
        print(f"extraction eval: no corpus at {corpus} (need ground-truth.json and html/); nothing to score.")
        return 0
    try:
        import trafilatura  # noqa: F401
    except ImportError:
        print("extraction eval: trafilatura is not installed; nothing to score.")
        return 0

    for item in args.set:
        name, _, value = item.partition("=")
        if name not in extract_module.EXTRACT_OPTIONS:
            parser.error(f"unknown option {name!r}; known: {', '.join(extract_module.EXTRACT_OPTIONS)}")
        extract_module.EXTRACT_OPTIONS[name] = _parse_value(value)

    # The first page pays for trafilatura's import and lazy set-up: do it before timing.
    extract_module.extract_html("<html><body><p>warm up</p></body></html>", "warm-up", {})

    scores = evaluate(corpus)
    if not scores:
        print(f"extraction eval: no pages found under {corpus / 'html'}; nothing to score.")
        return 0
    summary = summarize(scores)
    changed = {k: v for k, v in extract_module.EXTRACT_OPTIONS.items()}
    print(f"pages: {len(scores)}   options: {changed}")
    print(
        f"precision {summary['precision']:.3f}   recall {summary['recall']:.3f}   "
        f"F1 {summary['f1']:.3f}   (mean of per-page F1 {summary['mean_page_f1']:.3f})"
    )
    print(f"no article extracted: {summary['none']} pages;  mean extraction time {summary['ms_per_page']:.1f} ms/page")
    if args.worst > 0:
        print(f"\nworst {min(args.worst, len(scores))} pages by F1:")
        for s in sorted(scores, key=lambda s: s.f1)[: args.worst]:
            host = re.sub(r"^https?://(www\.)?", "", s.url).split("/")[0]
            print(f"  F1 {s.f1:.3f}  P {s.precision:.3f}  R {s.recall:.3f}  {s.page_id[:12]}  {host}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
