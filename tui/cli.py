"""The `briefing` command line.

Exit codes: 0 success, 1 nothing found, 2 usage or bad input (message on
stderr). Textual is imported only when the reader opens, so scripted commands
such as ``briefing search`` start quickly.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any, Callable

import click

EXIT_OK, EXIT_NOT_FOUND, EXIT_BAD_INPUT = 0, 1, 2


def _fail(message: str, code: int = EXIT_BAD_INPUT) -> None:
    click.echo(f"briefing: {message}", err=True)
    sys.exit(code)


def _open(briefing_path: str | None, home: str | None):
    from index.briefing import Briefing, BriefingError

    try:
        briefing = Briefing.open(briefing_path, home)
    except BriefingError as exc:
        _fail(str(exc))
    briefing.on_wait = lambda message: click.echo(f"briefing: {message}", err=True)
    return briefing


def _progress_printer(enabled: bool) -> tuple[Callable[[int, int, str], None] | None, Callable[[], None]]:
    """A one-line progress bar on stderr when it is a terminal."""
    if not enabled:
        return None, lambda: None
    state = {"shown": False}

    def show(done: int, total: int, stage: str) -> None:
        if total <= 0:
            return
        label = "indexing" if stage == "index" else "reading"
        width = 30
        filled = int(width * done / total)
        bar = "█" * filled + "░" * (width - filled)
        sys.stderr.write(f"\r{label:9} {bar} {done}/{total}")
        sys.stderr.flush()
        state["shown"] = True

    def finish() -> None:
        if state["shown"]:
            sys.stderr.write("\r\x1b[K")
            sys.stderr.flush()

    return show, finish


def _refresh(briefing, *, verbose: bool, index: bool = True) -> Any:
    """Bring the store (and the search index) up to date; report skipped files on stderr."""
    from index.briefing import BriefingError

    progress, finish = _progress_printer(sys.stderr.isatty())
    try:
        report = briefing.refresh(progress) if index else briefing.read_changes(progress)
    except BriefingError as exc:
        finish()
        _fail(str(exc))
    finish()
    if report.notice and "created" not in report.notice:
        click.echo(f"briefing: {report.notice}", err=True)
    if verbose or report.changed:
        for skipped in report.skipped:
            click.echo(f"skipped {skipped.path}: {skipped.reason}", err=True)
        for warning in report.warnings:
            click.echo(f"warning {warning}", err=True)
    return report


def briefing_options(func: Callable) -> Callable:
    func = click.option(
        "-b",
        "--briefing",
        "briefing_path",
        metavar="PATH",
        type=click.Path(file_okay=False, path_type=str),
        help="The briefing folder (default: the bundled briefing).",
    )(func)
    func = click.option(
        "--home",
        metavar="DIR",
        envvar="BRIEFING_HOME",
        type=click.Path(file_okay=False, path_type=str),
        help="Where briefing keeps its data (default: $BRIEFING_HOME or the user data dir).",
    )(func)
    return func


class DefaultGroup(click.Group):
    """`briefing PATH` and bare `briefing` mean `briefing open [PATH]`."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        if not args or (args[0] not in self.commands and args[0] not in ("--help", "-h", "--version")):
            args = ["open", *args]
        return super().parse_args(ctx, args)


@click.group(cls=DefaultGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="briefing", prog_name="briefing")
def main() -> None:
    """A terminal reader for briefings: folders of articles you read, search and annotate.

    With no command, opens the reader on PATH (default: the bundled briefing).
    """


@main.command("open")
@click.argument("path", required=False, type=click.Path(path_type=str))
@click.option("--home", metavar="DIR", envvar="BRIEFING_HOME", type=click.Path(file_okay=False, path_type=str),
              help="Where briefing keeps its data.")
