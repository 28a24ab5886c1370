"""Every answer comes from exactly one ETL run, whatever happens to the warehouse meanwhile.

The real command line throughout: `stock-analytics etl` writes versions,
`stock-analytics serve` answers (two servers over one warehouse: caches off,
where only the engine could mix runs, and caches on, as deployed), and
`stock-analytics rollback` moves the pointer. While clients keep asking
several root fields at once, the scenario publishes run B over run A, kills
four more runs with SIGKILL (process group, JVM included) in each of their
steps, pins a request to A, rolls back to A, and publishes run D. Every answer
must be wholly the numbers of the run its `X-Dataset-Version` header names,
computed independently from that run's CSV (tests/etl/reference.py), and none
may fail.
"""

from __future__ import annotations

import json
import math
import os
import signal
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import httpx
import pytest

from etl.dataset_pointer import DatasetPointer
from etl.tables import DAILY_METRICS, DATASET_MANIFEST, VERSION_KEY
from tests.etl import reference
from testsupport.servers import serving

pytestmark = pytest.mark.slow

CLI = str(Path(sys.executable).parent / "stock-analytics")
QUERY = """{
  dataset { version rows stocks }
  highestWorthStocks(limit: 3) { ticker averageTradedValue }
  mostVolatile(limit: 2) { ticker annualizedVolatility }
  mostValuableDay { date averageTradedValue }
}"""
STEPS = ("read", "validate", "write")
CHECK_SECONDS = "0.05"
RUN_TIMEOUT_SECONDS = 300
CLIENT_PAUSE_SECONDS = 0.02
MAX_REQUESTS_PER_CLIENT = 20_000


def expected_answer(csv: Path, version: str) -> dict[str, Any]:
    """The query's answer computed from the raw CSV alone (dates as ISO strings)."""
    days = reference.read_days(csv)
    stats = reference.ticker_stats(days)
    worth = sorted(
        stats.items(), key=lambda item: (-float(item[1]["average_traded_value"]), item[0])
    )  # type: ignore[arg-type]
    volatile = sorted(
        (
            (t, s["annualized_volatility"])
            for t, s in stats.items()
            if s["annualized_volatility"] is not None
        ),
        key=lambda item: (-float(item[1]), item[0]),  # type: ignore[arg-type]
    )
    market = reference.market_days(days)
    best_day: date = min(market, key=lambda d: (-float(market[d]["average_traded_value"]), d))  # type: ignore[arg-type]
    return {
        "dataset": {"version": version, "rows": len(days), "stocks": len(stats)},
        "highestWorthStocks": [
            {"ticker": t, "averageTradedValue": s["average_traded_value"]} for t, s in worth[:3]
        ],
        "mostVolatile": [{"ticker": t, "annualizedVolatility": v} for t, v in volatile[:2]],
        "mostValuableDay": {
            "date": best_day.isoformat(),
            "averageTradedValue": market[best_day]["average_traded_value"],
        },
    }


def same_numbers(actual: Any, expected: Any) -> bool:
    if isinstance(expected, float):
        return isinstance(actual, int | float) and math.isclose(actual, expected, rel_tol=1e-9)
    if isinstance(expected, dict):
        return (
            isinstance(actual, dict)
            and actual.keys() == expected.keys()
            and all(same_numbers(actual[key], value) for key, value in expected.items())
        )
    if isinstance(expected, list):
        return (
            isinstance(actual, list)
            and len(actual) == len(expected)
            and all(same_numbers(a, e) for a, e in zip(actual, expected, strict=True))
        )
    return bool(actual == expected)


@dataclass
class Answers:
    """What the clients saw: (server, header version, status, body) per request."""

    seen: list[tuple[str, str | None, int, Any]] = field(default_factory=list)
    stop: threading.Event = field(default_factory=threading.Event)

    def ask_until_stopped(self, name: str, url: str) -> None:
        with httpx.Client(timeout=30) as client:
            for _ in range(MAX_REQUESTS_PER_CLIENT):
                if self.stop.is_set():
                    return
                response = client.post(f"{url}/graphql", json={"query": QUERY})
                body = response.json()
                self.seen.append(
                    (name, response.headers.get("x-dataset-version"), response.status_code, body)
                )
                time.sleep(CLIENT_PAUSE_SECONDS)


def generate(out: Path, seed: int, tickers: int) -> Path:
    subprocess.run(
        [
            CLI,
            "generate",
            "--tickers",
            str(tickers),
            "--years",
            "1",
            "--seed",
            str(seed),
            "--out",
            str(out),
        ],
        check=True,
        capture_output=True,
    )
    return out


