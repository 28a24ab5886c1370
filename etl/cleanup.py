"""What a writer removes from the warehouse, and what it measures of its own version.

Only a writer that holds the writer lease (etl/writer_lease.py) may call
`clean_up`: then any version folder the pointer does not know, other than the
writer's own, was left by a writer that died.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from etl.dataset_pointer import is_version
from etl.publication import forget, read_pointer
from etl.storage import Storage
from etl.tables import TABLES, VERSION_KEY, version_prefix

VERSION_FOLDER = f"{VERSION_KEY}="
LEGACY_STAGING = "_staging"


@dataclass(frozen=True)
class CleanUp:
    expired: tuple[str, ...] = ()
    """Dropped versions whose grace period was over: their files are gone."""
    orphans: tuple[str, ...] = ()
    """Versions no pointer knew, left by writers that died: their files are gone."""
    unversioned: tuple[str, ...] = ()
    """Folders and files of the ETL before versions, left in place (no reader of the
    versioned warehouse reads them)."""

    def render(self) -> list[str]:
        lines = [
            f"  removed (grace over)  {', '.join(self.expired) or 'none'}",
            f"  removed (orphans)     {', '.join(self.orphans) or 'none'}",
        ]
        if self.unversioned:
            lines.append(
                "  note: files of the unversioned ETL are left in place, unread: "
                + ", ".join(self.unversioned)
                + " (delete them once nothing reads the old layout)"
            )
        return lines


def clean_up(
    storage: Storage, *, now: datetime, grace: timedelta, own: str | None = None
) -> CleanUp:
    """Remove the versions dropped longer than `grace` ago and the orphans of dead writers;
    never the retained ones, the dropped ones still in grace, or `own`."""
    state = read_pointer(storage)
    if state.pointer is None:
        return CleanUp(unversioned=unversioned_entries(storage))
    expired = state.pointer.removable(now, grace)
    for version in expired:
        remove_version(storage, version)
    forget(storage, expired)
    keep = state.pointer.known_versions | ({own} if own else set())
    orphans = sorted(set(stored_versions(storage)) - keep - set(expired))
    for version in orphans:
        remove_version(storage, version)
    return CleanUp(tuple(expired), tuple(orphans), unversioned_entries(storage))


def stored_versions(storage: Storage) -> dict[str, tuple[str, ...]]:
    """Every version that has a folder in some table, with those tables."""
    found: dict[str, list[str]] = {}
    for table in TABLES:
        for name in storage.children(table.name):
            version = name.removeprefix(VERSION_FOLDER)
            if name.startswith(VERSION_FOLDER) and is_version(version):
                found.setdefault(version, []).append(table.name)
    return {version: tuple(tables) for version, tables in found.items()}


def remove_version(storage: Storage, version: str) -> None:
    """Delete every table's folder of `version` (the folders that exist)."""
    for table in TABLES:
        storage.delete_prefix(version_prefix(table, version))


def unversioned_entries(storage: Storage) -> tuple[str, ...]:
    """What the ETL before versions left: `<table>/year=…`, `<table>/part-…`, `_staging/`."""
    entries = [
        f"{table.name}/{name}"
        for table in TABLES
        for name in sorted(storage.children(table.name))
        if not name.startswith(VERSION_FOLDER) and not name.startswith(".")
    ]
    if LEGACY_STAGING in storage.children(""):
        entries.append(f"{LEGACY_STAGING}/")
    return tuple(entries)


def table_bytes(storage: Storage, version: str) -> dict[str, Any]:
    """The Parquet bytes of `version`, per table and, for tables by year, per year:
    {"daily_metrics": {"bytes": n, "years": {"2024": n, ...}}, "runs": {"bytes": n}}."""
    measured: dict[str, Any] = {}
    for table in TABLES:
        files = {
            name: size
            for name, size in storage.sizes(version_prefix(table, version)).items()
            if name.endswith(".parquet") and not name.rsplit("/", 1)[-1].startswith(".")
        }
        entry: dict[str, Any] = {"bytes": sum(files.values())}
        if "year" in table.partition_names:
            years: dict[str, int] = {}
            for name, size in files.items():
                year = name.split("/", 1)[0].removeprefix("year=")
                years[year] = years.get(year, 0) + size
            entry["years"] = dict(sorted(years.items()))
        measured[table.name] = entry
    return measured
