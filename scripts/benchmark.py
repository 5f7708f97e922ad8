"""Time the build side by side with the naive build, and how its cost grows; update BENCHMARKS.md.

usage: .venv/bin/python scripts/benchmark.py [--runs 3] [--sizes 1 2 4] [--cores 1 2] [--out BENCHMARKS.md]

Every run works on a throw-away copy of the book, so the repository is never
touched. Each command is measured in a process of its own: wall time, CPU time
(user + system of every process it started, kernels included) and peak memory
(the largest single process, `ru_maxrss`), from `resource.getrusage(RUSAGE_CHILDREN)`.

- Side by side (--runs times, medians): the clean two-language build, the
  naive build (one plain `sphinx-build` per edition, one after the other,
  execution forced, no cache), a rebuild with no change, one chapter's prose
  edited, one chapter's code edited; and the build's own output for a clean
  build and a failing one.
- Scaling: synthetic books of --sizes times the chapters (each notebook
  chapter copied under new names, its labels and catalogues with it), each
  built from clean on --cores cores (`taskset`).

It rewrites only its own parts of BENCHMARKS.md (between `<!-- begin benchmark.py: … -->`
markers); what people and other scripts wrote there stays. Measure on a quiet machine:
other work running at the same time inflates every figure.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "tests"))
from conftest import copy_book  # noqa: E402  (the same copy of the book the tests build)

EDITED_CHAPTER = "responses"
BROKEN_CELL = '\n```{code-cell} ipython3\nraise RuntimeError("a deliberately broken cell")\n```\n'
LABEL = re.compile(r"^(?::name:\s*(?P<name>\S+)|\((?P<target>[^()\s]+)\)=)\s*$", re.M)  # as lacbook.editions reads them
# Runs a command with its output in a file and prints what it cost, as JSON.
MEASURE = """
import json, resource, subprocess, sys, time
started = time.perf_counter()
with open(sys.argv[1], "w") as log:
    status = subprocess.run(sys.argv[2:], stdout=log, stderr=subprocess.STDOUT).returncode
wall = time.perf_counter() - started
used = resource.getrusage(resource.RUSAGE_CHILDREN)
print(json.dumps({"status": status, "wall": wall, "cpu": used.ru_utime + used.ru_stime, "peak": used.ru_maxrss}))
"""


@dataclass
class Cost:
    wall: float  # seconds
    cpu: float  # seconds, user + system, every process started
    peak: float  # MiB, the largest process
    output: str = ""

    def __add__(self, other: Cost) -> Cost:  # commands run one after the other
        return Cost(self.wall + other.wall, self.cpu + other.cpu, max(self.peak, other.peak), self.output + other.output)


def measured(command: list[str], env: dict[str, str] | None = None, cores: int | None = None,
             fails: bool = False) -> Cost:
    """What a command cost; on `cores` cores if given. It must succeed (or fail, if `fails`)."""
    pinned = ["taskset", "-c", ",".join(str(core) for core in sorted(os.sched_getaffinity(0))[:cores])] if cores else []
    with tempfile.NamedTemporaryFile("r", suffix=".log") as log:
        done = subprocess.run([*pinned, sys.executable, "-c", MEASURE, log.name, *command],
                              cwd=REPO, env=env, capture_output=True, text=True)
        output = Path(log.name).read_text(encoding="utf-8")
    if done.returncode != 0:
        sys.exit(f"measuring {' '.join(command)} failed:\n{done.stderr[-4000:]}")
    result = json.loads(done.stdout)
    if (result["status"] != 0) != fails:
        sys.exit(f"{' '.join(command)} {'passed' if fails else 'failed'} (status {result['status']}):\n{output[-4000:]}")
    return Cost(result["wall"], result["cpu"], result["peak"] / 1024, output)


def build(root: Path, cores: int | None = None, fails: bool = False, pdf: bool = False) -> Cost:
    """`tasks.py build` of the book in `root`. The HTML editions only, as the naive build makes,
    unless `pdf` (the PDF editions are measured on their own)."""
    env = None if pdf else {**os.environ, "LACBOOK_PDF": "0"}
    return measured([sys.executable, "-m", "lacbook.build", "--root", str(root)], env=env, cores=cores, fails=fails)


def naive_build(root: Path, out: Path) -> Cost:
    """The book's configuration built the plain way, one `sphinx-build` per edition one after
    the other, execution forced and no cache (what Sphinx's and myst-nb's docs show)."""
    from lacbook.build import kernel_environment

    total = Cost(0.0, 0.0, 0.0)
    for lang in ("en", "es"):
        total += measured([sys.executable, "-m", "sphinx", "-b", "html", "-q", "-D", f"language={lang}",
                           "-D", "nb_execution_mode=force", "-D", f"lacbook_data_dir={root / 'data'}",
                           "-d", str(out / lang / "doctrees"), str(root / "book"), str(out / lang / "html")],
                          env=kernel_environment(root, lang))
    return total


def executed_at(root: Path, lang: str) -> dict[str, str]:
    """When each page's notebook last ran: the creation time of its record in the edition's execution cache."""
    from jupyter_cache import get_cache

    (folder,) = (root / "_build" / ".jupyter_cache").glob(f"{lang}-*")
    return {Path(record.uri).stem: str(record.created) for record in get_cache(folder).list_cache_records()}


def edit_prose(root: Path) -> None:
    """Add a paragraph at the end of the chapter, and its translation to the chapter's catalogue."""
    chapter = root / "book" / f"{EDITED_CHAPTER}.md"
    catalogue = root / "translations" / "es" / "LC_MESSAGES" / f"{EDITED_CHAPTER}.po"
    english, spanish = "A paragraph added by the benchmark.", "Un párrafo añadido por la prueba de rendimiento."
    chapter.write_text(chapter.read_text(encoding="utf-8") + f"\n{english}\n", encoding="utf-8")
    catalogue.write_text(catalogue.read_text(encoding="utf-8") + f'\nmsgid "{english}"\nmsgstr "{spanish}"\n',
                         encoding="utf-8")


