"""Build the bilingual site: one plain `sphinx-build` per edition, side by side.

Each edition is the book's one configuration (`book/conf.py`) built with
`-D language=xx`, the route multilingual Sphinx projects take, in its own
process and folders (`_build/<lang>/html`, `doctrees`, and myst-nb's own
`jupyter_execute` beside them); both editions run in parallel. Before Sphinx
starts, the data package is validated once and saved as a typed snapshot for
the kernels (lacbook.data), and every chapter that its edition's execution
cache lacks runs, all languages together, one kernel per core (lacbook.execute);
Sphinx then takes every notebook from the cache. The build says what it is
doing as it goes (lacbook.progress) and ends with a summary.

What ships is exactly what was checked: the editions reach `_build/html` in
one rename only when every edition succeeded. After a failed edition the next
build reads every page again (`-E`), so it fails the same way until the
author fixes it. Partial builds (`--only`) and the preview write under
`_build/partial/` and `_build/preview/` and never touch `_build/html`.

usage: python -m lacbook.build [--lang en es] [--only CHAPTER...] [--rerun] [--out DIR] [--jobs N] [--preview PORT]
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import time
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import TYPE_CHECKING, Callable

import yaml

from .buildlog import author_summary, notebook_failure
from .i18n import LANGUAGES, REPO, SOURCE_LANGUAGE
from .report import execution_report
from .catalogues import check_catalogues, update_chart_catalogues
from .editions import PROGRESS, toc_files
from .data import SNAPSHOTS, DataError, write_snapshot
from .progress import Progress

if TYPE_CHECKING:
    from .execute import Outcome

PACKAGE = Path(__file__).resolve().parent
ASSETS = PACKAGE / "assets"

# Pages that chapters link to (glossary terms, citations): kept in partial builds.
ALWAYS_BUILT = {"glossary", "references"}

# What chapter kernels read besides their cells and the package modules they import:
# the data package's tables and descriptors (not its README).
KERNEL_DATA = ("data/*.csv", "data/*.json", "data/figures/*.csv", "data/schemas/*.json")
IMPORT = re.compile(r"^\s*(?:from\s+(?:lacbook\.|\.)(\w+)\s+import|from\s+(?:lacbook|\.)\s+import\s+([\w, ()]+)"
                    r"|import\s+lacbook\.(\w+))", re.M)


class BuildError(RuntimeError):
    """An edition failed to build; the message says which and why."""


def _imported(text: str) -> set[str]:
    names = set()
    for module, listed, plain in IMPORT.findall(text):
        names |= {module, plain} | {name.strip(" ()") for name in listed.split(",")}
    return {name for name in names if name and (PACKAGE / f"{name}.py").is_file()}


def kernel_modules(root: Path) -> list[Path]:
    """The package modules that chapter kernels import, directly or through each other."""
    todo = set()
    for chapter in (root / "book").rglob("*.md"):
        todo |= _imported(chapter.read_text(encoding="utf-8"))
    seen: set[str] = set()
    while todo:
        name = todo.pop()
        seen.add(name)
        todo |= _imported((PACKAGE / f"{name}.py").read_text(encoding="utf-8")) - seen
    return [PACKAGE / f"{name}.py" for name in sorted(seen | {"__init__"})]


def kernel_fingerprint(root: Path, lang: str) -> str:
    """Digest of what every kernel of an edition reads besides its own cells: the package
    modules chapters import, the data, the package's chart catalogue. jupyter-cache keys on
    cell source only, so this names the cache folder. A chapter's own chart catalogue
    invalidates that chapter only (site.py); site.py, tests and READMEs invalidate nothing."""
    files = kernel_modules(root) + [p for pattern in KERNEL_DATA for p in sorted(root.glob(pattern))]
    files.append(root / "translations" / lang / "charts" / "lacbook.po")
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
    book = yaml.safe_load(toc.read_text(encoding="utf-8"))
    unknown = sorted(set(only) - set(toc_files(toc)))
    if unknown:
        raise BuildError(f"{toc}: no chapter named {', '.join(unknown)}")
    keep = set(only) | ALWAYS_BUILT
    book["chapters"] = [entry for entry in book["chapters"] if entry["file"] in keep]
    partial = build_dir / "partial" / f"_toc.{'-'.join(sorted(only))}.yml"
    partial.parent.mkdir(parents=True, exist_ok=True)
    partial.write_text(yaml.safe_dump(book, sort_keys=False), encoding="utf-8")
    return partial


def edition_folders(build_dir: Path, lang: str, partial: bool) -> tuple[Path, Path]:
    """Where Sphinx writes an edition (pages, doctrees); myst-nb's executed notebooks go
    beside them (`jupyter_execute`, its default), so the two editions never share one."""
    base = build_dir / "partial" / lang if partial else build_dir / lang
    return base / "html", base / "doctrees"


def sphinx_arguments(root: Path, lang: str, build_dir: Path, toc: Path) -> list[str]:
    """The `-D` settings of one edition: its language and where its caches and data are."""
    settings = {
        "language": lang,
        "nb_execution_cache_path": str(execution_cache(root, build_dir, lang)),
        "lacbook_cache_dir": str(build_dir / ".cache"),
        "lacbook_data_dir": str(root / "data"),
    }
    if toc != root / "_toc.yml":  # links to the chapters left out are allowed (lacbook.site)
        settings |= {"external_toc_path": str(toc), "lacbook_book_toc": str(root / "_toc.yml")}
    return [argument for key, value in settings.items() for argument in ("-D", f"{key}={value}")]


def kernel_environment(root: Path, lang: str, build_dir: Path | None = None) -> dict[str, str]:
    """What chapter kernels inherit: the edition's language and the book's data and catalogues,
    and, in a build, where the data package's validated snapshots are."""
    snapshots = {SNAPSHOTS: str(data_snapshots(build_dir))} if build_dir else {}
    return os.environ | snapshots | {
        "LACBOOK_LANG": lang,
        "LACBOOK_BUILD": "1",  # charts render for the site, not as notebook images
        "LACBOOK_DATA_DIR": str(root / "data"),
        "LACBOOK_TRANSLATIONS_DIR": str(root / "translations"),
    }


