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
    assert hit.snippet == "Aluminium Tariffs on aluminium were unchanged; steel was not discussed here."
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
