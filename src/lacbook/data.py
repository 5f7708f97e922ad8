"""The book's figures, loaded once and checked, so that chapters never read a CSV by path.

A wrong number in a chart is worse than a failed build: ``load`` refuses the
data package unless its files are plain UTF-8, it passes the Frictionless schema
*and* the project's own rules (one source per file, ids that agree with their
row, figures that read back from the printed string, rounded and range figures
said so, no markup in text shown on pages, one preferred row per repeated
quantity...). Every problem is reported as a ``DataError`` naming the file, the
CSV line and the field to fix.
"""

from __future__ import annotations

import csv
import functools
import hashlib
import json
import os
import pickle
import re
from collections import Counter, defaultdict
from dataclasses import dataclass
from pathlib import Path

from lacbook.reported import read

LANGS = ("en", "es")
UNREPORTED = ("not_reported", "not_available")
BOM = b"\xef\xbb\xbf"
# Text the pages show (labels, titles, notes on the Data page) is data, never markup.
MARKUP = re.compile(r"[<>]|&(?:#\d+|#x[0-9a-fA-F]+|[A-Za-z][A-Za-z0-9]*);")
SHOWN = {  # table -> columns whose text appears on pages
    "sources": ("publisher", "short_en", "short_es", "title_en", "title_es", "citation_en", "citation_es"),
    "places": ("name_en", "name_es"),
    "indicators": ("label_en", "label_es", "definition_en", "definition_es"),
    "groups": ("label_en", "label_es"),
    "reasons": ("reason_en", "reason_es"),
    "figures": ("locator", "locator_es", "note", "note_es"),
}
# A figure id spells out its own row: source.place.indicator.group.period[.tag]
ID_PARTS = ("source", "place", "indicator", "group", "period")
# Set by the build for its kernels: the folder of snapshots it validated (build.kernel_environment).
SNAPSHOTS = "LACBOOK_DATA_SNAPSHOTS"


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

    def source_short(self, key: str, lang: str) -> str:
        """The source's short name, as citations label it ("GAATW 2024", "R4V, fin de año 2022")."""
        return self.sources[key][f"short_{lang}"]


def load() -> Data:
    """The validated package from ``data_dir()``, cached per folder for the process."""
    return _load(data_dir().resolve())


@functools.cache
def _load(root: Path) -> Data:
    """The build's snapshot of exactly these files when there is one (a kernel then needs
    neither Frictionless nor the rules), else the package validated here."""
    folder = os.environ.get(SNAPSHOTS)
    snapshot = Path(folder) / f"data-{content_key(root)}.pickle" if folder else None
    if snapshot and snapshot.is_file():
        return pickle.loads(snapshot.read_bytes())
    return _validated(root)


