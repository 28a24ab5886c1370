"""Scripted replies for the Athena engine tests, for what moto cannot do.

moto never fails or cancels a query with a reason, never paginates
GetQueryResults and never throttles. A `Script` (testsupport/fake_athena.py) answers
each action from queued replies over Athena's JSON protocol on real HTTP
(`athena_endpoint`), and records every request, so the real aioboto3 client in the
engine is exercised for those cases; these are the replies the tests queue.
"""

from __future__ import annotations

from typing import Any

from testsupport.fake_athena import Reply, Script, athena_endpoint, error

__all__ = ["Script", "athena_endpoint", "execution", "throttled"]


def throttled() -> Reply:
    return error("ThrottlingException", "Rate exceeded")


def execution(state: str, reason: str | None = None) -> Reply:
    status: dict[str, Any] = {"State": state}
    if reason is not None:
        status["StateChangeReason"] = reason
    return 200, {
        "QueryExecution": {
            "QueryExecutionId": "q-1",
            "Status": status,
            "Statistics": {"DataScannedInBytes": 1234},
        }
    }
