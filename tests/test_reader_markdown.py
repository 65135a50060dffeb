"""The Markdown reader: congress.gov report pages become clean, sectioned
articles with their facts in metadata; generic Markdown keeps its structure
without markup leaking into the text."""

from __future__ import annotations

import re
import textwrap
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from index.model import Article
from index.readers import read_file
from index.readers.markdown import iso_date, read_markdown

HERE = Path(__file__).resolve().parent
CRS = HERE / "fixtures" / "crs"
# The full corpus is shared data next to the checkout; the corpus test skips without it.
CRS_CORPUS = HERE.parent.parent / "shared" / "corpora" / "crs-reports-md" / "markdown"

IN_FOCUS = CRS / "IF10753v7-energy-star-program.md"
INSIGHT = CRS / "IN12682v2-kings-and-queens-addressing-joint-meetings-of-co.md"
REPORT = CRS / "R48903v3-the-strait-of-hormuz-in-brief-non-oil-shipments-.md"

DEBRIS = (
    "Citation",
    "Subscribe",
    "Share/Save",
    "Site Feedback",
    "Hide Overview",
    "PDF Version History",
    "Listen",
    "CRS PRODUCT (LIBRARY OF CONGRESS)",
    "Jump to Main Text of Report",
)


def read(path: Path) -> Article:
    return read_markdown(path.read_text(encoding="utf-8"), path.stem, {"source": path.name})


def blocks(article: Article, kind: str | None = None) -> list[str]:
    return [article.block_text(b) for b in article.blocks if kind is None or b.kind == kind]


def check_offsets(article: Article) -> None:
    for b in article.blocks:
        text = article.block_text(b)
        assert text.strip()
        assert text == text.rstrip() and text == text.lstrip("\n")
        assert "\n\n" not in text
    starts = [b.start for b in article.blocks]
    assert starts == sorted(starts)
    rebuilt = "\n\n".join(blocks(article))
    assert rebuilt == article.text
    for s in article.sections:
        assert article.text[s.start : s.end].startswith(s.title) or s.id == "s0"


def assert_no_debris(article: Article) -> None:
    lines = {line.strip() for line in article.text.split("\n")}
    for word in DEBRIS:
        assert word not in lines, word
    assert not any(line.startswith("Download PDF") for line in lines)
    assert not re.search(r"Home\s*>\s*CRS Products", article.text)
    assert not re.search(r"Version:\s*\d+\)", article.text)  # the PDF version list
    assert article.title not in lines  # the repeated "# Title"
    assert "](" not in article.text
    assert "**" not in article.text


# ---------------------------------------------------------------------------
# CRS fixtures


def test_in_focus_metadata_comes_from_header_and_overview_table():
    art = read(IN_FOCUS)
    assert art.title == "ENERGY STAR Program"
    meta = art.metadata
    assert meta["report_number"] == "IF10753"
    assert meta["version"] == "7"
    assert meta["url"] == "https://www.congress.gov/crs-product/IF10753?s=1&r=4"
    assert meta["product_type"] == "In Focus"
    assert meta["topics"] == ["Energy & Natural Resources"]
    assert meta["date"] == "2026-04-23"
    assert meta["authors"] == ["Clark, Corrie E."]
    assert meta["source"] == IN_FOCUS.name  # the caller's metadata is kept


def test_several_authors_are_split_and_kept_as_given():
    art = read(REPORT)
    assert art.metadata["authors"] == ["Frittelli, John", "Goldman, Ben"]
    assert art.metadata["date"] == "2026-04-10"
    assert art.metadata["product_type"] == "Reports"


@pytest.mark.parametrize("path", [IN_FOCUS, INSIGHT, REPORT], ids=lambda p: p.stem[:8])
def test_page_chrome_is_gone(path: Path):
    art = read(path)
    assert_no_debris(art)
    check_offsets(art)
    # The run-in dateline ("Title Updated April 23, 2026 (IF10753)") is chrome too.
    number = art.metadata["report_number"]
    assert f"({number})" not in art.text
    # The disclaimer is kept, as its own last section.
    assert art.sections[-1].title == "Disclaimer"
    assert "not subject to copyright" in art.section_text(art.sections[-1])


def test_bare_line_headings_become_sections():
    art = read(IN_FOCUS)
    assert [s.title for s in art.sections] == [
        "Overview",
        "History and Development",
        "Program Design",
        "Third-Party Certification",
        "International Partnerships",
        "Federal Appropriations",
        "Disclaimer",
    ]
    # The body starts with the first heading: nothing of the page comes before it.
    assert art.text.startswith("Overview\n\nENERGY STAR® is an internationally recognized")


def test_insight_opens_with_lede_section_named_after_article():
    art = read(INSIGHT)
    titles = [s.title for s in art.sections]
    assert titles == [
        "Kings and Queens Addressing Joint Meetings of Congress",
        "Invitation Process",
        "Past Kings and Queens Who Have Addressed a Joint Meeting of Congress",
        "Disclaimer",
    ]
    assert art.section_text(art.sections[0]).startswith("On April 1, 2026, Speaker of the House")


