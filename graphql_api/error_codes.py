"""The one place an error becomes a code and an HTTP status, for GraphQL and REST alike.

`classify` maps an exception to its code and status: BAD_USER_INPUT for the
client's mistakes (a bad argument, a malformed request, an unknown path or
method, a body too large or too slow), QUERY_TOO_COSTLY for a query refused
before it ran as over a cost limit, QUERY_FAILED / QUERY_TIMEOUT for the
engine, INTERNAL_SERVER_ERROR for anything else. `error_code` does the same for
a GraphQL error: a parse error is GRAPHQL_PARSE_FAILED, a validation error
GRAPHQL_VALIDATION_FAILED (coded where validation runs), a request graphql-core
refused before running it (variables that do not coerce, no operation name)
BAD_USER_INPUT, a field error the code of its cause.

Messages of the client's mistakes and the engine's failures are written to be
shown; an INTERNAL_SERVER_ERROR's message is replaced by the request id, and its
detail and traceback go to the log under that id.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator
from dataclasses import dataclass

from cross_web import HTTPException as GraphQLHTTPException
from fastapi.exceptions import RequestValidationError
from graphql.error import GraphQLError, GraphQLSyntaxError
from starlette.exceptions import HTTPException as StarletteHTTPException
from strawberry.exceptions import MissingQueryError
from strawberry.extensions import SchemaExtension
from strawberry.schema.exceptions import CannotGetOperationTypeError, InvalidOperationTypeError
from strawberry.types import ExecutionContext

from graphql_api.engines.base import QueryError, QueryTimeout, QueryTooCostly
from graphql_api.errors import BadUserInput, ErrorCode
from graphql_api.persisted_queries import NotATrustedDocument, PersistedQueryNotFound

logger = logging.getLogger(__name__)

_ANSWERED_BY_THE_ROUTER = (
    MissingQueryError,
    CannotGetOperationTypeError,
    InvalidOperationTypeError,
)
"""What Strawberry's execute raises on to its HTTP view (answered 400 there)."""
PARSE_FAILED = ErrorCode.GRAPHQL_PARSE_FAILED
VALIDATION_FAILED = ErrorCode.GRAPHQL_VALIDATION_FAILED
_CODES = frozenset(ErrorCode)
_SUGGESTION = re.compile(r"\s*Did you mean .*\?\s*\Z", re.DOTALL)


@dataclass(frozen=True)
class Classified:
    code: ErrorCode
    status: int


def classify(error: BaseException) -> Classified:
    """The code and HTTP status of an exception, wherever it was raised."""
    if isinstance(error, BadUserInput | RequestValidationError):
        return Classified(ErrorCode.BAD_USER_INPUT, 400)
    if isinstance(error, PersistedQueryNotFound):
        return Classified(ErrorCode.PERSISTED_QUERY_NOT_FOUND, 200)  # what Apollo's link expects
    if isinstance(error, NotATrustedDocument):
        return Classified(ErrorCode.PERSISTED_QUERY_NOT_IN_LIST, 400)
    if isinstance(error, QueryTooCostly):
        return Classified(ErrorCode.QUERY_TOO_COSTLY, 400)
    if isinstance(error, QueryTimeout):
        return Classified(ErrorCode.QUERY_TIMEOUT, 504)
    if isinstance(error, QueryError):
        return Classified(ErrorCode.QUERY_FAILED, 502)
    if (
        isinstance(error, GraphQLHTTPException | StarletteHTTPException)
        and 400 <= error.status_code < 500
    ):
        return Classified(ErrorCode.BAD_USER_INPUT, error.status_code)
    return Classified(ErrorCode.INTERNAL_SERVER_ERROR, 500)


def error_code(error: GraphQLError) -> ErrorCode:
    original = _root_cause(error)
    if original is not None and not isinstance(original, GraphQLError):
        return classify(original).code
    coded = (error.extensions or {}).get("code")
    if coded in _CODES:
        return ErrorCode(coded)
    if isinstance(error, GraphQLSyntaxError):
        return PARSE_FAILED
    if not error.path:
        return ErrorCode.BAD_USER_INPUT
    return ErrorCode.INTERNAL_SERVER_ERROR


