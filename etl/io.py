"""Reading the raw input: find the CSV files, map their headers, read every row as strings.

Every file is read as text into an explicit all-string schema (a plain line split
at its commas, any other through `from_csv`), so a bad value becomes a row to
reject, never a column of the wrong type. A line that is not a well-formed RFC
4180 record of its file's width is marked with the reason (`record_error`). Files
go through Hadoop's FileSystem API, which works alike for local paths and S3.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import cached_property, reduce
from typing import Any

from py4j.protocol import Py4JJavaError
from pyspark.sql import Column, DataFrame, SparkSession
from pyspark.sql import functions as F

from etl.tables import RAW_COLUMNS

INPUT_SUFFIXES = (".csv", ".csv.gz")
"""Matched case-insensitively: PRICES.CSV is input too."""
CSV_OPTIONS = {"quote": '"', "escape": '"'}
"""RFC 4180: a quote inside a quoted field is written twice."""
PARSER_COLUMNS = 20480
"""The most fields from_csv's parser (Univocity) holds in a line by default."""
QUOTED_FIELD = r'(?<=^|,)"[^"]*"(?=,|$)'
"""A whole quoted field, once its doubled quotes are taken out."""
REPLACEMENT_CHARACTER = "\ufffd"
"""What a byte sequence that is not UTF-8 decodes to (in a header line)."""
LOCAL_SCHEME = r"^file:/+"
"""Spark writes local file URIs as file:///x, Hadoop as file:/x: both become /x."""
TICKER_ALIASES = ("ticker", "symbol")
"""Header names accepted for the ticker column, in order of preference."""
WHOLE_FILE_READS = 16
"""Up to this many input files, each file Spark reads in one task is read on its own."""
GLOB_CHARACTERS = re.compile(r"([\\{}\[\]*?])")
"""What Spark's reader takes a path for a pattern by (a[1].csv would read a1.csv)."""
ROW_IN_TASK = (1 << 33) - 1
"""monotonically_increasing_id is the task's partition index << 33 + the row's position in it."""


class InputError(Exception):
    """The input (or where the output goes) is unusable; the run stops before writing anything."""


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
    located: DataFrame
    """One row per data line: file_id (index into `files`), location, RAW_COLUMNS as
    strings, then record_error ('bad_encoding', 'bad_quoting', 'bad_field_count'
    or null). A line's location is unique and in line order within its file (the header's
    is 0): its line - 1, except in a file read in chunks (`chunked`), where it is its
    chunk's start + its position in the chunk, turned into a line by `number_lines`."""
    skipped: tuple[str, ...] = ()
    """Files under the input folder that are not input (not .csv or .csv.gz)."""
    chunked: dict[int, DataFrame] = field(default_factory=dict)
    """The lines (block_start, row_id) of each file read in chunks on its own, by file_id:
    counted per chunk only when a line number of that file is wanted."""

    @cached_property
    def rows(self) -> DataFrame:
        """`located` with `line` (1-based, within its file) in place of location."""
        return self.number_lines(self.located, set(self.chunked))

    def number_lines(self, located: DataFrame, file_ids: set[int]) -> DataFrame:
        """`located` (rows with file_id and location) with `line` in place of location.

        Rows of a chunked file must be of one of `file_ids`, whose lines are counted per
        chunk (one job): a line's number is the lines of its file's earlier chunks, plus
        its position in its own chunk. Rows of other files need no count.
        """
        chunks = _chunk_lines(self.located.sparkSession, self.files, self.chunked, file_ids)
        position = F.col("location") + 1
        if chunks is None:
            return _with_line(located, position)
        joined = located.join(
            F.broadcast(chunks),
            (located["file_id"] == chunks["chunk_file_id"])
            & (located["location"] >= chunks["block_start"])
            & (located["location"] < chunks["next_start"]),
            "left",
        )
        shift = F.coalesce(F.col("lines_before") - F.col("block_start"), F.lit(0))
        shifted = joined.select(*located.columns, shift.alias("shift"))
        return _with_line(shifted, position + F.col("shift"))


