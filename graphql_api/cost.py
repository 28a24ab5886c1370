"""The static cost of an operation: how many values its answer is expected to hold.

Every field costs the product of the expected sizes of the lists above it: in
`stocks { prices(from: F, to: T) { close } }` the field `stocks` costs 1,
each `prices` 1 per stock (the stock count), each `close` 1 per price row
(stocks × trading days). The total is the sum over all fields, about the
number of values the answer would hold. A list's expected size comes from its
arguments and the request's dataset version (LIST_SIZES); an object or a scalar
is 1 value. A connection (a Relay page) is an object whose `edges` list is as
long as its field's arguments say (CONNECTION_SIZES: `first`, or fewer).
Introspection (`__schema`, `__type`) counts its fields with every list of size
1: the depth limit (limits.py) bounds it.

Fields of one response key at one place are merged, as execution merges them,
so a fragment spread twice there counts once. As in limits.py, each named
fragment is looked at once (its fields collected once, reused at every spread)
and each merged group of selection sets is costed once, so a document whose
fragments fan out is costed in about the time of its size. Arguments are
resolved from the request's coerced variables, so this runs where they are
known: QueryCostLimit, a schema extension, after validation and before
execution. `@skip` / `@include` are not looked at: a skipped field counts, so
the estimate errs on the high side.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    GraphQLField,
    GraphQLList,
    GraphQLObjectType,
    GraphQLSchema,
    InlineFragmentNode,
    OperationDefinitionNode,
    SelectionSetNode,
    get_named_type,
    get_nullable_type,
    get_operation_ast,
)
from graphql.execution.values import VariableValues, get_argument_values, get_variable_values
from graphql.type.introspection import SchemaMetaFieldDef, TypeMetaFieldDef, TypeNameMetaFieldDef

from etl.dataset_pointer import VersionSummary
from etl.tables import TRADING_DAYS_PER_YEAR
from graphql_api.errors import ErrorCode
from graphql_api.pagination import DEFAULT_FIRST, MAX_FIRST
from graphql_api.services.arguments import MAX_CORRELATION_TICKERS, MAX_LIMIT

DEFAULT_MAX_QUERY_COST = 100_000
"""STOCK_ANALYTICS_MAX_QUERY_COST's default; docs/api.md says why this number."""
UNKNOWN_LIST_SIZE = MAX_LIMIT
"""The size of a list field LIST_SIZES does not know (a test keeps every schema list in it)."""
CALENDAR_DAYS_PER_YEAR = 365


@dataclass(frozen=True)
class DataExtent:
    """What the list sizes need to know of the request's dataset version."""

    first_date: date | None
    last_date: date | None
    tickers: int
    versions: int

    @classmethod
    def of(cls, summary: VersionSummary, *, versions: int) -> DataExtent:
        return cls(summary.first_date, summary.last_date, summary.tickers, versions)


ListSize = Callable[[Mapping[str, Any], DataExtent], int]


def trading_days(arguments: Mapping[str, Any], data: DataExtent) -> int:
    """Trading days in [from, to] clamped to the data's span: calendar days × 252 / 365,
    rounded up; 0 for an empty (or reversed) range."""
    start, end = arguments.get("from"), arguments.get("to")
    if not isinstance(start, date) or not isinstance(end, date):
        return 0
    if data.first_date is not None:
        start = max(start, data.first_date)
    if data.last_date is not None:
        end = min(end, data.last_date)
    days = (end - start).days + 1
    if days <= 0:
        return 0
    return math.ceil(days * TRADING_DAYS_PER_YEAR / CALENDAR_DAYS_PER_YEAR)


def limit(arguments: Mapping[str, Any], _: DataExtent) -> int:
    """`limit` rows (the schema's default when not given); outside 1..100 the field fails."""
    value = arguments.get("limit", 1)
    return value if isinstance(value, int) and 0 < value <= MAX_LIMIT else 0


def candles(arguments: Mapping[str, Any], data: DataExtent) -> int:
    """Calendar periods of `interval` that [from, to], clamped to the data's span, touches
    (trading days for DAY); each candle holds at least one trading day."""
    days = trading_days(arguments, data)
    interval = getattr(arguments.get("interval"), "value", arguments.get("interval"))
    if days == 0 or interval == "day":
        return days
    start: date = arguments["from"]
    end: date = arguments["to"]
    if data.first_date is not None:
        start = max(start, data.first_date)
    if data.last_date is not None:
        end = min(end, data.last_date)
    if interval == "week":
        periods = ((end - start).days + start.weekday()) // 7 + 1
    else:
        months = {"month": 1, "quarter": 3, "year": 12}.get(str(interval), 1)
        periods = (end.year * 12 + end.month - 1) // months
        periods -= (start.year * 12 + start.month - 1) // months
        periods += 1
    return min(days, periods)


