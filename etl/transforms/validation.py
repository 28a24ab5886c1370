"""Judging raw rows: parse and check each row on its own, then resolve duplicates.

A row is judged on its own first (`parse_rows`); duplicates are looked for only
among the rows that passed (`resolve_duplicates`). Every row ends with either a
`reason` (rejected), `collapsed` (an extra copy of an exact duplicate) or
neither (accepted), so the accounting always balances.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import reduce

from pyspark.sql import Column, DataFrame, Window
from pyspark.sql import functions as F

from etl.tables import (
    FIRST_DATE,
    LAST_DATE,
    MAX_TICKER_LENGTH,
    MAX_VOLUME,
    PRICE_RANGE,
    RAW_COLUMNS,
)
from etl.transforms.dates import DAY_NUMBER, add_day_number

DATE_PATTERN = r"^\d{4}-\d{2}-\d{2}\z"
"""`\\z`, not `$`: `$` also matches before a final line terminator (U+2028...), which CAST trims."""
DECIMAL_PATTERN = r"^[+-]?(\d++(\.\d*+)?|\.\d++)([eE][+-]?\d++)?$"
"""Possessive (`++`): no backtracking, so a long hostile value is rejected in linear time."""
WHOLE_NUMBER_PATTERN = r"^\+?(\d{1,18})(\.0*)?$"
"""At most 18 digits, so the value always fits a bigint; `1200.0` is a whole number."""
TICKER_CHARACTERS_REJECTED = r"[\p{Cc}\p{Cf}\p{Zl}\p{Zp}]"
"""Control characters (tab, NUL, ESC...) and invisible ones (zero-width, bidi overrides)."""

PRICE_COLUMNS = ("open", "high", "low", "close")
VALUE_COLUMNS = (*PRICE_COLUMNS, "volume")
"""What makes two rows of the same ticker and date the same row."""
JUDGING_COLUMNS = ("file_id", "location", "raw", "reason", "collapsed")
CONFLICTING_DUPLICATE = "conflicting_duplicate"
BROADCAST_CONFLICTS = 100_000
"""Up to this many conflicting duplicates, their keys are sent to every task reading the
input again; more are joined with it by a shuffle."""


def parse_rows(raw: DataFrame) -> DataFrame:
    """Type each raw row and give the first reason it is rejected, if any.

    In: file_id, location (unique and in line order within a file: see RawInput), the raw
    string columns and `record_error` (the reason the line is not a well-formed record of
    its file, or null). Out: file_id, location, `raw` (the raw strings, as a struct, of a
    rejected row; null on a row that passed, so that they do not travel with every row),
    ticker, date, open, high, low, close, volume, `reason` (null when the row passed; see
    REJECT_REASONS) and day_number. Needs ANSI mode off (Spark's default), so an
    impossible date casts to null.
    """
    # Trimmed, then parsed, then checked against the ranges: each step's values are
    # columns of the next, so a value used twice is computed once (Spark keeps apart
    # projections whose merging would repeat an expression).
    trimmed = raw.select(
        "file_id",
        "location",
        F.struct(*(F.col(name) for name in RAW_COLUMNS)).alias("raw"),
        "record_error",
        *(F.trim(F.col(name)).alias(name) for name in RAW_COLUMNS),
    )
    parsed = trimmed.select(
        "file_id",
        "location",
        "raw",
        "record_error",
        _text("ticker").alias("ticker"),
        _date("date").alias("date"),
        *(_decimal(name).alias(name) for name in PRICE_COLUMNS),
        _whole_number("volume").alias("volume"),
    )
    low, high = PRICE_RANGE
    typed = parsed.select(
        "file_id",
        "location",
        "raw",
        "record_error",
        "ticker",
        _within("date", F.lit(FIRST_DATE), F.lit(LAST_DATE)).alias("date"),
        *(_within(name, F.lit(low), F.lit(high)).alias(name) for name in PRICE_COLUMNS),
        _within("volume", F.lit(0), F.lit(MAX_VOLUME)).alias("volume"),
    )
    ticker = F.col("ticker")
    reason = (
        F.when(F.col("record_error").isNotNull(), F.col("record_error"))
        .when(F.col("date").isNull(), "bad_date")
        .when(ticker.isNull(), "missing_ticker")
        .when(
            (F.length(ticker) > MAX_TICKER_LENGTH) | ticker.rlike(TICKER_CHARACTERS_REJECTED),
            "bad_ticker",
        )
        .when(F.col("close").isNull(), "bad_close")
        .when(F.col("open").isNull() | F.col("high").isNull() | F.col("low").isNull(), "bad_price")
        .when(F.col("volume").isNull(), "bad_volume")
    )
    judged = typed.withColumn("reason", reason).select(
        "file_id",
        "location",
        F.when(F.col("reason").isNotNull(), F.col("raw")).alias("raw"),
        *(
            name
            for name in typed.columns
            if name not in ("file_id", "location", "raw", "record_error")
        ),
        "reason",
    )
    return add_day_number(judged)


def resolve_duplicates(parsed: DataFrame) -> DataFrame:
    """Among rows that passed, reject conflicting duplicates and mark extra exact copies.

    Rows of the same ticker and date with different values are all rejected as
    `conflicting_duplicate`; of identical rows the first (by file, then line) is
    kept and the others get `collapsed` = true (by file, then location, which is in line
    order). `raw` is kept only on rejected
    rows, the only ones that need it.
    """
    passed = F.col("reason").isNull()
    # The rows that passed are window groups of their own, apart from the day's rejected rows:
    # their min and max are then those of the plain columns (no per-row CASE WHEN: five
    # columns fewer through the sort and the window), and their copy number the one they had
    # among all the day's rows with the passed ones first. The rows are sorted as before
    # (ticker, day, rejected, file, location), as the returns' window reads them.
    copies_in_order = Window.partitionBy("ticker", DAY_NUMBER, ~passed).orderBy(
        "file_id", "location"
    )
    # The whole group's rows, in the same order: with the copy number in one select, one
    # Window operator computes both (two window specifications were two operators).
    same_group = copies_in_order.rowsBetween(Window.unboundedPreceding, Window.unboundedFollowing)

    def varies(name: str) -> Column:
        return F.min(name).over(same_group) != F.max(name).over(same_group)

    conflicting = passed & reduce(lambda left, right: left | right, map(varies, VALUE_COLUMNS))
    reason = F.when(F.col("conflicting"), F.lit(CONFLICTING_DUPLICATE)).otherwise(F.col("reason"))
    return parsed.select(
        "*",
        F.row_number().over(copies_in_order).alias("copy"),
        conflicting.alias("conflicting"),
    ).select(
        *(name for name in parsed.columns if name not in ("raw", "reason")),
        F.when(reason.isNotNull(), F.col("raw")).alias("raw"),
        reason.alias("reason"),
        (passed & ~F.col("conflicting") & (F.col("copy") > 1)).alias("collapsed"),
    )


def is_accepted() -> Column:
    """Whether a judged row made it: neither rejected nor an extra copy."""
    return F.col("reason").isNull() & ~F.col("collapsed")


def select_accepted_rows(judged: DataFrame) -> DataFrame:
    """The rows that made it, one per ticker and date: every column but the judging ones
    (typed values, day_number, and whatever was computed on the judged rows)."""
    return judged.where(is_accepted()).drop(*JUDGING_COLUMNS)


def select_rejected_rows(
    judged: DataFrame,
    file_names: Sequence[str],
    run_id: str,
    raw_rows: DataFrame,
    conflicting_duplicates: int,
    number_lines: Callable[[DataFrame], DataFrame],
) -> DataFrame:
    """The rejected rows with their raw strings, where they came from, and why.

    `file_names[file_id]` is the source_file (one literal: no join, no broadcast job).
    A conflicting duplicate passed the parse, so it carries no raw strings (`parse_rows`):
    when the outcome counts show `conflicting_duplicates`, theirs are read again from
    `raw_rows` (the input's rows as `read_raw_input` locates them), by file and location.
    `number_lines` turns the rejected rows' locations into lines (RawInput.number_lines).
    """
    rejected = judged.where(F.col("reason").isNotNull()).select(
        "file_id", "location", "raw", "reason"
    )
    if conflicting_duplicates:
        conflicting = F.col("reason") == CONFLICTING_DUPLICATE
        keys = rejected.where(conflicting).select("file_id", "location", "reason")
        if conflicting_duplicates <= BROADCAST_CONFLICTS:
            keys = F.broadcast(keys)
        read_again = raw_rows.join(keys, ["file_id", "location"]).select(
            "file_id", "location", F.struct(*RAW_COLUMNS).alias("raw"), "reason"
        )
        rejected = rejected.where(~conflicting).unionByName(read_again)
    source_file = F.lit(list(file_names)).cast("array<string>")[F.col("file_id")]
    return number_lines(rejected).select(
        F.lit(run_id).alias("run_id"), source_file.alias("source_file"), "line", "raw.*", "reason"
    )


def count_outcomes(judged: DataFrame) -> DataFrame:
    """How many rows of each file were accepted, rejected (by reason) or collapsed."""
    return judged.groupBy("file_id", "reason", "collapsed").agg(F.count(F.lit(1)).alias("rows"))


def _text(name: str) -> Column:
    """A trimmed value, or null if it is empty."""
    return F.when(F.col(name) != "", F.col(name))


def _date(name: str) -> Column:
    """A trimmed yyyy-MM-dd as a date; null if it is not one, or is an impossible date."""
    return F.when(F.col(name).rlike(DATE_PATTERN), F.col(name).cast("date"))


def _decimal(name: str) -> Column:
    """A trimmed decimal number as a double (NaN, Infinity, 1d or 0x1 are not numbers).

    A value that starts with a digit is first read as "00<value>d", without the pattern:
    Java's parser, framed so, takes no sign, name, hex, space or suffix of the value's own,
    so what it reads is digits[.digits][exponent], the pattern's first form, and it reads
    the value's own number. What it cannot read goes through the pattern (the regex was
    about two thirds of the parse's pattern matching: 0.67 s of 1M rows)."""
    value = F.col(name)
    framed = F.concat(F.lit("00"), value, F.lit("d")).cast("double")
    starts_with_digit = F.substring(value, 1, 1).between("0", "9")
    return F.when(starts_with_digit & framed.isNotNull(), framed).when(
        value.rlike(DECIMAL_PATTERN), value.cast("double")
    )


def _whole_number(name: str) -> Column:
    """A trimmed whole number of at most 18 digits as a bigint (its pattern's only group is
    never empty when it matches, so no second regex to tell a match). A value that is a
    bigint's own text, of 0 to 18 digits, is that bigint without the pattern."""
    value = F.col(name)
    number = value.cast("bigint")
    canonical = number.between(0, 10**18 - 1) & (number.cast("string") == value)
    digits = F.regexp_extract(value, WHOLE_NUMBER_PATTERN, 1)
    return F.when(canonical, number).when(digits != "", digits.cast("bigint"))


def _within(name: str, low: Column, high: Column) -> Column:
    return F.when(F.col(name).between(low, high), F.col(name))
