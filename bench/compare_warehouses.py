"""Check that two warehouses hold the same metrics, so a benchmark compares like with like.

Compares daily_metrics (per ticker and date), market_daily (per date),
ticker_stats (per ticker) and thirty_day_leaders (per ticker and date: the same
rows) of the Spark ETL's warehouse with the DuckDB
reference's, within a relative tolerance of 1e-9. A warehouse with a pointer
(`_dataset.json`, the ETL's) is read at its current version,
`<table>/dataset_version=<current>/...`; one without (the reference's) is read whole. A
table an older ETL did not write is not compared.

    python -m bench.compare_warehouses SPARK_WAREHOUSE REFERENCE_WAREHOUSE
"""

from __future__ import annotations

import sys
from pathlib import Path

import duckdb

from etl.dataset_pointer import TABLE_BYTES, DatasetPointer
from etl.tables import DATASET_MANIFEST, TABLES_BY_NAME, version_prefix

DIFFERS = """
CREATE MACRO differs(ours, theirs) AS
    (ours IS NULL) <> (theirs IS NULL) OR abs(ours - theirs) > 1e-9 * greatest(1, abs(theirs))
"""

# Each query counts the rows found in one warehouse only, then the rows where a column differs.
CHECKS: dict[str, tuple[str, tuple[str, ...]]] = {
    "daily_metrics": (
        """
        SELECT count(*) FILTER (o.ticker IS NULL OR t.ticker IS NULL),
               count(*) FILTER (differs(o.close, t.close)),
               count(*) FILTER (differs(o.volume, t.volume)),
               count(*) FILTER (differs(o.traded_value, t.traded_value)),
               count(*) FILTER (differs(o.daily_return, t.daily_return)),
               count(*) FILTER (differs(o.return_30d, t.return_30d)),
               count(*) FILTER (o.prior_date_30d IS DISTINCT FROM t.prior_date_30d)
        FROM read_parquet($ours, hive_partitioning = true) AS o
        FULL OUTER JOIN read_parquet($theirs, hive_partitioning = true) AS t
            ON o.ticker = t.ticker AND o.date = t.date
        """,
        ("close", "volume", "traded_value", "daily_return", "return_30d", "prior_date_30d"),
    ),
    "market_daily": (
        """
        SELECT count(*) FILTER (o.date IS NULL OR t.date IS NULL),
               count(*) FILTER (differs(o.average_return, t.average_return)),
               count(*) FILTER (differs(o.average_traded_value, t.average_traded_value)),
               count(*) FILTER (differs(o.tickers, t.tickers)),
               count(*) FILTER (differs(o.return_tickers, t.return_tickers))
        FROM read_parquet($ours, hive_partitioning = true) AS o
        FULL OUTER JOIN read_parquet($theirs, hive_partitioning = true) AS t ON o.date = t.date
        """,
        ("average_return", "average_traded_value", "tickers", "return_tickers"),
    ),
    "ticker_stats": (
        """
        SELECT count(*) FILTER (o.ticker IS NULL OR t.ticker IS NULL),
               count(*) FILTER (differs(o.trading_days, t.trading_days)),
               count(*) FILTER (differs(o.average_traded_value, t.average_traded_value)),
               count(*) FILTER (differs(o.annualized_volatility, t.annualized_volatility)),
               count(*) FILTER (differs(o.returns, t.returns))
        FROM read_parquet($ours) AS o
        FULL OUTER JOIN read_parquet($theirs) AS t ON o.ticker = t.ticker
        """,
        ("trading_days", "average_traded_value", "annualized_volatility", "returns"),
    ),
    "thirty_day_leaders": (
        """
        SELECT count(*) FILTER (o.ticker IS NULL OR t.ticker IS NULL),
               count(*) FILTER (differs(o.return_30d, t.return_30d)),
               count(*) FILTER (differs(o.close, t.close)),
               count(*) FILTER (differs(o.prior_close_30d, t.prior_close_30d)),
               count(*) FILTER (o.prior_date_30d IS DISTINCT FROM t.prior_date_30d)
        FROM read_parquet($ours) AS o
        FULL OUTER JOIN read_parquet($theirs) AS t ON o.ticker = t.ticker AND o.date = t.date
        """,
        ("return_30d", "close", "prior_close_30d", "prior_date_30d"),
    ),
}


def compare_warehouses(ours: Path, theirs: Path) -> list[str]:
    """The differences between the two warehouses, as sentences; empty if they agree."""
    problems: list[str] = []
    with duckdb.connect() as con:
        con.execute(DIFFERS)
        for table, (query, columns) in CHECKS.items():
            ours_files, theirs_files = _files(ours, table), _files(theirs, table)
            if ours_files is None or theirs_files is None:
                continue
            parameters = {"ours": ours_files, "theirs": theirs_files}
            row = con.execute(query, parameters).fetchone()
            assert row is not None
            unmatched, *mismatches = row
            if unmatched:
                problems.append(f"{table}: {unmatched} rows in only one warehouse")
            problems.extend(
                f"{table}.{column}: {count} rows differ"
                for column, count in zip(columns, mismatches, strict=True)
                if count
            )
    return problems


def _files(warehouse: Path, table: str) -> str | None:
    """A glob of the table's Parquet files: its current version's, where there is a pointer;
    None if that version was written before the table existed (an older ETL's, whose sizes
    in the pointer do not name it)."""
    pointer = warehouse / DATASET_MANIFEST
    if not pointer.exists():
        return str(warehouse / table / "**" / "*.parquet")
    summary = DatasetPointer.from_json(pointer.read_bytes()).current_summary
    sizes = summary.extra.get(TABLE_BYTES)
    if isinstance(sizes, dict) and table not in sizes:
        return None
    prefix = version_prefix(TABLES_BY_NAME[table], summary.version)
    return str(warehouse / prefix / "**" / "*.parquet")


def main(argv: list[str]) -> int:
    if len(argv) != 2:
        print(__doc__, file=sys.stderr)
        return 2
    problems = compare_warehouses(Path(argv[0]), Path(argv[1]))
    print("\n".join(problems) or "the warehouses agree")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
