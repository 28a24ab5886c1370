"""A deterministic generator of realistic daily OHLCV data, for tests and benchmarks.

Each ticker follows a geometric Brownian motion with its own drift and
volatility, traded on a US-market calendar (weekdays minus the exchange
holidays). Bad rows of every kind the ETL must reject or collapse can be
injected; each one is an extra row next to a clean one, so the ETL's expected
accounting follows from the counts. Rows stream to disk ticker by ticker, and
every random draw comes from a stream keyed on (seed, ticker), so the same
seed gives the same bytes.
"""

from __future__ import annotations

import gzip
import io
import os
import shutil
from collections import Counter
from contextlib import ExitStack
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import TextIO

import numpy as np

from stock_analytics.trading_calendar import trading_days

LAST_YEAR = 2024
"""The generated calendar covers the `years` calendar years ending with this one."""
MAX_YEARS = 50
HEADER = "date,open,high,low,close,volume,ticker\n"
TRADING_DAYS_PER_YEAR = 252
PRICE_FLOOR = 1.0
"""Closes reflect off this price: a listed stock rarely trades below a dollar."""

BAD_VALUES: dict[str, tuple[str, ...]] = {
    "bad_date": ("2024-13-45", "2023-02-30", "13/01/2023", ""),
    "missing_ticker": ("", "   "),
    "bad_close": ("", "abc", "0", "-1"),
    "bad_price": ("", "n/a", "0", "-5"),
    "bad_volume": ("1.5", "-3", ""),
}
INJECTED_KINDS = (*BAD_VALUES, "exact_duplicate", "conflicting_duplicate")
_PRICE_STREAM, _FAULT_STREAM = 0, 1
_DATE, _OPEN, _HIGH, _LOW, _CLOSE, _VOLUME, _TICKER = range(7)


@dataclass(frozen=True)
class GenerateOptions:
    tickers: int
    years: int
    seed: int
    out: Path
    bad_row_fraction: float = 0.0
    compress: bool = False
    files: int | None = None

    def __post_init__(self) -> None:
        if self.tickers < 1:
            raise ValueError(f"--tickers must be at least 1, got {self.tickers}")
        if not 1 <= self.years <= MAX_YEARS:
            raise ValueError(f"--years must be between 1 and {MAX_YEARS}, got {self.years}")
        if not 0.0 <= self.bad_row_fraction < 1.0:
            raise ValueError(
                f"--bad-rows must be a fraction in [0, 1), got {self.bad_row_fraction}"
            )
        if self.files is not None and not 1 <= self.files <= self.tickers:
            raise ValueError(
                f"--files must be between 1 and --tickers ({self.tickers}), got {self.files}"
            )
        if self.files is None and self.compress and not self.out.name.endswith(".csv.gz"):
            raise ValueError(f"--gzip writes gzip data: name the file *.csv.gz, not {self.out}")


@dataclass
class GenerateSummary:
    """What was written, and the accounting an ETL run over it must report."""

    out: Path
    tickers: int
    trading_days: int
    first_date: date
    last_date: date
    clean_rows: int = 0
    injected: Counter[str] = field(default_factory=Counter)

    @property
    def rows_written(self) -> int:
        return self.clean_rows + sum(self.injected.values())

    @property
    def expected_rejected(self) -> int:
        single = sum(self.injected[kind] for kind in BAD_VALUES)
        # A conflicting pair rejects both copies, the clean row included.
        return single + 2 * self.injected["conflicting_duplicate"]

    @property
    def expected_accepted(self) -> int:
        return self.clean_rows - self.injected["conflicting_duplicate"]

    def report(self) -> str:
        kinds = " ".join(f"{kind}={self.injected[kind]}" for kind in INJECTED_KINDS)
        return (
            f"wrote {self.rows_written:,} rows ({self.clean_rows:,} clean) for {self.tickers:,}"
            f" tickers over {self.trading_days:,} trading days"
            f" {self.first_date}..{self.last_date} -> {self.out}\n"
            f"injected: {kinds}\n"
            f"expected ETL accounting: rows_read={self.rows_written}"
            f" rows_accepted={self.expected_accepted} rows_rejected={self.expected_rejected}"
            f" duplicates_collapsed={self.injected['exact_duplicate']}"
        )


def generate(options: GenerateOptions) -> GenerateSummary:
    """Write the data set to ``options.out``; a partial result never takes its place."""
    _check_target(options.out, options.files)
    calendar = trading_days(LAST_YEAR - options.years + 1, LAST_YEAR)
    summary = GenerateSummary(
        out=options.out,
        tickers=options.tickers,
        trading_days=len(calendar),
        first_date=calendar[0],
        last_date=calendar[-1],
    )
    dates = [day.isoformat() for day in calendar]
    partial = options.out.with_name(options.out.name + ".partial")
    _remove(partial)
    try:
        _write(partial, dates, options, summary)
    except BaseException:
        _remove(partial)
        raise
    os.replace(partial, options.out)
    return summary


def _check_target(out: Path, files: int | None) -> None:
    if files is None and out.is_dir():
        raise ValueError(f"{out} is a folder: name a file, or pass --files")
    if files is not None and out.exists() and not (out.is_dir() and not any(out.iterdir())):
        raise ValueError(f"{out} exists: the folder for --files must be new or empty")


