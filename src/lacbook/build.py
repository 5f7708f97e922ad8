"""Build the bilingual site: one Sphinx build per edition, side by side.

The jupyter-book CLI cannot set the language (jupyter-book#1791), so each
edition is built through jupyter-book's Python API in its own process, with
its own output, doctree and execution-cache folders. Both editions run in
parallel (one kernel each, on two cores).

What ships is exactly what was checked: editions are built into
`_build/staging/<lang>` and copied to `_build/html` in one rename only when
every edition succeeded; a failed edition forgets its saved environment, so
the next build reads every page again and fails the same way until the
author fixes it. Partial builds (`--only`) and the preview write under
`_build/partial/` and `_build/preview/` and never touch `_build/html`.

usage: python -m lacbook.build [--lang en es] [--only CHAPTER...] [--rerun] [--out DIR]
"""

from __future__ import annotations

import argparse
import hashlib
import os
import re
import shutil
import socket
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import yaml

from .i18n import LANGUAGES, REPO, SOURCE_LANGUAGE
from .buildlog import author_summary
from .report import execution_report
from .translations import check_catalogues

PACKAGE = Path(__file__).resolve().parent
ASSETS = PACKAGE / "assets"

# What a chapter kernel reads besides its own cells: when any of it changes,
# cached outputs are stale. jupyter-cache keys on cell source only, so this
# fingerprint names the cache folder.
# Pages that chapters link to (glossary terms, citations): kept in partial builds.
ALWAYS_BUILT = {"glossary", "references"}

KERNEL_INPUTS = ("data/**/*",)

# Interface text that extensions take from configuration rather than gettext.
INTERFACE = {
    "en": {
        "html_title": "Migration, trafficking and organised crime in Latin America",
        "nb_code_prompt_show": "Show the code",
        "nb_code_prompt_hide": "Hide the code",
        "togglebutton_hint": "Click to show",
        "togglebutton_hint_hide": "Click to hide",
    },
    "es": {
        "html_title": "Migración, trata y crimen organizado en América Latina",
        # Chapters hide only code (never outputs), so {type} is always "source".
        "nb_code_prompt_show": "Mostrar el código",
        "nb_code_prompt_hide": "Ocultar el código",
        "togglebutton_hint": "Haga clic para mostrar",
        "togglebutton_hint_hide": "Haga clic para ocultar",
    },
}


class BuildError(RuntimeError):
    """An edition failed to build; the message says which and why."""


def kernel_fingerprint(root: Path, lang: str) -> str:
    """Digest of what every kernel of an edition reads: the package, the data, the package's chart
    catalogue. A chapter's own chart catalogue invalidates that chapter only (site.py)."""
    patterns = [*KERNEL_INPUTS, f"translations/{lang}/charts/lacbook.po"]
    files = sorted(PACKAGE.rglob("*.py")) + [p for pattern in patterns for p in sorted(root.glob(pattern))]
    digest = hashlib.sha256()
    for path in files:
        if path.is_file():
            digest.update(path.name.encode() + path.read_bytes())
    return digest.hexdigest()[:12]


def execution_cache(root: Path, build_dir: Path, lang: str) -> Path:
    """This edition's cache folder for the current kernel inputs; older ones are removed."""
    current = build_dir / ".jupyter_cache" / f"{lang}-{kernel_fingerprint(root, lang)}"
    for stale in current.parent.glob(f"{lang}-*"):
        if stale != current:
            shutil.rmtree(stale, ignore_errors=True)
    return current


def table_of_contents(root: Path, build_dir: Path, only: list[str] | None = None) -> Path:
    """The book's _toc.yml, or a copy keeping only some chapters (plus the pages
    every chapter links to), so an author can build one chapter in seconds."""
    toc = root / "_toc.yml"
    if not only:
        return toc
    book = _toc(root)
    unknown = sorted(set(only) - set(_toc_files(book)))
    if unknown:
        raise BuildError(f"{toc}: no chapter named {', '.join(unknown)}")
    keep = set(only) | ALWAYS_BUILT
    book["chapters"] = [entry for entry in book["chapters"] if entry["file"] in keep]
    partial = build_dir / "partial" / f"_toc.{'-'.join(sorted(only))}.yml"
    partial.parent.mkdir(parents=True, exist_ok=True)
    partial.write_text(yaml.safe_dump(book, sort_keys=False), encoding="utf-8")
    return partial


