"""The schema's custom scalars: Date (YYYY-MM-DD), DateTime (UTC instants) and Long
(integers beyond 32 bits)."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from typing import NewType

import strawberry
from strawberry.types.scalar import ScalarDefinition

from graphql_api.errors import BadUserInput

Long = NewType("Long", int)

_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def parse_date(value: object) -> date:
    """A real calendar date written YYYY-MM-DD, or BadUserInput saying what is wrong."""
    if not isinstance(value, str) or not _ISO_DATE.fullmatch(value):
        raise BadUserInput(f"{value} is not a date: write it as YYYY-MM-DD, e.g. 2020-01-31")
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise BadUserInput(f"{value} is not a real calendar date (YYYY-MM-DD)") from None


def parse_long(value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise BadUserInput(f"{value!r} is not a whole number")
    return value


def _serialize_date(value: date) -> str:
    return value.isoformat()


DATE_SCALAR: ScalarDefinition = strawberry.scalar(
    name="Date",
    description="A calendar date in ISO 8601 form, YYYY-MM-DD.",
    specified_by_url="https://www.rfc-editor.org/rfc/rfc3339#section-5.6",
    serialize=_serialize_date,
    parse_value=parse_date,
)


def _serialize_datetime(value: datetime) -> str:
    return value.astimezone(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def parse_datetime(value: object) -> datetime:
    """An ISO 8601 instant with a time zone, e.g. 2024-01-31T12:00:00Z."""
    try:
        moment = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        moment = None
    if moment is None or moment.tzinfo is None:
        raise BadUserInput(f"{value} is not a date-time: write it as 2024-01-31T12:00:00Z")
    return moment


DATETIME_SCALAR: ScalarDefinition = strawberry.scalar(
    name="DateTime",
    description="An instant in ISO 8601 form, in UTC to the second: 2024-01-31T12:00:00Z.",
    specified_by_url="https://www.rfc-editor.org/rfc/rfc3339#section-5.6",
    serialize=_serialize_datetime,
    parse_value=parse_datetime,
)

LONG_SCALAR: ScalarDefinition = strawberry.scalar(
    name="Long",
    description="A whole number that may exceed 32 bits (a JSON number), e.g. share volumes.",
    serialize=int,
    parse_value=parse_long,
)

SCALAR_MAP: dict[object, ScalarDefinition] = {
    date: DATE_SCALAR,
    datetime: DATETIME_SCALAR,
    Long: LONG_SCALAR,
}
