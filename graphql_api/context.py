"""The typed per-request context every resolver receives."""

from __future__ import annotations

from functools import cached_property

import strawberry
from strawberry.fastapi import BaseContext

from graphql_api.config import Settings
from graphql_api.dataset_version import RequestDataset
from graphql_api.engines.base import QueryEngine, QueryError
from graphql_api.engines.snapshot import EngineSnapshot
from graphql_api.errors import BadUserInput
from graphql_api.loaders.stocks import StockLoaders, make_stock_loaders


class AppContext(BaseContext):
    """Made per request, so the DataLoaders' caches live for one request only."""

    def __init__(
        self,
        *,
        engine: QueryEngine,
        settings: Settings,
        request_id: str,
        dataset: RequestDataset | QueryError | BadUserInput,
    ) -> None:
        super().__init__()
        self.engine = engine
        self.settings = settings
        self.request_id = request_id
        self._dataset = dataset

    @property
    def dataset(self) -> RequestDataset:
        """The request's one dataset version; a field that needs it fails with the reason
        the request has none (a bad X-Dataset-Version, an unreadable pointer)."""
        if isinstance(self._dataset, RequestDataset):
            return self._dataset
        raise self._dataset

    @cached_property
    def snapshot(self) -> EngineSnapshot:
        """The engine pinned to the request's version: every query the request makes."""
        return EngineSnapshot(self.engine, self.dataset.version)

    @cached_property
    def stock_loaders(self) -> StockLoaders:
        return make_stock_loaders(self.snapshot)


Info = strawberry.Info[AppContext, None]
"""What every resolver receives as `info`."""
