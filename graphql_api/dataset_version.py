"""One dataset version per request, read from the pointer once, named in the answer.

The first part of the app that needs the request's version resolves it (the
response cache, the GraphQL context or a REST route) and the outcome, the
version or the error, is kept in the request's state for all the others: one
pointer lookup per request, however many fields ask. A request may pin a
retained version with the `X-Dataset-Version` header; its answer names the
version in the same header either way.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from etl.dataset_pointer import DatasetPointer, VersionSummary, is_version
from graphql_api.engines.base import QueryEngine, QueryError
from graphql_api.errors import BadUserInput
from graphql_api.http_contract import (
    DATASET_VERSION_HEADER,
    DATASET_VERSION_STATE,
    GRAPHQL_METHODS,
    GRAPHQL_PATH,
    header,
)

HOW_TO_LIST = (
    "list the retained versions with the `datasets` field "
    "or `stock-analytics versions --warehouse W`"
)


@dataclass(frozen=True)
class RequestDataset:
    """The version a request reads, and the pointer it was chosen from."""

    pointer: DatasetPointer
    summary: VersionSummary

    @property
    def version(self) -> str:
        return self.summary.version

    @cached_property
    def retained(self) -> frozenset[str]:
        return frozenset(summary.version for summary in self.pointer.versions)


_current: RequestDataset | None = None
"""The last pointer's current version: every request that pins none shares it."""


def choose(pointer: DatasetPointer, requested: str | None) -> RequestDataset:
    """The current version, or the retained one `requested` names (BadUserInput if none)."""
    global _current
    if requested is None:
        if _current is None or _current.pointer is not pointer:
            _current = RequestDataset(pointer, pointer.current_summary)
        return _current
    wanted = requested.strip()
    if not is_version(wanted):
        raise BadUserInput(
            f"X-Dataset-Version {wanted[:40]!r} is not a dataset version "
            f"(they look like 20240131T120000Z-a1b2c3); {HOW_TO_LIST}"
        )
    found = pointer.find(wanted)
    if found is None:
        gone = any(dropped.version == wanted for dropped in pointer.dropped)
        why = "has expired" if gone else "is not a retained version"
        raise BadUserInput(f"dataset version {wanted} {why}; {HOW_TO_LIST}")
    return RequestDataset(pointer, found)


async def resolve(scope: Scope, engine: QueryEngine) -> RequestDataset | QueryError | BadUserInput:
    """The request's dataset, or why it has none; looked up once per request."""
    state = scope.setdefault("state", {})
    if DATASET_VERSION_STATE not in state:
        try:
            state[DATASET_VERSION_STATE] = choose(await engine.pointer(), requested_version(scope))
        except (QueryError, BadUserInput) as error:
            state[DATASET_VERSION_STATE] = error
    found: RequestDataset | QueryError | BadUserInput = state[DATASET_VERSION_STATE]
    return found


async def request_dataset(scope: Scope, engine: QueryEngine) -> RequestDataset:
    """As resolve(), raising the error."""
    found = await resolve(scope, engine)
    if isinstance(found, RequestDataset):
        return found
    raise found


def requested_version(scope: Scope) -> str | None:
    value = header(scope["headers"], DATASET_VERSION_HEADER)
    return None if value is None else bytes(value).decode("latin-1")


class DatasetVersionMiddleware:
    """Resolves the version of every request on `path` before anything else needs it,
    and names the resolved version (on any path) in the answer's X-Dataset-Version."""

    def __init__(self, app: ASGIApp, *, path: str = GRAPHQL_PATH) -> None:
        self.app = app
        self.path = path

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        if scope["path"] == self.path and scope["method"] in GRAPHQL_METHODS:
            await resolve(scope, scope["app"].state.engine)

        async def named(message: Message) -> None:
            found = scope.get("state", {}).get(DATASET_VERSION_STATE)
            if message["type"] == "http.response.start" and isinstance(found, RequestDataset):
                headers = [
                    *message.get("headers", ()),
                    (DATASET_VERSION_HEADER, found.version.encode()),
                    (b"vary", b"X-Dataset-Version"),
                ]
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, named)
