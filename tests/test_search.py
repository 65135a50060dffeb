"""Search index: query language, ranking, highlighting, updates and recovery."""

from __future__ import annotations

import pathlib
import threading

import pytest

from index.model import Article, ArticleBuilder
from index.search import SearchIndex

SEEDS = pathlib.Path(__file__).resolve().parent.parent / "seeds"


def make(article_id: str, title: str, sections: list[tuple[str | None, list[str]]]) -> Article:
    """An article from (heading, paragraphs) pairs; heading None = opening text."""
    b = ArticleBuilder(article_id, title)
    for heading, paragraphs in sections:
        if heading:
            b.add("heading", heading, 2)
        for p in paragraphs:
            b.add("paragraph", p)
    return b.build()


class Briefing:
    """An index plus the articles it was built from."""

    def __init__(self, path: pathlib.Path, articles: list[Article]):
        self.articles = {a.id: a for a in articles}
        self.index = SearchIndex(path)
        self.notice = self.index.open()
        self.index.update(articles)

    def search(self, query: str, **kw):
        kw.setdefault("get_article", self.articles.get)
        return self.index.search(query, **kw)

    def matched(self, hit) -> list[str]:
        text = self.articles[hit.article_id].text
        return [text[a:b] for a, b in hit.offsets]


FILLER = (
    "The committee met on Tuesday and reviewed the schedule for the coming months, "
    "including the hearings that members had asked for in the spring."
)


@pytest.fixture
def briefing(tmp_path):
    articles = [
        make(
            "trade",
            "Trade policy review",
            [
                (None, ["An overview of the year in trade. " + FILLER]),
                ("Export controls", ["The agency exported fewer chips after new export controls took effect."]),
                ("Tariffs on steel", ["Tariffs on steel imports rose sharply. " + FILLER]),
                ("Aluminium", ["Tariffs on aluminium were unchanged; steel was not discussed here."]),
            ],
        ),
        make(
            "energy",
            "Energy outlook",
            [
                (None, ["Controls on export of crude oil were debated at length. " + FILLER]),
                ("Background", ["The government regulates pipelines; regulatory review is slow."]),
                ("Exports", ["Gas exports grew while the goverment studied new rules."]),
            ],
        ),
        make(
            "zebra",
            "Zebra crossings and road safety",
            [(None, ["Pedestrian safety depends on visible markings. " + FILLER])],
        ),
    ]
    b = Briefing(tmp_path / "ix", articles)
    yield b
    b.index.close()


def keys(result) -> list[tuple[str, str]]:
    return [(h.article_id, h.section) for h in result.hits]


# -- basics -------------------------------------------------------------------


def test_fresh_index_gives_notice_and_needs_rebuild(tmp_path):
    ix = SearchIndex(tmp_path / "new")
    notice = ix.open()
    assert notice and "\n" not in notice
    assert ix.needs_rebuild()
    ix.update([make("a", "Alpha", [(None, ["words here"])])])
    assert not ix.needs_rebuild()
    assert ix.article_ids() == {"a"}
    ix.close()
    again = SearchIndex(tmp_path / "new")
    assert again.open() is None
    assert not again.needs_rebuild()
    assert again.article_ids() == {"a"}
    again.close()


def test_stemming_finds_all_word_forms(briefing):
    for query in ("export", "exports", "exported"):
        r = briefing.search(query)
        assert r.error is None
        found = set(keys(r))
        assert ("trade", "Export controls") in found
        assert ("energy", "Exports") in found
        for hit in r.hits:
            for word in briefing.matched(hit):
                assert word.lower() in {"export", "exports", "exported"}


def test_hit_fields(briefing):
    r = briefing.search("steel imports")
    hit = r.hits[0]
    assert (hit.article_id, hit.section_id, hit.section) == ("trade", "s2", "Tariffs on steel")
    assert hit.title == "Trade policy review"
    assert hit.kind == "section"
    assert hit.score > 0
    assert r.total >= 1
    assert "steel" in r.terms