def test_report_table_of_contents_is_dropped_and_footnotes_are_listed():
    art = read(REPORT)
    titles = [s.title for s in art.sections]
    assert titles[:3] == ["Introduction", "Control of the Strait", "Inbound and Outbound Ships"]
    assert "Contents" not in titles
    assert titles[-2:] == ["Footnotes", "Disclaimer"]
    # Each TOC entry appears once: as its section's heading, not as a link list.
    assert art.text.count("Jones Act Waiver") == len(re.findall(r"Jones Act Waiver", art.text))
    assert blocks(art, "heading").count("Jones Act Waiver") == 1
    notes = art.section_by_id(f"s{titles.index('Footnotes')}")
    items = [art.block_text(b) for b in art.blocks if b.kind == "list_item" and notes.start <= b.start < notes.end]
    assert len(items) == 40
    assert items[0].startswith("1. United Nations Conference on Trade and Development (UNCTAD)")
    assert items[9] == "10. Harbor mines are devices that explode if struck by a vessel hull."


def test_link_text_is_kept_and_targets_are_not():
    art = read(INSIGHT)
    # "[jointly invited](https://www.speaker.gov/...)[King Charles III](https://www.royal.uk/the-king)"
    assert "jointly invitedKing Charles III of the United Kingdom" in art.text
    assert "speaker.gov" not in art.text
    assert "royal.uk" not in art.text
    # A URL written as the link's text stays: it is what the page showed.
    assert "http://history.house.gov/Institution/Foreign-Leaders/Joint-Sessions" in art.text


def test_pipe_tables_become_table_blocks_with_header_first():
    art = read(INSIGHT)
    tables = blocks(art, "table")
    assert len(tables) == 1
    rows = tables[0].split("\n")
    assert rows[0] == "Date | Monarch | Country"
    assert rows[1] == "December 18, 1874 | King Kalakauaa | Kingdom of Hawaii"
    assert len(rows) == 11
    captions = blocks(art, "caption")
    assert "Table 1. Addresses by Kings and Queens to a Joint Meeting of Congress" in captions
    assert any(c.startswith("Source: Historian of the House of Representatives") for c in captions)


def test_figure_placeholders_become_captions():
    art = read(INSIGHT)
    captions = blocks(art, "caption")
    assert "Figure 1. King Bhumibol Adulyadej of Thailand Addressing a Joint Meeting of Congress" in captions
    assert any(c.startswith("Source: Library of Congress") for c in captions)
    assert not any(line.startswith("|") for line in art.text.split("\n"))


def test_table_subtitle_and_notes_are_captions():
    art = read(IN_FOCUS)
    kinds = [(b.kind, art.block_text(b)) for b in art.blocks]
    i = kinds.index(("caption", "Table 2. ENERGY STAR Program Funding"))
    assert kinds[i + 1] == ("caption", "Fiscal years 2015 through 2024, in millions of nominal dollars")
    assert kinds[i + 2][0] == "table"
    assert kinds[i + 2][1].startswith("Fiscal Year | EPA Funding | DOE Funding\n2015 | $44.2 | $4.3\n")
    assert kinds[i + 3][0] == "caption" and kinds[i + 3][1].startswith("Sources: EPA communication")
    assert kinds[i + 4][0] == "caption" and kinds[i + 4][1].startswith("Notes: Values are rounded")


def test_broken_emphasis_markers_do_not_leak():
    art = read(IN_FOCUS)
    # Source: "**Source****s****: **EPA communication to CRS; ..."
    assert "Sources: EPA communication to CRS; DOE communication to CRS." in blocks(art, "caption")


def test_read_file_dispatches_markdown(tmp_path: Path):
    target = tmp_path / IN_FOCUS.name
    target.write_bytes(IN_FOCUS.read_bytes())
    art = read_file(target, "a1")
    assert art.title == "ENERGY STAR Program"
    assert art.metadata["format"] == "md"


@pytest.mark.skipif(not CRS_CORPUS.is_dir(), reason="shared CRS corpus not present")
def test_whole_crs_corpus_reads_cleanly():
    files = sorted(CRS_CORPUS.glob("*/*.md"))
    assert len(files) >= 90
    for path in files:
        art = read(path)
        assert art.title and art.title != path.stem, path.name
        for key in ("report_number", "date", "url"):
            assert art.metadata.get(key), (path.name, key)
        assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", art.metadata["date"])
        assert len(art.sections) >= 2, path.name
        assert_no_debris(art)
        check_offsets(art)
        assert "Highcharts.setOptions" not in art.text, path.name


# ---------------------------------------------------------------------------
# Generic Markdown

