"""Every query of the contract on the sample warehouse (built by the real ETL), compared
with the same metric computed from the raw sample CSV by pandas (sample_truth.py)."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from datetime import date
from pathlib import Path
from typing import Any

import httpx
import pytest

from etl.tables import DATASET_MANIFEST
from graphql_api.main import create_app
from tests.graphql_api.sample_truth import SampleTruth, load_sample_truth
from tests.graphql_api.support import app_client, settings_for

RANGES = [
    pytest.param(None, None, id="whole-history"),
    pytest.param(date(2020, 2, 15), date(2020, 6, 30), id="2020-crash"),
    pytest.param(date(2018, 12, 20), date(2019, 1, 10), id="across-new-year"),
]
approx = pytest.approx


@pytest.fixture(scope="module")
def truth() -> SampleTruth:
    return load_sample_truth()


@pytest.fixture(scope="module")
async def client(sample_warehouse: Path) -> AsyncIterator[httpx.AsyncClient]:
    async with app_client(create_app(settings_for(sample_warehouse))) as client:
        yield client


async def graphql(client: httpx.AsyncClient, query: str, **variables: Any) -> dict[str, Any]:
    response = await client.post("/graphql", json={"query": query, "variables": variables})
    assert response.status_code == 200, response.text
    body = response.json()
    assert "errors" not in body, body
    return dict(body["data"])


def range_arguments(start: date | None, end: date | None) -> dict[str, str]:
    return {
        name: value.isoformat()
        for name, value in (("from", start), ("to", end))
        if value is not None
    }


async def test_dataset_matches_the_pointer_and_the_csv(
    client: httpx.AsyncClient, truth: SampleTruth, sample_warehouse: Path
) -> None:
    data = await graphql(
        client, "{ dataset { version finishedAt firstDate lastDate stocks rows rejectedRows } }"
    )
    pointer = json.loads((sample_warehouse / DATASET_MANIFEST).read_text())
    [summary] = pointer["versions"]
    assert data["dataset"] == {
        "version": pointer["current"],
        "finishedAt": summary["finished_at"],
        "firstDate": truth.rows["date"].min().date().isoformat(),
        "lastDate": truth.rows["date"].max().date().isoformat(),
        "stocks": truth.rows["ticker"].nunique(),
        "rows": len(truth.rows),
        "rejectedRows": 0,
    }


async def test_health(client: httpx.AsyncClient) -> None:
    data = await graphql(client, "{ health { status engine } }")
    assert data["health"] == {"status": "ok", "engine": "duckdb"}


@pytest.mark.parametrize(
    ("start", "end"),
    [(date(2020, 2, 15), date(2020, 6, 30)), (date(2013, 1, 1), date(2013, 1, 10))],
)
async def test_average_daily_return(
    client: httpx.AsyncClient, truth: SampleTruth, start: date, end: date
) -> None:
    data = await graphql(
        client,
        "query($from: Date!, $to: Date!) {"
        " averageDailyReturn(from: $from, to: $to) { date averageReturn stocks } }",
        **{"from": start.isoformat(), "to": end.isoformat()},
    )
    expected = truth.average_daily_return(start, end)
    assert [(row["date"], row["stocks"]) for row in data["averageDailyReturn"]] == [
        (day.isoformat(), stocks) for day, _, stocks in expected
    ]
    assert [row["averageReturn"] for row in data["averageDailyReturn"]] == approx(
        [value for _, value, _ in expected], rel=1e-9
    )


@pytest.mark.parametrize(("start", "end"), RANGES)
async def test_most_valuable_day(
    client: httpx.AsyncClient, truth: SampleTruth, start: date | None, end: date | None
) -> None:
    data = await graphql(
        client,
        "query($from: Date, $to: Date) {"
        " mostValuableDay(from: $from, to: $to) { date averageTradedValue } }",
        **range_arguments(start, end),
    )
    day, value = truth.most_valuable_day(start, end)
    assert data["mostValuableDay"]["date"] == day.isoformat()
    assert data["mostValuableDay"]["averageTradedValue"] == approx(value, rel=1e-9)


@pytest.mark.parametrize(("start", "end"), RANGES)
async def test_highest_worth_stocks(
    client: httpx.AsyncClient, truth: SampleTruth, start: date | None, end: date | None
) -> None:
    data = await graphql(
        client,
        "query($from: Date, $to: Date) { highestWorthStocks(from: $from, to: $to, limit: 6)"
        " { ticker averageTradedValue } one: highestWorthStocks(from: $from, to: $to)"
        " { ticker } }",
        **range_arguments(start, end),
    )
    expected = truth.highest_worth(start, end)
    assert [row["ticker"] for row in data["highestWorthStocks"]] == [t for t, _ in expected]
    assert [row["averageTradedValue"] for row in data["highestWorthStocks"]] == approx(
        [v for _, v in expected], rel=1e-9
    )
    assert data["one"] == [{"ticker": expected[0][0]}]


@pytest.mark.parametrize(("start", "end"), RANGES)
async def test_most_volatile(
    client: httpx.AsyncClient, truth: SampleTruth, start: date | None, end: date | None
) -> None:
    data = await graphql(
        client,
        "query($from: Date, $to: Date) { mostVolatile(from: $from, to: $to, limit: 6)"
        " { ticker annualizedVolatility returns } }",
        **range_arguments(start, end),
    )
    expected = truth.volatility(start, end)
    rows = data["mostVolatile"]
    assert [(row["ticker"], row["returns"]) for row in rows] == [(t, n) for t, _, n in expected]
    assert [row["annualizedVolatility"] for row in rows] == approx(
        [v for _, v, _ in expected], rel=1e-9
    )


@pytest.mark.parametrize(("start", "end"), RANGES)
async def test_top_thirty_day_returns(
    client: httpx.AsyncClient, truth: SampleTruth, start: date | None, end: date | None
) -> None:
    data = await graphql(
        client,
        "query($from: Date, $to: Date) { topThirtyDayReturns(from: $from, to: $to, limit: 10)"
        " { ticker date return30d close priorDate priorClose }"
        " three: topThirtyDayReturns(from: $from, to: $to) { ticker date } }",
        **range_arguments(start, end),
    )
    expected = truth.top_thirty_day_returns(start, end)[:10]
    rows = data["topThirtyDayReturns"]
    assert [(r["ticker"], r["date"], r["priorDate"]) for r in rows] == [
        (ticker, day.isoformat(), prior_day.isoformat())
        for ticker, day, _, _, prior_day, _ in expected
    ]
    assert [(r["return30d"], r["close"], r["priorClose"]) for r in rows] == [
        (approx(ret, rel=1e-9), approx(close, rel=1e-12), approx(prior, rel=1e-12))
        for _, _, ret, close, _, prior in expected
    ]
    assert data["three"] == [{"ticker": r["ticker"], "date": r["date"]} for r in rows[:3]]


STOCKS_PAGE = """
query($first: Int, $after: String, $tickers: [String!], $from: Date, $to: Date) {
  stocks(first: $first, after: $after, tickers: $tickers) {
    totalCount
    edges { cursor node { ticker firstDate lastDate tradingDays averageTradedValue
      annualizedVolatility
      rangedWorth: averageTradedValue(from: $from, to: $to)
      rangedVolatility: annualizedVolatility(from: $from, to: $to) } }
    pageInfo { hasNextPage endCursor } } }
