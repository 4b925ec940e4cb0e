"""Per-user limits: how many questions one person may ask a minute, so nobody starves a group."""

from __future__ import annotations

import math
import time
from collections import deque
from collections.abc import Callable

WINDOW_SECONDS = 60.0


class QuestionLimiter:
    """A sliding one-minute window of questions per user. Used from the event loop only."""

    def __init__(self, per_minute: int, clock: Callable[[], float] = time.monotonic):
        self.per_minute = per_minute
        self._clock = clock
        self._asked: dict[int, deque[float]] = {}

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
        return 0
