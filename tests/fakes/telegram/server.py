"""The fake Bot API server: one bot's api.telegram.org, in-process (aiohttp) on 127.0.0.1.

It runs in the tests' event loop; the bot's tests run the real python-telegram-bot
``Application`` against it over real HTTP. Starting it::

    async with FakeBotAPI(token=TOKEN, bot_username="NewsdeskBot") as server:
        app = (ApplicationBuilder().token(TOKEN).base_url(server.base_url)
               .base_file_url(server.base_file_url).build())

Every call is checked against the token, dispatched to its method (``methods``, and
getUpdates in ``updates``; others get 404), refused by an injected fault first (``faults``)
and recorded: ``sent`` (``SentCall``s: every successful call but getUpdates), ``errors``
(``RefusedCall``s: Bot API errors, not injected faults), ``calls(method)``. A fault with only
``delay`` is a slow server: the call is carried out (and recorded) after the delay, even if the
client gave up meanwhile, as Telegram would have sent the message anyway.
"""

from __future__ import annotations

import asyncio
import copy
import logging
import socket
import time
from dataclasses import dataclass
from typing import Any, Callable, TypeVar

from aiohttp import web

from tests.fakes.telegram.chats import Chat, User
from tests.fakes.telegram.faults import Faults
from tests.fakes.telegram.methods import Methods
from tests.fakes.telegram.wire import ApiError, error_response, read_params

log = logging.getLogger(__name__)

DEFAULT_TOKEN = "123456789:AAFakeNewsdeskTokenForTests0123456789"
T = TypeVar("T")


@dataclass
class SentCall:
    """A successful call the bot made; ``time`` is ``time.monotonic()``."""

    method: str
    params: dict
    result: Any
    time: float


@dataclass
class RefusedCall:
    """A call the server answered with a Bot API error (not an injected fault)."""

    method: str
    params: dict
    error_code: int
    description: str
    time: float


class FakeBotAPI(Methods, Faults):
    """In-process fake of api.telegram.org for one bot; see the package docstring."""

    def __init__(
        self,
        token: str = DEFAULT_TOKEN,
        bot_username: str = "NewsdeskBot",
        *,
        bot_first_name: str = "Newsdesk",
        privacy_mode: bool = False,
        strict_ampersand: bool = False,
    ) -> None:
        self.token = token
        bot_id = int(token.split(":")[0]) if token.split(":")[0].isdigit() else 1000001
        Methods.__init__(self, User(bot_id, bot_first_name, bot_username, None, is_bot=True),
                         privacy_mode, strict_ampersand)
        Faults.__init__(self)
        self.sent: list[SentCall] = []
        self.errors: list[RefusedCall] = []
        self._runner: web.AppRunner | None = None
        self._port: int | None = None
        self._methods = {
            getattr(fn, "api_name").lower(): (fn.api_name, fn)
            for fn in (getattr(self, name) for name in dir(type(self)) if name.startswith("_m_"))
        }

    # ---------------------------------------------------------------- lifecycle

    async def start(self) -> None:
        app = web.Application(client_max_size=64 * 1024 * 1024)
        app.router.add_route("*", "/bot{token}/{method}", self._handle_api)
        app.router.add_get("/file/bot{token}/{path:.+}", self._handle_file)
        self._runner = web.AppRunner(app, access_log=None, shutdown_timeout=1.0)
        await self._runner.setup()
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.bind(("127.0.0.1", 0))
        self._port = sock.getsockname()[1]
        await web.SockSite(self._runner, sock).start()
        self._closing = False

    async def stop(self) -> None:
        self._closing = True
        self._notify()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> FakeBotAPI:
        await self.start()
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.stop()

    @property
    def base_url(self) -> str:
        """For PTB's ``base_url``: PTB appends the token."""
        return f"http://127.0.0.1:{self._require_port()}/bot"

    @property
    def base_file_url(self) -> str:
        """For PTB's ``base_file_url``: PTB appends the token."""
        return f"http://127.0.0.1:{self._require_port()}/file/bot"

    def _require_port(self) -> int:
        if self._port is None:
            raise RuntimeError("FakeBotAPI is not started")
        return self._port

    # ---------------------------------------------------------------- inspection

    def calls(self, method: str) -> list[SentCall]:
        """Successful calls of one Bot API method, e.g. ``calls("sendMessage")``."""
        return [c for c in self.sent if c.method.lower() == method.lower()]

    async def wait_for(self, predicate: Callable[[], T], timeout: float = 5.0) -> T:
        """Wait until ``predicate()`` is truthy (re-checked on every change); return it."""
        deadline = asyncio.get_running_loop().time() + timeout
        while not (result := predicate()):
            remaining = deadline - asyncio.get_running_loop().time()
            if remaining <= 0:
                recent = [(c.method, c.params.get("text")) for c in self.sent[-5:]]
                raise TimeoutError(f"condition not met in {timeout}s; last calls: {recent}")
            await self._wait_change(remaining)
        return result

    async def wait_for_messages(self, chat: int | Chat | User, count: int,
                                timeout: float = 5.0) -> list[dict]:
        """Wait until the bot has at least ``count`` messages in the chat; return them all."""
        await self.wait_for(lambda: len(self.messages_in(chat)) >= count, timeout)
        return self.messages_in(chat)

    # ---------------------------------------------------------------- HTTP

    async def _handle_api(self, request: web.Request) -> web.StreamResponse:
        if request.match_info["token"] != self.token:
            return error_response(ApiError(401, "Unauthorized"))
        name, handler = self._methods.get(request.match_info["method"].lower(), (None, None))
        if handler is None:
            return error_response(ApiError(404, "Not Found"))
        try:
            params = await read_params(request)
        except ApiError as error:
            return error_response(error)
        faulty = await self.serve_fault(name, request)
        if faulty is not None:
            return faulty
        try:
            result = await handler(params)
        except ApiError as error:
            if request.transport is not None and not request.transport.is_closing():
                self.errors.append(RefusedCall(name, params, error.code, error.description,
                                               time.monotonic()))  # else nobody hears it
            log.debug("%s refused: %s", name, error.description)
            return error_response(error)
        if name != "getUpdates":
            self.sent.append(SentCall(name, params, copy.deepcopy(result), time.monotonic()))
            self._notify()
        return web.json_response({"ok": True, "result": result})

    async def _handle_file(self, request: web.Request) -> web.StreamResponse:
        path = request.match_info["path"]
        stored = next((f for f in self._files.values() if f.file_path == path), None)
        if request.match_info["token"] != self.token or stored is None:
            return error_response(ApiError(404, "Not Found"))
        return web.Response(body=stored.data, content_type="application/octet-stream")