def edit_code(root: Path) -> None:
    """Add a comment to one of the chapter's shown code cells: its source changes, its outputs do not."""
    chapter = root / "book" / f"{EDITED_CHAPTER}.md"
    text = chapter.read_text(encoding="utf-8")
    cell = re.search(r"```\{code-cell\} ipython3\n:tags: \[hide-input[^\]]*\]\n\n", text)
    if cell is None:
        sys.exit(f"{chapter}: no cell with shown code (tagged hide-input) to edit")
    chapter.write_text(text[:cell.end()] + "# benchmark edit\n" + text[cell.end():], encoding="utf-8")


def one_run(runs_left: int) -> dict:
    with tempfile.TemporaryDirectory(prefix="lacbook-bench-") as folder:
        root = copy_book(Path(folder))
        results = {"clean": build(root)}
        results["naive"] = naive_build(root, Path(folder) / "naive")
        results["no_change"] = build(root)
        edit_prose(root)
        results["prose_edit"] = build(root)
        before = {lang: executed_at(root, lang) for lang in ("en", "es")}
        edit_code(root)
        results["code_edit"] = build(root)
        after = {lang: executed_at(root, lang) for lang in ("en", "es")}
        results["reexecuted"] = {
            lang: sorted(page for page in after[lang] if after[lang][page] != before[lang].get(page)) for lang in after
        }
        if runs_left == 1:  # the last run also shows what a failing build says, and what the PDFs cost
            chapter = root / "book" / f"{EDITED_CHAPTER}.md"
            chapter.write_text(chapter.read_text(encoding="utf-8") + BROKEN_CELL, encoding="utf-8")
            results["failing"] = build(root, fails=True)
            (Path(folder) / "with-pdf").mkdir()
            results["clean_pdf"] = build(copy_book(Path(folder) / "with-pdf"), pdf=True)
        return results


def copy_catalogue(source: Path, target: Path, renamed) -> None:
    """A chapter's catalogue for its copy, every message passed through `renamed`."""
    from babel.messages.pofile import read_po, write_po

    with source.open("rb") as handle:
        catalogue = read_po(handle)
    for message in catalogue:
        if message.id and isinstance(message.id, str):
            message.id, message.string = renamed(message.id), renamed(message.string)
    with target.open("wb") as handle:
        write_po(handle, catalogue, width=100)


