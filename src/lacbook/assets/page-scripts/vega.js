// What the chart script needs from Vega, for charts that Vega-Lite has already
// compiled: the runtime, the parser and the transforms of ordinary charts.
// Left out (so a chart that needs them fails to draw, and the browser tests
// say which): geo, force, hierarchy, label, regression/loess, voronoi,
// wordcloud and crossfilter transforms. To draw such a chart, import the
// module here and add it to `extend` as Vega's own index.js does.
import {extend} from "vega-util";
import {transforms} from "vega-dataflow";
import * as tx from "vega-transforms";
import * as vtx from "vega-view-transforms";
import * as encode from "vega-encode";

extend(transforms, tx, vtx, encode);

export * from "vega-util";
export {View} from "vega-view";
export {parse} from "vega-parser";
export {
  numberFormatDefaultLocale as formatLocale,
  timeFormatDefaultLocale as timeFormatLocale,
} from "vega-format";
