"""The exploration fields' benchmark: cold latency of candles, periodReturns,
correlations and the rankings' watchlists, on the sample and on 2.5 M rows.

For each warehouse (built as bench/api_bench.py builds it), it starts
`stock-analytics serve` (one uvicorn worker) with both caches off (the engine's
result cache and the response cache), checks each query answers with data and no
error, then loads it with wrk from one connection: one request at a time, what a
client waits without queueing. The best of `--rounds` runs is kept (the machine
is shared: the best run is the least disturbed one).

    python -m bench.exploration_bench                       # both warehouses
    python -m bench.exploration_bench --only sample --seconds 2 --rounds 1

Targets, as for the contract's queries: cold p50 <= 5 ms on the sample and
<= 50 ms on 2.5 M rows. The first row is a contract query of bench/api_bench.py,
measured in the same run, so a busy machine shows as a slow reference.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path

import httpx

from bench.api_bench import (
    CACHES_OFF,
    COLD_P50_TARGET_MS,
    DATA,
    NO_LIMITS,
    answer,
    large_warehouse,
    sample_warehouse,
)
from bench.api_bench import (
    QUERIES as CONTRACT_QUERIES,
)
from bench.api_servers import graphql_server
from bench.wrk import WrkResult, run_wrk

YEAR = 'from: "2020-01-01", to: "2020-12-31"'
REFERENCE = "stock, prices of 5 days (api_bench's, for reference)"
QUERIES: dict[str, str] = {
    REFERENCE: CONTRACT_QUERIES["stock"],
    "candles MONTH, 1 year": "query Candles($ticker: String!) { stock(ticker: $ticker) "
    f"{{ candles({YEAR}) {{ start end open high low close volume tradingDays return }} }} }}",
    "candles DAY, 1 year": "query Candles($ticker: String!) { stock(ticker: $ticker) "
    f"{{ candles({YEAR}, interval: DAY) {{ start open high low close volume return }} }} }}",
    "candles WEEK, 5 tickers": "query Candles($a: String!, $b: String!, $c: String!, "
    "$d: String!, $e: String!) { "
    + " ".join(
        f"{name}: stock(ticker: ${name}) {{ candles({YEAR}, interval: WEEK) {{ start close }} }}"
        for name in "abcde"
    )
    + " }",
    "periodReturns, 1 year": f"{{ periodReturns({YEAR}) "
    "{ ticker return startClose endClose tradingDays } }",
    "periodReturns ASC, watchlist of 5": "query Watch($tickers: [String!]) { "
    f"periodReturns({YEAR}, order: ASC, tickers: $tickers) {{ ticker return }} }}",
    "correlations, 5 tickers, 1 year": "query Pairs($tickers: [String!]!) { "
    f"correlations(tickers: $tickers, {YEAR}) {{ a b correlation observations }} }}",
    "correlations, 20 tickers, whole history": "query Pairs($tickers20: [String!]!) { "
    "correlations(tickers: $tickers20) { a b correlation observations } }",
    "mostVolatile, watchlist of 5, 1 year": "query Watch($tickers: [String!]) { "
    f"mostVolatile({YEAR}, limit: 5, tickers: $tickers) {{ ticker annualizedVolatility }} }}",
    "highestWorthStocks, watchlist of 5": "query Watch($tickers: [String!]) { "
    "highestWorthStocks(limit: 5, tickers: $tickers) { ticker averageTradedValue } }",
}


@dataclass(frozen=True)
class Row:
    warehouse: str
    query: str
    latency: WrkResult
    """wrk from one connection, the best of the rounds."""

    @property
    def met(self) -> bool:
        target = COLD_P50_TARGET_MS[self.warehouse]
        return self.latency.p50_ms <= target and not self.latency.errors


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--only", choices=("sample", "2.5M"), help="one warehouse")
    parser.add_argument("--seconds", type=float, default=3.0, help="per wrk run")
    parser.add_argument("--rounds", type=int, default=2, help="runs per query, best kept")
    args = parser.parse_args()
    DATA.mkdir(parents=True, exist_ok=True)
    warehouses = {"sample": sample_warehouse, "2.5M": large_warehouse}
    rows: list[Row] = []
    for label, build in warehouses.items():
        if args.only in (None, label):
            rows += bench_warehouse(label, build(), args)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    (DATA / f"exploration-results-{stamp}.json").write_text(
        json.dumps([{**asdict(r), "met": r.met} for r in rows], indent=1)
    )
    print(markdown(rows))
    return 0 if all(r.latency.errors == 0 for r in rows) else 1


def bench_warehouse(label: str, warehouse: Path, args: argparse.Namespace) -> list[Row]:
    print(f"# {label}: {warehouse}, load average {os.getloadavg()[0]:.1f}", file=sys.stderr)
    rows: list[Row] = []
    with graphql_server(warehouse, **NO_LIMITS, **CACHES_OFF) as cold:
        for name, body in request_bodies(cold).items():
            answer(cold, body)  # a 200 with data and no error, or RuntimeError
            runs = [
                run_wrk(f"{cold}/graphql", body, seconds=args.seconds, connections=1)
                for _ in range(args.rounds)
            ]
            best = min(runs, key=lambda run: run.p50_ms)
            rows.append(Row(label, name, best))
            print(f"  cold {name}: p50 {best.p50_ms:.2f} ms", file=sys.stderr)
    return rows


def request_bodies(url: str) -> dict[str, str]:
    """Each query as a POST body, its variables drawn from the 20 highest worth tickers."""
    listed = httpx.post(
        f"{url}/graphql", json={"query": "{ highestWorthStocks(limit: 20) { ticker } }"}
    ).json()
    tickers = [stock["ticker"] for stock in listed["data"]["highestWorthStocks"]]
    variables = {
        "ticker": tickers[0],
        **dict(zip("abcde", tickers, strict=False)),
        "tickers": tickers[:5],
        "tickers20": tickers[:20],
    }
    bodies = {}
    for name, query in QUERIES.items():
        used = {key: value for key, value in variables.items() if f"${key}:" in query}
        bodies[name] = json.dumps({"query": query, **({"variables": used} if used else {})})
    return bodies


def markdown(rows: list[Row]) -> str:
    lines = [
        "| warehouse | query | requests | 1-conn p50 ms | 1-conn p99 ms | target | met |",
        "|---|---|---:|---:|---:|---|---|",
    ]
    for r in rows:
        cells = [
            r.warehouse,
            r.query,
            f"{r.latency.requests:,}",
            f"{r.latency.p50_ms:.2f}",
            f"{r.latency.p99_ms:.2f}",
            f"p50 <= {COLD_P50_TARGET_MS[r.warehouse]:g} ms",
            "yes" if r.met else "no",
        ]
        lines.append("| " + " | ".join(cells) + " |")
    errors = sum(r.latency.errors for r in rows)
    lines.append(f"\nerrors (socket + non-2xx) across all runs: {errors}")
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main())
