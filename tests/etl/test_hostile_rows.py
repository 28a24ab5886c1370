"""Hostile rows, all in one run of the real job: each is rejected with its reason, never a crash.

One input folder holds a file per case (each with one good row, so no file is
without a valid row); the job runs once and each test checks its file's fate.
"""

from __future__ import annotations

import gzip
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pytest
from pyspark.sql import SparkSession

from etl.summary import RunSummary
from etl.tables import FIRST_DATE, LAST_DATE, MAX_VOLUME
from tests.etl.hostile import (
    assert_accounting_matches_tables,
    good_row,
    non_finite_metrics,
    rejected_by_line,
    run_job,
    write_case,
)
from tests.etl.warehouse_tables import read_table

ZERO_WIDTH_SPACE, RIGHT_TO_LEFT_OVERRIDE = "\u200b", "\u202e"


@dataclass(frozen=True)
class Built:
    source: Path
    warehouse: Path
    summary: RunSummary


@pytest.fixture(scope="module")
def built(spark: SparkSession, tmp_path_factory: pytest.TempPathFactory) -> Built:
    source = tmp_path_factory.mktemp("hostile") / "in"
    source.mkdir()
    write_case(
        source,
        "magnitudes.csv",
        [
            good_row("OK1"),
            good_row("TINY", "2024-01-02", "1e-300"),
            good_row("TINY", "2024-01-03", "1e300"),
            good_row("BIG", "2024-01-02", "1.5e12"),
            "2024-01-02,1e-7,12,9,10,1000,LOWOPEN",
            f"2024-01-02,10,12,9,10,{MAX_VOLUME + 1},VOL",
            "2024-01-02,10,12,9,10,99999999999999999,VOL2",
            # The widest accepted swings: every metric must still be finite.
            *(
                f"2024-01-{day:02d},1,1e12,1e-6,{close},{MAX_VOLUME},EDGE"
                for day, close in zip(range(2, 8), ["1e-6", "1e12"] * 3, strict=True)
            ),
        ],
    )
    write_case(
        source,
        "dates.csv",
        [
            good_row("OK2"),
            good_row("OLD", "1582-10-14"),
            good_row("OLD", "1500-03-01"),
            good_row("OLD", "0000-01-01"),
            good_row("OLD", "1969-12-31"),
            good_row("FAR", "9999-12-31"),
            good_row("FAR", "2101-01-01"),
            good_row("EDGE_DATES", FIRST_DATE.isoformat()),
            good_row("EDGE_DATES", LAST_DATE.isoformat()),
        ],
    )
    write_case(
        source,
        "rfc4180.csv",
        [
            good_row("OK3"),
            good_row('"Q""T"'),
            "2024-01-02,10,12,9,10,1,200,AAA",
            "2024-01-02,10,12,9,10,1000",
            '2024-01-02,10,12,9,10,1000,"UNTERMINATED',
            '2024-01-02,10,12,9,10,1000,"CLOSED"THEN',
            '"2024-01-03",10,12,9,"1.0",1000,"COMMA"',
            good_row('"A,B"'),
            good_row('""""'),
        ],
    )
    write_case(source, "latin1.csv", [good_row("OK4"), good_row("CAFÉ")], encoding="latin-1")
    write_case(
        source,
        "tickers.csv",
        [
            good_row("OK5"),
            good_row("TAB\tBED"),
            good_row("ESC\x1b[31m"),
            good_row(f"ZERO{ZERO_WIDTH_SPACE}WIDTH"),
            good_row(f"BIDI{RIGHT_TO_LEFT_OVERRIDE}"),
            good_row("X" * 33),
            good_row("X" * 32),
            good_row("BRK.B"),
            good_row("=HYPERLINK"),
        ],
    )
    write_case(source, "UPPER.CSV", [good_row("UP1")])
    with gzip.open(source / "Mixed.CSV.gz", "wt") as out:
        out.write(f"date,open,high,low,close,volume,ticker\n{good_row('UP2')}\n")
    (source / "notes.txt").write_text("not data\n")
    (source / "prices.csv.bak").write_text("not data either\n")
    warehouse = source.parent / "wh"
    return Built(source, warehouse, run_job(spark, source, warehouse))


