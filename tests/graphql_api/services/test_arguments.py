"""The argument rules, with open-ended ranges resolved against the dataset's dates."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest

from graphql_api.errors import BadUserInput
from graphql_api.services.arguments import DateRange, checked_limit, optional_date_range
from tests.graphql_api.conftest import tiny_days
from tests.graphql_api.tiny_warehouse import summary_of

DATASET = replace(
    summary_of("20240101T000000Z-000001", tiny_days()),
    first_date=date(2013, 1, 2),
    last_date=date(2023, 9, 21),
)


@pytest.mark.parametrize(
    ("start", "end", "expected"),
    [
        (None, None, None),
        (date(2020, 1, 1), None, DateRange(date(2020, 1, 1), date(2023, 9, 21))),
        (None, date(2020, 1, 1), DateRange(date(2013, 1, 2), date(2020, 1, 1))),
        (date(2024, 1, 1), None, DateRange(date(2024, 1, 1), date(2024, 1, 1))),
        (None, date(2000, 1, 1), DateRange(date(2000, 1, 1), date(2000, 1, 1))),
    ],
)
def test_open_ends_are_the_datasets_edges(
    start: date | None, end: date | None, expected: DateRange | None
) -> None:
    assert optional_date_range(start, end, dataset=DATASET, max_days=10_000) == expected


def test_range_parameters_carry_the_years() -> None:
    span = DateRange(date(2019, 12, 30), date(2020, 1, 3))
    assert span.parameters == (2019, 2020, date(2019, 12, 30), date(2020, 1, 3))


@pytest.mark.parametrize("value", [1, 50, 100])
def test_limits_in_range(value: int) -> None:
    assert checked_limit(value) == value


@pytest.mark.parametrize("value", [0, 101])
def test_limits_out_of_range(value: int) -> None:
    with pytest.raises(BadUserInput):
        checked_limit(value)
