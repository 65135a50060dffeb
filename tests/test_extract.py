"""Main-content extraction of saved web pages (index.extract)."""

from __future__ import annotations

import json
import re
from collections import Counter
from pathlib import Path

import pytest

from index.extract import extract_html

# The shared data sits next to the repository (see tests/conftest.py).
AEB = Path(__file__).resolve().parents[2] / "shared" / "corpora" / "news-html-aeb"

PARAS = [
    "The harbour council voted on Tuesday to rebuild the northern breakwater, ending a dispute "
    "that had stalled repairs for nearly four years and left the fishing fleet exposed to winter storms.",
    "Engineers told the meeting that the old stone wall had settled by more than a metre since the "
    "flood of 2019, and that every season of delay raised the final bill by a noticeable margin.",
    "The new design uses interlocking concrete units rather than quarried granite, which the council "
    "said would cut the cost of maintenance and shorten the work to two summers instead of three.",
    "Residents who had opposed the plan said they were satisfied that the public footpath along the "
    "top of the wall would stay open, although it will close during the months of heaviest work.",
]

BOILERPLATE = [
    "We use cookies to improve your experience",
    "Subscribe to our newsletter",
    "Ten best beaches for a winter walk",
    "Great article, thanks for sharing",
    "Copyright Coastal Gazette Media",
]


def news_page(head_extra: str = "") -> str:
    p = PARAS
    return f"""<!DOCTYPE html>
<html lang="en"><head>
<meta charset="utf-8">
<title>Council approves breakwater rebuild | Coastal Gazette</title>
<meta property="og:title" content="Council approves breakwater rebuild">
<meta name="author" content="Mara Lindqvist">
<meta property="article:published_time" content="2024-03-05T09:30:00Z">
<meta property="og:site_name" content="Coastal Gazette">
<link rel="canonical" href="https://gazette.example.org/news/breakwater-rebuild">
{head_extra}
</head><body>
<div class="cookie-banner" id="cookie-consent"><p>{BOILERPLATE[0]}. <a href="/privacy">Accept all</a></p></div>
<header><nav><ul><li><a href="/">Home</a></li><li><a href="/news">News</a></li>
<li><a href="/sport">Sport</a></li><li><a href="/weather">Weather</a></li></ul></nav></header>
<main><article>
<h1>Council approves breakwater rebuild</h1>
<p>{p[0]}</p>
<p>{p[1]}</p>
<h2>What the plan includes</h2>
<p>{p[2]}</p>
<ul>
<li>Interlocking concrete armour units along the seaward face</li>
<li>A raised walkway with new railings for the public footpath</li>
<li>Lighting at the harbour mouth for the fishing fleet</li>
</ul>
<blockquote><p>We have waited long enough, and the fleet cannot take another winter like the last one.</p></blockquote>
<h2>Costs by year</h2>
<table>
<tr><th>Year</th><th>Work</th><th>Cost</th></tr>
<tr><td>2024</td><td>Foundations</td><td>4.1 million</td></tr>
<tr><td>2025</td><td>Armour and walkway</td><td>6.3 million</td></tr>
</table>
<p>{p[3]}</p>
</article>
<aside class="related"><h3>Related stories</h3><ul>
<li><a href="/a">{BOILERPLATE[2]}</a></li><li><a href="/b">Storm season forecast</a></li>
<li><a href="/c">Ferry timetable changes</a></li></ul></aside>
<div class="newsletter-signup"><p>{BOILERPLATE[1]} and get the news first.</p></div>
<section id="comments" class="comments"><h3>Comments</h3>
<div class="comment"><p class="comment-author">Jo</p><p>{BOILERPLATE[3]}!</p></div>
<div class="comment"><p class="comment-author">Sam</p><p>About time the council acted on this.</p></div>
</section>
</main>
<footer><p>{BOILERPLATE[4]} 2024. All rights reserved.</p>
<ul><li><a href="/about">About us</a></li><li><a href="/contact">Contact</a></li></ul></footer>
</body></html>"""


