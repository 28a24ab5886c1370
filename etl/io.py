"""Reading the raw input: find the CSV files, map their headers, read every row as strings.

Every file is read as text with an explicit all-string schema (`from_csv`), so a
bad value becomes a row to reject, never a column of the wrong type. Files go
through Hadoop's FileSystem API, which works alike for local paths and S3.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import reduce
from typing import Any

from pyspark.sql import Column, DataFrame, SparkSession
from pyspark.sql import functions as F

from etl.tables import RAW_COLUMNS

INPUT_SUFFIXES = (".csv", ".csv.gz")
LOCAL_SCHEME = r"^file:/+"
"""Spark writes local file URIs as file:///x, Hadoop as file:/x: both become /x."""
TICKER_ALIASES = ("ticker", "symbol")
"""Header names accepted for the ticker column, in order of preference."""


class InputError(Exception):
    """The input cannot be read as daily prices; the run stops before writing anything."""


@dataclass(frozen=True)
class InputFile:
    path: str
    """The qualified Hadoop path, as Spark and Hadoop take it."""
    key: str
    """The path as a URI without `file:` (what LOCAL_SCHEME makes of input_file_name())."""
    name: str
    """The file as a person knows it: a local path, or the URI elsewhere."""
    header: tuple[str, ...]


@dataclass(frozen=True)
class RawInput:
    files: tuple[InputFile, ...]
    rows: DataFrame
    """One row per data line: file_id (index into `files`), line, then RAW_COLUMNS as strings."""

    def file_names(self, spark: SparkSession) -> DataFrame:
        """file_id -> source_file, the name of the file as a person knows it."""
        return spark.createDataFrame(
            [(file_id, file.name) for file_id, file in enumerate(self.files)],
            "file_id int, source_file string",
        )


def read_raw_input(spark: SparkSession, path: str) -> RawInput:
    """Read every data row of the input at `path` (a file, a folder or an S3 prefix)."""
    files = tuple(_describe_file(spark, file) for file in list_input_files(spark, path))
    groups: dict[tuple[int, ...], dict[int, InputFile]] = {}
    for file_id, file in enumerate(files):
        positions = locate_columns(file.header, file.name)
        groups.setdefault(tuple(positions[name] for name in RAW_COLUMNS), {})[file_id] = file
    frames = [_read_files(spark, members, positions) for positions, members in groups.items()]
    return RawInput(files=files, rows=reduce(DataFrame.unionByName, frames))


def list_input_files(spark: SparkSession, path: str) -> list[str]:
    """The input files (qualified paths): `path` itself, or the .csv/.csv.gz files below it.

    Files and folders whose names start with `.` or `_` are skipped.
    """
    root = _hadoop_path(spark, path)
    fs = _file_system(spark, root)
    if not fs.exists(root):
        raise InputError(f"{path}: input not found")
    root = fs.makeQualified(root)
    if fs.getFileStatus(root).isFile():
        return [str(root.toString())]
    found: list[str] = []
    prefix = str(root.toString()).rstrip("/") + "/"
    listing = fs.listFiles(root, True)
    while listing.hasNext():
        file_path = str(listing.next().getPath().toString())
        # Hidden files and folders (.x, _x: _SUCCESS, _temporary/) are not input.
        parts = file_path.removeprefix(prefix).split("/")
        if parts[-1].endswith(INPUT_SUFFIXES) and not any(
            part.startswith((".", "_")) for part in parts
        ):
            found.append(file_path)
    if not found:
        raise InputError(f"{path}: no .csv or .csv.gz file found")
    return sorted(found)


def locate_columns(header: Sequence[str], source: str) -> dict[str, int]:
    """Map each raw column to its position in `header`, matching names loosely.

    Names match case-insensitively with surrounding spaces ignored; `symbol` is
    accepted for `ticker`; other columns are ignored.
    """
    names = [name.strip().lower() for name in header]
    positions: dict[str, int] = {}
    for column in RAW_COLUMNS:
        accepted = TICKER_ALIASES if column == "ticker" else (column,)
        position = next((names.index(name) for name in accepted if name in names), None)
        if position is None:
            spelled = " (or 'symbol')" if column == "ticker" else ""
            raise InputError(
                f"{source}: missing required column '{column}'{spelled}; "
                f"header is {', '.join(header)}"
            )
        positions[column] = position
    return positions


