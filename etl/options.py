"""Typed options of the warehouse job: argv locally, Glue's resolved options on Glue."""

from __future__ import annotations

import argparse
import importlib.util
from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class JobOptions:
    input: str
    """A CSV file, or a folder / S3 prefix of .csv and .csv.gz files."""
    warehouse: str
    """The warehouse root: a local folder or an S3 URI."""
    shuffle_partitions: int | None = None
    """spark.sql.shuffle.partitions for the run; None keeps the session's setting."""


def running_on_glue() -> bool:
    return importlib.util.find_spec("awsglue") is not None


def parse_options(argv: Sequence[str]) -> JobOptions:
    """Parse the job arguments (without the program name)."""
    if running_on_glue():
        return _parse_glue_options(argv)
    return _parse_local_options(argv)


def _parse_local_options(argv: Sequence[str]) -> JobOptions:
    parser = argparse.ArgumentParser(
        prog="build_warehouse", description="Build the Parquet warehouse from raw daily-price CSV."
    )
    parser.add_argument("--input", required=True, help="a CSV file, or a folder of .csv/.csv.gz")
    parser.add_argument("--warehouse", required=True, help="warehouse root folder or S3 URI")
    parser.add_argument(
        "--shuffle-partitions", type=_positive_int, help="spark.sql.shuffle.partitions"
    )
    args = parser.parse_args(list(argv))
    return JobOptions(
        input=args.input, warehouse=args.warehouse, shuffle_partitions=args.shuffle_partitions
    )


def _parse_glue_options(argv: Sequence[str]) -> JobOptions:
    from awsglue.utils import getResolvedOptions

    # getResolvedOptions skips argv[0], as sys.argv carries the script name.
    script_argv = ["build_warehouse", *argv]
    names = ["input", "warehouse"]
    if "--shuffle_partitions" in argv:
        names.append("shuffle_partitions")
    resolved: dict[str, str] = getResolvedOptions(script_argv, names)
    partitions = resolved.get("shuffle_partitions")
    return JobOptions(
        input=resolved["input"],
        warehouse=resolved["warehouse"],
        shuffle_partitions=_positive_int(partitions) if partitions else None,
    )


def _positive_int(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be a positive integer, got {text}")
    return value
