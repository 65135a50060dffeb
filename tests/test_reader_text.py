"""The plain-text reader: scraped articles become titled, sectioned articles
with captions, quotes and lists told apart, site furniture removed and no
sentence of the story lost."""

from __future__ import annotations

import json
import re
import textwrap
from pathlib import Path

import pytest

from index.model import first_sentence
from index.normalize import clean_inline
from index.readers.text import read_text

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
SEEDS = ROOT / "seeds"
FIXTURES = HERE / "fixtures" / "text"
SHARED_NEWS = ROOT.parent / "shared" / "corpora" / "news-html-aeb" / "ground-truth.json"

SEED_FEATURE = SEEDS / "001_a4290ce710fe2db0.txt"
SEED_PLAIN = SEEDS / "000_ec491110502b415f.txt"


def read(path: Path):
    return read_text(path.read_text(encoding="utf-8"), path.stem, {"source": path.name})


def kinds(article) -> list[tuple[str, str]]:
    return [(b.kind, article.block_text(b)) for b in article.blocks]


def texts_of(article, kind: str) -> list[str]:
    return [t for k, t in kinds(article) if k == kind]


def sentences(text: str) -> list[str]:
    """Sentences of prose, cut after . ! ? (and a closing quote) before a space."""
    parts = re.split(r"(?<=[.!?])\s+|(?<=[.!?][”\"’)])\s+", clean_inline(text))
    return [p for p in parts if len(p.split()) >= 3]


def assert_offsets_sound(article) -> None:
    pos = 0
    for block in article.blocks:
        body = article.text[block.start : block.end]
        assert body, block
        assert body == body.strip()
        assert "\n\n" not in body
        assert block.start >= pos
        pos = block.end
    for section in article.sections:
        assert 0 <= section.start < section.end <= len(article.text)


# --- the seed briefing -----------------------------------------------------------


@pytest.fixture(scope="module")
def feature():
    return read(SEED_FEATURE)


@pytest.fixture(scope="module")
def plain():
    return read(SEED_PLAIN)


FEATURE_SECTIONS = [
    "Understanding the Shift in AI Export Policy",
    "Technical Capabilities of Mythos and Fable",
    "Geopolitical Implications of AI Access",
    "Security Safeguards and Future Compliance",
]


def test_feature_title_is_the_first_line(feature):
    assert feature.title == "Trump Administration Lifts Export Curbs on Anthropic’s Mythos and Fable AI"
    assert feature.title not in feature.text


def test_feature_has_its_four_sections_each_heading_once(feature):
    assert [s.title for s in feature.sections] == FEATURE_SECTIONS
    assert texts_of(feature, "heading") == FEATURE_SECTIONS
    for heading in FEATURE_SECTIONS:
        assert feature.text.count(heading) == 1, heading


def test_feature_image_descriptions_are_captions(feature):
    captions = texts_of(feature, "caption")
    assert len(captions) == 4
    assert all(c.startswith(("A conceptual digital illustration", "A digital conceptual illustration",
                             "A conceptual data visualization")) for c in captions)
    assert not any(t.startswith("A conceptual") for t in texts_of(feature, "paragraph"))


def test_feature_pulled_quote_is_a_quote(feature):
    quotes = texts_of(feature, "quote")
    assert len(quotes) == 1
    assert quotes[0].startswith("“The decision to lift these barriers")
    assert quotes[0].endswith("excessive isolationism.”")


def test_feature_teaser_is_not_repeated_as_body(feature):
    first = "The initial decision to place Anthropic’s Mythos and Fable models under stringent export controls"
    assert feature.text.count(first) == 1
    assert "designed…" not in feature.text
    # the article opens on its first section: no opening section of teaser text
    assert feature.blocks[0].kind == "heading"
    assert kinds(feature)[1][1].startswith(first)


@pytest.mark.parametrize(
    "furniture",
    [
        "Was this helpful?",
        "Previous Article",
        "Next Article",
        "Claude Science: Why Anthropic",
        "Claude 3.5 Sonnet: Why",
        "Write a Comment",
        "Leave a Comment",
    ],
)
def test_feature_site_furniture_is_gone(feature, furniture):
    assert furniture not in feature.text


def test_feature_keeps_every_body_sentence(feature):
    raw = SEED_FEATURE.read_text(encoding="utf-8")
    body = raw.split("Understanding the Shift in AI Export Policy\n", 1)[1].split("Was this helpful?")[0]
    lines = [ln for ln in body.splitlines() if len(ln.split()) > 12]
    assert len(lines) == 17  # sixteen paragraphs and the pulled quote
    for line in lines:
        for sentence in sentences(line):
            assert sentence in feature.text, sentence
    assert feature.text.endswith("how future iterations of AI are governed on the world stage.")