def data_snapshots(build_dir: Path) -> Path:
    """Where the build keeps the data package's validated snapshots (lacbook.data.write_snapshot)."""
    return build_dir / ".cache" / "data"


def sphinx_build(root: Path, lang: str, build_dir: Path, toc: Path, fresh: bool) -> list[str]:
    """The command line of one edition: plain sphinx-build, strict."""
    outdir, doctrees = edition_folders(build_dir, lang, partial=toc != root / "_toc.yml")
    return [
        sys.executable, "-m", "sphinx", "-b", "html", "-n", "-W", "--keep-going", "-q",
        *(["-E"] if fresh else []),
        "-d", str(doctrees), *sphinx_arguments(root, lang, build_dir, toc),
        str(root / "book"), str(outdir),
    ]


def define_settings(command: list[str]) -> list[str]:
    """The `-D name=value` arguments of a Sphinx command line, as they were given."""
    return [part for at, name in enumerate(command[:-1]) if name == "-D" for part in ("-D", command[at + 1])]


def update_catalogues(root: Path, build_dir: Path, only: list[str] | None = None) -> list[str]:
    """Extract the text to translate and merge it into the Spanish catalogues, the documented
    way: Sphinx's gettext builder (same configuration, English edition), then `sphinx-intl
    update`; code text goes into the chart catalogues. Only catalogues whose messages changed
    are rewritten. Returns the problems left (untranslated or fuzzy entries, with file:line)."""
    pot_dir = build_dir / "gettext" / "pot"
    shutil.rmtree(pot_dir, ignore_errors=True)
    toc = table_of_contents(root, build_dir, only)
    # Notebooks run (into the English cache) so that glued figures and their captions exist.
    check_data(root, build_dir)
    with Progress() as progress:
        failures = [o for o in execute_notebooks(root, build_dir, [SOURCE_LANGUAGE], toc, progress) if o.error]
    if failures:
        raise BuildError("a chapter failed to run:\n" + "\n".join(notebook_failure(o, root) for o in failures))
    command = [sys.executable, "-m", "sphinx", "-b", "gettext", "-q", "-E", "-d", str(build_dir / "gettext" / "doctrees"),
               *sphinx_arguments(root, SOURCE_LANGUAGE, build_dir, toc), str(root / "book"), str(pot_dir)]
    log = build_dir / "logs" / "gettext.log"
    if run_edition(command, kernel_environment(root, SOURCE_LANGUAGE, build_dir), log) != 0:
        raise BuildError("extracting the text to translate failed:\n"
                         + author_summary(SOURCE_LANGUAGE, log.read_text(encoding="utf-8"), root, log))
    # The interface catalogue (sphinx.po) is kept by hand; other chapters' are left alone.
    for pot in pot_dir.glob("*.pot"):
        if pot.stem == "sphinx" or (only and pot.stem not in only):
            pot.unlink()
    changed = []
    for lang in (lang for lang in LANGUAGES if lang != SOURCE_LANGUAGE):
        merged = subprocess.run(
            [sys.executable, "-m", "sphinx_intl", "update", "-p", str(pot_dir), "-l", lang,
             "-d", str(root / "translations"), "-w", "100"],
            capture_output=True, text=True,
        )
        if merged.returncode != 0:
            raise BuildError(f"sphinx-intl update failed:\n{merged.stderr}")
        changed += [line.split(": ", 1)[1] for line in merged.stdout.splitlines() if line.startswith(("Update:", "Create:"))]
        changed += [str(path) for path in update_chart_catalogues(root / "translations", lang, root, only)]
    print("Catalogues changed:" if changed else "No catalogue changed.")
    for path in changed:
        print(f"  {Path(path).resolve().relative_to(root) if Path(path).resolve().is_relative_to(root) else path}")
    translated = [lang for lang in LANGUAGES if lang != SOURCE_LANGUAGE]
    return check_catalogues(root / "translations", translated)


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

    The same configuration and settings as the build, through sphinx-autobuild; this
    process becomes sphinx-autobuild (exec), so ending it ends the server.
    """
    if not port_is_free(port):
        raise BuildError(f"port {port} is already in use: stop what serves it, or choose another "
                         f"(python3 tasks.py preview --port {port + 1})")
    preview_dir = build_dir / "preview"
    toc = table_of_contents(root, build_dir, only)
    # The first build takes the notebooks from the cache, filled on every core; later edits run in Sphinx.
    check_data(root, build_dir)
    with Progress() as progress:
        failures = [o for o in execute_notebooks(root, build_dir, [lang], toc, progress) if o.error]
    for outcome in failures:
        print(notebook_failure(outcome, root), flush=True)  # the preview shows the rest of the book
    outdir = preview_dir / lang / "html"
    command = [
        sys.executable, "-m", "sphinx_autobuild", str(root / "book"), str(outdir),
        "-n", "--keep-going", "-d", str(preview_dir / lang / "doctrees"),
        *sphinx_arguments(root, lang, build_dir, toc),
        "--watch", str(root / "translations"), "--watch", str(root / "data"), "--watch", str(root / "_toc.yml"),
        "--host", "127.0.0.1", "--port", str(port),
    ]
    print(f"Preview of the {lang} edition (not published): {outdir}", flush=True)
    os.execve(sys.executable, command, kernel_environment(root, lang, build_dir))
    return 1  # not reached


def inputs_digest(root: Path, langs: list[str], only: list[str] | None) -> str:
    """Digest of everything a build reads (sources, catalogues, data, settings, this package,
    the locked environment) and of what it was asked to build."""
    files = [root / "_toc.yml", REPO / "requirements.lock"]
    for folder in (root / "book", root / "translations", root / "data", PACKAGE):
        files += [p for p in sorted(folder.rglob("*")) if p.is_file() and p.suffix not in {".mo", ".pyc"}]
    digest = hashlib.sha256(repr((langs, only)).encode())
    for path in files:
        if path.is_file():
            digest.update(str(path).encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


def write_root(site: Path) -> Path:
    """The site's root: links to both editions, and a one-time language choice; plus the
    files the editions wrote for the root (robots.txt, the sitemap index, the 404 page)."""
    from .publish import lift_root_files  # the Sphinx extension's module: loaded only now

    shutil.copytree(ASSETS / "root", site, dirs_exist_ok=True)
    lift_root_files(site)
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
    from .pdf import publish_pdfs  # lacbook-<lang>.pdf at the site's root
    publish_pdfs(build_dir, langs, fresh, site)
    if site.exists():
        site.rename(old)
    fresh.rename(site)
    shutil.rmtree(old, ignore_errors=True)
    return site


def run_edition(command: list[str], env: dict[str, str], log: Path, on_event=None) -> int:
    """One edition in its own process; everything it prints goes to its log file, and what
    the extension reports on its progress channel (lacbook.editions) goes to `on_event`."""
    log.parent.mkdir(parents=True, exist_ok=True)
    reader, writer = os.pipe()
    with log.open("w", encoding="utf-8") as handle:
        process = subprocess.Popen(command, env=env | {PROGRESS: str(writer)}, stdout=handle,
                                   stderr=subprocess.STDOUT, pass_fds=(writer,))
    os.close(writer)
    with os.fdopen(reader, encoding="utf-8") as events:
        for line in events:
            if on_event:
                on_event(json.loads(line))
    return process.wait()


def execute_notebooks(root: Path, build_dir: Path, langs: list[str], toc: Path, progress: Progress,
                      force: bool = False, workers: int | None = None,
                      edition_done: Callable[[str, bool], None] = lambda lang, ok: None) -> list[Outcome]:
    """Run the chapters that the editions' execution caches lack (all of them if `force`), one
    kernel per core: the translated editions' first, since their Sphinx takes longest, and within
    an edition the longest first, by the last build's times. `edition_done(lang, ok)` is called
    as soon as an edition's last notebook has run (at once if it has none to run), so that its
    Sphinx can start while the other edition's notebooks run."""
    from .execute import (Job, KernelServerError, book_settings, forget_retranslated, markdown_settings, notebook_pages,
                          pending, run_notebooks)

    settings = book_settings(root / "book" / "conf.py")
    markdown = markdown_settings(settings)
    docs = notebook_pages(root / "book", toc_files(toc))
    timings_file = build_dir / ".cache" / "timings.json"
    timings = json.loads(timings_file.read_text(encoding="utf-8")) if timings_file.is_file() else {}
    jobs = [Job(lang, doc, root / "book" / f"{doc}.md", cache, kernel_environment(root, lang, build_dir),
                build_dir / "logs" / lang / f"{doc}.log")
            for lang in langs for cache in [execution_cache(root, build_dir, lang)] for doc in docs]
    for lang in langs:
        if lang != SOURCE_LANGUAGE:  # a chapter's own chart catalogue: that chapter runs again
            own = {job.docname: root / "translations" / lang / "charts" / f"{job.docname}.po"
                   for job in jobs if job.lang == lang}
            forget_retranslated(execution_cache(root, build_dir, lang),
                                {doc: path for doc, path in own.items() if path.is_file()},
                                {job.docname: job.source for job in jobs if job.lang == lang})
    jobs.sort(key=lambda job: (job.lang == SOURCE_LANGUAGE, -timings.get(f"{job.lang}/{job.docname}", float("inf"))))
    run, cached = pending(jobs, markdown, force)
    left = {lang: sum(job.lang == lang for job in run) for lang in langs}
    for lang in langs:
        if not left[lang]:
            edition_done(lang, True)
    if not run:
        return []
    workers = min(workers or len(os.sched_getaffinity(0)), len(run))
    progress.say(f"Running {len(run)} notebook{'s' * (len(run) > 1)}, {workers} at a time"
                 f"{f' ({len(cached)} taken from the cache)' if cached else ''}:")
    progress.heading = "running "

    failed = set()

    def finished(outcome: Outcome) -> None:
        job = outcome.job
        said = f"FAILED after {outcome.seconds:.1f} s: {outcome.error}" if outcome.error else f"{outcome.seconds:5.1f} s"
        progress.end(f"{job.lang}/{job.docname}", f"  {job.lang}  {job.docname:<18} {said}")
        if outcome.error:
            failed.add(job.lang)
        left[job.lang] -= 1
        if not left[job.lang]:
            edition_done(job.lang, job.lang not in failed)

    try:
        outcomes = run_notebooks(run, workers, markdown, int(settings.get("nb_execution_timeout", 120)),
                                 started=lambda job: progress.begin(f"{job.lang}/{job.docname}", f"{job.lang}/{job.docname}"),
                                 finished=finished)
    except KernelServerError as error:
        raise BuildError(str(error)) from None
    timings |= {f"{o.job.lang}/{o.job.docname}": round(o.seconds, 2) for o in outcomes if not o.error}
    timings_file.parent.mkdir(parents=True, exist_ok=True)
    timings_file.write_text(json.dumps(timings, indent=1, sort_keys=True), encoding="utf-8")
    return outcomes