"""


async def walk_stocks(
    client: httpx.AsyncClient, first: int, **variables: Any
) -> tuple[list[dict[str, Any]], list[int], int]:
    """Every stock, page by page: the nodes, each page's size, and totalCount."""
    nodes: list[dict[str, Any]] = []
    sizes: list[int] = []
    after = None
    while True:
        page = (await graphql(client, STOCKS_PAGE, first=first, after=after, **variables))["stocks"]
        nodes += [edge["node"] for edge in page["edges"]]
        sizes.append(len(page["edges"]))
        if not page["pageInfo"]["hasNextPage"]:
            return nodes, sizes, page["totalCount"]
        after = page["pageInfo"]["endCursor"]


@pytest.mark.parametrize("first", [1, 4, 100])
async def test_stocks_walked_to_the_end(
    client: httpx.AsyncClient, truth: SampleTruth, first: int
) -> None:
    start, end = date(2020, 2, 15), date(2020, 6, 30)
    nodes, sizes, total = await walk_stocks(
        client, first, **{"from": start.isoformat(), "to": end.isoformat()}
    )
    tickers = sorted(truth.rows["ticker"].unique())
    assert [node["ticker"] for node in nodes] == tickers
    assert total == len(tickers)
    assert sizes == [first] * (len(tickers) // first) + (
        [len(tickers) % first] if len(tickers) % first else []
    )
    ranged_worth = dict(truth.highest_worth(start, end))
    ranged_volatility = {t: v for t, v, _ in truth.volatility(start, end)}
    assert [node["rangedWorth"] for node in nodes] == [
        approx(ranged_worth[t], rel=1e-9) for t in tickers
    ]
    assert [node["rangedVolatility"] for node in nodes] == [
        approx(ranged_volatility[t], rel=1e-9) for t in tickers
    ]


