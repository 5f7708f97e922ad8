// Draws every chart placeholder of the page with Vega's View.
// Bundled at build time with Vega's runtime (page-scripts/, pagescripts.py),
// so the page needs nothing from another host. Charts arrive compiled to
// Vega, so this does what vega-embed would do for them, without its
// Vega-Lite, themes and actions menu (~50 KB): SVG output keeps Vega's aria
// descriptions; the expression interpreter evaluates expressions without
// `eval`; vega-tooltip shows tooltips.
import {View, parse, formatLocale, timeFormatLocale} from "vega";
import {expressionInterpreter} from "vega-interpreter";
import {Handler} from "vega-tooltip";

let tooltip;

async function drawChart(box) {
  const payload = JSON.parse(box.querySelector(".lacbook-chart__spec").textContent);
  try {
    // Locales are global to Vega; every chart of a page shares its language.
    formatLocale(payload.formatLocale);
    timeFormatLocale(payload.timeFormatLocale);
    tooltip ??= new Handler({theme: "light"}).call;
    const view = new View(parse(payload.spec, {}, {ast: true}), {renderer: "svg", expr: expressionInterpreter});
    view.tooltip(tooltip).hover();
    await view.initialize(box.querySelector(".lacbook-chart__view")).runAsync();
    box.classList.add("lacbook-chart--drawn");
  } catch (error) {
    box.classList.add("lacbook-chart--failed");
    console.error(`Chart ${box.id} could not be drawn:`, error);
  }
}

async function drawCharts() {
  await Promise.all([...document.querySelectorAll(".lacbook-chart")].map(drawChart));
  // Read by scripts/measure_pages.py: milliseconds from navigation to the last chart drawn.
  performance.mark("lacbook-charts-drawn");
}

if (document.readyState === "loading") {
  document.addEventListener("DOMContentLoaded", drawCharts);
} else {
  drawCharts();
}
