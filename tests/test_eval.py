"""The retrieval evaluation computes its figures right (eval/retrieval.py)."""

from __future__ import annotations

import importlib.util
import math
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent


def _load():
    spec = importlib.util.spec_from_file_location("briefing_eval_retrieval", REPO / "eval" / "retrieval.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


R = _load()


def test_average_precision_by_hand():
    # Relevant {1, 3, 7}; ranked 3 (rel), 2, 1 (rel), 5, 7 (rel): (1/1 + 2/3 + 3/5) / 3.
    assert R.average_precision([3, 2, 1, 5, 7], {1, 3, 7}) == pytest.approx((1 + 2 / 3 + 3 / 5) / 3)
    # A relevant document never retrieved counts as precision 0.
    assert R.average_precision([1], {1, 9}) == pytest.approx(0.5)
    assert R.average_precision([4, 5], {1}) == 0.0
    assert R.average_precision([1, 2], set()) == 0.0


def test_ndcg_by_hand():
    gains = {1: 1.0, 2: 1.0}
    assert R.ndcg([1, 2, 3], gains, 10) == pytest.approx(1.0)
    # The two relevant documents at ranks 2 and 3 instead of 1 and 2.
    expected = (1 / math.log2(3) + 1 / math.log2(4)) / (1 + 1 / math.log2(3))
    assert R.ndcg([3, 1, 2], gains, 10) == pytest.approx(expected)
    # Graded: the more relevant document first is better than second.
    graded = {1: 4.0, 2: 1.0}
    assert R.ndcg([1, 2], graded, 10) == pytest.approx(1.0)
    assert R.ndcg([2, 1], graded, 10) < 1.0
    # Cut at k: a relevant document below rank k does not count.
    assert R.ndcg([5, 6, 1], {1: 1.0}, 2) == 0.0


def test_score_rankings_perfect_and_known():
    qrels = {1: {10: 1, 11: 2}, 2: {20: 1}}
    perfect = R.score_rankings({1: [10, 11, 12], 2: [20]}, qrels)
    assert perfect["MAP"] == pytest.approx(1.0)
    assert perfect["nDCG@10"] == pytest.approx(1.0)
    assert perfect["nDCG@10 graded"] == pytest.approx(1.0)
    assert perfect["R@100"] == pytest.approx(1.0)
    assert perfect["P@10"] == pytest.approx((2 / 10 + 1 / 10) / 2)
    # Query 1 ranks its relevant documents 2nd and 4th; query 2 finds nothing.
    known = R.score_rankings({1: [99, 10, 98, 11]}, qrels)
    assert known["MAP"] == pytest.approx(((1 / 2 + 2 / 4) / 2 + 0.0) / 2)
    assert known["R@100"] == pytest.approx(0.5)
    # The graded figure prefers the code-1 document (gain 4) ahead of code 2 (gain 3).
    swapped = R.score_rankings({1: [11, 10], 2: [20]}, qrels)
    assert swapped["nDCG@10"] == pytest.approx(1.0)
    assert swapped["nDCG@10 graded"] < 1.0


def test_qrels_and_queries_are_read_by_position(tmp_path):
    qry = tmp_path / "cran.qry"
    qry.write_text(".I 001\n.W\nfirst query .\n.I 004\n.W\nsecond\nquery ?\n")
    records = R.parse_tagged(qry.read_text())
    assert [R.tidy(r["W"]) for r in records] == ["first query.", "second query?"]
    rel = tmp_path / "cranqrel"
    rel.write_text("1 5 2\n1 6 -1\n2 7 1\n")
    assert R.load_qrels(rel) == {1: {5: 2}, 2: {7: 1}}


def test_evaluate_through_the_product_on_a_tiny_collection(tmp_path):
    docs = [
        {"I": "1", "T": "supersonic wing flutter", "W": "flutter of a wing at supersonic speed ."},
        {"I": "2", "T": "boundary layer heat transfer", "W": "heat transfer in a laminar boundary layer ."},
        {"I": "3", "T": "hypersonic inlet", "W": "shock waves in a hypersonic inlet ."},
    ]
    R.write_briefing(docs, tmp_path / "coll")
    queries = ["wing flutter", "laminar heat transfer", "shock waves in inlets"]
    qrels = {1: {1: 1}, 2: {2: 2}, 3: {3: 1}}
    figures = R.evaluate(tmp_path / "coll", queries, qrels, tmp_path / "home", limit=10)
    assert figures["queries"] == 3 and figures["parse_errors"] == 0
    assert figures["MAP"] == pytest.approx(1.0)
    assert figures["nDCG@10"] == pytest.approx(1.0)
    # A query judged against the wrong document scores what it should.
    wrong = R.evaluate(tmp_path / "coll", queries, {1: {2: 1}, 2: {2: 2}, 3: {3: 1}}, tmp_path / "home", limit=10)
    assert wrong["MAP"] == pytest.approx(2 / 3)