class EditionProgress:
    """What one edition's Sphinx reports (lacbook.editions.progress), said as it goes and kept for the summary."""

    def __init__(self, lang: str, progress: Progress) -> None:
        self.lang, self.progress, self.key = lang, progress, f"sphinx-{lang}"
        self.total = self.read = self.written = self.pages = self.charts = 0
        self.started = time.perf_counter()
        progress.begin(self.key, f"{lang}: starting")

    def __call__(self, event: dict) -> None:
        if event.get("phase") == "read":
            self.total = event["total"]
            self.progress.update(self.key, f"{self.lang}: reading {self.total} pages")
        elif "read" in event:
            self.read += 1
            self.progress.update(self.key, f"{self.lang}: read {event['read']} ({self.read}/{self.total})")
        elif "write" in event:
            self.written += 1
            self.progress.update(self.key, f"{self.lang}: writing {event['write']} ({self.written} written)")
        elif event.get("phase") == "finish":
            self.pages, self.charts = event["pages"], event["charts"]
            self.progress.update(self.key, f"{self.lang}: finishing the edition")

    def done(self, status: int) -> None:
        seconds = time.perf_counter() - self.started
        said = (f"read {self.read}, wrote {self.written} pages" if status == 0 else "FAILED") + f" in {seconds:.1f} s"
        self.progress.end(self.key, f"  {self.lang}  Sphinx: {said}")


