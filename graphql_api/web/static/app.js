// The landing page: asks /graphql for the contract's answers and draws the chosen range.

import { drawCandles } from "./candles.js";
import { drawLineChart } from "./chart.js";
import { $, graphiqlLink, graphql, monthsBefore, showError } from "./page.js";

const DEFAULT_MONTHS = 6;

const ANSWERS_QUERY = `query Answers {
  dataset { version finishedAt firstDate lastDate stocks rows rejectedRows }
  mostValuableDay { date averageTradedValue }
  highestWorthStocks(limit: 1) { ticker averageTradedValue }
  mostVolatile(limit: 1) { ticker annualizedVolatility returns }
  topThirtyDayReturns(limit: 3) { ticker date return30d close priorDate priorClose }
}`;

const RANGE_QUERY = `query AverageDailyReturn($from: Date!, $to: Date!) {
  averageDailyReturn(from: $from, to: $to) { date averageReturn stocks }
}`;

const integer = new Intl.NumberFormat("en-US");
const compact = new Intl.NumberFormat("en-US", { notation: "compact", maximumFractionDigits: 2 });
const price = new Intl.NumberFormat("en-US", {
  minimumFractionDigits: 2,
  maximumFractionDigits: 2,
});
const percent = (fraction, digits = 2) => `${(fraction * 100).toFixed(digits)}%`;

// A machine-readable value (the API's own number) with its human-readable text.
function setData(id, value, text) {
  const node = $(id);
  node.value = String(value);
  node.textContent = text;
}

function setTime(id, isoDate) {
  const node = $(id);
  node.dateTime = isoDate ?? "";
  node.textContent = isoDate ?? "—";
}

function cell(content, className = "") {
  const td = document.createElement("td");
  if (content instanceof Node) td.append(content);
  else td.textContent = content;
  if (className) td.className = className;
  return td;
}

function dataNode(value, text) {
  const node = document.createElement("data");
  node.value = String(value);
  node.textContent = text;
  return node;
}

function showAnswers(data) {
  const { dataset, mostValuableDay, highestWorthStocks, mostVolatile, topThirtyDayReturns } = data;
  setData("dataset-stocks", dataset.stocks, integer.format(dataset.stocks));
  setData("dataset-rows", dataset.rows, integer.format(dataset.rows));
  setData("dataset-rejected-rows", dataset.rejectedRows, integer.format(dataset.rejectedRows));
  setTime("dataset-first-date", dataset.firstDate);
  setTime("dataset-last-date", dataset.lastDate);
  $("dataset-version").textContent = dataset.version;
  $("dataset-finished-at").dateTime = dataset.finishedAt;
  $("dataset-finished-at").textContent = dataset.finishedAt.replace("T", " ");

  if (mostValuableDay) {
    setTime("most-valuable-day-date", mostValuableDay.date);
    const value = mostValuableDay.averageTradedValue;
    setData("most-valuable-day-value", value, `${compact.format(value)} mean traded value`);
  }
  const [worth] = highestWorthStocks;
  if (worth) {
    $("highest-worth-ticker").textContent = worth.ticker;
    const value = worth.averageTradedValue;
    setData("highest-worth-value", value, `${compact.format(value)} mean traded value`);
  }
  const [volatile] = mostVolatile;
  if (volatile) {
    $("most-volatile-ticker").textContent = volatile.ticker;
    const volatility = volatile.annualizedVolatility;
    setData("most-volatile-value", volatility, percent(volatility));
    setData("most-volatile-returns", volatile.returns, integer.format(volatile.returns));
  }

  $("top-returns").tBodies[0].replaceChildren(
    ...topThirtyDayReturns.map((row) => {
      const tr = document.createElement("tr");
      tr.append(
        cell(row.ticker),
        cell(row.date),
        cell(dataNode(row.return30d, percent(row.return30d)), "number"),
        cell(dataNode(row.close, price.format(row.close)), "number"),
        cell(row.priorDate),
        cell(dataNode(row.priorClose, price.format(row.priorClose)), "number"),
      );
      return tr;
    }),
  );
}

