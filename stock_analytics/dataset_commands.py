"""`stock-analytics versions` and `stock-analytics rollback`: the warehouse's pointer, by hand.

Both work on a local folder and on `s3://` (through etl/storage.py; the endpoint
comes from `--endpoint-url` or AWS_ENDPOINT_URL). Neither loads Spark.
"""

from __future__ import annotations

import json
import sys
from datetime import UTC, datetime, timedelta
from typing import Any

from etl.cleanup import clean_up
from etl.dataset_pointer import DatasetPointer, PointerError, VersionSummary
from etl.publication import PublishConflict, read_pointer, roll_back
from etl.storage import open_storage
from etl.writer_lease import LeaseHeld, take_writer_lease

BAD_REQUEST = 2
BUSY = 3


def list_versions(warehouse: str, *, as_json: bool, endpoint_url: str | None = None) -> int:
    """Print the retained versions, the current one marked; exit 2 without a pointer."""
    storage = open_storage(warehouse, endpoint_url=endpoint_url)
    try:
        state = read_pointer(storage)
    except PointerError as error:
        return _fail(f"{storage.location}: the dataset pointer is unreadable: {error}")
    if state.pointer is None:
        if state.legacy:
            return _fail(
                f"{storage.location} was built by the ETL before versions: run "
                "`stock-analytics etl` to publish a first version"
            )
        return _fail(f"{storage.location} holds no published dataset version")
    if as_json:
        print(json.dumps(_as_json(state.pointer), indent=2))
    else:
        print(_as_text(state.pointer))
    return 0


def rollback(
    warehouse: str, version: str, *, grace_seconds: float, endpoint_url: str | None = None
) -> int:
    """Make a retained version current again; exit 2 if it is not retained, 3 if another
    writer holds the warehouse or changed the pointer meanwhile."""
    storage = open_storage(warehouse, endpoint_url=endpoint_url)
    started = datetime.now(UTC)
    try:
        with take_writer_lease(storage, f"rollback {started:%Y%m%dT%H%M%SZ}"):
            pointer, previous = roll_back(storage, version)
            removed = clean_up(
                storage, now=datetime.now(UTC), grace=timedelta(seconds=grace_seconds)
            )
    except PointerError as error:
        return _fail(f"rollback refused: {error}")
    except (LeaseHeld, PublishConflict) as error:
        print(f"rollback failed, nothing changed: {error}", file=sys.stderr)
        return BUSY
    if previous == pointer.current:
        print(f"{version} is already the current version of {storage.location}")
    else:
        print(f"{storage.location}: current version {pointer.current} (was {previous})")
    for line in removed.render():
        print(line)
    return 0


def _as_json(pointer: DatasetPointer) -> list[dict[str, Any]]:
    return [
        _version_json(summary, summary.version == pointer.current) for summary in pointer.versions
    ]


def _version_json(summary: VersionSummary, current: bool) -> dict[str, Any]:
    """The whole summary, its own fields first and what the run recorded beside them (table
    sizes, headline answers: long) after, so a reader sees the version before its details."""
    document = summary.to_json()
    recorded = {key: document[key] for key in summary.extra}
    own = {key: value for key, value in document.items() if key not in recorded}
    return {"current": current, **own, **recorded}


def _as_text(pointer: DatasetPointer) -> str:
    header = f"  {'version':<24} {'published at':<21} {'rows':>12} {'tickers':>8}  dates"
    lines = [
        header,
        *(_line(summary, summary.version == pointer.current) for summary in pointer.versions),
    ]
    if pointer.dropped:
        lines.append("dropped, files kept until their grace period is over:")
        lines.extend(f"  {d.version}  dropped at {_iso(d.dropped_at)}" for d in pointer.dropped)
    return "\n".join(lines)


def _line(summary: VersionSummary, current: bool) -> str:
    mark = "*" if current else " "
    return (
        f"{mark} {summary.version:<24} {_iso(summary.published_at):<21} {summary.rows:>12,} "
        f"{summary.tickers:>8}  {summary.first_date} .. {summary.last_date}"
    )


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _fail(message: str) -> int:
    print(message, file=sys.stderr)
    return BAD_REQUEST