def test_phrase_matches_adjacent_words_only(briefing):
    r = briefing.search('"export controls"')
    assert r.error is None
    assert keys(r) == [("trade", "Export controls")]  # energy has "controls on export"
    assert [w.lower() for w in briefing.matched(r.hits[0])] == ["export controls"] * 2  # heading + text
    loose = briefing.search("export controls")
    assert ("energy", "Energy outlook") in keys(loose)


def test_and_or_not(briefing):
    both = briefing.search("tariffs AND steel")
    assert set(keys(both)) == {("trade", "Tariffs on steel"), ("trade", "Aluminium")}
    either = briefing.search("pipelines OR pedestrian")
    assert set(keys(either)) == {("energy", "Background"), ("zebra", "Zebra crossings and road safety")}
    without = briefing.search("tariffs NOT aluminium")
    assert keys(without) == [("trade", "Tariffs on steel")]
    assert "aluminium" not in [w.lower() for h in without.hits for w in briefing.matched(h)]


def test_title_and_section_fields(briefing):
    r = briefing.search("title:zebra")
    assert keys(r) == [("zebra", "Zebra crossings and road safety")]
    # "zebra" is only in the title, not in the text.
    assert "zebra" not in briefing.articles["zebra"].text.lower()
    sec = briefing.search("section:background")
    assert keys(sec) == [("energy", "Background")]
    spaced = briefing.search("section: background")
    assert keys(spaced) == [("energy", "Background")]
    # Words in a field query must all be in that field.
    assert briefing.search("title:energy AND title:zebra").hits == []


def test_prefix(briefing):
    r = briefing.search("regulat*")
    assert keys(r) == [("energy", "Background")]
    assert [w.lower() for w in briefing.matched(r.hits[0])] == ["regulates", "regulatory"]


def test_fuzzy(briefing):
    r = briefing.search("pedestrain~")
    assert keys(r) == [("zebra", "Zebra crossings and road safety")]
    assert [w.lower() for w in briefing.matched(r.hits[0])] == ["pedestrian"]
    # A typo without ~ finds nothing but says what was meant.
    plain = briefing.search("pedestrain")
    assert plain.hits == [] and plain.suggestion == "pedestrian"


def test_sections_with_all_words_rank_first(tmp_path):
    # "quokka" is rare and repeated in short sections, so by summed scores the
    # one-word sections would outrank the long one holding both words.
    articles = [
        make(f"q{i}", f"Note {i}", [(None, ["quokka quokka quokka quokka island"])]) for i in range(4)
    ]
    articles += [make(f"m{i}", f"Misc {i}", [(None, [f"marsupial survey number {i}. " + FILLER])]) for i in range(6)]
    articles.append(make("both", "Field trip", [(None, [FILLER + " A quokka is a marsupial. " + FILLER])]))
    b = Briefing(tmp_path / "ix", articles)
    r = b.search("quokka marsupial", limit=20)
    ids = [h.article_id for h in r.hits]
    assert ids[0] == "both"
    assert r.total == len(articles)
    # Plain OR scoring alone would not put it first (so the test can fail).
    r_or = b.search("quokka OR marsupial", limit=20)
    assert r_or.hits[0].article_id != "both"


def test_hits_per_article_are_capped_but_counted(tmp_path):
    big = make("big", "Budget book", [(f"Part {i}", [f"The budget for part {i}."]) for i in range(8)])
    small = [make(f"s{i}", f"Memo {i}", [(None, ["A short budget memo."])]) for i in range(3)]
    b = Briefing(tmp_path / "ix", [big, *small])
    r = b.search("budget", limit=10, per_article=3)
    assert sum(h.article_id == "big" for h in r.hits) == 3
    assert {h.article_id for h in r.hits} == {"big", "s0", "s1", "s2"}
    assert r.total == 8 + 3  # every matching section is counted, capped or not


# -- highlighting -----------------------------------------------------------


def test_offsets_point_at_matched_words(briefing):
    r = briefing.search("tariffs steel")
    assert r.hits
    for hit in r.hits:
        words = briefing.matched(hit)
        assert words, hit
        assert {w.lower() for w in words} <= {"tariffs", "steel"}
        article = briefing.articles[hit.article_id]
        section = article.section_by_id(hit.section_id)
        assert all(section.start <= a < b <= section.end for a, b in hit.offsets)
        assert hit.offsets == sorted(hit.offsets)