def _describe_file(spark: SparkSession, qualified: str) -> InputFile:
    path = _hadoop_path(spark, qualified)
    uri = path.toUri()
    name = str(uri.getPath()) if uri.getScheme() == "file" else qualified
    line = _first_line(spark, path)
    if line is None:
        raise InputError(f"{name}: empty file, no header row")
    header = next(csv.reader([line.lstrip("\ufeff")]), [])
    key = re.sub(LOCAL_SCHEME, "/", str(uri.toString()))
    return InputFile(path=qualified, key=key, name=name, header=tuple(header))


def _first_line(spark: SparkSession, path: Any) -> str | None:
    jvm: Any = spark.sparkContext._jvm
    fs = _file_system(spark, path)
    codec = jvm.org.apache.hadoop.io.compress.CompressionCodecFactory(
        spark.sparkContext._jsc.hadoopConfiguration()
    ).getCodec(path)
    stream = fs.open(path)
    if codec is not None:
        stream = codec.createInputStream(stream)
    reader = jvm.java.io.BufferedReader(jvm.java.io.InputStreamReader(stream, "UTF-8"))
    try:
        line = reader.readLine()
    finally:
        reader.close()
    return None if line is None else str(line)


def _read_files(
    spark: SparkSession, files: dict[int, InputFile], positions: tuple[int, ...]
) -> DataFrame:
    lines = spark.read.text([file.path for file in files.values()]).select(
        F.col("value"),
        F.regexp_replace(F.input_file_name(), LOCAL_SCHEME, "/").alias("key"),
        F.col("_metadata.file_block_start").alias("block_start"),
        F.monotonically_increasing_id().alias("row_id"),
    )
    numbered = _number_lines(spark, lines, files)
    width = max(positions) + 1
    schema = ", ".join(f"c{index} STRING" for index in range(width))
    # Parse each line once into a struct, then pick its fields.
    fields = numbered.where((F.col("line") > 1) & (F.trim(F.col("value")) != "")).select(
        "file_id", "line", F.from_csv(F.col("value"), schema).alias("fields")
    )
    return fields.select(
        "file_id",
        "line",
        *(
            F.col("fields").getField(f"c{position}").alias(column)
            for column, position in zip(RAW_COLUMNS, positions, strict=True)
        ),
    )


def _number_lines(spark: SparkSession, lines: DataFrame, files: dict[int, InputFile]) -> DataFrame:
    """Add `file_id` and `line` (1-based, within its file) to the lines of a text read.

    Spark reads a file in chunks (splits), each chunk's lines in order within one
    task; so a line's number is the count of lines in the file's earlier chunks
    plus its position in its own chunk. Counting the lines per chunk is one
    pass over the input that reads nothing else.
    """
    file_ids = {file.key: file_id for file_id, file in files.items()}
    chunks = (
        lines.groupBy("key", "block_start")
        .agg(F.min("row_id").alias("first_row_id"), F.count(F.lit(1)).alias("lines"))
        .collect()
    )
    offsets, lines_so_far = [], dict.fromkeys(file_ids, 0)
    for chunk in sorted(chunks, key=lambda chunk: (chunk.key, chunk.block_start)):
        if chunk.key not in file_ids:
            raise RuntimeError(f"Spark read {chunk.key}, which is not one of the input files")
        offsets.append(
            (
                chunk.key,
                chunk.block_start,
                file_ids[chunk.key],
                chunk.first_row_id,
                lines_so_far[chunk.key],
            )
        )
        lines_so_far[chunk.key] += chunk.lines
    chunk_offsets = spark.createDataFrame(
        offsets,
        "key string, block_start bigint, file_id int, first_row_id bigint, lines_before bigint",
    )
    line: Column = F.col("lines_before") + F.col("row_id") - F.col("first_row_id") + 1
    return lines.join(F.broadcast(chunk_offsets), ["key", "block_start"]).select(
        "value", "file_id", line.alias("line")
    )


def _hadoop_path(spark: SparkSession, path: str) -> Any:
    jvm: Any = spark.sparkContext._jvm
    return jvm.org.apache.hadoop.fs.Path(path)


def _file_system(spark: SparkSession, path: Any) -> Any:
    return path.getFileSystem(spark.sparkContext._jsc.hadoopConfiguration())
