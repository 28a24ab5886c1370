"""Parameters rendered as typed SQL literals; result strings converted by column type."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

import pytest

from graphql_api.engines.athena_values import from_athena, sql_literal
from graphql_api.engines.base import SqlValue


@pytest.mark.parametrize(
    ("value", "literal"),
    [
        (2020, "2020"),
        (True, "TRUE"),
        (False, "FALSE"),
        (0.5, "DOUBLE '0.5'"),
        (date(2020, 2, 29), "DATE '2020-02-29'"),
        ("AAPL", "'AAPL'"),
        ("x'); DROP TABLE t; --", "'x''); DROP TABLE t; --'"),
        (("A", "B'C"), "ARRAY['A', 'B''C']"),
        ((), "ARRAY[]"),
    ],
)
def test_sql_literal(value: SqlValue, literal: str) -> None:
    assert sql_literal(value) == literal


@pytest.mark.parametrize(
    ("raw", "kind", "expected"),
    [
        ("42", "integer", 42),
        ("5000000000", "bigint", 5000000000),
        ("1.5", "double", 1.5),
        ("12.30", "decimal(10,2)", Decimal("12.30")),
        ("true", "boolean", True),
        ("false", "boolean", False),
        ("2020-01-02", "date", date(2020, 1, 2)),
        ("2020-01-02 03:04:05.000", "timestamp", datetime(2020, 1, 2, 3, 4, 5)),
        ("AAPL", "varchar", "AAPL"),
        (None, "double", None),
    ],
)
def test_from_athena(raw: str | None, kind: str, expected: object) -> None:
    assert from_athena(raw, kind) == expected
