"""The book's figures, loaded once and checked, so that chapters never read a CSV by path.

A wrong number in a chart is worse than a failed build: ``load`` refuses the
data package unless it passes the Frictionless schema *and* the project's own
rules (one source per file, figures that read back from the printed string, one
preferred row per repeated quantity...). Every problem is reported as a
``DataError`` naming the file, the CSV line and the field to fix.
"""

from __future__ import annotations

import csv
import functools
import json
import os
from collections import Counter, defaultdict
from dataclasses import dataclass
from pathlib import Path

from lacbook.reported import parse

LANGS = ("en", "es")
UNREPORTED = ("not_reported", "not_available")


class DataError(ValueError):
    """The data package breaks a rule; the message says where (file, line, field) and why."""


def data_dir() -> Path:
    """<repo>/data, or the folder named by LACBOOK_DATA_DIR (tests point it at broken copies)."""
    override = os.environ.get("LACBOOK_DATA_DIR")
    return Path(override) if override else Path(__file__).resolve().parents[2] / "data"


@dataclass(frozen=True)
class Data:
    """The checked package: lookup tables by key and every figure row with where it came from."""

    root: Path
    sources: dict[str, dict]
    places: dict[str, dict]
    indicators: dict[str, dict]
    groups: dict[str, dict]
    reasons: list[dict]
    rows: list[dict]  # figure rows, typed, plus "file" and "line"


def load() -> Data:
    """The validated package from ``data_dir()``, cached per folder for the process."""
    return _load(data_dir().resolve())


@functools.cache
def _load(root: Path) -> Data:
    """Validate, read and type the package in ``root``; raise one DataError listing every problem."""
    package = root / "datapackage.json"
    if not package.is_file():
        raise DataError(f"datapackage.json, line -, field -: not found in {root}")
    _frictionless_check(package)
    resources = _resources(package)
    tables = {name: _read(root, path) for name, path in resources.items()}
    data = Data(
        root=root,
        sources={r["key"]: r for r in tables["sources"]},
        places={r["key"]: r for r in tables["places"]},
        indicators={r["key"]: r for r in tables["indicators"]},
        groups={r["key"]: r for r in tables["groups"]},
        reasons=tables["reconciliation_reasons"],
        rows=[row for name, rows in tables.items() if name.startswith("figures_") for row in rows],
    )
    problems = _unlisted_files(root, resources) + _rule_problems(data)
    if problems:
        raise DataError(_summary(problems))
    for row in data.rows:
        row["value"] = float(row["value"]) if row["value"] != "" else None
        row["preferred"] = row["preferred"] == "true"
    return data


def _frictionless_check(package: Path) -> None:
    """Schema types, constraints, keys and foreign keys, as Frictionless sees them."""
    from frictionless import FrictionlessException, Package

    try:
        report = Package(str(package)).validate()
    except FrictionlessException as error:
        raise DataError(f"{package.name}, line -, field -: {error.error.message}") from error
    if report.valid:
        return
    problems = []
    for task in report.tasks:
        for error in task.errors:
            line = getattr(error, "row_number", None) or 1  # header and file errors: line 1
            field = getattr(error, "field_name", None) or ", ".join(getattr(error, "field_names", None) or []) or "-"
            problems.append((task.place, line, field, error.message))
    for error in report.errors:
        problems.append((str(package.name), "-", "-", error.message))
    raise DataError(_summary(problems))


def _resources(package: Path) -> dict[str, str]:
    """Resource name -> path relative to the data folder."""
    return {r["name"]: r["path"] for r in json.loads(package.read_text(encoding="utf-8"))["resources"]}


