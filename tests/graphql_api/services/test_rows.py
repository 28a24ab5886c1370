"""Typed reads of an engine row's values: what each accepts, converts and refuses."""

from __future__ import annotations

import math
from datetime import date, datetime
from decimal import Decimal

import pytest

from graphql_api.services import rows


class Text(str):
    pass


def test_the_usual_values_are_the_values_themselves() -> None:
    row: dict[str, object] = {"t": "AAA", "d": date(2020, 1, 2), "n": 1.5, "w": 7}
    assert rows.text(row, "t") == "AAA"
    assert rows.day(row, "d") == date(2020, 1, 2)
    assert rows.number(row, "n") == 1.5
    assert rows.optional_number(row, "n") == 1.5
    assert rows.whole(row, "w") == 7


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (None, None),
        (2, 2.0),
        (Decimal("0.1"), 0.1),
        (math.nan, None),
        (math.inf, None),
        (-math.inf, None),
        (Decimal("NaN"), None),
        (-0.0, -0.0),
    ],
)
def test_optional_number(value: object, expected: float | None) -> None:
    found = rows.optional_number({"n": value}, "n")
    assert found == expected
    assert type(found) is type(expected)
    if expected is None:
        with pytest.raises(TypeError, match="column n: expected a number, got null"):
            rows.number({"n": value}, "n")
    else:
        assert rows.number({"n": value}, "n") == expected
        assert math.copysign(1.0, rows.number({"n": value}, "n")) == math.copysign(1.0, expected)


@pytest.mark.parametrize("value", [True, "1.5", date(2020, 1, 1)])
def test_what_is_not_a_number_is_refused(value: object) -> None:
    with pytest.raises(TypeError, match="expected a number, got"):
        rows.optional_number({"n": value}, "n")
    with pytest.raises(TypeError, match="expected a number, got"):
        rows.number({"n": value}, "n")


def test_subclasses_are_accepted_and_other_types_refused() -> None:
    moment = datetime(2020, 1, 2, 3, 4)
    assert rows.day({"d": moment}, "d") is moment
    text = Text("AAA")
    assert rows.text({"t": text}, "t") is text
    for read, column, value, says in [
        (rows.text, "t", 1, "expected a string, got int"),
        (rows.day, "d", "2020-01-02", "expected a date, got str"),
        (rows.whole, "w", True, "expected an integer, got bool"),
        (rows.whole, "w", 1.0, "expected an integer, got float"),
        (rows.whole, "w", None, "expected an integer, got NoneType"),
    ]:
        with pytest.raises(TypeError, match=f"column {column}: {says}"):
            read({column: value}, column)
