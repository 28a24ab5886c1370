"""The single-machine floor: the ETL's metric tables computed with DuckDB SQL.

Reads clean CSV input with an explicit schema and writes daily_metrics,
market_daily, ticker_stats and thirty_day_leaders as Parquet in the warehouse layout (year
partitions), with the metric definitions of the contract. It skips the ETL's
validation, duplicate handling, anomalies and run bookkeeping, so it is a lower
bound on the work, not a replacement for it.

    python -m bench.duckdb_reference --input prices.csv --out DIR [--threads N]
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import duckdb

from etl.tables import MAX_RANKING_LIMIT

READ_PRICES = """
CREATE TABLE prices AS
SELECT * FROM read_csv($files, header = true, columns = {
    'date': 'DATE', 'open': 'DOUBLE', 'high': 'DOUBLE', 'low': 'DOUBLE',
    'close': 'DOUBLE', 'volume': 'BIGINT', 'ticker': 'VARCHAR'
})
"""

DAILY_METRICS = """
CREATE TABLE daily_metrics AS
WITH returns AS (
    SELECT ticker, date, open, high, low, close, volume,
           close * volume AS traded_value,
           close / LAG(close) OVER (PARTITION BY ticker ORDER BY date) - 1 AS daily_return
    FROM prices
)
SELECT r.ticker, r.date, r.open, r.high, r.low, r.close, r.volume, r.traded_value,
       r.daily_return,
       r.close / p.close - 1 AS return_30d,
       p.date AS prior_date_30d,
       p.close AS prior_close_30d,
       year(r.date) AS year
FROM returns AS r
ASOF LEFT JOIN prices AS p ON r.ticker = p.ticker AND r.date - 30 >= p.date
"""

MARKET_DAILY = """
SELECT date,
       avg(daily_return) AS average_return,
       avg(traded_value) AS average_traded_value,
       count(*) AS tickers,
       count(daily_return) AS return_tickers,
       year(date) AS year
FROM daily_metrics
GROUP BY date
"""

TICKER_STATS = """
SELECT ticker,
       min(date) AS first_date,
       max(date) AS last_date,
       count(*) AS trading_days,
       avg(traded_value) AS average_traded_value,
       stddev_samp(daily_return) * sqrt(252) AS annualized_volatility,
       count(daily_return) AS returns
FROM daily_metrics
GROUP BY ticker
"""


THIRTY_DAY_LEADERS = f"""
SELECT ticker, date, close, return_30d, prior_date_30d, prior_close_30d
FROM daily_metrics
WHERE return_30d IS NOT NULL
ORDER BY return_30d DESC, date, ticker
LIMIT {MAX_RANKING_LIMIT:d}
"""


def build_reference(inputs: list[Path], out: Path, threads: int | None = None) -> dict[str, float]:
    """Write the four metric tables under `out`; return the seconds each step took."""
    timings: dict[str, float] = {}
    out.mkdir(parents=True, exist_ok=True)
    with duckdb.connect() as con:
        if threads is not None:
            con.execute("SET threads = $threads", {"threads": threads})
        start = time.perf_counter()
        con.execute(READ_PRICES, {"files": [str(path) for path in inputs]})
        timings["read_csv"] = _lap(start)
        start = time.perf_counter()
        con.execute(DAILY_METRICS)
        timings["daily_metrics"] = _lap(start)
        start = time.perf_counter()
        con.table("daily_metrics").write_parquet(
            str(out / "daily_metrics"), partition_by=["year"], overwrite=True
        )
        con.sql(MARKET_DAILY).write_parquet(
            str(out / "market_daily"), partition_by=["year"], overwrite=True
        )
        out.joinpath("ticker_stats").mkdir(parents=True, exist_ok=True)
        con.sql(TICKER_STATS).write_parquet(str(out / "ticker_stats" / "part-0.parquet"))
        out.joinpath("thirty_day_leaders").mkdir(parents=True, exist_ok=True)
        con.sql(THIRTY_DAY_LEADERS).write_parquet(
            str(out / "thirty_day_leaders" / "part-0.parquet")
        )
        timings["aggregate_and_write"] = _lap(start)
    return timings


def _lap(start: float) -> float:
    return round(time.perf_counter() - start, 3)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--input", required=True, type=Path, help="a CSV file or a folder of them")
    parser.add_argument("--out", required=True, type=Path, help="output folder")
    parser.add_argument("--threads", type=int, help="DuckDB threads (default: all cores)")
    args = parser.parse_args(argv)
    inputs = sorted(args.input.glob("*.csv*")) if args.input.is_dir() else [args.input]
    if not inputs:
        parser.error(f"{args.input}: no CSV file found")
    timings = build_reference(inputs, args.out, args.threads)
    print(" ".join(f"{step}={seconds}s" for step, seconds in timings.items()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
