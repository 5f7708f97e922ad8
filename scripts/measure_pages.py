"""Weigh and time every page of a built site in Chromium, served as a static host serves it.

usage: .venv/bin/python scripts/measure_pages.py _build/html [--runs 5] [--lighthouse [PAGE ...]]

The site is served from localhost with gzip and cache headers, as GitHub
Pages serves it (lighthouse.static_host). For each page of both editions,
in a fresh profile (empty cache):

- on load: what the page fetches before the reader scrolls, uncompressed
  (the files' own sizes) and as transferred (gzip, with headers);
- whole page: the same once the reader has scrolled to every chart, which
  brings in Vega and each chart's payload (load-charts.js);
- chart drawn: the time from navigation until the page's first chart is
  drawn, opened at that chart (`page.html#lacbook-chart-1`, so it is on
  screen from the start), from the `lacbook-chart-settled:<id>` mark that
  load-charts.js sets; median of --runs loads.

It then checks the heaviest chapter page against the targets and compares
it with Altair's default CDN embedding (vega, vega-lite and vega-embed from
jsdelivr, sizes from the npm packages, fetched with `npm pack` into a cache
folder; the page never loads them). --lighthouse also prints Lighthouse's
four scores for the given pages (all content pages if none is given).
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tarfile
from pathlib import Path
from urllib.parse import unquote, urlsplit

import altair as alt
import vl_convert as vlc
from playwright.sync_api import sync_playwright

from lighthouse import print_scores, static_host

# Chromium is driven exactly as the browser tests drive it (tests/chromium.py).
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
from chromium import CACHE, CHART_SETTLED, LANGS, launch, open_page, site_pages  # noqa: E402
from helpers import GENERATED  # noqa: E402

VEGA_SCRIPT = "lacbook-charts-vega.js"
TARGET_RAW = 700_000  # bytes, uncompressed, the heaviest chapter page
TARGET_GZIP = 250_000  # bytes as transferred with gzip
TARGET_DRAWN_MS = 500
TARGET_RATIO = 0.75  # against Altair's CDN embedding


def cdn_builds() -> dict[str, int]:
    """Size of each file Altair's default HTML loads: the package's `jsdelivr` entry point."""
    packages = {
        "vega": vlc.get_vega_version(),
        "vega-lite": alt.VEGALITE_VERSION,  # the Vega-Lite of the book's Altair
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


def weigh(site: Path, base: str, requests: list) -> dict:
    """Bytes of the finished requests: files' own sizes, and as transferred (gzip, headers)."""
    raw = sent = vega = 0
    for request in requests:
        response = request.response()
        if response is None:
            continue
        sizes = request.sizes()
        sent += sizes["responseBodySize"] + sizes["responseHeadersSize"]
        path = site / unquote(urlsplit(request.url).path).lstrip("/")
        if request.url.startswith(base) and path.is_file():
            raw += path.stat().st_size
            vega += path.stat().st_size if path.name == VEGA_SCRIPT else 0
        else:
            raw += len(response.body())
    return {"raw": raw, "sent": sent, "requests": len(requests), "vega": vega}


def visit(browser, site: Path, base: str, url: str, whole: bool) -> dict:
    """One page in a fresh profile: its weight on load, or once every chart is drawn."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    done = []
    context.on("requestfinished", lambda request: done.append(request))
    page_visit = open_page(context, url, wait_for_charts=whole)
    page_visit.page.wait_for_load_state("networkidle")
    row = weigh(site, base, done) | {
        "charts": page_visit.page.locator(".lacbook-chart").count(),
        "problems": page_visit.errors + page_visit.failed + page_visit.foreign(),
    }
    context.close()
    return row


def first_chart_drawn(browser, url: str) -> float | None:
    """Milliseconds from navigation until the page's first chart is drawn, opened at that chart."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = open_page(context, f"{url}#lacbook-chart-1", wait_for_charts=False).page
    page.wait_for_function(CHART_SETTLED, arg=page.locator("#lacbook-chart-1").element_handle(), timeout=20_000)
    # The mark load-charts.js sets; a build without it (an older one) is timed by the end of the wait.
    drawn = page.evaluate("(performance.getEntriesByName('lacbook-chart-settled:lacbook-chart-1')[0] "
                          "|| {startTime: performance.now()}).startTime")
    context.close()
    return drawn


