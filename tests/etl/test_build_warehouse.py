"""The whole job on small messy inputs: accounting, rejects, idempotence, clean failures."""

from __future__ import annotations

from contextlib import nullcontext
from datetime import date
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from pyspark.sql import SparkSession

from etl.io import InputError
from etl.jobs.build_warehouse import WRITE_TASKS, run
from etl.options import JobOptions
from etl.summary import RunSummary
from etl.tables import RAW_COLUMNS, REJECTED_ROWS, TABLES, version_prefix
from tests.etl.frames import file_chunks_of
from tests.etl.warehouse_tables import (
    current_summary,
    nothing_written,
    read_manifest,
    read_table,
    version_folders,
)
from tests.messy_input import (
    HEADER_A,
    HEADER_B,
    MESSY_REJECTIONS,
    ROWS_A,
    ROWS_B,
    write_messy_input,
)


def _run(spark: SparkSession, source: Path | str, warehouse: Path | str) -> RunSummary:
    return run(spark, JobOptions(str(source), str(warehouse)), report=lambda _message: None)


@pytest.mark.parametrize("chunk_bytes", [None, 48])
def test_messy_input_is_accounted_for_row_by_row(
    spark: SparkSession, tmp_path: Path, chunk_bytes: int | None
) -> None:
    """Also with prices a.csv read in chunks of 48 bytes: its rejected rows' line numbers
    are then counted after the judging, from their locations."""
    source = write_messy_input(tmp_path / "in")
    warehouse = tmp_path / "wh"
    # A file: URI takes the path every non-local warehouse (S3) takes.
    with file_chunks_of(spark, chunk_bytes) if chunk_bytes else nullcontext():
        summary = _run(spark, source, warehouse.as_uri())

    counts = summary.accounting
    assert (counts.rows_read, counts.rows_accepted, counts.duplicates_collapsed) == (14, 5, 2)
    assert {reason: rows for reason, rows in counts.rejected_by_reason.items() if rows} == {
        "bad_date": 1,
        "missing_ticker": 1,
        "bad_close": 1,
        "bad_price": 1,
        "bad_volume": 1,
        "conflicting_duplicate": 2,
    }
    assert summary.anomalies_by_kind == {"zero_volume": 1, "large_move": 2}
    assert (summary.tickers, summary.first_date, summary.last_date) == (
        2,
        date(2024, 1, 2),
        date(2024, 2, 5),
    )

    rejected = {
        (Path(row["source_file"]).name, row["line"]): row["reason"]
        for row in read_table(warehouse, "rejected_rows")
    }
    assert rejected == MESSY_REJECTIONS
    [missing_ticker] = [
        row for row in read_table(warehouse, "rejected_rows") if row["reason"] == "missing_ticker"
    ]
    assert (missing_ticker["ticker"], missing_ticker["run_id"]) == ("  ", summary.run_id)
    assert missing_ticker["source_file"] == str(source / "prices a.csv")
    # Every rejected row's raw strings are its line's fields, a conflicting duplicate's too.
    lines = {("prices a.csv", n): (HEADER_A, row) for n, row in enumerate(ROWS_A, start=2)}
    lines |= {("b.csv.gz", n): (HEADER_B, row) for n, row in enumerate(ROWS_B, start=2)}
    for row in read_table(warehouse, "rejected_rows"):
        header, line = lines[(Path(row["source_file"]).name, row["line"])]
        names = [name.strip().lower().replace("symbol", "ticker") for name in header.split(",")]
        fields = dict(zip(names, line.split(","), strict=True))
        assert {name: row[name] for name in RAW_COLUMNS} == {
            name: fields[name] for name in RAW_COLUMNS
        }

    metrics = {(row["ticker"], row["date"]): row for row in read_table(warehouse, "daily_metrics")}
    assert sorted(metrics) == [
        ("AAA", date(2024, 1, 2)),
        ("AAA", date(2024, 1, 3)),
        ("AAA", date(2024, 2, 5)),
        ("BBB", date(2024, 1, 2)),
        ("BBB", date(2024, 1, 3)),
    ]
    # The conflicting 2024-01-05 rows are gone: 02-05 looks back to 01-03 (02-05 - 30 = 01-06).
    latest = metrics[("AAA", date(2024, 2, 5))]
    assert latest["daily_return"] == pytest.approx(16.5 / 11 - 1)
    assert (latest["prior_date_30d"], latest["return_30d"]) == (
        date(2024, 1, 3),
        pytest.approx(16.5 / 11 - 1),
    )
    anomalies = {
        (row["ticker"], row["date"], row["kind"]) for row in read_table(warehouse, "anomalies")
    }
    assert anomalies == {
        ("AAA", date(2024, 2, 5), "large_move"),
        ("BBB", date(2024, 1, 2), "zero_volume"),
        ("BBB", date(2024, 1, 3), "large_move"),
    }
    [run_row] = read_table(warehouse, "runs")
    assert (run_row["rows_read"], run_row["rows_rejected"], run_row["duplicates_collapsed"]) == (
        14,
        7,
        2,
    )
    manifest = current_summary(warehouse)
    assert (manifest["version"], manifest["rows"], manifest["rows_read"]) == (summary.run_id, 5, 14)
    assert "rows read             14" in summary.render()
    assert "    conflicting_duplicate 2" in summary.render()