def _toc(root: Path) -> dict:
    return yaml.safe_load((root / "_toc.yml").read_text(encoding="utf-8"))


def _toc_files(book: dict) -> list[str]:
    return [book["root"], *(entry["file"] for entry in book["chapters"])]


LABEL = re.compile(r"^(?::name:\s*(?P<name>\S+)|\((?P<target>[^()\s]+)\)=)\s*$", re.M)


def left_out_targets(root: Path, toc: Path) -> list[tuple[str, str]]:
    """`nitpick_ignore` entries for a partial build: links to the chapters of `_toc.yml`
    that it leaves out, and to the labels those chapters define, and nothing else.

    Sphinx and MyST both document `nitpick_ignore` for references that may not
    resolve; a link to a page that is not in `_toc.yml` at all, or to a label
    defined nowhere, still fails the partial build.
    """
    if toc == root / "_toc.yml":
        return []
    kept = set(_toc_files(yaml.safe_load(toc.read_text(encoding="utf-8"))))
    ignored = []
    for doc in _toc_files(_toc(root)):
        if doc in kept:
            continue
        ignored += [("myst", doc), ("doc", doc), ("std:doc", doc)]
        source = root / "book" / f"{doc}.md"
        text = source.read_text(encoding="utf-8") if source.is_file() else ""
        for match in LABEL.finditer(text):
            label = (match["name"] or match["target"]).lower()
            ignored += [("myst", label), ("std:ref", label), ("std:numref", label)]
    return ignored


def sphinx_overrides(root: Path, lang: str, build_dir: Path, toc: Path) -> dict:
    return INTERFACE[lang] | {
        "language": lang,
        "locale_dirs": [str(root / "translations")],
        "external_toc_path": str(toc),
        "nb_execution_cache_path": str(execution_cache(root, build_dir, lang)),
        "nitpicky": True,
        "nitpick_ignore": left_out_targets(root, toc),
        "lacbook_cache_dir": str(build_dir / ".cache"),
        "lacbook_data_dir": str(root / "data"),
        "latex_individualpages": False,  # jupyter-book's API expects it from its CLI
    }


def kernel_environment(root: Path, lang: str) -> None:
    """What chapter kernels inherit: the edition's language and the book's data and catalogues."""
    os.environ["LACBOOK_LANG"] = lang
    os.environ["LACBOOK_BUILD"] = "1"  # charts render for the site, not as notebook images
    os.environ["LACBOOK_DATA_DIR"] = str(root / "data")
    os.environ["LACBOOK_TRANSLATIONS_DIR"] = str(root / "translations")


def edition_folders(build_dir: Path, lang: str, partial: bool) -> tuple[Path, Path]:
    """Where Sphinx writes an edition (pages, doctrees): `staging/` for the whole book, whose
    pages reach `_build/html` only through `publish`; `partial/` for `--only` builds."""
    if partial:
        return build_dir / "partial" / "html" / lang, build_dir / "partial" / "doctrees" / lang
    return build_dir / "staging" / lang, build_dir / "doctrees" / lang


def build_edition(root: Path, lang: str, build_dir: Path, rerun: bool = False, toc: Path | None = None) -> None:
    """Build one edition in this process (its kernels inherit the environment).

    A rerun reads every page again and executes every chapter, ignoring the
    cache, and lets each failing chapter fail on its own so that the
    execution report lists them all (the build still fails at the end).
    """
    from jupyter_book.sphinx import build_sphinx

    toc = toc or root / "_toc.yml"
    outdir, doctrees = edition_folders(build_dir, lang, partial=toc != root / "_toc.yml")
    kernel_environment(root, lang)
    overrides = sphinx_overrides(root, lang, build_dir, toc)
    if rerun:
        overrides |= {"nb_execution_mode": "force", "nb_execution_raise_on_error": False}
    status = build_sphinx(
        str(root / "book"),
        str(outdir),
        doctreedir=str(doctrees),
        path_config=str(root / "_config.yml"),
        noconfig=True,
        confoverrides=overrides,
        freshenv=rerun,
        warningiserror=True,
        quiet=True,
        keep_going=True,
    )
    if status != 0:
        reason = f"{type(status).__name__}: {status}" if isinstance(status, Exception) else f"status {status}"
        raise BuildError(f"the {lang} edition failed ({reason})")


