// The landing page's candle section: one ticker's candles over a chosen range and interval.

import { drawCandleChart } from "./candle_chart.js";
import { $, graphiqlLink, graphql, monthsBefore, showError } from "./page.js";

const DEFAULT_MONTHS = 24;

const TICKERS_QUERY = `query CandleTickers {
  highestWorthStocks(limit: 100) { ticker }
}`;

const CANDLES_QUERY = `query Candles(
  $ticker: String!, $from: Date!, $to: Date!, $interval: Interval!
) {
  stock(ticker: $ticker) {
    ticker
    candles(from: $from, to: $to, interval: $interval) {
      start end open high low close volume tradingDays return
    }
  }
}`;

const price = new Intl.NumberFormat("en-US", { maximumFractionDigits: 2 });
const INTERVAL_NAMES = {
  DAY: "day",
  WEEK: "week",
  MONTH: "month",
  QUARTER: "quarter",
  YEAR: "year",
};

let latestRequest = 0;

async function draw(variables) {
  const request = ++latestRequest;
  const figure = $("candle-figure");
  figure.setAttribute("aria-busy", "true");
  $("candle-graphiql").href = graphiqlLink(CANDLES_QUERY, variables);
  const { ticker, from, to, interval } = variables;
  try {
    const { stock } = await graphql(CANDLES_QUERY, variables);
    if (request !== latestRequest) return;
    if (!stock) throw new Error(`There is no stock ${ticker} in this dataset.`);
    showError("candle-error", "");
    const { candles } = stock;
    if (candles.length === 0) {
      $("candle-chart").replaceChildren();
      $("candle-caption").textContent = `${ticker} has no trading day between ${from} and ${to}.`;
    } else {
      const unit = INTERVAL_NAMES[interval];
      drawCandleChart($("candle-chart"), candles, {
        title: `${ticker}, one candle per ${unit}, ${from} to ${to}`,
        yLabel: "Price",
        formatValue: (value) => price.format(value),
      });
      $("candle-caption").textContent =
        `${ticker}: ${candles.length} candles, one per ${unit}, from ${candles[0].start} to ` +
        `${candles[candles.length - 1].end}.`;
    }
    figure.dataset.candles = `${ticker}/${interval}/${from}/${to}`;
  } catch (error) {
    if (request !== latestRequest) return;
    showError("candle-error", error.message);
    figure.dataset.candles = "";
  } finally {
    if (request === latestRequest) figure.setAttribute("aria-busy", "false");
  }
}

function formValues(form) {
  const { ticker, interval, from, to } = form.elements;
  return {
    ticker: ticker.value.trim().toUpperCase(),
    interval: interval.value,
    from: from.value,
    to: to.value,
  };
}

/** Set the section up for `dataset` (firstDate, lastDate) and draw its default chart. */
export async function drawCandles(dataset) {
  const form = $("candle-form");
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    draw(formValues(form));
  });
  const { firstDate, lastDate } = dataset;
  if (!lastDate) return;
  for (const input of [form.elements.from, form.elements.to]) {
    input.min = firstDate;
    input.max = lastDate;
  }
  const from = monthsBefore(lastDate, DEFAULT_MONTHS);
  form.elements.from.value = from < firstDate ? firstDate : from;
  form.elements.to.value = lastDate;

  let tickers;
  try {
    tickers = (await graphql(TICKERS_QUERY)).highestWorthStocks.map((stock) => stock.ticker);
  } catch (error) {
    showError("candle-error", error.message);
    return;
  }
  $("candle-tickers").replaceChildren(
    ...tickers.map((ticker) => Object.assign(document.createElement("option"), { value: ticker })),
  );
  if (!tickers.length) return;
  form.elements.ticker.value = tickers[0];
  await draw(formValues(form));
}
