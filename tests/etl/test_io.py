"""Reading raw input: file discovery, loose headers, gzip, line numbers, clear errors."""

from __future__ import annotations

import gzip
import random
from collections.abc import Iterator
from pathlib import Path

import pytest
from pyspark.sql import SparkSession

import etl.io
from etl.io import (
    InputError,
    list_input_files,
    locate_columns,
    one_task_bytes,
    read_raw_input,
)
from tests.etl.frames import file_chunks_of


def _rows(spark: SparkSession, path: Path) -> dict[tuple[str, int], tuple[str, ...]]:
    raw = read_raw_input(spark, str(path))
    names = [Path(file.name).name for file in raw.files]
    columns = ("ticker", "date", "open", "high", "low", "close", "volume")
    return {
        (names[row["file_id"]], row["line"]): tuple(row[name] for name in columns)
        for row in raw.rows.collect()
    }


def test_headers_match_loosely_and_extra_columns_are_ignored(
    spark: SparkSession, tmp_path: Path
) -> None:
    (tmp_path / "a b.csv").write_text(
        "adjusted, Date ,HIGH, TICKER ,open,low,Close,VOLUME\n"
        "9,2024-01-03,12,AAA,10,9,11,1000\n"
        "\n"
        '9,2024-01-02,"1,2",AAA,10,9,11,\n'
    )
    (tmp_path / "sub").mkdir()
    with gzip.open(tmp_path / "sub" / "c.csv.gz", "wt") as out:
        out.write("\ufeffsymbol,date,open,high,low,close,volume\nBBB,2024-01-02,1,2,0.5,1.5,7\n")
    (tmp_path / "_temporary").mkdir()
    for ignored in ("README.md", ".hidden.csv", "_SUCCESS", "notes.txt", "_temporary/part.csv"):
        (tmp_path / ignored).write_text("date,open\nnot,data\n")

    assert _rows(spark, tmp_path) == {
        ("a b.csv", 2): ("AAA", "2024-01-03", "10", "12", "9", "11", "1000"),
        ("a b.csv", 4): ("AAA", "2024-01-02", "10", "1,2", "9", "11", None),
        ("c.csv.gz", 2): ("BBB", "2024-01-02", "1", "2", "0.5", "1.5", "7"),
    }
    files = read_raw_input(spark, str(tmp_path)).files
    assert [file.name for file in files] == [
        str(tmp_path / "a b.csv"),
        str(tmp_path / "sub" / "c.csv.gz"),
    ]


@pytest.fixture
def tiny_splits(spark: SparkSession) -> Iterator[None]:
    with file_chunks_of(spark, 256):
        yield


@pytest.mark.usefixtures("tiny_splits")
def test_line_numbers_are_physical_lines_across_splits(spark: SparkSession, tmp_path: Path) -> None:
    lines = ["date,open,high,low,close,volume,ticker"]
    for day in range(1, 29):
        lines.append(f"2024-02-{day:02d},1,2,0.5,1.5,{day},T{day}")
        if day % 5 == 0:
            lines.append("")
    (tmp_path / "long.csv").write_text("\n".join(lines) + "\n")
    (tmp_path / "short.csv").write_text(lines[0] + "\n" + lines[1] + "\n")

    assert spark.read.text(str(tmp_path / "long.csv")).rdd.getNumPartitions() > 2
    rows = _rows(spark, tmp_path)
    expected = {
        ("long.csv", number): line.split(",")[6]
        for number, line in enumerate(lines, start=1)
        if number > 1 and line
    }
    expected[("short.csv", 2)] = "T1"
    assert {key: values[0] for key, values in rows.items()} == expected


FIELD_PIECES = (
    b"", b" ", b"7", b"1.5", b"AAA", b"2024-01-02", b'"', b'""', b'"a,b"', b"\x00", b"\xef\xbb\xbf",
    b"\t", b"#", b"\\", b"\x1b", b"\xe2\x80\xa8", b"\xc2\x85", b"\xc3\xa9", b"\xff", b"\xc0\xaf",
    b"\xed\xa0\x80", b"\xe9", b"'", b";", b"\x0b\x0c", b"\xf0\x9f\x98", b"\xe2\x82",
)  # fmt: skip
r"""\xf0\x9f\x98, a 4-byte sequence cut short, decodes to one U+FFFD of as many bytes."""


def _hostile_line(rng: random.Random) -> bytes:
    fields = [
        b"".join(rng.choice(FIELD_PIECES) for _ in range(rng.choice((0, 1, 1, 2, 3))))
        for _ in range(rng.choice((1, 6, 7, 7, 7, 7, 8, 9)))
    ]
    return b",".join(fields)


