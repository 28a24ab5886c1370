"""The warehouse's table contract: names, columns, types and partition keys.

This module is the one place that declares the tables. The ETL writes them, the
API queries them and the CDK stack registers them in the Glue Data Catalog, all
from these declarations. It is plain Python on purpose: importing it must not
need pyspark, duckdb or aws_cdk.

Column types are Athena / Hive type names (``string``, ``date``, ``double``,
``bigint``, ``int``, ``timestamp``), the vocabulary the Glue Data Catalog uses.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

DATASET_MANIFEST = "_dataset.json"
"""The pointer (etl/dataset_pointer.py) at the warehouse root: the one object that changes,
rewritten last and atomically by every ETL run and by a rollback."""
VERSION_KEY = "dataset_version"
"""Every table's outermost partition key: the ETL run (run_id) that wrote the rows."""

SQL_TYPES = frozenset({"string", "date", "double", "bigint", "int", "timestamp"})


@dataclass(frozen=True)
class Column:
    name: str
    type: str
    comment: str

    def __post_init__(self) -> None:
        if self.type not in SQL_TYPES:
            raise ValueError(f"column {self.name}: unknown type {self.type!r}")


@dataclass(frozen=True)
class Table:
    name: str
    comment: str
    columns: tuple[Column, ...]
    partition_keys: tuple[Column, ...] = ()

    @property
    def column_names(self) -> tuple[str, ...]:
        return tuple(column.name for column in self.columns)

    @property
    def partition_names(self) -> tuple[str, ...]:
        return tuple(column.name for column in self.partition_keys)

    @property
    def all_columns(self) -> tuple[Column, ...]:
        """Data columns followed by partition keys, as a query sees them."""
        return self.columns + self.partition_keys


VERSION_PARTITION = Column(
    VERSION_KEY, "string", "the ETL run that wrote the rows; every query names one"
)


def version_prefix(table: Table, version: str) -> str:
    """Where one version of a table lives, relative to the warehouse root; never changed
    once written: `<table>/dataset_version=<version>`."""
    return f"{table.name}/{VERSION_KEY}={version}"


YEAR_PARTITION = Column("year", "int", "calendar year of `date`; the partition key")

DAILY_METRICS = Table(
    name="daily_metrics",
    comment="One row per ticker and trading day: prices, traded value and returns.",
    columns=(
        Column("ticker", "string", "stock ticker symbol"),
        Column("date", "date", "trading day"),
        Column("open", "double", "opening price"),
        Column("high", "double", "highest price of the day"),
        Column("low", "double", "lowest price of the day"),
        Column("close", "double", "closing price"),
        Column("volume", "bigint", "shares traded"),
        Column("traded_value", "double", "close * volume"),
        Column(
            "daily_return",
            "double",
            "close / close of the ticker's previous trading day - 1; null on its first day",
        ),
        Column(
            "return_30d",
            "double",
            "close / prior_close_30d - 1; null when the ticker has no trading day that early",
        ),
        Column(
            "prior_date_30d",
            "date",
            "the ticker's latest trading day on or before date - 30 days",
        ),
        Column("prior_close_30d", "double", "closing price on prior_date_30d"),
    ),
    partition_keys=(YEAR_PARTITION,),
)

MARKET_DAILY = Table(
    name="market_daily",
    comment="One row per trading day: averages across the tickers trading that day.",
    columns=(
        Column("date", "date", "trading day"),
        Column(
            "average_return",
            "double",
            "mean daily return of the tickers that have one on this date; null if none has",
        ),
        Column("average_traded_value", "double", "mean traded value of the tickers trading"),
        Column("tickers", "bigint", "how many tickers traded on this date"),
        Column("return_tickers", "bigint", "how many tickers had a daily return on this date"),
    ),
    partition_keys=(YEAR_PARTITION,),
)

TICKER_STATS = Table(
    name="ticker_stats",
    comment="One row per ticker, over its whole history.",
    columns=(
        Column("ticker", "string", "stock ticker symbol"),
        Column("first_date", "date", "first trading day"),
        Column("last_date", "date", "last trading day"),
        Column("trading_days", "bigint", "number of trading days"),
        Column("average_traded_value", "double", "mean of close * volume over its trading days"),
        Column(
            "annualized_volatility",
            "double",
            "sample standard deviation of daily returns * sqrt(252); null with < 2 returns",
        ),
        Column("returns", "bigint", "number of daily returns"),
    ),
)

MAX_RANKING_LIMIT = 100
"""The most rows a ranking answers (the API's `limit` bound); thirty_day_leaders holds this
many rows."""

THIRTY_DAY_LEADERS = Table(
    name="thirty_day_leaders",
    comment=f"The {MAX_RANKING_LIMIT} rows of daily_metrics with the highest return_30d, ties "
    "broken by the earlier date, then the ticker: the whole history's top 30-day returns.",
    columns=tuple(
        column
        for column in DAILY_METRICS.columns
        if column.name
        in {"ticker", "date", "close", "return_30d", "prior_date_30d", "prior_close_30d"}
    ),
)

