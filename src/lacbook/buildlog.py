"""What an author reads when an edition fails: the few lines to act on, not Sphinx's log.

Each edition's Sphinx output goes to `_build/logs/<lang>.log`; this keeps the warnings
and errors, once each, with paths relative to the book, and names the log for the full
tracebacks. A chapter whose code fails (lacbook.execute) is reported by its page, line,
cell and the end of its traceback, with its kernel's log, `_build/logs/<lang>/<chapter>.log`.
"""

from __future__ import annotations

import re
from pathlib import Path

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .execute import Outcome

# Sphinx's lines for warnings (turned into errors by -W) and errors, with or without a location.
PROBLEM = re.compile(r"^(?P<where>.*?):?\s*(?P<kind>WARNING|ERROR|CRITICAL|SEVERE): (?P<what>.*)$")
ANSI = re.compile(r"\x1b\[[0-9;]*m")  # Sphinx colours its messages even into a file
# Sphinx's own footer for crashes, which does not apply to an author's mistake.
NOISE = re.compile(r"please report|issue tracker|traceback has been saved|^\s*$")


def author_summary(lang: str, log: str, root: Path, log_path: Path) -> str:
    """One line per distinct problem of an edition's log, and where the full log is."""
    lines: list[str] = []
    log = ANSI.sub("", log)
    for raw in log.splitlines():
        match = PROBLEM.match(raw.strip())
        if not match:
            continue
        where = match["where"].replace(f"{root}/", "").replace("<translated>:", "").strip()
        where = re.sub(r"(\.md:\d+):\d+$", r"\1", where)  # translated text adds a column
        what = re.sub(r"\s*\[[a-z_.]+\]$", "", match["what"])  # "[myst.xref_missing]" and such
        line = f"  {lang}: {where + ': ' if where else ''}{what}"
        if line not in lines:
            lines.append(line)
    if any("Executing notebook failed" in line for line in lines):
        lines += [f"  {lang}:   the cell: {cell}" for cell in _failed_cells(log)]
    if not lines:  # no warning: Sphinx or a kernel stopped on an exception
        tail = [raw.strip() for raw in log.splitlines() if not NOISE.search(raw)]
        lines = [f"  {lang}: {line}" for line in tail[-3:]] or [f"  {lang}: the build stopped without a message"]
    return "\n".join(lines) + f"\n  ({lang}: full log with tracebacks: {log_path})"


CELL_ERROR = re.compile(r"An error occurred while executing the following cell:\n-+\n(?P<source>.*?)\n-+\n.*?"
                        r"^(?P<error>\w+(?:Error|Exception|Interrupt)\b: .*?)$", re.S | re.M)


def _failed_cells(log: str) -> list[str]:
    """The first line of each failing cell's code and the error it raised (nbclient's report)."""
    found = []
    for match in CELL_ERROR.finditer(log):
        first = match["source"].strip().splitlines()[0] if match["source"].strip() else ""
        entry = f"{first[:80]}  ->  {match['error'].strip()}"
        if entry not in found:
            found.append(entry)
    return found


def notebook_failure(outcome: Outcome, root: Path) -> str:
    """A chapter that failed to run: where (page, line, cell), what, the end of the traceback, the log."""
    job = outcome.job
    page = job.source.resolve().relative_to(root) if job.source.resolve().is_relative_to(root) else job.source
    where = f"{page}:{outcome.line}" if outcome.line else f"{page}"
    cell = f", code cell {outcome.cell}" if outcome.cell else ""
    lines = [f"  {job.lang}: {where} (chapter {job.docname}{cell}): {outcome.error}"]
    if outcome.code:
        lines.append(f"  {job.lang}:   the cell: {outcome.code[:100]}")
    lines += [f"  {job.lang}:   | {line}" for line in outcome.trace or []]
    return "\n".join(lines) + f"\n  ({job.lang}: full log with tracebacks: {job.log})"
