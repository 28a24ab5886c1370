"""One writer at a time: the lock file locally (even across a SIGKILL), the lease object on S3."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from etl.storage import LocalStorage, S3Storage, open_storage
from etl.writer_lease import LEASE_OBJECT, LeaseHeld, take_writer_lease
from testsupport.paths import REPO_ROOT

HOLD = """
import sys, time
from etl.storage import open_storage
from etl.writer_lease import take_writer_lease
lease = take_writer_lease(open_storage(sys.argv[1]), "20260101T000000Z-0000aa")
print("held", flush=True)
time.sleep(120)
"""


def test_a_local_lock_held_by_another_process_refuses_a_second_writer_until_it_dies(
    tmp_path: Path,
) -> None:
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLD, str(tmp_path)],
        cwd=REPO_ROOT,
        env={**os.environ, "PYTHONPATH": str(REPO_ROOT)},
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None
        assert holder.stdout.readline() == "held\n"
        with pytest.raises(LeaseHeld, match=r"another writer \(20260101T000000Z-0000aa pid \d+\)"):
            take_writer_lease(LocalStorage(tmp_path), "20260101T000001Z-0000bb")
    finally:
        holder.send_signal(signal.SIGKILL)
        holder.wait()
    with take_writer_lease(LocalStorage(tmp_path), "20260101T000001Z-0000bb") as lease:
        lease.ensure_held()
        assert (tmp_path / "_writer.lock").read_text().startswith("20260101T000001Z-0000bb")
        with pytest.raises(LeaseHeld, match="20260101T000001Z-0000bb"):
            take_writer_lease(LocalStorage(tmp_path), "20260101T000002Z-0000cc")
    take_writer_lease(LocalStorage(tmp_path), "20260101T000002Z-0000cc").release()


class Clock:
    def __init__(self) -> None:
        self.now = datetime(2026, 11, 30, 12, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now


def test_an_s3_lease_is_exclusive_until_released_or_expired(
    s3_warehouse: str, moto_endpoint: str
) -> None:
    storage = open_storage(s3_warehouse, endpoint_url=moto_endpoint)
    assert isinstance(storage, S3Storage)
    clock = Clock()
    first = take_writer_lease(storage, "run-1", seconds=300, clock=clock)
    lease = storage.read(LEASE_OBJECT)
    assert lease is not None
    assert json.loads(lease[0]) == {"run_id": "run-1", "expires_at": "2026-11-30T12:05:00+00:00"}
    with pytest.raises(LeaseHeld, match=r"another writer \(run-1\) .* until 2026-11-30T12:05:00"):
        take_writer_lease(storage, "run-2", seconds=300, clock=clock)

    first.release()
    with pytest.raises(LeaseHeld, match="released"):
        first.ensure_held()
    second = take_writer_lease(storage, "run-2", seconds=300, clock=clock)
    second.ensure_held()

    # run-2 dies without a word: once its lease has expired, run-3 takes it over.
    clock.now += timedelta(seconds=299)
    with pytest.raises(LeaseHeld, match="run-2"):
        take_writer_lease(storage, "run-3", seconds=300, clock=clock)
    clock.now += timedelta(seconds=1)
    with pytest.raises(LeaseHeld, match="expired without a heartbeat"):
        second.ensure_held()
    third = take_writer_lease(storage, "run-3", seconds=300, clock=clock)
    third.ensure_held()
    third.release()


def test_the_heartbeat_renews_an_s3_lease(s3_warehouse: str, moto_endpoint: str) -> None:
    storage = open_storage(s3_warehouse, endpoint_url=moto_endpoint)
    with take_writer_lease(storage, "run-1", seconds=0.6) as lease:
        time.sleep(1.5)  # more than twice the lease: only renewals keep it
        lease.ensure_held()
        with pytest.raises(LeaseHeld, match="run-1"):
            take_writer_lease(storage, "run-2", seconds=0.6)
    take_writer_lease(storage, "run-2", seconds=60).release()
