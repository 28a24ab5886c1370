"""`stock-analytics versions --json`: every field of every retained version, each version's
own fields before the long ones its run recorded beside them."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from etl.dataset_pointer import DatasetPointer, VersionSummary
from etl.tables import DATASET_MANIFEST
from stock_analytics.cli import main

RECORDED = {
    "table_bytes": {"daily_metrics": {"bytes": 1234, "years": {"2020": 1234}}},
    "headline": {"mostValuableDay": {"query": "{ mostValuableDay { date } }", "expected": None}},
}


def _summary(version: str, day: int) -> VersionSummary:
    return VersionSummary(
        version=version,
        finished_at=datetime(2026, 11, day, 12, tzinfo=UTC),
        published_at=datetime(2026, 11, day, 12, 1, tzinfo=UTC),
        first_date=date(2020, 1, 2),
        last_date=date(2020, 12, 31),
        tickers=3,
        rows=750 + day,
        rows_read=760,
        rows_rejected=10 - day,
        duplicates_collapsed=0,
        input="s3://raw/prices/",
        extra=RECORDED,
    )


def test_the_json_is_complete_and_starts_with_each_versions_own_fields(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    older, newer = _summary("20261101T120000Z-00000a", 1), _summary("20261102T120000Z-00000b", 2)
    pointer = DatasetPointer(current=newer.version, versions=(newer, older))
    (tmp_path / DATASET_MANIFEST).write_text(pointer.to_json())

    assert main(["versions", "--warehouse", str(tmp_path), "--json"]) == 0
    listed = json.loads(capsys.readouterr().out)

    assert listed == [
        {"current": True, **newer.to_json()},
        {"current": False, **older.to_json()},
    ]
    for entry in listed:
        keys = list(entry)
        assert keys[:3] == ["current", "version", "finished_at"]
        assert keys[-len(RECORDED) :] == list(RECORDED)

    assert main(["versions", "--warehouse", str(tmp_path)]) == 0
    table = capsys.readouterr().out.splitlines()
    assert len(table) == 1 + 2
    assert "headline" not in "\n".join(table)


def test_a_reader_that_stops_early_gets_no_traceback(tmp_path: Path) -> None:
    many = tuple(_summary(f"20261102T1200{index:02d}Z-00000b", 2) for index in range(40))
    pointer = DatasetPointer(current=many[0].version, versions=many)
    (tmp_path / DATASET_MANIFEST).write_text(pointer.to_json())
    program = "import sys; from stock_analytics.cli import main; sys.exit(main(sys.argv[1:]))"
    command = [sys.executable, "-c", program, "versions", "--warehouse", str(tmp_path), "--json"]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert process.stdout is not None
    assert process.stderr is not None
    process.stdout.close()  # before the command writes: its first write finds no reader
    errors = process.stderr.read().decode()
    assert process.wait(timeout=60) == 1
    assert errors == ""
