"""What the ETL kept out of the metrics (rejected rows) and flagged in them (anomalies)."""

from __future__ import annotations

import datetime as dt

import strawberry

from graphql_api.types.scalars import Long


@strawberry.type(description="An input row's values as read from its file, before any parsing.")
class RawRow:
    date: str | None = strawberry.field(description="The `date` field as read.")
    open: str | None = strawberry.field(description="The `open` field as read.")
    high: str | None = strawberry.field(description="The `high` field as read.")
    low: str | None = strawberry.field(description="The `low` field as read.")
    close: str | None = strawberry.field(description="The `close` field as read.")
    volume: str | None = strawberry.field(description="The `volume` field as read.")
    ticker: str | None = strawberry.field(description="The `ticker` (or `symbol`) field as read.")


@strawberry.type(
    description="An input row the ETL rejected, so it is in none of the metrics: where it "
    "came from, why, and its values."
)
class RejectedRow:
    source_file: str = strawberry.field(description="The input file the row came from.")
    line: Long = strawberry.field(description="Its line number in that file, from 1 (the header).")
    reason: str = strawberry.field(
        description="Why it was rejected: bad_encoding, bad_quoting, bad_field_count, "
        "bad_date, missing_ticker, bad_ticker, bad_close, bad_price, bad_volume or "
        "conflicting_duplicate; a row gets the first that applies."
    )
    explanation: str = strawberry.field(description="What the reason means.")
    raw: RawRow = strawberry.field(description="The row's values as read.")


@strawberry.type(
    description="An accepted row that looks suspicious: it is kept in the metrics, and "
    "flagged here."
)
class Anomaly:
    ticker: str = strawberry.field(description="The stock's ticker symbol.")
    date: dt.date = strawberry.field(description="The trading day.")
    kind: str = strawberry.field(
        description="What is suspicious: ohlc_inconsistent, zero_volume or large_move."
    )
    explanation: str = strawberry.field(description="What the kind means.")
    detail: str = strawberry.field(description="The values that raised the flag.")
