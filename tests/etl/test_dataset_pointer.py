"""The pointer's rules: publish, retention, rollback, the grace period, and its JSON."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from etl.dataset_pointer import DatasetPointer, PointerError, VersionSummary

T0 = datetime(2026, 11, 30, 12, 0, tzinfo=UTC)


def summary(index: int) -> VersionSummary:
    moment = T0 + timedelta(hours=index)
    return VersionSummary(
        version=f"{moment:%Y%m%dT%H%M%SZ}-{index:06x}",
        finished_at=moment,
        published_at=moment,
        first_date=date(2020, 1, 2),
        last_date=date(2024, 6, 28),
        tickers=3 + index,
        rows=100 + index,
        rows_read=110 + index,
        rows_rejected=9,
        duplicates_collapsed=1,
        input="data/x.csv",
        extra={"table_bytes": {"daily_metrics": {"2020": 1234}}},
    )


def chain(count: int, keep: int) -> DatasetPointer:
    pointer = DatasetPointer(current=summary(0).version, versions=(summary(0),))
    for index in range(1, count):
        pointer = pointer.published(summary(index), keep=keep)
    return pointer


def test_publishing_keeps_the_newest_and_drops_the_rest_as_of_the_publication() -> None:
    pointer = chain(7, keep=5)
    assert [v.version for v in pointer.versions] == [summary(i).version for i in (6, 5, 4, 3, 2)]
    assert pointer.current == summary(6).version
    assert [(d.version, d.dropped_at) for d in pointer.dropped] == [
        (summary(0).version, summary(5).published_at),
        (summary(1).version, summary(6).published_at),
    ]


def test_dropped_files_are_removable_only_after_the_grace_period() -> None:
    pointer = chain(7, keep=5)
    grace = timedelta(minutes=10)
    dropped_1_at = summary(6).published_at
    assert pointer.removable(dropped_1_at + timedelta(minutes=9), grace) == (summary(0).version,)
    assert pointer.removable(dropped_1_at + grace, grace) == (
        summary(0).version,
        summary(1).version,
    )
    assert pointer.forgetting([summary(0).version]).known_versions == {
        summary(i).version for i in range(1, 7)
    }


def test_rollback_makes_a_retained_version_current_and_keeps_the_newer_ones() -> None:
    pointer = chain(3, keep=5).rolled_back(summary(0).version)
    assert pointer.current == summary(0).version
    assert pointer.versions[0].version == summary(2).version
    with pytest.raises(PointerError, match="not retained"):
        pointer.rolled_back("20000101T000000Z-000000")


def test_the_json_round_trips_with_fields_it_does_not_know() -> None:
    pointer = chain(7, keep=5)
    again = DatasetPointer.from_json(pointer.to_json())
    assert again == pointer
    assert again.current_summary.extra == {"table_bytes": {"daily_metrics": {"2020": 1234}}}


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('{"run_id": "20260101T000000Z-abcdef", "rows": 1}', "older ETL"),
        ("[1]", "not a JSON object"),
        ("{", "not JSON"),
        ('{"format": 2, "current": "../etc", "versions": []}', "not a dataset version"),
        ('{"format": 2, "current": "20260101T000000Z-abcdef", "versions": []}', "not a retained"),
    ],
)
def test_a_bad_pointer_says_what_is_wrong(text: str, message: str) -> None:
    with pytest.raises(PointerError, match=message):
        DatasetPointer.from_json(text)


@pytest.mark.parametrize(
    ("extra", "held"),
    [
        ({"table_bytes": {"runs": {"bytes": 7}, "thirty_day_leaders": {"bytes": 9}}}, True),
        ({"table_bytes": {"runs": {"bytes": 7}}}, False),  # written before the table
        ({"table_bytes": {"thirty_day_leaders": {"bytes": 0}}}, False),  # no file
        ({"table_bytes": {"thirty_day_leaders": {"bytes": "9"}}}, False),
        ({"table_bytes": {"thirty_day_leaders": 9}}, False),
        ({"table_bytes": None}, False),
        ({}, False),  # written before sizes were recorded
    ],
)
def test_a_version_holds_the_tables_its_run_recorded(extra: dict[str, object], held: bool) -> None:
    document = {**summary(0).to_json(), "table_bytes": None, **extra}
    if not extra:
        del document["table_bytes"]
    read = VersionSummary.from_json(document)
    assert read.has_table("thirty_day_leaders") is held
    assert read.has_table("daily_metrics") is False
