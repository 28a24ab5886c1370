from __future__ import annotations

import datetime as dt

import strawberry

from etl.dataset_pointer import VersionSummary
from graphql_api.resolvers import data_quality
from graphql_api.types.connection import Connection
from graphql_api.types.data_quality import Anomaly, RejectedRow


@strawberry.type(
    description="A dataset version: what one ETL run published, as the warehouse pointer "
    "records it."
)
class Dataset:
    version: str = strawberry.field(
        description="The ETL run id. Send it back in the X-Dataset-Version request header "
        "to read this version while it is retained."
    )
    current: bool = strawberry.field(
        description="Whether this is the version a request reads when it pins none."
    )
    finished_at: dt.datetime = strawberry.field(description="When the ETL run finished.")
    published_at: dt.datetime = strawberry.field(
        description="When the run made this version current (a rollback does not change it)."
    )
    first_date: dt.date | None = strawberry.field(description="The earliest trading day held.")
    last_date: dt.date | None = strawberry.field(description="The latest trading day held.")
    stocks: int = strawberry.field(description="How many tickers the dataset holds.")
    rows: int = strawberry.field(description="Accepted input rows (ticker-days).")
    rejected_rows: int = strawberry.field(description="Input rows the ETL rejected.")
    rejections: Connection[RejectedRow] = strawberry.field(
        resolver=data_quality.rejections,
        description="The input rows the ETL rejected, by file and line: why a row is "
        "missing from the metrics.",
    )
    anomalies: Connection[Anomaly] = strawberry.field(
        resolver=data_quality.anomalies,
        description="The accepted rows the ETL flagged as suspicious (kept in the metrics), "
        "by ticker, date and kind.",
    )

    @classmethod
    def from_summary(cls, summary: VersionSummary, *, current: bool) -> Dataset:
        return cls(
            version=summary.version,
            current=current,
            finished_at=summary.finished_at,
            published_at=summary.published_at,
            first_date=summary.first_date,
            last_date=summary.last_date,
            stocks=summary.tickers,
            rows=summary.rows,
            rejected_rows=summary.rows_rejected,
        )
