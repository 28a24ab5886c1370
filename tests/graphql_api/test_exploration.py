"""Stock.candles, periodReturns and correlations, on warehouses built by the real ETL (the
bundled sample, and gapped_csv's generated data), against exploration_truth's pandas
computation from the same raw CSV."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

import httpx
import pytest

from graphql_api.main import create_app
from tests.graphql_api import exploration_truth as expected
from tests.graphql_api.gapped_csv import (
    CLOSED_WEEK,
    FIRST_DAY,
    LATE_START,
    TICKERS,
    write_gapped_csv,
)
from tests.graphql_api.sample_truth import SAMPLE_CSV, SampleTruth, load_sample_truth
from tests.graphql_api.support import app_client, settings_for

if TYPE_CHECKING:
    from pyspark.sql import SparkSession

INTERVALS = ("DAY", "WEEK", "MONTH", "QUARTER", "YEAR")
SAMPLE_TICKERS = ("AAPL", "AMZN", "GOOG", "META", "NFLX", "NVDA")
CANDLE_FIELDS = "start end open high low close volume tradingDays return"
PERIOD_RETURN_FIELDS = "ticker return startClose endClose tradingDays"

CANDLES = (
    "query($from: Date!, $to: Date!, $interval: Interval!) { stocks { edges { node { ticker"
    f" candles(from: $from, to: $to, interval: $interval) {{ {CANDLE_FIELDS} }} }} }} }} }}"
)
PERIOD_RETURNS = (
    "query($from: Date!, $to: Date!, $order: Order!, $limit: Int!, $tickers: [String!]) {"
    " periodReturns(from: $from, to: $to, order: $order, limit: $limit, tickers: $tickers)"
    f" {{ {PERIOD_RETURN_FIELDS} }} }}"
)
CORRELATIONS = (
    "query($tickers: [String!]!, $from: Date, $to: Date) {"
    " correlations(tickers: $tickers, from: $from, to: $to) { a b correlation observations } }"
)

GAPPED_RANGE = (date(2021, 12, 15), date(2022, 3, 31))


def close_to(value: Any) -> Any:
    """A float computed another way agrees to 1e-9 (or 1e-12 absolute, near zero)."""
    if isinstance(value, float):
        return pytest.approx(value, rel=1e-9, abs=1e-12)
    return value


def matching(entries: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [{key: close_to(value) for key, value in entry.items()} for entry in entries]


async def graphql(client: httpx.AsyncClient, query: str, **variables: Any) -> dict[str, Any]:
    response = await client.post("/graphql", json={"query": query, "variables": variables})
    assert response.status_code == 200, response.text
    body = response.json()
    assert "errors" not in body, body
    return dict(body["data"])


def dates(start: date | None, end: date | None) -> dict[str, str]:
    return {k: v.isoformat() for k, v in (("from", start), ("to", end)) if v is not None}


@pytest.fixture(scope="module")
def sample_truth() -> SampleTruth:
    return load_sample_truth(SAMPLE_CSV)


@pytest.fixture(scope="module")
async def sample_client(sample_warehouse: Path) -> AsyncIterator[httpx.AsyncClient]:
    async with app_client(create_app(settings_for(sample_warehouse))) as client:
        yield client


@pytest.fixture(scope="module")
def gapped_csv(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_gapped_csv(tmp_path_factory.mktemp("gapped_input"))


@pytest.fixture(scope="module")
def gapped_truth(gapped_csv: Path) -> SampleTruth:
    return load_sample_truth(gapped_csv)


@pytest.fixture(scope="module")
def gapped_warehouse(
    spark: SparkSession, gapped_csv: Path, tmp_path_factory: pytest.TempPathFactory
) -> Path:
    from etl.jobs.build_warehouse import run
    from etl.options import JobOptions

    warehouse = tmp_path_factory.mktemp("gapped_warehouse")
    run(spark, JobOptions(input=str(gapped_csv), warehouse=str(warehouse)), report=lambda _: None)
    return warehouse


@pytest.fixture(scope="module")
async def gapped_client(gapped_warehouse: Path) -> AsyncIterator[httpx.AsyncClient]:
    async with app_client(create_app(settings_for(gapped_warehouse))) as client:
        yield client


async def check_candles(
    client: httpx.AsyncClient, truth: SampleTruth, start: date, end: date, interval: str
) -> dict[str, list[dict[str, Any]]]:
    data = await graphql(client, CANDLES, interval=interval, **dates(start, end))
    answered = {edge["node"]["ticker"]: edge["node"]["candles"] for edge in data["stocks"]["edges"]}
    for ticker, candles in answered.items():
        assert candles == matching(expected.candles(truth, ticker, start, end, interval)), ticker
    return answered


async def check_period_returns(
    client: httpx.AsyncClient,
    truth: SampleTruth,
    start: date,
    end: date,
    order: str,
    tickers: list[str] | None = None,
) -> list[dict[str, Any]]:
    variables = dates(start, end) | {"order": order, "limit": 100, "tickers": tickers}
    answered = (await graphql(client, PERIOD_RETURNS, **variables))["periodReturns"]
    assert answered == matching(expected.period_returns(truth, start, end, order, tickers))
    return list(answered)


async def check_correlations(
    client: httpx.AsyncClient,
    truth: SampleTruth,
    tickers: list[str],
    start: date | None,
    end: date | None,
) -> list[dict[str, Any]]:
    data = await graphql(client, CORRELATIONS, tickers=tickers, **dates(start, end))
    answered = data["correlations"]
    assert answered == matching(expected.correlations(truth, tickers, start, end))
    return list(answered)


# The sample


@pytest.mark.parametrize("interval", INTERVALS)
async def test_sample_candles(
    sample_client: httpx.AsyncClient, sample_truth: SampleTruth, interval: str
) -> None:
    answered = await check_candles(
        sample_client, sample_truth, date(2019, 11, 20), date(2021, 2, 10), interval
    )
    assert set(answered) == set(SAMPLE_TICKERS)
    assert all(candles for candles in answered.values())


async def test_sample_candles_at_the_start_of_the_data(
    sample_client: httpx.AsyncClient, sample_truth: SampleTruth
) -> None:
    """The first candle of the data has no day before it: its return is null."""
    answered = await check_candles(
        sample_client, sample_truth, date(2012, 6, 1), date(2013, 3, 31), "MONTH"
    )
    assert all(candles[0]["return"] is None for candles in answered.values())


@pytest.mark.parametrize(
    ("start", "end"),
    [
        (date(2020, 2, 15), date(2020, 6, 30)),
        (date(2018, 12, 20), date(2019, 1, 10)),
        (date(2010, 1, 1), date(2013, 1, 31)),  # from the data's first day: no close before
        (date(2013, 1, 2), date(2013, 1, 2)),  # one close each: nothing to compare
    ],
)
@pytest.mark.parametrize("order", ["DESC", "ASC"])
async def test_sample_period_returns(
    sample_client: httpx.AsyncClient,
    sample_truth: SampleTruth,
    start: date,
    end: date,
    order: str,
) -> None:
    await check_period_returns(sample_client, sample_truth, start, end, order)


async def test_sample_period_returns_limit_default_and_watchlist(
    sample_client: httpx.AsyncClient, sample_truth: SampleTruth
) -> None:
    start, end = date(2021, 1, 1), date(2021, 12, 31)
    data = await graphql(
        sample_client,
        "query($from: Date!, $to: Date!) { top: periodReturns(from: $from, to: $to, limit: 2)"
        " { ticker } all: periodReturns(from: $from, to: $to) { ticker }"
        ' watched: periodReturns(from: $from, to: $to, order: ASC, tickers: ["NVDA", "AAPL",'
        f' "NVDA"]) {{ {PERIOD_RETURN_FIELDS} }} }}',
        **dates(start, end),
    )
    ranked = [entry["ticker"] for entry in expected.period_returns(sample_truth, start, end)]
    assert [entry["ticker"] for entry in data["top"]] == ranked[:2]
    assert [entry["ticker"] for entry in data["all"]] == ranked  # 6 tickers, under 10
    assert data["watched"] == matching(
        expected.period_returns(sample_truth, start, end, "ASC", ["AAPL", "NVDA"])
    )


@pytest.mark.parametrize(
    ("start", "end"),
    [(None, None), (date(2020, 2, 15), date(2020, 6, 30)), (date(2022, 1, 1), None)],
)
async def test_sample_correlations(
    sample_client: httpx.AsyncClient,
    sample_truth: SampleTruth,
    start: date | None,
    end: date | None,
) -> None:
    answered = await check_correlations(
        sample_client, sample_truth, list(SAMPLE_TICKERS), start, end
    )
    assert len(answered) == 15


# Generated data: gaps, a late start, ties, a flat ticker, a one-day ticker


@pytest.mark.parametrize("interval", INTERVALS)
async def test_gapped_candles(
    gapped_client: httpx.AsyncClient, gapped_truth: SampleTruth, interval: str
) -> None:
    answered = await check_candles(gapped_client, gapped_truth, *GAPPED_RANGE, interval)
    assert set(answered) == set(TICKERS)
    assert answered["LATE"][0]["start"] == LATE_START.isoformat()
    assert answered["LATE"][0]["return"] is None


@pytest.mark.parametrize("interval", INTERVALS)
async def test_candles_of_a_range_without_trading_days(
    gapped_client: httpx.AsyncClient, gapped_truth: SampleTruth, interval: str
) -> None:
    answered = await check_candles(gapped_client, gapped_truth, *CLOSED_WEEK, interval)
    assert answered == {ticker: [] for ticker in TICKERS}
    outside = await check_candles(
        gapped_client, gapped_truth, date(2030, 1, 1), date(2030, 12, 31), interval
    )
    assert outside == {ticker: [] for ticker in TICKERS}


@pytest.mark.parametrize(
    ("start", "end"),
    [
        GAPPED_RANGE,
        (date(2022, 2, 1), date(2022, 2, 28)),  # GAP stops trading, LATE starts
        (FIRST_DAY, date(2021, 11, 30)),  # no close before the range
        (date(2022, 2, 10), date(2022, 3, 10)),  # GAP has no day in it
        (date(2022, 3, 1), date(2022, 3, 1)),  # ONE's only day; LATE's first day is before
    ],
)
@pytest.mark.parametrize("order", ["DESC", "ASC"])
async def test_gapped_period_returns(
    gapped_client: httpx.AsyncClient,
    gapped_truth: SampleTruth,
    start: date,
    end: date,
    order: str,
) -> None:
    answered = await check_period_returns(gapped_client, gapped_truth, start, end, order)
    tickers = [entry["ticker"] for entry in answered]
    assert "ONE" not in tickers  # one close: nothing to compare
    ties = [entry for entry in answered if entry["ticker"] in ("TIEA", "TIEB")]
    assert [entry["ticker"] for entry in ties] == ["TIEA", "TIEB"]  # tie: ticker ascending
    assert ties[0]["return"] == ties[1]["return"]
    assert tickers.index("TIEB") == tickers.index("TIEA") + 1


async def test_period_returns_of_a_range_without_trading_days(
    gapped_client: httpx.AsyncClient, gapped_truth: SampleTruth
) -> None:
    assert await check_period_returns(gapped_client, gapped_truth, *CLOSED_WEEK, "DESC") == []
    assert (
        await check_period_returns(
            gapped_client, gapped_truth, date(2030, 1, 1), date(2030, 1, 31), "ASC"
        )
        == []
    )


async def test_gapped_period_returns_in_a_watchlist(
    gapped_client: httpx.AsyncClient, gapped_truth: SampleTruth
) -> None:
    answered = await check_period_returns(
        gapped_client, gapped_truth, *GAPPED_RANGE, "DESC", ["LATE", "GAP", "ONE"]
    )
    assert [entry["ticker"] for entry in answered] == sorted(
        ["LATE", "GAP"], key=lambda t: -next(e["return"] for e in answered if e["ticker"] == t)
    )


@pytest.mark.parametrize(
    ("start", "end"),
    [
        (None, None),
        GAPPED_RANGE,
        (date(2022, 2, 14), date(2022, 2, 18)),  # LATE: 3 returns (from 2022-02-16)
        (date(2022, 2, 14), date(2022, 2, 17)),  # LATE: 2 returns, too few
        CLOSED_WEEK,
    ],
)
async def test_gapped_correlations(
    gapped_client: httpx.AsyncClient,
    gapped_truth: SampleTruth,
    start: date | None,
    end: date | None,
) -> None:
    answered = await check_correlations(gapped_client, gapped_truth, list(TICKERS), start, end)
    pairs = {(entry["a"], entry["b"]) for entry in answered}
    assert not any("FLAT" in pair or "ONE" in pair for pair in pairs)
    if (start, end) != CLOSED_WEEK:
        assert ("TIEA", "TIEB") in pairs
        assert next(e for e in answered if e["a"] == "TIEA")["correlation"] == pytest.approx(1)
    else:
        assert answered == []


# Watchlists on the rankings

RANKINGS = (
    "query($from: Date, $to: Date, $tickers: [String!]) {"
    " highestWorthStocks(from: $from, to: $to, limit: 100, tickers: $tickers)"
    " { ticker averageTradedValue }"
    " mostVolatile(from: $from, to: $to, limit: 100, tickers: $tickers)"
    " { ticker annualizedVolatility returns }"
    " topThirtyDayReturns(from: $from, to: $to, limit: 100, tickers: $tickers)"
    " { ticker date return30d close priorDate priorClose } }"
)


def expected_rankings(
    truth: SampleTruth, start: date | None, end: date | None, watchlist: list[str]
) -> dict[str, list[dict[str, Any]]]:
    watched = set(watchlist)
    return {
        "highestWorthStocks": [
            {"ticker": t, "averageTradedValue": v}
            for t, v in truth.highest_worth(start, end)
            if t in watched
        ][:100],
        "mostVolatile": [
            {"ticker": t, "annualizedVolatility": v, "returns": n}
            for t, v, n in truth.volatility(start, end)
            if t in watched
        ][:100],
        "topThirtyDayReturns": [
            {
                "ticker": t,
                "date": d.isoformat(),
                "return30d": r,
                "close": c,
                "priorDate": p.isoformat(),
                "priorClose": pc,
            }
            for t, d, r, c, p, pc in truth.top_thirty_day_returns(start, end)
            if t in watched
        ][:100],
    }


@pytest.mark.parametrize(
    ("start", "end"),
    [(None, None), (date(2020, 2, 15), date(2020, 6, 30)), (date(2023, 1, 1), None)],
)
async def test_sample_rankings_within_a_watchlist(
    sample_client: httpx.AsyncClient,
    sample_truth: SampleTruth,
    start: date | None,
    end: date | None,
) -> None:
    watchlist = ["NVDA", "AAPL", "META", "AAPL"]
    data = await graphql(sample_client, RANKINGS, tickers=watchlist, **dates(start, end))
    wanted = expected_rankings(sample_truth, start, end, watchlist)
    assert {name: data[name] for name in wanted} == {
        name: matching(entries) for name, entries in wanted.items()
    }
    assert {entry["ticker"] for entry in data["mostVolatile"]} == {"NVDA", "AAPL", "META"}
    everyone = await graphql(sample_client, RANKINGS, **dates(start, end))
    assert everyone == {
        name: matching(entries)
        for name, entries in expected_rankings(sample_truth, start, end, SAMPLE_TICKERS).items()
    }


@pytest.mark.parametrize(("start", "end"), [(None, None), GAPPED_RANGE, CLOSED_WEEK])
async def test_gapped_rankings_within_a_watchlist(
    gapped_client: httpx.AsyncClient,
    gapped_truth: SampleTruth,
    start: date | None,
    end: date | None,
) -> None:
    watchlist = ["LATE", "GAP", "ONE", "TIEB"]
    data = await graphql(gapped_client, RANKINGS, tickers=watchlist, **dates(start, end))
    wanted = expected_rankings(gapped_truth, start, end, watchlist)
    assert data == {name: matching(entries) for name, entries in wanted.items()}