def _tickers(built: Built) -> set[str]:
    return {row["ticker"] for row in read_table(built.warehouse, "daily_metrics")}


def test_implausible_magnitudes_are_rejected_and_metrics_stay_finite(built: Built) -> None:
    assert rejected_by_line(built.warehouse, "magnitudes.csv") == {
        3: "bad_close",
        4: "bad_close",
        5: "bad_close",
        6: "bad_price",
        7: "bad_volume",
        8: "bad_volume",
    }
    [edge] = [row for row in read_table(built.warehouse, "ticker_stats") if row["ticker"] == "EDGE"]
    assert 1e18 < edge["annualized_volatility"] < 1e20
    assert non_finite_metrics(built.warehouse) == []


def test_dates_outside_the_window_are_bad_dates(built: Built) -> None:
    assert rejected_by_line(built.warehouse, "dates.csv") == dict.fromkeys(range(3, 9), "bad_date")
    edge_dates = {
        row["date"]
        for row in read_table(built.warehouse, "daily_metrics")
        if row["ticker"] == "EDGE_DATES"
    }
    assert edge_dates == {date(1970, 1, 1), date(2100, 12, 31)}
    assert (built.summary.first_date, built.summary.last_date) == (FIRST_DATE, LAST_DATE)
    years = {row["year"] for row in read_table(built.warehouse, "daily_metrics")}
    assert min(years) == FIRST_DATE.year
    assert max(years) == LAST_DATE.year


def test_csv_is_read_per_rfc_4180(built: Built) -> None:
    assert rejected_by_line(built.warehouse, "rfc4180.csv") == {
        4: "bad_field_count",
        5: "bad_field_count",
        6: "bad_quoting",
        7: "bad_quoting",
    }
    tickers = _tickers(built)
    assert {'Q"T', "COMMA", "A,B", '"'} <= tickers
    assert "200" not in tickers
    [comma] = [r for r in read_table(built.warehouse, "daily_metrics") if r["ticker"] == "COMMA"]
    assert comma["close"] == 1.0


def test_a_file_that_is_not_utf8_is_named_and_its_bad_lines_rejected(built: Built) -> None:
    assert rejected_by_line(built.warehouse, "latin1.csv") == {3: "bad_encoding"}
    assert "OK4" in _tickers(built)
    [stored] = [
        row
        for row in read_table(built.warehouse, "rejected_rows")
        if row["line"] == 3 and Path(row["source_file"]).name == "latin1.csv"
    ]
    assert stored["ticker"] == "CAF\ufffd"  # stored as valid text
    latin1 = str(built.source / "latin1.csv")
    assert built.summary.accounting.files_not_utf8 == (latin1,)
    assert f"    not UTF-8: {latin1}" in built.summary.render()


def test_tickers_with_control_characters_or_absurd_lengths_are_rejected(built: Built) -> None:
    assert rejected_by_line(built.warehouse, "tickers.csv") == dict.fromkeys(
        range(3, 8), "bad_ticker"
    )
    assert {"X" * 32, "BRK.B", "=HYPERLINK"} <= _tickers(built)


def test_suffixes_match_in_any_case_and_skipped_files_are_listed(built: Built) -> None:
    assert {"UP1", "UP2"} <= _tickers(built)
    skipped = (str(built.source / "notes.txt"), str(built.source / "prices.csv.bak"))
    assert built.summary.accounting.files_skipped == skipped
    assert built.summary.accounting.files_read == 7
    text = built.summary.render()
    assert "  files read            7" in text
    assert "  files skipped         2 (names not ending in .csv or .csv.gz)\n" in text
    assert all(f"    {name}\n" in text for name in skipped)


def test_every_row_is_accounted_for(built: Built) -> None:
    counts = built.summary.accounting
    assert counts.rows_read == 13 + 9 + 9 + 2 + 9 + 1 + 1
    assert_accounting_matches_tables(built.summary, built.warehouse)
    assert counts.rejected_by_reason == {
        "bad_encoding": 1,
        "bad_quoting": 2,
        "bad_field_count": 2,
        "bad_date": 6,
        "missing_ticker": 0,
        "bad_ticker": 5,
        "bad_close": 3,
        "bad_price": 1,
        "bad_volume": 2,
        "conflicting_duplicate": 0,
    }
