"""The HTML reader: a page's article becomes blocks and sections, its
furniture and scripts do not, and sloppy or empty pages still give their text."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from index.model import Article
from index.readers.html import read_html

SECRET = "EXFILTRATE_TOKEN_42"

PAGE = f"""<!DOCTYPE html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <title>Harbor dredging to start in May | The Coastal Ledger</title>
  <meta property="og:title" content="Harbor dredging to start in May">
  <meta name="author" content="Maria Quint">
  <meta property="article:published_time" content="2024-04-02T08:15:00Z">
  <meta property="og:url" content="https://ledger.example/harbor-dredging">
  <meta property="og:site_name" content="The Coastal Ledger">
  <script>window.analytics = "{SECRET}"; document.write("<p>injected</p>");</script>
  <style>p {{ color: red; }} .promo::after {{ content: "STYLE TEXT"; }}</style>
</head>
<body>
  <header class="site"><a href="/">The Coastal Ledger</a> <span>Subscribe now</span></header>
  <nav><ul><li><a href="/news">News</a></li><li><a href="/sport">Sport</a></li></ul></nav>
  <main>
    <article>
      <header><h1>Harbor dredging to start in May</h1><p class="byline">By Maria Quint</p></header>
      <p>The port authority will begin dredging the <a href="/channel">main channel</a> on May 6,
         officials said on <em>Tuesday</em>.</p>
      <h2>What changes for boaters</h2>
      <p>Three moorings will move for the summer:</p>
      <ul>
        <li>North pier, berths 1&ndash;4</li>
        <li>Fuel dock
          <ul><li>open mornings only</li></ul>
        </li>
      </ul>
      <blockquote><p>We expect minimal disruption.</p></blockquote>
      <figure><img src="map.png" alt=""><figcaption>The dredging zone, marked in red.</figcaption></figure>
      <h3>Schedule</h3>
      <table>
        <tr><th>Phase</th><th>Dates</th></tr>
        <tr><td>Channel</td><td>May 6 &ndash; June 30</td></tr>
        <tr><td>Basin</td><td>July</td></tr>
      </table>
      <pre>tide  0.4 m
wind  NW</pre>
      <script>trackScroll("{SECRET}")</script>
      <aside><p>Related: Ferry fares rise</p></aside>
      <form><label>Email</label><input name="e"><button>Sign up</button></form>
      <footer><p>Share this story</p></footer>
    </article>
  </main>
  <aside><h2>Most read</h2><p>Celebrity news</p></aside>
  <footer><p>&copy; 2024 The Coastal Ledger. All rights reserved.</p></footer>
  <noscript>Please enable JavaScript</noscript>
  <script src="/app.js"></script>
  <script>var x = "{SECRET}";</script>
