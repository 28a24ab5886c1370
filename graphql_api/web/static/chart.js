// A line chart of dated values, drawn as inline SVG with axes, ticks and labels.

const SVG = "http://www.w3.org/2000/svg";
export const WIDTH = 800;
export const HEIGHT = 320;
export const MARGIN = { top: 16, right: 20, bottom: 48, left: 72 };
const DAY_MS = 86_400_000;

export function element(name, attributes = {}, text = "") {
  const node = document.createElementNS(SVG, name);
  for (const [key, value] of Object.entries(attributes)) node.setAttribute(key, String(value));
  if (text) node.textContent = text;
  return node;
}

function dayNumber(isoDate) {
  return Date.parse(`${isoDate}T00:00:00Z`) / DAY_MS;
}

// Round steps (1, 2 or 5 times a power of ten) that cut [low, high] into about `count` parts.
export function niceTicks(low, high, count = 5) {
  const rough = (high - low) / count;
  const power = 10 ** Math.floor(Math.log10(rough));
  const step = [1, 2, 5, 10].map((m) => m * power).find((s) => s >= rough);
  const ticks = [];
  for (let value = Math.ceil(low / step) * step; value <= high + step / 1e6; value += step) {
    ticks.push(Math.abs(value) < step / 1e6 ? 0 : value);
  }
  return ticks;
}

function domainOf(values) {
  let low = Math.min(0, ...values);
  let high = Math.max(0, ...values);
  if (low === high) high = low + 1e-3;
  const pad = (high - low) * 0.05;
  return [low - pad, high + pad];
}

function evenlySpacedIndexes(length, count) {
  if (length <= count) return [...Array(length).keys()];
  return [...Array(count).keys()].map((i) => Math.round((i * (length - 1)) / (count - 1)));
}

function label(x, y, text, anchor, attributes = {}) {
  return element("text", { x, y, "text-anchor": anchor, ...attributes }, text);
}

export function yAxis(scale, ticks, { yLabel, formatValue }) {
  const axis = element("g", { class: "axis y-axis" });
  const right = WIDTH - MARGIN.right;
  for (const tick of ticks) {
    const ty = scale(tick).toFixed(1);
    const kind = tick === 0 ? "zero" : "grid";
    axis.append(
      element("line", { x1: MARGIN.left, x2: right, y1: ty, y2: ty, class: kind }),
      label(MARGIN.left - 8, ty, formatValue(tick), "end", { dy: "0.32em" }),
    );
  }
  const middle = MARGIN.top + (HEIGHT - MARGIN.top - MARGIN.bottom) / 2;
  const title = label(0, 0, yLabel, "middle", { class: "axis-label" });
  title.setAttribute("transform", `translate(16 ${middle}) rotate(-90)`);
  axis.append(title);
  return axis;
}

export function xAxis(scale, days, dates) {
  const axis = element("g", { class: "axis x-axis" });
  const baseline = HEIGHT - MARGIN.bottom;
  axis.append(
    element("line", { x1: MARGIN.left, x2: WIDTH - MARGIN.right, y1: baseline, y2: baseline }),
  );
  const indexes = evenlySpacedIndexes(dates.length, 5);
  for (const index of indexes) {
    const tx = scale(days[index]).toFixed(1);
    // The outermost labels hang inwards, so they stay inside the drawing.
    let anchor = "middle";
    if (indexes.length > 1 && index === 0) anchor = "start";
    if (indexes.length > 1 && index === dates.length - 1) anchor = "end";
    axis.append(
      element("line", { x1: tx, x2: tx, y1: baseline, y2: baseline + 5 }),
      label(tx, baseline + 18, dates[index], anchor),
    );
  }
  const centre = MARGIN.left + (WIDTH - MARGIN.left - MARGIN.right) / 2;
  axis.append(label(centre, HEIGHT - 6, "Date", "middle", { class: "axis-label" }));
  return axis;
}

/**
 * Draw `points` ({date: "YYYY-MM-DD", value: number}, ascending dates) into `container`,
 * replacing what it held: one path vertex per point. `formatValue` labels the y axis.
 */
export function drawLineChart(container, points, { title, yLabel, formatValue }) {
  const plotWidth = WIDTH - MARGIN.left - MARGIN.right;
  const plotHeight = HEIGHT - MARGIN.top - MARGIN.bottom;
  const days = points.map((p) => dayNumber(p.date));
  const spanDays = Math.max(days[days.length - 1] - days[0], 1);
  const [low, high] = domainOf(points.map((p) => p.value));
  const x = (day) =>
    MARGIN.left + (points.length === 1 ? plotWidth / 2 : ((day - days[0]) / spanDays) * plotWidth);
  const y = (value) => MARGIN.top + ((high - value) / (high - low)) * plotHeight;

  const svg = element("svg", {
    viewBox: `0 0 ${WIDTH} ${HEIGHT}`,
    role: "img",
    "aria-labelledby": "chart-title",
    class: "chart",
  });
  svg.append(element("title", { id: "chart-title" }, title));

  const path = points
    .map((p, i) => `${i === 0 ? "M" : "L"}${x(days[i]).toFixed(2)},${y(p.value).toFixed(2)}`)
    .join(" ");
  const series = element("g", { class: "series" });
  series.append(element("path", { d: path, class: "line", fill: "none" }));
  if (points.length === 1) {
    const dot = { cx: x(days[0]), cy: y(points[0].value), r: 3, class: "dot" };
    series.append(element("circle", dot));
  }

  const dates = points.map((p) => p.date);
  svg.append(
    yAxis(y, niceTicks(low, high), { yLabel, formatValue }),
    xAxis(x, days, dates),
    series,
  );
  container.replaceChildren(svg);
}