def _read(root: Path, path: str) -> list[dict]:
    """Rows as strings, each with its file and CSV line for error messages."""
    with open(root / path, newline="", encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        return [{**row, "file": path, "line": reader.line_num} for row in reader]


def _unlisted_files(root: Path, resources: dict[str, str]) -> list[tuple]:
    """A figure file missing from datapackage.json would silently drop out of the book."""
    listed = set(resources.values())
    return [
        (f"figures/{p.name}", 1, "-", "file is not listed as a resource in datapackage.json")
        for p in sorted((root / "figures").glob("*.csv"))
        if f"figures/{p.name}" not in listed
    ]


def _rule_problems(data: Data) -> list[tuple]:
    """Project rules that a table schema cannot express."""
    problems = []
    ids = Counter(row["id"] for row in data.rows)
    preferred = defaultdict(list)
    for row in data.rows:
        where = (row["file"], row["line"])
        file_source = Path(row["file"]).stem
        unit = data.indicators[row["indicator"]]["unit"]
        number = float(row["value"]) if row["value"] != "" else None
        if row["source"] != file_source:
            problems.append((*where, "source", f"{row['source']!r} in the file of source {file_source!r}"))
        if ids[row["id"]] > 1:
            problems.append((*where, "id", f"{row['id']!r} is used {ids[row['id']]} times across figure files"))
        problems += _value_problems(row, number, unit, data.sources[row["source"]]["language"])
        years = [int(part[:4]) for part in row["period"].split("/")]
        if not all(1990 <= year <= 2030 for year in years):
            problems.append((*where, "period", f"{row['period']!r} lies outside 1990-2030"))
        quantity = (row["source"], row["place"], row["period"], row["indicator"], row["group"])
        preferred[quantity].append(row)
    for quantity, rows in preferred.items():
        chosen = [row for row in rows if row["preferred"] == "true"]
        if len(chosen) != 1:
            first = rows[0]
            problems.append((first["file"], first["line"], "preferred",
                             f"{len(chosen)} preferred rows for {'/'.join(quantity)} (lines {[r['line'] for r in rows]}); exactly one must be true"))
    return problems


def _value_problems(row: dict, value: float | None, unit: str, locale: str) -> list[tuple]:
    """Value, qualifier and as_reported must tell the same story."""
    where = (row["file"], row["line"])
    unreported = row["qualifier"] in UNREPORTED
    if unreported:
        expected = "-" if row["qualifier"] == "not_reported" else ""
        problems = [] if value is None else [(*where, "value", f"must be empty when qualifier is {row['qualifier']}")]
        if row["as_reported"] != expected:
            problems.append((*where, "as_reported", f"must be {expected!r} when qualifier is {row['qualifier']}"))
        return problems
    if value is None:
        return [(*where, "value", f"is empty but qualifier is {row['qualifier']!r}")]
    if unit == "percent" and value > 100 and not row["indicator"].endswith("_change"):
        return [(*where, "value", f"{value} is not a percentage between 0 and 100")]
    try:
        printed, tolerance = parse(row["as_reported"], locale)
    except ValueError as error:
        return [(*where, "as_reported", str(error))]
    if abs(printed - value) > tolerance + 1e-9 * max(1.0, abs(value)):
        return [(*where, "value", f"{value:g} does not match as_reported {row['as_reported']!r}, which reads as {printed:g} ± {tolerance:g}")]
    return []


def _summary(problems: list[tuple]) -> str:
    """One line per problem: 'file, line N, field F: what is wrong'."""
    lines = [f"{file}, line {line}, field {field}: {message}" for file, line, field, message in problems]
    return f"{len(lines)} problem(s) in the data package:\n" + "\n".join(lines)


def figures(lang: str = "en"):
    """All figure rows as a pandas DataFrame, with place, indicator and group labels in ``lang``."""
    return _figures(data_dir().resolve(), lang).copy()


@functools.cache
def _figures(root: Path, lang: str):
    import pandas as pd

    if lang not in LANGS:
        raise ValueError(f"lang must be one of {LANGS}, not {lang!r}")
    data = _load(root)
    frame = pd.DataFrame(data.rows).drop(columns=["file", "line"])
    frame["place_name"] = frame["place"].map(lambda k: data.places[k][f"name_{lang}"])
    frame["place_kind"] = frame["place"].map(lambda k: data.places[k]["kind"])
    frame["indicator_label"] = frame["indicator"].map(lambda k: data.indicators[k][f"label_{lang}"])
    frame["unit"] = frame["indicator"].map(lambda k: data.indicators[k]["unit"])
    frame["group_label"] = frame["group"].map(lambda k: data.groups[k][f"label_{lang}"])
    return frame.set_index("id", drop=False)


def figure(id: str):
    """One figure row (a pandas Series) by id; KeyError names the unknown id."""
    frame = figures()
    if id not in frame.index:
        raise KeyError(f"no figure with id {id!r}")
    return frame.loc[id]


def value(id: str) -> float:
    """The value of one figure; DataError if the source printed none."""
    row = figure(id)
    if row["qualifier"] in UNREPORTED:
        raise DataError(f"figure {id!r} has no value ({row['qualifier']})")
    return float(row["value"])


def platform_table(source: str, period: str, lang: str = "en"):
    """Preferred per-platform figures of one source and period: one row per platform, one column per indicator.

    Platforms keep the order of places.csv; a figure the source did not report is NaN.
    """
    frame = figures(lang)
    rows = frame[(frame["source"] == source) & (frame["period"] == period)
                 & (frame["place_kind"] == "platform") & frame["preferred"] & (frame["group"] == "all")]
    if rows.empty:
        raise KeyError(f"no platform figures for source {source!r}, period {period!r}")
    order = [key for key, place in load().places.items() if place["kind"] == "platform"]
    table = rows.pivot(index="place", columns="indicator", values="value")
    table = table.reindex([key for key in order if key in table.index])
    table.insert(0, "place_name", rows.drop_duplicates("place").set_index("place")["place_name"])
    table.columns.name = None
    return table.reset_index()


def resources() -> dict[str, str]:
    """Resource name -> file path inside the data folder, as datapackage.json lists them."""
    return _resources(data_dir() / "datapackage.json")