def run_and_build(root: Path, build_dir: Path, langs: list[str], toc: Path, commands: dict, logs: dict,
                  rerun: bool, jobs: int | None) -> tuple[list[Outcome], dict[str, int], dict[str, EditionProgress]]:
    """Run the notebooks and build the editions, each edition's Sphinx in its own process,
    started as soon as its own notebooks have run (and the chart scripts are ready), beside the
    other edition's kernels. Returns the notebooks' outcomes, and each edition's exit status
    and progress (an edition whose notebooks failed is not built)."""
    reports: dict[str, EditionProgress] = {}
    started: dict[str, Future] = {}
    with Progress() as progress, ThreadPoolExecutor(max_workers=len(langs) + 1) as pool:
        scripts = pool.submit(prepare_page_scripts, build_dir, progress)

        def build(lang: str) -> int:
            scripts.result()
            reports[lang] = EditionProgress(lang, progress)
            status = run_edition(commands[lang], kernel_environment(root, lang, build_dir), logs[lang], reports[lang])
            reports[lang].done(status)
            return status

        def edition_done(lang: str, ok: bool) -> None:
            if ok:
                started[lang] = pool.submit(build, lang)

        outcomes = execute_notebooks(root, build_dir, langs, toc, progress, force=rerun, workers=jobs,
                                     edition_done=edition_done)
        scripts.result()
        statuses = {lang: future.result() for lang, future in started.items()}
    return outcomes, statuses, reports


