"""The API benchmark: every contract query, warm and cold, beside a bare FastAPI route.

For each warehouse (the bundled sample, and 2.5 M generated rows), it starts
`stock-analytics serve` (one uvicorn worker) and captures each query's answer;
bench/bare_app.py then serves those exact bytes from a bare FastAPI route (also
one worker). wrk, a separate process on 127.0.0.1, loads one then the other,
alternating, `--rounds` times; the best round of each is kept (the machine is
shared: the best round is the least disturbed one). Then the same server with
both caches off (the engine's result cache and the response cache) is loaded
for the cold figures, and loaded again from one connection for the cold latency
(one request at a time: what a client waits, without queueing).

    python -m bench.api_bench                       # both warehouses
    python -m bench.api_bench --only sample --seconds 2 --rounds 1

Then, **logged**: the server in its default configuration (JSON request log at
info and the metrics on; the log goes to a file) against the bare route with
uvicorn's access log on (to a file too), warm, alternating like warm.

    python -m bench.api_bench --modes cold --set duckdb_memory_max_table_bytes=0

Targets: warm rps >= 80% of the bare route's; logged rps >= 90% of the logged bare
route's; cold p50 (one connection) <= 2 ms on the sample and <= 20 ms on 2.5 M rows.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path

import httpx

from bench.api_servers import BIN, PIDS, bare_server, graphql_server
from bench.wrk import WrkResult, run_wrk, run_wrk_cpu
from etl.dataset_pointer import DatasetPointer, PointerError
from etl.tables import DATASET_MANIFEST, TABLES

DATA = Path("bench/.data/api")
SAMPLE_INPUT = Path("data/sample")
MODES = ("warm", "cold", "logged")
TARGET_RATIO = {"warm": 0.8, "logged": 0.9}
COLD_P50_TARGET_MS = {"sample": 2.0, "2.5M": 20.0}
NO_LIMITS = {"rate_limit_per_second": "0"}
CACHES_OFF = {"cache_max_entries": "0", "response_cache_max_entries": "0"}
LOGGED = {"log_level": "info"}
LOGS = DATA / "logs"

QUERIES: dict[str, str] = {
    "health": "{ health { status engine } }",
    "dataset": "{ dataset { version finishedAt firstDate lastDate stocks rows rejectedRows } }",
    "averageDailyReturn": '{ averageDailyReturn(from: "2020-03-01", to: "2020-03-31") '
    "{ date averageReturn stocks } }",
    "mostValuableDay": "{ mostValuableDay { date averageTradedValue } }",
    "highestWorthStocks": "{ highestWorthStocks(limit: 3) { ticker averageTradedValue } }",
    "mostVolatile": '{ mostVolatile(from: "2020-01-01", to: "2020-12-31", limit: 2) '
    "{ ticker annualizedVolatility returns } }",
    "topThirtyDayReturns": "{ topThirtyDayReturns { ticker date return30d close priorDate "
    "priorClose } }",
    "stock": "query Stock($ticker: String!) { stock(ticker: $ticker) { ticker firstDate "
    "lastDate tradingDays averageTradedValue annualizedVolatility "
    'prices(from: "2020-03-02", to: "2020-03-06") { date open high low close volume '
    "dailyReturn return30d } } }",
    "stocks": "{ stocks { edges { node { ticker annualizedVolatility averageTradedValue } } } }",
}


@dataclass(frozen=True)
class Row:
    warehouse: str
    query: str
    mode: str
    graphql: WrkResult
    bare: WrkResult
    latency: WrkResult | None
    """Cold only: wrk from one connection."""
    baseline: bool = False
    """Served by the --baseline checkout, alternating with this one's."""
    cpu_us: float | None = None
    bare_cpu_us: float | None = None
    """Logged only: the server's CPU time per request (the least of the rounds)."""

    @property
    def ratio(self) -> float:
        return self.graphql.rps / self.bare.rps

    @property
    def met(self) -> bool:
        if self.mode in TARGET_RATIO:
            return self.ratio >= TARGET_RATIO[self.mode] and not self.graphql.errors
        assert self.latency is not None
        return self.latency.p50_ms <= COLD_P50_TARGET_MS[self.warehouse] and not (
            self.graphql.errors or self.latency.errors
        )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--only", choices=("sample", "2.5M"), help="one warehouse")
    parser.add_argument("--seconds", type=float, default=3.0, help="per wrk run")
    parser.add_argument("--rounds", type=int, default=2, help="alternating runs per query")
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument(
        "--modes", default=",".join(MODES), help=f"comma-separated, of {', '.join(MODES)}"
    )
    parser.add_argument(
        "--queries", help=f"comma-separated, of {', '.join(QUERIES)} (default: all)"
    )
    parser.add_argument(
        "--baseline",
        type=Path,
        help="another checkout of the project (e.g. a git archive of main): its cold and "
        "logged servers run beside this one's, alternating, for before/after in one run",
    )
    parser.add_argument(
        "--set",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="a setting of every GraphQL server, e.g. duckdb_memory_max_table_bytes=0",
    )
    args = parser.parse_args()
    args.modes = args.modes.split(",")
    if unknown := set(args.modes) - set(MODES):
        parser.error(f"unknown modes: {', '.join(sorted(unknown))}")
    args.queries = args.queries.split(",") if args.queries else list(QUERIES)
    if unknown := set(args.queries) - set(QUERIES):
        parser.error(f"unknown queries: {', '.join(sorted(unknown))}")
    args.settings = dict(setting.split("=", 1) for setting in args.set)
    if args.baseline is not None:
        args.baseline = str(args.baseline.resolve())
    DATA.mkdir(parents=True, exist_ok=True)
    warehouses = {"sample": sample_warehouse, "2.5M": large_warehouse}
    rows: list[Row] = []
    for label, build in warehouses.items():
        if args.only in (None, label):
            rows += bench_warehouse(label, build(), args)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    (DATA / f"results-{stamp}.json").write_text(
        json.dumps([{**asdict(r), "ratio": r.ratio, "met": r.met} for r in rows], indent=1)
    )
    print(markdown(rows))
    return 0 if all(r.graphql.errors == 0 for r in rows) else 1


