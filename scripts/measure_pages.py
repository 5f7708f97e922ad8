"""Weigh and time every page of a built site in Chromium, and compare with Altair's CDN embedding.

usage: .venv/bin/python scripts/measure_pages.py _build/html [--runs 3]

For each page of both editions, loaded in a fresh profile (empty cache):
bytes transferred (headers + bodies, as served by a plain local server, so
uncompressed), number of requests, requests to other hosts, and the time from
navigation until every chart is drawn (the `lacbook-charts-drawn` mark that
embed-charts.js sets; median of --runs loads), also given from the load event
(the chart script runs before it, so charts are usually drawn before the page
has finished loading).

The CDN variant is the same page with our chart script replaced by the three
files Altair's default HTML loads from jsdelivr (vega, vega-lite, vega-embed at
the versions vl-convert bundles); their sizes come from the npm packages,
fetched with `npm pack` into a cache folder. The page never loads them.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tarfile
from pathlib import Path

import altair as alt
import vl_convert as vlc
from playwright.sync_api import sync_playwright

# Chromium is driven exactly as the browser tests drive it (tests/chromium.py).
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
from chromium import CACHE, LANGS, launch, open_page, serve, site_pages  # noqa: E402

CHART_SCRIPT = "lacbook-charts.js"
TARGET_RATIO = 0.75
TARGET_DRAWN_MS = 1000


def cdn_builds() -> dict[str, int]:
    """Size of each file Altair's default HTML loads: the package's `jsdelivr` entry point."""
    packages = {
        "vega": vlc.get_vega_version(),
        "vega-lite": alt.VEGALITE_VERSION,  # the Vega-Lite of the book's Altair (schema v6.4)
        "vega-embed": vlc.get_vega_embed_version(),
    }
    folder = CACHE / "cdn-packages"
    folder.mkdir(parents=True, exist_ok=True)
    sizes = {}
    for name, version in packages.items():
        tarball = folder / f"{name}-{version}.tgz"
        if not tarball.exists():
            subprocess.run(["npm", "pack", "--silent", f"{name}@{version}"], cwd=folder, check=True,
                           capture_output=True)
        with tarfile.open(tarball) as archive:
            manifest = json.load(archive.extractfile("package/package.json"))
            entry = manifest.get("jsdelivr") or manifest["unpkg"]
            sizes[f"{name}@{version}/{entry}"] = archive.getmember(f"package/{entry}").size
    return sizes


def measure(context, url: str) -> dict:
    finished = []
    context.on("requestfinished", lambda request: finished.append(request))
    visit = open_page(context, url)
    # open_page has waited for the charts: the mark embed-charts.js sets then, or (for a
    # script without it, such as an older build) the time the wait ended.
    settled = visit.page.evaluate("performance.now()")
    drawn = visit.page.evaluate(
        "() => (performance.getEntriesByName('lacbook-charts-drawn')[0] || {}).startTime ?? null")
    if drawn is None and visit.page.locator(".lacbook-chart").count():
        drawn = settled
    visit.page.wait_for_load_state("networkidle")
    load = visit.page.evaluate("performance.getEntriesByType('navigation')[0].loadEventStart")
    charts = visit.page.locator(".lacbook-chart").count()
    sizes = {request.url: request.sizes() for request in finished}
    visit.page.close()
    return {
        "bytes": sum(s["responseBodySize"] + s["responseHeadersSize"] for s in sizes.values()),
        "script": sum(s["responseBodySize"] + s["responseHeadersSize"]
                      for url, s in sizes.items() if url.split("?")[0].endswith(CHART_SCRIPT)),
        "requests": len(visit.requests),
        "foreign": visit.foreign(),
        "errors": visit.errors + visit.failed,
        "drawn_ms": drawn,
        "load_ms": load,
        "charts": charts,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("site", type=Path, help="the built site (_build/html)")
    parser.add_argument("--runs", type=int, default=3, help="loads per page for the drawing time")
    args = parser.parse_args(argv)
    cdn = cdn_builds()
    cdn_total = sum(cdn.values())
    print("Altair's default CDN embedding would load:")
    for name, size in cdn.items():
        print(f"  {size:>9,} B  {name}")
    print(f"  {cdn_total:>9,} B  in all\n")
    rows = []
    with serve(args.site) as base, sync_playwright() as playwright:
        browser = launch(playwright)
        for lang in LANGS:
            for page in site_pages(args.site, lang):
                runs = []
                for _ in range(args.runs):
                    context = browser.new_context(viewport={"width": 1280, "height": 900})
                    runs.append(measure(context, f"{base}{lang}/{page}"))
                    context.close()
                row = runs[0] | {"lang": lang, "page": page}
                times = [run["drawn_ms"] for run in runs if run["drawn_ms"] is not None]
                row["drawn_ms"] = statistics.median(times) if times else None
                row["load_ms"] = statistics.median(run["load_ms"] for run in runs)
                rows.append(row)
        browser.close()
    print(f"{'page':<28} {'bytes':>11} {'requests':>8} {'other hosts':>11} {'charts':>6} {'all drawn':>10} {'load event':>10}")
    for row in rows:
        drawn = f"{row['drawn_ms']:.0f} ms" if row["drawn_ms"] is not None else "-"
        print(f"{row['lang'] + '/' + row['page']:<28} {row['bytes']:>11,} {row['requests']:>8} "
              f"{len(row['foreign']):>11} {row['charts']:>6} {drawn:>10} {row['load_ms']:>7.0f} ms")
        for problem in row["errors"] + row["foreign"]:
            print(f"    ! {problem}")
    print()
    verdict = lambda ok: "ok" if ok else "MISSED"  # noqa: E731
    for lang in LANGS:
        charted = [row for row in rows if row["lang"] == lang and row["script"]]
        if not charted:
            print(f"{lang}: no page with charts")
            continue
        heaviest = max(charted, key=lambda row: row["bytes"])
        cdn_bytes = heaviest["bytes"] - heaviest["script"] + cdn_total
        ratio = heaviest["bytes"] / cdn_bytes
        foreign = sum(len(row["foreign"]) for row in rows if row["lang"] == lang)
        slowest = max(row["drawn_ms"] or 0 for row in charted)
        after_load = max((row["drawn_ms"] or 0) - row["load_ms"] for row in charted)
        print(f"{lang}: heaviest page with charts: {heaviest['page']}")
        print(f"    weight {heaviest['bytes']:,} B in {heaviest['requests']} requests "
              f"(chart script {heaviest['script']:,} B)")
        print(f"    with Altair's CDN embedding: {cdn_bytes:,} B; ratio {ratio:.3f} "
              f"(target <= {TARGET_RATIO}: {verdict(ratio <= TARGET_RATIO)})")
        print(f"    charts drawn {heaviest['drawn_ms']:.0f} ms after navigation; slowest page of the edition "
              f"{slowest:.0f} ms (target <= {TARGET_DRAWN_MS}: {verdict(slowest <= TARGET_DRAWN_MS)})")
        print(f"    last chart drawn {after_load:+.0f} ms from the load event on the edition's slowest page "
              f"(target <= {TARGET_DRAWN_MS}: {verdict(after_load <= TARGET_DRAWN_MS)})")
        print(f"    requests to other hosts, whole edition: {foreign} (target 0: {verdict(foreign == 0)})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
