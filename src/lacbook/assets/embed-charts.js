// Draws every chart placeholder of the page with vega-embed.
// Bundled at build time with Vega's runtime (chart-script/, chartscript.py),
// so the page needs nothing from another host. SVG output keeps Vega's aria
// descriptions; `ast: true` evaluates expressions without `eval`.
import vegaEmbed from "vega-embed";

async function drawChart(box) {
  const payload = JSON.parse(box.querySelector(".lacbook-chart__spec").textContent);
  try {
    await vegaEmbed(box.querySelector(".lacbook-chart__view"), payload.spec, {
      mode: "vega",
      renderer: "svg",
      ast: true,
      actions: false,
      tooltip: { theme: "light" },
      formatLocale: payload.formatLocale,
      timeFormatLocale: payload.timeFormatLocale,
    });
    box.classList.add("lacbook-chart--drawn");
  } catch (error) {
    box.classList.add("lacbook-chart--failed");
    console.error(`Chart ${box.id} could not be drawn:`, error);
  }
}

async function drawCharts() {
  await Promise.all([...document.querySelectorAll(".lacbook-chart")].map(drawChart));
  // Read by tests/measure_pages.py: milliseconds from navigation to the last chart drawn.
  performance.mark("lacbook-charts-drawn");
}

if (document.readyState === "loading") {
  document.addEventListener("DOMContentLoaded", drawCharts);
} else {
  drawCharts();
}