def _with_line(located: DataFrame, line: Column) -> DataFrame:
    return located.select(
        *(
            line.alias("line") if name == "location" else F.col(name)
            for name in located.columns
            if name != "shift"
        )
    )


def _chunk_lines(
    spark: SparkSession,
    files: Sequence[InputFile],
    chunked: dict[int, DataFrame],
    file_ids: set[int],
) -> DataFrame | None:
    """(chunk_file_id, block_start, next_start, lines_before) of every chunk of the chunked
    files among `file_ids`, or None if there is none."""
    wanted = {file_id: lines for file_id, lines in chunked.items() if file_id in file_ids}
    if not wanted:
        return None
    with named_read_errors(spark, [files[file_id] for file_id in wanted]):
        counts = reduce(
            DataFrame.unionByName,
            (
                lines.groupBy("block_start")
                .agg(F.min("row_id").alias("first_row_id"), F.count(F.lit(1)).alias("lines"))
                .select(F.lit(file_id).alias("file_id"), "block_start", "first_row_id", "lines")
                for file_id, lines in wanted.items()
            ),
        ).collect()
    rows, lines_so_far = [], dict.fromkeys(wanted, 0)
    ordered = sorted(counts, key=lambda chunk: (chunk.file_id, chunk.block_start))
    for chunk, following in zip(ordered, [*ordered[1:], None], strict=True):
        # A location is the chunk's start + the line's position in its task: exact only
        # when every chunk is a task of its own (one file's read: Spark packs no two).
        if chunk.first_row_id & ROW_IN_TASK:
            raise RuntimeError(f"a chunk of {files[chunk.file_id].name} shares a task")
        same_file = following is not None and following.file_id == chunk.file_id
        next_start = following.block_start if following is not None and same_file else 1 << 62
        rows.append((chunk.file_id, chunk.block_start, next_start, lines_so_far[chunk.file_id]))
        lines_so_far[chunk.file_id] += chunk.lines
    return _literal_rows(spark, rows, CHUNKS)


def read_raw_input(spark: SparkSession, path: str) -> RawInput:
    """Read every data row of the input at `path` (a file, a folder or an S3 prefix).

    Raises InputError, naming the file, when a file cannot be read to its end
    (a corrupt or truncated .csv.gz) or its header is unusable.
    """
    found, skipped = find_input_files(spark, path)
    files = tuple(_describe_file(spark, file) for file in found)
    groups: dict[tuple[int, ...], dict[int, InputFile]] = {}
    for file_id, file in enumerate(files):
        positions = locate_columns(file.header, file.name)
        layout = (len(file.header), *(positions[name] for name in RAW_COLUMNS))
        groups.setdefault(layout, {})[file_id] = file
    chunked: dict[int, DataFrame] = {}
    frames = [_read_files(spark, members, layout, chunked) for layout, members in groups.items()]
    return RawInput(
        files=files,
        located=reduce(DataFrame.unionByName, frames),
        skipped=tuple(_display_name(spark, file) for file in skipped),
        chunked=chunked,
    )


def list_input_files(spark: SparkSession, path: str) -> list[str]:
    """The input files (qualified paths): `path` itself, or the .csv/.csv.gz files below it."""
    return find_input_files(spark, path)[0]


def find_input_files(spark: SparkSession, path: str) -> tuple[list[str], list[str]]:
    """The input files below `path` and the files skipped there, as qualified paths.

    A file given by name is read whatever its name. In a folder, files and folders
    whose names start with `.` or `_` are ignored (not listed as skipped), and
    the other files whose names do not end in .csv or .csv.gz are skipped.
    """
    root = _hadoop_path(spark, path)
    fs = _file_system(spark, root)
    if not fs.exists(root):
        raise InputError(f"{path}: input not found")
    root = fs.makeQualified(root)
    if fs.getFileStatus(root).isFile():
        return [str(root.toString())], []
    found: list[str] = []
    skipped: list[str] = []
    prefix = str(root.toString()).rstrip("/") + "/"
    listing = fs.listFiles(root, True)
    while listing.hasNext():
        file_path = str(listing.next().getPath().toString())
        # Hidden files and folders (.x, _x: _SUCCESS, _temporary/) are not input.
        parts = file_path.removeprefix(prefix).split("/")
        if any(part.startswith((".", "_")) for part in parts):
            continue
        (found if parts[-1].lower().endswith(INPUT_SUFFIXES) else skipped).append(file_path)
    if not found:
        raise InputError(f"{path}: no .csv or .csv.gz file found")
    return sorted(found), sorted(skipped)


