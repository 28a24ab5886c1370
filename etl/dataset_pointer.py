"""The warehouse's pointer, `_dataset.json`: which version is current, which are kept.

A warehouse holds immutable versions, one per ETL run, each under
`<table>/dataset_version=<run_id>/` (see etl/tables.py), and this one small
document, the only object that ever changes. The ETL rewrites it last and
atomically to publish a run; `stock-analytics rollback` rewrites it to make a
retained version current again; the API reads it once per request.

    {
      "format": 2,
      "current": "20261130T120000Z-a1b2c3",
      "versions": [ {"version": ..., "finished_at": ..., "rows": ..., ...}, ... ],
      "dropped":  [ {"version": ..., "dropped_at": ...}, ... ]
    }

`versions` are the retained versions, newest published first, each with its run
summary; any of them can be pinned or rolled back to. `dropped` are versions
that fell out of retention: no reader can ask for them any more, but their
files stay until they have been out for the grace period, so a query that
started before they were dropped still finds its files.

Plain Python: the ETL, the API and the command line all read it.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from typing import Any

POINTER_FORMAT = 2
VERSION_PATTERN = re.compile(r"^[0-9]{8}T[0-9]{6}Z-[0-9a-f]{6}$")
"""What a run id (a dataset version) looks like: UTC start time and a random suffix. Only a
string that matches it may ever be written into SQL or a path."""
TABLE_BYTES = "table_bytes"
"""The key, in a version summary's `extra`, of the Parquet bytes its run wrote per table (and,
for a table by year, per year): etl/cleanup.py `table_bytes`."""
DEFAULT_RETAINED_VERSIONS = 5
DEFAULT_GRACE_SECONDS = 600.0
"""How long a dropped version's files outlive it: ten times the API's default query
timeout, and more than its request budget plus its pointer cache."""


class PointerError(ValueError):
    """The pointer is missing, malformed, or was written by an older ETL."""


def is_version(text: str) -> bool:
    return VERSION_PATTERN.fullmatch(text) is not None


@dataclass(frozen=True)
class VersionSummary:
    """One version as a run left it: its accounting, its span, when it was published."""

    version: str
    finished_at: datetime
    published_at: datetime
    first_date: date | None
    last_date: date | None
    tickers: int
    rows: int
    rows_read: int
    rows_rejected: int
    duplicates_collapsed: int
    input: str
    extra: dict[str, Any] = field(default_factory=dict)
    """What later runs record beyond these fields, kept as written."""

    def to_json(self) -> dict[str, Any]:
        return {
            **self.extra,
            "version": self.version,
            "finished_at": _iso(self.finished_at),
            "published_at": _iso(self.published_at),
            "first_date": self.first_date.isoformat() if self.first_date else None,
            "last_date": self.last_date.isoformat() if self.last_date else None,
            "tickers": self.tickers,
            "rows": self.rows,
            "rows_read": self.rows_read,
            "rows_rejected": self.rows_rejected,
            "duplicates_collapsed": self.duplicates_collapsed,
            "input": self.input,
        }

    def has_table(self, name: str) -> bool:
        """Whether the version holds table `name`'s files, by the sizes its run recorded
        (TABLE_BYTES): a version written before the table existed has none."""
        sizes = self.extra.get(TABLE_BYTES)
        entry = sizes.get(name) if isinstance(sizes, dict) else None
        written = entry.get("bytes") if isinstance(entry, dict) else None
        return isinstance(written, int) and written > 0

    @classmethod
    def from_json(cls, document: dict[str, Any]) -> VersionSummary:
        return cls(
            version=_version(document["version"]),
            finished_at=_moment(document["finished_at"]),
            published_at=_moment(document["published_at"]),
            first_date=_optional_date(document.get("first_date")),
            last_date=_optional_date(document.get("last_date")),
            tickers=int(document["tickers"]),
            rows=int(document["rows"]),
            rows_read=int(document.get("rows_read", document["rows"])),
            rows_rejected=int(document.get("rows_rejected", 0)),
            duplicates_collapsed=int(document.get("duplicates_collapsed", 0)),
            input=str(document.get("input", "")),
            extra={key: value for key, value in document.items() if key not in SUMMARY_FIELDS},
        )


SUMMARY_FIELDS = frozenset(VersionSummary.__dataclass_fields__) - {"extra"}


@dataclass(frozen=True)
class DroppedVersion:
    version: str
    dropped_at: datetime


@dataclass(frozen=True)
class DatasetPointer:
    current: str
    versions: tuple[VersionSummary, ...]
    """Retained, newest published first; `current` is one of them."""
    dropped: tuple[DroppedVersion, ...] = ()

    def __post_init__(self) -> None:
        if self.find(self.current) is None:
            raise PointerError(f"current version {self.current} is not a retained version")

    @property
    def current_summary(self) -> VersionSummary:
        found = self.find(self.current)
        assert found is not None  # checked in __post_init__
        return found

    def find(self, version: str) -> VersionSummary | None:
        return next((v for v in self.versions if v.version == version), None)

    @property
    def known_versions(self) -> frozenset[str]:
        """Versions whose files must stay: retained, or dropped and still in their grace."""
        return frozenset(v.version for v in self.versions) | {d.version for d in self.dropped}

    def published(self, summary: VersionSummary, *, keep: int) -> DatasetPointer:
        """`summary` current and first; the versions past `keep` dropped as of its publication."""
        if keep < 1:
            raise ValueError("keep at least one version")
        if summary.version in self.known_versions:
            raise PointerError(f"version {summary.version} was published before")
        ordered = (summary, *self.versions)
        kept, cut = ordered[:keep], ordered[keep:]
        now = summary.published_at
        return DatasetPointer(
            current=summary.version,
            versions=kept,
            dropped=(*self.dropped, *(DroppedVersion(v.version, now) for v in cut)),
        )

    def rolled_back(self, version: str) -> DatasetPointer:
        """`version`, a retained one, made current; nothing is dropped."""
        if self.find(version) is None:
            retained = ", ".join(v.version for v in self.versions)
            raise PointerError(f"version {version} is not retained; retained: {retained}")
        return replace(self, current=version)

    def removable(self, now: datetime, grace: timedelta) -> tuple[str, ...]:
        """Dropped versions whose grace period is over: their files may be deleted."""
        return tuple(d.version for d in self.dropped if now - d.dropped_at >= grace)

    def forgetting(self, versions: Iterable[str]) -> DatasetPointer:
        """Without the dropped `versions` (their files are gone)."""
        gone = set(versions)
        return replace(self, dropped=tuple(d for d in self.dropped if d.version not in gone))

    def to_json(self) -> str:
        document = {
            "format": POINTER_FORMAT,
            "current": self.current,
            "versions": [v.to_json() for v in self.versions],
            "dropped": [
                {"version": d.version, "dropped_at": _iso(d.dropped_at)} for d in self.dropped
            ],
        }
        return json.dumps(document, indent=2) + "\n"

    @classmethod
    def from_json(cls, text: str | bytes) -> DatasetPointer:
        """Parse the pointer; PointerError says what is wrong with it."""
        try:
            document = json.loads(text)
        except ValueError as error:
            raise PointerError(f"not JSON: {error}") from error
        if not isinstance(document, dict):
            raise PointerError("not a JSON object")
        if document.get("format") != POINTER_FORMAT:
            raise PointerError(
                "written by an older ETL (one table set, no versions): run the ETL again "
                "to build a versioned warehouse"
            )
        try:
            return cls(
                current=_version(document["current"]),
                versions=tuple(VersionSummary.from_json(v) for v in document["versions"]),
                dropped=tuple(
                    DroppedVersion(_version(d["version"]), _moment(d["dropped_at"]))
                    for d in document.get("dropped", ())
                ),
            )
        except (KeyError, TypeError, ValueError) as error:
            if isinstance(error, PointerError):
                raise
            raise PointerError(f"malformed: {error!r}") from error


def _version(value: object) -> str:
    text = str(value)
    if not is_version(text):
        raise PointerError(f"{text!r} is not a dataset version")
    return text


def _moment(value: object) -> datetime:
    moment = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    if moment.tzinfo is None:
        raise ValueError(f"{value!r} has no time zone")
    return moment


def _optional_date(value: object) -> date | None:
    return None if value is None else date.fromisoformat(str(value))


def _iso(moment: datetime) -> str:
    return moment.isoformat(timespec="seconds").replace("+00:00", "Z")
