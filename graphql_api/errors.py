"""The error codes clients see in `errors[].extensions.code`, and the user-input error."""

from __future__ import annotations

from enum import StrEnum


class ErrorCode(StrEnum):
    BAD_USER_INPUT = "BAD_USER_INPUT"
    QUERY_FAILED = "QUERY_FAILED"
    QUERY_TIMEOUT = "QUERY_TIMEOUT"
    INTERNAL_SERVER_ERROR = "INTERNAL_SERVER_ERROR"


class BadUserInput(ValueError):
    """An argument the contract rejects; the message tells the person what to change."""