def coded(errors: list[GraphQLError], code: ErrorCode) -> list[GraphQLError]:
    """The errors, each given `code` (by the phase that knows it, e.g. validation)."""
    for error in errors:
        error.extensions = {**(error.extensions or {}), "code": code}
    return errors


def internal_error_message(request_id: str) -> str:
    return f"Internal server error; quote request id {request_id} when reporting it."


def without_suggestion(message: str) -> str:
    """graphql-core's message without its trailing "Did you mean ...?", which names
    fields, arguments and types a client without introspection should not learn."""
    return _SUGGESTION.sub("", message)


def request_id_of(execution_context: ExecutionContext | None) -> str:
    context = None if execution_context is None else execution_context.context
    return str(getattr(context, "request_id", "unknown"))


def log_errors(errors: list[GraphQLError], execution_context: ExecutionContext | None) -> None:
    """Schema.process_errors: the log gets what the response must not carry."""
    request_id = request_id_of(execution_context)
    for error in errors:
        code = error_code(error)
        if code == ErrorCode.INTERNAL_SERVER_ERROR:
            original = _root_cause(error) or error
            logger.error(
                "request %s: unexpected error at %s",
                request_id,
                error.path,
                exc_info=(type(original), original, original.__traceback__),
            )
        elif code in (ErrorCode.QUERY_FAILED, ErrorCode.QUERY_TIMEOUT):
            logger.warning("request %s: %s: %s", request_id, code, error.message)
        else:
            logger.info("request %s: %s: %s", request_id, code, error.message)


def with_codes(
    errors: list[GraphQLError], request_id: str, *, hide_suggestions: bool = False
) -> list[GraphQLError]:
    """The errors as the client may see them, each with its `extensions.code`."""
    return [_with_code(error, request_id, hide_suggestions) for error in errors]


class ErrorCodes(SchemaExtension):
    """Gives every error of a result its code (with_codes), whatever phase failed: parse,
    validation, a refusal before execution, a field. Made per request (a factory).

    List it first: extensions' on_operation hooks close in reverse order, so this one sees
    the result the others left. An error raised in another extension's hook (a syntax
    error from ParserCache's on_parse, say, or a bug) passes through here on its way to
    Strawberry's execute, which answers it as it is: it is coded first, an unexpected one
    masked behind the request id."""

    def __init__(self, *, hide_suggestions: bool) -> None:
        super().__init__()
        self.hide_suggestions = hide_suggestions
        """Drop graphql-core's "Did you mean ...?" from messages (when introspection is off)."""

    def on_operation(self) -> Iterator[None]:
        context = self.execution_context
        try:
            yield
        except _ANSWERED_BY_THE_ROUTER:
            raise
        except Exception as error:
            raised = (
                error
                if isinstance(error, GraphQLError)
                else GraphQLError(str(error), original_error=error)
            )
            # The cause stays, so that Schema.process_errors logs it with its traceback.
            raise _with_code(
                raised, request_id_of(context), self.hide_suggestions, keep_cause=True
            ) from error
        result = context.result
        if result is not None and result.errors:
            result.errors = with_codes(
                result.errors, request_id_of(context), hide_suggestions=self.hide_suggestions
            )


def _with_code(
    error: GraphQLError, request_id: str, hide_suggestions: bool, *, keep_cause: bool = False
) -> GraphQLError:
    code = error_code(error)
    extensions: dict[str, object] = {**(error.extensions or {}), "code": code}
    message = without_suggestion(error.message) if hide_suggestions else error.message
    if code == ErrorCode.INTERNAL_SERVER_ERROR:
        message = internal_error_message(request_id)
        extensions = {"code": code, "requestId": request_id}
    return GraphQLError(
        message,
        nodes=error.nodes,
        source=error.source,
        positions=error.positions,
        path=error.path,
        original_error=error.original_error if keep_cause else None,
        extensions=extensions,
    )


def _root_cause(error: GraphQLError) -> BaseException | None:
    original: BaseException | None = error.original_error
    while isinstance(original, GraphQLError) and original.original_error is not None:
        original = original.original_error
    return original