def bench_warehouse(label: str, warehouse: Path, args: argparse.Namespace) -> list[Row]:
    print(f"# {label}: {warehouse}, load average {os.getloadavg()[0]:.1f}", file=sys.stderr)
    rows: list[Row] = []
    load = {"seconds": args.seconds, "connections": args.connections}
    settings = {**NO_LIMITS, **args.settings}
    with graphql_server(warehouse, **settings) as warm:
        bodies = {name: body for name, body in request_bodies(warm).items() if name in args.queries}
        answers = {name: answer(warm, body) for name, body in bodies.items()}
        bodies_file = DATA / f"bare-bodies-{label}.json"
        bodies_file.write_text(json.dumps(answers))
        with bare_server(bodies_file) as bare:
            for name, body in bodies.items() if "warm" in args.modes else ():
                graphql, floor = alternate(
                    f"{warm}/graphql", f"{bare}/bare/{name}", body, args.rounds, load
                )
                rows.append(Row(label, name, "warm", graphql, floor, None))
                print(f"  warm {name}: {graphql.rps:.0f} vs {floor.rps:.0f} rps", file=sys.stderr)
            if "cold" in args.modes:
                rows += bench_cold(label, warehouse, settings, bodies, answers, bare, args)
    if "logged" in args.modes:
        rows += bench_logged(label, warehouse, settings, bodies, answers, bodies_file, args)
    return rows


def bench_cold(
    label: str,
    warehouse: Path,
    settings: dict[str, str],
    bodies: dict[str, str],
    answers: dict[str, str],
    bare: str,
    args: argparse.Namespace,
) -> list[Row]:
    """Throughput (16 connections, one run) and latency (one connection, the best of
    `rounds` runs, alternating with the baseline's server if there is one)."""
    rows: list[Row] = []
    load = {"seconds": args.seconds, "connections": args.connections}
    with servers(warehouse, {**settings, **CACHES_OFF}, args.baseline) as urls:
        for name, body in bodies.items():
            for url in urls:
                if answer(url, body) != answers[name]:
                    raise RuntimeError(f"{name}: the cold server {url} answered differently")
            best: dict[str, WrkResult] = {}
            for _ in range(args.rounds):
                for url in urls:
                    run = run_wrk(f"{url}/graphql", body, seconds=args.seconds, connections=1)
                    if url not in best or run.p50_ms < best[url].p50_ms:
                        best[url] = run
            for index, url in enumerate(urls):
                graphql, floor = alternate(f"{url}/graphql", f"{bare}/bare/{name}", body, 1, load)
                rows.append(Row(label, name, "cold", graphql, floor, best[url], index > 0))
                print(f"  cold {name} {url}: p50 {best[url].p50_ms:.2f} ms", file=sys.stderr)
    return rows