def period_returns(arguments: Mapping[str, Any], data: DataExtent) -> int:
    """`limit` rows (10 when not given); outside 1..100 the field fails."""
    return limit({"limit": 10, **arguments}, data)


def ticker_pairs(arguments: Mapping[str, Any], _: DataExtent) -> int:
    """n(n-1)/2 pairs of the n distinct tickers named; over the most allowed the field fails."""
    named = arguments.get("tickers")
    count = len(set(named)) if isinstance(named, list) else 0
    return count * (count - 1) // 2 if count <= MAX_CORRELATION_TICKERS else 0


def tickers(_: Mapping[str, Any], data: DataExtent) -> int:
    return data.tickers


def versions(_: Mapping[str, Any], data: DataExtent) -> int:
    return data.versions


LIST_SIZES: dict[tuple[str, str], ListSize] = {
    ("Query", "averageDailyReturn"): trading_days,
    ("Query", "highestWorthStocks"): limit,
    ("Query", "mostVolatile"): limit,
    ("Query", "topThirtyDayReturns"): limit,
    ("Query", "datasets"): versions,
    ("Stock", "prices"): trading_days,
    # exploration
    ("Stock", "candles"): candles,
    ("Query", "periodReturns"): period_returns,
    ("Query", "correlations"): ticker_pairs,
}
"""The expected row count of each list field of the schema, by (type, field)."""


def page(arguments: Mapping[str, Any], _: DataExtent) -> int:
    """`first` rows (DEFAULT_FIRST when null); outside 0..MAX_FIRST the field fails."""
    value = arguments.get("first")
    if value is None:
        return DEFAULT_FIRST
    return value if isinstance(value, int) and 0 <= value <= MAX_FIRST else 0


def stock_page(arguments: Mapping[str, Any], data: DataExtent) -> int:
    """A page of the tickers in the dataset, or of the `tickers` listed."""
    rows = min(page(arguments, data), tickers(arguments, data))
    listed = arguments.get("tickers")
    return min(rows, len(set(listed))) if isinstance(listed, list) else rows


CONNECTION_SIZES: dict[tuple[str, str], ListSize] = {
    ("Query", "stocks"): stock_page,
    ("Dataset", "rejections"): page,
    ("Dataset", "anomalies"): page,
}
"""The expected length of the `edges` of each connection field, by (type, field)."""


@dataclass
class _Merged:
    """The fields of one response key in one selection set: graphql-core executes them as
    one field (validation made sure they agree), whose selection is all of theirs."""

    parent: GraphQLObjectType
    node: FieldNode
    """The first of them, for the name and arguments."""
    children: dict[int, SelectionSetNode]
    """Their selection sets, each once (by identity)."""


Collected = dict[str, _Merged]


