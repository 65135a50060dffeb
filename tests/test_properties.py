"""Property-based tests: hostile or random input never crashes a reader, and
ordinary prose is never lost."""

from __future__ import annotations

from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from index.annotations import ORPHANED, Annotation, reanchor
from index.readers import ReadError, read_file

SUFFIXES = [".txt", ".md", ".html"]
SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def check_offsets(article) -> None:
    for b in article.blocks:
        assert 0 <= b.start < b.end <= len(article.text)
        assert "\n\n" not in article.text[b.start : b.end]
        assert "\x1b" not in article.text[b.start : b.end]
    for s in article.sections:
        assert 0 <= s.start <= s.end <= len(article.text)


@SETTINGS
@given(data=st.binary(max_size=3000), suffix=st.sampled_from(SUFFIXES))
def test_arbitrary_bytes_never_crash_a_reader(data, suffix):
    try:
        article = read_file(Path("x" + suffix), "x", data=data)
    except ReadError as exc:
        assert str(exc) and "\n" not in str(exc)
        return
    check_offsets(article)


@SETTINGS
@given(text=st.text(max_size=2000), suffix=st.sampled_from(SUFFIXES))
def test_arbitrary_text_never_crashes_a_reader(text, suffix):
    try:
        article = read_file(Path("x" + suffix), "x", data=text.encode("utf-8", "surrogatepass"))
    except ReadError:
        return
    check_offsets(article)


WORDS = st.sampled_from(
    "analysts policy export control model chips report agency review market allies data "
    "compute license rule firms officials said would could after before because".split()
)
SENTENCE = st.lists(WORDS, min_size=8, max_size=18).map(lambda ws: " ".join(ws).capitalize() + ".")
PARAGRAPH = st.lists(SENTENCE, min_size=1, max_size=4).map(" ".join)


@SETTINGS
@given(paragraphs=st.lists(PARAGRAPH, min_size=1, max_size=8), suffix=st.sampled_from([".txt", ".md"]))
def test_every_prose_sentence_is_kept(paragraphs, suffix):
    raw = "\n\n".join(paragraphs) + "\n"
    article = read_file(Path("x" + suffix), "x", data=raw.encode())
    flat = " ".join((article.title + " " + article.text).split())
    for para in paragraphs:
        for sentence in para.split(". "):
            assert sentence.rstrip(".") in flat


PROSE = st.lists(SENTENCE, min_size=6, max_size=12).map(" ".join)


@SETTINGS
@given(
    text=PROSE,
    where=st.floats(0, 0.8),
    length=st.integers(10, 60),
    edit_at=st.floats(0, 1),
    edit_len=st.integers(0, 40),
    insert=st.text(alphabet="abc xyz.", max_size=30),
)
def test_random_edits_reanchor_onto_the_quote_or_orphan(text, where, length, edit_at, edit_len, insert):
    start = int(where * (len(text) - length))
    ann = Annotation.on_text("a", text, start, start + length)
    pos = int(edit_at * len(text))
    changed = text[:pos] + insert + text[pos + edit_len :]
    anchor = reanchor(ann, changed)
    if anchor.state == ORPHANED:
        return
    found = changed[anchor.start : anchor.end]
    if anchor.state == "anchored":
        assert found == ann.quote
    else:  # moved: a fuzzy match, close to the quote
        import difflib

        assert difflib.SequenceMatcher(None, ann.quote, found, autojunk=False).ratio() >= 0.75