def test_snippet_spans_point_at_matched_words(tmp_path):
    long = " ".join(["Filler words about nothing much in particular."] * 30)
    art = make("long", "Long read", [(None, [long + " The walrus surfaced near the ice. " + long])])
    b = Briefing(tmp_path / "ix", [art])
    r = b.search("walrus ice")
    hit = r.hits[0]
    assert hit.snippet.startswith("…") and hit.snippet.endswith("…")
    assert len(hit.snippet) <= 230
    assert "\n" not in hit.snippet
    assert [hit.snippet[a:b].lower() for a, b in hit.snippet_spans] == ["walrus", "ice"]
    assert [w.lower() for w in b.matched(hit)] == ["walrus", "ice"]


def test_snippet_of_short_section_is_whole_and_one_line(briefing):
    r = briefing.search("aluminium")
    hit = [h for h in r.hits if h.section == "Aluminium"][0]
    assert hit.snippet == "Aluminium · Tariffs on aluminium were unchanged; steel was not discussed here."
    assert [hit.snippet[a:b] for a, b in hit.snippet_spans] == ["Aluminium", "aluminium"]


# -- malformed and natural-language queries ------------------------------------


@pytest.mark.parametrize(
    "query, mentions",
    [
        ("(((", "((("),
        ("title:", "title:"),
        ("section:", "section:"),
        ("AND", "AND"),
        ("NOT", "NOT"),
        ("*", "*"),
        ("NOT steel", "NOT steel"),
        ("the of and", "the of and"),
        ("", ""),
        ("   ", ""),
        (")))", ")))"),
        ("\"", ""),
    ],
)
def test_malformed_query_gives_one_line_error(briefing, query, mentions):
    r = briefing.search(query)
    assert r.hits == [] and r.total == 0
    assert isinstance(r.error, str) and r.error
    assert "\n" not in r.error
    assert mentions in r.error


@pytest.mark.parametrize(
    "query",
    ['"export controls', 'steel "imports', "tariffs AND", "OR steel", "steel)", "(steel", "steel^2",
     "[steel TO", "foo:steel", "steel:", "c++ steel", "steel && tariffs", "~steel", "steel~9"],
)
def test_odd_queries_are_read_as_words(briefing, query):
    r = briefing.search(query)
    assert r.error is None, r.error
    assert r.hits, query


def test_unclosed_quote_searches_the_words(briefing):
    r = briefing.search('"export controls')
    assert ("trade", "Export controls") in keys(r)


def test_natural_language_question(briefing):
    r = briefing.search("What are the effects of tariffs on steel imports?")
    assert r.error is None
    assert keys(r)[0] == ("trade", "Tariffs on steel")
    r2 = briefing.search("Note: how does the government regulate pipelines (and gas)?")
    assert r2.error is None
    assert keys(r2)[0] == ("energy", "Background")


# -- updates -----------------------------------------------------------------


def test_update_replaces_changed_and_removes_deleted(briefing):
    ix = briefing.index
    assert briefing.search("pedestrian").hits
    changed = make("trade", "Trade policy review", [(None, ["Only walruses live here now."])])
    briefing.articles["trade"] = changed
    ix.update([changed], removed_ids=["zebra"])
    del briefing.articles["zebra"]
    assert briefing.search("tariffs").hits == []
    assert briefing.search("steel").total == 0
    assert keys(briefing.search("walruses")) == [("trade", "Trade policy review")]
    assert briefing.search("pedestrian").hits == []
    assert ix.article_ids() == {"trade", "energy"}


def test_progress_is_reported(tmp_path):
    ix = SearchIndex(tmp_path / "ix")
    ix.open()
    seen = []
    arts = [make(f"a{i}", f"T{i}", [(None, ["text"])]) for i in range(3)]
    ix.update(arts, progress=lambda done, total: seen.append((done, total)))
    assert seen == [(1, 3), (2, 3), (3, 3)]
    ix.close()


