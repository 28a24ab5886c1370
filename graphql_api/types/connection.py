"""Relay connections: `Connection[Stock]` is the schema's StockConnection, with StockEdge."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Generic, Protocol, TypeVar

import strawberry

T = TypeVar("T")


@strawberry.type(description="Where a page ends, and whether another follows it.")
class PageInfo:
    has_next_page: bool = strawberry.field(
        description="Whether rows follow this page: ask for them with `after: endCursor`."
    )
    end_cursor: str | None = strawberry.field(
        description="The cursor of the page's last edge; null when the page is empty."
    )


@strawberry.type(description="One row of a page, and its cursor.")
class Edge(Generic[T]):
    cursor: str = strawberry.field(
        description="Opaque; pass it as `after` to get the rows that follow this one. It "
        "holds within the dataset version it was read from."
    )
    node: T = strawberry.field(description="The row.")


class Counted(Protocol):
    count: Callable[[], Awaitable[int]]


async def total_count(root: Counted) -> int:
    return await root.count()


@strawberry.type(
    description="A page of a list, in the list's order, walked with `first` / `after`."
)
class Connection(Generic[T]):
    edges: list[Edge[T]] = strawberry.field(description="The page's rows, in order.")
    page_info: PageInfo = strawberry.field(description="Where the page ends.")
    total_count: int = strawberry.field(
        resolver=total_count,
        description="How many rows the whole list holds (every page), filters applied; "
        "asked of the engine only when selected.",
    )
    count: strawberry.Private[Callable[[], Awaitable[int]]]
