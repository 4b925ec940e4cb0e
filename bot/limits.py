"""Per-user limits: how many questions one person may ask a minute, so nobody starves a group.

A refused user is told once to wait; the questions they send while still refused are
dropped without a word, so a flood does not become a flood of warnings (each would use
up the group's share of Telegram's sending limits, starving everyone else's answers).
"""

from __future__ import annotations

import math
import time
from collections import deque
from collections.abc import Callable

WINDOW_SECONDS = 60.0
DAY_SECONDS = 24 * 3600.0


class QuestionLimiter:
    """A sliding one-minute window of questions per user. Used from the event loop only."""

    def __init__(self, per_minute: int, clock: Callable[[], float] = time.monotonic):
        self.per_minute = per_minute
        self._clock = clock
        self._asked: dict[int, deque[float]] = {}
        self._warned: set[int] = set()

    def check(self, user_id: int) -> int:
        """0 when the user may ask now (the question is counted), else the seconds to wait."""
        if self.per_minute <= 0:
            return 0
        now = self._clock()
        asked = self._asked.setdefault(user_id, deque())
        while asked and asked[0] <= now - WINDOW_SECONDS:
            asked.popleft()
        if len(asked) >= self.per_minute:
            return max(1, math.ceil(asked[0] + WINDOW_SECONDS - now))
        asked.append(now)
        self._warned.discard(user_id)
        return 0

    def warn_once(self, user_id: int) -> bool:
        """True the first time ``user_id`` is refused since their last allowed question."""
        if user_id in self._warned:
            return False
        self._warned.add(user_id)
        return True


class UploadAllowance:
    """How many bytes of articles one admin may upload in any 24 hours. Used from the event loop only."""

    def __init__(self, bytes_per_day: int, clock: Callable[[], float] = time.monotonic):
        self.bytes_per_day = bytes_per_day
        self._clock = clock
        self._uploaded: dict[int, deque[tuple[float, int]]] = {}

    def used(self, user_id: int) -> int:
        """Bytes uploaded by the user in the last 24 hours."""
        now = self._clock()
        uploads = self._uploaded.setdefault(user_id, deque())
        while uploads and uploads[0][0] <= now - DAY_SECONDS:
            uploads.popleft()
        return sum(size for _, size in uploads)

    def take(self, user_id: int, size: int) -> bool:
        """Count an upload of ``size`` bytes, or return False (counting nothing) when it would pass the cap."""
        if self.bytes_per_day <= 0:
            return True
        if self.used(user_id) + size > self.bytes_per_day:
            return False
        self._uploaded[user_id].append((self._clock(), size))
        return True
