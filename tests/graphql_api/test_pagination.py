"""Cursors: what a page's encoder makes is the documented format, and decodes back."""

from __future__ import annotations

import base64
import json
from datetime import date

import duckdb
import pytest

from graphql_api.errors import BadUserInput
from graphql_api.pagination import Key, KeyTypes, cursor_encoder, decode_cursor

VERSION = "20240131T120000Z-a1b2c3"

KEYS: list[tuple[Key, KeyTypes]] = [
    (("AAPL",), (str,)),
    (('a "quoted" \\ ticker',), (str,)),
    (("ÉTÉ\u2028😀",), (str,)),
    (("prices/2024.csv", 12), (str, int)),
    (("AAA", date(2024, 1, 2), "large_move"), (str, date, str)),
]


def documented(connection: str, key: Key) -> str:
    """base64url, unpadded, of the compact JSON array [format, connection, version, *key]."""
    parts = [part.isoformat() if isinstance(part, date) else part for part in key]
    payload = json.dumps([1, connection, VERSION, *parts], separators=(",", ":"))
    return base64.urlsafe_b64encode(payload.encode()).decode().rstrip("=")


@pytest.mark.parametrize(("key", "types"), KEYS)
def test_a_pages_cursors_are_the_documented_format_and_decode_back(
    key: Key, types: KeyTypes
) -> None:
    encode = cursor_encoder("stocks", VERSION)
    cursor = encode(key)
    assert cursor == documented("stocks", key)
    assert decode_cursor(cursor, "stocks", VERSION, types) == key


BIGINT = (-(2**63), 2**63 - 1)


@pytest.mark.parametrize("line", [BIGINT[0], 0, BIGINT[1]])
def test_an_integer_key_part_within_bigint_decodes(line: int) -> None:
    cursor = documented("rejections", ("a.csv", line))
    assert decode_cursor(cursor, "rejections", VERSION, (str, int)) == ("a.csv", line)


@pytest.mark.parametrize("line", [BIGINT[0] - 1, BIGINT[1] + 1, 2**127, -(2**127) - 1, 10**40])
def test_an_integer_key_part_past_bigint_is_not_a_cursor(line: int) -> None:
    """No row's key holds it (`line` is a BIGINT); DuckDB could not even take some of them
    as a parameter (past 128 bits: QUERY_FAILED, not the client's error)."""
    cursor = documented("rejections", ("a.csv", line))
    with pytest.raises(BadUserInput, match="not a cursor of this API"):
        decode_cursor(cursor, "rejections", VERSION, (str, int))
    with duckdb.connect() as connection:
        connection.execute("CREATE TABLE rejected AS SELECT 1::BIGINT AS line")
        if abs(line) >= 2**127:
            with pytest.raises(duckdb.Error):
                connection.execute("SELECT * FROM rejected WHERE line > ?", [line])
