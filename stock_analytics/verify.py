"""`stock-analytics verify`: ask a deployed API the headline questions and compare its answers
with the ones the ETL computed in Spark (etl/headline.py), recorded in the warehouse's pointer.

Both sides are the same dataset version: the request pins the pointer's version with the
X-Dataset-Version header. Standard library only (plus the pointer's plain-Python readers),
so it runs from an install without Spark.
"""

from __future__ import annotations

import json
import math
import sys
import urllib.error
import urllib.request
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlparse

from etl.dataset_pointer import VersionSummary
from etl.publication import read_pointer
from etl.storage import open_storage

HEADLINE_KEY = "headline"
"""Where etl/headline.py's checks are in a version summary (its HEADLINE_KEY; that module
imports pyspark, so the name is repeated here)."""
GRAPHQL_PATH = "/graphql"
RELATIVE_TOLERANCE = 1e-9
TIMEOUT_SECONDS = 60.0
ALL_MATCH, DIFFERENT, CANNOT_VERIFY = 0, 1, 2
ANSWERING_STATUSES = (200, 400)
"""Statuses of a GraphQL result (and every 5xx, an engine failure): its errors are differences.
Any other status (404, 413, 429, ...) means the request never reached a resolver."""


class CannotVerify(Exception):
    """Nothing could be compared: a bad argument, an unreadable pointer, an unreachable API."""


@dataclass(frozen=True)
class Check:
    name: str
    """The GraphQL field asked, and the key of its answer under `data`."""
    query: str
    expected: Any


@dataclass(frozen=True)
class Answer:
    data: dict[str, Any] | None
    errors: list[str]


def verify(
    url: str,
    warehouse: str,
    *,
    api_key: str | None = None,
    version: str | None = None,
    endpoint_url: str | None = None,
    timeout: float = TIMEOUT_SECONDS,
) -> int:
    """Print one line per check; 0 when every answer matches, 1 on any difference, 2 when
    nothing could be compared."""
    try:
        summary = _version_summary(warehouse, version, endpoint_url)
        checks = headline_checks(summary)
        client = Client(graphql_url(url), summary.version, api_key, timeout)
        print(f"verifying {client.url} against {warehouse}, version {summary.version}")
        served = Check("dataset", "{ dataset { version } }", {"version": summary.version})
        if not _run(client, served):
            print(
                f"the API does not serve version {summary.version} (does it serve {warehouse}?): "
                "the other checks were skipped"
            )
            return DIFFERENT
        differences = sum(not _run(client, check) for check in checks)
    except CannotVerify as error:
        print(f"stock-analytics verify: {error}", file=sys.stderr)
        return CANNOT_VERIFY
    total = len(checks) + 1
    if differences:
        print(f"{differences} of {total} checks differ")
        return DIFFERENT
    print(f"all {total} checks match")
    return ALL_MATCH


def headline_checks(summary: VersionSummary) -> list[Check]:
    """The checks the ETL recorded for this version; CannotVerify if it recorded none."""
    recorded = summary.extra.get(HEADLINE_KEY)
    if not isinstance(recorded, dict) or not recorded:
        raise CannotVerify(
            f"version {summary.version} records no headline answers (it was built by an ETL "
            "older than `verify`): run the ETL again"
        )
    try:
        return [
            Check(name, str(check["query"]), check["expected"]) for name, check in recorded.items()
        ]
    except (KeyError, TypeError) as error:
        raise CannotVerify(f"version {summary.version}: malformed headline answers") from error


def difference(expected: Any, actual: Any, where: str = "") -> str | None:
    """Where and how `actual` differs from `expected`, or None: floats within a relative
    tolerance of RELATIVE_TOLERANCE, everything else exactly (an int is not a float)."""
    if isinstance(expected, dict) and isinstance(actual, dict):
        if expected.keys() != actual.keys():
            return _differs(where, sorted(expected), sorted(actual), "fields ")
        for key, value in expected.items():
            found = difference(value, actual[key], f"{where}.{key}")
            if found:
                return found
        return None
    if isinstance(expected, list) and isinstance(actual, list):
        if len(expected) != len(actual):
            return _differs(where, len(expected), len(actual), "rows ")
        for index, (left, right) in enumerate(zip(expected, actual, strict=True)):
            found = difference(left, right, f"{where}[{index}]")
            if found:
                return found
        return None
    if isinstance(expected, float) and isinstance(actual, float):
        same = math.isclose(expected, actual, rel_tol=RELATIVE_TOLERANCE, abs_tol=0.0)
        return None if same else _differs(where, expected, actual)
    if type(expected) is not type(actual) or expected != actual:
        return _differs(where, expected, actual)
    return None


