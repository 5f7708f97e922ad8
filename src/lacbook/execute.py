"""Run every edition's notebooks at once, as many as there are cores, into myst-nb's caches.

Left to itself, myst-nb executes a notebook while Sphinx reads its page, one
page after another (`nb_execution_mode = "cache"`), so an edition keeps one
core busy. The build instead fills each edition's jupyter-cache first, with
one pool of kernels for all chapters and languages; Sphinx then finds every
notebook in its cache and runs none. A notebook matches its cache record by
its code cells and kernelspec (jupyter-cache's hash), so it is read here with
myst-nb's own reader and the book's MyST settings.

Kernels talk to the build over IPC sockets, not TCP (nothing listens on the
network, and ipykernel has no unencrypted-TCP warning to give), and write what
they print to their own log, `_build/logs/<lang>/<chapter>.log`. Each is forked
from a server that has already imported the libraries (lacbook.kernelfork), so
a chapter's kernel does not pay for those imports again.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import re
import runpy
import shutil
import subprocess
import sys
import tempfile
import time
from contextlib import contextmanager
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Callable

import nbformat
from jupyter_cache import get_cache
from jupyter_cache.base import CacheBundleIn
from jupyter_client.kernelspec import KernelSpecManager
from jupyter_client.manager import AsyncKernelManager
from myst_nb.core.read import is_myst_markdown_notebook, read_myst_markdown_notebook
from myst_parser.config.main import MdParserConfig
from nbclient import NotebookClient
from nbclient.exceptions import CellTimeoutError
from traitlets.config import Config

from .kernelfork import SERVER, kernel_spec

ANSI = re.compile(r"\x1b\[[0-9;]*m")


@dataclass(frozen=True)
class Job:
    """One chapter in one language: its page, the edition's cache, the kernel's settings."""

    lang: str
    docname: str
    source: Path
    cache: Path
    env: dict[str, str]
    log: Path


@dataclass
class Outcome:
    """How a job went: its time, and for a failure the cell, its line and a short traceback."""

    job: Job
    seconds: float = 0.0
    error: str = ""  # "RuntimeError: deliberately broken cell"
    cell: int | None = None  # the failing code cell, counted from 1
    line: int | None = None  # the line of its first line of code in the chapter
    code: str = ""  # its first line of code
    trace: list[str] | None = None  # the last lines of its traceback


def book_settings(conf: Path) -> dict:
    """The settings of the book's conf.py."""
    return runpy.run_path(str(conf))


def markdown_settings(settings: dict) -> MdParserConfig:
    """The MyST settings of the book (`myst_*`), as Sphinx hands them to myst-nb."""
    names = {field.name for field in fields(MdParserConfig)}
    values = {key[5:]: value for key, value in settings.items() if key.startswith("myst_") and key[5:] in names}
    if "url_schemes" in values and isinstance(values["url_schemes"], list):
        values["url_schemes"] = {scheme: None for scheme in values["url_schemes"]}
    return MdParserConfig(**values)


def read_notebook(source: Path, settings: MdParserConfig) -> nbformat.NotebookNode | None:
    """The page as myst-nb reads it for execution, or None if it is no notebook."""
    text = source.read_text(encoding="utf-8")
    if not is_myst_markdown_notebook(text):
        return None
    return read_myst_markdown_notebook(text, config=settings, add_source_map=True, path=str(source))


def pending(jobs: list[Job], settings: MdParserConfig, force: bool = False) -> tuple[list[Job], list[Job]]:
    """Split the jobs into those whose notebooks the cache lacks (or all, if forced) and those it has."""
    run, cached, notebooks = [], [], {}
    for job in jobs:
        if job.source not in notebooks:  # the same page in every language: read it once
            notebooks[job.source] = read_notebook(job.source, settings)
        notebook = notebooks[job.source]
        try:
            found = not force and get_cache(job.cache).match_cache_notebook(notebook) is not None
        except KeyError:
            found = False
        (cached if found else run).append(job)
    return run, cached


def forget_retranslated(cache: Path, catalogues: dict[str, Path], sources: dict[str, Path]) -> None:
    """Drop the cached outputs of chapters whose own chart catalogue changed since they last ran.

    jupyter-cache matches notebooks by their code alone, so it would serve the old
    chart text; the cache folder's key (build.kernel_fingerprint) leaves chapter
    catalogues out, so that only the chapter whose catalogue changed runs again.
    A ledger beside the cache keeps each catalogue's digest; the build calls this
    before it runs notebooks, the extension (lacbook.site) before Sphinx reads
    pages, which matters in the preview, where Sphinx runs them.
    """
    ledger = cache / "chart-catalogues.json"
    seen = json.loads(ledger.read_text(encoding="utf-8")) if ledger.is_file() else {}
    stale = set()
    for docname, catalogue in catalogues.items():
        digest = hashlib.sha256(catalogue.read_bytes()).hexdigest()
        if seen.get(docname, digest) != digest:
            stale.add(str(sources[docname]))
        seen[docname] = digest
    if stale:
        store = get_cache(cache)
        for record in store.list_cache_records():
            if record.uri in stale:
                store.remove_cache(record.pk)
    ledger.parent.mkdir(parents=True, exist_ok=True)
    ledger.write_text(json.dumps(seen, indent=1, sort_keys=True), encoding="utf-8")


def notebook_pages(srcdir: Path, docnames: list[str]) -> list[str]:
    """The pages, of those listed, that myst-nb would execute (by their front matter, as myst-nb tells)."""
    return [doc for doc in docnames if is_myst_markdown_notebook((srcdir / f"{doc}.md").read_text(encoding="utf-8"))]