def check_output_location(spark: SparkSession, warehouse: str) -> None:
    """Fail early when the warehouse path, or a folder on its way, is a file."""
    path = _hadoop_path(spark, warehouse)
    fs = _file_system(spark, path)
    while path is not None and not fs.exists(path):
        path = path.getParent()
    if path is not None and fs.getFileStatus(path).isFile():
        file = _display_name(spark, str(path.toString()))
        raise InputError(f"{warehouse}: the warehouse must be a folder, and {file} is a file")


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
    name = _display_name(spark, qualified)
    if name.lower().endswith(".gz") and not name.endswith(".gz"):
        raise InputError(f"{name}: Hadoop unzips only names ending in lowercase .gz; rename it")
    try:
        line = _first_line(spark, path)
    except Py4JJavaError as error:
        raise InputError(f"{name}: cannot be read ({_java_message(error)})") from None
    if line is None:
        raise InputError(f"{name}: empty file, no header row")
    if REPLACEMENT_CHARACTER in line or "\x00" in line:
        raise InputError(f"{name}: the header is not UTF-8 text")
    header = next(csv.reader([line.lstrip("\ufeff")]), [])
    key = re.sub(LOCAL_SCHEME, "/", str(path.toUri().toString()))
    return InputFile(path=qualified, key=key, name=name, header=tuple(header))


def _display_name(spark: SparkSession, qualified: str) -> str:
    """The file as a person knows it: a local path, or the URI elsewhere."""
    uri = _hadoop_path(spark, qualified).toUri()
    return str(uri.getPath()) if uri.getScheme() == "file" else qualified


def _find_unreadable_file(spark: SparkSession, files: Sequence[InputFile]) -> InputError | None:
    """Read each compressed file to its end; the error naming the first that fails."""
    jvm: Any = spark.sparkContext._jvm
    for file in files:
        path = _hadoop_path(spark, file.path)
        codec = _codec(spark, path)
        if codec is None:
            continue
        try:
            stream = codec.createInputStream(_file_system(spark, path).open(path))
            jvm.org.apache.hadoop.io.IOUtils.copyBytes(
                stream, jvm.java.io.OutputStream.nullOutputStream(), 1 << 16, True
            )
        except Py4JJavaError as error:
            return InputError(f"{file.name}: cannot be read to its end ({_java_message(error)})")
    return None


def _java_message(error: Py4JJavaError) -> str:
    """The innermost Java exception, as `Class: message`."""
    cause = error.java_exception
    while cause.getCause() is not None:
        cause = cause.getCause()
    return str(cause.toString())


def _first_line(spark: SparkSession, path: Any) -> str | None:
    jvm: Any = spark.sparkContext._jvm
    fs = _file_system(spark, path)
    codec = _codec(spark, path)
    stream = fs.open(path)
    if codec is not None:
        stream = codec.createInputStream(stream)
    reader = jvm.java.io.BufferedReader(jvm.java.io.InputStreamReader(stream, "UTF-8"))
    try:
        line = reader.readLine()
    finally:
        reader.close()
    return None if line is None else str(line)


def _codec(spark: SparkSession, path: Any) -> Any:
    """The Hadoop compression codec of `path` (by its suffix), or None."""
    jvm: Any = spark.sparkContext._jvm
    factory = jvm.org.apache.hadoop.io.compress.CompressionCodecFactory(
        spark.sparkContext._jsc.hadoopConfiguration()
    )
    return factory.getCodec(path)


