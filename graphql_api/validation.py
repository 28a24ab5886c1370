"""Validation off the event loop, with its results remembered per document text.

Strawberry validates on the event loop, so one slow document holds every other
request, `/health` included. Here a document seen before is answered from an
LRU keyed on its text (a dictionary lookup), and a new one is validated in a
worker thread: the loop keeps serving while it runs, and the request's time
budget (graphql_api/request_budget.py) can give up on it.
"""

from __future__ import annotations

import asyncio
import threading
from collections import OrderedDict
from collections.abc import AsyncIterator, Sequence

from graphql import ASTValidationRule, DocumentNode, GraphQLError, GraphQLSchema
from strawberry.extensions import SchemaExtension
from strawberry.schema.schema import validate_document

from graphql_api.error_codes import VALIDATION_FAILED, coded

ValidationKey = tuple[str, tuple[type[ASTValidationRule], ...]]


class ValidationResults:
    """A bounded, thread-safe LRU of validation errors, keyed on (query text, rules)."""

    def __init__(self, maxsize: int) -> None:
        self.maxsize = maxsize
        self._results: OrderedDict[ValidationKey, list[GraphQLError]] = OrderedDict()
        self._lock = threading.Lock()
        self.hits = 0
        self.misses = 0

    def get(self, key: ValidationKey) -> list[GraphQLError] | None:
        with self._lock:
            found = self._results.get(key)
            if found is None:
                self.misses += 1
                return None
            self._results.move_to_end(key)
            self.hits += 1
            return found

    def put(self, key: ValidationKey, errors: list[GraphQLError]) -> None:
        with self._lock:
            self._results[key] = errors
            while len(self._results) > self.maxsize:
                self._results.popitem(last=False)


class OffLoopValidation(SchemaExtension):
    """Made per request (a factory); `results` is shared by every request."""

    def __init__(self, *, results: ValidationResults) -> None:
        super().__init__()
        self.results = results

    async def on_validate(self) -> AsyncIterator[None]:
        context = self.execution_context
        document = context.graphql_document
        if context.query is not None and document is not None:
            key: ValidationKey = (context.query, tuple(context.validation_rules))
            errors = self.results.get(key)
            if errors is None:
                errors = coded(
                    await asyncio.to_thread(
                        _validate, context.schema._schema, document, context.validation_rules
                    ),
                    VALIDATION_FAILED,
                )
                self.results.put(key, errors)
            context.pre_execution_errors = errors
        yield


def _validate(
    schema: GraphQLSchema,
    document: DocumentNode,
    rules: Sequence[type[ASTValidationRule]],
) -> list[GraphQLError]:
    return validate_document(schema, document, tuple(rules))
