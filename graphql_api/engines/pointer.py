"""The warehouse pointer (`_dataset.json`), read at most once per time-to-live.

Both engines keep one PointerCache over their own way of reading the file (a
local path, an S3 object). Every request asks it which versions exist; within
the time-to-live they all get the pointer already read, and callers that queue
while a read is under way reuse that read instead of starting their own.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable

from etl.dataset_pointer import DatasetPointer

PointerReader = Callable[[], Awaitable[DatasetPointer]]
"""Reads and parses the pointer; raises DatasetUnavailable when it cannot."""
PointerChanged = Callable[[DatasetPointer], Awaitable[None]]


class PointerCache:
    def __init__(
        self,
        read: PointerReader,
        *,
        ttl_seconds: float,
        on_change: PointerChanged | None = None,
    ) -> None:
        self._read = read
        self._ttl_seconds = ttl_seconds
        self._on_change = on_change
        self._pointer: DatasetPointer | None = None
        self._read_at = float("-inf")
        self._reads_done = 0
        self._lock = asyncio.Lock()
        self.reads = 0
        """How many times the pointer was read (tests count them)."""

    async def get(self) -> DatasetPointer:
        if self._pointer is not None and not self._due():
            return self._pointer
        reads_before = self._reads_done
        async with self._lock:
            # A read finished while this caller waited for the lock: it is as fresh as one
            # this caller could make, so use it (this holds with a time-to-live of 0 too).
            if self._pointer is None or self._reads_done == reads_before:
                self.reads += 1
                pointer = await self._read()
                if pointer != self._pointer and self._on_change is not None:
                    await self._on_change(pointer)
                self._pointer = pointer
                self._read_at = time.monotonic()
                self._reads_done += 1
            return self._pointer

    def _due(self) -> bool:
        return time.monotonic() - self._read_at >= self._ttl_seconds
