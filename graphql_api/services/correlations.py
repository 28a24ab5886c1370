"""Correlations: Pearson's r of two tickers' daily returns, on the days both have one."""

from __future__ import annotations

from collections.abc import Sequence

from etl.tables import DAILY_METRICS
from graphql_api.engines.base import Snapshot
from graphql_api.services import rows
from graphql_api.services.arguments import RANGE_FILTER, DateRange
from graphql_api.types.correlation import Correlation

MIN_OBSERVATIONS = 3


def _pairs(where: str) -> str:
    return f"""
WITH returns AS (
    SELECT ticker, date, daily_return
    FROM {DAILY_METRICS.name}
    WHERE {where}contains(?, ticker) AND daily_return IS NOT NULL
)
SELECT x.ticker AS a, y.ticker AS b,
       corr(x.daily_return, y.daily_return) AS correlation,
       count(*) AS observations
FROM returns AS x
JOIN returns AS y ON x.date = y.date AND x.ticker < y.ticker
GROUP BY x.ticker, y.ticker
HAVING count(*) >= {MIN_OBSERVATIONS:d}
ORDER BY a, b
"""  # noqa: S608 (identifiers from etl.tables only)


CORRELATIONS = _pairs("")

CORRELATIONS_IN_RANGE = _pairs(f"{RANGE_FILTER} AND ")


async def correlations(
    snapshot: Snapshot, tickers: Sequence[str], span: DateRange | None
) -> list[Correlation]:
    """One entry per pair of `tickers` (a < b) with MIN_OBSERVATIONS common returns or more;
    a pair whose r is undefined (a ticker's returns do not vary there) is left out."""
    wanted = tuple(sorted(set(tickers)))
    if len(wanted) < 2:
        return []  # no pair: no query (nor an untyped empty ARRAY[] for Athena)
    if span is None:
        found = await snapshot.fetch(CORRELATIONS, (wanted,))
    else:
        found = await snapshot.fetch(CORRELATIONS_IN_RANGE, (*span.parameters, wanted))
    return [
        Correlation(
            a=rows.text(row, "a"),
            b=rows.text(row, "b"),
            correlation=rows.number(row, "correlation"),
            observations=rows.whole(row, "observations"),
        )
        for row in rows.finite(found, "correlation")
    ]
