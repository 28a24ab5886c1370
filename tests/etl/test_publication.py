"""Publishing, retention, the grace period, clean-up and rollback through the storage
interface, on a local folder and on S3 (a moto server over HTTP)."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta

import pytest

from etl.cleanup import clean_up, stored_versions, table_bytes
from etl.dataset_pointer import DatasetPointer, PointerError, VersionSummary
from etl.publication import PublishConflict, publish, read_pointer, roll_back
from etl.storage import Storage
from etl.tables import DAILY_METRICS, DATASET_MANIFEST, TABLES, TICKER_STATS, version_prefix
from tests.etl.storages import put

T0 = datetime(2026, 11, 30, 12, 0, tzinfo=UTC)
GRACE = timedelta(minutes=10)


def version(index: int) -> str:
    return f"{T0 + timedelta(hours=index):%Y%m%dT%H%M%SZ}-{index:06x}"


def summary(index: int) -> VersionSummary:
    moment = T0 + timedelta(hours=index)
    return VersionSummary(
        version=version(index),
        finished_at=moment,
        published_at=moment,
        first_date=date(2024, 1, 2),
        last_date=date(2024, 6, 28),
        tickers=3,
        rows=100 + index,
        rows_read=100 + index,
        rows_rejected=0,
        duplicates_collapsed=0,
        input="in.csv",
    )


def write_version(storage: Storage, index: int) -> None:
    """What a run's Spark write leaves: every table's folder, by year where partitioned."""
    for table in TABLES:
        inner = "year=2024/" if table.partition_keys else ""
        put(storage, f"{version_prefix(table, version(index))}/{inner}part-0.parquet", b"p" * 10)


def run(storage: Storage, index: int, *, keep: int) -> DatasetPointer:
    """A run's storage side, at its own hour: write, publish, clean up."""
    write_version(storage, index)
    now = T0 + timedelta(hours=index, minutes=1)
    pointer = publish(storage, summary(index), keep=keep, now=now)
    clean_up(storage, now=now, grace=GRACE, own=version(index))
    return pointer


def test_publish_keeps_the_newest_and_removes_the_dropped_after_their_grace(
    storage: Storage,
) -> None:
    for index in range(3):
        run(storage, index, keep=2)
    state = read_pointer(storage)
    assert state.pointer is not None
    assert state.pointer.current == version(2)
    assert [v.version for v in state.pointer.versions] == [version(2), version(1)]
    assert state.pointer.current_summary.published_at == T0 + timedelta(hours=2, minutes=1)
    # Version 0 was dropped at 02:01: its files stay for the 10-minute grace.
    assert [d.version for d in state.pointer.dropped] == [version(0)]
    assert set(stored_versions(storage)) == {version(0), version(1), version(2)}

    within = T0 + timedelta(hours=2, minutes=10)
    assert clean_up(storage, now=within, grace=GRACE).expired == ()
    assert set(stored_versions(storage)) == {version(0), version(1), version(2)}

    over = T0 + timedelta(hours=2, minutes=11)
    assert clean_up(storage, now=over, grace=GRACE).expired == (version(0),)
    assert set(stored_versions(storage)) == {version(1), version(2)}
    after = read_pointer(storage).pointer
    assert after is not None
    assert after.dropped == ()
    assert after.known_versions == {version(1), version(2)}


def test_a_reader_holding_an_old_version_keeps_its_files_through_a_clean_up(
    storage: Storage,
) -> None:
    run(storage, 0, keep=1)
    reader_version = read_pointer(storage).pointer.current  # type: ignore[union-attr]
    files = {table.name: storage.sizes(version_prefix(table, reader_version)) for table in TABLES}

    run(storage, 1, keep=1)  # drops version 0 at 01:01, within its grace
    run(storage, 2, keep=1)  # cleans up at 02:01: version 0's grace is over, version 1's not
    assert reader_version == version(0)
    assert {table.name: storage.sizes(version_prefix(table, version(0))) for table in TABLES} == {
        table.name: {} for table in TABLES
    }
    assert all(files.values())

    # A reader that read the pointer at 01:30 holds version 1: still there at 02:01.
    held = version(1)
    assert all(storage.sizes(version_prefix(table, held)) for table in TABLES)
    pointer = read_pointer(storage).pointer
    assert pointer is not None
    assert held not in {v.version for v in pointer.versions}
    assert held in pointer.known_versions