def _write(
    target: Path, dates: list[str], options: GenerateOptions, summary: GenerateSummary
) -> None:
    if options.files is None:
        target.parent.mkdir(parents=True, exist_ok=True)
        _write_file(target, range(options.tickers), dates, options, summary)
        return
    target.mkdir(parents=True)
    suffix = ".csv.gz" if options.compress else ".csv"
    chunks = np.array_split(np.arange(options.tickers), options.files)
    for number, chunk in enumerate(chunks):
        path = target / f"part-{number:05d}{suffix}"
        _write_file(path, chunk.tolist(), dates, options, summary)


def _remove(path: Path) -> None:
    if path.is_dir():
        shutil.rmtree(path)
    else:
        path.unlink(missing_ok=True)


def ticker_symbol(index: int, tickers: int) -> str:
    return f"T{index + 1:0{max(4, len(str(tickers)))}d}"


def _write_file(
    path: Path,
    indexes: range | list[int],
    dates: list[str],
    options: GenerateOptions,
    summary: GenerateSummary,
) -> None:
    with ExitStack() as stack:
        out = _open_text(path, options.compress, stack)
        out.write(HEADER)
        for index in indexes:
            out.write(_ticker_text(index, dates, options, summary))


def _open_text(path: Path, compress: bool, stack: ExitStack) -> TextIO:
    if not compress:
        return stack.enter_context(path.open("w", encoding="utf-8", newline=""))
    raw = stack.enter_context(path.open("wb"))
    # No file name and a zero mtime in the gzip header: same seed, same bytes.
    zipped = stack.enter_context(
        gzip.GzipFile(filename="", mode="wb", fileobj=raw, compresslevel=6, mtime=0)
    )
    return stack.enter_context(io.TextIOWrapper(zipped, encoding="utf-8", newline=""))


def _ticker_text(
    index: int, dates: list[str], options: GenerateOptions, summary: GenerateSummary
) -> str:
    """One ticker's CSV rows: the most the generator ever holds in memory."""
    ticker = ticker_symbol(index, options.tickers)
    prices = np.random.default_rng([options.seed, index, _PRICE_STREAM])
    rows = [
        [day, f"{o:.2f}", f"{h:.2f}", f"{lo:.2f}", f"{c:.2f}", str(v), ticker]
        for day, o, h, lo, c, v in zip(dates, *_price_path(prices, len(dates)), strict=True)
    ]
    summary.clean_rows += len(rows)
    faults = np.random.default_rng([options.seed, index, _FAULT_STREAM])
    injected = _inject_faults(rows, faults, options.bad_row_fraction, summary.injected)
    return "".join(",".join(row) + "\n" for row in injected)


def _price_path(rng: np.random.Generator, days: int) -> tuple[list[float], ...]:
    """Open, high, low, close (floats) and volume (ints) of one ticker, day by day."""
    drift = rng.normal(0.07, 0.10)
    volatility = rng.uniform(0.15, 0.55)
    daily_sd = volatility / np.sqrt(TRADING_DAYS_PER_YEAR)
    start = max(np.exp(rng.normal(np.log(40.0), 0.9)), 2 * PRICE_FLOOR)
    shocks = rng.normal(0.0, 1.0, days)
    log_returns = (drift - volatility**2 / 2) / TRADING_DAYS_PER_YEAR + daily_sd * shocks
    floor = np.log(PRICE_FLOOR)
    close = np.exp(floor + np.abs(np.log(start) + np.cumsum(log_returns) - floor))
    previous = np.concatenate(([start], close[:-1]))
    open_ = previous * np.exp(rng.normal(0.0, daily_sd / 3, days))
    high = np.maximum(open_, close) * np.exp(np.abs(rng.normal(0.0, daily_sd / 2, days)))
    low = np.minimum(open_, close) * np.exp(-np.abs(rng.normal(0.0, daily_sd / 2, days)))
    typical_volume = np.exp(rng.normal(np.log(2e6), 1.3))
    # Volume swells on big moves, as it does in real markets.
    activity = rng.normal(0.0, 0.4, days) + 0.5 * np.abs(shocks)
    volume = np.maximum(1, np.rint(typical_volume * np.exp(activity))).astype(np.int64)
    return open_.tolist(), high.tolist(), low.tolist(), close.tolist(), volume.tolist()


def _inject_faults(
    rows: list[list[str]], rng: np.random.Generator, fraction: float, counts: Counter[str]
) -> list[list[str]]:
    """Follow a random `fraction` of the clean rows with one injected row each."""
    if fraction == 0.0:
        return rows
    chosen = rng.random(len(rows)) < fraction
    kinds = rng.integers(0, len(INJECTED_KINDS), len(rows))
    out: list[list[str]] = []
    for row, inject, kind in zip(rows, chosen.tolist(), kinds.tolist(), strict=True):
        out.append(row)
        if inject:
            out.append(_faulty_copy(row, INJECTED_KINDS[kind], rng))
            counts[INJECTED_KINDS[kind]] += 1
    return out


def _faulty_copy(row: list[str], kind: str, rng: np.random.Generator) -> list[str]:
    """A copy of a clean row with exactly one problem of the given kind."""
    copy = list(row)
    if kind == "conflicting_duplicate":
        copy[_CLOSE] = f"{float(row[_CLOSE]) + int(rng.integers(1, 100)) / 100:.2f}"
    elif kind != "exact_duplicate":
        column = {
            "bad_date": _DATE,
            "missing_ticker": _TICKER,
            "bad_close": _CLOSE,
            "bad_price": (_OPEN, _HIGH, _LOW)[int(rng.integers(0, 3))],
            "bad_volume": _VOLUME,
        }[kind]
        values = BAD_VALUES[kind]
        copy[column] = values[int(rng.integers(0, len(values)))]
    return copy
