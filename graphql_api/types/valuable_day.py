from __future__ import annotations

import datetime as dt

import strawberry

from graphql_api.services import domain


@strawberry.type(description="A trading day and the mean traded value (close × volume) on it.")
class ValuableDay:
    date: dt.date = strawberry.field(description="The trading day.")
    average_traded_value: float = strawberry.field(
        description="Mean of close × volume across the tickers trading that day."
    )

    @classmethod
    def from_domain(cls, value: domain.ValuableDay) -> ValuableDay:
        return cls(date=value.date, average_traded_value=value.average_traded_value)