def test_plain_seed_title_is_its_first_sentence(plain):
    first_line = SEED_PLAIN.read_text(encoding="utf-8").splitlines()[0]
    assert plain.title == first_sentence(first_line)
    assert plain.title.startswith("The Trump administration just pulled off a dramatic U-turn")


def test_plain_seed_keeps_every_paragraph(plain):
    lines = [ln for ln in SEED_PLAIN.read_text(encoding="utf-8").splitlines() if ln.strip()]
    assert texts_of(plain, "paragraph") == [clean_inline(ln) for ln in lines]
    assert [b.kind for b in plain.blocks] == ["paragraph"] * len(lines)
    for line in lines:
        for sentence in sentences(line):
            assert sentence in plain.text, sentence
    assert len(plain.sections) == 1


# --- synthetic scraped articles -------------------------------------------------------


def test_hard_wrapped_article_with_list_byline_and_tail():
    article = read(FIXTURES / "wrapped_with_list.txt")
    assert article.title == "City Council Approves New Bike Lanes"
    assert article.metadata["author"] == "Jane Doe"
    assert article.metadata["date"] == "March 3, 2024"
    assert article.metadata["source"] == "wrapped_with_list.txt"
    assert "By Jane Doe" not in article.text
    assert [s.title for s in article.sections] == ["City Council Approves New Bike Lanes", "What happens next?"]
    assert [k for k, _ in kinds(article)] == [
        "paragraph", "paragraph", "paragraph",
        "list_item", "list_item", "list_item",
        "heading", "paragraph",
    ]
    paragraphs = texts_of(article, "paragraph")
    # wrapped lines are joined into one paragraph
    assert paragraphs[0].startswith("The city council voted on Tuesday")
    assert paragraphs[0].endswith("cheered the result.")
    items = texts_of(article, "list_item")
    assert items[0] == ("Protected lanes on Main Street and Oak Avenue, separated from traffic by "
                        "concrete curbs.")
    assert items[1] == "Lower speed limits near schools."
    for gone in ("Advertisement", "Share this article", "Related Articles",
                 "Council Debates Parking Fees", "Five Things to Know"):
        assert gone not in article.text
    assert article.text.endswith("until the end of August.")


def test_one_paragraph_per_line_with_caption_question_heading_and_debris():
    article = read(FIXTURES / "one_per_line_furniture.txt")
    assert article.title == "Storm Knocks Out Power Across the Valley"
    assert [s.title for s in article.sections] == [article.title, "Why did the grid fail?"]
    assert [k for k, _ in kinds(article)] == [
        "paragraph", "caption", "paragraph", "heading", "paragraph", "quote", "paragraph",
    ]
    assert texts_of(article, "caption")[0].endswith("(Photo by John Smith/Getty Images)")
    for gone in ("Advertisement", "Subscribe", "Was this helpful?", "Previous Article",
                 "Flood Warnings Lifted", "Next Article", "Leave a Comment"):
        assert gone not in article.text
    assert article.text.endswith("residents who need them.")


def test_teaser_repeated_heading_rendering_caption_attributed_quote():
    article = read(FIXTURES / "teaser_and_repeats.txt")
    assert article.title == "A Quiet Revolution in Home Batteries"
    assert [s.title for s in article.sections] == ["Falling Prices Change the Math", "Grid Operators Take Notice"]
    assert article.text.count("Falling Prices Change the Math") == 1
    assert article.text.count("Home battery systems that once cost") == 1
    assert texts_of(article, "caption") == [
        "A cutaway rendering showing the cells inside a wall-mounted home battery…"
    ]
    assert texts_of(article, "quote")[0].endswith("— Maria Lopez, energy analyst")
    assert "Tags:" not in article.text
    assert article.text.endswith("but they are growing quickly.")


def test_sentences_that_look_like_furniture_words_are_kept():
    raw = (
        "Markets Rally on Rate Hopes\n\n"
        "Share prices rose sharply on Monday as investors bet on lower rates.\n\n"
        "Advertisement\n\n"
        "Related stocks in the housing sector gained the most, analysts said.\n\n"
        "Share\n\n"
        "Next week brings the inflation report.\n\n"
        "Read more\n"
    )
    article = read_text(raw, "m", {})
    assert texts_of(article, "paragraph") == [
        "Share prices rose sharply on Monday as investors bet on lower rates.",
        "Related stocks in the housing sector gained the most, analysts said.",
        "Next week brings the inflation report.",
    ]


def test_an_ad_inside_a_list_of_short_lines_does_not_cut_the_rest():
    raw = (
        "Race Calendar 2018\n\nRound 1: Interlagos\n\nAdvertisement\n\nRound 2: Curitiba\n\n"
        "Round 3: Velopark\n\nShare\n\nRelated Articles\n\nSome Other Story Title\n"
    )
    article = read_text(raw, "r", {})
    assert article.title == "Race Calendar 2018"
    assert article.text == "Round 1: Interlagos\n\nRound 2: Curitiba\n\nRound 3: Velopark"