</body>
</html>
"""


def read(raw: str, article_id: str = "page") -> Article:
    return read_html(raw, article_id, {"source": "page.html", "format": "html"})


def kinds(article: Article) -> list[tuple[str, str, int]]:
    return [(b.kind, article.block_text(b), b.level) for b in article.blocks]


def check_offsets(article: Article) -> None:
    assert "\n\n".join(article.block_text(b) for b in article.blocks) == article.text
    for b in article.blocks:
        assert "\n\n" not in article.block_text(b)


def test_article_blocks_without_page_furniture():
    art = read(PAGE)
    assert kinds(art) == [
        ("paragraph", "By Maria Quint", 0),
        ("paragraph", "The port authority will begin dredging the main channel on May 6, officials said on Tuesday.", 0),
        ("heading", "What changes for boaters", 2),
        ("paragraph", "Three moorings will move for the summer:", 0),
        ("list_item", "North pier, berths 1–4", 0),
        ("list_item", "Fuel dock", 0),
        ("list_item", "open mornings only", 1),
        ("quote", "We expect minimal disruption.", 0),
        ("caption", "The dredging zone, marked in red.", 0),
        ("heading", "Schedule", 3),
        ("table", "Phase | Dates\nChannel | May 6 – June 30\nBasin | July", 0),
        ("code", "tide  0.4 m\nwind  NW", 0),
    ]
    check_offsets(art)
    for furniture in ("Sport", "Subscribe now", "Most read", "Related: Ferry", "Sign up", "Share this story", "All rights reserved", "JavaScript"):
        assert furniture not in art.text


def test_title_and_metadata_from_head():
    art = read(PAGE)
    assert art.title == "Harbor dredging to start in May"
    assert "Harbor dredging to start" not in art.text  # the h1 repeats the title
    assert art.metadata["authors"] == ["Maria Quint"]
    assert art.metadata["date"] == "2024-04-02"
    assert art.metadata["url"] == "https://ledger.example/harbor-dredging"
    assert art.metadata["publisher"] == "The Coastal Ledger"
    assert art.metadata["source"] == "page.html"
    assert [s.title for s in art.sections] == [
        "Harbor dredging to start in May",
        "What changes for boaters",
        "Schedule",
    ]


def test_title_falls_back_to_h1_then_title_tag():
    art = read("<html><head><title>Tab text</title></head><body><h1>Real headline</h1><p>Body.</p></body></html>")
    assert art.title == "Real headline"
    assert art.text == "Body."
    art = read("<html><head><title>Only the tab</title></head><body><p>Body.</p></body></html>")
    assert art.title == "Only the tab"


def test_script_and_style_contents_never_appear():
    for raw in (
        PAGE,
        # No <article>, a nav that never closes: the fallback keeps all text but still no script.
        f"<body><nav>Menu<script>var s='{SECRET}';</script><p>Kept text.<style>.a{{}}</style>",
        f"<p>Before</p><script>if (a < b) {{ document.write('</p><p>{SECRET}</p>'); }}</script><p>After</p>",
        f"<p>Unclosed script follows<script>alert('{SECRET}')",
    ):
        art = read(raw)
        assert SECRET not in art.text
        assert "document.write" not in art.text and "STYLE TEXT" not in art.text
        assert SECRET not in art.title


def test_page_without_main_content_gives_whatever_text_exists():
    raw = """<html><head><title>Not found</title></head><body>
      <header><a href="/">Home</a></header>
      <nav><a href="/a">Archive</a> <a href="/b">About us</a></nav>
      <footer>Contact: desk@example.org</footer>
    </body></html>"""
    art = read(raw)
    assert art.title == "Not found"
    assert "Archive" in art.text and "About us" in art.text
    assert "desk@example.org" in art.text
    check_offsets(art)


def test_page_with_no_text_at_all_gives_an_empty_article():
    art = read("<html><head><script>var a = 1;</script></head><body>  <nav> </nav></body></html>")
    assert art.text == ""
    assert art.blocks == [] and art.sections == []


def test_broken_markup_still_yields_text():
    raw = """<html><body><div class="content">
      <h2>Unclosed things
      <p>First paragraph <b>bold never closed
      <p>Second paragraph</span></i>
      <ul><li>one<li>two</ul>
      <table><tr><td>a<td>b<tr><td>c</table>
      </div></div></div>
      <p>Tail &amp; end &#8212; done"""
    art = read(raw)
    texts = [t for _, t, _ in kinds(art)]
    assert "First paragraph bold never closed" in texts
    assert "Second paragraph" in texts
    assert "one" in texts and "two" in texts
    assert "a | b\nc" in texts
    assert texts[-1] == "Tail & end — done"
    check_offsets(art)


def test_nested_list_depth_and_text_outside_blocks():
    raw = "<body>Loose text<ol><li>A<ol><li>B<ol><li>C</li></ol></li></ol></li></ol>tail</body>"
    art = read(raw)
    assert kinds(art) == [
        ("paragraph", "Loose text", 0),
        ("list_item", "A", 0),
        ("list_item", "B", 1),
        ("list_item", "C", 2),
        ("paragraph", "tail", 0),
    ]


def test_terminal_control_in_html_is_removed():
    art = read("<p>red \x1b[31mtext\x1b[0m &#27;[2J here</p>")
    assert "\x1b" not in art.text
    assert art.text.startswith("red text")


_HTML_PIECES = st.sampled_from(
    ["<p>", "</p>", "<li>", "<ul>", "</ul>", "<table><tr><td>", "</td>", "<pre>", "</pre>", "<h2>", "</h2>",
     "<nav>", "<article>", "<script>", "</script>", "<!--", "-->", "&amp;", "&#0;", "<br>", "text ", "\n\n"]
)


@settings(max_examples=150, deadline=None)
@given(st.lists(_HTML_PIECES | st.text(max_size=12), max_size=40))
def test_any_markup_gives_consistent_offsets(pieces):
    art = read("".join(pieces))
    check_offsets(art)