def test_many_small_updates_keep_few_segments(tmp_path):
    ix = SearchIndex(tmp_path / "ix")
    ix.open()
    ix.update([make(f"a{i}", f"T{i}", [(None, [f"common word{i}"])]) for i in range(50)])
    for i in range(12):
        ix.update([make(f"a{i}", f"T{i}", [(None, [f"common changed{i}"])])])
        assert ix.segment_count() <= 4
    r = ix.search("common", limit=100)
    assert r.total == 50
    assert ix.search("changed11").total == 1 and ix.search("word11").total == 0
    ix.close()


def test_search_during_update_from_other_thread(briefing):
    errors = []
    more = [make(f"x{i}", f"Extra {i}", [(None, [f"steel note {i}. " + FILLER])]) for i in range(40)]

    def searcher():
        for _ in range(30):
            try:
                r = briefing.index.search("steel", get_article=lambda _id: None)
                assert r.error is None
            except Exception as exc:  # pragma: no cover - the failure we look for
                errors.append(exc)

    t = threading.Thread(target=searcher)
    t.start()
    for i in range(0, 40, 10):
        briefing.index.update(more[i : i + 10])
    t.join()
    assert errors == []
    assert briefing.index.search("steel", limit=100).total == 2 + 40


# -- recovery ----------------------------------------------------------------


