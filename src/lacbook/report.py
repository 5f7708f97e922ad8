"""The execution report reviewers read after rerunning every chapter from scratch.

myst-nb records, for each executed page, how long it ran and whether it
failed; the book's extension writes those records beside each edition
(`_build/<lang>/execution.json`, lacbook.editions), and this lays them out as
one table per language.
"""

from __future__ import annotations

import json
from pathlib import Path


def execution_records(build_dir: Path, lang: str) -> list[dict]:
    """(page, seconds, status, error) for every executed page of an edition."""
    statistics = build_dir / lang / "execution.json"
    if not statistics.exists():
        return []
    records = []
    for page, run in sorted(json.loads(statistics.read_text(encoding="utf-8")).items()):
        error = (run.get("error") or "").strip().splitlines()
        records.append({
            "page": page,
            "seconds": run.get("runtime") or 0.0,
            "status": "ok" if run.get("succeeded") else "FAILED",
            "error": error[-1] if error else "",
        })
    return records


def execution_report(build_dir: Path, langs: list[str]) -> tuple[str, bool]:
    """A Markdown table per language, and whether every page succeeded."""
    lines, all_ok = ["# Execution report", ""], True
    for lang in langs:
        records = execution_records(build_dir, lang)
        all_ok &= bool(records) and all(r["status"] == "ok" for r in records)
        lines += [f"## {lang}", "", "| chapter | seconds | status | error |", "| --- | ---: | --- | --- |"]
        lines += [f"| {r['page']} | {r['seconds']:.1f} | {r['status']} | {r['error']} |" for r in records]
        total = sum(r["seconds"] for r in records)
        lines += [f"| **total** | {total:.1f} | | |", ""]
    return "\n".join(lines), all_ok
