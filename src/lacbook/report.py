"""The execution report reviewers read after rerunning every chapter from scratch.

myst-nb records, for each executed page, how long it ran and whether it
failed; this reads those records from each edition's saved build
environment and lays them out as one table per language.
"""

from __future__ import annotations

import pickle
from pathlib import Path


def execution_records(build_dir: Path, lang: str) -> list[dict]:
    """(page, seconds, status, error) for every executed page of an edition."""
    environment = build_dir / "doctrees" / lang / "environment.pickle"
    if not environment.exists():
        return []
    with environment.open("rb") as handle:
        env = pickle.load(handle)
    records = []
    for page, metadata in sorted(getattr(env, "nb_metadata", {}).items()):
        run = metadata.get("exec_data")
        if run:
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
