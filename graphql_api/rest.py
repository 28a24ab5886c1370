"""The REST paths of the system this API replaces: thin aliases over the same services.

Bodies are the records the services return (the GraphQL types), under the GraphQL
fields' names. A bad argument answers 400, an engine failure 502, a timeout 504,
anything else 500 with a request id (see main.py).
Each metric reads the request's one dataset version (X-Dataset-Version pins a
retained one; the answer names it in the same header).
"""

from __future__ import annotations

from dataclasses import asdict
from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Query

from graphql_api.deps import DatasetDep, EngineDep, SettingsDep, SnapshotDep
from graphql_api.errors import BadUserInput
from graphql_api.http_contract import HEALTH_PATH
from graphql_api.services import market, rankings
from graphql_api.services.arguments import checked_limit, date_range, optional_date_range
from graphql_api.types.scalars import parse_date

router = APIRouter(tags=["REST aliases"])

FromDate = Annotated[str | None, Query(description="First day, YYYY-MM-DD (inclusive).")]
ToDate = Annotated[str | None, Query(description="Last day, YYYY-MM-DD (inclusive).")]


@router.get(HEALTH_PATH)
async def health(engine: EngineDep) -> dict[str, str]:
    return {"status": "ok", "engine": engine.name}


@router.get("/metrics/most-valuable-day")
async def most_valuable_day(
    snapshot: SnapshotDep,
    dataset: DatasetDep,
    settings: SettingsDep,
    from_date: FromDate = None,
    to_date: ToDate = None,
) -> dict[str, Any] | None:
    span = optional_date_range(
        _optional_date(from_date),
        _optional_date(to_date),
        dataset=dataset.summary,
        max_days=settings.max_range_days,
    )
    found = await market.most_valuable_day(snapshot, span)
    return None if found is None else _camel(asdict(found))


@router.get("/metrics/most-volatile")
async def most_volatile(
    snapshot: SnapshotDep,
    dataset: DatasetDep,
    settings: SettingsDep,
    from_date: FromDate = None,
    to_date: ToDate = None,
    limit: int = 1,
) -> list[dict[str, Any]]:
    span = optional_date_range(
        _optional_date(from_date),
        _optional_date(to_date),
        dataset=dataset.summary,
        max_days=settings.max_range_days,
    )
    found = await rankings.most_volatile(snapshot, span, checked_limit(limit))
    return [_camel(asdict(value)) for value in found]


@router.get("/metrics/average-daily-return")
@router.get("/metrics/daily-average-return")
async def average_daily_return(
    snapshot: SnapshotDep,
    dataset: DatasetDep,
    settings: SettingsDep,
    from_date: FromDate = None,
    to_date: ToDate = None,
) -> list[dict[str, Any]]:
    start, end = _required_date(from_date, "from_date"), _required_date(to_date, "to_date")
    span = date_range(start, end, dataset=dataset.summary, max_days=settings.max_range_days)
    found = await market.average_daily_return(snapshot, span)
    return [_camel(asdict(value)) for value in found]


def _optional_date(value: str | None) -> date | None:
    return None if value is None else parse_date(value)


def _required_date(value: str | None, name: str) -> date:
    if value is None:
        raise BadUserInput(f"`{name}` is required, as YYYY-MM-DD")
    return parse_date(value)


def _camel(values: dict[str, Any]) -> dict[str, Any]:
    return {_camel_name(name): _json(value) for name, value in values.items()}


def _camel_name(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part.capitalize() for part in rest)


def _json(value: object) -> object:
    return value.isoformat() if isinstance(value, date) else value