def graphql_url(url: str) -> str:
    """The API's GraphQL endpoint: `url` itself if it ends with /graphql, else under it."""
    parsed = urlparse(url)
    if parsed.scheme not in ("http", "https") or not parsed.netloc:
        raise CannotVerify(f"--url {url!r} is not an http(s) URL")
    base = url.rstrip("/")
    return base if parsed.path.rstrip("/").endswith(GRAPHQL_PATH) else base + GRAPHQL_PATH


class Client:
    """POSTs queries to one GraphQL endpoint, pinned to one dataset version."""

    def __init__(self, url: str, version: str, api_key: str | None, timeout: float) -> None:
        self.url = url
        self.timeout = timeout
        self.headers = {
            "content-type": "application/json",
            "accept": "application/json",
            "user-agent": "stock-analytics-verify",
            "x-dataset-version": version,
            **({"x-api-key": api_key} if api_key else {}),
        }

    def ask(self, query: str) -> Answer:
        body = json.dumps({"query": query}).encode()
        # http(s) only: graphql_url() checked the scheme.
        request = urllib.request.Request(  # noqa: S310
            self.url, data=body, headers=self.headers, method="POST"
        )
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:  # noqa: S310
                status, raw = response.status, response.read()
        except urllib.error.HTTPError as error:
            status, raw = error.code, error.read()
        except (urllib.error.URLError, OSError) as error:
            reason = getattr(error, "reason", error)
            raise CannotVerify(f"cannot reach {self.url}: {reason}") from None
        document = _json_object(raw)
        if status in (401, 403):
            raise CannotVerify(
                f"{self.url} refused the request ({status}{_first_error(document)}): "
                "pass a valid key with --api-key"
            )
        if status not in ANSWERING_STATUSES and status < 500:
            raise CannotVerify(f"{self.url} answered HTTP {status}{_first_error(document)}")
        if document is None or not ("data" in document or "errors" in document):
            raise CannotVerify(
                f"{self.url} answered HTTP {status} without a GraphQL result: is it the API's URL?"
            )
        data = document.get("data")
        errors = [str(e.get("message", e)) for e in document.get("errors") or () if e]
        return Answer(data if isinstance(data, dict) else None, errors)


def _run(client: Client, check: Check) -> bool:
    answer = client.ask(check.query)
    if answer.errors:
        print(f"DIFF {check.name}: the API answered an error: {'; '.join(answer.errors)}")
        return False
    if answer.data is None or check.name not in answer.data:
        print(f"DIFF {check.name}: the API's answer has no {check.name}")
        return False
    found = difference(check.expected, answer.data[check.name])
    if found:
        print(f"DIFF {check.name}{found}")
        return False
    print(f"ok   {check.name}")
    return True


def _version_summary(
    warehouse: str, version: str | None, endpoint_url: str | None
) -> VersionSummary:
    try:
        storage = open_storage(warehouse, endpoint_url=endpoint_url)
        state = read_pointer(storage)
    except Exception as error:  # PointerError, OSError, botocore's errors (boto3 is optional)
        raise CannotVerify(f"cannot read the pointer of {warehouse}: {error}") from None
    if state.pointer is None:
        raise CannotVerify(f"{storage.location} holds no published dataset version")
    if version is None:
        return state.pointer.current_summary
    found = state.pointer.find(version)
    if found is None:
        retained = ", ".join(v.version for v in state.pointer.versions)
        raise CannotVerify(
            f"version {version} is not retained in {storage.location}; retained: {retained}"
        )
    return found


def _json_object(raw: bytes) -> dict[str, Any] | None:
    try:
        document = json.loads(raw)
    except ValueError:
        return None
    return document if isinstance(document, dict) else None


def _first_error(document: dict[str, Any] | None) -> str:
    errors = (document or {}).get("errors") or [{}]
    message = errors[0].get("message") if isinstance(errors[0], dict) else None
    return f": {message}" if message else ""


def _differs(where: str, expected: object, actual: object, what: str = "") -> str:
    place = f" at {where.lstrip('.')}" if where else ""
    return f":{place} expected {what}{_show(expected)}, got {_show(actual)}"


def _show(value: object) -> str:
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)[:300]