async def test_stocks_of_a_watchlist(client: httpx.AsyncClient, truth: SampleTruth) -> None:
    known = sorted(truth.rows["ticker"].unique())
    watchlist = [known[-1], f" {known[0]} ", "NOT-A-TICKER", known[-1]]
    nodes, sizes, total = await walk_stocks(client, 1, tickers=watchlist)
    assert [node["ticker"] for node in nodes] == [known[0], known[-1]]
    assert sizes == [1, 1]
    assert total == 2
    nodes, _, total = await walk_stocks(client, 10, tickers=[])
    assert (nodes, total) == ([], 0)


async def test_stocks_whole_history(client: httpx.AsyncClient, truth: SampleTruth) -> None:
    data = await graphql(
        client,
        "{ stocks { edges { node { ticker firstDate lastDate tradingDays averageTradedValue"
        " annualizedVolatility } } } }",
    )
    worth = dict(truth.highest_worth(None, None))
    volatility = {t: v for t, v, _ in truth.volatility(None, None)}
    expected = []
    for ticker, group in truth.rows.groupby("ticker"):
        expected.append(
            {
                "ticker": ticker,
                "firstDate": group["date"].min().date().isoformat(),
                "lastDate": group["date"].max().date().isoformat(),
                "tradingDays": len(group),
                "averageTradedValue": approx(worth[str(ticker)], rel=1e-9),
                "annualizedVolatility": approx(volatility[str(ticker)], rel=1e-9),
            }
        )
    assert [edge["node"] for edge in data["stocks"]["edges"]] == expected


async def test_stock_statistics_with_null_or_one_sided_ranges(
    client: httpx.AsyncClient, truth: SampleTruth
) -> None:
    """Null ends are the whole history; one end given is a range to the data's edge."""
    start = date(2020, 2, 15)
    data = await graphql(
        client,
        "query($none: Date, $from: Date) { stocks { edges { node { ticker"
        " nulls: averageTradedValue(from: $none, to: $none)"
        " nullVolatility: annualizedVolatility(from: null)"
        " fromOnly: averageTradedValue(from: $from)"
        " fromOnlyVolatility: annualizedVolatility(from: $from, to: $none) } } } }",
        **{"none": None, "from": start.isoformat()},
    )
    nodes = [edge["node"] for edge in data["stocks"]["edges"]]
    tickers = sorted(truth.rows["ticker"].unique())
    assert [node["ticker"] for node in nodes] == tickers
    whole_worth = dict(truth.highest_worth(None, None))
    whole_volatility = {t: v for t, v, _ in truth.volatility(None, None)}
    ranged_worth = dict(truth.highest_worth(start, None))
    ranged_volatility = {t: v for t, v, _ in truth.volatility(start, None)}
    assert [(n["nulls"], n["nullVolatility"]) for n in nodes] == [
        (approx(whole_worth[t], rel=1e-9), approx(whole_volatility[t], rel=1e-9)) for t in tickers
    ]
    assert [(n["fromOnly"], n["fromOnlyVolatility"]) for n in nodes] == [
        (approx(ranged_worth[t], rel=1e-9), approx(ranged_volatility[t], rel=1e-9)) for t in tickers
    ]
    assert whole_worth != ranged_worth