def build_site(
    root: Path, langs: list[str], build_dir: Path, rerun: bool = False, only: list[str] | None = None,
    jobs: int | None = None,
) -> dict:
    """Check the catalogues, the table of contents and the data, run the notebooks, build each
    edition, publish; returns what the summary says (seconds, pages, charts, notebooks run).

    A partial build (`only`) writes to `_build/partial/<lang>/html` and publishes nothing.
    """
    started = time.perf_counter()
    work = build_dir / "partial" if only else build_dir
    # Like make: when nothing the build reads has changed since the last build that
    # succeeded (and only such a build leaves this stamp), the site is up to date,
    # and the checks below passed on exactly these inputs.
    stamp, digest = work / ".last-build", inputs_digest(root, langs, only)
    site = work / "html"
    summary = {"seconds": 0.0, "pages": 0, "charts": 0, "ran": [], "up_to_date": False}
    published = [site / "index.html", *(site / lang / "index.html" for lang in langs)]
    from . import pdf  # here, like the PDF imports below: the preview and `--catalogues` need no PDF code
    if not only and pdf.wanted():  # a site last built with LACBOOK_PDF=0 lacks the PDFs its pages link to
        published += [site / pdf.pdf_name(lang) for lang in langs]
    if not rerun and stamp.is_file() and stamp.read_text() == digest and all(path.is_file() for path in published):
        return summary | {"seconds": time.perf_counter() - started, "up_to_date": True}
    translated = [lang for lang in langs if lang != SOURCE_LANGUAGE]
    # A partial build checks the catalogues of what it builds, and of the interface.
    pages = {*only, *ALWAYS_BUILT, "index", "sphinx", "lacbook"} if only else None
    problems = check_catalogues(root / "translations", translated, pages)
    if problems:
        problems = [problem.replace(f"{root}/", "") for problem in problems]  # paths as the author sees them
        raise BuildError("the Spanish catalogues are not ready:\n  " + "\n  ".join(problems)
                         + "\nFix these entries (then `python3 tasks.py catalogues` shows what is left).")
    check_table_of_contents(root)
    check_data(root, build_dir)
    stamp.unlink(missing_ok=True)
    toc = table_of_contents(root, build_dir, only)
    # An edition that failed last time reads every page again: Sphinx saves its environment
    # even when a page warned, and would not read that page again.
    failed_marks = {lang: work / lang / ".failed" for lang in langs}
    commands = {lang: sphinx_build(root, lang, build_dir, toc, rerun or failed_marks[lang].exists()) for lang in langs}
    logs = {lang: build_dir / "logs" / f"{'partial-' if only else ''}{lang}.log" for lang in langs}
    print(f"Building {', '.join(langs)}{' (only ' + ', '.join(only) + ')' if only else ''}...", flush=True)
    outcomes, statuses, editions = run_and_build(root, build_dir, langs, toc, commands, logs, rerun, jobs)
    broken = {o.job.lang for o in outcomes if o.error}
    if rerun:
        report = execution_report(outcomes, langs)
        (build_dir / "execution-report.md").write_text(report + "\n", encoding="utf-8")
        print(f"\n{report}\n(written to {build_dir / 'execution-report.md'})")
    failed = [lang for lang in langs if lang in broken or statuses.get(lang, 1) != 0]
    for lang in langs:
        failed_marks[lang].parent.mkdir(parents=True, exist_ok=True)
        if lang in failed:
            failed_marks[lang].touch()
        else:
            failed_marks[lang].unlink(missing_ok=True)
    if failed:
        details = [notebook_failure(o, root) for o in outcomes if o.error]
        details += [author_summary(lang, logs[lang].read_text(encoding="utf-8"), root, logs[lang])
                    for lang in failed if lang in statuses]
        raise BuildError(f"{', '.join(failed)} failed:\n" + "\n".join(details))
    if only:
        for lang in langs:
            shutil.copytree(edition_folders(build_dir, lang, partial=True)[0], site / lang, dirs_exist_ok=True)
        write_root(site)
    else:
        from .pdf import PdfError, build_pdfs  # the PDF edition of each language, from the editions just built
        try:
            build_pdfs(root, build_dir, langs, lambda lang: kernel_environment(root, lang, build_dir),
                       lambda lang: define_settings(commands[lang]))
        except PdfError as error:
            raise BuildError(str(error)) from None
        publish(build_dir, langs)
    stamp.write_text(digest)
    return summary | {
        "seconds": time.perf_counter() - started,
        "pages": sum(e.pages for e in editions.values()),
        "charts": sum(e.charts for e in editions.values()),
        "ran": outcomes,
    }


