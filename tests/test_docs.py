"""The docs are tested: every command and bot command is in the README, and the bot's admin commands in /help."""

from __future__ import annotations

import argparse

import pytest

from bot import commands, messages
from bot.cli import add_bot_command
from index.cli import build_parser
from tests.conftest import ROOT

README = (ROOT / "README.md").read_text(encoding="utf-8")


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