RAW_COLUMNS = ("date", "open", "high", "low", "close", "volume", "ticker")
"""The input columns of a raw CSV row, as the contract names them."""

REJECTED_ROWS = Table(
    name="rejected_rows",
    comment="Input rows that failed validation, with their raw values and the reason.",
    columns=(
        Column("run_id", "string", "the ETL run that rejected the row"),
        Column("source_file", "string", "the input file the row came from"),
        Column("line", "bigint", "line number in the source file, when known"),
        *(Column(name, "string", f"raw `{name}` value as read") for name in RAW_COLUMNS),
        Column("reason", "string", "why the row was rejected (see REJECT_REASONS)"),
    ),
)

ANOMALIES = Table(
    name="anomalies",
    comment="Accepted rows flagged as suspicious (kept in the metrics).",
    columns=(
        Column("run_id", "string", "the ETL run that flagged the row"),
        Column("ticker", "string", "stock ticker symbol"),
        Column("date", "date", "trading day"),
        Column("kind", "string", "what is suspicious (see ANOMALY_KINDS)"),
        Column("detail", "string", "the values that raised the flag"),
    ),
)

RUNS = Table(
    name="runs",
    comment="One row per ETL run, with its accounting.",
    columns=(
        Column("run_id", "string", "run identifier; also the dataset version"),
        Column("started_at", "timestamp", "when the run started (UTC)"),
        Column("finished_at", "timestamp", "when the run finished (UTC)"),
        Column("input", "string", "the input path"),
        Column("rows_read", "bigint", "data rows read from the input"),
        Column("rows_accepted", "bigint", "rows that made it into daily_metrics"),
        Column("rows_rejected", "bigint", "rows written to rejected_rows"),
        Column("duplicates_collapsed", "bigint", "exact duplicate rows collapsed into one"),
        Column("tickers", "bigint", "distinct tickers accepted"),
        Column("first_date", "date", "earliest accepted date"),
        Column("last_date", "date", "latest accepted date"),
    ),
)

TABLES: tuple[Table, ...] = (
    DAILY_METRICS,
    MARKET_DAILY,
    TICKER_STATS,
    THIRTY_DAY_LEADERS,
    REJECTED_ROWS,
    ANOMALIES,
    RUNS,
)
TABLES_BY_NAME = {table.name: table for table in TABLES}

FIRST_DATE = date(1970, 1, 1)
LAST_DATE = date(2100, 12, 31)
"""The accepted dates; any other is `bad_date`. Their years are the Glue catalog's
`year` partition projection range (infrastructure.config.PipelineConfig); and a
date before 1582-10-15 could not be written without Spark's calendar rebase."""
PARTITION_YEARS = (FIRST_DATE.year, LAST_DATE.year)

PRICE_RANGE = (1e-6, 1e12)
"""Accepted prices, inclusive: below the cheapest sub-penny quote, above anything
the generator makes in 50 years, and narrow enough that every return (< 1e18),
its square and every traded value stay finite."""
MAX_VOLUME = 10**15
"""Accepted volumes are 0..MAX_VOLUME, a million times the busiest real day; so
close * volume stays below 1e27."""
MAX_TICKER_LENGTH = 32
"""Longer than any exchange or option symbol (an OCC option symbol has 21 characters)."""

REJECT_REASONS: dict[str, str] = {
    "bad_encoding": "the line is not valid UTF-8",
    "bad_quoting": "a quote out of place or never closed (RFC 4180; a quote inside a "
    "quoted field is written twice)",
    "bad_field_count": "more or fewer fields than the file's header",
    "bad_date": "date missing, not a real YYYY-MM-DD calendar date, or outside "
    f"{FIRST_DATE}..{LAST_DATE}",
    "missing_ticker": "ticker (or symbol) missing or blank",
    "bad_ticker": f"ticker longer than {MAX_TICKER_LENGTH} characters, or holding a control "
    "or invisible formatting character",
    "bad_close": f"close missing, non-numeric, or outside {PRICE_RANGE[0]:g}..{PRICE_RANGE[1]:g}",
    "bad_price": "open, high or low missing, non-numeric, or outside "
    f"{PRICE_RANGE[0]:g}..{PRICE_RANGE[1]:g}",
    "bad_volume": f"volume missing, not a whole number, negative, or above {MAX_VOLUME:.0e}",
    "conflicting_duplicate": "another row has the same ticker and date but different values",
}
"""Every reason a row can be rejected for; a row gets the first that applies, in this order."""

ANOMALY_KINDS: dict[str, str] = {
    "ohlc_inconsistent": "high below open/close, or low above them",
    "zero_volume": "no shares traded",
    "large_move": "daily return beyond +-40% (often an unadjusted split)",
}

LARGE_MOVE_THRESHOLD = 0.40
TRADING_DAYS_PER_YEAR = 252
RETURN_30D_LOOKBACK_DAYS = 30
