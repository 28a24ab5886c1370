"""The headline answers the ETL records for `stock-analytics verify`: on the bundled sample
against an independent pandas computation, and the contract's tie rules on tiny frames."""

from __future__ import annotations

import math
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from tests.etl.warehouse_tables import current_summary
from tests.graphql_api.sample_truth import SampleTruth, load_sample_truth

if TYPE_CHECKING:
    from pyspark.sql import SparkSession


@pytest.fixture(scope="module")
def truth() -> SampleTruth:
    return load_sample_truth()


@pytest.fixture(scope="module")
def headline(sample_warehouse: Path) -> dict[str, Any]:
    recorded: dict[str, Any] = current_summary(sample_warehouse)["headline"]
    return recorded


def assert_same(actual: Any, expected: Any) -> None:
    """Equal, floats to 1e-12 relative (Spark and pandas sum in different orders)."""
    if isinstance(expected, float):
        assert isinstance(actual, float)
        assert math.isclose(actual, expected, rel_tol=1e-12), (actual, expected)
    elif isinstance(expected, dict):
        assert isinstance(actual, dict)
        assert actual.keys() == expected.keys()
        for key in expected:
            assert_same(actual[key], expected[key])
    elif isinstance(expected, list):
        assert isinstance(actual, list)
        assert len(actual) == len(expected), (actual, expected)
        for left, right in zip(actual, expected, strict=True):
            assert_same(left, right)
    else:
        assert actual == expected
        assert type(actual) is type(expected)


def test_the_sample_records_the_five_headline_questions_as_graphql_queries(
    headline: dict[str, Any], truth: SampleTruth
) -> None:
    days = sorted({when.date().isoformat() for when in truth.rows["date"]})
    start, end = days[-10], days[-1]
    assert {name: check["query"] for name, check in headline.items()} == {
        "mostValuableDay": "{ mostValuableDay { date averageTradedValue } }",
        "highestWorthStocks": "{ highestWorthStocks(limit: 3) { ticker averageTradedValue } }",
        "mostVolatile": "{ mostVolatile(limit: 3) { ticker annualizedVolatility returns } }",
        "topThirtyDayReturns": "{ topThirtyDayReturns(limit: 3) "
        "{ ticker date return30d close priorDate priorClose } }",
        "averageDailyReturn": f'{{ averageDailyReturn(from: "{start}", to: "{end}") '
        "{ date averageReturn stocks } }",
    }


def test_the_sample_headline_answers_match_an_independent_computation(
    headline: dict[str, Any], truth: SampleTruth
) -> None:
    day, value = truth.most_valuable_day(None, None)
    days = sorted({when.date() for when in truth.rows["date"]})
    start, end = days[-10], days[-1]
    expected = {
        "mostValuableDay": {"date": day.isoformat(), "averageTradedValue": value},
        "highestWorthStocks": [
            {"ticker": ticker, "averageTradedValue": worth}
            for ticker, worth in truth.highest_worth(None, None)[:3]
        ],
        "mostVolatile": [
            {"ticker": ticker, "annualizedVolatility": volatility, "returns": returns}
            for ticker, volatility, returns in truth.volatility(None, None)[:3]
        ],
        "topThirtyDayReturns": [
            {
                "ticker": ticker,
                "date": when.isoformat(),
                "return30d": float(change),
                "close": float(close),
                "priorDate": prior.isoformat(),
                "priorClose": float(prior_close),
            }
            for ticker, when, change, close, prior, prior_close in truth.top_thirty_day_returns(
                None, None
            )[:3]
        ],
        "averageDailyReturn": [
            {"date": when.isoformat(), "averageReturn": mean, "stocks": stocks}
            for when, mean, stocks in truth.average_daily_return(start, end)
        ],
    }
    assert len(expected["averageDailyReturn"]) == 10
    assert_same({name: check["expected"] for name, check in headline.items()}, expected)


def test_ties_go_to_the_earlier_date_then_the_ticker_within_each_limit(
    spark: SparkSession,
) -> None:
    from etl.headline import headline_answers

    # Four tickers tie everywhere (listed in reverse), so the limit of 3 cuts inside a tie.
    metrics = spark.createDataFrame(
        [
            (ticker, date(2024, 1, day), 0.5, 10.0, date(2023, 12, 1), 6.0)
            for day in (3, 2)
            for ticker in ("DDD", "CCC", "BBB", "AAA")
        ],
        "ticker string, date date, return_30d double, close double, "
        "prior_date_30d date, prior_close_30d double",
    )
    tickers = spark.createDataFrame(
        [(ticker, 100.0, 0.3, 20) for ticker in ("DDD", "CCC", "BBB", "AAA")]
        + [("ZZZ", None, None, 1)],
        "ticker string, average_traded_value double, annualized_volatility double, returns bigint",
    )
    market_days = spark.createDataFrame(
        [(date(2024, 1, day), 7.0, 0.01 * day, 4) for day in range(12, 0, -1)]
        + [(date(2024, 1, 13), 1.0, None, 0)],
        "date date, average_traded_value double, average_return double, return_tickers bigint",
    )

    checks = headline_answers(metrics, tickers, market_days)

    expected = {name: check["expected"] for name, check in checks.items()}
    assert expected["mostValuableDay"] == {"date": "2024-01-01", "averageTradedValue": 7.0}
    assert expected["highestWorthStocks"] == [
        {"ticker": t, "averageTradedValue": 100.0} for t in ("AAA", "BBB", "CCC")
    ]
    assert expected["mostVolatile"] == [
        {"ticker": t, "annualizedVolatility": 0.3, "returns": 20} for t in ("AAA", "BBB", "CCC")
    ]
    assert [(r["date"], r["ticker"]) for r in expected["topThirtyDayReturns"]] == [
        ("2024-01-02", "AAA"),
        ("2024-01-02", "BBB"),
        ("2024-01-02", "CCC"),
    ]
    # The last ten trading days are Jan 4..13; Jan 13 has no return, so it is left out.
    assert checks["averageDailyReturn"]["query"] == (
        '{ averageDailyReturn(from: "2024-01-04", to: "2024-01-13") { date averageReturn stocks } }'
    )
    assert [r["date"] for r in expected["averageDailyReturn"]] == [
        f"2024-01-{day:02d}" for day in range(4, 13)
    ]
    assert expected["averageDailyReturn"][0] == {
        "date": "2024-01-04",
        "averageReturn": 0.04,
        "stocks": 4,
    }
