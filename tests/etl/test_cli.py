"""`stock-analytics etl` end to end, in a subprocess, as a user runs it."""

from __future__ import annotations

import json
from pathlib import Path

from tests.etl.cli import run_etl
from tests.etl.warehouse_tables import nothing_written

HEADER = "date,open,high,low,close,volume,ticker\n"


def test_the_cli_builds_a_warehouse_and_prints_the_summary(tmp_path: Path) -> None:
    source = tmp_path / "prices.csv"
    source.write_text(
        HEADER
        + "2024-01-02,1,2,0.5,1,10,A\n"
        + "2024-01-03,1,2,0.5,1.2,10,A\n"
        + "2024-01-03,1,2,0.5,1.2,10,A\n"
        + "2024-01-03,1,2,0.5,0,10,B\n"
    )
    warehouse = tmp_path / "wh"
    done = run_etl(source, warehouse)

    assert done.returncode == 0, done.stderr
    for step in ("read", "validate", "write", "clean up"):
        assert f"[{step}] done in " in done.stderr
    summary = done.stdout
    for line in (
        "rows read             4",
        "rows accepted         2",
        "rows rejected         1",
        "    bad_close           1",
        "duplicates collapsed  1",
        "tickers               1",
        "date range            2024-01-02 .. 2024-01-03",
        "wall time ",
    ):
        assert line in summary, summary
    pointer = json.loads((warehouse / "_dataset.json").read_text())
    [current] = pointer["versions"]
    assert (current["version"], current["rows"]) == (pointer["current"], 2)
    assert f"  version               {pointer['current']} (current)" in summary
    assert "INFO" not in done.stderr


def test_the_cli_fails_clearly_and_writes_nothing(tmp_path: Path) -> None:
    source = tmp_path / "prices.csv"
    source.write_text("date,open,high,low,close,ticker\n2024-01-02,1,2,0.5,1,A\n")
    warehouse = tmp_path / "wh"
    done = run_etl(source, warehouse)

    assert done.returncode == 2
    assert f"{source}: missing required column 'volume'" in done.stderr
    assert "Traceback" not in done.stderr
    assert nothing_written(warehouse)