async def test_stocks_by_ticker_whole_history(
    client: httpx.AsyncClient, truth: SampleTruth
) -> None:
    tickers = sorted(truth.rows["ticker"].unique())
    fields = "ticker firstDate lastDate tradingDays averageTradedValue annualizedVolatility"
    aliased = " ".join(
        f'{alias}: stock(ticker: "{ticker}") {{ {fields} }}'
        for alias, ticker in (("first", tickers[0]), ("last", f" {tickers[-1]} "), ("no", "NOPE"))
    )
    data = await graphql(client, "{ " + aliased + " }")
    worth = dict(truth.highest_worth(None, None))
    volatility = {t: v for t, v, _ in truth.volatility(None, None)}
    for alias, ticker in (("first", tickers[0]), ("last", tickers[-1])):
        group = truth.rows[truth.rows["ticker"] == ticker]
        assert data[alias] == {
            "ticker": ticker,
            "firstDate": group["date"].min().date().isoformat(),
            "lastDate": group["date"].max().date().isoformat(),
            "tradingDays": len(group),
            "averageTradedValue": approx(worth[ticker], rel=1e-9),
            "annualizedVolatility": approx(volatility[ticker], rel=1e-9),
        }
    assert data["no"] is None


async def test_stock_with_ranges_and_prices(client: httpx.AsyncClient, truth: SampleTruth) -> None:
    start, end = date(2020, 2, 15), date(2020, 6, 30)
    data = await graphql(
        client,
        'query($from: Date!, $to: Date!) { stock(ticker: "NVDA") { ticker'
        " averageTradedValue(from: $from, to: $to) annualizedVolatility(from: $from, to: $to)"
        " prices(from: $from, to: $to) { date open high low close volume dailyReturn"
        ' return30d } } unknown: stock(ticker: "NOPE") { ticker } }',
        **{"from": start.isoformat(), "to": end.isoformat()},
    )
    stock = data["stock"]
    assert stock["averageTradedValue"] == approx(dict(truth.highest_worth(start, end))["NVDA"])
    assert stock["annualizedVolatility"] == approx(
        {t: v for t, v, _ in truth.volatility(start, end)}["NVDA"]
    )
    rows = truth.in_range(start, end)
    nvda = rows[rows["ticker"] == "NVDA"].sort_values("date")
    assert [p["date"] for p in stock["prices"]] == [d.date().isoformat() for d in nvda["date"]]
    assert [p["volume"] for p in stock["prices"]] == [int(v) for v in nvda["volume"]]
    assert [(p["open"], p["high"], p["low"], p["close"]) for p in stock["prices"]] == [
        (approx(r.open), approx(r.high), approx(r.low), approx(r.close)) for r in nvda.itertuples()
    ]
    assert [p["dailyReturn"] for p in stock["prices"]] == approx(list(nvda["daily_return"]))
    assert [p["return30d"] for p in stock["prices"]] == approx(list(nvda["return_30d"]))
    assert data["unknown"] is None


async def test_rest_aliases_answer_with_the_same_numbers(
    client: httpx.AsyncClient, truth: SampleTruth
) -> None:
    start, end = date(2020, 3, 1), date(2020, 3, 31)
    for path in ("average-daily-return", "daily-average-return"):
        response = await client.get(
            f"/metrics/{path}", params={"from_date": start.isoformat(), "to_date": end.isoformat()}
        )
        assert response.status_code == 200
        expected = truth.average_daily_return(start, end)
        assert [(row["date"], row["stocks"]) for row in response.json()] == [
            (day.isoformat(), stocks) for day, _, stocks in expected
        ]
        assert [row["averageReturn"] for row in response.json()] == approx(
            [value for _, value, _ in expected], rel=1e-9
        )
    valuable = (await client.get("/metrics/most-valuable-day")).json()
    day, value = truth.most_valuable_day(None, None)
    assert valuable == {"date": day.isoformat(), "averageTradedValue": approx(value, rel=1e-9)}
    volatile = (await client.get("/metrics/most-volatile")).json()
    ticker, volatility, returns = truth.volatility(None, None)[0]
    assert volatile == [
        {"ticker": ticker, "annualizedVolatility": approx(volatility), "returns": returns}
    ]
    assert (await client.get("/health")).json() == {"status": "ok", "engine": "duckdb"}
