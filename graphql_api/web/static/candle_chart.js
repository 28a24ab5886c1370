// A candlestick chart: one candle per period, drawn as inline SVG with the line chart's axes.

import { HEIGHT, MARGIN, WIDTH, element, niceTicks, xAxis, yAxis } from "./chart.js";

function priceDomain(candles) {
  let low = Math.min(...candles.map((c) => c.low));
  let high = Math.max(...candles.map((c) => c.high));
  if (low === high) [low, high] = [low * 0.99, high * 1.01 + 1e-3];
  const pad = (high - low) * 0.05;
  return [low - pad, high + pad];
}

/**
 * Draw `candles` ({start, end, open, high, low, close}, oldest first) into `container`,
 * replacing what it held: each candle an equal slot, a wick from low to high and a body
 * from open to close, class "up" (close >= open) or "down". `formatValue` labels the y axis.
 */
export function drawCandleChart(container, candles, { title, yLabel, formatValue }) {
  const plotWidth = WIDTH - MARGIN.left - MARGIN.right;
  const plotHeight = HEIGHT - MARGIN.top - MARGIN.bottom;
  const [low, high] = priceDomain(candles);
  const slot = plotWidth / candles.length;
  const x = (index) => MARGIN.left + (index + 0.5) * slot;
  const y = (value) => MARGIN.top + ((high - value) / (high - low)) * plotHeight;
  const bodyWidth = Math.max(1, Math.min(slot * 0.7, 24));

  const svg = element("svg", {
    viewBox: `0 0 ${WIDTH} ${HEIGHT}`,
    role: "img",
    "aria-labelledby": "candle-chart-title",
    class: "chart candle-chart",
  });
  svg.append(element("title", { id: "candle-chart-title" }, title));

  const series = element("g", { class: "series" });
  candles.forEach((candle, index) => {
    const cx = x(index).toFixed(2);
    const top = y(Math.max(candle.open, candle.close));
    const bottom = y(Math.min(candle.open, candle.close));
    const group = element("g", {
      class: `candle ${candle.close >= candle.open ? "up" : "down"}`,
      "data-start": candle.start,
      "data-end": candle.end,
    });
    group.append(
      element("title", {}, `${candle.start} to ${candle.end}`),
      element("line", {
        class: "wick",
        x1: cx,
        x2: cx,
        y1: y(candle.high).toFixed(2),
        y2: y(candle.low).toFixed(2),
      }),
      element("rect", {
        class: "body",
        x: (x(index) - bodyWidth / 2).toFixed(2),
        width: bodyWidth.toFixed(2),
        y: top.toFixed(2),
        height: Math.max(bottom - top, 0.5).toFixed(2),
      }),
    );
    series.append(group);
  });

  const indexes = candles.map((_, index) => index);
  const starts = candles.map((c) => c.start);
  svg.append(
    yAxis(y, niceTicks(low, high), { yLabel, formatValue }),
    xAxis(x, indexes, starts),
    series,
  );
  container.replaceChildren(svg);
}
