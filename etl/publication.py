"""Publishing a version and rolling back: the pointer's conditional rewrites.

The pointer is read with a token and written back only if it is unchanged
(etl/storage.py), so of two writers that read the same pointer exactly one
wins; the other gets PublishConflict and has changed nothing a reader sees.
"""

from __future__ import annotations

import contextlib
import json
from dataclasses import dataclass, replace
from datetime import datetime

from etl.dataset_pointer import DatasetPointer, PointerError, VersionSummary
from etl.storage import Storage, WriteConflict
from etl.tables import DATASET_MANIFEST


class PublishConflict(RuntimeError):
    """The pointer changed between our read and our write: another writer got there first."""


@dataclass(frozen=True)
class PointerState:
    """The pointer as read, with the token a conditional write needs."""

    pointer: DatasetPointer | None
    """None when there is no pointer, or only one written by the unversioned ETL."""
    token: str | None
    legacy: bool = False
    """The pointer was written by the ETL before versions (no "format": 2)."""


def read_pointer(storage: Storage) -> PointerState:
    """The pointer and its token; PointerError if it is there but broken."""
    found = storage.read(DATASET_MANIFEST)
    if found is None:
        return PointerState(None, None)
    data, token = found
    if _is_legacy(data):
        return PointerState(None, token, legacy=True)
    return PointerState(DatasetPointer.from_json(data), token)


def publish(
    storage: Storage, summary: VersionSummary, *, keep: int, now: datetime
) -> DatasetPointer:
    """Make `summary`'s version current, keeping the newest `keep`; one conditional write."""
    state = read_pointer(storage)
    published = replace(summary, published_at=now)
    if state.pointer is None:
        pointer = DatasetPointer(current=published.version, versions=(published,))
        if keep < 1:
            raise ValueError("keep at least one version")
    else:
        pointer = state.pointer.published(published, keep=keep)
    _write(storage, pointer, state.token, f"publish {summary.version}")
    return pointer


def roll_back(storage: Storage, version: str) -> tuple[DatasetPointer, str]:
    """Make the retained `version` current again; returns the new pointer and the version
    that was current. PointerError if there is no pointer or `version` is not retained."""
    state = read_pointer(storage)
    if state.pointer is None:
        what = "an unversioned warehouse" if state.legacy else "no dataset"
        raise PointerError(f"{storage.location} holds {what}: nothing to roll back to")
    previous = state.pointer.current
    pointer = state.pointer.rolled_back(version)
    if version != previous:
        _write(storage, pointer, state.token, f"roll back to {version}")
    return pointer, previous


def forget(storage: Storage, versions: tuple[str, ...]) -> None:
    """Drop removed versions from the pointer's `dropped` list. Best effort: if another writer
    changed the pointer meanwhile, the next clean-up forgets them."""
    if not versions:
        return
    state = read_pointer(storage)
    if state.pointer is None:
        return
    with contextlib.suppress(PublishConflict):
        _write(storage, state.pointer.forgetting(versions), state.token, "forget")


def _write(storage: Storage, pointer: DatasetPointer, token: str | None, what: str) -> None:
    try:
        storage.write(DATASET_MANIFEST, pointer.to_json().encode(), expected=token)
    except WriteConflict as error:
        raise PublishConflict(
            f"could not {what}: {storage.location}/{DATASET_MANIFEST} was changed by another "
            "writer since it was read; nothing was published"
        ) from error


def _is_legacy(data: bytes) -> bool:
    try:
        document = json.loads(data)
    except ValueError:
        return False
    return isinstance(document, dict) and "format" not in document and "run_id" in document