def _failure(outcome: Outcome, notebook: nbformat.NotebookNode, error: BaseException) -> None:
    """Fill in which cell failed, where it is in the chapter and the end of its traceback."""
    code_cells = [cell for cell in notebook.cells if cell.cell_type == "code"]
    lines = notebook.metadata.get("source_map") or []
    for index, cell in enumerate(notebook.cells):
        errors = [out for out in cell.get("outputs", []) if out.get("output_type") == "error"]
        if cell.cell_type != "code" or not errors:
            continue
        outcome.cell = next(number for number, code in enumerate(code_cells, start=1) if code is cell)
        outcome.line = lines[index] + 1 if index < len(lines) else None
        outcome.code = next((line for line in cell.source.splitlines() if line.strip()), "")
        outcome.error = f"{errors[0]['ename']}: {errors[0]['evalue']}"
        if isinstance(error, CellTimeoutError):  # the KeyboardInterrupt in the cell is the kernel's interrupt
            outcome.error = f"{type(error).__name__}: {str(error).strip().splitlines()[0]}"
        trace = ANSI.sub("", "\n".join(errors[0].get("traceback", []))).splitlines()
        trace = [line for line in trace if line.strip() and not set(line.strip()) <= {"-"}
                 and "Traceback (most recent call last)" not in line and line != outcome.error]
        outcome.trace = trace[-6:]
        return
    outcome.error = f"{type(error).__name__}: {str(error).strip().splitlines()[-1] if str(error).strip() else ''}"


class KernelServerError(RuntimeError):
    """The server that chapter kernels are forked from could not start; no chapter can run."""


@contextmanager
def kernel_server(folder: Path):
    """A kernel server (lacbook.kernelfork) for the build's kernels, ready to fork, and the
    kernel specs that launch through it; the server ends with the block."""
    socket_path = folder / "server"
    # Its standard input is how it knows the build is there: closed at the end, it ends.
    with subprocess.Popen([sys.executable, "-m", "lacbook.kernelfork", "--serve", str(socket_path)],
                          stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True) as server:
        if server.stdout.readline().strip() != "ready":
            raise KernelServerError(f"the kernel server (python -m lacbook.kernelfork) did not start: exit status "
                                    f"{server.wait()}, its error is above")
        spec = folder / "kernels" / "python3" / "kernel.json"
        spec.parent.mkdir(parents=True)
        spec.write_text(json.dumps(kernel_spec()), encoding="utf-8")
        yield KernelSpecManager(kernel_dirs=[str(spec.parent.parent)]), {SERVER: str(socket_path)}


async def _run(job: Job, settings: MdParserConfig, timeout: int, sockets: Path, specs: KernelSpecManager,
               server: dict[str, str]) -> Outcome:
    """Execute one notebook in a new kernel forked by the server (cwd: the chapter's folder, as myst-nb does)."""
    notebook = read_notebook(job.source, settings)
    outcome = Outcome(job)
    job.log.parent.mkdir(parents=True, exist_ok=True)
    config = Config({"KernelManager": {"transport": "ipc", "ip": str(sockets / f"{job.lang}-{job.docname}")}})
    kernel = AsyncKernelManager(config=config, kernel_name=notebook.metadata.kernelspec.name, kernel_spec_manager=specs)
    # No timing in cell metadata: jupyter-cache hashes cell metadata, and myst-nb's copy has none.
    client = NotebookClient(notebook, km=kernel, timeout=timeout, allow_errors=False, record_timing=False,
                            resources={"metadata": {"path": str(job.source.parent)}})
    started = time.perf_counter()
    with job.log.open("w", encoding="utf-8") as log:
        try:
            # cleanup_kc: shut the kernel down at the end, as nbclient does for a kernel manager it made.
            await client.async_execute(env=job.env | server, stdout=log, stderr=log, cleanup_kc=True)
        except Exception as error:  # noqa: BLE001 (a cell error, a timeout, a dead kernel: all reported)
            _failure(outcome, notebook, error)
            log.write(f"\n{error}\n")
    outcome.seconds = time.perf_counter() - started
    if not outcome.error:
        cache = get_cache(job.cache)
        uri = str(job.source.absolute())
        record = cache.cache_notebook_bundle(
            CacheBundleIn(notebook, uri, data={"execution_seconds": outcome.seconds}),
            check_validity=False, overwrite=True)
        for old in cache.list_cache_records():  # the records of this page's earlier versions
            if old.uri == uri and old.pk != record.pk:
                cache.remove_cache(old.pk)
    return outcome


def run_notebooks(jobs: list[Job], workers: int, settings: MdParserConfig, timeout: int,
                  started: Callable[[Job], None], finished: Callable[[Outcome], None]) -> list[Outcome]:
    """Run the jobs, `workers` kernels at a time, in the order given; report each start and end."""
    sockets = Path(tempfile.mkdtemp(prefix="lacbook-kernels-"))  # short: socket paths are limited
    outcomes: list[Outcome] = []

    async def all_jobs(specs: KernelSpecManager, server: dict[str, str]) -> None:
        limit = asyncio.Semaphore(max(1, workers))

        async def one(job: Job) -> None:
            async with limit:
                started(job)
                outcome = await _run(job, settings, timeout, sockets, specs, server)
                outcomes.append(outcome)
                finished(outcome)

        await asyncio.gather(*(one(job) for job in jobs))

    try:
        with kernel_server(sockets) as (specs, server):
            asyncio.run(all_jobs(specs, server))
    finally:
        shutil.rmtree(sockets, ignore_errors=True)
    return outcomes
