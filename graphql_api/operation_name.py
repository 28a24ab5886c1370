"""A document of several operations needs an operation name, as the spec says.

graphql-core refuses such a request without one, but Strawberry names the
first operation for it, so the request would silently run that one. This
extension refuses it first, with graphql-core's message, as BAD_USER_INPUT.
"""

from __future__ import annotations

from collections.abc import AsyncIterator

from graphql import GraphQLError, OperationDefinitionNode
from strawberry.extensions import SchemaExtension

from graphql_api.error_codes import coded
from graphql_api.errors import ErrorCode

MISSING_OPERATION_NAME = "Must provide operation name if query contains multiple operations."


class OperationNameRequired(SchemaExtension):
    """List it after OffLoopValidation: a document that does not validate says so first."""

    async def on_validate(self) -> AsyncIterator[None]:
        self._check()
        yield

    def _check(self) -> None:
        context = self.execution_context
        document = context.graphql_document
        # The name the request gave; `context.operation_name` falls back to the first's.
        given = getattr(context, "_provided_operation_name", None)
        if document is None or given is not None or context.pre_execution_errors:
            return
        operations = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
        if len(operations) > 1:
            error = GraphQLError(MISSING_OPERATION_NAME)
            context.pre_execution_errors = coded([error], ErrorCode.BAD_USER_INPUT)
