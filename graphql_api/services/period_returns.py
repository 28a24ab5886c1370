"""Period returns: each ticker's return over a date range, ranked.

startClose is the close of the ticker's last trading day before the range. The first
day in the range has a daily return exactly when there is one (the ETL computed it from
that close), and close / (1 + daily return) gives it back; without one, startClose is
the first day's own close (close / 1). So only the range's partitions are read. A
ticker has one close more than it has daily returns in the range, so "two closes to
compare" is "at least one daily return".
"""

from __future__ import annotations

from collections.abc import Sequence

from etl.tables import DAILY_METRICS
from graphql_api.engines.base import Snapshot
from graphql_api.services import rows
from graphql_api.services.arguments import MAX_LIMIT, RANGE_FILTER, DateRange
from graphql_api.types.period_return import Order, PeriodReturn


def _ranked(where: str) -> str:
    return f"""
SELECT ticker, end_close / start_close - 1 AS period_return, start_close, end_close,
       trading_days
FROM (
    SELECT ticker,
           min_by(close / (1 + coalesce(daily_return, 0)), date) AS start_close,
           max_by(close, date) AS end_close,
           count(*) AS trading_days,
           count(daily_return) AS returns
    FROM {DAILY_METRICS.name}
    WHERE {where}
    GROUP BY ticker
) AS ranged
WHERE returns >= 1
ORDER BY period_return * ? DESC, ticker
LIMIT {MAX_LIMIT:d}
"""  # noqa: S608 (identifiers from etl.tables only)


# `* ?` takes 1 (highest first) or -1 (lowest first): one statement for both orders.

PERIOD_RETURNS = _ranked(RANGE_FILTER)

PERIOD_RETURNS_IN_WATCHLIST = _ranked(f"{RANGE_FILTER} AND contains(?, ticker)")

_SIGN = {Order.DESC: 1, Order.ASC: -1}


async def period_returns(
    snapshot: Snapshot,
    span: DateRange,
    order: Order,
    limit: int,
    watchlist: Sequence[str] | None = None,
) -> list[PeriodReturn]:
    """The `limit` highest (DESC) or lowest (ASC) returns; ties go to the ticker."""
    if watchlist is not None and not watchlist:
        return []  # nothing to rank: no query (nor an untyped empty ARRAY[] for Athena)
    if watchlist is None:
        found = await snapshot.fetch(PERIOD_RETURNS, (*span.parameters, _SIGN[order]))
    else:
        found = await snapshot.fetch(
            PERIOD_RETURNS_IN_WATCHLIST,
            (*span.parameters, tuple(sorted(set(watchlist))), _SIGN[order]),
        )
    return [
        PeriodReturn(
            ticker=rows.text(row, "ticker"),
            return_=rows.number(row, "period_return"),
            start_close=rows.number(row, "start_close"),
            end_close=rows.number(row, "end_close"),
            trading_days=rows.whole(row, "trading_days"),
        )
        for row in rows.finite(found, "period_return")[:limit]
    ]
