"""GraphQL execution with a short path for plain leaves: fields of a scalar or enum type,
given no arguments, that are Strawberry fields without a resolver (the object's attribute)
or whose resolver says how it reads a value given no arguments (`plain_reader`). Their
values are read and coerced as graphql-core's execute_field and complete_value would,
without a resolve info, a path and two completion calls for each; a list of n rows of k
such fields is n x k of them.

An object's fields are executed as graphql-core's execute_fields does, one after the
other; a field that is not a plain leaf, and a plain leaf whose value is anything but a
plain one (an error, an awaitable, a null in a non-null field), is executed the usual way
(the value read was an attribute, read again), so errors and their paths come from
graphql-core itself.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from graphql import (
    FieldNode,
    GraphQLField,
    GraphQLFieldResolver,
    GraphQLLeafType,
    GraphQLNonNull,
    GraphQLObjectType,
    Undefined,
    is_leaf_type,
)
from graphql.execution.collect_fields import GroupedFieldSet
from graphql.pyutils import AwaitableOrValue, Path, gather_with_cancel
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


_NOT_PLAIN: Any = object()
"""What _plain_leaf answers for a field that leaves the short path."""


class LeafObjectExecutionContext(StrawberryGraphQLCoreExecutionContext):
    def execute_fields(
        self,
        parent_type: GraphQLObjectType,
        source_value: Any,
        path: Path | None,
        grouped_field_set: GroupedFieldSet,
        position_context: Any,
    ) -> AwaitableOrValue[dict[str, Any]]:
        """graphql-core's execute_fields, field by field in the same order, with a plain
        leaf's value read on the short path."""
        manager = self.middleware_manager
        if manager is not None and manager.middlewares:  # resolvers are wrapped
            return super().execute_fields(
                parent_type, source_value, path, grouped_field_set, position_context
            )
        results: dict[str, Any] = {}
        is_awaitable = self.is_awaitable
        awaitable_fields: list[str] = []
        fields = parent_type.fields
        try:
            for response_name, field_details_list in grouped_field_set.items():
                value = _plain_leaf(fields, source_value, field_details_list[0].node, is_awaitable)
                if value is not _NOT_PLAIN:
                    results[response_name] = value
                    continue
                field_path = Path(path, response_name, parent_type.name)
                result = self.execute_field(
                    parent_type, source_value, field_details_list, field_path, position_context
                )
                if result is not Undefined:
                    results[response_name] = result
                    if is_awaitable(result):
                        awaitable_fields.append(response_name)
        except Exception:
            if awaitable_fields:
                self.settle_in_background([results[field] for field in awaitable_fields])
            raise
        if not awaitable_fields:
            return results
        return _awaited(results, awaitable_fields)


def _plain_leaf(
    fields: dict[str, GraphQLField],
    source: Any,
    node: FieldNode,
    is_awaitable: Callable[[Any], bool],
) -> Any:
    """The field's completed value on the short path; _NOT_PLAIN if it is not a plain leaf
    or its value is anything but a plain one."""
    field_def = fields.get(node.name.value)
    if field_def is None or node.arguments:
        return _NOT_PLAIN
    read = _plain_reader(field_def.resolve)
    if read is None:
        return _NOT_PLAIN
    return_type = field_def.type
    non_null = isinstance(return_type, GraphQLNonNull)
    leaf_type = return_type.of_type if isinstance(return_type, GraphQLNonNull) else return_type
    if not is_leaf_type(leaf_type):
        return _NOT_PLAIN
    try:
        value = read(source)
    except Exception:  # graphql-core's path reports it, at the field
        return _NOT_PLAIN
    if value is None or value is Undefined:
        return _NOT_PLAIN if non_null else None
    if isinstance(value, Exception) or is_awaitable(value):
        return _NOT_PLAIN
    return _coerced(leaf_type, value)


async def _awaited(results: dict[str, Any], awaitable_fields: list[str]) -> dict[str, Any]:
    """graphql-core's execute_fields' get_results."""
    if len(awaitable_fields) == 1:
        field = awaitable_fields[0]
        results[field] = await results[field]
    else:
        awaited_results = await gather_with_cancel(*(results[field] for field in awaitable_fields))
        results.update(zip(awaitable_fields, awaited_results, strict=True))
    return results


def _coerced(leaf_type: GraphQLLeafType, value: Any) -> Any:
    try:
        coerced = leaf_type.coerce_output_value(value)
    except Exception:
        return _NOT_PLAIN
    if coerced is Undefined or coerced is None:
        return _NOT_PLAIN
    return coerced
