"""GraphQL execution with a short path for objects whose selected fields are all plain
leaves: fields of a scalar or enum type, given no arguments, that are Strawberry fields
without a resolver (the object's attribute) or whose resolver says how it reads a value
given no arguments (`plain_reader`). Their values are read and coerced as graphql-core's
execute_field and complete_value would, without a resolve info, a path and two
completion calls for each; a list of n rows of k such fields is n x k of them.

Anything else, and anything but a plain value on the short path (an error, an
awaitable, a null in a non-null field), executes the object the usual way, from its
first field: the values read were attributes, read again, and errors and their paths
come from graphql-core itself.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from graphql import (
    GraphQLFieldResolver,
    GraphQLLeafType,
    GraphQLNonNull,
    GraphQLObjectType,
    Undefined,
    is_leaf_type,
)
from graphql.execution.collect_fields import GroupedFieldSet
from graphql.pyutils import AwaitableOrValue, Path
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext

PlainReader = Callable[[Any], Any]
_PLAIN_READER = "plain_reader"


def with_plain_reader(resolve: GraphQLFieldResolver, read: PlainReader) -> GraphQLFieldResolver:
    """`resolve`, marked: given no arguments, it returns `read(source)`, nothing else."""
    setattr(resolve, _PLAIN_READER, read)
    return resolve


def _plain_reader(resolve: GraphQLFieldResolver | None) -> PlainReader | None:
    if resolve is None:
        return None
    if getattr(resolve, "_is_default", False):  # Strawberry's, for a field without resolver
        return resolve  # reads the attribute, info or not
    return getattr(resolve, _PLAIN_READER, None)


class _Fallback(Exception):
    """The object leaves the short path."""


class LeafObjectExecutionContext(StrawberryGraphQLCoreExecutionContext):
    def execute_fields(
        self,
        parent_type: GraphQLObjectType,
        source_value: Any,
        path: Path | None,
        grouped_field_set: GroupedFieldSet,
        position_context: Any,
    ) -> AwaitableOrValue[dict[str, Any]]:
        manager = self.middleware_manager
        if manager is None or not manager.middlewares:  # no resolver is wrapped
            try:
                return self._leaf_fields(parent_type, source_value, grouped_field_set)
            except _Fallback:
                pass
        return super().execute_fields(
            parent_type, source_value, path, grouped_field_set, position_context
        )

    def _leaf_fields(
        self, parent_type: GraphQLObjectType, source: Any, grouped_field_set: GroupedFieldSet
    ) -> dict[str, Any]:
        results: dict[str, Any] = {}
        fields = parent_type.fields
        for response_name, field_details_list in grouped_field_set.items():
            node = field_details_list[0].node
            field_def = fields.get(node.name.value)
            read = None if field_def is None else _plain_reader(field_def.resolve)
            if read is None or node.arguments:
                raise _Fallback
            return_type = field_def.type
            non_null = isinstance(return_type, GraphQLNonNull)
            leaf_type = return_type.of_type if non_null else return_type
            if not is_leaf_type(leaf_type):
                raise _Fallback
            try:
                value = read(source)
            except Exception as error:  # graphql-core's path reports it, at the field
                raise _Fallback from error
            if value is None or value is Undefined:
                if non_null:
                    raise _Fallback
                results[response_name] = None
                continue
            if isinstance(value, Exception) or self.is_awaitable(value):
                raise _Fallback
            results[response_name] = _coerced(leaf_type, value)
        return results


def _coerced(leaf_type: GraphQLLeafType, value: Any) -> Any:
    try:
        coerced = leaf_type.coerce_output_value(value)
    except Exception as error:
        raise _Fallback from error
    if coerced is Undefined or coerced is None:
        raise _Fallback
    return coerced
