"""Layouts that put a byte order mark, a blank line or a header first in a task: the
split of plain lines must still read every line as from_csv reads it."""

from __future__ import annotations

import contextlib
import gzip
import random
from collections.abc import Iterator
from pathlib import Path

import pytest
from pyspark.sql import SparkSession

import etl.io
from etl.io import WHOLE_FILE_READS, read_raw_input
from tests.etl.frames import file_chunks_of

HEADER = b"date,open,high,low,close,volume,ticker"
BOM = b"\xef\xbb\xbf"
LINES = (
    b"2024-01-02,1,2,0.5,1.5,7,A",
    b",,,,,,",
    b" 2024-01-02 , 1,2,0.5,1.5,7, A ",
    b'2024-01-02,1,2,0.5,1.5,7,"A"',
    b"2024-01-02,1,2,0.5,1.5,7,A,",
    b"2024-01-02,1,2,0.5,1.5,7,\xff",
    b"\x002024-01-02,1,2,0.5,1.5,7,A",
    b"#2024-01-02,1,2,0.5,1.5,7,A",
    b"",
    b"   ",
    b"\t",
)


@pytest.fixture
def tiny_splits(spark: SparkSession) -> Iterator[None]:
    with file_chunks_of(spark, 128):
        yield


def _write_files(folder: Path, count: int, rng: random.Random) -> None:
    """`count` files (every third gzipped), of lines that mostly begin with a byte order mark."""
    for index in range(count):
        lines = [HEADER]
        for _ in range(rng.randint(1, 12)):
            line = rng.choice(LINES)
            lines.append(BOM + line if line and rng.random() < 0.7 else line)
        data = b"\n".join(lines) + b"\n"
        if index % 3 == 2:
            (folder / f"f{index:02d}.csv.gz").write_bytes(gzip.compress(data))
        else:
            (folder / f"f{index:02d}.csv").write_bytes(data)


@pytest.mark.usefixtures("tiny_splits")
@pytest.mark.parametrize("files", [4, WHOLE_FILE_READS + 4])
def test_byte_order_marks_first_in_tasks_are_read_as_from_csv_reads_them(
    spark: SparkSession, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, files: int
) -> None:
    """Files read whole and, past WHOLE_FILE_READS, counted: chunks of 128 bytes start
    mid-file, on a blank line, or on a line with a byte order mark."""
    _write_files(tmp_path, files, random.Random(files))
    fast = read_raw_input(spark, str(tmp_path)).rows.collect()
    monkeypatch.setattr(etl.io, "split_fields", etl.io.parse_fields)
    slow = read_raw_input(spark, str(tmp_path)).rows.collect()

    assert sorted(fast) == sorted(slow)
    # from_csv dropped some marks (a task's first line) and kept the others.
    dates = [row["date"] for row in slow if row["date"] and "2024" in row["date"]]
    assert any(date.startswith("\ufeff") for date in dates)
    assert any(date.startswith("2024") for date in dates)


def test_a_line_of_more_fields_than_the_csv_parser_holds_is_a_rejected_row(
    spark: SparkSession, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Univocity stops at 20480 columns: such a line failed the whole read."""
    fields = ["2024-01-02", "1", "2", "0.5", "1.5", "7", "A", *("x" * 30_000)]
    plain = "2024-01-03,1,2,0.5,1.5,8,B"
    (tmp_path / "wide.csv").write_text("\n".join([HEADER.decode(), ",".join(fields), plain]) + "\n")
    # A record is never cut: its commas inside quotes are no fields.
    quoted = '"' + "," * 30_000 + '",' + ",".join(fields[:7])
    (tmp_path / "quoted.csv").write_text(f"x,{HEADER.decode()}\n{quoted}\n")
    raw = read_raw_input(spark, str(tmp_path))
    fast = raw.rows.collect()
    monkeypatch.setattr(etl.io, "split_fields", etl.io.parse_fields)
    slow = read_raw_input(spark, str(tmp_path)).rows.collect()

    assert sorted(fast) == sorted(slow)
    names = [Path(file.name).name for file in raw.files]
    columns = HEADER.decode().split(",")
    read = {
        (names[row["file_id"]], row["line"]): ([row[name] for name in columns], row["record_error"])
        for row in slow
    }
    assert read == {
        ("wide.csv", 2): (fields[:7], "bad_field_count"),
        ("wide.csv", 3): (plain.split(","), None),
        ("quoted.csv", 2): (fields[:7], None),
    }


GLOB_NAMES = ("a[1].csv", "a1.csv", "q?.csv", "qx.csv", "c{d}.csv", "star*.csv", "starz.csv")
"""File names Hadoop would take as patterns (a[1] matches a1, q? matches qx), and the files they
would match."""


@pytest.mark.parametrize(("chunk", "padding"), [(None, 0), (128, 0), (128, WHOLE_FILE_READS)])
def test_file_names_with_glob_characters_are_read_as_themselves(
    spark: SparkSession, tmp_path: Path, chunk: int | None, padding: int
) -> None:
    """A file named a[1].csv was read as a1.csv (or, split, both numbered as one file), and
    c{d}.csv was not found: every line must come from its own file, numbered in it."""
    expected = {}
    names = [*GLOB_NAMES, *(f"pad{index:02d}.csv" for index in range(padding))]
    for index, name in enumerate(names):
        lines = [f"2024-01-{day:02d},1,2,0.5,{day},7,T{index}" for day in range(1, 9)]
        (tmp_path / name).write_text("\n".join([HEADER.decode(), *lines]) + "\n")
        expected.update({(name, number): line for number, line in enumerate(lines, start=2)})
    columns = HEADER.decode().split(",")
    with file_chunks_of(spark, chunk) if chunk else contextlib.nullcontext():
        raw = read_raw_input(spark, str(tmp_path))
        rows = raw.rows.collect()
    files = [Path(file.name).name for file in raw.files]
    read = [
        ((files[row["file_id"]], row["line"]), ",".join(row[column] for column in columns))
        for row in rows
    ]

    assert sorted(read) == sorted(expected.items())
