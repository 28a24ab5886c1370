"""Typed reads of one engine row's values (engines already convert by column type)."""

from __future__ import annotations

import math
from datetime import date
from decimal import Decimal

from graphql_api.engines.base import Row


def text(row: Row, column: str) -> str:
    value = row[column]
    if type(value) is str:  # the usual case, first
        return value
    if not isinstance(value, str):
        raise TypeError(f"column {column}: expected a string, got {type(value).__name__}")
    return value


def day(row: Row, column: str) -> date:
    value = row[column]
    if type(value) is date:
        return value
    if not isinstance(value, date):
        raise TypeError(f"column {column}: expected a date, got {type(value).__name__}")
    return value


def number(row: Row, column: str) -> float:
    value = row[column]
    if type(value) is float and math.isfinite(value):
        return value
    value = optional_number(row, column)
    if value is None:
        raise TypeError(f"column {column}: expected a number, got null")
    return value


def optional_number(row: Row, column: str) -> float | None:
    value = row[column]
    if type(value) is float:  # float(value) would be value itself
        return value if math.isfinite(value) else None
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float | Decimal):
        raise TypeError(f"column {column}: expected a number, got {type(value).__name__}")
    number = float(value)
    return number if math.isfinite(number) else None  # no JSON for NaN or infinity


def finite(found: list[Row], column: str) -> list[Row]:
    """The rows whose `column` is a finite number."""
    return [row for row in found if _is_finite(row[column])]


def _is_finite(value: object) -> bool:
    return isinstance(value, int | float | Decimal) and math.isfinite(value)


def whole(row: Row, column: str) -> int:
    value = row[column]
    if type(value) is int:
        return value
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"column {column}: expected an integer, got {type(value).__name__}")
    return value