@click.option("--outline", is_flag=True, help="Print the briefing's outline instead of opening the reader.")
def open_cmd(path: str | None, home: str | None, outline: bool) -> None:
    """Open the reader on PATH (default: the bundled briefing).

    PATH may also be one article file: its folder opens, at that article."""
    open_path = None
    if path is not None and Path(path).expanduser().is_file():
        open_path = path
        path = str(Path(path).expanduser().resolve().parent)
    briefing = _open(path, home)
    if outline or not (sys.stdin.isatty() and sys.stdout.isatty()):
        _refresh(briefing, verbose=False, index=False)
        _print_outline(briefing)
        briefing.close()
        return
    try:
        from tui.app import BriefingApp
    except ImportError as exc:  # the reader is not installed in this build
        _refresh(briefing, verbose=False)
        click.echo(f"briefing: the reader is unavailable ({exc}); printing the outline", err=True)
        _print_outline(briefing)
        return
    app = BriefingApp(briefing=briefing, open_path=open_path)
    try:
        app.run()
    finally:
        briefing.close()


def _print_outline(briefing) -> None:
    infos = briefing.articles()
    if not infos:
        click.echo(f"{briefing.root}: no articles")
        return
    click.echo(f"{briefing.name}: {len(infos)} article{'s' if len(infos) != 1 else ''}")
    for info in infos:
        click.echo(f"\n{info.title}  [{info.id}]")
        article = briefing.article(info.id)
        if article is None:
            continue
        for section in article.sections:
            indent = "  " * max(0, section.level - 1)
            click.echo(f"  {indent}§ {section.title}")


@main.command("outline")
@briefing_options
def outline_cmd(briefing_path: str | None, home: str | None) -> None:
    """Print every article of the briefing with its sections."""
    briefing = _open(briefing_path, home)
    _refresh(briefing, verbose=False, index=False)
    _print_outline(briefing)
    briefing.close()


@main.command("index")
@briefing_options
@click.option("--rebuild", is_flag=True, help="Throw the search index away and build it again.")
def index_cmd(briefing_path: str | None, home: str | None, rebuild: bool) -> None:
    """Read new and changed files and bring the search index up to date."""
    briefing = _open(briefing_path, home)
    if rebuild:
        import shutil

        shutil.rmtree(briefing.index_dir, ignore_errors=True)
        briefing.store.forget_indexed()
    report = _refresh(briefing, verbose=True)
    n = len(briefing.articles())
    click.echo(f"{briefing.name}: {n} article{'s' if n != 1 else ''} ({report.summary()})")
    briefing.close()


def _print_hits(hits, use_color: bool, *, scores: bool = True) -> None:
    """Hits as "Title › Section", an optional reason line and the snippet with
    its matched words lit (reverse video on a terminal). Text stays literal."""
    from rich.console import Console
    from rich.text import Text

    console = Console(highlight=False, no_color=not use_color, force_terminal=use_color, soft_wrap=True)
    for n, hit in enumerate(hits, 1):
        head = Text(f"{n:>2}. ")
        head.append(hit.title, style="bold")
        head.append(" › ")
        head.append(hit.section)
        where = f"  [{hit.article_id}#{hit.section_id}]" + (f" {hit.score:.2f}" if scores else "")
        head.append(where, style="dim")
        console.print(head)
        if hit.reason:
            console.print(Text("    " + hit.reason, style="italic"))
        snippet = Text("    " + hit.snippet)
        for start, end in hit.snippet_spans:
            snippet.stylize("bold reverse", start + 4, end + 4)
        console.print(snippet)