def _read_files(
    spark: SparkSession,
    files: dict[int, InputFile],
    layout: tuple[int, ...],
    chunked: dict[int, DataFrame],
) -> DataFrame:
    """The data lines of `files`, which share a `layout`: header width, then column positions.
    The lines of the files read in chunks on their own are added to `chunked`."""
    whole = _read_whole_files(spark, files)
    frames = list(whole.values())
    if split := {file_id: file for file_id, file in files.items() if file_id not in whole}:
        if len(files) <= WHOLE_FILE_READS:
            frames.extend(_locate_file_lines(spark, split, chunked))
        else:
            with named_read_errors(spark, list(split.values())):
                frames.append(_number_lines(spark, _read_text(spark, split), split))
    located = reduce(DataFrame.unionByName, frames)
    width, *positions = layout
    data = located.where((F.col("location") > 0) & (F.trim(F.col("value")) != ""))
    return split_fields(data, width, positions)


def split_fields(lines: DataFrame, width: int, positions: Sequence[int]) -> DataFrame:
    """file_id, location, RAW_COLUMNS (the fields at `positions`) and record_error of `lines`
    (file_id, location, value: a line's bytes as read, of a file whose header has `width` fields).

    A line in UTF-8 with no quote and `width` fields (nearly every line) is split at its
    commas, an empty field being null: what `from_csv` makes of it, for a fraction of the
    cost. Any other line goes through `from_csv` and `_record_error` (`parse_fields`).
    """
    raw_text = F.col("value")
    # A line is UTF-8 when its bytes, decoded (U+FFFD for each sequence that is not) and
    # encoded again, are the same bytes: `_checked_record_error`'s test. Joining the split's
    # pieces back, decoded by the split already, cost more than decoding the line again.
    parts = F.split(raw_text, ",", -1)
    utf8 = F.decode(raw_text.cast("binary"), "UTF-8") == raw_text
    # A plain line is a well-formed record: its record_error is null.
    plain = ~raw_text.contains('"') & (F.size(parts) == width) & utf8
    # from_csv drops a leading byte order mark only from the first line its parser reads in
    # a task: that line still goes through from_csv, so the same line loses it as before.
    first = F.monotonically_increasing_id().bitwiseAND(ROW_IN_TASK) == 0
    # Three projections, so that neither the split nor from_csv is computed twice.
    split = lines.select(
        "file_id",
        "location",
        "value",
        plain.alias("plain"),
        (~plain | first).alias("csv"),
        parts.alias("parts"),
        F.when(~plain, _checked_record_error(raw_text, width)).alias("record_error"),
    )
    record_error = F.col("record_error")
    parsed = split.select(
        "file_id",
        "location",
        "csv",
        *(F.col("parts")[position].alias(f"p{position}") for position in positions),
        F.when(F.col("csv"), _csv_struct(raw_text, width, record_error)).alias("fields"),
        record_error,
    )

    def field(position: int) -> Column:
        part = F.col(f"p{position}")
        return F.when(F.col("csv"), F.col("fields").getField(f"c{position}")).otherwise(
            F.when(part != "", part)
        )

    return parsed.select(
        "file_id",
        "location",
        *(field(p).alias(c) for c, p in zip(RAW_COLUMNS, positions, strict=True)),
        "record_error",
    )


def parse_fields(lines: DataFrame, width: int, positions: Sequence[int]) -> DataFrame:
    """What `split_fields` gives, with every line through `from_csv` and `_record_error`."""
    checked = lines.select(
        "file_id",
        "location",
        "value",
        _checked_record_error(F.col("value"), width).alias("record_error"),
    )
    fields = checked.select(
        "file_id",
        "location",
        _csv_struct(F.col("value"), width, F.col("record_error")).alias("fields"),
        "record_error",
    )
    return fields.select(
        "file_id",
        "location",
        *(
            F.col("fields").getField(f"c{position}").alias(column)
            for column, position in zip(RAW_COLUMNS, positions, strict=True)
        ),
        "record_error",
    )


