// Stands in for Vega-Lite, which vega-embed imports but the book never runs
// in the browser: every chart reaches the page compiled to Vega.
export const version = "not bundled";
export function compile() {
  throw new Error("Vega-Lite is not bundled: charts must be compiled to Vega at build time");
}
