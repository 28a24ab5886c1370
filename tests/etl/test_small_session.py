"""A small local input runs in a session sized for it, its queries interpreted rather than
compiled (SMALL_SQL): its tables must hold exactly the values of a session that compiles them."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from pyspark.sql import SparkSession

from etl.jobs.build_warehouse import SMALL_INPUT_BYTES, SMALL_SQL, local_input_bytes, run
from etl.options import JobOptions
from etl.tables import TABLES
from stock_analytics.generate import GenerateOptions, generate
from tests.etl.cli import run_etl
from tests.etl.warehouse_tables import read_table
from tests.messy_input import HEADER_B, ROWS_B

PER_RUN = {"run_id", "started_at", "finished_at"}


@pytest.fixture
def compiling(spark: SparkSession) -> Iterator[SparkSession]:
    """The test session as the small one but for code generation: no adaptive execution (the
    small session has none), code generation on whatever this session's defaults."""
    settings = {"spark.sql.adaptive.enabled": "false"}
    before = {key: spark.conf.get(key, None) for key in [*settings, *SMALL_SQL]}
    for key in SMALL_SQL:
        spark.conf.unset(key)
    for key, value in settings.items():
        spark.conf.set(key, value)
    yield spark
    for key, value in before.items():
        if value is None:
            spark.conf.unset(key)
        else:
            spark.conf.set(key, value)


def test_a_small_input_gives_the_tables_of_a_compiling_session(
    compiling: SparkSession, tmp_path: Path
) -> None:
    source = tmp_path / "in"
    generate(
        GenerateOptions(tickers=4, years=2, seed=11, out=source, bad_row_fraction=0.02, files=2)
    )
    # Zero volumes and a 50% move: anomalies of two kinds.
    (source / "messy.csv").write_text("\n".join([HEADER_B, *ROWS_B]) + "\n")
    size = local_input_bytes(str(source))
    assert size is not None
    assert size <= SMALL_INPUT_BYTES

    done = run_etl(source, tmp_path / "small")
    assert done.returncode == 0, done.stderr
    # One shuffle partition, as in the small session: the same rows meet in the same order.
    options = JobOptions(str(source), str(tmp_path / "compiled"), shuffle_partitions=1)
    run(compiling, options, report=lambda _message: None)

    small, compiled = _tables(tmp_path / "small"), _tables(tmp_path / "compiled")
    assert small == compiled
    for name in ("daily_metrics", "market_daily", "rejected_rows", "anomalies"):
        assert small[name], name
    kinds = {row["kind"] for row in read_table(tmp_path / "small", "anomalies")}
    assert kinds >= {"zero_volume", "large_move"}


def _tables(warehouse: Path) -> dict[str, list[tuple[object, ...]]]:
    """Every table's rows, sorted, without the columns that name the run; floats by repr,
    which tells every bit apart."""
    return {
        table.name: sorted(
            tuple(repr(value) for key, value in row.items() if key not in PER_RUN)
            for row in read_table(warehouse, table.name)
        )
        for table in TABLES
    }
