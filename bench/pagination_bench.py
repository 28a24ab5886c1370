"""Cold latency of the connections: `stocks` pages, `Dataset.rejections`, `Dataset.anomalies`.

For each warehouse (the bundled sample, and 2.5 M generated rows: the API
benchmark's, bench/api_bench.py), it starts `stock-analytics serve` with both
caches off (the engine's result cache and the response cache), checks every
query answers without errors, then loads each from one connection with wrk
(one request at a time: what a client waits, without queueing) and reports
p50 and p99.

    python -m bench.pagination_bench                  # both warehouses
    python -m bench.pagination_bench --only sample --seconds 2

Target: a cold first page of 100 stocks with their whole-history statistics,
one connection, p50 <= 10 ms on 2.5 M rows / 500 tickers (every stock at once,
before `stocks` was paginated: 46.6 ms, bench/RESULTS.md).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx

from bench.api_bench import CACHES_OFF, NO_LIMITS, large_warehouse, sample_warehouse
from bench.api_servers import graphql_server
from bench.wrk import WrkResult, run_wrk

DATA = Path("bench/.data/pagination")
FIRST_PAGE_TARGET_MS = 10.0
STOCK_FIELDS = "ticker tradingDays averageTradedValue annualizedVolatility"
PAGE_INFO = "totalCount pageInfo { hasNextPage endCursor }"

QUERIES: dict[str, str] = {
    "stocks first page": f"{{ stocks(first: 100) {{ {PAGE_INFO} edges {{ cursor node {{ "
    f"{STOCK_FIELDS} }} }} }} }}",
    "stocks first page, no count": f"{{ stocks(first: 100) {{ edges {{ node {{ {STOCK_FIELDS} "
    "} } } }",
    "stocks next page": "query($after: String) { stocks(first: 100, after: $after) { "
    f"{PAGE_INFO} edges {{ cursor node {{ {STOCK_FIELDS} }} }} }} }}",
    "stocks first page, 2020 stats": "{ stocks(first: 100) { edges { node { ticker "
    'averageTradedValue(from: "2020-01-01", to: "2020-12-31") '
    'annualizedVolatility(from: "2020-01-01", to: "2020-12-31") } } } }',
    "stocks watchlist of 10": "query($tickers: [String!]) { stocks(tickers: $tickers) { "
    f"{PAGE_INFO} edges {{ node {{ {STOCK_FIELDS} }} }} }} }}",
    "stocks all 500": f"{{ stocks(first: 500) {{ edges {{ node {{ {STOCK_FIELDS} }} }} }} }}",
    "rejections first page": f"{{ dataset {{ rejections(first: 100) {{ {PAGE_INFO} edges {{ "
    "node { sourceFile line reason raw { date ticker close } } } } } }",
    "anomalies first page": f"{{ dataset {{ anomalies(first: 100) {{ {PAGE_INFO} edges {{ "
    "node { ticker date kind detail } } } } }",
    "anomalies of one ticker": "query($ticker: String) { dataset { anomalies(ticker: $ticker) "
    f"{{ {PAGE_INFO} edges {{ node {{ date kind detail }} }} }} }} }}",
}


@dataclass(frozen=True)
class Row:
    warehouse: str
    query: str
    rows: int
    """Edges in the answer."""
    latency: WrkResult


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--only", choices=("sample", "2.5M"), help="one warehouse")
    parser.add_argument("--seconds", type=float, default=3.0, help="per wrk run")
    args = parser.parse_args()
    DATA.mkdir(parents=True, exist_ok=True)
    warehouses = {"sample": sample_warehouse, "2.5M": large_warehouse}
    rows: list[Row] = []
    for label, build in warehouses.items():
        if args.only in (None, label):
            rows += bench_warehouse(label, build(), args.seconds)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    (DATA / f"results-{stamp}.json").write_text(json.dumps([asdict(r) for r in rows], indent=1))
    print(markdown(rows))
    return 0 if all(r.latency.errors == 0 for r in rows) else 1


def bench_warehouse(label: str, warehouse: Path, seconds: float) -> list[Row]:
    print(f"# {label}: {warehouse}, load average {os.getloadavg()[0]:.1f}", file=sys.stderr)
    rows: list[Row] = []
    with graphql_server(warehouse, **NO_LIMITS, **CACHES_OFF) as url:
        for name, body in request_bodies(url).items():
            edges = count_edges(answer(url, body))
            latency = run_wrk(f"{url}/graphql", body, seconds=seconds, connections=1)
            rows.append(Row(label, name, edges, latency))
            print(f"  {name}: {edges} rows, p50 {latency.p50_ms:.2f} ms", file=sys.stderr)
    return rows


def request_bodies(url: str) -> dict[str, str]:
    """Each query as a POST body, its variables taken from the server's own answers: the
    cursor after the first page, the first ten tickers, the ticker of the first anomaly."""
    first = answer(url, json.dumps({"query": QUERIES["stocks first page"]}))["stocks"]
    tickers = [edge["node"]["ticker"] for edge in first["edges"][:10]]
    anomalies = answer(url, json.dumps({"query": QUERIES["anomalies first page"]}))
    flagged = anomalies["dataset"]["anomalies"]["edges"]
    variables: dict[str, dict[str, Any]] = {
        "stocks next page": {"after": first["edges"][min(99, len(first["edges"]) // 2)]["cursor"]},
        "stocks watchlist of 10": {"tickers": tickers},
        "anomalies of one ticker": {"ticker": flagged[0]["node"]["ticker"] if flagged else "X"},
    }
    return {
        name: json.dumps({"query": query, "variables": variables.get(name, {})})
        for name, query in QUERIES.items()
    }


def answer(url: str, body: str) -> dict[str, Any]:
    """The data of the server's answer to `body`: it must be a 200 without errors."""
    response = httpx.post(
        f"{url}/graphql", content=body, headers={"content-type": "application/json"}, timeout=60
    )
    document = response.json()
    if response.status_code != 200 or document.get("errors") or not document.get("data"):
        raise RuntimeError(f"{body}: {response.status_code} {response.text[:500]}")
    return dict(document["data"])


def count_edges(value: object) -> int:
    """How many edges the answer holds, in all its connections."""
    if isinstance(value, dict):
        edges = value.get("edges")
        own = len(edges) if isinstance(edges, list) else 0
        return own + sum(count_edges(v) for k, v in value.items() if k != "edges")
    if isinstance(value, list):
        return sum(count_edges(item) for item in value)
    return 0


def markdown(rows: list[Row]) -> str:
    lines = [
        "| warehouse | query | rows | 1-conn p50 ms | 1-conn p99 ms | requests | target | met |",
        "|---|---|---:|---:|---:|---:|---|---|",
    ]
    for row in rows:
        target, met = "", ""
        if row.query == "stocks first page" and row.warehouse == "2.5M":
            target = f"p50 <= {FIRST_PAGE_TARGET_MS:g} ms"
            met = "yes" if row.latency.p50_ms <= FIRST_PAGE_TARGET_MS else "no"
        lines.append(
            f"| {row.warehouse} | {row.query} | {row.rows} | {row.latency.p50_ms:.2f} "
            f"| {row.latency.p99_ms:.2f} | {row.latency.requests} | {target} | {met} |"
        )
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main())
