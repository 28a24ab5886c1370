"""The error codes clients see in `errors[].extensions.code`, and the user-input error."""

from __future__ import annotations

from enum import StrEnum


class ErrorCode(StrEnum):
    """The codes of CONTRACT.md §5, plus PERSISTED_QUERY_NOT_IN_LIST."""

    BAD_USER_INPUT = "BAD_USER_INPUT"
    GRAPHQL_PARSE_FAILED = "GRAPHQL_PARSE_FAILED"
    GRAPHQL_VALIDATION_FAILED = "GRAPHQL_VALIDATION_FAILED"
    PERSISTED_QUERY_NOT_FOUND = "PERSISTED_QUERY_NOT_FOUND"
    PERSISTED_QUERY_NOT_IN_LIST = "PERSISTED_QUERY_NOT_IN_LIST"
    """Added to the contract's codes: trusted documents are on and the operation is not
    listed (Apollo's code for a safelist refusal)."""
    QUERY_TOO_COSTLY = "QUERY_TOO_COSTLY"
    UNAUTHENTICATED = "UNAUTHENTICATED"
    RATE_LIMITED = "RATE_LIMITED"
    QUERY_FAILED = "QUERY_FAILED"
    QUERY_TIMEOUT = "QUERY_TIMEOUT"
    INTERNAL_SERVER_ERROR = "INTERNAL_SERVER_ERROR"


class BadUserInput(ValueError):
    """An argument the contract rejects; the message tells the person what to change."""
