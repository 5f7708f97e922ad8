// Brings each chart of the page to life as it nears the screen. The page
// shows the chart's exported image first (chartnode.py); this script then
// loads the chart's payload (charts/<figure>.js) and, once per page, Vega
// (lacbook-charts-vega.js, bundled from embed-charts.js, next to this
// script), and draws the live chart in the image's place. A reader who
// never scrolls to a chart never downloads Vega. Both are classic scripts,
// so a page opened from disk draws its charts too.
/* global SCRIPTS_VERSION: the sources' digest, set when bundling (pagescripts.py) */
const here = document.currentScript.src;
const scripts = new Map();

function load(src) {
  if (!scripts.has(src)) {
    scripts.set(src, new Promise((resolve, reject) => {
      const script = document.createElement("script");
      script.src = src;
      script.onload = resolve;
      script.onerror = () => reject(new Error(`${src} did not load`));
      document.head.append(script);
    }));
  }
  return scripts.get(src);
}

async function bringToLife(box) {
  try {
    await Promise.all([
      load(new URL(`lacbook-charts-vega.js?v=${SCRIPTS_VERSION}`, here).href),
      load(new URL(box.dataset.payload, document.baseURI).href),
    ]);
    await self.lacbookDrawChart(box, self.lacbookCharts[box.dataset.chart]);
    box.classList.add("lacbook-chart--drawn");
  } catch (error) {
    box.classList.add("lacbook-chart--failed");
    console.error(`Chart ${box.id} could not be drawn:`, error);
  }
  // Read by scripts/measure_pages.py: milliseconds from navigation to this chart drawn.
  performance.mark(`lacbook-chart-settled:${box.id}`);
}

// Start a little before the chart is on screen, so that it is live when the reader gets there.
const watcher = new IntersectionObserver((entries) => {
  for (const entry of entries) {
    if (entry.isIntersecting) {
      watcher.unobserve(entry.target);
      bringToLife(entry.target);
    }
  }
}, {rootMargin: "300px 0px"});
document.querySelectorAll(".lacbook-chart[data-payload]").forEach((box) => watcher.observe(box));
