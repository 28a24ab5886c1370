"""The landing page at /, in headless Chromium: its numbers are the API's, its chart the range's."""

from __future__ import annotations

import re
from calendar import monthrange
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from tests.e2e import sample_csv
from testsupport.servers import LiveServer

pytestmark = [pytest.mark.browser, pytest.mark.slow]

FROM, TO = "2020-02-03", "2020-04-30"
ANSWERS = """{
  dataset { stocks rows rejectedRows firstDate lastDate version }
  mostValuableDay { date averageTradedValue }
  highestWorthStocks { ticker averageTradedValue }
  mostVolatile { ticker annualizedVolatility returns }
  topThirtyDayReturns { ticker date return30d close priorDate priorClose }
}"""
RANGE = """query ($from: Date!, $to: Date!) {
  averageDailyReturn(from: $from, to: $to) { date averageReturn stocks }
}"""
PATH_POINT = re.compile(r"[ML](-?[\d.]+),(-?[\d.]+)")


def data_value(page: Any, element_id: str) -> str:
    return str(page.locator(f"#{element_id}").get_attribute("value"))


def text(page: Any, element_id: str) -> str:
    return str(page.locator(f"#{element_id}").inner_text())


def wait_for_chart(page: Any, first: str, last: str) -> None:
    page.wait_for_selector(f'#chart-figure[data-range="{first}/{last}"][aria-busy="false"]')


def chart_points(page: Any) -> list[tuple[float, float]]:
    path = page.locator("#chart svg path.line").get_attribute("d")
    return [(float(x), float(y)) for x, y in PATH_POINT.findall(path)]


def six_months_before(day: str) -> str:
    """The same day six months earlier, or that month's last day if it is shorter."""
    last = date.fromisoformat(day)
    months = last.year * 12 + last.month - 1 - 6
    year, month = divmod(months, 12)
    return date(year, month + 1, min(last.day, monthrange(year, month + 1)[1])).isoformat()


def test_landing_page_shows_the_apis_answers_and_charts_a_chosen_range(
    page: Any, server: LiveServer, api: Any, artifacts: Path, external_requests: list[str]
) -> None:
    answers = api(server, ANSWERS)["data"]
    dataset = answers["dataset"]

    page.goto(server.url)
    default_from = six_months_before(dataset["lastDate"])
    wait_for_chart(page, default_from, dataset["lastDate"])

    assert page.locator("a[href='/graphql']").count() >= 1
    assert data_value(page, "dataset-stocks") == str(dataset["stocks"])
    assert data_value(page, "dataset-rows") == str(dataset["rows"])
    assert data_value(page, "dataset-rejected-rows") == str(dataset["rejectedRows"])
    assert text(page, "dataset-first-date") == dataset["firstDate"]
    assert text(page, "dataset-last-date") == dataset["lastDate"] == sample_csv.last_date()
    assert text(page, "dataset-version") == dataset["version"]

    most_valuable = answers["mostValuableDay"]
    assert text(page, "most-valuable-day-date") == most_valuable["date"]
    assert float(data_value(page, "most-valuable-day-value")) == most_valuable["averageTradedValue"]
    [worth] = answers["highestWorthStocks"]
    assert text(page, "highest-worth-ticker") == worth["ticker"]
    assert float(data_value(page, "highest-worth-value")) == worth["averageTradedValue"]
    [volatile] = answers["mostVolatile"]
    assert text(page, "most-volatile-ticker") == volatile["ticker"]
    assert float(data_value(page, "most-volatile-value")) == volatile["annualizedVolatility"]
    assert text(page, "most-volatile-value") == f"{volatile['annualizedVolatility'] * 100:.2f}%"
    assert int(data_value(page, "most-volatile-returns")) == volatile["returns"]

    shown_top = [
        row.locator("td").all_inner_texts() for row in page.locator("#top-returns tbody tr").all()
    ]
    assert [(cells[0], cells[1], cells[4]) for cells in shown_top] == [
        (row["ticker"], row["date"], row["priorDate"]) for row in answers["topThirtyDayReturns"]
    ]
    shown_returns = page.locator("#top-returns tbody data").evaluate_all(
        "nodes => nodes.map(node => Number(node.value))"
    )
    assert shown_returns == [
        value
        for row in answers["topThirtyDayReturns"]
        for value in (row["return30d"], row["close"], row["priorClose"])
    ]

    page.fill("#range-from", FROM)
    page.fill("#range-to", TO)
    page.click("button[type=submit]")
    wait_for_chart(page, FROM, TO)
    page.screenshot(path=artifacts / "landing.png", full_page=True)

    rows = api(server, RANGE, {"from": FROM, "to": TO})["data"]["averageDailyReturn"]
    returns = [row["averageReturn"] for row in rows]
    points = chart_points(page)
    assert len(points) == len(rows) > 40
    # x is proportional to the calendar date, so every point sits at its own date.
    days = [date.fromisoformat(row["date"]).toordinal() for row in rows]
    xs = [x for x, _ in points]
    assert [(x - xs[0]) / (xs[-1] - xs[0]) for x in xs] == pytest.approx(
        [(day - days[0]) / (days[-1] - days[0]) for day in days], abs=1e-4
    )
    # SVG y grows downwards: the highest point is the best day, the lowest the worst.
    ys = [y for _, y in points]
    assert ys.index(min(ys)) == returns.index(max(returns))
    assert ys.index(max(ys)) == returns.index(min(returns))

    assert int(data_value(page, "range-days")) == len(rows)
    assert float(data_value(page, "range-mean")) == pytest.approx(sum(returns) / len(rows))
    best = max(rows, key=lambda row: row["averageReturn"])
    worst = min(rows, key=lambda row: row["averageReturn"])
    assert text(page, "range-best-date") == best["date"]
    assert float(data_value(page, "range-best-value")) == best["averageReturn"]
    assert text(page, "range-worst-date") == worst["date"]
    assert float(data_value(page, "range-worst-value")) == worst["averageReturn"]

    table_dates = page.locator("#range-values tbody tr td:first-child").all_text_contents()
    expected = sample_csv.average_daily_returns(FROM, TO)
    assert table_dates == [row["date"] for row in rows] == list(expected)
    assert returns == pytest.approx(list(expected.values()), rel=1e-12)
    assert external_requests == []


def test_landing_page_shows_the_apis_error_for_a_backwards_range(
    page: Any, server: LiveServer, api: Any, artifacts: Path, external_requests: list[str]
) -> None:
    page.goto(server.url)
    page.wait_for_selector('#chart-figure[aria-busy="false"]')

    page.fill("#range-from", TO)
    page.fill("#range-to", FROM)
    page.click("button[type=submit]")
    page.wait_for_selector("#range-error:not([hidden])")
    page.screenshot(path=artifacts / "landing-error.png")

    errors = api(server, RANGE, {"from": TO, "to": FROM})["errors"]
    assert errors[0]["extensions"]["code"] == "BAD_USER_INPUT"
    assert text(page, "range-error") == errors[0]["message"]
    assert page.locator("#range-error").get_attribute("role") == "alert"
    assert external_requests == []
