"""The ETL's rejected rows and anomalies of one dataset version, page by page.

Rejected rows are in (source_file, line) order, anomalies in (ticker, date, kind)
order: each a unique key, so a page is the rows after the previous page's last
key (see graphql_api/pagination.py). The first page starts after a key below
every row's: the ETL writes no empty file name and no empty ticker. An absent
filter is a TRUE flag in front of it, so each list has one statement.
"""

from __future__ import annotations

from datetime import date

from etl.tables import (
    ANOMALIES,
    ANOMALY_KINDS,
    FIRST_DATE,
    RAW_COLUMNS,
    REJECT_REASONS,
    REJECTED_ROWS,
)
from graphql_api.engines.base import Row, Snapshot
from graphql_api.errors import BadUserInput
from graphql_api.pagination import FETCHED, SHORT_FETCHED, Key, KeyTypes
from graphql_api.services import rows
from graphql_api.types.data_quality import Anomaly, RawRow, RejectedRow
from graphql_api.types.scalars import Long

REJECTION_KEY: KeyTypes = (str, int)
ANOMALY_KEY: KeyTypes = (str, date, str)
_BEFORE_ANY_REJECTION: Key = ("", 0)
_BEFORE_ANY_ANOMALY: Key = ("", FIRST_DATE, "")


def _rejections(limit: int) -> str:
    return f"""
SELECT source_file, line, reason, {", ".join(RAW_COLUMNS)}
FROM {REJECTED_ROWS.name}
WHERE (? OR reason = ?)
  AND (source_file > ? OR (source_file = ? AND line > ?))
ORDER BY source_file, line
LIMIT {limit:d}
"""  # noqa: S608 (identifiers from etl.tables only)


REJECTIONS = _rejections(FETCHED)
SHORT_REJECTIONS = _rejections(SHORT_FETCHED)

REJECTION_COUNT = f"""
SELECT count(*) AS total
FROM {REJECTED_ROWS.name}
WHERE (? OR reason = ?)
"""  # noqa: S608 (identifiers from etl.tables only)


def _anomalies_page(limit: int) -> str:
    return f"""
SELECT ticker, date, kind, detail
FROM {ANOMALIES.name}
WHERE (? OR kind = ?) AND (? OR ticker = ?)
  AND (ticker > ? OR (ticker = ? AND (date > ? OR (date = ? AND kind > ?))))
ORDER BY ticker, date, kind
LIMIT {limit:d}
"""  # noqa: S608 (identifiers from etl.tables only)


ANOMALIES_PAGE = _anomalies_page(FETCHED)
SHORT_ANOMALIES_PAGE = _anomalies_page(SHORT_FETCHED)

ANOMALY_COUNT = f"""
SELECT count(*) AS total
FROM {ANOMALIES.name}
WHERE (? OR kind = ?) AND (? OR ticker = ?)
"""  # noqa: S608 (identifiers from etl.tables only)


def checked_reason(reason: str | None) -> str | None:
    return _checked("reason", reason, REJECT_REASONS)


def checked_kind(kind: str | None) -> str | None:
    return _checked("kind", kind, ANOMALY_KINDS)


def rejection_key(row: RejectedRow) -> Key:
    return (row.source_file, int(row.line))


def anomaly_key(row: Anomaly) -> Key:
    return (row.ticker, row.date, row.kind)


async def rejections(
    snapshot: Snapshot, reason: str | None, after: Key | None, kept: int
) -> list[RejectedRow]:
    """Up to `kept` rejected rows after the key `after` (from the first without one)."""
    source_file, line = after or _BEFORE_ANY_REJECTION
    statement = SHORT_REJECTIONS if kept <= SHORT_FETCHED else REJECTIONS
    found = await snapshot.fetch(statement, (*_filter(reason), source_file, source_file, line))
    return [
        RejectedRow(
            source_file=rows.text(row, "source_file"),
            line=Long(rows.whole(row, "line")),
            reason=rows.text(row, "reason"),
            explanation=REJECT_REASONS.get(rows.text(row, "reason"), ""),
            raw=RawRow(**{name: _optional_text(row, name) for name in RAW_COLUMNS}),
        )
        for row in found[:kept]
    ]


async def rejection_count(snapshot: Snapshot, reason: str | None) -> int:
    [row] = await snapshot.fetch(REJECTION_COUNT, _filter(reason))
    return rows.whole(row, "total")


async def anomalies(
    snapshot: Snapshot, kind: str | None, ticker: str | None, after: Key | None, kept: int
) -> list[Anomaly]:
    """Up to `kept` anomalies after the key `after` (from the first without one)."""
    last_ticker, last_date, last_kind = after or _BEFORE_ANY_ANOMALY
    found = await snapshot.fetch(
        SHORT_ANOMALIES_PAGE if kept <= SHORT_FETCHED else ANOMALIES_PAGE,
        (
            *_filter(kind),
            *_filter(ticker),
            last_ticker,
            last_ticker,
            last_date,
            last_date,
            last_kind,
        ),
    )
    return [
        Anomaly(
            ticker=rows.text(row, "ticker"),
            date=rows.day(row, "date"),
            kind=rows.text(row, "kind"),
            explanation=ANOMALY_KINDS.get(rows.text(row, "kind"), ""),
            detail=rows.text(row, "detail"),
        )
        for row in found[:kept]
    ]


async def anomaly_count(snapshot: Snapshot, kind: str | None, ticker: str | None) -> int:
    [row] = await snapshot.fetch(ANOMALY_COUNT, (*_filter(kind), *_filter(ticker)))
    return rows.whole(row, "total")


def _filter(value: str | None) -> tuple[bool, str]:
    """The values of `(? OR column = ?)`: every row without `value`, its rows with it."""
    return (value is None, value or "")


def _checked(name: str, value: str | None, known: dict[str, str]) -> str | None:
    if value is None:
        return None
    wanted = value.strip()
    if wanted not in known:
        raise BadUserInput(
            f"`{name}` {wanted[:40]!r} is not one the ETL gives; it is one of: {', '.join(known)}"
        )
    return wanted


def _optional_text(row: Row, column: str) -> str | None:
    return None if row[column] is None else rows.text(row, column)
