"""A DataLoader's answer taken at once when it is there already."""

from __future__ import annotations

from asyncio import Future
from collections.abc import Awaitable
from typing import TypeVar

T = TypeVar("T")


def settled(loading: Awaitable[T]) -> T | Awaitable[T]:
    """`loading`'s value if it has one already (a key loaded earlier in the request), else
    `loading` itself. A resolver that returns the value is completed at once: no coroutine
    to await, and the rest of its object need not wait for a later loop iteration."""
    if (
        isinstance(loading, Future)
        and loading.done()
        and not loading.cancelled()
        and loading.exception() is None
    ):
        value: T = loading.result()
        return value
    return loading
