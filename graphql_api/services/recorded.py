"""Whole-history answers the ETL recorded in its version's summary, read instead of a query.

The ETL answers the main questions in Spark and records them with the version it
publishes (etl/headline.py, the summary's "headline": each field's `data` for the whole
history, rankings to a limit of three), so that `stock-analytics verify` can check the
API against them. They are computed from the very frames the tables are written from,
ranked by the contract's keys and tie rules, as the statements here rank the tables:
where a recorded answer covers a request (no range, no watchlist, a limit no larger than
the recorded list) it is the answer the statement would give, value for value.

A recorded answer is used only when every value in it is a finite number: the API passes
over NaN and infinities, which Spark ranks first (NaN, +inf) or last (-inf), so a
recorded list with one may differ from the API's answer. Then, or when the version
recorded nothing (an older ETL), or anything is not as expected, the statement runs.

Only the DuckDB engine answers from them (the resolvers pass no summary for Athena):
`stock-analytics verify` compares a deployment's answers with the recorded ones, the
one check that Athena's SQL gets, so Athena always runs it.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from datetime import date
from typing import Any, TypeVar

from etl.dataset_pointer import VersionSummary
from graphql_api.services.arguments import DateRange
from graphql_api.types.stock_volatility import StockVolatility
from graphql_api.types.stock_worth import StockWorth
from graphql_api.types.thirty_day_return import ThirtyDayReturn
from graphql_api.types.valuable_day import ValuableDay

HEADLINE = "headline"
"""etl.headline.HEADLINE_KEY (that module needs Spark)."""

T = TypeVar("T")
Watchlist = Sequence[str] | None


def most_valuable_day(summary: VersionSummary | None, span: DateRange | None) -> ValuableDay | None:
    """The whole history's most valuable day as recorded; None for a range, or when it was
    not recorded."""
    if span is not None:
        return None
    found = _expected(summary, "mostValuableDay")
    try:
        return ValuableDay(
            date=_day(found["date"]), average_traded_value=_number(found["averageTradedValue"])
        )
    except (KeyError, TypeError, ValueError):
        return None


def highest_worth(
    summary: VersionSummary | None, span: DateRange | None, limit: int, watchlist: Watchlist
) -> list[StockWorth] | None:
    return _ranking(
        summary,
        "highestWorthStocks",
        limit if span is None and watchlist is None else None,
        lambda entry: StockWorth(
            ticker=_text(entry["ticker"]),
            average_traded_value=_number(entry["averageTradedValue"]),
        ),
    )


def most_volatile(
    summary: VersionSummary | None, span: DateRange | None, limit: int, watchlist: Watchlist
) -> list[StockVolatility] | None:
    return _ranking(
        summary,
        "mostVolatile",
        limit if span is None and watchlist is None else None,
        lambda entry: StockVolatility(
            ticker=_text(entry["ticker"]),
            annualized_volatility=_number(entry["annualizedVolatility"]),
            returns=_whole(entry["returns"]),
        ),
    )


def top_thirty_day_returns(
    summary: VersionSummary | None, span: DateRange | None, limit: int, watchlist: Watchlist
) -> list[ThirtyDayReturn] | None:
    return _ranking(
        summary,
        "topThirtyDayReturns",
        limit if span is None and watchlist is None else None,
        lambda entry: ThirtyDayReturn(
            ticker=_text(entry["ticker"]),
            date=_day(entry["date"]),
            return30d=_number(entry["return30d"]),
            close=_number(entry["close"]),
            prior_date=_day(entry["priorDate"]),
            prior_close=_number(entry["priorClose"]),
        ),
    )


def _ranking(
    summary: VersionSummary | None, field: str, limit: int | None, make: Callable[[Any], T]
) -> list[T] | None:
    """The first `limit` of the whole history's recorded ranking (None: a range or a
    watchlist, which nothing recorded covers), if it holds that many; every entry is read
    (and must be finite), not only those kept."""
    found = _expected(summary, field)
    if limit is None or not isinstance(found, list) or limit > len(found):
        return None
    try:
        return [make(entry) for entry in found][:limit]
    except (KeyError, TypeError, ValueError):
        return None


def _expected(summary: VersionSummary | None, field: str) -> Any:
    headline = None if summary is None else summary.extra.get(HEADLINE)
    check = headline.get(field) if isinstance(headline, dict) else None
    return check.get("expected") if isinstance(check, dict) else None


def _number(value: object) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise TypeError(f"not a number: {value!r}")
    number = float(value)
    if not math.isfinite(number):
        raise ValueError(f"not finite: {number}")
    return number


def _whole(value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"not an integer: {value!r}")
    return value


def _text(value: object) -> str:
    if not isinstance(value, str):
        raise TypeError(f"not a string: {value!r}")
    return value


def _day(value: object) -> date:
    return date.fromisoformat(_text(value))
