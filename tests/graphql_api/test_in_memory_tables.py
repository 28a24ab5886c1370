"""Loading a version's tables into DuckDB's memory changes no answer.

Every contract query, over many ranges and every ticker, is asked of two apps over
the same warehouse, one with every table loaded into memory and one reading the
Parquet files at each query, with both caches off (so each answer is computed) and
then on: the answers must be the same bytes. On the sample warehouse the real ETL
built, and on one built from the benchmark generator's data.

DuckDB runs each query on one thread here: with more, a float aggregate (avg,
stddev_samp over a range) can differ in its last bits between two runs of the same
query on the same relation, in memory or not, because the order partial results
are combined in varies; that would make any byte comparison flaky.
"""

from __future__ import annotations

import csv
import json
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from graphql_api.main import create_app
from stock_analytics.generate import GenerateOptions, generate
from tests.graphql_api.conftest import app_client, settings_for
from tests.graphql_api.tiny_warehouse import Day, tiny_version, write_warehouse

CACHES_OFF = {"cache_max_entries": 0, "response_cache_max_entries": 0}
REPRODUCIBLE = {"duckdb_worker_threads": 1, "rate_limit_per_second": 0}
ALL_IN_MEMORY = {"duckdb_memory_max_table_bytes": 1 << 40}
NONE_IN_MEMORY = {"duckdb_memory_max_table_bytes": 0}

RANKINGS = """query Rankings($from: Date, $to: Date) {
  mostValuableDay(from: $from, to: $to) { date averageTradedValue }
  highestWorthStocks(from: $from, to: $to, limit: 5) { ticker averageTradedValue }
  mostVolatile(from: $from, to: $to, limit: 5) { ticker annualizedVolatility returns }
  topThirtyDayReturns(from: $from, to: $to, limit: 20) {
    ticker date return30d close priorDate priorClose
  }
}"""
AVERAGE_RETURN = """query Average($from: Date!, $to: Date!) {
  averageDailyReturn(from: $from, to: $to) { date averageReturn stocks }
}"""
STOCK = """query Stock($ticker: String!, $from: Date!, $to: Date!) {
  stock(ticker: $ticker) {
    ticker firstDate lastDate tradingDays averageTradedValue annualizedVolatility
    inRange: averageTradedValue(from: $from, to: $to)
    volatilityInRange: annualizedVolatility(from: $from, to: $to)
    prices(from: $from, to: $to) { date open high low close volume dailyReturn return30d }
  }
}"""
WHOLE = """{
  dataset { version finishedAt firstDate lastDate stocks rows rejectedRows }
  stocks(first: 500) {
    edges { node { ticker firstDate lastDate tradingDays annualizedVolatility averageTradedValue } }
  }
  mostValuableDay { date averageTradedValue }
  highestWorthStocks(limit: 10) { ticker averageTradedValue }
  mostVolatile(limit: 10) { ticker annualizedVolatility returns }
  topThirtyDayReturns(limit: 50) { ticker date return30d close priorDate priorClose }
}"""


@pytest.fixture(scope="module")
def generated_warehouse(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """12 tickers x 3 years from `stock-analytics generate` (seed 5), written as the ETL
    lays a version out."""
    folder = tmp_path_factory.mktemp("generated")
    data = folder / "prices.csv"
    generate(GenerateOptions(tickers=12, years=3, seed=5, out=data))
    with data.open() as lines:
        days = [
            Day(
                row["ticker"],
                date.fromisoformat(row["date"]),
                float(row["close"]),
                int(row["volume"]),
            )
            for row in csv.DictReader(lines)
        ]
    return write_warehouse(folder / "warehouse", days, version=tiny_version(7))


def requests_for(tickers: list[str], first: date, last: date) -> list[dict[str, Any]]:
    """The whole-history queries, then each year, each quarter and a few odd spans."""
    spans = [(date(year, 1, 1), date(year, 12, 31)) for year in range(first.year, last.year + 1)]
    spans += [
        (date(year, month, 1), date(year, month + 2, 28))
        for year in range(first.year, last.year + 1)
        for month in (1, 4, 7, 10)
    ]
    spans += [(first, last), (first, first), (last, last)]
    requests: list[dict[str, Any]] = [{"query": WHOLE}]
    for start, end in spans:
        span = {"from": start.isoformat(), "to": end.isoformat()}
        requests.append({"query": RANKINGS, "variables": span})
        requests.append({"query": AVERAGE_RETURN, "variables": span})
    for ticker in tickers:
        for start, end in [*spans[: last.year - first.year + 1], (first, last)]:
            span = {"from": start.isoformat(), "to": end.isoformat()}
            requests.append({"query": STOCK, "variables": {"ticker": ticker, **span}})
    return requests


async def answers(warehouse: Path, requests: list[dict[str, Any]], **settings: object) -> list[str]:
    app = create_app(settings_for(warehouse, **REPRODUCIBLE, **settings))
    texts = []
    async with app_client(app) as client:
        for body in requests:
            response = await client.post("/graphql", json=body)
            document = response.json()
            assert response.status_code == 200, response.text
            assert "errors" not in document, response.text
            texts.append(response.text)
        engine = app.state.engine._inner  # the DuckDB engine behind the result cache
        loaded = engine.in_memory_tables()
    expect_loaded = settings["duckdb_memory_max_table_bytes"] != 0
    assert all(bool(tables) == expect_loaded for tables in loaded.values()), loaded
    return texts


async def listing(warehouse: Path) -> tuple[list[str], date, date]:
    async with app_client(create_app(settings_for(warehouse))) as client:
        response = await client.post(
            "/graphql",
            json={
                "query": "{ dataset { firstDate lastDate } "
                "stocks(first: 500) { edges { node { ticker } } } }"
            },
        )
    data = response.json()["data"]
    tickers = [edge["node"]["ticker"] for edge in data["stocks"]["edges"]]
    first, last = (date.fromisoformat(data["dataset"][key]) for key in ("firstDate", "lastDate"))
    return tickers, first, last


async def assert_same_answers(warehouse: Path) -> None:
    tickers, first, last = await listing(warehouse)
    requests = requests_for(tickers, first, last)
    for caches in (CACHES_OFF, {}):
        in_memory = await answers(warehouse, requests, **caches, **ALL_IN_MEMORY)
        from_files = await answers(warehouse, requests, **caches, **NONE_IN_MEMORY)
        for body, loaded, read in zip(requests, in_memory, from_files, strict=True):
            assert loaded == read, json.dumps(body)
    # Not a comparison of empty answers: there were tickers, prices and rankings.
    whole = json.loads(in_memory[0])["data"]
    assert len(whole["stocks"]["edges"]) == len(tickers) > 1
    assert len(whole["topThirtyDayReturns"]) == 50


async def test_the_sample_warehouse_answers_the_same_from_memory(sample_warehouse: Path) -> None:
    await assert_same_answers(sample_warehouse)


async def test_a_generated_warehouse_answers_the_same_from_memory(
    generated_warehouse: Path,
) -> None:
    await assert_same_answers(generated_warehouse)
