"""Time the build the ways authors and reviewers meet it, side by side, and write BENCHMARKS.md.

usage: .venv/bin/python scripts/benchmark.py [--runs 3] [--out BENCHMARKS.md]

Every run works on a throw-away copy of the book, so the repository is never
touched. Figures are medians of --runs runs, with their range.
"""

from __future__ import annotations

import argparse
import platform
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "tests"))
from conftest import copy_book  # noqa: E402  (the same copy of the book the tests build)
EDITED_CHAPTER = "responses"
NOTES = """
## What the figures are made of

- **Clean build**: both editions run side by side, one per core, each
  executing its nine notebooks in turn (about 22 s of kernel time per
  edition in `tasks.py rerun`'s execution report, most of it starting
  kernels and importing pandas, Altair and Frictionless), then Sphinx
  writes 13 pages per edition, vl-convert exports each chart as SVG and PNG,
  and PurgeCSS and subset-font slim the theme (about 1.5 s).
- **Naive build**: `jupyter-book build` run twice, one edition after the
  other, with execution forced; it builds English twice, because its
  command line cannot set the language, so it does less than the real build
  (no Spanish catalogues) and still takes longer.
- **No-change rebuild**: the build compares a digest of everything it reads
  (chapters, catalogues, data, settings, the `lacbook` package, the lock
  file) with the one saved by the last successful build, and stops there.
- **Prose edit**: the chapter title changes, so Sphinx reads that chapter
  again (from the execution cache, no kernel), and rewrites every page,
  whose sidebar shows the title. A Sphinx run with nothing to read takes
  about 3 s per edition (start-up, its saved environment, slimming the
  theme again); going lower would mean keeping a Sphinx process alive
  between builds, as `tasks.py preview` does.
- **Code edit**: only the edited chapter runs again, in each language;
  `tests/test_incremental.py` checks this and the other kinds of edit.
"""


def timed(command: list[str], cwd: Path) -> tuple[float, int]:
    """Wall seconds of a command, and the peak memory (KiB) of its largest process so far."""
    started = time.perf_counter()
    done = subprocess.run(command, cwd=cwd, capture_output=True, text=True)
    seconds = time.perf_counter() - started
    if done.returncode != 0:
        sys.exit(f"{' '.join(command)} failed:\n{done.stdout[-2000:]}\n{done.stderr[-4000:]}")
    return seconds, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss


def build(root: Path, *extra: str) -> tuple[float, int]:
    return timed([sys.executable, "-m", "lacbook.build", "--root", str(root), *extra], REPO)


def naive_build(root: Path, out: Path) -> float:
    """The book's configuration built the plain way, one `sphinx-build` per edition one after
    the other, execution forced and no cache (what Sphinx's and myst-nb's docs show)."""
    from lacbook.build import kernel_environment

    total = 0.0
    for lang in ("en", "es"):
        command = [sys.executable, "-m", "sphinx", "-b", "html", "-q", "-D", f"language={lang}",
                   "-D", "nb_execution_mode=force", "-D", f"lacbook_data_dir={root / 'data'}",
                   "-d", str(out / lang / "doctrees"), str(root / "book"), str(out / lang / "html")]
        started = time.perf_counter()
        done = subprocess.run(command, cwd=REPO, env=kernel_environment(root, lang), capture_output=True, text=True)
        if done.returncode != 0:
            sys.exit(f"{' '.join(command)} failed:\n{done.stdout[-2000:]}\n{done.stderr[-4000:]}")
        total += time.perf_counter() - started
    return total


def executed_at(root: Path, lang: str) -> dict[str, str]:
    """When each page's notebook last ran: the creation time of its record in the edition's execution cache."""
    from jupyter_cache import get_cache

    (folder,) = (root / "_build" / ".jupyter_cache").glob(f"{lang}-*")
    return {Path(record.uri).stem: str(record.created) for record in get_cache(folder).list_cache_records()}


