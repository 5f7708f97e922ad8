"""Lighthouse scores of built pages, served as a static host would serve them.

usage: .venv/bin/python scripts/lighthouse.py _build/html en/responses.html es/migration.html ...

Each page is served from localhost by `static_host`: gzip for text files and
`Cache-Control: max-age=600`, as GitHub Pages does; Lighthouse (the npm CLI,
installed on first use into a cache folder outside the repository) runs its
default mobile preset (simulated slow 4G and a 4x slower CPU) in Debian's
Chromium (CHROME_PATH, or LACBOOK_CHROMIUM as for the browser tests). It
prints the four category scores and the metrics behind performance.
Scores depend on the machine: on a loaded one, performance reads low.
"""

from __future__ import annotations

import argparse
import email.utils
import gzip
import json
import os
import subprocess
import sys
from http import HTTPStatus
from http.server import SimpleHTTPRequestHandler
from pathlib import Path

# Pages are served and npm tools installed as the browser tests do (tests/chromium.py).
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
from chromium import npm_package, serve  # noqa: E402

LIGHTHOUSE_VERSION = "12.8.2"  # the last release that runs on Debian's Node.js 20
CHROMIUM = os.environ.get("CHROME_PATH") or os.environ.get("LACBOOK_CHROMIUM", "/usr/bin/chromium")
CATEGORIES = ("performance", "accessibility", "best-practices", "seo")
METRICS = {
    "first-contentful-paint": "FCP", "largest-contentful-paint": "LCP", "total-blocking-time": "TBT",
    "cumulative-layout-shift": "CLS", "speed-index": "SI",
}
COMPRESSED = (".html", ".js", ".css", ".svg", ".json", ".csv", ".txt", ".xml", ".map", ".inv")
MAX_AGE = 600  # GitHub Pages' own


class StaticHostHandler(SimpleHTTPRequestHandler):
    """A static host: text files gzipped for clients that accept it, everything cacheable for 10 minutes."""

    gzipped: dict[tuple[str, float], bytes] = {}

    def log_message(self, format, *args) -> None:
        pass

    def end_headers(self) -> None:
        self.send_header("Cache-Control", f"max-age={MAX_AGE}")
        super().end_headers()

    def do_GET(self) -> None:
        path = Path(self.translate_path(self.path))
        if (not path.is_file() or path.suffix not in COMPRESSED
                or "gzip" not in self.headers.get("Accept-Encoding", "")):
            return super().do_GET()
        mtime = path.stat().st_mtime
        key = (str(path), mtime)
        if key not in self.gzipped:
            self.gzipped[key] = gzip.compress(path.read_bytes(), compresslevel=6, mtime=0)
        body = self.gzipped[key]
        self.send_response(HTTPStatus.OK)
        self.send_header("Content-Type", self.guess_type(str(path)))
        self.send_header("Content-Encoding", "gzip")
        self.send_header("Vary", "Accept-Encoding")
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Last-Modified", email.utils.formatdate(mtime, usegmt=True))
        self.end_headers()
        self.wfile.write(body)


def static_host(root: Path):
    """Serve `root` like a static host on a free localhost port; yields the base URL (ending in /)."""
    return serve(root, StaticHostHandler)


def lighthouse_cli() -> Path:
    """The lighthouse command (npm, installed on first use outside the repository)."""
    return npm_package("lighthouse", LIGHTHOUSE_VERSION) / "cli" / "index.js"



def audit(url: str) -> dict:
    """Lighthouse's mobile run of one URL: {"scores": {category: 0-100}, "metrics": {name: text}}."""
    done = subprocess.run(
        [str(lighthouse_cli()), url, "--output=json", "--output-path=stdout", "--quiet",
         f"--only-categories={','.join(CATEGORIES)}",
         "--chrome-flags=--headless=new --no-sandbox --disable-gpu --disable-background-networking"],
        capture_output=True, text=True, env={**os.environ, "CHROME_PATH": CHROMIUM}, timeout=600)
    if done.returncode != 0:
        raise RuntimeError(f"lighthouse {url} failed:\n{done.stderr[-3000:]}")
    report = json.loads(done.stdout)
    # What costs points outside performance (whose metrics are printed instead).
    failures = [
        f"{name}: {report['audits'][ref['id']]['title']}"
        for name in CATEGORIES[1:] for ref in report["categories"][name]["auditRefs"]
        if ref["weight"] and (report["audits"][ref["id"]].get("score") or 0) < 1
    ]
    return {
        "scores": {name: round(100 * (report["categories"][name]["score"] or 0)) for name in CATEGORIES},
        "metrics": {short: report["audits"][name]["displayValue"] for name, short in METRICS.items()},
        "failed": failures,
    }


def print_scores(base: str, pages: list[str]) -> list[dict]:
    """Audit each page (paths under the site, such as en/responses.html) and print one line each."""
    rows = []
    print(f"{'page':<28} {'perf':>4} {'a11y':>4} {'best':>4} {'seo':>4}  metrics (mobile, simulated throttling)")
    for page in pages:
        result = audit(f"{base}{page}") | {"page": page}
        rows.append(result)
        scores = result["scores"]
        metrics = ", ".join(f"{name} {value}" for name, value in result["metrics"].items())
        print(f"{page:<28} {scores['performance']:>4} {scores['accessibility']:>4} "
              f"{scores['best-practices']:>4} {scores['seo']:>4}  {metrics}", flush=True)
        for failure in result["failed"]:
            print(f"    ! {failure}")
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("site", type=Path, help="the built site (_build/html)")
    parser.add_argument("pages", nargs="+", help="pages to audit, relative to the site (en/responses.html)")
    args = parser.parse_args(argv)
    with static_host(args.site) as base:
        print_scores(base, args.pages)
    return 0


if __name__ == "__main__":
    sys.exit(main())
