// Draws one chart with Vega's View, for load-charts.js (self.lacbookDrawChart).
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

self.lacbookDrawChart = async (box, payload) => {
  // Locales are global to Vega; every chart of a page shares its language.
  formatLocale(payload.formatLocale);
  timeFormatLocale(payload.timeFormatLocale);
  tooltip ??= new Handler({theme: "light"}).call;
  const view = new View(parse(payload.spec, {}, {ast: true}), {renderer: "svg", expr: expressionInterpreter});
  view.tooltip(tooltip).hover();
  await view.initialize(box.querySelector(".lacbook-chart__view")).runAsync();
};