def edit_prose(root: Path) -> None:
    """Change the chapter's title in English, and its catalogue entry, so the Spanish edition stays complete."""
    chapter = root / "book" / f"{EDITED_CHAPTER}.md"
    catalogue = root / "translations" / "es" / "LC_MESSAGES" / f"{EDITED_CHAPTER}.po"
    title = next(line for line in chapter.read_text(encoding="utf-8").splitlines() if line.startswith("# "))
    chapter.write_text(chapter.read_text(encoding="utf-8").replace(title, title + " (revised)", 1), encoding="utf-8")
    text = catalogue.read_text(encoding="utf-8")
    catalogue.write_text(text.replace(f'msgid "{title[2:]}"', f'msgid "{title[2:]} (revised)"', 1), encoding="utf-8")


def edit_code(root: Path) -> None:
    """Add a comment to one of the chapter's shown code cells: its source changes, its outputs do not."""
    chapter = root / "book" / f"{EDITED_CHAPTER}.md"
    text = chapter.read_text(encoding="utf-8")
    cell = "```{code-cell} ipython3\n:tags: [hide-input]\n\n"
    chapter.write_text(text.replace(cell, cell + "# benchmark edit\n", 1), encoding="utf-8")


def one_run() -> dict:
    with tempfile.TemporaryDirectory(prefix="lacbook-bench-") as folder:
        root = copy_book(Path(folder))
        results = {}
        results["clean"], results["peak_kib"] = build(root)
        results["naive"] = naive_build(root, Path(folder) / "naive")
        results["no_change"], _ = build(root)
        edit_prose(root)
        results["prose_edit"], _ = build(root)
        before = {lang: executed_at(root, lang) for lang in ("en", "es")}
        edit_code(root)
        results["code_edit"], _ = build(root)
        after = {lang: executed_at(root, lang) for lang in ("en", "es")}
        results["reexecuted"] = {
            lang: sorted(page for page in after[lang] if after[lang][page] != before[lang].get(page)) for lang in after
        }
        return results


def summary(values: list[float]) -> str:
    return f"{statistics.median(values):.1f} s (range {min(values):.1f}–{max(values):.1f})"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--out", type=Path, default=REPO / "BENCHMARKS.md")
    args = parser.parse_args()
    runs = [one_run() for _ in range(args.runs)]
    clean = statistics.median(r["clean"] for r in runs)
    naive = statistics.median(r["naive"] for r in runs)
    no_change = statistics.median(r["no_change"] for r in runs)
    prose = statistics.median(r["prose_edit"] for r in runs)
    lines = [
        "# Build benchmarks",
        "",
        f"Measured by `.venv/bin/python scripts/benchmark.py --runs {args.runs}` on {platform.machine()} "
        f"with {len(__import__('os').sched_getaffinity(0))} cores; medians of {args.runs} runs, range in brackets.",
        "",
        "| measure | time | ratio | target |",
        "| --- | --- | --- | --- |",
        f"| clean two-language build (`tasks.py build`) | {summary([r['clean'] for r in runs])} | 1 | |",
        f"| naive: `jupyter-book build` twice, execution forced, no cache | {summary([r['naive'] for r in runs])} "
        f"| clean / naive = {clean / naive:.2f} | ≤ 0.6 |",
        f"| no-change rebuild | {summary([r['no_change'] for r in runs])} | {no_change / clean:.3f} × clean | ≤ 0.05 |",
        f"| one chapter's prose edited ({EDITED_CHAPTER}) | {summary([r['prose_edit'] for r in runs])} "
        f"| {prose / clean:.2f} × clean | ≤ 0.2 |",
        f"| one chapter's code edited ({EDITED_CHAPTER}) | {summary([r['code_edit'] for r in runs])} "
        f"| re-executed: {runs[-1]['reexecuted']} | only that chapter |",
        f"| peak memory (largest build process) | {max(r['peak_kib'] for r in runs) / 1024:.0f} MiB | | |",
        NOTES,
    ]
    args.out.write_text("\n".join(lines), encoding="utf-8")
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    sys.exit(main())
