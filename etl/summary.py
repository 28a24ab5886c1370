"""The run's accounting and summary: what was read, kept, rejected and computed."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from etl.cleanup import CleanUp
from etl.dataset_pointer import VersionSummary
from etl.tables import REJECT_REASONS

CONFLICTING_DUPLICATE = "conflicting_duplicate"
BAD_ENCODING = "bad_encoding"
FILES_LISTED = 20
"""At most this many file names under a heading of the printed summary."""


@dataclass(frozen=True)
class Accounting:
    """Where every row read went: rows read = accepted + rejected + collapsed."""

    rows_accepted: int
    rejected_by_reason: dict[str, int]
    duplicates_collapsed: int
    files_without_valid_row: tuple[str, ...]
    """Input files none of whose rows passed the checks a row gets on its own."""
    files_read: int = 0
    files_skipped: tuple[str, ...] = ()
    """Files in the input folder that were not read: not .csv or .csv.gz."""
    files_not_utf8: tuple[str, ...] = ()
    """Input files with lines that are not UTF-8 (rejected as bad_encoding)."""

    @property
    def rows_rejected(self) -> int:
        return sum(self.rejected_by_reason.values())

    @property
    def rows_read(self) -> int:
        return self.rows_accepted + self.rows_rejected + self.duplicates_collapsed

    @classmethod
    def from_outcomes(
        cls,
        outcomes: Iterable[tuple[str, str | None, bool, int]],
        files: Sequence[str],
        skipped: Sequence[str] = (),
    ) -> Accounting:
        """Build from (source_file, reason, collapsed, rows) counts, the files read and skipped."""
        accepted = collapsed = 0
        rejected = dict.fromkeys(REJECT_REASONS, 0)
        files_with_valid_row: set[str] = set()
        files_not_utf8: set[str] = set()
        for source_file, reason, was_collapsed, rows in outcomes:
            if reason is None or reason == CONFLICTING_DUPLICATE:
                files_with_valid_row.add(source_file)
            if reason == BAD_ENCODING:
                files_not_utf8.add(source_file)
            if reason is not None:
                rejected[reason] += rows
            elif was_collapsed:
                collapsed += rows
            else:
                accepted += rows
        return cls(
            rows_accepted=accepted,
            rejected_by_reason=rejected,
            duplicates_collapsed=collapsed,
            files_without_valid_row=tuple(f for f in files if f not in files_with_valid_row),
            files_read=len(files),
            files_skipped=tuple(skipped),
            files_not_utf8=tuple(f for f in files if f in files_not_utf8),
        )


@dataclass(frozen=True)
class RunSummary:
    run_id: str
    input: str
    warehouse: str
    started_at: datetime
    finished_at: datetime
    accounting: Accounting
    tickers: int
    first_date: date | None
    last_date: date | None
    anomalies_by_kind: dict[str, int] = field(default_factory=dict)
    retained_versions: tuple[str, ...] = ()
    """After publication: the retained versions, newest first (this run's first)."""
    clean_up: CleanUp | None = None
    """After publication: what the run removed from the warehouse."""

    @property
    def wall_seconds(self) -> float:
        return (self.finished_at - self.started_at).total_seconds()

    def version_summary(self, extra: dict[str, Any] | None = None) -> VersionSummary:
        """This run as a version of the pointer; published_at is set when it is published."""
        return VersionSummary(
            version=self.run_id,
            finished_at=self.finished_at,
            published_at=self.finished_at,
            first_date=self.first_date,
            last_date=self.last_date,
            tickers=self.tickers,
            rows=self.accounting.rows_accepted,
            rows_read=self.accounting.rows_read,
            rows_rejected=self.accounting.rows_rejected,
            duplicates_collapsed=self.accounting.duplicates_collapsed,
            input=self.input,
            extra=dict(extra or {}),
        )

    def render(self) -> str:
        """The summary printed at the end of a run."""
        counts = self.accounting
        lines = [
            f"ETL run {self.run_id} finished",
            f"  input                 {self.input}",
            f"  warehouse             {self.warehouse}",
            f"  files read            {counts.files_read:,}",
            *_listed(counts.files_not_utf8, "not UTF-8: "),
            f"  files skipped         {len(counts.files_skipped):,}"
            + (" (names not ending in .csv or .csv.gz)" if counts.files_skipped else ""),
            *_listed(counts.files_skipped),
            f"  rows read             {counts.rows_read:,}",
            f"  rows accepted         {counts.rows_accepted:,}",
            f"  rows rejected         {counts.rows_rejected:,}",
            *(
                f"    {reason:<19} {rows:,}"
                for reason, rows in counts.rejected_by_reason.items()
                if rows
            ),
            f"  duplicates collapsed  {counts.duplicates_collapsed:,}",
            f"  anomalies flagged     {sum(self.anomalies_by_kind.values()):,}",
            *(f"    {kind:<19} {rows:,}" for kind, rows in self.anomalies_by_kind.items() if rows),
            f"  tickers               {self.tickers:,}",
            f"  date range            {self.first_date} .. {self.last_date}",
            f"  wall time             {self.wall_seconds:.1f} s",
        ]
        if self.retained_versions:
            lines.append(f"  version               {self.run_id} (current)")
            lines.append(f"  retained versions     {', '.join(self.retained_versions)}")
        if self.clean_up is not None:
            lines.extend(self.clean_up.render())
        return "\n".join(lines)


def _listed(names: Sequence[str], label: str = "") -> list[str]:
    lines = [f"    {label}{name}" for name in names[:FILES_LISTED]]
    if len(names) > FILES_LISTED:
        lines.append(f"    {label}... and {len(names) - FILES_LISTED:,} more")
    return lines