def content_key(root: Path) -> str:
    """Digest of the package's files (not its README) and of the code that checks them."""
    digest = hashlib.sha256()
    files = sorted(p for p in root.rglob("*") if p.is_file() and p.suffix != ".md")
    for path in [*files, Path(__file__), Path(__file__).with_name("reported.py")]:
        digest.update(path.as_posix().encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()[:16]


def write_snapshot(root: Path, folder: Path) -> Path:
    """Validate the package in ``root`` and save it, typed, for the build's kernels, unless a
    snapshot of these very files is already there; a DataError lists every problem. Older
    snapshots in ``folder`` are removed."""
    root = root.resolve()
    target = folder / f"data-{content_key(root)}.pickle"
    if not target.is_file():  # else these very files, checked by this very code, passed before
        data = _validated(root)
        folder.mkdir(parents=True, exist_ok=True)
        partial = target.with_suffix(f".{os.getpid()}")
        partial.write_bytes(pickle.dumps(data, protocol=pickle.HIGHEST_PROTOCOL))
        partial.replace(target)
    for stale in folder.glob("data-*.pickle"):
        if stale != target:
            stale.unlink(missing_ok=True)
    return target


def _validated(root: Path) -> Data:
    """Validate, read and type the package in ``root``; raise one DataError listing every problem."""
    package = root / "datapackage.json"
    if not package.is_file():
        raise DataError(f"datapackage.json, line -, field -: not found in {root}")
    resources = _resources(package)
    problems = _file_problems(root, resources)
    if problems:  # a file that is not plain UTF-8, or holds no figures, cannot be read row by row
        raise DataError(_summary(problems))
    _frictionless_check(package)
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
        for column in ("value", "low", "high"):
            row[column] = float(row[column]) if row[column] != "" else None
        row["preferred"] = row["preferred"] == "true"
    return data


def _file_problems(root: Path, resources: dict[str, str]) -> list[tuple]:
    """Every data file must be UTF-8 without a byte-order mark; a figures file must hold figures."""
    problems = []
    for name, path in resources.items():
        file = root / path
        if not file.is_file():
            continue  # Frictionless names a missing file
        raw = file.read_bytes()
        if raw.startswith(BOM):
            problems.append((path, 1, "-", "the file starts with a byte-order mark (BOM); save it as UTF-8 without BOM"))
            continue
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError as error:
            problems.append(_encoding_problem(path, raw, error))
            continue
        if name.startswith("figures_"):
            lines = [line for line in text.splitlines() if line.strip()]
            if not lines:
                problems.append((path, 1, "-", "the file is empty: it needs the header line and at least one figure"))
            elif len(lines) == 1:
                problems.append((path, 2, "-", "no figures after the header line; a figures file holds at least one figure"))
    return problems


def _encoding_problem(path: str, raw: bytes, error: UnicodeDecodeError) -> tuple:
    """Where the first byte that is not UTF-8 sits: line, column and, when it can tell, the field."""
    line = raw.count(b"\n", 0, error.start) + 1
    column = error.start - (raw.rfind(b"\n", 0, error.start) + 1) + 1
    lines = raw.split(b"\n")
    field = "-"
    try:
        header = next(csv.reader([lines[0].decode("utf-8", "replace")]))
        cells = next(csv.reader([lines[line - 1].decode("latin-1")]))
        bad = next(i for i, cell in enumerate(cells) if not _is_utf8(cell.encode("latin-1")))
        field = header[bad] if line > 1 else "-"
    except (StopIteration, IndexError, UnicodeEncodeError):
        pass
    byte = raw[error.start]
    return (path, line, field, f"not UTF-8 (byte 0x{byte:02x} at column {column}); save the file as UTF-8")


def _is_utf8(raw: bytes) -> bool:
    try:
        raw.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


# Resources Frictionless passed in this process, by the bytes it read for each: the package's
# descriptor and schemas, the resource's file and the files its foreign keys look up. Frictionless
# takes about 0.25 s for the whole package; a process that loads copies of it differing in one file
# (the data-rule tests load dozens) validates again only the resources that file reaches.
_PASSED: set[str] = set()


def _frictionless_check(package: Path) -> None:
    """Schema types, constraints, keys and foreign keys, as Frictionless sees them."""
    from frictionless import FrictionlessException, Package

    try:
        described = Package(str(package))
        paths = _resources(package)
        keys = {resource.name: _validation_key(package, paths, resource) for resource in described.resources}
        todo = [name for name, key in keys.items() if key not in _PASSED]
        # One call for the whole package when nothing is remembered: each call validates the descriptor again.
        reports = [described.validate()] if len(todo) == len(keys) else [described.validate(name=name) for name in todo]
    except FrictionlessException as error:
        raise DataError(f"{package.name}, line -, field -: {error.error.message}") from error
    problems = []
    for report in reports:
        for task in report.tasks:
            if task.valid:
                _PASSED.add(keys[task.name])
            for error in task.errors:
                line = getattr(error, "row_number", None) or 1  # header and file errors: line 1
                field = getattr(error, "field_name", None) or ", ".join(getattr(error, "field_names", None) or []) or "-"
                problems.append((task.place, line, field, error.message))
        for error in report.errors:  # the descriptor's own errors, the same in every report
            problems.append((str(package.name), "-", "-", error.message))
    if problems:
        raise DataError(_summary(list(dict.fromkeys(problems))))


def _validation_key(package: Path, paths: dict[str, str], resource) -> str:
    """Digest of what Frictionless reads to validate one resource of the package (``paths``:
    each resource's file, `_resources`)."""
    looked_up = {key["reference"]["resource"] or resource.name for key in resource.schema.foreign_keys}
    files = [package, *sorted((package.parent / "schemas").glob("*.json")),
             *(package.parent / paths[name] for name in sorted(looked_up | {resource.name}) if name in paths)]
    digest = hashlib.sha256()
    for path in files:
        name = path.relative_to(package.parent).as_posix().encode()
        digest.update(name + b"\0" + (path.read_bytes() if path.is_file() else b"\0missing"))
    return digest.hexdigest()


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
    problems = _markup_problems(data)
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
        problems += _id_problems(row)
        problems += _note_problems(row)
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


def _id_problems(row: dict) -> list[tuple]:
    """The id spells out source.place.indicator.group.period (with _ for - and /), plus at most a tag."""
    where = (row["file"], row["line"], "id")
    parts = row["id"].split(".")
    if not 5 <= len(parts) <= 6 or not all(parts):
        return [(*where, f"{row['id']!r} is not source.place.indicator.group.period with an optional .tag")]
    problems = []
    for name, said in zip(ID_PARTS, parts):
        actual = row[name].replace("-", "_").replace("/", "_") if name == "period" else row[name]
        if said != actual:
            problems.append((*where, f"id says {name} {said!r} but {name} is {row[name]!r}"))
    return problems


def _note_problems(row: dict) -> list[tuple]:
    """Every note has its Spanish version (the Spanish Data page shows note_es), and an assumption stays flagged."""
    where = (row["file"], row["line"], "note_es")
    note, note_es = row["note"].strip(), row["note_es"].strip()
    if note and not note_es:
        return [(*where, "is empty but note is not; write the note in Spanish for the Spanish edition")]
    if note_es and not note:
        return [(*where, "must be empty when note is empty (the Spanish note translates the English one)")]
    if ("ASSUMPTION:" in note) != ("SUPUESTO:" in note_es):
        return [(*where, "an 'ASSUMPTION:' in note is written 'SUPUESTO:' in note_es, and only then")]
    return []


def _markup_problems(data: Data) -> list[tuple]:
    """Text shown on pages is plain text: no tags, no HTML entities, caught here with its file, line and field."""
    tables = {"sources": data.sources.values(), "places": data.places.values(), "indicators": data.indicators.values(),
              "groups": data.groups.values(), "reasons": data.reasons, "figures": data.rows}
    problems = []
    for table, rows in tables.items():
        for row in rows:
            for field in SHOWN[table]:
                found = MARKUP.search(row.get(field) or "")
                if found:
                    problems.append((row["file"], row["line"], field,
                                     f"{found.group()!r}: markup is not allowed in text shown on pages; write plain text"))
    return problems


def _value_problems(row: dict, value: float | None, unit: str, locale: str) -> list[tuple]:
    """Value, low, high, qualifier and as_reported must tell the same story."""
    where = (row["file"], row["line"])
    qualifier = row["qualifier"]
    unreported = qualifier in UNREPORTED
    ends = {name: float(row[name]) if row.get(name, "") != "" else None for name in ("low", "high")}
    if qualifier != "range" and any(end is not None for end in ends.values()):
        name = "low" if ends["low"] is not None else "high"
        return [(*where, name, f"must be empty unless qualifier is 'range' (it is {qualifier!r})")]
    if unreported:
        expected = "-" if qualifier == "not_reported" else ""
        problems = [] if value is None else [(*where, "value", f"must be empty when qualifier is {qualifier}")]
        if row["as_reported"] != expected:
            problems.append((*where, "as_reported", f"must be {expected!r} when qualifier is {qualifier}"))
        return problems
    try:
        printed = read(row["as_reported"], locale)
    except ValueError as error:
        return [(*where, "as_reported", str(error))]
    if qualifier == "range":
        return _range_problems(row, value, ends, printed, unit)
    if printed.is_range:
        return [(*where, "qualifier", f"as_reported {row['as_reported']!r} is a range: qualifier must be 'range', with low and high")]
    if value is None:
        return [(*where, "value", f"is empty but qualifier is {qualifier!r}")]
    if unit == "percent" and value > 100 and not row["indicator"].endswith("_change"):
        return [(*where, "value", f"{value} is not a percentage between 0 and 100")]
    if abs(printed.value - value) > printed.tolerance + 1e-9 * max(1.0, abs(value)):
        return [(*where, "value", f"{value:g} does not match as_reported {row['as_reported']!r}, "
                                  f"which reads as {printed.value:g} ± {printed.tolerance:g}")]
    if printed.short and qualifier == "exact":
        return [(*where, "qualifier", f"as_reported {row['as_reported']!r} is printed rounded, in a short form: qualifier must be 'rounded'")]
    if qualifier == "rounded" and not printed.short:
        return [(*where, "qualifier", f"'rounded' is for a figure printed in a short form (26.2K, 1.56 M, two million); "
                                      f"as_reported {row['as_reported']!r} is not one")]
    return []


def _range_problems(row: dict, value: float | None, ends: dict, printed, unit: str) -> list[tuple]:
    """A range keeps both printed ends in low and high, and no single value."""
    where = (row["file"], row["line"])
    if not printed.is_range:
        return [(*where, "qualifier", f"'range' needs a printed range ('between 30% and 40%'); as_reported {row['as_reported']!r} is not one")]
    if value is not None:
        return [(*where, "value", "must be empty when qualifier is 'range': low and high hold the two ends")]
    problems = []
    for name, expected in (("low", printed.low), ("high", printed.high)):
        end = ends[name]
        if end is None:
            problems.append((*where, name, "is empty but qualifier is 'range'"))
        elif abs(end - expected) > printed.end_tolerance + 1e-9 * max(1.0, abs(end)):
            problems.append((*where, name, f"{end:g} does not match as_reported {row['as_reported']!r}, whose {name} end reads as {expected:g}"))
        elif unit == "percent" and end > 100 and not row["indicator"].endswith("_change"):
            problems.append((*where, name, f"{end} is not a percentage between 0 and 100"))
    if not problems and ends["low"] >= ends["high"]:
        problems.append((*where, "low", f"{ends['low']:g} is not below high {ends['high']:g}"))
    return problems


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
    frame["source_short"] = frame["source"].map(lambda k: data.source_short(k, lang))
    return frame.set_index("id", drop=False)


def figure(id: str) -> dict:
    """One figure row by id, with its indicator's unit; KeyError names the unknown id.
    Plain dicts, not pandas: the extension words the prose's figures with it (lacbook.prose)."""
    rows = _rows_by_id(data_dir().resolve())
    if id not in rows:
        raise KeyError(f"no figure with id {id!r}")
    return rows[id]


@functools.cache
def _rows_by_id(root: Path) -> dict[str, dict]:
    data = _load(root)
    return {row["id"]: {**row, "unit": data.indicators[row["indicator"]]["unit"]} for row in data.rows}


def value(id: str) -> float:
    """The value of one figure; DataError if the source printed none, or printed a range (see low/high)."""
    row = figure(id)
    if row["qualifier"] in UNREPORTED:
        raise DataError(f"figure {id!r} has no value ({row['qualifier']})")
    if row["qualifier"] == "range":
        raise DataError(f"figure {id!r} is a range ({row['low']:g} to {row['high']:g}): read its low and high")
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