def test_byline_and_date_lines_become_metadata():
    raw = "Big News Today\n\nBy Jane Doe | March 3, 2024\n\nThe story begins with this sentence.\n"
    article = read_text(raw, "b", {"source": "b.txt"})
    assert article.metadata == {
        "source": "b.txt", "byline": "By Jane Doe | March 3, 2024",
        "author": "Jane Doe", "date": "March 3, 2024",
    }
    assert article.text == "The story begins with this sentence."

    dated = read_text("Big News Today\nPublished: 2024-03-04\nThe story begins here.\n", "d", {})
    assert dated.metadata == {"date": "2024-03-04"}
    assert dated.text == "The story begins here."


def test_short_lines_are_headings_only_when_prose_follows():
    raw = (
        "Notes From the Field\n"
        "The survey team reached the northern ridge after four days of walking.\n"
        "Day Five\n"
        "Weather closed in and the team waited in camp.\n"
        "Supplies ran low.\n"
        "All photographs by the author\n"
    )
    article = read_text(raw, "f", {})
    assert [s.title for s in article.sections] == ["Notes From the Field", "Day Five"]
    assert kinds(article)[-2:] == [("paragraph", "Supplies ran low."),
                                   ("paragraph", "All photographs by the author")]


def test_numbered_and_nested_lists_keep_numbers_and_depth():
    raw = (
        "How to Apply\n\n"
        "Follow these steps to apply for the grant.\n\n"
        "1. Fill in the form.\n"
        "2. Attach your budget:\n"
        "    • salaries\n"
        "    • equipment\n"
        "3. Send it before June.\n"
    )
    article = read_text(raw, "l", {})
    items = [(article.block_text(b), b.level) for b in article.blocks if b.kind == "list_item"]
    assert items == [
        ("1. Fill in the form.", 0),
        ("2. Attach your budget:", 0),
        ("salaries", 2),
        ("equipment", 2),
        ("3. Send it before June.", 0),
    ]


def test_marked_up_headings_and_untitled_text():
    raw = "# Field Guide\n\nIntro words for the guide.\n\nBirds\n-----\n\nSparrows are small.\n"
    article = read_text(raw, "g", {})
    assert article.title == "Field Guide"
    assert [s.title for s in article.sections] == ["Field Guide", "Birds"]
    assert "-----" not in article.text

    untitled = read_text("Just one paragraph of text, with nothing else at all.", "u", {})
    assert untitled.text == "Just one paragraph of text, with nothing else at all."
    assert untitled.title == "Just one paragraph of text, with nothing else at all"


def test_controls_in_scraped_text_never_reach_the_article():
    raw = "Title\x1b[31m Red\n\nBody \x1b]0;evil\x07text with a bell\x07 in it.\r\nMore text.\n"
    article = read_text(raw, "c", {})
    assert "\x1b" not in article.text + article.title
    assert "\x07" not in article.text
    assert article.title == "Title Red"


ALL_FILES = [SEED_FEATURE, SEED_PLAIN, *sorted(FIXTURES.glob("*.txt"))]


@pytest.mark.parametrize("path", ALL_FILES, ids=lambda p: p.name)
def test_block_offsets_point_at_block_text(path):
    article = read(path)
    assert article.blocks
    assert_offsets_sound(article)
    assert article.sections[0].start == 0
    assert article.sections[-1].end == len(article.text)


# --- real articles in three layouts ------------------------------------------------


def _news_bodies() -> list[tuple[str, list[str]]]:
    if not SHARED_NEWS.exists():
        pytest.skip("shared news corpus not available")
    data = json.loads(SHARED_NEWS.read_text(encoding="utf-8"))
    out = []
    for key, record in sorted(data.items()):
        paragraphs = [p.strip() for p in record["articleBody"].split("\n") if p.strip()]
        out.append((key, paragraphs))
    return out


@pytest.mark.parametrize("layout", ["blank-lines", "line-per-paragraph", "wrapped-72"])
def test_no_real_paragraph_of_real_news_is_lost(layout):
    for key, paragraphs in _news_bodies():
        if layout == "blank-lines":
            raw = "\n\n".join(paragraphs)
        elif layout == "line-per-paragraph":
            raw = "\n".join(paragraphs)
        else:
            raw = "\n\n".join(
                textwrap.fill(p, 72, break_on_hyphens=False, break_long_words=False) for p in paragraphs
            )
        article = read_text(raw, key, {})
        assert_offsets_sound(article)
        for paragraph in paragraphs:
            paragraph = re.sub(r"^[-*•]\s+", "", clean_inline(paragraph))
            if len(paragraph.split()) >= 8:
                assert paragraph in article.text or paragraph == article.title, (key, paragraph)