@pytest.fixture(scope="module")
def article():
    pytest.importorskip("trafilatura")
    art = extract_html(news_page(), "breakwater", {"format": "html"})
    assert art is not None
    return art


def assert_offsets_valid(art) -> None:
    previous_end = -1
    for block in art.blocks:
        text = art.text[block.start : block.end]
        assert text and text == text.strip()
        assert "\n\n" not in text
        assert block.start > previous_end
        previous_end = block.end
    joined = "\n\n".join(art.text[b.start : b.end] for b in art.blocks)
    assert joined == art.text


def blocks_of(art, kind: str) -> list[str]:
    return [art.block_text(b) for b in art.blocks if b.kind == kind]


def test_article_body_is_kept_in_order(article):
    positions = [article.text.find(p) for p in PARAS]
    assert all(pos >= 0 for pos in positions), positions
    assert positions == sorted(positions)


def test_headings_become_sections(article):
    titles = [s.title for s in article.sections]
    assert "What the plan includes" in titles
    assert "Costs by year" in titles
    plan = next(s for s in article.sections if s.title == "What the plan includes")
    assert PARAS[2] in article.section_text(plan)
    assert PARAS[0] not in article.section_text(plan)


def test_title_from_metadata_and_not_repeated_in_text(article):
    assert article.title == "Council approves breakwater rebuild"
    assert "Council approves breakwater rebuild" not in article.text


def test_list_items_quote_and_table_are_blocks(article):
    items = blocks_of(article, "list_item")
    assert "Interlocking concrete armour units along the seaward face" in items
    assert "Lighting at the harbour mouth for the fishing fleet" in items
    quotes = blocks_of(article, "quote")
    assert any("the fleet cannot take another winter" in q for q in quotes)
    tables = blocks_of(article, "table")
    assert len(tables) == 1
    lines = tables[0].split("\n")
    assert lines == ["Year | Work | Cost", "2024 | Foundations | 4.1 million", "2025 | Armour and walkway | 6.3 million"]


def test_boilerplate_is_left_out(article):
    for phrase in BOILERPLATE:
        assert phrase not in article.text, phrase
    for word in ("Home", "Sport", "Weather", "Storm season forecast", "About time the council"):
        assert word not in article.text, word


def test_metadata_from_meta_tags(article):
    meta = article.metadata
    assert meta["format"] == "html"  # the caller's metadata is kept
    assert meta["title"] == "Council approves breakwater rebuild"
    assert meta["author"] == "Mara Lindqvist"
    assert meta["date"] == "2024-03-05"
    assert meta["site"] == "Coastal Gazette"
    assert meta["url"] == "https://gazette.example.org/news/breakwater-rebuild"


def test_offsets_are_valid(article):
    assert_offsets_valid(article)


def test_metadata_from_json_ld():
    pytest.importorskip("trafilatura")
    ld = {
        "@context": "https://schema.org",
        "@type": "NewsArticle",
        "headline": "Harbour wall to be rebuilt after long dispute",
        "datePublished": "2023-11-20T08:00:00+00:00",
        "author": {"@type": "Person", "name": "Olu Bakare"},
        "publisher": {"@type": "Organization", "name": "Harbour Times"},
    }
    body = "".join(f"<p>{p}</p>" for p in PARAS)
    page = f"""<html><head><title>Page</title>
<script type="application/ld+json">{json.dumps(ld)}</script></head>
<body><article><h1>Harbour wall to be rebuilt after long dispute</h1>{body}</article></body></html>"""
    art = extract_html(page, "ld", {})
    assert art is not None
    assert art.title == "Harbour wall to be rebuilt after long dispute"
    assert art.metadata["author"] == "Olu Bakare"
    assert art.metadata["date"] == "2023-11-20"
    assert PARAS[3] in art.text
    assert_offsets_valid(art)