def prepare_page_scripts(build_dir: Path, progress: Progress) -> None:
    """Build the chart scripts (npm, esbuild) while the notebooks run, once for every edition:
    each edition's Sphinx then finds them in the cache instead of both building them at once."""
    from .pagescripts import PageScriptError, workspace, workspace_folder

    if workspace_folder(build_dir / ".cache").exists():
        return
    started = time.perf_counter()
    progress.begin("page-scripts", "chart scripts")
    try:
        workspace(build_dir / ".cache")
    except PageScriptError as error:
        raise BuildError(f"the chart scripts could not be built:\n{error}") from None
    finally:
        progress.end("page-scripts", f"  chart scripts (npm, esbuild) {time.perf_counter() - started:5.1f} s")


def check_table_of_contents(root: Path) -> None:
    """Every entry of `_toc.yml` has its page, and every page is in `_toc.yml` (Sphinx
    would otherwise leave it out of the book without a word)."""
    listed = toc_files(root / "_toc.yml")
    pages = sorted(p.relative_to(root / "book").with_suffix("").as_posix() for p in (root / "book").rglob("*.md"))
    problems = [f"_toc.yml: '{doc}' is listed but book/{doc}.md does not exist" for doc in listed if doc not in pages]
    problems += [f"book/{doc}.md is not in _toc.yml: add it under chapters (or delete the file)"
                 for doc in pages if doc not in listed]
    if problems:
        raise BuildError("the table of contents and the pages disagree:\n  " + "\n  ".join(problems))


