"""ETL benchmark: the local Spark ETL against a DuckDB reference, on generated data.

For each size, generates (once, cached) a clean synthetic data set, runs
`stock-analytics etl` and `bench/duckdb_reference.py` on it in subprocesses,
measures wall time, CPU time and the peak RSS of each process tree, checks the
warehouses agree, and prints a markdown table.

With `--baseline DIR` (another checkout of the project, e.g. a `git archive` of
an older commit) its ETL runs too, alternating with this one `--repeats` times
per size, so before and after share one run and one machine state; each ETL's
least-disturbed (fastest) repeat is reported, beside the DuckDB reference's.

    python -m bench.etl_bench [--sizes 5k,0.1M,1M,2.5M] [--data-dir bench/.data]
                              [--spark-event-log DIR] [--baseline DIR] [--repeats N]
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
from dataclasses import dataclass
from pathlib import Path

from bench.compare_warehouses import compare_warehouses
from bench.measure import Measurement, run_measured
from stock_analytics.generate import GenerateOptions, generate

BENCH_DIR = Path(__file__).resolve().parent
REPO_ROOT = BENCH_DIR.parent
SIZES = {"5k": (10, 2), "0.1M": (20, 20), "1M": (200, 20), "2.5M": (500, 20)}
"""Size label -> (tickers, years); 20 years are 5,037 trading days, 2 years 502."""
SPARK_TARGET_SECONDS = {"5k": 10.0, "2.5M": 30.0}
"""Wall time targets, process start to exit (issue 11)."""
DUCKDB_RATIO_TARGET = {"2.5M": 10.0}
"""Spark / DuckDB wall time targets, both measured in the same run (issue 11)."""


@dataclass(frozen=True)
class Result:
    size: str
    etl: str
    """Which ETL: "this" checkout's or the baseline's."""
    rows: int
    spark: Measurement
    duckdb: Measurement
    agreement: str
    load_before: float
    """The 1-minute load average as the size started: the machine is shared."""

    @property
    def ratio(self) -> float:
        return self.spark.wall_seconds / self.duckdb.wall_seconds

    def markdown_row(self) -> str:
        cells = [
            self.size,
            self.etl,
            f"{self.rows:,}",
            f"{self.spark.wall_seconds:.1f}",
            f"{self.spark.cpu_seconds:.1f}",
            f"{self.rows / self.spark.wall_seconds:,.0f}",
            f"{self.spark.peak_rss_mib:,.0f}",
            f"{self.duckdb.wall_seconds:.1f}",
            f"{self.duckdb.cpu_seconds:.1f}",
            f"{self.duckdb.peak_rss_mib:,.0f}",
            f"{self.ratio:.1f}x",
            f"{self.load_before:.1f}",
            self.agreement,
        ]
        return "| " + " | ".join(cells) + " |"


TABLE_HEADER = (
    "| size | ETL | rows | Spark wall s | Spark CPU s | Spark rows/s | Spark peak RSS MiB"
    " | DuckDB wall s | DuckDB CPU s | DuckDB peak RSS MiB | Spark / DuckDB | load before"
    " | tables agree |\n"
    "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|"
)


def ensure_data(data_dir: Path, tickers: int, years: int, seed: int) -> tuple[Path, int]:
    """The cached CSV for this size (generated if missing) and its row count."""
    path = data_dir / f"ohlcv-{tickers}x{years}y-seed{seed}.csv"
    options = GenerateOptions(tickers=tickers, years=years, seed=seed, out=path)
    if not path.exists():
        print(f"generating {path} ...", flush=True)
        print(generate(options).report(), flush=True)
    rows = sum(1 for _ in path.open(encoding="utf-8")) - 1
    return path, rows


@dataclass(frozen=True)
class Checkout:
    label: str
    root: Path


def run_size(
    size: str,
    data: Path,
    rows: int,
    work: Path,
    env: dict[str, str],
    checkouts: list[Checkout],
    repeats: int,
) -> list[Result]:
    """The DuckDB reference and each checkout's ETL, alternating `repeats` times.

    Every ETL run's warehouse is compared with the reference; each keeps its fastest run.
    """
    load_before = os.getloadavg()[0]
    duckdb_out = work / f"duckdb-{size}"
    fastest: dict[str, Measurement] = {}
    problems: dict[str, list[str]] = {checkout.label: [] for checkout in checkouts}
    for repeat in range(1, repeats + 1):
        print(f"[{size}] DuckDB reference, run {repeat} ...", flush=True)
        reference = ["-m", "bench.duckdb_reference", "--input", str(data), "--out", str(duckdb_out)]
        measured = _run(reference, duckdb_out, work / f"duckdb-{size}.log", REPO_ROOT, env)
        fastest["duckdb"] = _faster(fastest.get("duckdb"), measured)
        for checkout in checkouts:
            print(f"[{size}] {checkout.label} ETL on {rows:,} rows, run {repeat} ...", flush=True)
            out = work / f"spark-{checkout.label}-{size}"
            etl = ["-m", "stock_analytics", "etl", "--input", str(data), "--warehouse", str(out)]
            log = work / f"spark-{checkout.label}-{size}.log"
            measured = _run(etl, out, log, checkout.root, env)
            fastest[checkout.label] = _faster(fastest.get(checkout.label), measured)
            problems[checkout.label] += compare_warehouses(out, duckdb_out)
    return [
        Result(
            size,
            checkout.label,
            rows,
            fastest[checkout.label],
            fastest["duckdb"],
            "NO: " + "; ".join(problems[checkout.label]) if problems[checkout.label] else "yes",
            load_before,
        )
        for checkout in checkouts
    ]


def _run(args: list[str], out: Path, log: Path, cwd: Path, env: dict[str, str]) -> Measurement:
    """`python args...` from `cwd`, writing a fresh `out`; exits the benchmark if it fails."""
    shutil.rmtree(out, ignore_errors=True)
    measured = run_measured([sys.executable, *args], log, cwd=cwd, env=env)
    if measured.returncode != 0:
        raise SystemExit(f"{' '.join(args)} failed (exit {measured.returncode}); see {log}")
    return measured


def _faster(kept: Measurement | None, new: Measurement) -> Measurement:
    return new if kept is None or new.wall_seconds < kept.wall_seconds else kept


def verdict(results: list[Result]) -> list[str]:
    """Each size's targets, met or not."""
    lines = []
    for result in results:
        checks = []
        if (seconds := SPARK_TARGET_SECONDS.get(result.size)) is not None:
            met = result.spark.wall_seconds <= seconds
            checks.append(f"at most {seconds:.0f} s: {'yes' if met else 'NO'}")
        if (ratio := DUCKDB_RATIO_TARGET.get(result.size)) is not None:
            met = result.ratio <= ratio
            checks.append(f"within {ratio:.0f}x of DuckDB: {'yes' if met else 'NO'}")
        lines.append(f"{result.size} ({result.etl}): {'; '.join(checks) or 'no target'}")
    return lines


