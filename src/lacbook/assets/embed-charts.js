// Draws every chart placeholder of the page with vega-embed.
// Bundled at build time with Vega and vega-embed (vl-convert), so the page
// needs nothing from another host. SVG output keeps Vega's aria
// descriptions; `ast: true` evaluates expressions without `eval`.
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

function drawCharts() {
  document.querySelectorAll(".lacbook-chart").forEach(drawChart);
}

if (document.readyState === "loading") {
  document.addEventListener("DOMContentLoaded", drawCharts);
} else {
  drawCharts();
}
