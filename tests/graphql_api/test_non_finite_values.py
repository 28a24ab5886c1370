"""A warehouse value that is not finite (the ETL writes none: defence in depth) neither
takes the top of a ranking nor nulls the list the healthy tickers are in."""

from __future__ import annotations

import math
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from etl.tables import TICKER_STATS, version_prefix
from graphql_api.main import create_app
from tests.graphql_api.support import app_client, settings_for
from tests.graphql_api.tiny_warehouse import TINY_VERSION


@pytest.fixture
def poisoned_warehouse(tiny_warehouse: Path) -> Path:
    """The tiny warehouse with AAA's volatility and traded value NaN and infinite."""
    path = tiny_warehouse / version_prefix(TICKER_STATS, TINY_VERSION) / "part-00000.parquet"
    rows = pq.read_table(path).to_pylist()
    for row in rows:
        if row["ticker"] == "AAA":
            row["annualized_volatility"] = math.nan
            row["average_traded_value"] = math.inf
    pq.write_table(pq.read_table(path).from_pylist(rows, schema=pq.read_schema(path)), path)
    return tiny_warehouse


async def test_rankings_pass_over_non_finite_values(poisoned_warehouse: Path) -> None:
    query = (
        "{ mostVolatile(limit: 2) { ticker } highestWorthStocks(limit: 2) { ticker } "
        'stock(ticker: "AAA") { ticker annualizedVolatility } }'
    )
    async with app_client(create_app(settings_for(poisoned_warehouse))) as client:
        graphql = (await client.post("/graphql", json={"query": query})).json()
        rest = (await client.get("/metrics/most-volatile", params={"limit": 2})).json()
    assert "errors" not in graphql
    assert graphql["data"]["mostVolatile"] == [{"ticker": "BBB"}]
    assert graphql["data"]["highestWorthStocks"] == [{"ticker": "BBB"}]
    assert graphql["data"]["stock"] == {"ticker": "AAA", "annualizedVolatility": None}
    assert [entry["ticker"] for entry in rest] == ["BBB"]
