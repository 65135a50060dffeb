"""The document model: offsets, sections, normalization."""

from index.model import ArticleBuilder, first_sentence
from index.normalize import clean_inline, strip_controls


def test_offsets_point_at_block_text():
    b = ArticleBuilder("a", title="T")
    b.add("heading", "First  part", level=2)
    b.add("paragraph", "Some\ntext   here.")
    b.add("heading", "Second", level=2)
    b.add("paragraph", "More.")
    art = b.build()
    assert [art.block_text(x) for x in art.blocks] == ["First part", "Some text here.", "Second", "More."]
    assert [s.title for s in art.sections] == ["First part", "Second"]
    assert art.section_text(art.sections[1]) == "Second\n\nMore."


def test_content_before_first_heading_is_an_opening_section():
    b = ArticleBuilder("a", title="The Title")
    b.add("paragraph", "Lede.")
    b.add("heading", "Body", level=2)
    b.add("paragraph", "Text.")
    art = b.build()
    assert [s.title for s in art.sections] == ["The Title", "Body"]


def test_terminal_control_is_removed():
    raw = "Red \x1b[31mtext\x1b[0m and \x1b]52;c;aGVsbG8=\x07clip \x1b]0;title\x1b\\ok\u202e\x07\x00."
    assert clean_inline(raw) == "Red text and clip ok."
    assert "\x1b" not in strip_controls("\x9b31mx")


def test_empty_blocks_are_dropped_and_hash_changes_with_text():
    b = ArticleBuilder("a", title="T")
    assert b.add("paragraph", "  \n ") is None
    b.add("paragraph", "One.")
    h1 = b.build().content_hash
    b2 = ArticleBuilder("a", title="T")
    b2.add("paragraph", "Two.")
    assert b2.build().content_hash != h1


def test_first_sentence_title():
    assert first_sentence("The administration just pulled off a U-turn. More follows.") == (
        "The administration just pulled off a U-turn"
    )


def test_code_keeps_its_indentation_tables_fold_spaces():
    b = ArticleBuilder("a", title="T")
    b.add("code", "def f():\n    return 1\n")
    b.add("table", "a    |   b\nc | d")
    art = b.build()
    assert art.block_text(art.blocks[0]) == "def f():\n    return 1"
    assert art.block_text(art.blocks[1]) == "a | b\nc | d"