def _garble(path: pathlib.Path) -> None:
    for f in path.iterdir():
        if f.is_file():
            data = f.read_bytes()
            f.write_bytes(bytes((b * 7 + 13) % 256 for b in data[: len(data) // 2]))


@pytest.mark.parametrize("damage", ["garble", "truncate", "delete_toc"])
def test_corrupt_index_is_rebuilt(tmp_path, damage):
    art = make("a", "Alpha report", [(None, ["Walruses and narwhals."])])
    b = Briefing(tmp_path / "ix", [art])
    b.index.close()
    ixdir = tmp_path / "ix"
    if damage == "garble":
        _garble(ixdir)
    elif damage == "truncate":
        for f in ixdir.iterdir():
            if f.is_file():
                f.write_bytes(b"")
    else:
        for f in ixdir.glob("*.toc"):
            f.unlink()
    ix = SearchIndex(ixdir)
    notice = ix.open()
    assert notice and "rebuilt" in notice and "\n" not in notice
    assert ix.needs_rebuild()
    assert ix.search("walruses").hits == []
    ix.update([art])
    assert ix.search("walruses", get_article={"a": art}.get).hits[0].article_id == "a"
    ix.close()


def test_old_schema_version_is_rebuilt(tmp_path, monkeypatch):
    art = make("a", "Alpha report", [(None, ["Walruses and narwhals."])])
    Briefing(tmp_path / "ix", [art]).index.close()
    monkeypatch.setattr(SearchIndex, "SCHEMA_VERSION", SearchIndex.SCHEMA_VERSION + 1)
    ix = SearchIndex(tmp_path / "ix")
    notice = ix.open()
    assert notice and "rebuilt" in notice
    assert ix.needs_rebuild() and ix.article_ids() == set()
    ix.close()


# -- did you mean --------------------------------------------------------------


def seed_articles() -> list[Article]:
    """The bundled seed files, split naively: a short line without a final
    period is a heading, anything else a paragraph."""
    out = []
    for path in sorted(SEEDS.glob("*.txt")):
        lines = [ln.strip() for ln in path.read_text("utf-8").splitlines() if ln.strip()]
        b = ArticleBuilder(path.stem, lines[0][:100])
        for ln in lines:
            heading = len(ln) < 70 and not ln.endswith((".", "…", "?", "!"))
            b.add("heading" if heading else "paragraph", ln, 2)
        out.append(b.build())
    return out


@pytest.fixture
def seeds(tmp_path):
    b = Briefing(tmp_path / "ix", seed_articles())
    yield b
    b.index.close()


def test_did_you_mean(seeds):
    assert seeds.index.suggest("expot controls") == "export controls"
    assert seeds.index.suggest("Anthropc") == "Anthropic"
    assert seeds.index.suggest("export controls") is None
    assert seeds.index.suggest("zzzzqqq") is None


def test_search_reports_suggestion(seeds):
    r = seeds.search("Anthropc")
    assert r.hits == [] and r.suggestion == "Anthropic"
    r = seeds.search("expot controls")
    assert r.suggestion == "export controls"
    assert seeds.search(r.suggestion).hits


def test_seed_search_highlights(seeds):
    r = seeds.search('"export controls"')
    assert r.hits and r.error is None
    forms = {"export controls", "export control"}  # stemmed phrase
    for hit in r.hits:
        assert {w.lower() for w in seeds.matched(hit)} <= forms
        assert {hit.snippet[a:b].lower() for a, b in hit.snippet_spans} <= forms
        assert hit.snippet_spans


# -- ranking: title and heading words, long questions, counts -------------------


def test_title_and_heading_words_count_more(tmp_path):
    text = "Imports of steel were discussed alongside many other matters. " + FILLER
    plain = make("plain", "Weekly digest", [("Other matters", [text])])
    titled = make("titled", "Steel weekly", [("Other matters", [text])])
    b = Briefing(tmp_path / "a", [plain, titled])
    assert [h.article_id for h in b.search("steel").hits] == ["titled", "plain"]
    b.index.close()
    # A section headed by the word beats the same text under another heading.
    two = make("two", "Weekly digest", [("Other matters", [text]), ("Steel", [text])])
    b = Briefing(tmp_path / "b", [two])
    assert [h.section for h in b.search("steel").hits] == ["Steel", "Other matters"]
    b.index.close()


def test_long_question_ranks_by_its_words_without_all_words_tier(tmp_path):
    # No section holds all the words of a long question: the one holding the
    # most specific of them comes first, and a section with common words only last.
    articles = [
        make("spec", "Notes", [(None, ["Laminar boundary layer transition on swept wings at hypersonic speed."])]),
        make("common", "Notes", [(None, ["The effect of speed on flow. " + FILLER])]),
        make("other", "Notes", [(None, ["Turbulent flow measurements in pipes. " + FILLER])]),
    ]
    b = Briefing(tmp_path / "ix", articles)
    r = b.search("what is the effect of laminar boundary layer transition on flow at hypersonic speed?")
    assert r.error is None
    assert [h.article_id for h in r.hits][0] == "spec"
    assert r.total == 3


def test_total_of_very_common_words_is_estimated_closely(tmp_path, monkeypatch):
    articles = [make(f"a{i}", f"Memo {i}", [(None, [f"The budget memo number {i}. " + FILLER])]) for i in range(30)]
    articles += [make(f"b{i}", f"Note {i}", [(None, ["Nothing about money here. " + FILLER])]) for i in range(10)]
    b = Briefing(tmp_path / "ix", articles)
    exact = b.search("budget", limit=5)
    assert exact.total == 30
    monkeypatch.setattr(SearchIndex, "EXACT_COUNT_MAX", 0)
    estimated = b.search("budget", limit=5)
    assert [h.article_id for h in estimated.hits] == [h.article_id for h in exact.hits]
    assert estimated.total == 30  # one term: its document frequency
    both = b.search("budget money", limit=5)
    # True count 40; an estimate lies between the bigger term's count and the sum.
    assert 30 <= both.total <= 40
    b.index.close()


def test_ranking_without_snippets_is_the_same_and_loads_no_article(briefing):
    loaded = []

    def get_article(article_id):
        loaded.append(article_id)
        return briefing.articles.get(article_id)

    full = briefing.search("tariffs steel exports", limit=50)
    bare = briefing.index.search("tariffs steel exports", limit=50, get_article=get_article, snippets=False)
    assert [(h.article_id, h.section_id, h.section) for h in bare.hits] == [
        (h.article_id, h.section_id, h.section) for h in full.hits
    ]
    assert bare.total == full.total
    assert all(h.snippet == "" and h.offsets == [] for h in bare.hits)
    assert loaded == []


# -- metadata fields -------------------------------------------------------------


@pytest.fixture
def dated(tmp_path):
    def with_meta(article, **meta):
        article.metadata.update(meta)
        return article

    articles = [
        with_meta(make("smith", "Quarterly trade", [(None, ["Tariffs rose again."])]),
                  authors=["Jane Smith", "Ali Khan"], date="2026-03-14"),
        with_meta(make("jones", "Annual trade", [(None, ["Tariffs fell slightly."])]),
                  authors=["Bob Jones"], date="2025-02-01T09:30:00Z"),
        make("undated", "Trade notes", [(None, ["Tariffs were unchanged."])]),
    ]
    b = Briefing(tmp_path / "ix", articles)
    yield b
    b.index.close()


@pytest.mark.parametrize(
    "query, expected",
    [
        ("author:smith", {"smith"}),
        ("author:Khan", {"smith"}),
        ("author:jones", {"jones"}),
        ("date:2026", {"smith"}),
        ("date:2025-02", {"jones"}),
        ("date:2025-02-01", {"jones"}),
        ("date:[2025-01-01 TO 2025-12-31]", {"jones"}),
        ("date:[2025 TO 2026-06-30]", {"smith", "jones"}),
        ("date:[2026-01-01 TO]", {"smith"}),
        ("tariffs AND date:2026", {"smith"}),
        ("tariffs NOT author:smith", {"jones", "undated"}),
    ],
)
def test_author_and_date_fields(dated, query, expected):
    r = dated.search(query)
    assert r.error is None, r.error
    assert {h.article_id for h in r.hits} == expected


def test_metadata_words_rank_first_among_plain_words(dated):
    r = dated.search("tariffs date:2025")
    assert r.error is None
    assert r.hits[0].article_id == "jones"
    assert {h.article_id for h in r.hits} == {"smith", "jones", "undated"}


@pytest.mark.parametrize("query", ["date:yesterday", "date:[soon TO later]", "date:2026/03"])
def test_bad_dates_are_explained(dated, query):
    r = dated.search(query)
    assert r.hits == [] and r.error and "date" in r.error and "\n" not in r.error


def test_ranges_outside_date_are_words(briefing):
    r = briefing.search("[steel TO tariffs]")
    assert r.error is None
    assert ("trade", "Tariffs on steel") in keys(r)


def test_old_field_words_stay_prose(briefing):
    # "tag: ..." or "author: ..." with a space is prose, as "note: ..." is.
    r = briefing.search("Author: pipelines regulation")
    assert r.error is None and keys(r)[0] == ("energy", "Background")


# -- annotations in the index ---------------------------------------------------------


def annotate(article, quote, **fields):
    from index.annotations import Annotation

    start = article.text.index(quote)
    return Annotation.on_text(article.id, article.text, start, start + len(quote), article.content_hash, **fields)


def test_annotations_are_found_by_note_tag_and_plain_words(briefing):
    trade = briefing.articles["trade"]
    ann = annotate(trade, "Tariffs on steel imports rose sharply", note="Ask the minister about quotas",
                   tags=["followup"])
    other = annotate(briefing.articles["energy"], "Gas exports grew", note="Compare with coal", tags=["energy"])
    ix = briefing.index
    assert ix.update_annotations([ann, other], get_article=briefing.articles.get) == 2
    r = briefing.search("quotas")
    assert [h.kind for h in r.hits] == ["annotation"]
    hit = r.hits[0]
    assert hit.annotation_id == ann.id and hit.article_id == "trade"
    assert hit.section == "Tariffs on steel" and hit.section_id == "s2"
    assert hit.offsets == [(ann.start, ann.end)]
    assert "quotas" in hit.snippet and [hit.snippet[a:b] for a, b in hit.snippet_spans] == ["quotas"]
    assert hit.to_json()["kind"] == "annotation"
    assert [h.annotation_id for h in briefing.search("note:minister").hits] == [ann.id]
    assert [h.annotation_id for h in briefing.search("tag:followup").hits] == [ann.id]
    assert [h.annotation_id for h in briefing.search("tag:FollowUp").hits] == [ann.id]
    assert briefing.search("tag:minister").hits == []
    assert briefing.search("note:tariffs").hits[0].annotation_id == ann.id  # the quote counts as note text
    # Plain words find sections and the annotation on them.
    kinds = {(h.article_id, h.kind) for h in briefing.search("steel imports").hits}
    assert {("trade", "section"), ("trade", "annotation")} <= kinds
    # Annotations do not make an article: only sections do.
    assert ix.article_ids() == {"trade", "energy", "zebra"}


def test_annotation_updates_changes_and_removals(briefing):
    ix = briefing.index
    trade = briefing.articles["trade"]
    ann = annotate(trade, "Tariffs on steel imports rose sharply", note="quotas")
    get = briefing.articles.get
    assert ix.update_annotations([ann], get_article=get) == 1
    assert ix.update_annotations([ann], get_article=get) == 0  # unchanged: nothing written
    ann.note = "walrus sightings"
    assert ix.update_annotations([ann], get_article=get) == 1
    assert briefing.search("quotas").hits == []
    assert briefing.search("walrus").hits[0].annotation_id == ann.id
    # Re-indexing the article keeps its annotations; removing it drops them.
    ix.update([trade])
    assert briefing.search("walrus").hits[0].annotation_id == ann.id
    ix.update_annotations([], removed_ids=[ann.id])
    assert briefing.search("walrus").hits == [] and ix.annotation_ids() == set()
    ix.update_annotations([ann], get_article=get)
    ix.update([], removed_ids=["trade"])
    assert briefing.search("walrus").hits == []


def test_orphaned_annotation_is_found_without_offsets(briefing):
    ann = annotate(briefing.articles["trade"], "Tariffs on steel imports rose sharply", note="walrus")
    ann.state = "orphaned"
    briefing.index.update_annotations([ann], get_article=briefing.articles.get)
    hit = briefing.search("walrus").hits[0]
    assert hit.kind == "annotation" and hit.offsets == []


def test_briefing_indexes_its_annotations(seeds_copy, home):
    from index.briefing import Briefing as RealBriefing

    b = RealBriefing.open(seeds_copy, home)
    b.refresh()
    article_id = "001_a4290ce710fe2db0"
    span = b.find_quote(article_id, "Mythos and Fable")
    ann = b.annotate(article_id, *span, note="check the zeppelin angle", tags=["later"])
    hits = b.search("zeppelin").hits  # searching brings annotations up to date first
    assert [(h.kind, h.annotation_id) for h in hits] == [("annotation", ann.id)]
    assert hits[0].offsets == [span]
    assert b.index_annotations() == 0  # nothing changed since
    b.delete_annotation(ann.id)
    assert b.search("zeppelin").hits == []
    b.close()


# -- every match in an article ---------------------------------------------------------


def test_match_ranges_cover_the_whole_article(briefing):
    trade = briefing.articles["trade"]
    ranges = briefing.index.match_ranges("tariffs steel", trade)
    words = [trade.text[a:b].lower() for a, b in ranges]
    assert words.count("steel") == trade.text.lower().count("steel")
    assert words.count("tariffs") == trade.text.lower().count("tariffs")
    assert ranges == sorted(ranges)
    sections = {trade.section_at(a).id for a, _b in ranges}
    assert len(sections) >= 2  # not only the best section
    # Phrases light the phrase; NOT words are not lit; bad queries light nothing.
    assert [trade.text[a:b] for a, b in briefing.index.match_ranges('"export controls"', trade)] == [
        "Export controls", "export controls"]
    assert "aluminium" not in [trade.text[a:b].lower() for a, b in briefing.index.match_ranges("tariffs NOT aluminium", trade)]
    assert briefing.index.match_ranges("(((", trade) == []
    assert [trade.text[a:b].lower() for a, b in briefing.index.match_ranges("export*", trade)] == [
        "export", "exported", "export"]


def test_briefing_match_ranges(seeds_copy, home):
    from index.briefing import Briefing as RealBriefing

    b = RealBriefing.open(seeds_copy, home)
    b.refresh()
    article = b.article("001_a4290ce710fe2db0")
    ranges = b.match_ranges("mythos", article.id)
    assert len(ranges) == article.text.lower().count("mythos") and ranges
    assert b.match_ranges("mythos", "no-such-article") == []
    b.close()


# -- ranking engine: phrases over common words, totals, same order as Whoosh --


def _treaties(tmp_path) -> Briefing:
    """60 sections with "United States" adjacent, 60 with both words apart."""
    arts = [make(f"p{i:02d}", f"Memo {i}", [(None, [f"The United States signed treaty {i}. " + FILLER])]) for i in range(60)]
    arts += [
        make(f"q{i:02d}", f"Note {i}", [(None, [f"States of the union were united on treaty {i}. " + FILLER])])
        for i in range(60)
    ]
    return Briefing(tmp_path / "ix", arts)


def test_phrase_of_common_words_returns_only_the_phrase(tmp_path, monkeypatch):
    from index.search import _Engine

    b = _treaties(tmp_path)
    exact = b.search('"united states"', limit=10, per_article=1)
    assert exact.error is None and exact.total == 60
    assert len(exact.hits) == 10 and all(h.article_id.startswith("p") for h in exact.hits)
    # Many candidates: positions are checked best first and the total is
    # estimated from a sample of them; the page is the same.
    monkeypatch.setattr(_Engine, "PHRASE_CHECK_ALL", 10)
    monkeypatch.setattr(_Engine, "PHRASE_SAMPLE", 30)
    sampled = b.search('"united states"', limit=10, per_article=1)
    assert keys(sampled) == keys(exact)
    assert 40 <= sampled.total <= 80
    b.index.close()


def test_not_phrase_excludes_only_the_phrase(tmp_path):
    b = _treaties(tmp_path)
    r = b.search('treaty NOT "united states"', limit=100)
    assert r.total == 60
    assert {h.article_id[0] for h in r.hits} == {"q"}
    b.index.close()


def test_total_counts_every_section_with_any_word(tmp_path):
    arts = [make(f"a{i}", f"Memo {i}", [(None, [f"Alpha report {i}. " + FILLER])]) for i in range(50)]
    arts += [make(f"b{i}", f"Memo {i}", [(None, [f"Beta report {i}. " + FILLER])]) for i in range(50)]
    arts += [make(f"c{i}", f"Memo {i}", [(None, [f"Alpha and beta report {i}. " + FILLER])]) for i in range(10)]
    b = Briefing(tmp_path / "ix", arts)
    r = b.search("alpha beta", limit=5)
    assert r.total == 110
    assert all(h.article_id.startswith("c") for h in r.hits)  # both words first
    b.index.close()


def test_ranking_is_the_same_as_whoosh_collector(briefing, tmp_path):
    from index.search import _AND_TIER_MAX_WORDS, _n_words

    ix = briefing.index
    s = ix._searcher
    queries = [
        "tariffs", "export controls", '"export controls"', "tariffs NOT aluminium", "steel OR pipelines",
        "title:trade", "section:background", "export*", "tarifs~", "trade ANDMAYBE steel",
        "what is the effect of tariffs on steel imports?",
    ]
    for query in queries:
        q_and, q_or = ix._compile(query, s.reader())
        tiers = [q_and] if q_or is None else ([q_or] if _n_words(q_or) > _AND_TIER_MAX_WORDS else [q_and, q_or])
        fast, _total, _ = ix._rank(s, tiers, 10, 3, {})
        slow, _total, _ = ix._rank_whoosh(s, s.reader(), tiers, 10, 3, {})
        assert [d for d, _ in fast] == [d for d, _ in slow], query
        assert [round(x, 6) for _, x in fast] == [round(x, 6) for _, x in slow], query


@pytest.mark.parametrize(
    "text",
    [
        "The Federal government's budget: U.S. spending, 2026 and e.g. 3.5 per cent; the the of",
        "İstanbul ΟΔΟΣ Σ.Σ straße ÉCOLE Ünïcödé — “quoted” words, a b c",
        "",
        "a an the of",
        "repeat repeat repeated repeating word word.word word",
    ],
)
@pytest.mark.parametrize("fieldname", ["title", "heading", "body", "note"])
def test_fused_indexing_gives_whooshs_postings(text, fieldname):
    """The fused indexing loop gives the postings Whoosh's own TEXT field gives
    with the same analyzer: same terms, frequencies, weights, encoded positions."""
    from whoosh import fields as wfields

    from index.search import BriefingAnalyzer, _schema

    field = _schema()[fieldname]
    plain = wfields.TEXT(analyzer=BriefingAnalyzer(), field_boost=field.format.field_boost)
    assert list(field.index(text)) == list(plain.index(text))
