"""``newsdesk show FILE-OR-ID…``: articles as the archive holds them, or as it would read a file. A thin shell.

It calls ``index.Archive.show`` and prints each article for people (a header, the
cleaned text, its passages numbered) or, with ``--json``, as one JSON object a line. A file
or id that cannot be shown is said on standard error (a JSON object with ``error`` instead,
with ``--json``); the others are still shown, and the exit status is then 1.
"""

from __future__ import annotations

import argparse
import json
import sys
import textwrap
from dataclasses import asdict

from index.config import Settings
from index.records import ArticleView

DATE_ORIGINS = {"metadata": "from the {kind}'s metadata", "feed": "from its feed", "text": "found in its text"}


def add_command(commands: argparse._SubParsersAction) -> None:
    show = commands.add_parser("show", help="articles as the archive holds them, or as it would read a file")
    show.add_argument("targets", nargs="+", metavar="FILE-OR-ID", help="article files, or ids of indexed articles")
    show.add_argument("--json", action="store_true", help="one JSON object per article, a line each")
    show.set_defaults(run=run_show)


def run_show(args: argparse.Namespace, settings: Settings) -> int:
    from index.archive import Archive  # imported here: it loads the model's libraries

    views = Archive(settings).show(args.targets)
    for view in views:
        if args.json:
            print(json.dumps(view_record(view), ensure_ascii=False), flush=True)
        elif view.error:
            print(f"newsdesk: {view.file}: {view.error}", file=sys.stderr, flush=True)
        else:
            print(format_view(view), end="\n\n", flush=True)
    return 1 if any(view.error for view in views) else 0


def view_record(view: ArticleView) -> dict:
    """The JSON object of a view: ``file`` and ``error`` for one that failed, every other field otherwise."""
    if view.error:
        return {"file": view.file, "error": view.error}
    return {key: value for key, value in asdict(view).items() if key != "error"}


# --- output for people ----------------------------------------------------------------------


def format_view(view: ArticleView, width: int = 88) -> str:
    """An article for people: what it is, its cleaned text, then its passages numbered."""
    count = len(view.passages)
    header = [
        f"== {view.title}",
        f"date:     {format_date(view)}",
        f"language: {view.language}",
        f"source:   {view.source}",
        f"file:     {view.file}",
        f"id:       {view.article_id}",
        f"index:    {'indexed' if view.indexed else 'not indexed yet'}",
    ]
    passages = [fill(f"{number}. {text}", width, "   ") for number, text in enumerate(view.passages, start=1)]
    return "\n\n".join(["\n".join(header), fill(view.text, width), f"-- {count} passage{'' if count == 1 else 's'}", *passages])


def format_date(view: ArticleView) -> str:
    """The date and where it came from, e.g. "2022-12-20 (from the page's metadata)"."""
    if not view.date:
        return "undated"
    kind = "page" if view.file.lower().endswith((".html", ".htm")) else "file"
    origin = DATE_ORIGINS.get(view.date_origin, "").format(kind=kind)
    return f"{view.date} ({origin})" if origin else view.date


def fill(text: str, width: int, indent: str = "") -> str:
    """Each paragraph filled to ``width``; every line but the first indented by ``indent``."""
    paragraphs = text.split("\n\n")
    return "\n\n".join(
        textwrap.fill(paragraph, width=width, initial_indent=indent if number else "", subsequent_indent=indent)
        for number, paragraph in enumerate(paragraphs)
    )
