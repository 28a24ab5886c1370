"""The Strawberry schema, assembled with its limits, caches and error handling."""

from __future__ import annotations

from functools import partial

from graphql import ASTValidationRule, NoSchemaIntrospectionCustomRule
from graphql.error import GraphQLError
from strawberry import Schema
from strawberry.extensions import AddValidationRules, MaxTokensLimiter, ParserCache, SchemaExtension
from strawberry.schema.config import StrawberryConfig
from strawberry.types import ExecutionContext

from graphql_api.config import Settings
from graphql_api.cost_cache import OperationCosts
from graphql_api.cost_limit import QueryCostLimit
from graphql_api.error_codes import ErrorCodes, log_errors
from graphql_api.extension_hooks import PlannedExtensionsRunner
from graphql_api.leaf_execution import LeafObjectExecutionContext
from graphql_api.limits import limit_rule
from graphql_api.observability.query_stats import QueryStatsExtension
from graphql_api.operation_name import OperationNameRequired
from graphql_api.resolvers.query import Query
from graphql_api.resolvers.stock_fields import (
    answer_prices_directly,
    answer_whole_history_directly,
)
from graphql_api.types.scalars import SCALAR_MAP
from graphql_api.validation import OffLoopValidation, ValidationResults

DOCUMENT_CACHE_SIZE = 1024


class AnalyticsSchema(Schema):
    """Logs every error as it was raised (the ErrorCodes extension codes what is sent); runs
    the extensions' hooks as planned once (graphql_api/extension_hooks.py)."""

    validation_results: ValidationResults

    def process_errors(
        self, errors: list[GraphQLError], execution_context: ExecutionContext | None = None
    ) -> None:
        log_errors(errors, execution_context)

    def create_extensions_runner(
        self, execution_context: ExecutionContext, extensions: list[SchemaExtension]
    ) -> PlannedExtensionsRunner:
        return PlannedExtensionsRunner(execution_context=execution_context, extensions=extensions)


def build_schema(settings: Settings) -> AnalyticsSchema:
    validation_results = ValidationResults(maxsize=DOCUMENT_CACHE_SIZE)
    schema = AnalyticsSchema(
        query=Query,
        config=StrawberryConfig(scalar_map=SCALAR_MAP),
        execution_context_class=LeafObjectExecutionContext,
        extensions=[
            partial(ErrorCodes, hide_suggestions=not settings.allow_introspection),
            partial(MaxTokensLimiter, max_token_count=settings.max_query_tokens),
            partial(ParserCache, maxsize=DOCUMENT_CACHE_SIZE),
            partial(OffLoopValidation, results=validation_results),
            partial(AddValidationRules, _limit_rules(settings)),
            OperationNameRequired,
            partial(QueryCostLimit, max_cost=settings.max_query_cost, costs=OperationCosts()),
            QueryStatsExtension,
        ],
    )
    schema.validation_results = validation_results
    answer_whole_history_directly(schema._schema)
    answer_prices_directly(schema._schema)
    return schema


def _limit_rules(settings: Settings) -> list[type[ASTValidationRule]]:
    """The limit rule classes, made once: validation results are keyed on the rules, so
    rule classes made afresh per request would make every request a miss."""
    rules = [limit_rule(max_depth=settings.max_query_depth, max_aliases=settings.max_query_aliases)]
    if not settings.allow_introspection:
        rules.append(NoSchemaIntrospectionCustomRule)
    return rules
