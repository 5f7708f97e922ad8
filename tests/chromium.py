"""Debian's Chromium under Playwright, and a built site served on localhost.

Shared by the browser tests and `scripts/measure_pages.py`, so that both load pages
the same way: a fresh headless profile with Chromium's own background traffic
switched off, every request the page makes recorded, and each chart brought
into view (charts come to life there) with an explicit wait for the chart
script to mark it drawn (or failed).
"""

from __future__ import annotations

import functools
import json
import os
import subprocess
import threading
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Iterator
from urllib.parse import urlsplit

from helpers import LANGS, site_pages  # noqa: F401  (the browser tests and scripts/measure_pages.py take them from here)

CHROMIUM = Path(os.environ.get("LACBOOK_CHROMIUM", "/usr/bin/chromium"))
ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
    "--disable-sync", "--no-first-run", "--disable-quic",
]
LOCAL_HOSTS = {"127.0.0.1", "localhost"}
# Every chart ends drawn or failed once it has come near the screen (load-charts.js);
# waiting on the classes, never on time.
CHART_SETTLED = "(box) => box.matches('.lacbook-chart--drawn, .lacbook-chart--failed')"
AXE_VERSION = "4.14.1"
CACHE = Path(os.environ.get("LACBOOK_TEST_CACHE", Path.home() / ".cache" / "lacbook-tests"))


class QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format, *args) -> None:  # the tests report what matters
        pass


@contextmanager
def serve(root: Path, handler: type[SimpleHTTPRequestHandler] = QuietHandler) -> Iterator[str]:
    """Serve `root` on a free localhost port from a thread; yields the base URL (ending in /)."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(handler, directory=str(root)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}/"
    finally:
        server.shutdown()
        server.server_close()


def launch(playwright):
    """Headless Chromium from Debian's package; each new context is a fresh profile."""
    if not CHROMIUM.exists():
        raise RuntimeError(f"{CHROMIUM} not found: install Debian's chromium (apt-get install chromium)")
    return playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=ARGS)


def is_local(url: str) -> bool:
    """Requests to localhost, or that never reach a network (data:, blob:, about:)."""
    parts = urlsplit(url)
    return parts.scheme in ("data", "blob", "about") or parts.hostname in LOCAL_HOSTS


@dataclass
class Visit:
    """One page load: the page and everything it asked for or complained about."""

    page: object
    requests: list = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)

    def foreign(self) -> list[str]:
        return [request.url for request in self.requests if not is_local(request.url)]


def open_page(context, url: str, wait_for_charts: bool = True, timeout: float = 10_000) -> Visit:
    """Load `url` in a new page of `context`, recording requests, console errors and failures."""
    page = context.new_page()
    visit = Visit(page)
    page.on("request", lambda request: visit.requests.append(request))
    page.on("console", lambda message: message.type == "error" and visit.errors.append(message.text))
    page.on("pageerror", lambda error: visit.errors.append(f"uncaught: {error}"))
    page.on("requestfailed", lambda request: visit.failed.append(f"{request.url}: {request.failure}"))
    page.on("response", lambda response: response.status >= 400 and visit.failed.append(
        f"{response.url}: HTTP {response.status}"))
    page.goto(url, wait_until="load")
    if wait_for_charts:
        # Charts come to life as they near the screen: bring each one there, as a reader scrolling would.
        for box in page.locator(".lacbook-chart").element_handles():
            box.scroll_into_view_if_needed()
            page.wait_for_function(CHART_SETTLED, arg=box, timeout=timeout)
        page.evaluate("window.scrollTo(0, 0)")
    return visit


def npm_package(name: str, version: str) -> Path:
    """The folder of an npm package, installed on first use into a cache folder outside the
    repository (axe-core for the accessibility tests, lighthouse for scripts/lighthouse.py)."""
    folder = CACHE / f"{name}-{version}"
    installed = folder / "node_modules" / name
    if not (installed / "package.json").exists():
        folder.mkdir(parents=True, exist_ok=True)
        (folder / "package.json").write_text(json.dumps({"private": True}), encoding="utf-8")
        done = subprocess.run(
            ["npm", "install", "--no-audit", "--no-fund", "--prefer-offline", "--loglevel=error",
             f"{name}@{version}"],
            cwd=folder, capture_output=True, text=True,
        )
        if done.returncode != 0:
            raise RuntimeError(f"npm install {name}@{version} failed:\n{done.stderr[-3000:]}")
    return installed


def axe_source() -> str:
    """axe-core's axe.min.js."""
    return (npm_package("axe-core", AXE_VERSION) / "axe.min.js").read_text(encoding="utf-8")