class CostMeasurer:
    """Costs the selection sets of one document under one set of variable values.

    Fields are merged by response key as execution merges them, so a fragment spread
    twice at one place counts once; each fragment's fields are collected once and
    reused at every spread, and each group of selection sets is costed once.
    """

    def __init__(
        self,
        schema: GraphQLSchema,
        fragments: Mapping[str, FragmentDefinitionNode],
        variables: VariableValues,
        data: DataExtent,
    ) -> None:
        self._schema = schema
        self._fragments = fragments
        self._variables = variables
        self._data = data
        self._collected: dict[str, Collected] = {}
        self._in_progress: set[str] = set()
        self._costed: dict[tuple[frozenset[int], str, int | None], int] = {}

    def operation(self, operation: OperationDefinitionNode) -> int:
        root = self._schema.get_root_type(operation.operation)
        return 0 if root is None else self.cost((operation.selection_set,), root)

    def cost(
        self,
        selection_sets: tuple[SelectionSetNode, ...],
        parent: GraphQLObjectType,
        page: int | None = None,
    ) -> int:
        """The cost of the merged `selection_sets` under a multiplier of 1; `page` is the
        length of the lists in them when `parent` is a connection."""
        key = (frozenset(id(selection_set) for selection_set in selection_sets), parent.name, page)
        costed = self._costed.get(key)
        if costed is None:
            collected: Collected = {}
            for selection_set in selection_sets:
                self._collect(selection_set, parent, collected)
            costed = sum(self._field(merged, page) for merged in collected.values())
            self._costed[key] = costed
        return costed

    def _field(self, merged: _Merged, page: int | None) -> int:
        definition = _field_definition(self._schema, merged.parent, merged.node.name.value)
        if definition is None or not merged.children:
            return 1  # a scalar, or an unknown field (validation's error)
        inner = get_named_type(definition.type)
        if not isinstance(inner, GraphQLObjectType):
            return 1
        children = tuple(merged.children.values())
        connection = CONNECTION_SIZES.get((merged.parent.name, merged.node.name.value))
        if connection is not None:
            return 1 + self.cost(children, inner, self._sized(connection, merged.node, definition))
        size = 1
        if isinstance(get_nullable_type(definition.type), GraphQLList):
            size = (
                page
                if page is not None
                else self._list_size(merged.node, definition, merged.parent)
            )
        if size == 0:
            return 1
        return 1 + size * self.cost(children, inner)

    def _list_size(
        self, node: FieldNode, definition: GraphQLField, parent: GraphQLObjectType
    ) -> int:
        if parent.name.startswith("__"):
            return 1
        size = LIST_SIZES.get((parent.name, node.name.value))
        if size is None:
            return UNKNOWN_LIST_SIZE
        return self._sized(size, node, definition)

    def _sized(self, size: ListSize, node: FieldNode, definition: GraphQLField) -> int:
        try:
            arguments = get_argument_values(definition, node, self._variables)
        except (GraphQLError, ValueError):
            return 0  # the field fails with its own error, and nothing below it runs
        return max(0, size(arguments, self._data))

    def _collect(
        self, selection_set: SelectionSetNode, parent: GraphQLObjectType, into: Collected
    ) -> None:
        for selection in selection_set.selections:
            if isinstance(selection, FieldNode):
                key = (selection.alias or selection.name).value
                merged = into.setdefault(key, _Merged(parent, selection, {}))
                if selection.selection_set is not None:
                    merged.children[id(selection.selection_set)] = selection.selection_set
            elif isinstance(selection, InlineFragmentNode):
                self._collect(selection.selection_set, self._condition(selection, parent), into)
            elif isinstance(selection, FragmentSpreadNode):
                for key, found in self._fragment(selection.name.value).items():
                    if key in into:
                        into[key].children.update(found.children)
                    else:
                        into[key] = _Merged(found.parent, found.node, dict(found.children))

    def _fragment(self, name: str) -> Collected:
        collected = self._collected.get(name)
        if collected is not None:
            return collected
        fragment = self._fragments.get(name)
        if fragment is None or name in self._in_progress:
            return {}  # unknown fragments and cycles are validation's errors
        condition = self._schema.get_type(fragment.type_condition.name.value)
        if not isinstance(condition, GraphQLObjectType):
            return {}
        collected = {}
        self._in_progress.add(name)
        try:
            self._collect(fragment.selection_set, condition, collected)
        finally:
            self._in_progress.discard(name)
        self._collected[name] = collected
        return collected

    def _condition(
        self, fragment: InlineFragmentNode, parent: GraphQLObjectType
    ) -> GraphQLObjectType:
        if fragment.type_condition is None:
            return parent
        condition = self._schema.get_type(fragment.type_condition.name.value)
        return condition if isinstance(condition, GraphQLObjectType) else parent


def operation_cost(
    schema: GraphQLSchema,
    document: DocumentNode,
    operation_name: str | None,
    variables: Mapping[str, Any] | None,
    data: DataExtent,
) -> int | None:
    """The cost of the operation `operation_name` names (or the only one); None when
    there is no such operation or the variables do not coerce: execution then refuses
    the request with graphql-core's own error."""
    operation = get_operation_ast(document, operation_name)
    if operation is None:
        return None
    coerced = get_variable_values(
        schema, operation.variable_definitions or (), dict(variables or {}), max_errors=1
    )
    if not isinstance(coerced, VariableValues):
        return None
    fragments = {
        definition.name.value: definition
        for definition in document.definitions
        if isinstance(definition, FragmentDefinitionNode)
    }
    return CostMeasurer(schema, fragments, coerced, data).operation(operation)


def _field_definition(
    schema: GraphQLSchema, parent: GraphQLObjectType, name: str
) -> GraphQLField | None:
    if name == "__typename":
        return TypeNameMetaFieldDef
    if parent is schema.query_type and name == "__schema":
        return SchemaMetaFieldDef
    if parent is schema.query_type and name == "__type":
        return TypeMetaFieldDef
    found: GraphQLField | None = parent.fields.get(name)
    return found


def too_costly(cost: int, max_cost: int) -> GraphQLError:
    """The request error of an operation over the limit."""
    return GraphQLError(
        f"The query's estimated cost {cost:,} is over the limit {max_cost:,}: ask for a "
        "shorter range, fewer rows or fewer fields (docs/api.md, Query cost)",
        extensions={"code": ErrorCode.QUERY_TOO_COSTLY, "cost": cost, "maxCost": max_cost},
    )