def synthetic_book(into: Path, size: int) -> tuple[Path, int]:
    """The book with `size` times its notebook chapters: each copy (`<chapter>-x2`, …) gets its own
    labels, its own catalogues and a place in the table of contents. Returns the book and its notebook count."""
    import yaml

    from lacbook.editions import toc_files
    from lacbook.execute import notebook_pages

    root = copy_book(into)
    book = root / "book"
    chapters = notebook_pages(book, toc_files(root / "_toc.yml"))
    copied = [doc for doc in chapters if doc != toc_files(root / "_toc.yml")[0]]  # not the landing page
    toc = yaml.safe_load((root / "_toc.yml").read_text(encoding="utf-8"))
    for copy in range(2, size + 1):
        for doc in copied:
            name = f"{doc}-x{copy}"
            text = (book / f"{doc}.md").read_text(encoding="utf-8")
            labels = {match["name"] or match["target"] for match in LABEL.finditer(text)}
            rename = re.compile(r"(?<![\w-])(" + "|".join(map(re.escape, sorted(labels, key=len, reverse=True)))
                                + r")(?![\w-])") if labels else None

            def renamed(source: str) -> str:
                return rename.sub(lambda m: f"{m[1]}-x{copy}", source) if rename else source

            (book / f"{name}.md").write_text(renamed(text), encoding="utf-8")
            for kind in ("LC_MESSAGES", "charts"):
                catalogue = root / "translations" / "es" / kind / f"{doc}.po"
                if catalogue.is_file():
                    copy_catalogue(catalogue, catalogue.parent / f"{name}.po", renamed)
            toc["chapters"].append({"file": name})
    (root / "_toc.yml").write_text(yaml.safe_dump(toc, sort_keys=False), encoding="utf-8")
    return root, len(chapters) + len(copied) * (size - 1)


def scaling(sizes: list[int], cores: list[int]) -> list[dict]:
    rows = []
    for size in sizes:
        for count in cores:
            with tempfile.TemporaryDirectory(prefix=f"lacbook-scale-{size}x-") as folder:
                root, notebooks = synthetic_book(Path(folder), size)
                cost = build(root, cores=count)
                rows.append({"size": size, "cores": count, "notebooks": notebooks, "cost": cost})
                print(f"{size}x ({notebooks} notebooks per edition), {count} cores: "
                      f"{cost.wall:.1f} s wall, {cost.cpu:.1f} s CPU, {cost.peak:.0f} MiB", flush=True)
    return rows


def median(runs: list[dict], key: str, field: str) -> float:
    return statistics.median(getattr(run[key], field) for run in runs)


def spread(runs: list[dict], key: str, field: str) -> str:
    values = [getattr(run[key], field) for run in runs if key in run]
    return f"{statistics.median(values):.1f} s ({min(values):.1f}–{max(values):.1f})"


def side_by_side(runs: list[dict]) -> list[str]:
    clean, naive = (median(runs, key, "wall") for key in ("clean", "naive"))
    clean_cpu, naive_cpu = (median(runs, key, "cpu") for key in ("clean", "naive"))
    row = lambda label, key, ratio, target: (  # noqa: E731
        f"| {label} | {spread(runs, key, 'wall')} | {spread(runs, key, 'cpu')} | "
        f"{max(run[key].peak for run in runs if key in run):.0f} MiB | {ratio} | {target} |")
    return [
        "| measure | wall time | CPU time | peak memory | ratio | target |",
        "| --- | --- | --- | --- | --- | --- |",
        row("clean two-language build (`tasks.py build`)", "clean",
            f"wall {clean / naive:.2f} × naive, CPU {clean_cpu / naive_cpu:.2f} × naive", "≤ 0.45 wall, ≤ 0.8 CPU"),
        row("naive: `sphinx-build` per edition, one after the other, execution forced, no cache", "naive", "1", ""),
        row("no-change rebuild", "no_change", f"{median(runs, 'no_change', 'wall') / clean:.3f} × clean", "near zero"),
        row(f"one chapter's prose edited ({EDITED_CHAPTER})", "prose_edit",
            f"{median(runs, 'prose_edit', 'wall') / clean:.2f} × clean", "≤ 0.1"),
        row(f"one chapter's code edited ({EDITED_CHAPTER})", "code_edit",
            f"re-executed: {runs[-1]['reexecuted']}", "only that chapter"),
        row("clean build with the PDF editions (last run only)", "clean_pdf",
            f"{runs[-1]['clean_pdf'].wall / clean:.2f} × clean", ""),
    ]


