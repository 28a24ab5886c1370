"""The typed per-request context every resolver receives."""

from __future__ import annotations

import strawberry
from strawberry.fastapi import BaseContext

from graphql_api.config import Settings
from graphql_api.engines.base import QueryEngine
from graphql_api.loaders.stocks import StockLoaders, make_stock_loaders


class AppContext(BaseContext):
    """Made per request, so the DataLoaders' caches live for one request only."""

    def __init__(self, *, engine: QueryEngine, settings: Settings, request_id: str) -> None:
        super().__init__()
        self.engine = engine
        self.settings = settings
        self.request_id = request_id
        self.stock_loaders: StockLoaders = make_stock_loaders(engine)


Info = strawberry.Info[AppContext, None]
"""What every resolver receives as `info`."""