def extract_prose(root: Path, build_dir: Path, lang: str, only: list[str] | None = None) -> None:
    """Extract the chapters' prose (gettext builder) and merge it into `lang`'s catalogues."""
    from jupyter_book.sphinx import build_sphinx
    from sphinx_intl.basic import update

    pot_dir = build_dir / "gettext"
    pot_dir.mkdir(parents=True, exist_ok=True)
    for stale in pot_dir.glob("*.pot"):
        stale.unlink()
    # Notebooks run (from the English cache) so that glued figures and their captions exist.
    kernel_environment(root, SOURCE_LANGUAGE)
    overrides = sphinx_overrides(root, SOURCE_LANGUAGE, build_dir, table_of_contents(root, build_dir, only))
    status = build_sphinx(
        str(root / "book"),
        str(pot_dir),
        doctreedir=str(build_dir / "doctrees" / "gettext"),
        path_config=str(root / "_config.yml"),
        noconfig=True,
        confoverrides=overrides,
        builder="gettext",
        freshenv=True,
    )
    if status != 0:
        raise BuildError(f"extracting the prose for translation failed (status {status})")
    # The interface catalogue (sphinx.po) is kept by hand: Sphinx's template
    # strings must not mark its entries obsolete.
    (pot_dir / "sphinx.pot").unlink(missing_ok=True)
    for pot in pot_dir.glob("*.pot"):
        if only and pot.stem not in only:
            pot.unlink()  # leave the other chapters' catalogues alone
    update(str(root / "translations"), str(pot_dir), [lang])


PREVIEW_CONF = """\
# Written by `python3 tasks.py preview`: the book's settings for one edition,
# so that sphinx-autobuild (plain sphinx-build) can rebuild it on every edit.
from pathlib import Path
from lacbook.build import edition_config
globals().update(edition_config(Path({root!r}), {lang!r}, Path({build_dir!r}), {only!r}))
"""


def edition_config(root: Path, lang: str, build_dir: Path, only: list[str] | None = None) -> dict:
    """The full Sphinx configuration of one edition, as the build uses it."""
    from jupyter_book.config import get_final_config

    kernel_environment(root, lang)
    overrides = sphinx_overrides(root, lang, build_dir, table_of_contents(root, build_dir, only))
    config, _ = get_final_config(
        user_yaml=root / "_config.yml", cli_config=overrides, sourcedir=root / "book"
    )
    # Paths in the book's settings are relative to book/, not to this conf.py.
    book = root / "book"
    config["html_static_path"] = [str(book / path) for path in config.get("html_static_path", [])]
    config["bibtex_bibfiles"] = [str(book / path) for path in config.get("bibtex_bibfiles", [])]
    if config.get("html_favicon"):
        config["html_favicon"] = str(book / config["html_favicon"])
    return config


def port_is_free(port: int) -> bool:
    with socket.socket() as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # a server that just ended is gone
        try:
            probe.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def preview(root: Path, lang: str, build_dir: Path, only: list[str] | None, port: int) -> int:
    """Serve one edition and rebuild it (re-executing only what changed) on every edit.

    This process becomes sphinx-autobuild (exec), so ending it ends the server.
    """
    if not port_is_free(port):
        raise BuildError(f"port {port} is already in use: stop what serves it, or choose another "
                         f"(python3 tasks.py preview --port {port + 1})")
    conf_dir = build_dir / "preview" / lang
    conf_dir.mkdir(parents=True, exist_ok=True)
    (conf_dir / "conf.py").write_text(
        PREVIEW_CONF.format(root=str(root), lang=lang, build_dir=str(build_dir), only=only), encoding="utf-8"
    )
    command = [
        sys.executable, "-m", "sphinx_autobuild", str(root / "book"), str(build_dir / "preview" / "html" / lang),
        "-c", str(conf_dir), "-d", str(build_dir / "preview" / "doctrees" / lang), "-n", "--keep-going",
        "--watch", str(root / "translations"), "--watch", str(root / "data"), "--watch", str(PACKAGE),
        "--host", "127.0.0.1", "--port", str(port),
    ]
    print(f"Preview of the {lang} edition (not published): {build_dir / 'preview' / 'html' / lang}", flush=True)
    os.execv(sys.executable, command)
    return 1  # not reached


