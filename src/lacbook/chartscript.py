"""The chart script every chart page loads: Vega's runtime and vega-embed, without Vega-Lite.

Charts reach the page already compiled to Vega (charts.py), so the browser
needs neither Vega-Lite nor Vega's map, network and text-layout transforms.
vl-convert's bundle carries all of them, plus four copies of Vega's
scenegraph (~900 KB); this one is built with npm and esbuild from
`assets/chart-script/` (versions pinned by its package-lock.json, one copy
of each package by its `overrides`) and is about half that size. It needs
Node.js and npm, and the npm registry or npm's own cache the first time;
the result is cached under a key of everything it is made of.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

ASSETS = Path(__file__).resolve().parent / "assets"
SOURCE = ASSETS / "chart-script"
ENTRY = ASSETS / "embed-charts.js"


class ChartScriptError(RuntimeError):
    """The chart script could not be built; the message says why and what to install."""


def sources() -> list[Path]:
    return [*sorted(SOURCE.glob("*.js*")), ENTRY]


def locked_version(package: str) -> str:
    """The version of an npm package that the lock file installs."""
    lock = json.loads((SOURCE / "package-lock.json").read_text(encoding="utf-8"))
    return lock["packages"][f"node_modules/{package}"]["version"]


def cache_key() -> str:
    digest = hashlib.sha256()
    for path in sources():
        digest.update(path.name.encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()[:16]


def _run(command: list[str], cwd: Path) -> None:
    try:
        done = subprocess.run(command, cwd=cwd, capture_output=True, text=True)
    except FileNotFoundError:
        raise ChartScriptError(
            f"{command[0]} not found: building the chart script needs Node.js and npm "
            "(Debian: apt-get install nodejs npm)"
        ) from None
    if done.returncode != 0:
        raise ChartScriptError(f"{' '.join(command)} failed:\n{done.stdout[-2000:]}\n{done.stderr[-4000:]}")


def build(out: Path) -> None:
    """npm ci (from the lock, without Vega-Lite), then one minified esbuild bundle at `out`."""
    with tempfile.TemporaryDirectory(prefix="lacbook-chart-script-") as folder:
        work = Path(folder)
        for path in sources():
            shutil.copy(path, work / path.name)
        # --omit=peer: vega-embed names Vega-Lite as a peer; the stub stands in for it.
        _run(["npm", "ci", "--omit=peer", "--prefer-offline", "--no-audit", "--no-fund", "--loglevel=error"], work)
        bundled = work / "lacbook-charts.js"
        _run([
            str(work / "node_modules/.bin/esbuild"), ENTRY.name, "--bundle", "--minify", "--format=iife",
            "--target=es2020", "--alias:vega=./vega.js", "--alias:vega-lite=./vega-lite.js",
            f"--define:VEGA_VERSION={json.dumps(locked_version('vega'))}",
            f"--outfile={bundled.name}", "--log-level=warning",
        ], work)
        out.parent.mkdir(parents=True, exist_ok=True)
        partial = out.with_suffix(f".{os.getpid()}.part")
        shutil.copy(bundled, partial)
        partial.replace(out)  # both editions may finish at once: never leave half a file


def chart_script(cache_dir: Path | None) -> str:
    """The bundled script, built on first use and then read from `cache_dir`."""
    if cache_dir is None:
        with tempfile.TemporaryDirectory() as folder:
            return chart_script(Path(folder))
    cached = cache_dir / f"lacbook-charts-{cache_key()}.js"
    if not cached.exists():
        build(cached)
    return cached.read_text(encoding="utf-8")
