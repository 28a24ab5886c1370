"""The argument rules, with open-ended ranges resolved against the dataset's dates."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest

from graphql_api.errors import BadUserInput
from graphql_api.services.arguments import (
    DateRange,
    checked_limit,
    date_range,
    optional_date_range,
)
from tests.graphql_api.tiny_warehouse import summary_of, tiny_days

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


@pytest.mark.parametrize(
    ("start", "end", "expected"),
    [
        # Wider than the data: clamped to its span before the longest-range check.
        (date(1900, 1, 1), date(2100, 12, 31), DateRange(date(2013, 1, 2), date(2023, 9, 21))),
        (date(2020, 1, 1), date(2100, 12, 31), DateRange(date(2020, 1, 1), date(2023, 9, 21))),
        # Wholly outside the data: one day without data, so an empty answer.
        (date(1800, 1, 1), date(1900, 1, 1), DateRange(date(1800, 1, 1), date(1800, 1, 1))),
        (date(2030, 1, 1), date(2090, 1, 1), DateRange(date(2030, 1, 1), date(2030, 1, 1))),
    ],
)
def test_a_range_is_clamped_to_the_data_before_the_longest_range_check(
    start: date, end: date, expected: DateRange
) -> None:
    assert date_range(start, end, dataset=DATASET, max_days=4_000) == expected
    with pytest.raises(BadUserInput, match=r"2013-01-02\.\.2023-09-01 spans 3895 days"):
        date_range(date(2013, 1, 1), date(2023, 9, 1), dataset=DATASET, max_days=3_600)


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