def inputs_digest(root: Path, langs: list[str], only: list[str] | None) -> str:
    """Digest of everything a build reads (sources, catalogues, data, settings, this package,
    the locked environment) and of what it was asked to build."""
    files = [root / "_config.yml", root / "_toc.yml", REPO / "requirements.lock"]
    for folder in (root / "book", root / "translations", root / "data", PACKAGE):
        files += [p for p in sorted(folder.rglob("*")) if p.is_file() and p.suffix not in {".mo", ".pyc"}]
    digest = hashlib.sha256(repr((langs, only)).encode())
    for path in files:
        if path.is_file():
            digest.update(str(path).encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


def write_root(site: Path) -> Path:
    """The site's root: links to both editions, and a one-time language choice."""
    shutil.copytree(ASSETS / "root", site, dirs_exist_ok=True)
    return site / "index.html"


def publish(build_dir: Path, langs: list[str]) -> Path:
    """Put the editions just checked in `_build/html`, keeping the published copy of any
    edition not built this time, and swap the new site in by renaming folders, so the
    served site is never half-written: it is the old one or the new one."""
    site, fresh, old = build_dir / "html", build_dir / ".html-new", build_dir / ".html-old"
    for folder in (fresh, old):
        shutil.rmtree(folder, ignore_errors=True)
    fresh.mkdir(parents=True)
    for lang in LANGUAGES:
        edition = edition_folders(build_dir, lang, partial=False)[0] if lang in langs else site / lang
        if edition.is_dir():
            shutil.copytree(edition, fresh / lang)
    write_root(fresh)
    if site.exists():
        site.rename(old)
    fresh.rename(site)
    shutil.rmtree(old, ignore_errors=True)
    return site


def forget_failed_edition(build_dir: Path, lang: str, partial: bool) -> None:
    """Sphinx saves its environment even after warnings, and would not read the faulty page
    again: without it the next build reads every page and reports the same failure."""
    doctrees = edition_folders(build_dir, lang, partial)[1]
    (doctrees / "environment.pickle").unlink(missing_ok=True)


def run_edition(command: list[str], lang: str, log: Path) -> tuple[int, float]:
    """One edition in its own process; everything it prints goes to its log file."""
    started = time.perf_counter()
    log.parent.mkdir(parents=True, exist_ok=True)
    with log.open("w", encoding="utf-8") as handle:
        done = subprocess.run([*command, "--lang", lang], stdout=handle, stderr=subprocess.STDOUT)
    return done.returncode, time.perf_counter() - started


def build_site(
    root: Path, langs: list[str], build_dir: Path, rerun: bool = False, only: list[str] | None = None
) -> float:
    """Check the catalogues and the data, build each edition in its own process, publish.

    A partial build (`only`) writes to `_build/partial/html` and publishes nothing.
    """
    translated = [lang for lang in langs if lang != SOURCE_LANGUAGE]
    # A partial build checks the catalogues of what it builds, and of the interface.
    pages = {*only, *ALWAYS_BUILT, "index", "sphinx", "lacbook"} if only else None
    problems = check_catalogues(root / "translations", translated, pages)
    if problems:
        raise BuildError("the Spanish catalogues are not ready:\n  " + "\n  ".join(problems)
                         + "\nFix these entries (then `python3 tasks.py catalogues` shows what is left).")
    check_table_of_contents(root)
    check_data(root)
    started = time.perf_counter()
    work = build_dir / "partial" if only else build_dir
    # Like make: when nothing the build reads has changed since the last build that
    # succeeded (and only such a build leaves this stamp), the site is up to date.
    stamp, digest = work / ".last-build", inputs_digest(root, langs, only)
    site = work / "html"
    if not rerun and stamp.is_file() and stamp.read_text() == digest and (site / "index.html").is_file():
        print("Nothing changed since the last build: the site is up to date.")
        return time.perf_counter() - started
    stamp.unlink(missing_ok=True)
    command = [sys.executable, "-m", "lacbook.build", "--edition", "--root", str(root), "--out", str(build_dir)]
    if rerun:
        command.append("--rerun")
    if only:
        command += ["--only", *only]
    logs = {lang: build_dir / "logs" / f"{'partial-' if only else ''}{lang}.log" for lang in langs}
    print(f"Building {', '.join(langs)}{' (only ' + ', '.join(only) + ')' if only else ''}...", flush=True)
    with ThreadPoolExecutor(max_workers=len(langs)) as pool:
        runs = dict(zip(langs, pool.map(lambda lang: run_edition(command, lang, logs[lang]), langs)))
    failed = [lang for lang, (status, _) in runs.items() if status != 0]
    if rerun:
        report, all_ok = execution_report(build_dir, langs)
        (build_dir / "execution-report.md").write_text(report + "\n", encoding="utf-8")
        print(f"\n{report}\n(written to {build_dir / 'execution-report.md'})")
        if not all_ok and not failed:
            failed = langs
    for lang in failed:
        forget_failed_edition(build_dir, lang, partial=bool(only))
    if failed:
        details = "\n".join(author_summary(lang, logs[lang].read_text(encoding="utf-8"), root, logs[lang])
                            for lang in failed)
        raise BuildError(f"{', '.join(failed)} failed:\n{details}")
    if only:
        write_root(site)
    else:
        publish(build_dir, langs)
    stamp.write_text(digest)
    return time.perf_counter() - started


def check_table_of_contents(root: Path) -> None:
    """Every entry of `_toc.yml` has its page, and every page is in `_toc.yml` (jupyter-book
    would otherwise leave it out of the book without a word)."""
    listed = _toc_files(_toc(root))
    pages = sorted(p.relative_to(root / "book").with_suffix("").as_posix() for p in (root / "book").rglob("*.md"))
    problems = [f"_toc.yml: '{doc}' is listed but book/{doc}.md does not exist" for doc in listed if doc not in pages]
    problems += [f"book/{doc}.md is not in _toc.yml: add it under chapters (or delete the file)"
                 for doc in pages if doc not in listed]
    if problems:
        raise BuildError("the table of contents and the pages disagree:\n  " + "\n  ".join(problems))


def check_data(root: Path) -> None:
    """The data package, validated once in the driver before any kernel starts."""
    from .data import DataError, validate

    try:
        validate(root / "data")
    except DataError as error:
        raise BuildError(f"the data package is not valid ({root / 'data'}):\n{error}") from None


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lang", nargs="+", choices=LANGUAGES, default=list(LANGUAGES))
    parser.add_argument("--root", type=Path, default=REPO, help="the book's folder (default: this repository)")
    parser.add_argument("--out", type=Path, help="build folder (default: ROOT/_build)")
    parser.add_argument("--rerun", action="store_true", help="execute every chapter from scratch and report")
    parser.add_argument("--only", nargs="+", metavar="CHAPTER", help="build only these chapters (e.g. responses)")
    parser.add_argument("--preview", type=int, metavar="PORT", help="serve one edition (--lang) and rebuild on edits")
    parser.add_argument("--edition", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    root = args.root.resolve()
    build_dir = (args.out or root / "_build").resolve()
    try:
        if args.preview:
            return preview(root, args.lang[0], build_dir, args.only, args.preview)
        if args.edition:
            toc = table_of_contents(root, build_dir, args.only)
            build_edition(root, args.lang[0], build_dir, args.rerun, toc)
            return 0
        seconds = build_site(root, args.lang, build_dir, args.rerun, args.only)
    except BuildError as error:
        kept = "Nothing was published (partial build)." if args.only else \
            f"The published site ({build_dir / 'html'}) was left as it was."
        print(f"\nBUILD FAILED: {error}\n{kept if not (args.edition or args.preview) else ''}", file=sys.stderr)
        return 1
    if args.only:
        site = build_dir / "partial" / "html"
        print(f"\nBuilt {', '.join(args.only)} ({', '.join(args.lang)}) in {seconds:.0f} s, not published: {site}/")
        return 0
    site = build_dir / "html"
    print(f"\nBuilt {', '.join(args.lang)} in {seconds:.0f} s: {site}/index.html")
    print(f"Serve it locally:  python -m http.server --directory {site} 8000  (then open http://localhost:8000/)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
