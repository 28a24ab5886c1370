"""A bounded generative test: randomly mutated CSV through the real job.

Each run reads one folder of many mutated files (fixed seeds, a fixed count), so
a few Spark runs cover thousands of mutations. Whatever the bytes, the run ends
with exit 0 or 2 (an InputError), never anything else; and when it succeeds, the
rows read are the data lines written, the accounting matches the tables, every
reason is a known one and every stored metric is finite.
"""

from __future__ import annotations

import gzip
import random
import re
from collections.abc import Callable
from pathlib import Path

import pytest
from pyspark.sql import SparkSession

from etl.io import InputError
from etl.tables import REJECT_REASONS
from tests.etl.hostile import (
    HEADER,
    assert_accounting_matches_tables,
    non_finite_metrics,
    run_job,
)
from tests.etl.warehouse_tables import nothing_written, read_table

FILES_PER_RUN = 12
ROWS_PER_FILE = 40
MUTATED_ROWS_PER_FILE = 12
HOSTILE_NUMBERS = (
    "1e-300", "1e300", "1e308", "4.9e-324", "NaN", "-Infinity", "Infinity", "-0", "0",
    "0x1A", "1_000", "１２", "1e15", "1E+12", "1000000000000001", "99999999999999999999",
    " 5 ", "+7", ".5", "5.", "1,5", "1e-6", "1e12", "", "-1",
)  # fmt: skip
HOSTILE_DATES = (
    "0000-01-01", "9999-12-31", "1582-10-04", "1969-12-31", "2101-01-01", "2024-02-30",
    "+2024-01-01", "-0001-01-01", "20240102", "2024-1-2", "1970-01-01", "2100-12-31",
)  # fmt: skip
HOSTILE_TICKERS = (
    "", " ", "X" * 200, "A\tB", "A\x00B", "A\u200bB", "=1+2", "@SUM(A1)", "-1", '"', "É",
)  # fmt: skip
HOSTILE_BYTES = (
    b"\x00", b"\xff", b"\xe9", b"\xc0\xaf", b"\xed\xa0\x80", b"\xef\xbb\xbf", b"\r", b"\n",
    b"\r\n", b",", b'"', b'""', b" ", b"\t", b"\x1b[2J",
)  # fmt: skip
Mutation = Callable[[random.Random, bytes], bytes]


def _replace_field(values: tuple[str, ...], columns: range) -> Mutation:
    def mutate(rng: random.Random, row: bytes) -> bytes:
        fields = row.split(b",")
        column = rng.choice(columns)
        if column < len(fields):
            fields[column] = rng.choice(values).encode()
        return b",".join(fields)

    return mutate


def _insert_bytes(rng: random.Random, row: bytes) -> bytes:
    at = rng.randrange(len(row) + 1)
    return row[:at] + rng.choice(HOSTILE_BYTES) + row[at:]


def _delete_bytes(rng: random.Random, row: bytes) -> bytes:
    at = rng.randrange(len(row))
    return row[:at] + row[at + rng.randint(1, 3) :]


def _quote_field(rng: random.Random, row: bytes) -> bytes:
    fields = row.split(b",")
    column = rng.randrange(len(fields))
    quoted = rng.choice([b'"%s"', b'"%s', b'%s"', b'"%s""', b'"""%s"""', b' "%s" '])
    fields[column] = quoted % fields[column].replace(b'"', b'""')
    return b",".join(fields)


def _change_field_count(rng: random.Random, row: bytes) -> bytes:
    fields = row.split(b",")
    if rng.random() < 0.5:
        fields.insert(rng.randrange(len(fields) + 1), rng.choice([b"1", b"", b"x"]))
    else:
        del fields[rng.randrange(len(fields))]
    return b",".join(fields)


def _reencode(rng: random.Random, row: bytes) -> bytes:
    text = row.decode("utf-8", "replace") + rng.choice(["é", "€", "ß", "字"])
    return text.encode(rng.choice(["latin-1", "utf-16-le", "cp1252", "utf-8"]), "replace")


MUTATIONS: tuple[Mutation, ...] = (
    _replace_field(HOSTILE_NUMBERS, range(1, 6)),
    _replace_field(HOSTILE_DATES, range(1)),
    _replace_field(HOSTILE_TICKERS, range(6, 7)),
    _insert_bytes,
    _delete_bytes,
    _quote_field,
    _change_field_count,
    _reencode,
)