@main.command("search")
@briefing_options
@click.argument("query", required=False)
@click.option("--limit", "-n", default=10, show_default=True, type=click.IntRange(1, 1000), help="Most hits to show.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@click.option("--queries", type=click.File("r", encoding="utf-8"), help="Run each line of FILE as a query (one JSON line each).")
def search_cmd(briefing_path: str | None, home: str | None, query: str | None, limit: int,
               as_json: bool, queries) -> None:
    """Search the briefing. QUERY supports AND/OR/NOT, "phrases", title:, section:, term*, term~."""
    if (query is None) == (queries is None):
        _fail("give a QUERY or --queries FILE (not both)")
    briefing = _open(briefing_path, home)
    _refresh(briefing, verbose=False)
    if queries is not None:
        found_any = False
        for line in queries:
            q = line.rstrip("\n")
            if not q.strip():
                continue
            result = briefing.search(q, limit=limit)
            found_any = found_any or bool(result.hits)
            click.echo(json.dumps(result.to_json(), ensure_ascii=False))
        briefing.close()
        sys.exit(EXIT_OK if found_any else EXIT_NOT_FOUND)
    result = briefing.search(query, limit=limit)
    briefing.close()
    if result.error:
        if as_json:
            click.echo(json.dumps(result.to_json(), ensure_ascii=False))
        _fail(result.error)
    if as_json:
        click.echo(json.dumps(result.to_json(), ensure_ascii=False, indent=2))
    else:
        if result.hits:
            _print_hits(result.hits, use_color=sys.stdout.isatty())
            more = result.total - len(result.hits)
            if more > 0:
                click.echo(f"… {more} more matching section{'s' if more != 1 else ''} (use --limit)")
        else:
            click.echo(f"no match for {query!r}", err=True)
        if result.suggestion:
            click.echo(f"did you mean: {result.suggestion}", err=True)
    sys.exit(EXIT_OK if result.hits else EXIT_NOT_FOUND)


@main.command("show")
@briefing_options
@click.argument("article")
@click.option("--json", "as_json", is_flag=True, help="Print JSON with text, sections and blocks (offsets into text).")
def show_cmd(briefing_path: str | None, home: str | None, article: str, as_json: bool) -> None:
    """Print one article, by id or path."""
    briefing = _open(briefing_path, home)
    _refresh(briefing, verbose=False, index=False)
    article_id = briefing.resolve(article)
    if article_id is None:
        briefing.close()
        _fail(f"no article {article!r} in {briefing.root} (see `briefing outline`)", EXIT_NOT_FOUND)
    doc = briefing.article(article_id)
    briefing.close()
    if as_json:
        click.echo(json.dumps(doc.to_dict(), ensure_ascii=False, indent=2))
        return
    click.echo(doc.title)
    for key in ("authors", "author", "date", "report_number", "url", "source"):
        value = doc.metadata.get(key)
        if value:
            click.echo(f"{key}: {', '.join(value) if isinstance(value, list) else value}")
    click.echo()
    for block in doc.blocks:
        text = doc.block_text(block)
        if block.kind == "heading":
            click.echo("#" * max(1, block.level) + " " + text)
        elif block.kind == "quote":
            click.echo("> " + text)
        elif block.kind == "list_item":
            click.echo("  " * block.level + "- " + text)
        elif block.kind == "caption":
            click.echo(f"[{text}]")
        else:
            click.echo(text)
        click.echo()


@main.command("stats")
@briefing_options
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
def stats_cmd(briefing_path: str | None, home: str | None, as_json: bool) -> None:
    """Counts of articles, sections and words; where the data lives."""
    briefing = _open(briefing_path, home)
    _refresh(briefing, verbose=False)
    infos = briefing.articles()
    words = 0
    chars = 0
    for info in infos:
        doc = briefing.article(info.id)
        if doc is not None:
            words += len(doc.text.split())
            chars += len(doc.text)
    index_bytes = sum(p.stat().st_size for p in briefing.index_dir.glob("*") if p.is_file())
    stats = {
        "briefing": str(briefing.root),
        "articles": len(infos),
        "sections": sum(i.n_sections for i in infos),
        "words": words,
        "characters": chars,
        "skipped": [{"path": s.path, "reason": s.reason} for s in briefing.skipped()],
        "database": str(briefing.store.path),
        "index": str(briefing.index_dir),
        "index_bytes": index_bytes,
    }
    briefing.close()
    if as_json:
        click.echo(json.dumps(stats, ensure_ascii=False, indent=2))
        return
    click.echo(f"briefing   {stats['briefing']}")
    click.echo(f"articles   {stats['articles']}")
    click.echo(f"sections   {stats['sections']}")
    click.echo(f"words      {stats['words']}")
    click.echo(f"skipped    {len(stats['skipped'])}")
    for s in stats["skipped"]:
        click.echo(f"  {s['path']}: {s['reason']}")
    click.echo(f"database   {stats['database']}")
    click.echo(f"index      {stats['index']} ({index_bytes / 1024:.0f} KB)")


def _resolve_or_fail(briefing, ref: str) -> str:
    article_id = briefing.resolve(ref)
    if article_id is None:
        briefing.close()
        _fail(f"no article {ref!r} in {briefing.root} (see `briefing outline`)")
    return article_id


@main.command("annotate")
@briefing_options
@click.argument("article")
@click.option("--quote", required=True, help="Text to annotate (its first occurrence in the article).")
@click.option("--note", default="", help="The note (Markdown).")
@click.option("--tag", "tags", multiple=True, help="A tag (repeat for more).")
@click.option("--color", default="yellow", show_default=True,
              type=click.Choice(["yellow", "green", "blue", "pink", "purple"]))
@click.option("--json", "as_json", is_flag=True, help="Print the new annotation as W3C JSON.")
def annotate_cmd(briefing_path, home, article, quote, note, tags, color, as_json) -> None:
    """Annotate the first occurrence of --quote TEXT in ARTICLE."""
    from index.briefing import BriefingError
    from index.export import to_w3c

    briefing = _open(briefing_path, home)
    _refresh(briefing, verbose=False, index=False)
    article_id = _resolve_or_fail(briefing, article)
    span = briefing.find_quote(article_id, quote)
    if span is None:
        briefing.close()
        _fail(f"{quote!r} is not in article {article_id}")
    try:
        ann = briefing.annotate(article_id, *span, note=note, tags=list(tags), color=color)
    except BriefingError as exc:
        briefing.close()
        _fail(str(exc))
    briefing.close()
    if as_json:
        click.echo(json.dumps(to_w3c(ann), ensure_ascii=False, indent=2))
    else:
        click.echo(f"annotated {article_id} [{ann.start}-{ann.end}] as {ann.id}")


@main.command("annotations")
@briefing_options
@click.option("--article", "article_ref", help="Only this article.")
@click.option("--tag", help="Only annotations with this tag.")
@click.option("--json", "as_json", is_flag=True, help="Print W3C JSON.")
def annotations_cmd(briefing_path, home, article_ref, tag, as_json) -> None:
    """List annotations with their state (anchored / moved / orphaned)."""
    from index.export import ExportScope, to_json

    briefing = _open(briefing_path, home)
    _refresh(briefing, verbose=False, index=False)
    article_id = _resolve_or_fail(briefing, article_ref) if article_ref else None
    scope = ExportScope(article_id, tag.lstrip("#").lower() if tag else None)
    anns = [a for a in briefing.annotations() if scope.admits(a)]
    if as_json:
        click.echo(to_json(briefing.name, anns), nl=False)
    else:
        for ann in anns:
            excerpt = ann.quote if len(ann.quote) <= 70 else ann.quote[:67] + "…"
            tags = " ".join(f"#{t}" for t in ann.tags)
            click.echo(f"{ann.id}  {ann.state:8}  {ann.article_id}  [{ann.start}-{ann.end}]  {ann.color}  {tags}")
            click.echo(f"    “{excerpt}”")
            if ann.note:
                click.echo(f"    {ann.note.splitlines()[0]}")
    briefing.close()
    sys.exit(EXIT_OK if anns else EXIT_NOT_FOUND)


@main.command("export")
@briefing_options
@click.option("--article", "article_ref", help="Only this article.")
@click.option("--tag", help="Only annotations with this tag.")
@click.option("--format", "fmt", type=click.Choice(["md", "json"]), default="md", show_default=True)
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), help="Write to FILE (atomically).")
@click.option("--force", is_flag=True, help="Overwrite an existing FILE.")
def export_cmd(briefing_path, home, article_ref, tag, fmt, output, force) -> None:
    """Export annotations as Markdown (for a memo) or W3C Web Annotation JSON."""
    from index.export import ExportError, ExportExists, ExportScope, to_json, to_markdown, write_atomic

    briefing = _open(briefing_path, home)
    _refresh(briefing, verbose=False, index=False)
    article_id = _resolve_or_fail(briefing, article_ref) if article_ref else None
    scope = ExportScope(article_id, tag.lstrip("#").lower() if tag else None)
    anns = briefing.annotations()
    if fmt == "md":
        content = to_markdown(briefing.name, anns, briefing.article, scope)
    else:
        content = to_json(briefing.name, anns, scope)
    count = sum(1 for a in anns if scope.admits(a))
    briefing.close()
    if output is None:
        click.echo(content, nl=False)
    else:
        try:
            write_atomic(output, content, overwrite=force)
        except ExportExists as exc:
            _fail(f"{exc} (use --force to overwrite)")
        except ExportError as exc:
            _fail(str(exc))
        click.echo(f"exported {count} annotation{'s' if count != 1 else ''} to {output}", err=True)
    if count == 0:
        sys.exit(EXIT_NOT_FOUND)