def _csv_struct(raw_text: Column, width: int, record_error: Column) -> Column:
    """The line's fields c0...c{width-1} as `from_csv` parses the decoded line, whose
    `record_error` is given (null for a record of `width` fields)."""
    # The text reader keeps a line's bytes as they are; decoding them turns each
    # sequence that is not UTF-8 into U+FFFD, so what is stored is valid text.
    text = F.decode(raw_text.cast("binary"), "UTF-8")
    limit = max(PARSER_COLUMNS, width)
    # A line with more commas than the parser holds fields would fail the read: if it is
    # not a record of `width` fields, its first `limit` are read (a record is never cut).
    wide = (F.size(F.split(text, ",", -1)) > limit) & record_error.isNotNull()
    line = F.when(wide, F.substring_index(text, ",", limit)).otherwise(text)
    schema = ", ".join(f"c{index} STRING" for index in range(width))
    return F.from_csv(line, schema, {**CSV_OPTIONS, "maxColumns": str(limit)})


def _checked_record_error(raw_text: Column, width: int) -> Column:
    text = F.decode(raw_text.cast("binary"), "UTF-8")
    return _record_error(text, width, utf8=text == raw_text)


def _record_error(line: Column, width: int, utf8: Column) -> Column:
    """Why `line` is not an RFC 4180 record of `width` fields in UTF-8, or null if it is one.

    With doubled quotes taken out and then every whole quoted field, a
    well-formed line has no quote left, and its commas separate its fields.
    """
    unquoted = F.when(
        line.contains('"'), F.regexp_replace(F.regexp_replace(line, '""', ""), QUOTED_FIELD, "")
    ).otherwise(line)
    fields = F.size(F.split(unquoted, ",", -1))
    return (
        F.when(~utf8, F.lit("bad_encoding"))
        .when(unquoted.contains('"'), F.lit("bad_quoting"))
        .when(fields != width, F.lit("bad_field_count"))
    )


def _read_whole_files(spark: SparkSession, files: dict[int, InputFile]) -> dict[int, DataFrame]:
    """The lines (value, file_id, location) of each file Spark reads in one task, by file_id.

    Each is read on its own, so its task reads that file and nothing else: a line's number is
    its position in the task (the low bits of monotonically_increasing_id), with no pass over
    the input to count lines. Only for a few files: each costs a read plan and a task.
    """
    if len(files) > WHOLE_FILE_READS:
        return {}
    whole = {}
    one_split = one_task_bytes(spark)
    for file_id, file in files.items():
        lines = spark.read.text(_literal(file.path))
        if _file_bytes(spark, file) <= one_split or lines.rdd.getNumPartitions() == 1:
            position = F.monotonically_increasing_id().bitwiseAND(ROW_IN_TASK)
            whole[file_id] = lines.select(
                "value", F.lit(file_id).alias("file_id"), position.alias("location")
            )
    return whole


def one_task_bytes(spark: SparkSession) -> int:
    """A file of at most this many bytes is read in one task, whatever the parallelism: Spark
    splits a file in chunks of min(maxPartitionBytes, max(openCostInBytes, bytes per core))."""
    conf: Any = spark._jsparkSession.sessionState().conf()
    return min(int(conf.filesMaxPartitionBytes()), int(conf.filesOpenCostInBytes()))


def _literal(path: str) -> str:
    """`path` with its glob characters escaped, so that Spark reads that one file."""
    return GLOB_CHARACTERS.sub(r"\\\1", path)


def _file_bytes(spark: SparkSession, file: InputFile) -> int:
    path = _hadoop_path(spark, file.path)
    return int(_file_system(spark, path).getFileStatus(path).getLen())


def _read_text(spark: SparkSession, files: dict[int, InputFile]) -> DataFrame:
    return spark.read.text([_literal(file.path) for file in files.values()]).select(
        F.col("value"),
        F.input_file_name().alias("uri"),
        F.col("_metadata.file_block_start").alias("block_start"),
        F.monotonically_increasing_id().alias("row_id"),
    )


@contextmanager
def named_read_errors(spark: SparkSession, files: Sequence[InputFile]) -> Iterator[None]:
    """Turn a Spark failure while reading `files` into the InputError naming the file that
    cannot be read to its end (a corrupt or truncated .csv.gz), if there is one."""
    try:
        yield
    except Py4JJavaError:
        unreadable = _find_unreadable_file(spark, files)
        if unreadable is None:
            raise
        raise unreadable from None


