"""Client-side pacing that matches the API's published limit.

The API allows 60 requests in a minute. A leaky bucket (aiolimiter's model)
lets a full burst through and then keeps leaking, so within one 60-second
window it can send nearly twice the allowance and collect 429s. A sliding-window
log never sends more than ``rate`` requests in any window, which satisfies a
server counting by fixed or by sliding windows, and still lets a small run go
at full speed.
"""

from __future__ import annotations

import asyncio
import random
import time
from collections import deque
from collections.abc import Callable


class SlidingWindowLimiter:
    def __init__(
        self,
        rate: int,
        period: float = 60.0,
        *,
        margin: float = 0.25,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if rate < 1:
            raise ValueError("rate must be at least 1 request per period")
        self.rate = rate
        # A little slack: the server measures arrival, we measure departure.
        self.period = period + margin
        self._clock = clock
        self._sent: deque[float] = deque()
        self._paused_until = 0.0
        self._lock = asyncio.Lock()

    def pause(self, seconds: float) -> None:
        """Hold every caller back, e.g. when the server answered 429 with retry_after."""
        self._paused_until = max(self._paused_until, self._clock() + seconds)

    def delay_needed(self) -> float:
        now = self._clock()
        while self._sent and now - self._sent[0] >= self.period:
            self._sent.popleft()
        wait = self._paused_until - now
        if len(self._sent) >= self.rate:
            wait = max(wait, self._sent[0] + self.period - now)
        return max(0.0, wait)

    async def acquire(self) -> None:
        async with self._lock:
            while (wait := self.delay_needed()) > 0:
                await asyncio.sleep(wait)
            self._sent.append(self._clock())

    def seconds_for(self, requests: int) -> float:
        """Least time ``requests`` take at this rate, from a standing start."""
        if requests <= self.rate:
            return 0.0
        return ((requests - 1) // self.rate) * self.period


#: The first retry's longest wait, in seconds; each further retry doubles it, up to RETRY_CAP.
RETRY_DELAY = 0.5
RETRY_CAP = 30


def backoff_delay(attempt: int, *, base: float = RETRY_DELAY, cap: float = RETRY_CAP) -> float:
    """Full jitter: a random wait up to base * 2**attempt, so retrying clients spread out."""
    return random.uniform(0, min(cap, base * (2**attempt)))