// A return as a machine-readable value and a percentage, or a dash when there is none.
function setReturn(id, fraction) {
  const known = fraction !== undefined;
  setData(id, known ? fraction : "", known ? percent(fraction, 3) : "—");
}

function showRangeStats(rows) {
  // Strict comparisons keep the earliest date among equal returns.
  const extreme = (beats) =>
    rows.reduce(
      (kept, row) => (!kept || beats(row.averageReturn, kept.averageReturn) ? row : kept),
      undefined,
    );
  const best = extreme((a, b) => a > b);
  const worst = extreme((a, b) => a < b);
  const sum = rows.reduce((total, row) => total + row.averageReturn, 0);

  setData("range-days", rows.length, integer.format(rows.length));
  setReturn("range-mean", rows.length ? sum / rows.length : undefined);
  setTime("range-best-date", best?.date);
  setReturn("range-best-value", best?.averageReturn);
  setTime("range-worst-date", worst?.date);
  setReturn("range-worst-value", worst?.averageReturn);

  $("range-values").tBodies[0].replaceChildren(
    ...rows.map((row) => {
      const tr = document.createElement("tr");
      tr.append(
        cell(row.date),
        cell(dataNode(row.averageReturn, percent(row.averageReturn, 3)), "number"),
        cell(dataNode(row.stocks, integer.format(row.stocks)), "number"),
      );
      return tr;
    }),
  );
}

let latestRangeRequest = 0;

async function drawRange(from, to) {
  const request = ++latestRangeRequest;
  const figure = $("chart-figure");
  figure.setAttribute("aria-busy", "true");
  $("range-graphiql").href = graphiqlLink(RANGE_QUERY, { from, to });
  try {
    const { averageDailyReturn: rows } = await graphql(RANGE_QUERY, { from, to });
    if (request !== latestRangeRequest) return;
    showError("range-error", "");
    showRangeStats(rows);
    if (rows.length === 0) {
      $("chart").replaceChildren();
      $("chart-caption").textContent = `No trading days between ${from} and ${to}.`;
    } else {
      const points = rows.map((r) => ({ date: r.date, value: r.averageReturn }));
      drawLineChart($("chart"), points, {
        title: `Average daily return, ${from} to ${to}`,
        yLabel: "Average daily return",
        formatValue: (v) => percent(v, 1),
      });
      $("chart-caption").textContent =
        `Average daily return of all stocks, ${rows.length} trading days from ${from} to ${to}.`;
    }
    figure.dataset.range = `${from}/${to}`;
  } catch (error) {
    if (request !== latestRangeRequest) return;
    showError("range-error", error.message);
    figure.dataset.range = "";
  } finally {
    if (request === latestRangeRequest) figure.setAttribute("aria-busy", "false");
  }
}

async function start() {
  $("answers-graphiql").href = graphiqlLink(ANSWERS_QUERY);
  const form = $("range-form");
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    drawRange(form.elements.from.value, form.elements.to.value);
  });

  let data;
  try {
    data = await graphql(ANSWERS_QUERY);
  } catch (error) {
    $("status").textContent = "The answers could not be loaded.";
    showError("error", error.message);
    return;
  }
  showAnswers(data);
  $("status").textContent = `Answers for dataset version ${data.dataset.version}.`;

  const { firstDate, lastDate } = data.dataset;
  if (!lastDate) return;
  for (const input of [form.elements.from, form.elements.to]) {
    input.min = firstDate;
    input.max = lastDate;
  }
  const from = monthsBefore(lastDate, DEFAULT_MONTHS);
  form.elements.from.value = from < firstDate ? firstDate : from;
  form.elements.to.value = lastDate;
  await Promise.all([
    drawRange(form.elements.from.value, form.elements.to.value),
    drawCandles(data.dataset),
  ]);
}

start();