GENERIC = textwrap.dedent(
    """\
    ---
    title: "Field Notes: Spring"
    author: [Ada Lovelace, Grace Hopper]
    date: 2024-03-05
    source: https://example.org/notes
    tags:
      - field
      - spring
    ---
    # Field Notes: Spring

    Intro with a [link](https://example.org/x "t") and *emphasis*, __bold__ and `code_span`.

    ## Lists

    - first
      - nested **item**
        - deeper
    - second

    3. three
    4. four

    > A quoted *line*
    > that continues.

    | Name | Value |
    |------|------:|
    | alpha | 1 |
    | [beta](http://b.example) | 2 |

    ```python
    def f():
        return "**not emphasis**"
    ```

        indented code

    ![A map of the valley](img/map.png)

    Setext heading
    --------------

    Last words with a <span>tag</span>.

    <div>A raw block<script>steal("cookie")</script></div>
    """
)


def generic() -> Article:
    return read_markdown(GENERIC, "notes", {"source": "notes.md", "format": "md"})


def test_front_matter_becomes_metadata_not_text():
    art = generic()
    assert art.title == "Field Notes: Spring"
    assert art.metadata["authors"] == ["Ada Lovelace", "Grace Hopper"]
    assert art.metadata["date"] == "2024-03-05"
    assert art.metadata["url"] == "https://example.org/notes"
    assert art.metadata["topics"] == ["field", "spring"]
    assert art.metadata["source"] == "notes.md"  # the front matter does not override the file
    assert "title:" not in art.text and "---" not in art.text
    # The first heading repeats the title: it is not part of the text.
    assert not art.text.startswith("Field Notes")


def test_inline_markup_and_link_targets_are_removed():
    art = generic()
    assert blocks(art)[0] == "Intro with a link and emphasis, bold and code_span."
    assert "example.org" not in art.text


def test_lists_keep_nesting_and_ordered_numbers():
    art = generic()
    items = [(art.block_text(b), b.level) for b in art.blocks if b.kind == "list_item"]
    assert items == [
        ("first", 0),
        ("nested item", 1),
        ("deeper", 2),
        ("second", 0),
        ("3. three", 0),
        ("4. four", 0),
    ]


def test_quotes_tables_code_and_images():
    art = generic()
    assert blocks(art, "quote") == ["A quoted line that continues."]
    assert blocks(art, "table") == ["Name | Value\nalpha | 1\nbeta | 2"]
    code = blocks(art, "code")
    assert len(code) == 2
    assert code[0] == 'def f():\n    return "**not emphasis**"'  # indentation kept
    assert code[1] == "indented code"
    assert blocks(art, "caption") == ["A map of the valley"]


def test_headings_make_sections_with_levels():
    art = generic()
    heads = [(art.block_text(b), b.level) for b in art.blocks if b.kind == "heading"]
    assert heads == [("Lists", 2), ("Setext heading", 2)]
    assert [s.title for s in art.sections] == ["Field Notes: Spring", "Lists", "Setext heading"]
    assert art.section_text(art.sections[-1]) == "Setext heading\n\nLast words with a tag.\n\nA raw block"
    assert "steal" not in art.text


def test_generic_offsets_are_exact():
    check_offsets(generic())


def test_document_without_front_matter_takes_title_from_first_heading():
    art = read_markdown("# Only Title\n\nBody text.\n\n## Part\n\nMore.\n", "x", {})
    assert art.title == "Only Title"
    assert art.text == "Body text.\n\nPart\n\nMore."
    assert [s.title for s in art.sections] == ["Only Title", "Part"]


def test_plain_prose_is_not_mistaken_for_a_report_page():
    # Short lines without punctuation are headings only in the report page shape.
    raw = "Some intro text here.\n\nShort line\n\nMore prose follows here.\n"
    art = read_markdown(raw, "x", {})
    assert [b.kind for b in art.blocks] == ["paragraph"] * 3


def test_a_horizontal_rule_at_the_top_without_yaml_is_text():
    raw = "---\nJust a line: not yaml? yes\n\nbody\n"
    art = read_markdown(raw, "x", {})
    assert "body" in art.text


def test_terminal_control_in_markdown_is_removed():
    art = read_markdown("# T\n\nred \x1b[31mtext\x1b[0m here\n", "x", {})
    assert art.text == "red text here"


@pytest.mark.parametrize(
    "value, expected",
    [
        ("04/10/2026", "2026-04-10"),
        ("2024-03-05T10:00:00Z", "2024-03-05"),
        ("April 10, 2026", "2026-04-10"),
        ("10 April 2026", "2026-04-10"),
        ("13/45/2026", None),
        ("soon", None),
    ],
)
def test_iso_date(value, expected):
    assert iso_date(value) == expected


_MD_PIECES = st.sampled_from(
    ["# ", "## ", "- ", "  - ", "1. ", "> ", "| a | b |\n|---|---|\n| c | d |", "```\n", "    ",
     "**", "_", "[x](http://e)", "![alt](i.png)", "---\n", "\n", "\n\n", "word ", "Overview",
     "**Report No.:** R1\n", "| **Topics:** | T\n", "(R1)", "<b>", "</p>", "\x1b[2J", "\t"]
)


@settings(max_examples=150, deadline=None)
@given(st.lists(_MD_PIECES | st.text(max_size=12), max_size=40))
def test_any_input_gives_consistent_offsets(pieces):
    art = read_markdown("".join(pieces), "fuzz", {})
    check_offsets(art)
    assert "\x1b" not in art.text
