"""The token never reaches a log line: every record of a whole session at DEBUG (httpx, httpcore,
telegram included), with faults, a reply given up and a handler exception, is searched for the
token and for its secret part after the colon. Redaction is installed as ``bot.app.run`` does."""

from __future__ import annotations

import asyncio
import dataclasses
import logging
from urllib.parse import quote

from bot.logs import REDACTED, configure_logging
from tests import figures
from tests.bot.conftest import ADMIN_ID, running_bot
from tests.bot.test_admin import VILNIUS

MINSK = "What was agreed in Minsk in December 2022?"
EVERY_LOGGER = ("httpx", "httpcore", "telegram", "apscheduler", "aiohttp", "asyncio", "bot", "index", "tests")


class Everything(logging.Handler):
    """Every record, formatted as a log file would show it (tracebacks and stacks included)."""

    def __init__(self):
        super().__init__(logging.DEBUG)
        self.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
        self.lines: list[str] = []
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)
        self.lines.append(self.format(record))


async def test_token_never_reaches_a_log_line(server, bot_settings, embedder):
    token = bot_settings.token
    captured = Everything()
    with all_logs_captured(token, captured):
        settings = dataclasses.replace(bot_settings, send_timeout=1.0, delivery_deadline=6.0)
        async with running_bot(settings, embedder):
            await a_session_with_errors(server)
    text = "\n".join(captured.lines)
    secret = token.split(":", 1)[1]
    figures.record("log records searched for the token", len(captured.records),
                   sum(token not in line and secret not in line for line in captured.lines))
    for hidden in (token, secret, quote(token, safe="")):
        assert hidden not in text
    assert REDACTED in text  # httpx logged the request URLs, token redacted
    assert {r.name.split(".")[0] for r in captured.records} >= {"httpx", "httpcore", "telegram", "bot"}
    assert any(r.levelno == logging.ERROR and r.exc_text for r in captured.records)  # a traceback was logged


class all_logs_captured:
    """Root and every library logger at DEBUG into ``handler``, redaction installed as by ``bot.app.run``;
    everything put back afterwards."""

    def __init__(self, token: str, handler: logging.Handler):
        self.token, self.handler = token, handler

    def __enter__(self):
        root = logging.getLogger()
        self.saved = (logging.getLogRecordFactory(), root.level, list(root.handlers),
                      {name: logging.getLogger(name).level for name in EVERY_LOGGER})
        configure_logging(self.token, level=logging.DEBUG)  # what bot.app.run does
        for name in EVERY_LOGGER:
            logging.getLogger(name).setLevel(logging.DEBUG)
        root.addHandler(self.handler)

    def __exit__(self, *exc_info):
        factory, level, handlers, levels = self.saved
        root = logging.getLogger()
        logging.setLogRecordFactory(factory)
        root.setLevel(level)
        root.handlers[:] = handlers
        for name, saved in levels.items():
            logging.getLogger(name).setLevel(saved)


async def a_session_with_errors(server) -> None:
    """Questions, an upload, Telegram failing in every way, a reply given up, a handler exception."""
    user, admin = server.user(1, "Anna"), server.user(ADMIN_ID, "Admin")
    server.private_message(user, MINSK)
    await server.wait_for_messages(user, 1, timeout=30)
    server.document_message(admin, admin, VILNIUS.encode(), "vilnius.txt", "text/plain")  # file URLs carry the token
    await server.wait_for_messages(admin, 1, timeout=60)
    server.fail("sendMessage", status=429, retry_after=1)
    server.fail(None, times=2, status=500)
    server.fail(None, times=2, drop=True)
    server.fail("getUpdates", times=2, status=502)
    server.private_message(user, "Chi ha incontrato Lavrov?")
    await server.wait_for_messages(user, 2, timeout=60)
    server.outage(status=502)  # longer than the delivery deadline: a reply given up
    server.private_message(user, "Who is Lukashenko?")
    await asyncio.sleep(9.0)
    server.restore()
    server.fail("sendMessage", status=400)  # Telegram refuses a reply: the handler fails, the error handler apologises
    server.private_message(user, "Chi è Peskov?")
    await server.wait_for(lambda: any(m.get("text", "").startswith("Sorry") for m in server.messages_in(user)), timeout=30)
