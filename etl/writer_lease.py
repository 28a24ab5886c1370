"""One writer at a time: the lease a run (or a rollback) holds for as long as it writes.

While a writer holds the lease, any version folder that is neither in the pointer
nor its own was left by a writer that died, and may be removed.

- A local warehouse: an exclusive `fcntl.flock` on `<warehouse>/_writer.lock`, held
  by the open file for the whole run; the kernel releases it when the process
  ends, even on SIGKILL.
- S3: the object `_writer.lease` ({"run_id", "expires_at"}), created with
  If-None-Match: *, renewed by a heartbeat thread with If-Match, taken over (If-Match)
  only once it has expired, and released by writing it back already expired.
"""

from __future__ import annotations

import fcntl
import json
import os
import threading
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import TracebackType
from typing import Protocol

from etl.storage import LocalStorage, Storage, WriteConflict

LOCK_FILE = "_writer.lock"
LEASE_OBJECT = "_writer.lease"
DEFAULT_LEASE_SECONDS = 300.0
"""How long a lease outlives its last heartbeat: a driver that died blocks the next run
for at most this long."""
Clock = Callable[[], datetime]


class LeaseHeld(RuntimeError):
    """Another writer holds the warehouse."""


class WriterLease(Protocol):
    holder: str

    def ensure_held(self) -> None:
        """Raise LeaseHeld if the lease was lost (taken over after a missed heartbeat)."""
        ...

    def release(self) -> None: ...

    def __enter__(self) -> WriterLease: ...

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        tb: TracebackType | None,
    ) -> None: ...


def take_writer_lease(
    storage: Storage,
    holder: str,
    *,
    seconds: float = DEFAULT_LEASE_SECONDS,
    clock: Clock | None = None,
) -> WriterLease:
    """Take the warehouse's writer lease for `holder` (a run id), or raise LeaseHeld naming
    the writer that has it."""
    if isinstance(storage, LocalStorage):
        return LockFileLease(storage.root / LOCK_FILE, holder)
    return ObjectLease(storage, holder, seconds=seconds, clock=clock or _utc_now)


class _Releasing:
    def release(self) -> None:
        raise NotImplementedError

    def __enter__(self) -> WriterLease:
        return self  # type: ignore[return-value]

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.release()


class LockFileLease(_Releasing):
    def __init__(self, path: Path, holder: str) -> None:
        self.holder = holder
        path.parent.mkdir(parents=True, exist_ok=True)
        descriptor = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            other = os.read(descriptor, 200).decode(errors="replace").strip() or "unknown"
            os.close(descriptor)
            raise LeaseHeld(
                f"another writer ({other}) is writing {path.parent}: wait for it to finish"
            ) from None
        os.ftruncate(descriptor, 0)
        os.pwrite(descriptor, f"{holder} pid {os.getpid()}\n".encode(), 0)
        self._descriptor: int | None = descriptor

    def ensure_held(self) -> None:
        if self._descriptor is None:
            raise LeaseHeld(f"run {self.holder} released its writer lock")

    def release(self) -> None:
        if self._descriptor is not None:
            # Closing drops the lock; the file stays, so every writer locks the same inode.
            os.close(self._descriptor)
            self._descriptor = None


class ObjectLease(_Releasing):
    def __init__(self, storage: Storage, holder: str, *, seconds: float, clock: Clock) -> None:
        self.holder = holder
        self._storage = storage
        self._seconds = seconds
        self._clock = clock
        self._lock = threading.Lock()
        self._lost: str | None = None
        self._expires_at = clock() + timedelta(seconds=seconds)
        self._token = self._take()
        self._stop = threading.Event()
        self._heartbeat = threading.Thread(
            target=self._beat, name=f"writer-lease-{holder}", daemon=True
        )
        self._heartbeat.start()

    def _take(self) -> str:
        found = self._storage.read(LEASE_OBJECT)
        if found is not None:
            current = _parse(found[0])
            if current is not None and current[1] > self._clock():
                raise LeaseHeld(_held_message(self._storage, *current))
        try:
            return self._write(self._expires_at, found)
        except WriteConflict:
            again = self._storage.read(LEASE_OBJECT)
            current = _parse(again[0]) if again else None
            holder, until = current or ("unknown", self._clock())
            raise LeaseHeld(_held_message(self._storage, holder, until)) from None

    def _write(self, expires_at: datetime, found: tuple[bytes, str] | None) -> str:
        document = {"run_id": self.holder, "expires_at": expires_at.isoformat()}
        return self._storage.write(
            LEASE_OBJECT, json.dumps(document).encode(), expected=found[1] if found else None
        )

    def _beat(self) -> None:
        while not self._stop.wait(self._seconds / 3):
            with self._lock:
                if self._lost is not None or self._stop.is_set():
                    return
                self._renew(self._clock() + timedelta(seconds=self._seconds))

    def _renew(self, expires_at: datetime) -> None:
        try:
            self._token = self._write(expires_at, (b"", self._token))
            self._expires_at = expires_at
        except WriteConflict:
            self._lost = f"run {self.holder} lost its writer lease on {self._storage.location}"
        except Exception as error:  # a failed renewal is retried at the next beat
            if self._clock() >= self._expires_at:
                self._lost = f"run {self.holder} could not renew its writer lease: {error}"

    def ensure_held(self) -> None:
        with self._lock:
            if self._lost is None and self._clock() >= self._expires_at:
                self._lost = f"run {self.holder}'s writer lease expired without a heartbeat"
            if self._lost is not None:
                raise LeaseHeld(self._lost)

    def release(self) -> None:
        self._stop.set()
        with self._lock:
            if self._lost is None:
                self._renew(self._clock())
                self._lost = f"run {self.holder} released its writer lease"


def _parse(data: bytes) -> tuple[str, datetime] | None:
    try:
        document = json.loads(data)
        until = datetime.fromisoformat(document["expires_at"])
        return str(document["run_id"]), until if until.tzinfo else until.replace(tzinfo=UTC)
    except (ValueError, KeyError, TypeError):
        return None


def _held_message(storage: Storage, holder: str, until: datetime) -> str:
    return (
        f"another writer ({holder}) is writing {storage.location}; its lease runs until "
        f"{until.isoformat(timespec='seconds')} unless it renews it: wait for it to finish"
    )


def _utc_now() -> datetime:
    return datetime.now(UTC)