def _environment(event_log: Path | None) -> dict[str, str]:
    env = dict(os.environ, SPARK_LOCAL_IP=os.environ.get("SPARK_LOCAL_IP", "127.0.0.1"))
    if event_log is not None:
        event_log.mkdir(parents=True, exist_ok=True)
        log_dir = event_log.resolve().as_uri()
        env["PYSPARK_SUBMIT_ARGS"] = (
            f"--conf spark.eventLog.enabled=true --conf spark.eventLog.dir={log_dir} pyspark-shell"
        )
    return env


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default=",".join(SIZES), help=f"from {', '.join(SIZES)}")
    parser.add_argument("--data-dir", type=Path, default=BENCH_DIR / ".data")
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument(
        "--spark-event-log", type=Path, help="write Spark event logs here (bench/spark_stages.py)"
    )
    parser.add_argument(
        "--baseline",
        type=Path,
        help="another checkout of the project: its ETL runs too, alternating with this one",
    )
    parser.add_argument("--repeats", type=int, default=1, help="alternating runs per size")
    args = parser.parse_args(argv)
    sizes = [size.strip() for size in args.sizes.split(",")]
    if unknown := [size for size in sizes if size not in SIZES]:
        parser.error(f"unknown size(s) {', '.join(unknown)}; choose from {', '.join(SIZES)}")
    if args.repeats < 1:
        parser.error("--repeats must be at least 1")
    checkouts = [Checkout("this", REPO_ROOT)]
    if args.baseline is not None:
        if not (args.baseline / "stock_analytics").is_dir():
            parser.error(f"--baseline {args.baseline} is not a checkout of this project")
        checkouts.append(Checkout("baseline", args.baseline.resolve()))
    env = _environment(args.spark_event_log)
    results = []
    for size in sizes:
        data, rows = ensure_data(args.data_dir, *SIZES[size], args.seed)
        work = args.data_dir.resolve() / "runs"
        results += run_size(size, data, rows, work, env, checkouts, args.repeats)
    print()
    print(TABLE_HEADER)
    print("\n".join(result.markdown_row() for result in results))
    print()
    print("\n".join(verdict(results)))
    return 0 if all(result.agreement == "yes" for result in results) else 1


if __name__ == "__main__":
    sys.exit(main())