def test_of_two_publishers_that_read_the_same_pointer_one_fails(storage: Storage) -> None:
    run(storage, 0, keep=5)
    stale = storage.read(DATASET_MANIFEST)
    assert stale is not None
    publish(storage, summary(1), keep=5, now=T0 + timedelta(hours=1))

    with pytest.raises(PublishConflict, match="changed by another writer"):
        publish(_StaleReads(storage, stale), summary(2), keep=5, now=T0 + timedelta(hours=2))
    pointer = read_pointer(storage).pointer
    assert pointer is not None
    assert [v.version for v in pointer.versions] == [version(1), version(0)]


class _StaleReads:
    """A storage whose pointer read is the one a slower writer made before another published."""

    def __init__(self, storage: Storage, pointer: tuple[bytes, str]) -> None:
        self._storage = storage
        self._pointer = pointer
        self.location = storage.location

    def read(self, name: str) -> tuple[bytes, str] | None:
        return self._pointer if name == DATASET_MANIFEST else self._storage.read(name)

    def __getattr__(self, name: str) -> object:
        return getattr(self._storage, name)


def test_rollback_makes_a_retained_version_current_and_keeps_the_others(
    storage: Storage,
) -> None:
    for index in range(3):
        run(storage, index, keep=2)
    pointer, previous = roll_back(storage, version(1))
    assert (pointer.current, previous) == (version(1), version(2))
    stored = read_pointer(storage).pointer
    assert stored == pointer
    assert [v.version for v in stored.versions] == [version(2), version(1)]

    with pytest.raises(PointerError, match=f"version {version(0)} is not retained"):
        roll_back(storage, version(0))
    assert read_pointer(storage).pointer == pointer

    # The next run publishes over the rollback; the version rolled back from is still kept.
    after = run(storage, 3, keep=3)
    assert [v.version for v in after.versions] == [version(3), version(2), version(1)]


def test_clean_up_removes_orphans_but_never_the_writers_own_or_unversioned_files(
    storage: Storage,
) -> None:
    run(storage, 0, keep=5)
    write_version(storage, 7)  # a dead run's folders: never published
    write_version(storage, 8)  # the live writer's own, not published yet
    put(storage, "daily_metrics/year=2023/part-0.parquet")  # the unversioned ETL's
    put(storage, "_staging/20250101T000000Z-aaaaaa/runs/part-0.parquet")

    removed = clean_up(storage, now=T0 + timedelta(hours=9), grace=GRACE, own=version(8))
    assert removed.orphans == (version(7),)
    assert removed.unversioned == ("daily_metrics/year=2023", "_staging/")
    assert set(stored_versions(storage)) == {version(0), version(8)}
    assert storage.children("daily_metrics") >= {"year=2023"}


def test_an_unversioned_pointer_is_replaced_by_the_first_publication(storage: Storage) -> None:
    legacy = {"run_id": "20251101T000000Z-abcdef", "rows": 5, "finished_at": "2025-11-01T00:00Z"}
    put(storage, DATASET_MANIFEST, json.dumps(legacy).encode())
    state = read_pointer(storage)
    assert (state.pointer, state.legacy) == (None, True)
    with pytest.raises(PointerError, match="unversioned warehouse"):
        roll_back(storage, version(0))

    pointer = run(storage, 0, keep=5)
    assert read_pointer(storage).pointer == pointer
    assert [v.version for v in pointer.versions] == [version(0)]


def test_table_bytes_per_table_and_year(storage: Storage) -> None:
    put(storage, f"{version_prefix(DAILY_METRICS, version(0))}/year=2023/part-0.parquet", b"a" * 7)
    put(storage, f"{version_prefix(DAILY_METRICS, version(0))}/year=2024/part-0.parquet", b"a" * 5)
    put(storage, f"{version_prefix(DAILY_METRICS, version(0))}/year=2024/.part-0.parquet.crc", b"c")
    put(storage, f"{version_prefix(TICKER_STATS, version(0))}/part-0.parquet", b"a" * 3)
    measured = table_bytes(storage, version(0))
    assert measured["daily_metrics"] == {"bytes": 12, "years": {"2023": 7, "2024": 5}}
    assert measured["ticker_stats"] == {"bytes": 3}
    assert measured["runs"] == {"bytes": 0}
