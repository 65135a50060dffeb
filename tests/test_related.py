"""Related passages: sections of other articles like a given section."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from index.briefing import Briefing, BriefingError
from index.model import ArticleBuilder
from index.search import SearchIndex
from tui.cli import main

REPO = Path(__file__).resolve().parent.parent
SEED_0 = "000_ec491110502b415f"  # the export-control reversal, as news
SEED_1 = "001_a4290ce710fe2db0"  # the same story, longer, with sections

DISTRACTORS = {
    "bread.md": "# Sourdough at home\n\n## Starter\n\nFeed the starter with flour and water every day; "
    "a lively starter doubles in a few hours.\n\n## Baking\n\nBake the loaf in a hot oven with steam "
    "for a crisp crust and an open crumb.\n",
    "football.md": "# The derby\n\n## Match report\n\nThe home side scored twice in the second half; "
    "the visitors' defence collapsed after the break.\n\n## Transfers\n\nThe club is expected to sign "
    "a new striker before the window closes.\n",
    "chips.md": "# Chip exports and the global market\n\n## Trade\n\nSemiconductor companies export "
    "chips to a global market; governments watch the trade closely.\n",
}


@pytest.fixture
def briefing(tmp_path, home):
    folder = tmp_path / "brief"
    shutil.copytree(REPO / "seeds", folder)
    for name, text in DISTRACTORS.items():
        (folder / name).write_text(text, encoding="utf-8")
    b = Briefing.open(folder, home)
    b.refresh()
    yield b
    b.close()


def test_related_of_seed_reaches_the_same_story(briefing):
    hits = briefing.related(SEED_0)
    assert hits, "nothing related"
    assert hits[0].article_id == SEED_1
    assert all(h.article_id != SEED_0 for h in hits)
    # The two passages allowed per article come from the other telling of the story.
    assert [h.article_id for h in hits[:2]] == [SEED_1, SEED_1]
    # Unrelated articles (bread, football) share no key terms: never listed.
    assert not {h.article_id for h in hits} & {"bread", "football"}


def test_related_of_a_section_and_its_reason(briefing):
    article = briefing.article(SEED_0)
    for section in article.sections:
        hits = briefing.related(SEED_0, section.id)
        if hits:
            break
    assert hits[0].article_id == SEED_1
    for hit in hits:
        assert hit.reason.startswith("shared terms: ")
        terms = hit.reason.removeprefix("shared terms: ").split(", ")
        assert 2 <= len(terms) <= 5
        other = briefing.article(hit.article_id)
        text = other.text.lower()
        src = article.text.lower()
        for term in terms:
            assert term in src  # the term is the source's word ...
        # ... and the hit's offsets light words of its own section.
        sec = other.section_by_id(hit.section_id)
        assert hit.offsets and all(sec.start <= a < b <= sec.end for a, b in hit.offsets)
        assert all(text[a:b] for a, b in hit.offsets)
        assert hit.snippet and "\n" not in hit.snippet


def test_reason_names_the_story_not_everyday_words(briefing):
    hits = briefing.related(SEED_0)
    terms = set(hits[0].reason.removeprefix("shared terms: ").split(", "))
    assert terms & {"anthropic", "mythos", "fable", "export", "exports", "controls", "restrictions"}
    # Frequent everyday words in both texts are not "key terms".
    assert not terms & {"just", "now", "most", "without", "off", "said", "new"}


def test_unknown_article_or_section_is_an_error(briefing):
    with pytest.raises(BriefingError):
        briefing.related("no-such-article")
    with pytest.raises(BriefingError):
        briefing.related(SEED_0, "s999")


def test_nothing_related_gives_empty_list(tmp_path):
    b = ArticleBuilder("lonely", "Quokkas")
    b.add("paragraph", "Quokkas live on Rottnest island and smile for photographs.")
    lonely = b.build()
    b = ArticleBuilder("other", "Tax")
    b.add("paragraph", "The budget raised income tax thresholds for pensioners.")
    other = b.build()
    ix = SearchIndex(tmp_path / "ix")
    ix.open()
    ix.update([lonely, other])
    articles = {"lonely": lonely, "other": other}
    assert ix.related("lonely", None, articles.get) == []
    ix.close()


def run(*args: str):
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def test_cli_related(briefing):
    folder = str(briefing.root)
    briefing.close()
    result = run("related", "-b", folder, SEED_0, "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["hits"][0]["article_id"] == SEED_1
    assert data["hits"][0]["reason"].startswith("shared terms: ")
    plain = run("related", "-b", folder, SEED_0)
    assert plain.exit_code == 0
    assert "shared terms:" in plain.stdout
    assert run("related", "-b", folder, "no-such-article").exit_code == 2
    assert run("related", "-b", folder, SEED_0, "--section", "s999").exit_code == 2
    # Nothing like the bread article elsewhere: exit 1.
    assert run("related", "-b", folder, "bread").exit_code == 1
