"""Resolvers of Dataset's rejections and anomalies: each reads the version its Dataset names."""

from __future__ import annotations

from functools import partial
from typing import Annotated, Protocol

import strawberry

from graphql_api.context import Info
from graphql_api.engines.base import Snapshot
from graphql_api.engines.snapshot import EngineSnapshot
from graphql_api.pagination import (
    DEFAULT_FIRST,
    After,
    First,
    cursor_encoder,
    page_request,
    paged,
)
from graphql_api.services import data_quality
from graphql_api.types.connection import Connection
from graphql_api.types.data_quality import Anomaly, RejectedRow

REJECTIONS = "rejections"
ANOMALIES = "anomalies"

Reason = Annotated[
    str | None,
    strawberry.argument(description="Only the rows rejected for this reason, e.g. bad_date."),
]
Kind = Annotated[
    str | None,
    strawberry.argument(description="Only the anomalies of this kind, e.g. large_move."),
]
Ticker = Annotated[
    str | None, strawberry.argument(description="Only the anomalies of this ticker.")
]


class DatasetRoot(Protocol):
    """What these resolvers need of the Dataset they resolve a field of."""

    version: str


def _snapshot(root: DatasetRoot, info: Info) -> Snapshot:
    """The request's snapshot for its own version; another retained version's otherwise
    (a Dataset of `datasets`)."""
    context = info.context
    if root.version == context.dataset.version:
        return context.snapshot
    return EngineSnapshot(context.engine, root.version)


async def rejections(
    root: DatasetRoot,
    info: Info,
    reason: Reason = None,
    first: First = DEFAULT_FIRST,
    after: After = None,
) -> Connection[RejectedRow]:
    snapshot = _snapshot(root, info)
    wanted = data_quality.checked_reason(reason)
    request = page_request(REJECTIONS, snapshot.version, data_quality.REJECTION_KEY, first, after)
    found = await data_quality.rejections(snapshot, wanted, request.after, request.kept)
    cursor = cursor_encoder(REJECTIONS, snapshot.version)
    return paged(
        found,
        request,
        lambda row: cursor(data_quality.rejection_key(row)),
        partial(data_quality.rejection_count, snapshot, wanted),
    )


async def anomalies(
    root: DatasetRoot,
    info: Info,
    kind: Kind = None,
    ticker: Ticker = None,
    first: First = DEFAULT_FIRST,
    after: After = None,
) -> Connection[Anomaly]:
    snapshot = _snapshot(root, info)
    wanted_kind = data_quality.checked_kind(kind)
    wanted_ticker = None if ticker is None else ticker.strip()
    request = page_request(ANOMALIES, snapshot.version, data_quality.ANOMALY_KEY, first, after)
    found = await data_quality.anomalies(
        snapshot, wanted_kind, wanted_ticker, request.after, request.kept
    )
    cursor = cursor_encoder(ANOMALIES, snapshot.version)
    return paged(
        found,
        request,
        lambda row: cursor(data_quality.anomaly_key(row)),
        partial(data_quality.anomaly_count, snapshot, wanted_kind, wanted_ticker),
    )
