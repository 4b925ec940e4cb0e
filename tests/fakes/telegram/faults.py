"""Faults a test injects into the fake Bot API: error statuses, 429 with ``retry_after``,
dropped connections and slow answers, for some calls or as an outage."""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from http import HTTPStatus

from aiohttp import web

from tests.fakes.telegram.wire import ApiError, error_response

log = logging.getLogger(__name__)


@dataclass
class Fault:
    method: str | None  # None: any method but getUpdates (unless include_get_updates)
    times: int | None  # None: until restore()
    status: int | None = None
    retry_after: int | None = None
    delay: float = 0.0
    drop: bool = False
    include_get_updates: bool = False

    def matches(self, method: str) -> bool:
        if self.times is not None and self.times <= 0:
            return False
        if self.method is None:
            return self.include_get_updates or method.lower() != "getupdates"
        return self.method.lower() == method.lower()

    @property
    def kind(self) -> str:
        """What the fault does, as ``faulted`` lists it: "drop", the status ("429", "500"…) or "delay"."""
        return "drop" if self.drop else str(self.status or "delay")


class Faults:
    """The faults planned for the server's calls; ``faulted`` lists each one served as (method, kind)."""

    def __init__(self) -> None:
        self.faulted: list[tuple[str, str]] = []
        self._faults: list[Fault] = []
        self._outage: Fault | None = None

    def fail(self, method: str | None = None, *, times: int = 1, status: int | None = None,
             retry_after: int | None = None, delay: float = 0.0, drop: bool = False) -> Fault:
        """Make the next ``times`` calls of ``method`` (None: any but getUpdates) fail.

        ``status`` 429 (with ``retry_after``, default 1), 500, 502...; ``drop`` closes the
        connection without a response; ``delay`` answers late. Nothing given means 500.
        """
        if status is None and not drop and not delay:
            status = 429 if retry_after else 500
        if status == 429 and retry_after is None:
            retry_after = 1
        fault = Fault(method, times, status, retry_after, delay, drop)
        self._faults.append(fault)
        return fault

    def outage(self, *, status: int | None = 500, drop: bool = False, delay: float = 0.0,
               include_get_updates: bool = False) -> None:
        """Fail every call (getUpdates too if asked) until ``restore()``."""
        self._outage = Fault(None, None, None if drop else status, None, delay, drop,
                             include_get_updates)

    @property
    def pending_faults(self) -> int:
        """How many calls the ``fail()`` faults still to be served will fail (an outage is not counted)."""
        return sum(fault.times for fault in self._faults)

    def restore(self) -> None:
        """End an outage and forget pending ``fail()`` faults."""
        self._outage = None
        self._faults.clear()

    async def serve_fault(self, method: str, request: web.Request) -> web.StreamResponse | None:
        """The faulty answer to a call of ``method``, if a fault is planned for it; None if the call
        is to be carried out (no fault, or one that only delays it)."""
        fault = self._take_fault(method)
        if fault is None:
            return None
        self.faulted.append((method, fault.kind))
        if fault.delay:
            await asyncio.sleep(fault.delay)
        if fault.drop:
            log.debug("fault: dropping %s", method)
            if request.transport is not None:
                request.transport.close()
            return web.Response()
        return fault_response(fault) if fault.status else None

    def _take_fault(self, method: str) -> Fault | None:
        if self._outage and self._outage.matches(method):
            return self._outage
        fault = next((f for f in self._faults if f.matches(method)), None)
        if fault is not None:
            fault.times -= 1
            if fault.times <= 0:
                self._faults.remove(fault)
        return fault


def fault_response(fault: Fault) -> web.Response:
    """What Telegram answers for the fault's status: a 429 with ``retry_after``, nginx's page for
    502-504, a Bot API error otherwise."""
    status = fault.status or 500
    if status == 429:
        return error_response(ApiError(
            429, f"Too Many Requests: retry after {fault.retry_after}",
            {"retry_after": fault.retry_after},
        ))
    try:
        phrase = HTTPStatus(status).phrase
    except ValueError:
        phrase = "Error"
    if status in (502, 503, 504):  # what the nginx in front of Telegram answers
        page = f"<html>\r\n<head><title>{status} {phrase}</title></head>\r\n<body>\r\n" \
               f"<center><h1>{status} {phrase}</h1></center>\r\n<hr><center>nginx</center>\r\n" \
               "</body>\r\n</html>\r\n"
        return web.Response(status=status, text=page, content_type="text/html")
    return error_response(ApiError(status, phrase))
