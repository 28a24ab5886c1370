"""topThirtyDayReturns over the whole history: read from the version's thirty_day_leaders
when it holds that table, from daily_metrics when it does not (a version written before
the table existed); either way the rows pandas ranks from daily_metrics, in that order,
with ties at the cut. A range or a watchlist ranks daily_metrics."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from etl.tables import DAILY_METRICS, THIRTY_DAY_LEADERS, version_prefix
from graphql_api.engines.duckdb import DuckDBEngine
from graphql_api.engines.snapshot import EngineSnapshot
from graphql_api.http_contract import DATASET_VERSION_HEADER
from graphql_api.main import create_app
from graphql_api.services import rankings
from graphql_api.services.arguments import MAX_LIMIT
from tests.graphql_api.support import CountingEngine, app_client, counting_opener, settings_for
from tests.graphql_api.tiny_warehouse import Day, tiny_version, write_warehouse

PIN = DATASET_VERSION_HEADER.decode()
BEFORE_LEADERS = tiny_version(7)
WITH_LEADERS = tiny_version(8)
COLUMNS = ["ticker", "date", "return_30d", "close", "prior_date_30d", "prior_close_30d"]
FIELDS = "ticker date return30d close priorDate priorClose"


def tied_days(groups: int = 3) -> list[Day]:
    """150 tickers in `groups` groups of identical closes: each group's rows tie on
    return_30d day by day, so more than MAX_LIMIT rows share values around the cut."""
    days = []
    for number in range(150):
        group = number % groups
        day, step = date(2019, 11, 1), 0
        while day <= date(2020, 3, 31):
            if day.weekday() < 5:
                close = 20.0 + group + ((step * (5 + 2 * group)) % 13) * 0.75
                days.append(Day(f"T{number:03d}", day, close, 1000 + step))
                step += 1
            day += timedelta(days=1)
    return days


def ranked_by_pandas(warehouse: Path, version: str) -> list[tuple[Any, ...]]:
    """Every row of the version's daily_metrics with a return_30d, in the contract's order."""
    table = pd.read_parquet(warehouse / version_prefix(DAILY_METRICS, version))
    table = table.dropna(subset=["return_30d"])
    ordered = table.sort_values(
        ["return_30d", "date", "ticker"], ascending=[False, True, True], kind="stable"
    )
    return [
        (r.ticker, r.date, r.return_30d, r.close, r.prior_date_30d, r.prior_close_30d)
        for r in ordered.itertuples()
    ]


def tied_warehouse(root: Path) -> Path:
    """BEFORE_LEADERS (two groups, no thirty_day_leaders), then WITH_LEADERS, current."""
    write_warehouse(root, tied_days(2), version=BEFORE_LEADERS)
    return write_warehouse(root, tied_days(3), version=WITH_LEADERS, leaders=True)


def cut_within_a_tie(ranked: list[tuple[Any, ...]]) -> bool:
    cut = ranked[MAX_LIMIT - 1][2]
    return sum(row[2] == cut for row in ranked) > sum(row[2] == cut for row in ranked[:MAX_LIMIT])


@pytest.mark.parametrize("in_memory", [False, True])
async def test_leaders_answer_as_daily_metrics_ranks(tmp_path: Path, in_memory: bool) -> None:
    warehouse = tied_warehouse(tmp_path / "tied")
    expected = ranked_by_pandas(warehouse, WITH_LEADERS)
    assert cut_within_a_tie(expected)
    engine = DuckDBEngine(
        warehouse,
        timeout_seconds=10,
        max_concurrent_queries=1,
        dataset_check_seconds=0,
        max_load_bytes=1 << 30 if in_memory else 0,
    )
    counter = CountingEngine(engine)
    snapshot = EngineSnapshot(counter, WITH_LEADERS)
    try:
        answers = [
            await rankings.top_thirty_day_returns(snapshot, None, MAX_LIMIT, has_leaders=has)
            for has in (True, False)
        ]
        leaders = await engine.fetch(
            rankings.TOP_THIRTY_DAY_RETURNS_OF_LEADERS, version=WITH_LEADERS
        )
    finally:
        engine.close()
    read = [THIRTY_DAY_LEADERS.name in statement for statement, _ in counter.statements]
    assert read == [True, False]
    assert len(leaders) == MAX_LIMIT
    for answer in answers:
        assert [
            (r.ticker, r.date, r.return30d, r.close, r.prior_date, r.prior_close) for r in answer
        ] == expected[:MAX_LIMIT]


def as_rows(ranked: list[tuple[Any, ...]]) -> list[dict[str, object]]:
    return [
        {
            "ticker": ticker,
            "date": day.isoformat(),
            "return30d": value,
            "close": close,
            "priorDate": prior_day.isoformat(),
            "priorClose": prior_close,
        }
        for ticker, day, value, close, prior_day, prior_close in ranked
    ]


async def test_each_version_answers_from_what_it_holds(tmp_path: Path) -> None:
    """Over GraphQL: the current version from its thirty_day_leaders, a pinned version
    written before that table from its daily_metrics (DuckDB has no such table for it);
    a watchlist ranks daily_metrics."""
    warehouse = tied_warehouse(tmp_path / "tied")
    counters: list[CountingEngine] = []
    app = create_app(settings_for(warehouse), engine_opener=counting_opener(counters))
    limit = 40
    query = {"query": f"{{ topThirtyDayReturns(limit: {limit}) {{ {FIELDS} }} }}"}
    watched = ["T001", "T004", "T005"]
    watch_query = {
        "query": "query($t: [String!]) { topThirtyDayReturns(limit: 100, tickers: $t) "
        f"{{ {FIELDS} }} }}",
        "variables": {"t": watched},
    }
    async with app_client(app) as client:
        current = await client.post("/graphql", json=query)
        pinned = await client.post("/graphql", json=query, headers={PIN: BEFORE_LEADERS})
        watchlist = await client.post("/graphql", json=watch_query)
    [counter] = counters
    rankings_read = [
        (THIRTY_DAY_LEADERS.name in statement, version)
        for (statement, _), version in zip(counter.statements, counter.versions, strict=True)
        if "ORDER BY return_30d DESC" in statement
    ]
    assert rankings_read == [(True, WITH_LEADERS), (False, BEFORE_LEADERS), (False, WITH_LEADERS)]
    for response, version in ((current, WITH_LEADERS), (pinned, BEFORE_LEADERS)):
        assert response.status_code == 200, response.text
        assert response.headers[PIN] == version
        expected = as_rows(ranked_by_pandas(warehouse, version)[:limit])
        assert response.json() == {"data": {"topThirtyDayReturns": expected}}
    assert pinned.json() != current.json()
    mine = [row for row in ranked_by_pandas(warehouse, WITH_LEADERS) if row[0] in watched]
    assert watchlist.json() == {"data": {"topThirtyDayReturns": as_rows(mine[:100])}}