def scaling_table(rows: list[dict]) -> list[str]:
    lines = ["| chapters | notebooks per edition | cores | wall time | CPU time | CPU per notebook | peak memory |",
             "| --- | ---: | ---: | ---: | ---: | ---: | ---: |"]
    for row in rows:
        cost, notebooks = row["cost"], row["notebooks"]
        lines.append(f"| {row['size']}× | {notebooks} | {row['cores']} | {cost.wall:.1f} s | {cost.cpu:.1f} s | "
                     f"{cost.cpu / (2 * notebooks):.2f} s | {cost.peak:.0f} MiB |")
    return lines


def terminal(output: str) -> list[str]:
    return ["```text", *output.rstrip().splitlines(), "```"]


def sections(runs: list[dict], rows: list[dict], args) -> dict[str, list[str]]:
    """This script's parts of BENCHMARKS.md, by name."""
    cores = len(os.sched_getaffinity(0))
    machine = (f"Measured by `.venv/bin/python scripts/benchmark.py --runs {args.runs} --sizes "
               f"{' '.join(map(str, args.sizes))} --cores {' '.join(map(str, args.cores))}` on {platform.machine()}, "
               f"{platform.processor() or platform.system()}, {cores} cores available, "
               f"{os.sysconf('SC_PAGE_SIZE') * os.sysconf('SC_PHYS_PAGES') / 2**30:.0f} GiB of memory.")
    parts = {
        "machine": [machine],
        "side-by-side": [f"Medians of {args.runs} runs, range in brackets.", "", *side_by_side(runs)],
        "scaling": scaling_table(rows) if rows else ["(not measured: --sizes was empty)"],
        "terminal": [
            "A clean build (its output is no terminal here, so only the lines that stay):", "",
            *terminal(runs[-1]["clean"].output), "",
            f"A chapter with a failing cell ({EDITED_CHAPTER}):", "",
            *terminal(runs[-1]["failing"].output),
        ],
    }
    return parts


def update(document: str, parts: dict[str, list[str]]) -> str:
    """Replace each part between its markers (`<!-- begin benchmark.py: NAME -->`, `<!-- end … -->`),
    leaving the rest of the document (what people and other scripts wrote) as it is."""
    for name, lines in parts.items():
        begin, end = f"<!-- begin benchmark.py: {name} -->", f"<!-- end benchmark.py: {name} -->"
        block = "\n".join([begin, *lines, end])
        if begin in document and end in document:
            document = document[:document.index(begin)] + block + document[document.index(end) + len(end):]
        else:
            document = document.rstrip("\n") + f"\n\n{block}\n"
    return document


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--sizes", type=int, nargs="*", default=[1, 2, 4], help="book sizes for scaling (none: skip)")
    parser.add_argument("--cores", type=int, nargs="+", default=[1, 2], help="cores for the scaling builds")
    parser.add_argument("--out", type=Path, default=REPO / "BENCHMARKS.md")
    args = parser.parse_args()
    if shutil.which("taskset") is None and args.sizes:
        sys.exit("the scaling benchmark needs taskset (Debian: util-linux)")
    runs = [one_run(args.runs - number) for number in range(args.runs)]
    rows = scaling(args.sizes, args.cores)
    document = args.out.read_text(encoding="utf-8") if args.out.is_file() else "# Build benchmarks\n"
    args.out.write_text(update(document, sections(runs, rows, args)), encoding="utf-8")
    print(f"{args.out} updated")
    return 0


if __name__ == "__main__":
    sys.exit(main())