def _clean_rows(rng: random.Random, tickers: list[str]) -> list[bytes]:
    rows = []
    for index in range(ROWS_PER_FILE):
        ticker = tickers[index % len(tickers)]
        day = 2 + index // len(tickers)
        close = rng.uniform(1, 500)
        rows.append(
            f"2024-03-{day:02d},{close:.2f},{close * 1.1:.2f},{close * 0.9:.2f},"
            f"{close:.4f},{rng.randint(0, 10**7)},{ticker}".encode()
        )
    return rows


def _data_lines(content: bytes) -> int:
    """The data lines Spark reads in a file: ended by \\n, \\r or \\r\\n, blank ones skipped."""
    lines = re.split(rb"\r\n|\r|\n", content)
    if lines and lines[-1] == b"":
        lines.pop()
    return sum(1 for line in lines[1:] if line.strip(b" "))


def _write_mutated_folder(folder: Path, seed: int) -> int:
    """FILES_PER_RUN files of mutated rows; returns how many data lines they hold."""
    rng = random.Random(seed)
    folder.mkdir()
    total = 0
    for number in range(FILES_PER_RUN):
        # A ticker of its own per file, and one shared by all: duplicates across files.
        rows = _clean_rows(rng, [f"F{number}", f"G{number}", "SHARED"])
        for index in rng.sample(range(len(rows)), MUTATED_ROWS_PER_FILE):
            for _ in range(rng.randint(1, 3)):
                rows[index] = rng.choice(MUTATIONS)(rng, rows[index])
        content = HEADER.encode() + b"\n" + b"\n".join(rows) + rng.choice([b"\n", b"", b"\r\n"])
        total += _data_lines(content)
        if rng.random() < 0.3:
            (folder / f"part-{number}.csv.gz").write_bytes(gzip.compress(content))
        else:
            (folder / f"part-{number}.csv").write_bytes(content)
    return total


def _break_a_file(folder: Path, rng: random.Random) -> None:
    """Damage one file of `folder` as a whole: its header, or its bytes."""
    victim = rng.choice(sorted(folder.iterdir()))
    content = victim.read_bytes()
    damage = rng.choice(["truncate", "header", "empty", "garbage"])
    if damage == "truncate":
        content = content[: rng.randrange(1, len(content))]
    elif damage == "header":
        content = rng.choice([b"date;open;close\n", b"\xff\xfe", b"\n", b'"date,open']) + content
    elif damage == "empty":
        content = b""
    else:
        content = bytes(rng.randrange(256) for _ in range(200))
    victim.write_bytes(content)


@pytest.mark.parametrize("seed", [20240601, 20240602])
def test_mutated_rows_are_all_accounted_for(spark: SparkSession, tmp_path: Path, seed: int) -> None:
    lines = _write_mutated_folder(tmp_path / "in", seed)
    summary = run_job(spark, tmp_path / "in", tmp_path / "wh")

    assert summary.accounting.rows_read == lines
    assert_accounting_matches_tables(summary, tmp_path / "wh")
    assert summary.accounting.rows_rejected > FILES_PER_RUN * MUTATED_ROWS_PER_FILE // 3
    reasons = {row["reason"] for row in read_table(tmp_path / "wh", "rejected_rows")}
    assert reasons <= set(REJECT_REASONS)
    assert len(reasons) >= 6
    assert non_finite_metrics(tmp_path / "wh") == []


@pytest.mark.parametrize("seed", [7, 8])
def test_a_broken_file_ends_the_run_cleanly(spark: SparkSession, tmp_path: Path, seed: int) -> None:
    _write_mutated_folder(tmp_path / "in", seed)
    _break_a_file(tmp_path / "in", random.Random(seed))
    try:
        summary, failure = run_job(spark, tmp_path / "in", tmp_path / "wh"), None
    except InputError as error:  # exit 2
        summary, failure = None, str(error)
    if summary is None:
        assert str(tmp_path / "in") in str(failure), "the message names the file"
        assert nothing_written(tmp_path / "wh")
    else:
        assert_accounting_matches_tables(summary, tmp_path / "wh")
        assert non_finite_metrics(tmp_path / "wh") == []