def _snapshot(warehouse: Path) -> dict[str, list[tuple[object, ...]]]:
    """Every table's rows, sorted, without the columns that name the run."""
    per_run = {"run_id", "started_at", "finished_at"}
    snapshot = {}
    for table in TABLES:
        rows = read_table(warehouse, table.name)
        snapshot[table.name] = sorted(
            tuple(str(value) for key, value in row.items() if key not in per_run) for row in rows
        )
    return snapshot


def test_running_twice_gives_the_same_tables_in_two_versions(
    spark: SparkSession, tmp_path: Path
) -> None:
    source = write_messy_input(tmp_path / "in")
    warehouse = tmp_path / "wh"
    first = _run(spark, source, warehouse)
    before = _snapshot(warehouse)
    files_before = sorted(path.name for path in warehouse.rglob("*.parquet"))
    second = _run(spark, source, warehouse)

    assert _snapshot(warehouse) == before
    assert before["daily_metrics"]
    assert before["rejected_rows"]
    assert first.run_id != second.run_id
    assert 2 * len(files_before) == len(list(warehouse.rglob("*.parquet")))
    pointer = read_manifest(warehouse)
    assert (pointer["format"], pointer["current"]) == (2, second.run_id)
    assert [v["version"] for v in pointer["versions"]] == [second.run_id, first.run_id]
    assert second.retained_versions == (second.run_id, first.run_id)
    assert version_folders(warehouse) == {
        table.name: {first.run_id, second.run_id} for table in TABLES
    }
    visible = sorted(path.name for path in warehouse.iterdir() if not path.name.startswith("."))
    assert visible == ["_dataset.json", "_writer.lock", *sorted(table.name for table in TABLES)]
    # Each version is the run that wrote it, untouched by the next.
    assert {row["run_id"] for row in read_table(warehouse, "runs", first.run_id)} == {first.run_id}


def test_a_missing_column_fails_and_writes_nothing(spark: SparkSession, tmp_path: Path) -> None:
    source = write_messy_input(tmp_path / "in")
    warehouse = tmp_path / "wh"
    _run(spark, source, warehouse)
    before = _files(warehouse)
    (source / "c.csv").write_text("date,ticker,open,high,low,close\n2024-01-09,AAA,1,2,0.5,1\n")

    with pytest.raises(InputError, match=r"c\.csv: missing required column 'volume'"):
        _run(spark, source, warehouse)
    assert _files(warehouse) == before


def _files(warehouse: Path) -> dict[Path, bytes]:
    """Every file of the warehouse but the writer's lock (which names the last writer)."""
    return {
        path: path.read_bytes()
        for path in warehouse.rglob("*")
        if path.is_file() and path.name != "_writer.lock"
    }