def bench_logged(
    label: str,
    warehouse: Path,
    settings: dict[str, str],
    bodies: dict[str, str],
    answers: dict[str, str],
    bodies_file: Path,
    args: argparse.Namespace,
) -> list[Row]:
    """The default configuration against the bare route with uvicorn's access log, warm;
    each round loads each GraphQL server, then the bare route."""
    rows: list[Row] = []
    load = {"seconds": args.seconds, "connections": args.connections}
    with (
        servers(warehouse, {**settings, **LOGGED}, args.baseline, logs=LOGS / label) as urls,
        bare_server(bodies_file, log=_fresh(LOGS / label / "bare.log")) as bare,
    ):
        for name, body in bodies.items():
            for url in urls:
                if answer(url, body) != answers[name]:
                    raise RuntimeError(f"{name}: the logged server {url} answered differently")
            runs: dict[str, list[tuple[WrkResult, float]]] = {url: [] for url in [*urls, bare]}
            for _ in range(args.rounds):
                targets = [*(f"{url}/graphql" for url in urls), f"{bare}/bare/{name}"]
                for url, target in zip([*urls, bare], targets, strict=True):
                    runs[url].append(run_wrk_cpu(target, body, PIDS[url], **load))
            floor = max((run for run, _ in runs[bare]), key=lambda r: r.rps)
            floor_cpu = min(cpu for _, cpu in runs[bare])
            for index, url in enumerate(urls):
                graphql = max((run for run, _ in runs[url]), key=lambda r: r.rps)
                cpu = min(cpu for _, cpu in runs[url])
                rows.append(
                    Row(label, name, "logged", graphql, floor, None, index > 0, cpu, floor_cpu)
                )
                print(
                    f"  logged {name} {url}: {graphql.rps:.0f} vs {floor.rps:.0f} rps, "
                    f"{cpu:.0f} vs {floor_cpu:.0f} us CPU a request",
                    file=sys.stderr,
                )
    return rows


@contextmanager
def servers(
    warehouse: Path, settings: dict[str, str], baseline: str | None, logs: Path | None = None
) -> Iterator[list[str]]:
    """This checkout's GraphQL server, and the baseline checkout's if there is one; with
    `logs`, each writes its log there."""
    with ExitStack() as stack:
        checkouts = [None] if baseline is None else [None, baseline]
        urls = []
        for index, pythonpath in enumerate(checkouts):
            log = None if logs is None else _fresh(logs / f"graphql-{index}.log")
            server = graphql_server(warehouse, pythonpath=pythonpath, log=log, **settings)
            urls.append(stack.enter_context(server))
        yield urls


def _fresh(log: Path) -> Path:
    log.parent.mkdir(parents=True, exist_ok=True)
    log.write_bytes(b"")
    return log


def alternate(
    graphql_url: str, bare_url: str, body: str, rounds: int, load: dict[str, float]
) -> tuple[WrkResult, WrkResult]:
    """GraphQL then bare, `rounds` times; the best (highest rps) run of each."""
    graphql_runs: list[WrkResult] = []
    bare_runs: list[WrkResult] = []
    for _ in range(rounds):
        graphql_runs.append(run_wrk(graphql_url, body, **load))  # type: ignore[arg-type]
        bare_runs.append(run_wrk(bare_url, body, **load))  # type: ignore[arg-type]
    return max(graphql_runs, key=lambda r: r.rps), max(bare_runs, key=lambda r: r.rps)


