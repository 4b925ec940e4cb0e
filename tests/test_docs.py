"""The docs are tested: every command and bot command is in the README, and the bot's admin commands in
/help; every bench named exists; every figure of docs/benchmarks.md has its command and its date; links
between the docs lead somewhere."""

from __future__ import annotations

import argparse
import re

import pytest

from bot import commands
from bot.cli import add_bot_command
from index.cli import build_parser
from tests.conftest import ROOT

README = (ROOT / "README.md").read_text(encoding="utf-8")
DOCS = {path: path.read_text(encoding="utf-8") for path in [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]}
BENCHMARKS = (ROOT / "docs" / "benchmarks.md").read_text(encoding="utf-8")


def subcommands(parser: argparse.ArgumentParser, prefix: str = "newsdesk") -> list[str]:
    found = []
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                found.append(f"{prefix} {name}")
                found += subcommands(sub, f"{prefix} {name}")
    return found


@pytest.mark.parametrize("command", subcommands(build_parser([add_bot_command])))
def test_every_command_is_in_the_readme(command):
    assert f"`{command}" in README


@pytest.mark.parametrize("command", commands.COMMANDS, ids=lambda c: c.name)
def test_every_bot_command_is_in_the_readme_and_in_help(command):
    assert f"/{command.name}" in README
    for language in commands.LANGUAGES:
        assert f"/{command.name}" in commands.help_text(language, "NewsdeskBot") or not command.admin


@pytest.mark.parametrize("variable", ["NEWSDESK_FETCH_ALLOW", "NEWSDESK_FEED_MINUTES"])
def test_new_settings_are_in_the_readme(variable):
    assert f"`{variable}`" in README


def benches_named() -> list[str]:
    texts = [*DOCS.values(), *(path.read_text(encoding="utf-8") for path in sorted((ROOT / "tests").rglob("*.py")))]
    return sorted({name for text in texts for name in re.findall(r"\bbench/(\w+)\.py", text)})


@pytest.mark.parametrize("bench", benches_named())
def test_every_bench_named_in_the_docs_and_tests_exists(bench):
    assert (ROOT / "bench" / f"{bench}.py").is_file()


@pytest.mark.parametrize("section", re.split(r"^## ", BENCHMARKS, flags=re.M)[1:], ids=lambda s: s.split("\n")[0])
def test_every_figure_has_its_command_and_its_date(section):
    assert re.search(r"bench/\w+\.py", section), "the command that makes the figure"
    assert re.search(r"\b20\d\d-\d\d-\d\d\b", section), "the date it was measured"


def anchors(text: str) -> set[str]:
    """The anchors GitHub gives a document's headings."""
    headings = re.findall(r"^#+ (.+)$", text, re.M)
    return {re.sub(r"[^\w\- ]", "", h.lower()).replace(" ", "-") for h in headings}


@pytest.mark.parametrize("path", DOCS, ids=lambda p: p.name)
def test_links_between_the_docs_lead_somewhere(path):
    for target, anchor in re.findall(r"\]\(([^)#:\s]*)(?:#([^)\s]+))?\)", DOCS[path]):
        linked = (path.parent / target).resolve() if target else path
        assert linked.is_file(), target
        if anchor:
            assert anchor in anchors(linked.read_text(encoding="utf-8")), f"{target}#{anchor}"