def run_etl(csv: Path, warehouse: Path) -> str:
    done = subprocess.run(
        [CLI, "etl", "--input", str(csv), "--warehouse", str(warehouse)],
        capture_output=True,
        text=True,
        timeout=RUN_TIMEOUT_SECONDS,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return current_version(warehouse)


def current_version(warehouse: Path) -> str:
    return DatasetPointer.from_json((warehouse / DATASET_MANIFEST).read_bytes()).current


def version_folders(warehouse: Path) -> set[str]:
    folder = warehouse / DAILY_METRICS.name
    prefix = f"{VERSION_KEY}="
    return {p.name.removeprefix(prefix) for p in folder.iterdir() if p.name.startswith(prefix)}


def kill_during(step: str, csv: Path, warehouse: Path) -> None:
    """Start `stock-analytics etl` and SIGKILL its whole process group once `step` began
    (the write step: once its first version folder appeared)."""
    before = version_folders(warehouse)
    process = subprocess.Popen(
        [CLI, "etl", "--input", str(csv), "--warehouse", str(warehouse)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    try:
        assert process.stderr is not None
        for line in process.stderr:
            if line.startswith(f"[{step}]"):
                break
        else:
            pytest.fail(f"the run ended before its {step} step")
        if step == "write":
            deadline = time.monotonic() + RUN_TIMEOUT_SECONDS
            while not version_folders(warehouse) - before:
                assert time.monotonic() < deadline, "the write step wrote nothing"
                time.sleep(0.01)
    finally:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()


def test_every_answer_comes_from_one_run(tmp_path: Path) -> None:
    data = {
        name: generate(tmp_path / f"{name}.csv", seed, tickers)
        # About 5,000 rows each (20 tickers, one year): the assignment's size.
        for name, seed, tickers in (("A", 11, 20), ("B", 22, 21), ("C", 33, 22), ("D", 44, 19))
    }
    warehouse = tmp_path / "warehouse"
    version_a = run_etl(data["A"], warehouse)
    expected = {version_a: expected_answer(data["A"], version_a)}
    caches_off = {
        "STOCK_ANALYTICS_CACHE_MAX_ENTRIES": "0",
        "STOCK_ANALYTICS_RESPONSE_CACHE_MAX_ENTRIES": "0",
    }
    common = {
        "STOCK_ANALYTICS_DATASET_CHECK_SECONDS": CHECK_SECONDS,
        "STOCK_ANALYTICS_RATE_LIMIT_PER_SECOND": "0",
    }
    answers = Answers()
    with serving(warehouse, **common, **caches_off) as bare, serving(warehouse, **common) as cached:
        clients = [
            threading.Thread(target=answers.ask_until_stopped, args=(name, served.url))
            for name, served in (("caches off", bare), ("caches on", cached))
        ]
        for client in clients:
            client.start()
        try:
            version_b = run_etl(data["B"], warehouse)
            expected[version_b] = expected_answer(data["B"], version_b)
            for step in STEPS:
                kill_during(step, data["C"], warehouse)
                assert current_version(warehouse) == version_b
            orphans = version_folders(warehouse) - {version_a, version_b}
            assert len(orphans) == 1  # the run killed while writing

            pinned = httpx.post(
                f"{cached.url}/graphql",
                json={"query": QUERY},
                headers={"X-Dataset-Version": version_a},
            )
            assert pinned.headers["x-dataset-version"] == version_a
            assert same_numbers(pinned.json()["data"], expected[version_a])

            rollback = subprocess.run(
                [CLI, "rollback", "--warehouse", str(warehouse), "--to", version_a],
                capture_output=True,
                text=True,
                check=False,
            )
            assert rollback.returncode == 0, rollback.stderr
            assert current_version(warehouse) == version_a
            time.sleep(0.5)  # both servers notice within CHECK_SECONDS

            version_d = run_etl(data["D"], warehouse)
            expected[version_d] = expected_answer(data["D"], version_d)
            time.sleep(0.5)
        finally:
            answers.stop.set()
            for client in clients:
                client.join()

    assert version_folders(warehouse) == {version_a, version_b, version_d}  # the orphan is gone
    versions = json.loads(
        subprocess.run(
            [CLI, "versions", "--warehouse", str(warehouse), "--json"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
    )
    assert [(v["version"], v["current"]) for v in versions] == [
        (version_d, True),
        (version_b, False),
        (version_a, False),
    ]

    failed = [
        (name, status, body)
        for name, _, status, body in answers.seen
        if status != 200 or "errors" in body
    ]
    assert not failed, failed[:3]
    mixed = [
        (name, header, body)
        for name, header, _, body in answers.seen
        if header not in expected or not same_numbers(body["data"], expected[header])
    ]
    assert not mixed, mixed[:3]
    for name in ("caches off", "caches on"):
        headers = [header for client, header, _, _ in answers.seen if client == name]
        changes = [v for i, v in enumerate(headers) if i == 0 or v != headers[i - 1]]
        assert changes == [version_a, version_b, version_a, version_d], name
