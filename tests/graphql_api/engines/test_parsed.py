"""Statements parsed once: run as their text would be, by any connection."""

from __future__ import annotations

import duckdb
import pytest

from graphql_api.engines.duckdb_warehouse import parsed

RANGE = "SELECT x, x * ? AS y FROM range(?) AS r(x) WHERE x % 2 = 0 ORDER BY x DESC"


def test_a_parsed_statement_answers_as_its_text_on_any_connection() -> None:
    statement = parsed(RANGE)
    assert isinstance(statement, duckdb.Statement)
    assert parsed(RANGE) is statement
    for threads in (1, 2):
        with duckdb.connect(":memory:", config={"threads": threads}) as connection:
            for values in ([3, 10], [0.5, 7]):
                text = connection.execute(RANGE, values).fetchall()
                assert connection.execute(statement, values).fetchall() == text
                assert text


@pytest.mark.parametrize("text", ["SELEC 1", "SELECT 1; SELECT 2", ""])
def test_text_that_is_not_one_statement_is_left_for_duckdb_to_refuse(text: str) -> None:
    assert parsed(text) == text


def test_a_parsed_statement_refuses_wrong_parameters_as_its_text_does() -> None:
    with duckdb.connect(":memory:") as connection:
        with pytest.raises(duckdb.InvalidInputException):
            connection.execute(RANGE, [1])
        with pytest.raises(duckdb.InvalidInputException):
            connection.execute(parsed(RANGE), [1])
