"""The execution report reviewers read after rerunning every chapter from scratch.

`python3 tasks.py rerun` runs every chapter in every language with no cache
(lacbook.execute); this lays out how each went, one table per language.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .execute import Outcome


def execution_report(outcomes: list[Outcome], langs: list[str]) -> str:
    """A Markdown table per language: chapter, seconds, status and, for a failure, the cell and error."""
    lines = ["# Execution report", ""]
    for lang in langs:
        runs = sorted((o for o in outcomes if o.job.lang == lang), key=lambda o: o.job.docname)
        lines += [f"## {lang}", "", "| chapter | seconds | status | error |", "| --- | ---: | --- | --- |"]
        for run in runs:
            error = (f"cell {run.cell}: {run.error}" if run.cell else run.error).replace("|", "\\|")
            lines.append(f"| {run.job.docname} | {run.seconds:.1f} | {'FAILED' if run.error else 'ok'} | {error} |")
        lines += [f"| **total** | {sum(run.seconds for run in runs):.1f} | | |", ""]
    return "\n".join(lines)
