"""Per-client token buckets: `burst` requests at once, then `rate` per second."""

from __future__ import annotations

import math
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass

DEFAULT_MAX_CLIENTS = 10_000


@dataclass
class _Bucket:
    tokens: float
    updated: float


class TokenBuckets:
    """One bucket per client, the `max_clients` most recently seen kept (LRU). A client
    whose bucket was dropped starts again with a full one."""

    def __init__(
        self,
        *,
        rate: float,
        burst: int,
        max_clients: int = DEFAULT_MAX_CLIENTS,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if rate <= 0 or burst < 1:
            raise ValueError(f"a token bucket needs rate > 0 and burst >= 1, not {rate}, {burst}")
        self._rate = rate
        self._burst = burst
        self._max_clients = max_clients
        self._clock = clock
        self._buckets: OrderedDict[str, _Bucket] = OrderedDict()

    def __len__(self) -> int:
        return len(self._buckets)

    def wait(self, client: str) -> float:
        """Seconds until `client` has a token (0 if it has one), taking none."""
        bucket = self._buckets.get(client)
        if bucket is None:
            return 0.0
        elapsed = max(0.0, self._clock() - bucket.updated)
        tokens = min(float(self._burst), bucket.tokens + elapsed * self._rate)
        return 0.0 if tokens >= 1 else (1 - tokens) / self._rate

    def take(self, client: str) -> float:
        """Take a token for `client`: 0 if it had one, else the seconds until it will."""
        now = self._clock()
        bucket = self._buckets.get(client)
        if bucket is None:
            bucket = self._buckets[client] = _Bucket(float(self._burst), now)
            while len(self._buckets) > self._max_clients:
                self._buckets.popitem(last=False)
        else:
            self._buckets.move_to_end(client)
            elapsed = max(0.0, now - bucket.updated)
            bucket.tokens = min(float(self._burst), bucket.tokens + elapsed * self._rate)
            bucket.updated = now
        if bucket.tokens >= 1:
            bucket.tokens -= 1
            return 0.0
        return (1 - bucket.tokens) / self._rate


def retry_after_seconds(wait: float) -> int:
    """The Retry-After value: whole seconds, at least 1."""
    return max(1, math.ceil(wait))
