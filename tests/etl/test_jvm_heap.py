"""A larger input's JVM starts with its whole heap and room for Spark's class metadata."""

from __future__ import annotations

import re
import subprocess

from etl.jobs.build_warehouse import DRIVER_MEMORY, large_java
from tests.etl.test_compiler_directives import _java_binary

GIB = 2**30


def _final_flags(*options: str) -> dict[str, int]:
    shown = subprocess.run(
        [
            str(_java_binary()),
            *options,
            "-XX:+UnlockDiagnosticVMOptions",
            "-XX:+DisplayVMOutput",
            "-XX:+PrintFlagsFinal",
            "-version",
        ],
        capture_output=True,
        text=True,
    )
    assert shown.returncode == 0, shown.stderr
    flags = re.findall(r"^ *\w+ +(\w+) += +(\d+) ", shown.stdout, re.MULTILINE)
    return {name: int(value) for name, value in flags}


def test_the_heap_starts_whole_and_the_metadata_threshold_is_raised() -> None:
    # Spark gives the driver's JVM -Xmx from spark.driver.memory.
    flags = _final_flags(f"-Xmx{DRIVER_MEMORY}", *large_java())
    assert flags["InitialHeapSize"] == flags["MaxHeapSize"] == 2 * GIB
    assert flags["MetaspaceSize"] >= 256 * 2**20
    # A smaller heap the user gave Spark is whole from the start too, and the JVM starts.
    smaller = _final_flags("-Xmx1g", *large_java())
    assert smaller["InitialHeapSize"] == smaller["MaxHeapSize"] == GIB
    default = _final_flags(f"-Xmx{DRIVER_MEMORY}")
    assert default["MetaspaceSize"] < 64 * 2**20
