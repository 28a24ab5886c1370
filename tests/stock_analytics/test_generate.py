"""The generator, checked against the contract's rules applied independently here."""

import csv
import gzip
import io
import itertools
import math
import re
import statistics
import tracemalloc
from collections import Counter, defaultdict
from datetime import date
from pathlib import Path

import pytest

from stock_analytics.cli import main
from stock_analytics.generate import GenerateOptions, GenerateSummary, generate

HEADER = ["date", "open", "high", "low", "close", "volume", "ticker"]
# NYSE's published trading days for 2020..2024: what a 5-year data set must cover.
TRADING_DAYS_2020_TO_2024 = 253 + 252 + 251 + 250 + 252


def _run(
    tmp_path: Path,
    name: str = "prices.csv",
    *,
    tickers: int = 4,
    years: int = 2,
    seed: int = 7,
    bad_row_fraction: float = 0.0,
    compress: bool = False,
    files: int | None = None,
) -> GenerateSummary:
    options = GenerateOptions(
        tickers=tickers,
        years=years,
        seed=seed,
        out=tmp_path / name,
        bad_row_fraction=bad_row_fraction,
        compress=compress,
        files=files,
    )
    return generate(options)


def _read_rows(path: Path) -> list[list[str]]:
    raw = path.read_bytes()
    text = gzip.decompress(raw).decode() if path.name.endswith(".gz") else raw.decode()
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0] == HEADER
    return rows[1:]


def _contract_reason(row: list[str]) -> str | None:
    """The reject reason the contract gives a row judged on its own, or None."""
    day, open_, high, low, close, volume, ticker = row
    try:
        date.fromisoformat(day)
        assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", day)
    except (ValueError, AssertionError):
        return "bad_date"
    if not ticker.strip():
        return "missing_ticker"
    if not _positive(close):
        return "bad_close"
    if not all(_positive(price) for price in (open_, high, low)):
        return "bad_price"
    if not re.fullmatch(r"\d+", volume):
        return "bad_volume"
    return None


def _positive(value: str) -> bool:
    try:
        return float(value) > 0
    except ValueError:
        return False


def test_same_seed_same_bytes_and_another_seed_differs(tmp_path: Path) -> None:
    first = _run(tmp_path / "a", bad_row_fraction=0.02).out.read_bytes()
    again = _run(tmp_path / "b", bad_row_fraction=0.02).out.read_bytes()
    other = _run(tmp_path / "c", bad_row_fraction=0.02, seed=8).out.read_bytes()
    assert first == again
    assert first != other


def test_gzipped_folders_are_byte_identical_too(tmp_path: Path) -> None:
    def files(folder: str) -> list[bytes]:
        summary = _run(tmp_path / folder, name="out", compress=True, files=2)
        return [path.read_bytes() for path in sorted(summary.out.iterdir())]

    assert files("a") == files("b")


def test_rows_are_the_trading_calendar_times_the_tickers(tmp_path: Path) -> None:
    summary = _run(tmp_path, tickers=3, years=5)
    rows = _read_rows(summary.out)
    assert len(rows) == summary.rows_written == 3 * TRADING_DAYS_2020_TO_2024
    dates_by_ticker: dict[str, list[str]] = defaultdict(list)
    for row in rows:
        dates_by_ticker[row[6]].append(row[0])
    assert sorted(dates_by_ticker) == ["T0001", "T0002", "T0003"]
    calendars = {tuple(dates) for dates in dates_by_ticker.values()}
    assert len(calendars) == 1
    (calendar,) = calendars
    assert calendar[0] == "2020-01-02"
    assert calendar[-1] == "2024-12-31"
    for holiday in ("2020-11-26", "2021-07-05", "2022-12-26", "2023-04-07", "2024-06-19"):
        assert holiday not in calendar
    assert all(date.fromisoformat(day).weekday() < 5 for day in calendar)


def test_clean_rows_are_consistent_and_realistic(tmp_path: Path) -> None:
    rows = _read_rows(_run(tmp_path, tickers=20, years=3).out)
    assert all(_contract_reason(row) is None for row in rows)
    closes: dict[str, list[float]] = defaultdict(list)
    for _day, open_, high, low, close, volume, ticker in rows:
        o, h, lo, c = float(open_), float(high), float(low), float(close)
        assert h >= max(o, c)
        assert 0 < lo <= min(o, c)
        assert int(volume) >= 1
        closes[ticker].append(c)
    for series in closes.values():
        returns = [today / yesterday - 1 for yesterday, today in itertools.pairwise(series)]
        assert max(abs(value) for value in returns) < 0.40
        assert 0.08 < statistics.stdev(returns) * math.sqrt(252) < 0.8
    assert len({series[-1] for series in closes.values()}) == len(closes)


