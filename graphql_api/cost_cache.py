"""Operation costs (graphql_api/cost.py) remembered, so a repeated request is not costed
again: the cost walks the document and coerces the variables on every request, about as
long as executing a small query.

A cost is a pure function of the schema, the query text (the document is its parse),
the operation name, the variable values and the dataset version's extent, so those are
the key; the limit it is compared with is not part of it. Variables that are not plain
JSON values (a caller in Python may pass others), or too large or deep to keep in a key
(MAX_KEY_VALUES, MAX_KEY_DEPTH, MAX_KEY_STRING), are costed afresh each time: a key as
large as a request body in each entry would let a client pin some 1.2 MB an entry (60 KB
of numbers, frozen), and a deep one would exhaust the stack freezing it.
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping
from typing import Any

from graphql import DocumentNode, GraphQLSchema

from graphql_api.cost import DataExtent, operation_cost
from graphql_api.lru import LRU

COST_CACHE_SIZE = 1024
MAX_KEY_VALUES = 256
"""The most JSON values (each item of a list or object counts) of remembered variables."""
MAX_KEY_DEPTH = 16
"""The deepest nesting of lists and objects of remembered variables."""
MAX_KEY_STRING = 256
"""The longest string (a name or a value) of remembered variables."""

CostKey = tuple[GraphQLSchema, str, str | None, Hashable, DataExtent]


class _NotRemembered(Exception):
    """Not plain JSON, or too large or deep to keep in a key."""


class OperationCosts:
    """A bounded LRU of operation costs, shared by every request to one schema."""

    def __init__(self, maxsize: int = COST_CACHE_SIZE) -> None:
        self._costs: LRU[CostKey, int | None] = LRU(maxsize)

    def cost(
        self,
        schema: GraphQLSchema,
        query: str | None,
        document: DocumentNode,
        operation_name: str | None,
        variables: Mapping[str, Any] | None,
        data: DataExtent,
    ) -> int | None:
        """operation_cost(schema, document, operation_name, variables, data), where
        `document` is the parse of `query` (None: costed afresh)."""
        try:
            frozen = _frozen(variables, [MAX_KEY_VALUES], MAX_KEY_DEPTH)
        except _NotRemembered:
            query = None
        if query is None:
            return operation_cost(schema, document, operation_name, variables, data)
        key: CostKey = (schema, query, operation_name, frozen, data)
        found, cost = self._costs.lookup(key)
        if not found:
            cost = operation_cost(schema, document, operation_name, variables, data)
            self._costs.store(key, cost)
        return cost


def _frozen(value: Any, budget: list[int], depth: int) -> Hashable:
    """A JSON value as a hashable that tells apart what equality would merge (1, 1.0 and
    True; 0.0 and -0.0). _NotRemembered for anything else, or past `depth` or the values
    left in `budget` (a one-item list, spent by each value)."""
    budget[0] -= 1
    if budget[0] < 0:
        raise _NotRemembered
    kind = type(value)
    if kind is str:
        if len(value) > MAX_KEY_STRING:
            raise _NotRemembered
        return (kind, value)
    if kind is int or kind is bool or value is None:
        return (kind, value)
    if kind is float:
        return (kind, repr(value))
    if depth == 0:
        raise _NotRemembered
    if kind is list:
        return (kind, tuple([_frozen(item, budget, depth - 1) for item in value]))
    if kind is dict:
        if not all(type(name) is str and len(name) <= MAX_KEY_STRING for name in value):
            raise _NotRemembered
        items = [(name, _frozen(item, budget, depth - 1)) for name, item in value.items()]
        return (kind, tuple(sorted(items)))
    raise _NotRemembered
