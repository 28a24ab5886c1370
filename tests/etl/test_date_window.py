"""The ETL's accepted dates and the Glue catalog's `year` projection are the same years."""

from __future__ import annotations

import pytest

from etl.tables import DAILY_METRICS, FIRST_DATE, LAST_DATE, PARTITION_YEARS, REJECT_REASONS


@pytest.mark.parametrize("environment", ["dev", "prod"])
def test_the_catalog_projects_exactly_the_years_the_etl_accepts(environment: str) -> None:
    from infrastructure.config import environment_config
    from infrastructure.constructs.catalog import _year_projection

    https = {"certificate_arn": "arn:aws:acm:us-east-1:123456789012:certificate/abc"}
    config = environment_config(environment, **https, domain_name="api.example.com")
    years = config.pipeline.partition_years
    projection = _year_projection(DAILY_METRICS, "s3://bucket/daily_metrics/", years)
    assert projection["projection.year.range"] == f"{FIRST_DATE.year},{LAST_DATE.year}"
    assert PARTITION_YEARS == (1970, 2100)


def test_the_window_is_in_the_bad_date_description() -> None:
    assert f"{FIRST_DATE}..{LAST_DATE}" in REJECT_REASONS["bad_date"]