def check_data(root: Path, build_dir: Path) -> None:
    """The data package, validated once in the driver before any kernel starts, and saved
    for the kernels, which load it without validating it again (lacbook.data)."""
    try:
        write_snapshot(root / "data", data_snapshots(build_dir))
    except DataError as error:
        raise BuildError(f"the data package is not valid ({root / 'data'}):\n{error}") from None


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lang", nargs="+", choices=LANGUAGES, default=list(LANGUAGES))
    parser.add_argument("--root", type=Path, default=REPO, help="the book's folder (default: this repository)")
    parser.add_argument("--out", type=Path, help="build folder (default: ROOT/_build)")
    parser.add_argument("--rerun", action="store_true", help="execute every chapter from scratch and report")
    parser.add_argument("--only", nargs="+", metavar="CHAPTER", help="build only these chapters (e.g. responses)")
    parser.add_argument("--jobs", type=int, metavar="N", help="kernels at a time (default: one per available core)")
    parser.add_argument("--preview", type=int, metavar="PORT", help="serve one edition (--lang) and rebuild on edits")
    parser.add_argument("--catalogues", action="store_true",
                        help="extract the text to translate and merge it into the catalogues (of --only chapters)")
    args = parser.parse_args(argv)
    root = args.root.resolve()
    build_dir = (args.out or root / "_build").resolve()
    try:
        if args.preview:
            return preview(root, args.lang[0], build_dir, args.only, args.preview)
        if args.catalogues:
            left = update_catalogues(root, build_dir, args.only)
            print("Left to translate:" if left else "Nothing left to translate.")
            for problem in left:
                print(f"  {problem.replace(str(root) + '/', '')}")
            return 0
        done = build_site(root, args.lang, build_dir, args.rerun, args.only, args.jobs)
    except BuildError as error:
        kept = "Nothing was published (partial build)." if args.only or args.preview else \
            f"The published site ({build_dir / 'html'}) was left as it was."
        print(f"\nBUILD FAILED: {error}\n{kept}", file=sys.stderr)
        return 1
    print(summary_text(done, args.lang, args.only, build_dir))
    return 0


def summary_text(done: dict, langs: list[str], only: list[str] | None, build_dir: Path) -> str:
    """The build's last words: what it made, how long it took, where the site is."""
    if done["up_to_date"]:
        return "Nothing changed since the last build: the site is up to date."
    kernel = sum(o.seconds for o in done["ran"])
    ran = f"{len(done['ran'])} notebooks run ({kernel:.0f} s of kernel time)" if done["ran"] else "no notebook run (all cached)"
    made = (f"{done['pages']} pages, {done['charts']} charts, {ran}, no warnings (a warning fails the build)")
    if only:
        site = build_dir / "partial" / "html"
        return f"\nBuilt {', '.join(only)} ({', '.join(langs)}) in {done['seconds']:.0f} s, not published: {made}.\nSite: {site}/"
    site = build_dir / "html"
    serve = "python3 tasks.py serve" if site == REPO / "_build" / "html" else f"python3 -m http.server --directory {site} 8000"
    return (f"\nBuilt {', '.join(langs)} in {done['seconds']:.0f} s: {made}.\n"
            f"Site: {site}/index.html\nServe it locally:  {serve}  (then open http://localhost:8000/)")


if __name__ == "__main__":
    sys.exit(main())