def request_bodies(url: str) -> dict[str, str]:
    """Each query as a POST body; `stock` asks for the first ticker the server lists."""
    # The first request for a version waits for it to load into memory: seconds, at 2.5 M rows.
    query = "{ stocks(first: 1) { edges { node { ticker } } } }"
    listed = httpx.post(f"{url}/graphql", json={"query": query}, timeout=120)
    ticker = listed.json()["data"]["stocks"]["edges"][0]["node"]["ticker"]
    return {
        name: json.dumps(
            {"query": query, **({"variables": {"ticker": ticker}} if "$" in query else {})}
        )
        for name, query in QUERIES.items()
    }


def answer(url: str, body: str) -> str:
    """The server's answer to `body`: it must be a 200 with data and no errors."""
    response = httpx.post(
        f"{url}/graphql", content=body, headers={"content-type": "application/json"}, timeout=60
    )
    document = response.json()
    if response.status_code != 200 or document.get("errors") or not document.get("data"):
        raise RuntimeError(f"{body}: {response.status_code} {response.text[:500]}")
    return response.text


def sample_warehouse() -> Path:
    warehouse = DATA / "sample-warehouse"
    if not _published(warehouse):
        _run("etl", "--input", str(SAMPLE_INPUT), "--warehouse", str(warehouse))
    return warehouse


def large_warehouse() -> Path:
    """500 tickers x 20 years (2,518,500 rows), generated with seed 42, built by the ETL."""
    warehouse = DATA / "large-warehouse"
    if not _published(warehouse):
        data = Path("bench/.data/ohlcv-500x20y-seed42.csv")  # shared with the ETL benchmark
        if not data.exists():
            _run(
                "generate", "--tickers", "500", "--years", "20", "--seed", "42", "--out", str(data)
            )
        _run("etl", "--input", str(data), "--warehouse", str(warehouse))
    return warehouse


def _published(warehouse: Path) -> bool:
    """Whether the ETL has published a version there with every table it writes now. A
    warehouse it cannot read (one built before versions, with an older pointer) is
    removed, to be built again; one whose current version an older ETL wrote (without a
    table added since) gets a new version, so the API is measured on what it reads today."""
    try:
        pointer = DatasetPointer.from_json((warehouse / DATASET_MANIFEST).read_bytes())
    except FileNotFoundError:
        return False
    except PointerError:
        shutil.rmtree(warehouse)
        return False
    current = pointer.current_summary
    return all(current.has_table(table.name) for table in TABLES)


def _run(*arguments: str) -> None:
    print("$ stock-analytics " + " ".join(arguments), file=sys.stderr)
    subprocess.run([str(BIN / "stock-analytics"), *arguments], check=True)


def markdown(rows: list[Row]) -> str:
    lines = [
        "| warehouse | query | mode | rps | p50 ms | p99 ms | 1-conn p50 ms | 1-conn p99 ms "
        "| bare rps | ratio | CPU us/request | bare CPU us/request | CPU ratio | target | met |",
        "|---|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|---|",
    ]
    for r in rows:
        one = [f"{r.latency.p50_ms:.2f}", f"{r.latency.p99_ms:.2f}"] if r.latency else ["", ""]
        target = (
            f">= {TARGET_RATIO[r.mode]:.0%} of bare"
            if r.mode in TARGET_RATIO
            else f"1-conn p50 <= {COLD_P50_TARGET_MS[r.warehouse]:g} ms"
        )
        cells = [
            r.warehouse,
            r.query,
            f"{r.mode} (baseline)" if r.baseline else r.mode,
            f"{r.graphql.rps:,.0f}",
            f"{r.graphql.p50_ms:.2f}",
            f"{r.graphql.p99_ms:.2f}",
            *one,
            f"{r.bare.rps:,.0f}",
            f"{r.ratio:.0%}",
            *(
                [f"{r.cpu_us:.0f}", f"{r.bare_cpu_us:.0f}", f"{r.bare_cpu_us / r.cpu_us:.0%}"]
                if r.cpu_us and r.bare_cpu_us
                else ["", "", ""]
            ),
            target,
            "yes" if r.met else "no",
        ]
        lines.append("| " + " | ".join(cells) + " |")
    errors = sum(r.graphql.errors + r.bare.errors for r in rows)
    lines.append(f"\nerrors (socket + non-2xx) across all runs: {errors}")
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main())