@main.command("import")
@briefing_options
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def import_cmd(briefing_path, home, file) -> None:
    """Merge annotations from a W3C JSON FILE (by id: importing twice adds nothing)."""
    from index.export import ExportError, parse_import

    briefing = _open(briefing_path, home)
    _refresh(briefing, verbose=False, index=False)
    try:
        anns = parse_import(file.read_text(encoding="utf-8"), str(file))
    except (ExportError, UnicodeDecodeError, OSError) as exc:
        briefing.close()
        _fail(str(exc) if isinstance(exc, ExportError) else f"{file}: cannot read ({exc})")
    created, updated = briefing.put_annotations(anns)
    orphans = sum(1 for a in anns if a.state == "orphaned")
    briefing.close()
    msg = f"imported {len(anns)} annotation{'s' if len(anns) != 1 else ''}: {created} new, {updated} updated"
    if orphans:
        msg += f", {orphans} unanchored"
    click.echo(msg)


@main.command("related")
@briefing_options
@click.argument("article")
@click.option("--section", "section_id", metavar="ID", help="A section id such as s2 (default: the whole article).")
@click.option("--limit", "-n", default=5, show_default=True, type=click.IntRange(1, 100), help="Most passages to show.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
def related_cmd(briefing_path, home, article, section_id, limit, as_json) -> None:
    """Passages in other articles most like ARTICLE (or one of its sections)."""
    from index.briefing import BriefingError

    briefing = _open(briefing_path, home)
    _refresh(briefing, verbose=False)
    article_id = _resolve_or_fail(briefing, article)
    try:
        hits = briefing.related(article_id, section_id, limit=limit)
    except BriefingError as exc:
        briefing.close()
        _fail(str(exc))
    briefing.close()
    if as_json:
        payload = {"article_id": article_id, "section_id": section_id, "hits": [h.to_json() for h in hits]}
        click.echo(json.dumps(payload, ensure_ascii=False, indent=2))
    elif hits:
        _print_hits(hits, use_color=sys.stdout.isatty(), scores=False)
    else:
        click.echo(f"nothing in other articles is like {article_id!r}", err=True)
    sys.exit(EXIT_OK if hits else EXIT_NOT_FOUND)


if __name__ == "__main__":  # pragma: no cover
    main()
