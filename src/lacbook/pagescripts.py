"""What the book builds with Node.js: the chart script, and a slimmer theme.

- `lacbook-charts.js`, the script chart pages load (from load-charts.js,
  ~1 KB): it draws each chart as it nears the screen, with
- `lacbook-charts-vega.js` (from embed-charts.js): Vega's runtime and
  vega-tooltip, without Vega-Lite, loaded by the first chart drawn.
  Charts reach the page already compiled to Vega (charts.py), so the browser
  needs neither Vega-Lite nor Vega's map, network and text-layout transforms.
  vl-convert's bundle carries all of them, plus four copies of Vega's
  scenegraph (~900 KB); this one is about half that size.
- `slim_theme`, once the pages are written, drops the CSS rules and icon-font
  glyphs that no page uses (PurgeCSS, subset-font; see slim-theme.mjs).

All of it comes from `assets/page-scripts/` (versions pinned by its
package-lock.json, one copy of each package by its `overrides`). Building
needs Node.js and npm, and the npm registry or npm's own cache the first
time; the results are cached under a key of everything they are made of.
"""

from __future__ import annotations

import hashlib
import json
import re
import shutil
import subprocess
import tempfile
from pathlib import Path

SOURCE = Path(__file__).resolve().parent / "assets" / "page-scripts"
# What each chart script is bundled from.
CHART_SCRIPTS = {"lacbook-charts.js": "load-charts.js", "lacbook-charts-vega.js": "embed-charts.js"}


class PageScriptError(RuntimeError):
    """A page script could not be built; the message says why and what to install."""


def sources() -> list[Path]:
    return sorted(path for path in SOURCE.iterdir() if path.suffix in {".js", ".mjs", ".json"})


def locked_version(package: str) -> str:
    """The version of an npm package that the lock file installs."""
    lock = json.loads((SOURCE / "package-lock.json").read_text(encoding="utf-8"))
    return lock["packages"][f"node_modules/{package}"]["version"]


def cache_key() -> str:
    digest = hashlib.sha256()
    for path in sources():
        digest.update(path.name.encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()[:16]


def _run(command: list[str], cwd: Path) -> str:
    """Run a Node.js tool; its output, or an error that says what failed and what to install."""
    try:
        done = subprocess.run(command, cwd=cwd, capture_output=True, text=True)
    except FileNotFoundError:
        raise PageScriptError(
            f"{command[0]} not found: building the page scripts needs Node.js and npm "
            "(Debian: apt-get install nodejs npm)"
        ) from None
    if done.returncode != 0:
        raise PageScriptError(f"{' '.join(command)} failed:\n{done.stdout[-2000:]}\n{done.stderr[-4000:]}")
    return done.stdout


def workspace_folder(cache_dir: Path) -> Path:
    """Where `workspace` keeps the built scripts of the current sources."""
    return cache_dir / f"page-scripts-{cache_key()}"


def workspace(cache_dir: Path) -> Path:
    """The npm install of assets/page-scripts/ with the chart script built, made once per sources.

    Both editions build at the same time: each prepares its own folder and the
    first to finish publishes it with one rename; the other's is discarded.
    """
    ready = workspace_folder(cache_dir)
    if ready.exists():
        return ready
    cache_dir.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix=f"{ready.name}.", dir=cache_dir))
    try:
        for path in sources():
            shutil.copy(path, work / path.name)
        _run(["npm", "ci", "--prefer-offline", "--no-audit", "--no-fund", "--loglevel=error"], work)
        _run([
            str(work / "node_modules/.bin/esbuild"),
            *(f"{name.removesuffix('.js')}={entry}" for name, entry in CHART_SCRIPTS.items()),
            "--bundle", "--minify", "--format=iife", "--target=es2020", "--alias:vega=./vega.js",
            # Vega's URL carries the version of the sources, as the page's URL of the loader does.
            f'--define:SCRIPTS_VERSION="{cache_key()}"',
            "--outdir=.", "--log-level=warning",
        ], work)
        work.rename(ready)
        for stale in cache_dir.glob("page-scripts-*"):
            if stale.is_dir() and stale != ready and "." not in stale.name:
                shutil.rmtree(stale, ignore_errors=True)  # an older version of the sources
    except OSError:
        if not ready.exists():
            raise
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return ready


def chart_scripts(cache_dir: Path) -> dict[str, str]:
    """Each chart script's file name and text."""
    ready = workspace(cache_dir)
    return {name: (ready / name).read_text(encoding="utf-8") for name in CHART_SCRIPTS}


# What slim-theme.mjs reads of a page: its tags and inline scripts, without the attributes that
# hold prose (a page's description, alternative texts, titles) and without the checksums Sphinx
# appends to asset links (a page written later carries those of the slimmed files); the same
# patterns are in slim-theme.mjs, so that a prose edit leaves the result alone.
MARKUP = re.compile(rb"<script[\s\S]*?</script>|<[^>]+>")
PROSE_ATTRIBUTE = re.compile(rb'\s(?:content|alt|title|aria-label)="[^"]*"|\?(?:v|digest)=[0-9a-f]+')
WORD = re.compile(rb"[A-Za-z0-9_-]+")
KEPT_SLIM = 8  # slimmed results kept in the cache (two editions, a few recent versions)


def _slimmed_files(edition: Path) -> list[Path]:
    """What slim-theme.mjs rewrites: every stylesheet and the icon fonts."""
    static = edition / "_static"
    return sorted([*static.rglob("*.css"), *(static / "vendor" / "fontawesome" / "webfonts").glob("*")])


def slim_key(edition: Path) -> str:
    """Digest of everything slim-theme.mjs reads: the words of the pages' markup, the scripts,
    the stylesheets and fonts as they are now."""
    words = set()
    for page in edition.rglob("*.html"):
        for markup in MARKUP.findall(page.read_bytes()):
            words.update(WORD.findall(PROSE_ATTRIBUTE.sub(b"", markup)))
    digest = hashlib.sha256(cache_key().encode() + b"\0".join(sorted(words)))
    for path in [*sorted((edition / "_static").rglob("*.js")), *_slimmed_files(edition)]:
        digest.update(str(path.relative_to(edition)).encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()[:16]


def slim_theme(edition: Path, cache_dir: Path) -> str:
    """Drop unused CSS rules and icon glyphs from a built edition (slim-theme.mjs); says what it
    kept. Its result is cached under `slim_key`: most rebuilds change prose, not markup, and
    then reuse it instead of a second of Node.js per edition."""
    saved = cache_dir / "slim" / slim_key(edition)
    if saved.is_dir():
        for path in saved.rglob("*"):
            if path.is_file():
                shutil.copyfile(path, edition / path.relative_to(saved))
        saved.touch()
        return f"slimmed {edition}: the same as a previous build (cached)"
    said = _run(["node", "slim-theme.mjs", str(edition)], workspace(cache_dir)).strip()
    saved.parent.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix=f"{saved.name}.", dir=saved.parent))
    for path in _slimmed_files(edition):
        (work / path.relative_to(edition)).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path, work / path.relative_to(edition))
    try:
        work.rename(saved)
    except OSError:  # the same result saved by another build meanwhile
        shutil.rmtree(work, ignore_errors=True)
    for stale in sorted(saved.parent.iterdir(), key=lambda path: path.stat().st_mtime)[:-KEPT_SLIM]:
        shutil.rmtree(stale, ignore_errors=True)
    return said
