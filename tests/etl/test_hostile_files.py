"""Broken files and a wrong warehouse path: a clear error that names the file, nothing written.

The policy: a file that cannot be read to its end (0-byte, corrupt or truncated
gzip), or whose header is not UTF-8, stops the run before anything is written
(InputError, exit 2), as a missing column does: no row is lost unseen.
"""

from __future__ import annotations

import gzip
import re
from pathlib import Path

import pytest
from pyspark.sql import SparkSession

from etl.io import InputError
from tests.etl.cli import run_etl
from tests.etl.hostile import HEADER, good_row, run_job, write_case
from tests.etl.warehouse_tables import nothing_written


def _truncated_gzip(path: Path) -> None:
    rows = [good_row(f"T{n}") for n in range(3000)]
    data = gzip.compress(("\n".join([HEADER, *rows]) + "\n").encode())
    path.write_bytes(data[: len(data) // 2])


def _folder_with(tmp_path: Path, bad_name: str) -> tuple[Path, Path]:
    """An input folder with a good file and `bad_name` (to be written), and its bad file path."""
    source = tmp_path / "in"
    source.mkdir()
    write_case(source, "good.csv", [good_row("GOOD")])
    return source, source / bad_name


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("empty.csv.gz", b""),
        ("corrupt.csv.gz", b"date,open,high,low,close,volume,ticker\n2024-01-02,1,2,0.5,1,1,A\n"),
        ("utf16.csv", f"{HEADER}\n{good_row('A')}\n".encode("utf-16")),
    ],
)
def test_an_unreadable_file_is_named_and_nothing_written(
    spark: SparkSession, tmp_path: Path, name: str, content: bytes
) -> None:
    source, bad = _folder_with(tmp_path, name)
    bad.write_bytes(content)
    with pytest.raises(InputError, match=rf"^{re.escape(str(bad))}: "):
        run_job(spark, source, tmp_path / "wh")
    assert nothing_written(tmp_path / "wh")


def test_a_truncated_gzip_is_named_and_nothing_written(spark: SparkSession, tmp_path: Path) -> None:
    source, bad = _folder_with(tmp_path, "truncated.csv.gz")
    _truncated_gzip(bad)
    with pytest.raises(
        InputError, match=rf"^{re.escape(str(bad))}: cannot be read to its end \(.*EOFException"
    ):
        run_job(spark, source, tmp_path / "wh")
    assert nothing_written(tmp_path / "wh")


def test_a_gzip_named_in_capitals_is_named_with_the_fix(
    spark: SparkSession, tmp_path: Path
) -> None:
    source, bad = _folder_with(tmp_path, "LOUD.CSV.GZ")
    bad.write_bytes(gzip.compress(f"{HEADER}\n{good_row('A')}\n".encode()))
    with pytest.raises(InputError, match=rf"^{re.escape(str(bad))}: .*lowercase \.gz; rename it"):
        run_job(spark, source, tmp_path / "wh")


def test_a_warehouse_path_that_is_a_file_fails_before_the_input_is_read(
    spark: SparkSession, tmp_path: Path
) -> None:
    warehouse = tmp_path / "wh"
    warehouse.write_text("a file\n")
    missing_input = tmp_path / "no such input"
    with pytest.raises(
        InputError, match=rf"^{re.escape(str(warehouse))}: the warehouse must be a folder"
    ):
        run_job(spark, missing_input, warehouse)
    with pytest.raises(InputError, match=rf"{re.escape(str(warehouse))} is a file"):
        run_job(spark, missing_input, warehouse / "sub" / "wh")
    assert warehouse.read_text() == "a file\n"


def test_the_cli_names_a_truncated_gzip_and_exits_2(tmp_path: Path) -> None:
    source, bad = _folder_with(tmp_path, "truncated.csv.gz")
    _truncated_gzip(bad)
    warehouse = tmp_path / "wh"
    done = run_etl(source, warehouse)
    assert done.returncode == 2, done.stderr
    assert f"ETL failed, nothing written: {bad}: cannot be read to its end" in done.stderr
    assert "Traceback" not in done.stderr
    assert "\tat org.apache" not in done.stderr, done.stderr
    assert nothing_written(warehouse)
