"""The ETL's accepted dates, as its reject reason describes them (the catalog's `year`
projection is checked against them in tests/infrastructure/test_data_pipeline_stack.py)."""

from __future__ import annotations

from etl.tables import FIRST_DATE, LAST_DATE, REJECT_REASONS


def test_the_window_is_in_the_bad_date_description() -> None:
    assert f"{FIRST_DATE}..{LAST_DATE}" in REJECT_REASONS["bad_date"]