def test_nested_list_keeps_depth():
    pytest.importorskip("trafilatura")
    body = "".join(f"<p>{p}</p>" for p in PARAS[:2])
    page = f"""<html><head><title>Packing list</title></head><body><article>
<h1>Packing list</h1>{body}
<ul><li>Clothing<ul><li>Waterproof jacket</li><li>Wool socks</li></ul></li><li>Food for two days</li></ul>
<p>{PARAS[2]}</p></article></body></html>"""
    art = extract_html(page, "nested", {})
    assert art is not None
    levels = {art.block_text(b): b.level for b in art.blocks if b.kind == "list_item"}
    assert levels.get("Clothing") == 0
    assert levels.get("Waterproof jacket") == 1
    assert levels.get("Food for two days") == 0
    assert_offsets_valid(art)


def test_index_page_of_links_is_not_an_article():
    """A front page of headline links is no article: None, so the caller falls back."""
    pytest.importorskip("trafilatura")
    links = "".join(f'<li><a href="/story/{i}">Story number {i} of the day</a></li>' for i in range(60))
    page = f"""<html><head><title>Coastal Gazette: front page</title></head><body>
<nav><ul><li><a href="/">Home</a></li><li><a href="/news">News</a></li></ul></nav>
<div class="index"><ul>{links}</ul></div><footer><a href="/about">About</a></footer></body></html>"""
    assert extract_html(page, "index", {}) is None


def test_article_with_many_links_in_its_text_is_kept():
    pytest.importorskip("trafilatura")
    linked = [p.replace("council", '<a href="/council">council</a>') for p in PARAS]
    body = "".join(f"<p>{p}</p>" for p in linked)
    page = f"<html><head><title>Wall</title></head><body><article><h1>Wall</h1>{body}</article></body></html>"
    art = extract_html(page, "linked", {})
    assert art is not None
    assert PARAS[0] in art.text


@pytest.mark.parametrize(
    "raw",
    [
        "",
        "   \n\t",
        "<html",
        "<<<>>>&&&;",
        "<html><body><p>unclosed <b>bold <i>italic <table><tr><td>cell",
        "<div>" * 3000 + "deep " * 100,
        '<?xml version="1.0" encoding="utf-8"?><html><body><p>declared</p></body></html>',
        "\x00\x01\x02 binary-ish \x1b[31m",
        "<html><body>" + "<p>" + "word " * 2000 + "</p></body></html>",
    ],
)
def test_broken_or_empty_input_never_raises(raw, capsys):
    pytest.importorskip("trafilatura")
    art = extract_html(raw, "broken", {})
    if art is not None:
        assert_offsets_valid(art)
        assert "\x1b" not in art.text
    captured = capsys.readouterr()
    assert captured.out == "" and captured.err == ""


def test_broken_markup_still_yields_the_article():
    pytest.importorskip("trafilatura")
    # Unclosed paragraphs and a stray closing tag: the text is still there.
    body = "".join(f"<p>{p}" for p in PARAS) + "</span></div>"
    art = extract_html(f"<html><head><title>Wall</title><body><article>{body}", "sloppy", {})
    assert art is not None
    for p in PARAS:
        assert p in art.text
    assert_offsets_valid(art)


# ---------------------------------------------------------------------------
# On the real pages (skipped when the shared corpus is absent)


def _aeb_pages():
    if not (AEB / "html").is_dir():
        return []
    return sorted((AEB / "html").glob("*.html"))


def test_xml_walk_loses_nothing_trafilatura_txt_keeps():
    """The article (title + text) holds every word of trafilatura's plain-text output."""
    pytest.importorskip("trafilatura")
    from index.extract import extract_plain

    pages = _aeb_pages()
    if not pages:
        pytest.skip("shared corpus news-html-aeb not present")
    short: dict[str, int] = {}
    for path in pages:
        raw = path.read_text(encoding="utf-8", errors="replace")
        art = extract_html(raw, path.stem, {})
        plain = extract_plain(raw)
        want = Counter(re.findall(r"\w+", plain.casefold()))
        have = Counter(re.findall(r"\w+", (art.title + " " + art.text).casefold())) if art else Counter()
        lost = sum((want - have).values())
        if lost:
            short[path.stem[:12]] = lost
        if art is not None:
            assert_offsets_valid(art)
    assert not short, f"words of trafilatura's txt output missing from the article: {short}"
