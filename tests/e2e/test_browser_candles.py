"""The landing page's candle chart, in headless Chromium: one candle per period of the
chosen ticker and interval, each drawn where its prices put it, against the raw CSV."""

from __future__ import annotations

import itertools
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.test_browser_landing import six_months_before
from tests.graphql_api import exploration_truth
from tests.graphql_api.sample_truth import load_sample_truth
from testsupport.servers import LiveServer

pytestmark = [pytest.mark.browser, pytest.mark.slow]

TICKER, INTERVAL, FROM, TO = "NVDA", "WEEK", "2020-01-01", "2020-06-30"
TOP = "{ highestWorthStocks { ticker } dataset { lastDate } }"


def wait_for_candles(page: Any, ticker: str, interval: str, first: str, last: str) -> None:
    page.wait_for_selector(
        f'#candle-figure[data-candles="{ticker}/{interval}/{first}/{last}"][aria-busy="false"]'
    )


def drawn_candles(page: Any) -> list[dict[str, Any]]:
    return list(
        page.locator("#candle-chart svg g.candle").evaluate_all(
            """groups => groups.map(g => {
                const wick = g.querySelector("line.wick"), body = g.querySelector("rect.body");
                const number = (node, name) => Number(node.getAttribute(name));
                return {
                    start: g.dataset.start, end: g.dataset.end, up: g.classList.contains("up"),
                    x: number(wick, "x1"), high: number(wick, "y1"), low: number(wick, "y2"),
                    top: number(body, "y"), bottom: number(body, "y") + number(body, "height"),
                    bodyX: number(body, "x") + number(body, "width") / 2,
                };
            })"""
        )
    )


def two_years_before(day: str) -> str:
    return six_months_before(six_months_before(six_months_before(six_months_before(day))))


def test_the_candle_chart_draws_the_chosen_tickers_candles(
    page: Any, server: LiveServer, api: Any, artifacts: Path, external_requests: list[str]
) -> None:
    answers = api(server, TOP)["data"]
    [top] = answers["highestWorthStocks"]
    last = answers["dataset"]["lastDate"]
    page.goto(server.url)
    wait_for_candles(page, top["ticker"], "MONTH", two_years_before(last), last)
    assert len(drawn_candles(page)) == 25  # 24 months back from mid-month: 25 months touched

    page.fill("#candle-ticker", TICKER.lower())
    page.select_option("#candle-interval", INTERVAL)
    page.fill("#candle-from", FROM)
    page.fill("#candle-to", TO)
    page.click("#candle-form button[type=submit]")
    wait_for_candles(page, TICKER, INTERVAL, FROM, TO)
    page.screenshot(path=artifacts / "landing-candles.png", full_page=True)

    truth = load_sample_truth()
    expected = exploration_truth.candles(
        truth, TICKER, date.fromisoformat(FROM), date.fromisoformat(TO), INTERVAL
    )
    drawn = drawn_candles(page)
    assert len(drawn) == len(expected) == 27  # 2020-01-02 (a Thursday) .. 2020-06-30
    assert [(c["start"], c["end"]) for c in drawn] == [(e["start"], e["end"]) for e in expected]
    assert [c["up"] for c in drawn] == [e["close"] >= e["open"] for e in expected]
    # Equal slots, left to right, the body centred on the wick.
    xs = [c["x"] for c in drawn]
    gaps = [b - a for a, b in itertools.pairwise(xs)]
    assert min(gaps) == pytest.approx(max(gaps), abs=0.02)
    assert [c["bodyX"] for c in drawn] == pytest.approx(xs, abs=0.02)
    # y is linear in the price (and grows downwards): fit it on the extremes, check the rest.
    highest = max(range(len(expected)), key=lambda i: expected[i]["high"])
    lowest = min(range(len(expected)), key=lambda i: expected[i]["low"])
    scale = (drawn[lowest]["low"] - drawn[highest]["high"]) / (
        expected[highest]["high"] - expected[lowest]["low"]
    )
    assert scale > 0

    def y(price: float) -> float:
        return float(drawn[highest]["high"] + (expected[highest]["high"] - price) * scale)

    for candle, truth_candle in zip(drawn, expected, strict=True):
        opening, closing = truth_candle["open"], truth_candle["close"]
        assert candle["high"] == pytest.approx(y(truth_candle["high"]), abs=0.02)
        assert candle["low"] == pytest.approx(y(truth_candle["low"]), abs=0.02)
        assert candle["top"] == pytest.approx(y(max(opening, closing)), abs=0.02)
        if abs(y(opening) - y(closing)) > 0.5:
            assert candle["bottom"] == pytest.approx(y(min(opening, closing)), abs=0.03)
    assert external_requests == []


def test_an_unknown_ticker_is_shown_as_an_error(
    page: Any, server: LiveServer, external_requests: list[str]
) -> None:
    page.goto(server.url)
    page.wait_for_selector('#candle-figure[aria-busy="false"]')
    page.fill("#candle-ticker", "NOPE")
    page.click("#candle-form button[type=submit]")
    page.wait_for_selector("#candle-error:not([hidden])")
    assert "NOPE" in page.locator("#candle-error").inner_text()
    assert page.locator("#candle-error").get_attribute("role") == "alert"
    assert external_requests == []
