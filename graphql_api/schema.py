"""The Strawberry schema, assembled with its limits, caches and error handling."""

from __future__ import annotations

from functools import partial

from graphql.error import GraphQLError
from strawberry import Schema
from strawberry.extensions import (
    MaxAliasesLimiter,
    MaxTokensLimiter,
    ParserCache,
    QueryDepthLimiter,
    ValidationCache,
)
from strawberry.schema.config import StrawberryConfig
from strawberry.types import ExecutionContext

from graphql_api.config import Settings
from graphql_api.error_codes import ErrorCodes, log_errors
from graphql_api.resolvers.query import Query
from graphql_api.types.scalars import SCALAR_MAP

DOCUMENT_CACHE_SIZE = 1024


class AnalyticsSchema(Schema):
    def process_errors(
        self, errors: list[GraphQLError], execution_context: ExecutionContext | None = None
    ) -> None:
        log_errors(errors, execution_context)


def build_schema(settings: Settings) -> Schema:
    return AnalyticsSchema(
        query=Query,
        config=StrawberryConfig(scalar_map=SCALAR_MAP),
        extensions=[
            ErrorCodes,
            partial(MaxTokensLimiter, max_token_count=settings.max_query_tokens),
            partial(ParserCache, maxsize=DOCUMENT_CACHE_SIZE),
            partial(ValidationCache, maxsize=DOCUMENT_CACHE_SIZE),
            partial(QueryDepthLimiter, max_depth=settings.max_query_depth),
            partial(MaxAliasesLimiter, max_alias_count=settings.max_query_aliases),
        ],
    )
