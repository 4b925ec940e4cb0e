"""The ``newsdesk`` console script: the indexer's commands plus ``newsdesk bot``."""

from __future__ import annotations

import argparse
import sys

from index import cli


def add_bot_command(commands: argparse._SubParsersAction) -> None:
    bot = commands.add_parser("bot", help="run the Telegram bot")
    bot.set_defaults(run=run_bot)


def run_bot(args: argparse.Namespace, settings) -> int:
    from bot.app import run

    return run(settings)


def main(argv: list[str] | None = None) -> int:
    return cli.main(argv, extra_commands=[add_bot_command])


if __name__ == "__main__":
    sys.exit(main())
