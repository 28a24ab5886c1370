"""Typed options of the warehouse job: argv locally, Glue's resolved options on Glue."""

from __future__ import annotations

import argparse
import importlib.util
from collections.abc import Sequence
from dataclasses import dataclass

from etl.dataset_pointer import DEFAULT_GRACE_SECONDS, DEFAULT_RETAINED_VERSIONS


@dataclass(frozen=True)
class JobOptions:
    input: str
    """A CSV file, or a folder / S3 prefix of .csv and .csv.gz files."""
    warehouse: str
    """The warehouse root: a local folder or an S3 URI."""
    shuffle_partitions: int | None = None
    """spark.sql.shuffle.partitions for the run; None keeps the session's setting."""
    retained_versions: int = DEFAULT_RETAINED_VERSIONS
    """How many published versions the pointer keeps (this run's included)."""
    grace_seconds: float = DEFAULT_GRACE_SECONDS
    """How long a version's files outlive its drop from the pointer."""


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
    parser.add_argument(
        "--retained-versions",
        type=_positive_int,
        default=DEFAULT_RETAINED_VERSIONS,
        help=f"versions the pointer keeps (default {DEFAULT_RETAINED_VERSIONS})",
    )
    parser.add_argument(
        "--grace-seconds",
        type=_seconds,
        default=DEFAULT_GRACE_SECONDS,
        help=f"how long a dropped version's files stay (default {DEFAULT_GRACE_SECONDS:g})",
    )
    args = parser.parse_args(list(argv))
    return JobOptions(
        input=args.input,
        warehouse=args.warehouse,
        shuffle_partitions=args.shuffle_partitions,
        retained_versions=args.retained_versions,
        grace_seconds=args.grace_seconds,
    )


def _parse_glue_options(argv: Sequence[str]) -> JobOptions:
    from awsglue.utils import getResolvedOptions

    # getResolvedOptions skips argv[0], as sys.argv carries the script name.
    script_argv = ["build_warehouse", *argv]
    names = ["input", "warehouse"]
    optional = ("shuffle_partitions", "retained_versions", "grace_seconds")
    names.extend(name for name in optional if f"--{name}" in argv)
    resolved: dict[str, str] = getResolvedOptions(script_argv, names)
    partitions = resolved.get("shuffle_partitions")
    retained = resolved.get("retained_versions")
    grace = resolved.get("grace_seconds")
    return JobOptions(
        input=resolved["input"],
        warehouse=resolved["warehouse"],
        shuffle_partitions=_positive_int(partitions) if partitions else None,
        retained_versions=_positive_int(retained) if retained else DEFAULT_RETAINED_VERSIONS,
        grace_seconds=_seconds(grace) if grace else DEFAULT_GRACE_SECONDS,
    )


def _positive_int(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be a positive integer, got {text}")
    return value


def _seconds(text: str) -> float:
    value = float(text)
    if not value >= 0:
        raise argparse.ArgumentTypeError(f"must be a number of seconds >= 0, got {text}")
    return value
