"""The run's accounting: every row read lands in exactly one bucket."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime

from etl.cleanup import CleanUp
from etl.summary import Accounting, RunSummary


def test_accounting_balances_and_finds_files_without_a_valid_row() -> None:
    outcomes = [
        ("a.csv", None, False, 10),
        ("a.csv", None, True, 2),
        ("a.csv", "bad_date", False, 3),
        ("b.csv", "conflicting_duplicate", False, 2),
        ("c.csv", "bad_close", False, 4),
    ]
    accounting = Accounting.from_outcomes(outcomes, ["a.csv", "b.csv", "c.csv", "d.csv"])
    assert (accounting.rows_accepted, accounting.duplicates_collapsed) == (10, 2)
    assert accounting.rows_rejected == 9
    assert accounting.rows_read == 21
    assert accounting.rejected_by_reason["bad_close"] == 4
    assert accounting.rejected_by_reason["missing_ticker"] == 0
    # b.csv's rows passed their own checks (then conflicted); d.csv had no row at all.
    assert accounting.files_without_valid_row == ("c.csv", "d.csv")


def test_summary_version_and_text() -> None:
    accounting = Accounting.from_outcomes([("a.csv", None, False, 5)], ["a.csv"])
    summary = RunSummary(
        run_id="20240101T000000Z-abc123",
        input="in",
        warehouse="wh",
        started_at=datetime(2024, 1, 1, tzinfo=UTC),
        finished_at=datetime(2024, 1, 1, 0, 0, 42, tzinfo=UTC),
        accounting=accounting,
        tickers=1,
        first_date=date(2023, 1, 2),
        last_date=date(2023, 1, 6),
        anomalies_by_kind={"zero_volume": 1},
    )
    version = summary.version_summary({"table_bytes": {"runs": {"bytes": 7}}})
    assert version.to_json() == {
        "version": "20240101T000000Z-abc123",
        "finished_at": "2024-01-01T00:00:42Z",
        "published_at": "2024-01-01T00:00:42Z",
        "first_date": "2023-01-02",
        "last_date": "2023-01-06",
        "tickers": 1,
        "rows": 5,
        "rows_read": 5,
        "rows_rejected": 0,
        "duplicates_collapsed": 0,
        "input": "in",
        "table_bytes": {"runs": {"bytes": 7}},
    }
    text = summary.render()
    assert "rows read             5" in text
    assert "    zero_volume         1" in text
    assert "wall time             42.0 s" in text
    assert "version " not in text

    published = replace(
        summary,
        retained_versions=("20240101T000000Z-abc123", "20231231T000000Z-000001"),
        clean_up=CleanUp(expired=("20231230T000000Z-000002",), orphans=()),
    )
    lines = published.render().splitlines()
    assert "  version               20240101T000000Z-abc123 (current)" in lines
    assert "  retained versions     20240101T000000Z-abc123, 20231231T000000Z-000001" in lines
    assert "  removed (grace over)  20231230T000000Z-000002" in lines
    assert "  removed (orphans)     none" in lines


def test_the_summary_lists_skipped_and_non_utf8_files_up_to_a_limit() -> None:
    skipped = [f"in/notes-{n:02d}.txt" for n in range(25)]
    outcomes = [("in/a.csv", None, False, 5), ("in/b.csv", "bad_encoding", False, 1)]
    outcomes.append(("in/b.csv", None, False, 1))
    accounting = Accounting.from_outcomes(outcomes, ["in/a.csv", "in/b.csv"], skipped)
    assert (accounting.files_read, accounting.files_not_utf8) == (2, ("in/b.csv",))
    moment = datetime(2024, 1, 1, tzinfo=UTC)
    summary = RunSummary("r", "in", "wh", moment, moment, accounting, 1, None, None)
    text = summary.render()
    assert "  files read            2\n    not UTF-8: in/b.csv\n" in text
    assert (
        "  files skipped         25 (names not ending in .csv or .csv.gz)\n    in/notes-00.txt\n"
        in text
    )
    assert "    in/notes-19.txt\n    ... and 5 more\n" in text
    assert "notes-20" not in text
