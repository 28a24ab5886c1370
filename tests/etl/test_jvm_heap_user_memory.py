"""A larger input's JVM options must still start a JVM whose heap the user set smaller."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from etl.jobs.build_warehouse import SMALL_INPUT_BYTES

ROOT = Path(__file__).resolve().parents[2]

START_LARGE_SESSION = f"""
from etl.jobs.build_warehouse import _local_session
spark, _ = _local_session({SMALL_INPUT_BYTES + 1})
print(spark.sparkContext._jvm.java.lang.Runtime.getRuntime().maxMemory())
spark.stop()
"""


def test_a_larger_inputs_session_starts_with_a_smaller_driver_memory_given() -> None:
    # `--driver-memory` in PYSPARK_SUBMIT_ARGS is how a pyspark script's user sets the
    # driver's heap (-Xmx); it wins over the builder's spark.driver.memory. d356cd3 starts
    # with 1g here; -Xms2g above -Xmx1g stops the JVM before Spark starts.
    env = {
        **os.environ,
        "PYSPARK_SUBMIT_ARGS": "--driver-memory 1g pyspark-shell",
        "PYTHONPATH": str(ROOT),
        "SPARK_LOCAL_IP": "127.0.0.1",
        "STOCK_ANALYTICS_JVM_CACHE": "",  # no class archive written by this test's JVM
    }
    started = subprocess.run(
        [sys.executable, "-c", START_LARGE_SESSION],
        capture_output=True,
        text=True,
        env=env,
        cwd=ROOT,
        timeout=300,
    )
    assert started.returncode == 0, started.stderr[-2000:]
    max_heap = int(started.stdout.split()[-1])
    assert max_heap <= 2**30
