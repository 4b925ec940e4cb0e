"""`newsdesk bot` refuses to start, rather than answer wrongly, on a damaged index; when Telegram
rejects the token; without a token. Each time: exit 1, one line saying why, never the token;
and no traceback, but for PTB's own log of a rejected token (where the token is redacted)."""

from __future__ import annotations

import asyncio
import os
import sys

import pytest

from index import snapshot
from tests import figures
from tests.index.runs import ROOT
from tests.index.test_damaged_index import flip

WRONG_TOKEN = "987654321:AAWrongTokenNobodyGaveUs-0123456789xyz"


async def newsdesk_bot(settings, env: dict) -> tuple[int, str]:
    """Run `newsdesk bot` to its end (the event loop keeps serving the fake meanwhile): (code, stderr)."""
    environ = {**os.environ, "NEWSDESK_DATA_DIR": str(settings.data_dir), **env}
    environ.pop("NEWSDESK_INDEX_DIR", None)
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot.cli", "bot", cwd=ROOT, env=environ,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )
    out, err = await asyncio.wait_for(process.communicate(), timeout=120)
    return process.returncode, err.decode()


def damage_vectors(settings, server) -> dict:
    flip(next((snapshot.current(settings.index_dir) / "segments").glob("seg-*.faiss")))
    return {"TELEGRAM_BOT_TOKEN": WRONG_TOKEN, "TELEGRAM_API_BASE_URL": server.base_url}


def damage_current(settings, server) -> dict:
    (settings.index_dir / snapshot.CURRENT).write_text("snap-00000099-gone\n")
    return {"TELEGRAM_BOT_TOKEN": WRONG_TOKEN, "TELEGRAM_API_BASE_URL": server.base_url}


def reject_token(settings, server) -> dict:
    return {"TELEGRAM_BOT_TOKEN": WRONG_TOKEN, "TELEGRAM_API_BASE_URL": server.base_url,
            "TELEGRAM_FILE_BASE_URL": server.base_file_url}


def no_token(settings, server) -> dict:
    return {"TELEGRAM_BOT_TOKEN": ""}


CASES = [
    (damage_vectors, "the bot cannot start: the index in {index} is damaged: the vector segment seg-00000001.faiss "
                     "does not match its checksum: it was altered or replaced. Rebuild it with `newsdesk index --full`"),
    (damage_current, "the bot cannot start: the index in {index} is damaged: {index}/CURRENT names a snapshot that "
                     "does not exist ('snap-00000099-gone'). Rebuild it with `newsdesk index --full`"),
    (reject_token, "the bot cannot start: Telegram rejected the token in TELEGRAM_BOT_TOKEN"),
    (no_token, "TELEGRAM_BOT_TOKEN is not set: put the token from @BotFather in it (see .env.example)"),
]


@pytest.mark.parametrize("prepare, message", CASES, ids=[c[0].__name__ for c in CASES])
async def test_bot_refuses_to_start_in_one_line(built, server, prepare, message):
    env = prepare(built, server)
    with figures.trial("bot start refused in one line (damaged index, bad token)"):
        code, err = await newsdesk_bot(built, env)
        lines = err.splitlines()
        assert code == 1 and lines[-1] == "newsdesk: " + message.format(index=built.index_dir), err
        assert WRONG_TOKEN not in err and WRONG_TOKEN.split(":")[1] not in err
        if prepare is not reject_token:  # there PTB logs the rejection itself, with its traceback (token redacted)
            assert lines == [lines[-1]]
        assert not server.calls("sendMessage")  # nothing answered from a damaged index