def test_no_valid_row_fails_and_writes_nothing(spark: SparkSession, tmp_path: Path) -> None:
    source = tmp_path / "in"
    source.mkdir()
    (source / "bad.csv").write_text(
        "date,open,high,low,close,volume,ticker\n2024-02-30,1,2,0.5,1,10,A\n2024-01-02,1,2,0.5,0,10,A\n"
    )
    warehouse = tmp_path / "wh"
    with pytest.raises(InputError, match=r"no valid row in .*bad\.csv"):
        _run(spark, source, warehouse)
    assert nothing_written(warehouse)


def test_a_file_without_a_valid_row_fails_the_run(spark: SparkSession, tmp_path: Path) -> None:
    source = write_messy_input(tmp_path / "in")
    (source / "header_only.csv").write_text("date,open,high,low,close,volume,ticker\n")
    warehouse = tmp_path / "wh"
    with pytest.raises(InputError, match=r"no valid row in .*header_only\.csv"):
        _run(spark, source, warehouse)
    assert nothing_written(warehouse)


def test_generated_dirty_data_gives_the_generators_accounting(
    spark: SparkSession, tmp_path: Path
) -> None:
    """Cross-check against stock_analytics.generate, which counts what it injects."""
    from stock_analytics.generate import GenerateOptions, generate

    options = GenerateOptions(
        tickers=4,
        years=2,
        seed=7,
        out=tmp_path / "in",
        bad_row_fraction=0.02,
        files=3,
        compress=True,
    )
    injected = generate(options)
    summary = _run(spark, tmp_path / "in", tmp_path / "wh")

    counts = summary.accounting
    assert counts.rows_read == injected.rows_written
    assert counts.rows_accepted == injected.expected_accepted
    assert counts.rows_rejected == injected.expected_rejected
    assert counts.duplicates_collapsed == injected.injected["exact_duplicate"]
    for reason in ("bad_date", "missing_ticker", "bad_close", "bad_price", "bad_volume"):
        assert counts.rejected_by_reason[reason] == injected.injected[reason], reason
    assert counts.rejected_by_reason["conflicting_duplicate"] == (
        2 * injected.injected["conflicting_duplicate"]
    )
    assert sum(injected.injected.values()) > 10
    # Each daily_metrics file holds one year's rows of one write task, in (ticker, date) order.
    files = list((tmp_path / "wh" / "daily_metrics").rglob("part-*.parquet"))
    years = {file.parent.name for file in files}
    assert len(years) >= 2
    assert len(files) <= WRITE_TASKS * len(years)
    for file in files:
        rows = [(row["ticker"], row["date"]) for row in pq.read_table(file).to_pylist()]
        assert rows == sorted(rows), file
        assert {f"year={day.year}" for _ticker, day in rows} == {file.parent.name}


def test_clean_input_writes_an_empty_rejected_rows_table_of_the_same_schema(
    spark: SparkSession, tmp_path: Path
) -> None:
    """With no row rejected the table is planned empty (no scan of the judged rows for it):
    still one Parquet file per version, with the schema a run that rejects rows writes."""
    clean = tmp_path / "clean"
    clean.mkdir()
    (clean / "a.csv").write_text("\n".join([HEADER_A, *ROWS_A[:3]]) + "\n")
    messy = write_messy_input(tmp_path / "messy")

    def rejected_files(source: Path, warehouse: Path) -> tuple[RunSummary, list[Path]]:
        summary = _run(spark, source, warehouse)
        folder = warehouse / version_prefix(REJECTED_ROWS, summary.run_id)
        return summary, sorted(folder.glob("*.parquet"))

    clean_run, clean_files = rejected_files(clean, tmp_path / "wh-clean")
    messy_run, messy_files = rejected_files(messy, tmp_path / "wh-messy")

    assert clean_run.accounting.rows_rejected == 0 < messy_run.accounting.rows_rejected
    assert read_table(tmp_path / "wh-clean", "rejected_rows") == []
    assert len(clean_files) == len(messy_files) == 1
    assert pq.read_metadata(clean_files[0]).num_rows == 0
    assert pq.read_schema(clean_files[0]).equals(pq.read_schema(messy_files[0]), True)