def measure(site: Path, runs: int) -> list[dict]:
    rows = []
    with static_host(site) as base, sync_playwright() as playwright:
        browser = launch(playwright)
        for lang in LANGS:
            for page in site_pages(site, lang):
                url = f"{base}{lang}/{page}"
                row = {"page": f"{lang}/{page}", "load": visit(browser, site, base, url, whole=False)}
                row["whole"] = visit(browser, site, base, url, whole=True) if row["load"]["charts"] else row["load"]
                times = [first_chart_drawn(browser, url) for _ in range(runs)] if row["load"]["charts"] else []
                times = [time for time in times if time is not None]
                row["drawn_ms"] = statistics.median(times) if times else None
                rows.append(row)
                print(".", end="", flush=True, file=sys.stderr)
        browser.close()
    print(file=sys.stderr)
    return rows


def kb(size: int) -> str:
    return f"{size / 1000:,.0f} KB"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("site", type=Path, help="the built site (_build/html)")
    parser.add_argument("--runs", type=int, default=5, help="loads per page for the drawing time")
    parser.add_argument("--lighthouse", nargs="*", metavar="PAGE",
                        help="also run Lighthouse on these pages (en/responses.html; none given: every content page)")
    args = parser.parse_args(argv)
    rows = measure(args.site, args.runs)
    print(f"{'page':<28} {'on load: raw':>12} {'gzip':>7} {'req':>4} {'whole page: raw':>15} {'gzip':>7} "
          f"{'req':>4} {'charts':>6} {'1st chart drawn':>15}")
    for row in rows:
        load, whole = row["load"], row["whole"]
        drawn = f"{row['drawn_ms']:.0f} ms" if row["drawn_ms"] is not None else "-"
        print(f"{row['page']:<28} {kb(load['raw']):>12} {kb(load['sent']):>7} {load['requests']:>4} "
              f"{kb(whole['raw']):>15} {kb(whole['sent']):>7} {whole['requests']:>4} {load['charts']:>6} {drawn:>15}")
        for problem in dict.fromkeys(load["problems"] + whole["problems"]):
            print(f"    ! {problem}")
    print()
    verdict = lambda ok: "ok" if ok else "MISSED"  # noqa: E731
    chapters = [row for row in rows if row["page"].split("/", 1)[1] not in GENERATED]
    for part in ("load", "whole"):
        heaviest = max(chapters, key=lambda row: row[part]["raw"])
        heaviest_sent = max(chapters, key=lambda row: row[part]["sent"])
        raw, sent = heaviest[part]["raw"], heaviest_sent[part]["sent"]
        print(f"heaviest page {'on load' if part == 'load' else 'scrolled through'}: {heaviest['page']} "
              f"{kb(raw)} (target <= {kb(TARGET_RAW)}: {verdict(raw <= TARGET_RAW)}); "
              f"{heaviest_sent['page']} {kb(sent)} with gzip (target <= {kb(TARGET_GZIP)}: {verdict(sent <= TARGET_GZIP)})")
    charted = [row for row in rows if row["drawn_ms"] is not None]
    if charted:
        slowest = max(charted, key=lambda row: row["drawn_ms"])
        print(f"slowest first chart: {slowest['page']} drawn {slowest['drawn_ms']:.0f} ms after navigation, "
              f"median of {args.runs} (target <= {TARGET_DRAWN_MS}: {verdict(slowest['drawn_ms'] <= TARGET_DRAWN_MS)})")
        cdn = cdn_builds()
        heaviest = max(charted, key=lambda row: row["whole"]["raw"])
        whole = heaviest["whole"]
        cdn_bytes = whole["raw"] - whole["vega"] + sum(cdn.values())
        print(f"{heaviest['page']} scrolled through, {kb(whole['raw'])} (Vega {kb(whole['vega'])}); with Altair's "
              f"CDN embedding ({', '.join(cdn)}) {kb(cdn_bytes)}: ratio {whole['raw'] / cdn_bytes:.2f} "
              f"(target <= {TARGET_RATIO}: {verdict(whole['raw'] / cdn_bytes <= TARGET_RATIO)})")
    foreign = [problem for row in rows for problem in row["load"]["problems"] + row["whole"]["problems"]]
    print(f"requests to other hosts, failed requests and console errors: {len(foreign)} "
          f"(target 0: {verdict(not foreign)})")
    if args.lighthouse is not None:
        pages = args.lighthouse or [row["page"] for row in chapters]
        print()
        with static_host(args.site) as base:
            print_scores(base, pages)
    return 0


if __name__ == "__main__":
    sys.exit(main())
