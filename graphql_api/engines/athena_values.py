"""Values across the Athena boundary: parameters out as typed SQL literals, results in
converted by their column's type (GetQueryResults returns every value as a string)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from graphql_api.engines.base import SqlValue

_INTEGER_TYPES = frozenset({"tinyint", "smallint", "integer", "int", "bigint"})
_FLOAT_TYPES = frozenset({"double", "float", "real"})


def sql_literal(value: SqlValue) -> str:
    """An ExecutionParameters entry: a literal whose SQL type follows the Python type."""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return f"DOUBLE '{value!r}'"
    if isinstance(value, dt.date):
        return f"DATE '{value.isoformat()}'"
    if isinstance(value, str):
        return _string_literal(value)
    return "ARRAY[" + ", ".join(_string_literal(item) for item in value) + "]"


def _string_literal(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def from_athena(value: str | None, column_type: str) -> object:
    """The Python value of one result cell, by the column's Athena type."""
    if value is None:
        return None
    kind = column_type.lower().split("(", 1)[0].strip()
    if kind in _INTEGER_TYPES:
        return int(value)
    if kind in _FLOAT_TYPES:
        return float(value)
    if kind == "decimal":
        return Decimal(value)
    if kind == "boolean":
        return value.lower() == "true"
    if kind == "date":
        return dt.date.fromisoformat(value)
    if kind == "timestamp":
        return dt.datetime.fromisoformat(value)
    return value