@pytest.mark.usefixtures("tiny_splits")
def test_lines_split_at_commas_read_as_from_csv_reads_them(
    spark: SparkSession, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The cheap split of plain lines against from_csv and the record check on every line,
    over hostile bytes; files of two layouts, read whole and in chunks of a few lines."""
    rng = random.Random(11)
    lines = [_hostile_line(rng) for _ in range(3000)]
    (tmp_path / "seven.csv").write_bytes(
        b"\n".join([b"date,open,high,low,close,volume,ticker", *lines[:1500]]) + b"\n"
    )
    (tmp_path / "eight.csv").write_bytes(
        b"\n".join([b"x,ticker,volume,close,low,high,open,date", *lines[1500:]]) + b"\n"
    )
    # A byte order mark on a task's first line, the only one from_csv drops it from.
    (tmp_path / "small.csv").write_bytes(
        b"date,open,high,low,close,volume,ticker\n\xef\xbb\xbf2024-01-02,1,2,3,4,5,A\n"
    )
    fast = read_raw_input(spark, str(tmp_path)).rows.collect()
    monkeypatch.setattr(etl.io, "split_fields", etl.io.parse_fields)
    slow = read_raw_input(spark, str(tmp_path)).rows.collect()

    assert len(fast) > 2900
    assert sorted(fast) == sorted(slow)
    reasons = {row["record_error"] for row in slow}
    assert reasons == {None, "bad_encoding", "bad_quoting", "bad_field_count"}


@pytest.mark.parametrize(("max_partition", "open_cost"), [(256, 1024), (1024, 256)])
def test_a_file_up_to_the_one_split_size_is_read_in_one_task_and_one_byte_more_is_not(
    spark: SparkSession, tmp_path: Path, max_partition: int, open_cost: int
) -> None:
    keys = {"spark.sql.files.maxPartitionBytes": max_partition}
    keys["spark.sql.files.openCostInBytes"] = open_cost
    saved = {key: spark.conf.get(key) for key in keys}
    for key, value in keys.items():
        spark.conf.set(key, str(value))
    try:
        bound = one_task_bytes(spark)
        for size, tasks in ((bound, 1), (bound + 1, 2)):
            path = tmp_path / f"{size}.csv"
            path.write_text("x" * (size - 1) + "\n")
            assert spark.read.text(str(path)).rdd.getNumPartitions() == tasks
    finally:
        for key, value in saved.items():
            spark.conf.set(key, value)
    assert bound == min(max_partition, open_cost)


def test_a_single_file_is_read_whatever_its_name(spark: SparkSession, tmp_path: Path) -> None:
    path = tmp_path / "prices.txt"
    path.write_text("date,open,high,low,close,volume,ticker\n2024-01-02,1,2,0.5,1.5,7,A\n")
    assert list(_rows(spark, path)) == [("prices.txt", 2)]


def test_missing_column_names_the_file_and_the_column(spark: SparkSession, tmp_path: Path) -> None:
    (tmp_path / "good.csv").write_text("date,open,high,low,close,volume,ticker\n")
    (tmp_path / "bad.csv").write_text("date,open,high,low,close,ticker\n2024-01-02,1,2,0.5,1.5,A\n")
    with pytest.raises(InputError, match=r"bad\.csv: missing required column 'volume'"):
        read_raw_input(spark, str(tmp_path))


def test_ticker_may_be_spelled_symbol_but_must_exist() -> None:
    header = ["date", "open", "high", "low", "close", "volume"]
    assert locate_columns([*header, " Symbol "], "f")["ticker"] == 6
    assert locate_columns(["Ticker", *header, "symbol"], "f")["ticker"] == 0
    with pytest.raises(InputError, match=r"f: missing required column 'ticker' \(or 'symbol'\)"):
        locate_columns(header, "f")


def test_missing_or_empty_input_is_an_input_error(spark: SparkSession, tmp_path: Path) -> None:
    with pytest.raises(InputError, match="input not found"):
        list_input_files(spark, str(tmp_path / "nope"))
    (tmp_path / "README.md").write_text("no data here\n")
    with pytest.raises(InputError, match=r"no \.csv or \.csv\.gz file found"):
        list_input_files(spark, str(tmp_path))
    (tmp_path / "empty.csv").write_text("")
    with pytest.raises(InputError, match=r"empty\.csv: empty file, no header row"):
        read_raw_input(spark, str(tmp_path))