def _number_lines(spark: SparkSession, lines: DataFrame, files: dict[int, InputFile]) -> DataFrame:
    """Add `file_id` and `location` (its line - 1) to the lines of a text read.

    Spark reads a file in chunks (splits), each chunk's lines in order within one
    task; so a line's number is the count of lines in the file's earlier chunks
    plus its position in its own chunk. Counting the lines per chunk is one
    pass over the input that reads nothing else.
    """
    file_ids = {file.key: file_id for file_id, file in files.items()}
    # Chunks by the file's URI as Spark names it, each mapped to its file here, once: a
    # regex on every line's URI would cost more than the count.
    chunks = (
        lines.groupBy("uri", "block_start")
        .agg(F.min("row_id").alias("first_row_id"), F.count(F.lit(1)).alias("lines"))
        .collect()
    )
    offsets, lines_so_far = [], dict.fromkeys(file_ids, 0)
    keyed = [(re.sub(LOCAL_SCHEME, "/", chunk.uri), chunk) for chunk in chunks]
    for key, chunk in sorted(keyed, key=lambda keyed: (keyed[0], keyed[1].block_start)):
        if key not in file_ids:
            raise RuntimeError(f"Spark read {key}, which is not one of the input files")
        offsets.append(
            (chunk.uri, chunk.block_start, file_ids[key], chunk.first_row_id, lines_so_far[key])
        )
        lines_so_far[key] += chunk.lines
    chunk_offsets = _literal_rows(spark, offsets, CHUNK_OFFSETS)
    location: Column = F.col("lines_before") + F.col("row_id") - F.col("first_row_id")
    return lines.join(F.broadcast(chunk_offsets), ["uri", "block_start"]).select(
        "value", "file_id", location.alias("location")
    )


def _locate_file_lines(
    spark: SparkSession, files: dict[int, InputFile], chunked: dict[int, DataFrame]
) -> list[DataFrame]:
    """The lines (value, file_id, location) of each of `files`, each file read on its own.

    A location is the line's chunk's start + its position in the chunk (its task): chunk k > 0
    holds only lines starting in its bytes (start_k, end_k], at most end_k - start_k of them,
    so locations are unique and in line order, with no pass over the input to count lines.
    """
    frames = []
    for file_id, file in files.items():
        lines = spark.read.text(_literal(file.path)).select(
            "value",
            F.col("_metadata.file_block_start").alias("block_start"),
            F.monotonically_increasing_id().alias("row_id"),
        )
        chunked[file_id] = lines.select("block_start", "row_id")
        location = F.col("block_start") + F.col("row_id").bitwiseAND(ROW_IN_TASK)
        frames.append(
            lines.select("value", F.lit(file_id).alias("file_id"), location.alias("location"))
        )
    return frames


CHUNKS = (
    ("chunk_file_id", "int"),
    ("block_start", "bigint"),
    ("next_start", "bigint"),
    ("lines_before", "bigint"),
)


CHUNK_OFFSETS = (
    ("uri", "string"),
    ("block_start", "bigint"),
    ("file_id", "int"),
    ("first_row_id", "bigint"),
    ("lines_before", "bigint"),
)


def _literal_rows(
    spark: SparkSession, rows: Sequence[Sequence[Any]], schema: Sequence[tuple[str, str]]
) -> DataFrame:
    """`rows` (of the (name, type) `schema`) as a frame of literals: createDataFrame would
    start Python workers for them, a stage of its own (2.5M rows: about 1 s)."""
    structs = (
        F.struct(
            *(
                F.lit(value).cast(kind).alias(name)
                for value, (name, kind) in zip(row, schema, strict=True)
            )
        )
        for row in rows
    )
    fields = ", ".join(f"{name}: {kind}" for name, kind in schema)
    values = F.array(*structs).cast(f"array<struct<{fields}>>")
    return spark.range(1, numPartitions=1).select(F.inline(values))


def _hadoop_path(spark: SparkSession, path: str) -> Any:
    jvm: Any = spark.sparkContext._jvm
    return jvm.org.apache.hadoop.fs.Path(path)


def _file_system(spark: SparkSession, path: Any) -> Any:
    return path.getFileSystem(spark.sparkContext._jsc.hadoopConfiguration())