def test_injected_rows_match_the_contracts_accounting(tmp_path: Path) -> None:
    summary = _run(tmp_path, tickers=10, bad_row_fraction=0.05)
    rows = _read_rows(summary.out)
    reasons = Counter(_contract_reason(row) for row in rows)
    copies: dict[tuple[str, str], list[list[str]]] = defaultdict(list)
    for row in rows:
        if _contract_reason(row) is None:
            copies[(row[6], row[0])].append(row)
    collapsed = conflicting = accepted = 0
    for group in copies.values():
        if all(copy == group[0] for copy in group):
            accepted += 1
            collapsed += len(group) - 1
        else:
            conflicting += len(group)

    for kind in ("bad_date", "missing_ticker", "bad_close", "bad_price", "bad_volume"):
        assert reasons[kind] == summary.injected[kind] > 0, kind
    assert collapsed == summary.injected["exact_duplicate"] > 0
    assert conflicting == 2 * summary.injected["conflicting_duplicate"] > 0
    assert len(rows) == summary.rows_written
    assert accepted == summary.expected_accepted
    assert len(rows) - reasons[None] + conflicting == summary.expected_rejected
    assert len(rows) == accepted + summary.expected_rejected + collapsed


def test_bad_rows_leave_the_clean_rows_unchanged(tmp_path: Path) -> None:
    clean = _read_rows(_run(tmp_path / "clean").out)
    dirty = _read_rows(_run(tmp_path / "dirty", bad_row_fraction=0.1).out)
    seen = Counter(tuple(row) for row in dirty)
    assert all(seen[tuple(row)] >= 1 for row in clean)


def test_files_split_the_same_rows_by_ticker(tmp_path: Path) -> None:
    single = _read_rows(_run(tmp_path, bad_row_fraction=0.03, tickers=5).out)
    folder = _run(tmp_path, name="parts", bad_row_fraction=0.03, tickers=5, files=3, compress=True)
    parts = sorted(folder.out.iterdir())
    assert [path.name for path in parts] == [f"part-0000{n}.csv.gz" for n in range(3)]
    per_file = [_read_rows(path) for path in parts]
    assert [row for rows in per_file for row in rows] == single
    tickers = [{row[6] for row in rows if row[6].strip()} for rows in per_file]
    assert sum(len(names) for names in tickers) == len(set().union(*tickers)) == 5


def test_memory_stays_flat_as_the_data_set_grows(tmp_path: Path) -> None:
    def peak_bytes(tickers: int) -> int:
        tracemalloc.start()
        try:
            _run(tmp_path / str(tickers), tickers=tickers, bad_row_fraction=0.01)
            return tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()

    peak_bytes(10)  # warm up: first-use caches are not the data
    small, large = peak_bytes(10), peak_bytes(100)
    # Ten times the rows (~5 MB of text) may not cost more than a little bookkeeping.
    assert large < small + 256 * 1024


def test_cli_writes_the_file_and_prints_the_counts(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "cli.csv.gz"
    args = ["--tickers", "2", "--years", "1", "--seed", "3", "--bad-rows", "0.1"]
    assert main(["generate", *args, "--gzip", "--out", str(out)]) == 0
    printed = capsys.readouterr().out
    rows = _read_rows(out)
    reasons = Counter(_contract_reason(row) for row in rows)
    assert f"rows_read={len(rows)}" in printed
    assert f"bad_volume={reasons['bad_volume']}" in printed
    assert f"bad_date={reasons['bad_date']}" in printed


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (["--bad-rows", "1.5"], "--bad-rows must be a fraction"),
        (["--files", "3"], "--files must be between 1 and --tickers (2)"),
        (["--gzip"], "name the file *.csv.gz"),
    ],
)
def test_cli_rejects_bad_arguments_clearly(tmp_path: Path, extra: list[str], message: str) -> None:
    base = ["generate", "--tickers", "2", "--years", "1", "--out", str(tmp_path / "x.csv")]
    with pytest.raises(SystemExit, match=re.escape(message)):
        main([*base, *extra])
    assert not any(tmp_path.iterdir())


def test_a_non_empty_folder_is_not_overwritten(tmp_path: Path) -> None:
    (tmp_path / "keep.txt").write_text("mine")
    with pytest.raises(ValueError, match="must be new or empty"):
        generate(GenerateOptions(tickers=2, years=1, seed=0, out=tmp_path, files=2))
    assert [path.name for path in tmp_path.iterdir()] == ["keep.txt"]
