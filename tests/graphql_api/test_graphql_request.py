"""Decoding a request's GraphQL parameters (graphql_api/graphql_request.py): the content
type check, remembered per header value, reads each header as Strawberry's parser does."""

from __future__ import annotations

import pytest
from strawberry.http.parse_content_type import parse_content_type

from graphql_api.errors import BadUserInput
from graphql_api.graphql_request import decode, names_json

HEADERS = [
    "application/json",
    "application/json; charset=utf-8",
    "Application/JSON",
    'application/json; charset="utf-8"; q=1',
    "application/graphql-response+json",
    "application/vnd.api+json",
    "text/plain",
    "text/plain; charset=application/json",
    "multipart/form-data; boundary=x",
    "",
    "garbage",
    "application/x-www-form-urlencoded",
]


@pytest.mark.parametrize("header", HEADERS)
def test_the_remembered_check_reads_each_header_as_strawberry_does(header: str) -> None:
    expected = "application/json" in parse_content_type(header)[0]
    assert names_json(header) is expected
    assert names_json(header) is expected  # remembered


def test_a_changed_header_changes_the_verdict() -> None:
    body = b'{"query": "{ health { status } }"}'
    assert decode("POST", b"", "application/json", body).query == "{ health { status } }"
    with pytest.raises(BadUserInput, match="Unsupported content type"):
        decode("POST", b"", "text/plain", body)
    assert decode("POST", b"", "application/json", body).query == "{ health { status } }"
    assert names_json.cache_info().maxsize == 64


def test_the_remembered_verdicts_are_bounded() -> None:
    names_json.cache_clear()
    for number in range(100):
        names_json(f"application/json; n={number}")
    info = names_json.cache_info()
    assert info.currsize == 64
    assert info.misses == 100
