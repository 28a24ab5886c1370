from __future__ import annotations

import datetime as dt

import strawberry

from graphql_api.engines.manifest import DatasetManifest


@strawberry.type(description="The dataset the answers come from: the last ETL run's manifest.")
class Dataset:
    version: str = strawberry.field(
        description="The ETL run id; every cache is keyed on it, so a new run shows at once."
    )
    finished_at: str = strawberry.field(description="When the ETL run finished (ISO 8601, UTC).")
    first_date: dt.date | None = strawberry.field(description="The earliest trading day held.")
    last_date: dt.date | None = strawberry.field(description="The latest trading day held.")
    stocks: int = strawberry.field(description="How many tickers the dataset holds.")
    rows: int = strawberry.field(description="Accepted input rows (ticker-days).")
    rejected_rows: int = strawberry.field(description="Input rows the ETL rejected.")

    @classmethod
    def from_manifest(cls, manifest: DatasetManifest) -> Dataset:
        return cls(
            version=manifest.run_id,
            finished_at=manifest.finished_at,
            first_date=manifest.first_date,
            last_date=manifest.last_date,
            stocks=manifest.tickers,
            rows=manifest.rows,
            rejected_rows=manifest.rows_rejected,
        )
