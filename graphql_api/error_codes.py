"""Every GraphQL error leaves with an `extensions.code`, and nothing unexpected leaks.

BAD_USER_INPUT and the engine's QUERY_FAILED / QUERY_TIMEOUT keep their
messages (written to be shown). Parse and validation errors keep graphql-core's
message, coded GRAPHQL_PARSE_FAILED / GRAPHQL_VALIDATION_FAILED. Anything else
is INTERNAL_SERVER_ERROR with a fixed message and the request id; the detail and
traceback go to the log under the same id.
"""

from __future__ import annotations

import logging

from graphql.error import GraphQLError
from strawberry.types import ExecutionContext

from graphql_api.engines.base import QueryError, QueryTimeout
from graphql_api.errors import BadUserInput, ErrorCode

logger = logging.getLogger(__name__)

PARSE_FAILED = "GRAPHQL_PARSE_FAILED"
VALIDATION_FAILED = "GRAPHQL_VALIDATION_FAILED"


def error_code(error: GraphQLError) -> str:
    original = _root_cause(error)
    if isinstance(original, BadUserInput):
        return ErrorCode.BAD_USER_INPUT
    if isinstance(original, QueryTimeout):
        return ErrorCode.QUERY_TIMEOUT
    if isinstance(original, QueryError):
        return ErrorCode.QUERY_FAILED
    if original is None and not error.path:
        return PARSE_FAILED if error.message.startswith("Syntax Error") else VALIDATION_FAILED
    return ErrorCode.INTERNAL_SERVER_ERROR


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


def with_codes(errors: list[GraphQLError], request_id: str) -> list[GraphQLError]:
    """The errors as the client may see them, each with its `extensions.code`."""
    return [_with_code(error, request_id) for error in errors]


def _with_code(error: GraphQLError, request_id: str) -> GraphQLError:
    code = error_code(error)
    extensions: dict[str, object] = {**(error.extensions or {}), "code": code}
    message = error.message
    if code == ErrorCode.INTERNAL_SERVER_ERROR:
        message = f"Internal server error; quote request id {request_id} when reporting it."
        extensions = {"code": code, "requestId": request_id}
    return GraphQLError(
        message,
        nodes=error.nodes,
        source=error.source,
        positions=error.positions,
        path=error.path,
        original_error=None,
        extensions=extensions,
    )


def _root_cause(error: GraphQLError) -> BaseException | None:
    original: BaseException | None = error.original_error
    while isinstance(original, GraphQLError) and original.original_error is not None:
        original = original.original_error
    return original
