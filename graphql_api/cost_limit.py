"""QueryCostLimit: refuses an operation whose static cost (graphql_api/cost.py) is over
STOCK_ANALYTICS_MAX_QUERY_COST, before any resolver runs, as a request error
(QUERY_TOO_COSTLY, no `data`).

It runs at the start of Strawberry's execute step: after validation (the document
is valid), with the request's variables at hand (a validation rule never sees
them) and its dataset version (for the data's span and ticker count). Setting
the execution context's result there is Strawberry's way to answer without
executing. A repeated request's cost is remembered (graphql_api/cost_cache.py).
"""

from __future__ import annotations

from collections.abc import Iterator

from graphql import ExecutionResult as GraphQLExecutionResult
from strawberry.extensions import SchemaExtension

from graphql_api.context import AppContext
from graphql_api.cost import DataExtent, too_costly
from graphql_api.cost_cache import OperationCosts
from graphql_api.engines.base import QueryError
from graphql_api.errors import BadUserInput
from graphql_api.observability.stats import QueryCost, record_query_cost


class QueryCostLimit(SchemaExtension):
    """Made per request (a factory); `max_cost` is the setting, `costs` the schema's
    remembered costs (shared by every request)."""

    def __init__(self, *, max_cost: int, costs: OperationCosts) -> None:
        super().__init__()
        self.max_cost = max_cost
        self.costs = costs

    def on_execute(self) -> Iterator[None]:
        cost = self._estimate()
        if cost is not None:
            record_query_cost(QueryCost(cost, self.max_cost))
            if cost > self.max_cost:
                self.execution_context.result = GraphQLExecutionResult(
                    data=None, errors=[too_costly(cost, self.max_cost)]
                )
        yield

    def _estimate(self) -> int | None:
        """None when there is nothing to cost: no document, or no dataset version (every
        field that reads data then fails with the reason)."""
        context = self.execution_context
        app = context.context
        if context.graphql_document is None or not isinstance(app, AppContext):
            return None
        try:
            dataset = app.dataset
        except (QueryError, BadUserInput):
            return None
        data = DataExtent.of(dataset.summary, versions=len(dataset.pointer.versions))
        return self.costs.cost(
            context.schema._schema,
            context.query,
            context.graphql_document,
            context.operation_name,
            context.variables,
            data,
        )
