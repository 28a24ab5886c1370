"""A bounded, thread-safe least-recently-used map, for per-request work whose result is
a pure function of a small key (graphql_api/cost_cache.py)."""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Hashable
from typing import Generic, TypeVar

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")

_MISSING = object()


class LRU(Generic[K, V]):
    """At most `maxsize` entries; a lookup makes its entry the most recent, a store past
    the bound drops the least recent. Stored values may be None."""

    def __init__(self, maxsize: int) -> None:
        if maxsize < 1:
            raise ValueError(f"maxsize must be at least 1, not {maxsize}")
        self.maxsize = maxsize
        self._entries: OrderedDict[K, V] = OrderedDict()
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self._entries)

    def lookup(self, key: K) -> tuple[bool, V | None]:
        """(True, the value) if `key` is stored, else (False, None)."""
        with self._lock:
            found = self._entries.get(key, _MISSING)
            if found is _MISSING:
                return False, None
            self._entries.move_to_end(key)
            return True, found  # type: ignore[return-value]

    def store(self, key: K, value: V) -> None:
        with self._lock:
            self._entries[key] = value
            self._entries.move_to_end(key)
            while len(self._entries) > self.maxsize:
                self._entries.popitem(last=False)
