"""Files a reader can take away from every chart: its data (CSV) and images (SVG, PNG).

They are made while Sphinx writes each page (the chart node's HTML visitor,
chartnode.py), from the compiled chart and the SVG the kernel emitted, so they exist
without JavaScript, follow the page's language and number format, and never
go stale behind the execution cache; each is drawn once per content of the
chart (`cached_exports`). The visitor also writes the links, a static image
for readers without JavaScript, and the chart's data as an HTML table (for
screen readers, and for anyone who wants the numbers) under each chart.
"""

from __future__ import annotations

import csv
import hashlib
import html
import json
import re
import shutil
import tempfile
from pathlib import Path

import vl_convert as vlc

from .i18n import number

FOLDER = "charts"  # inside each edition: <lang>/charts/<figure name>.<ext> (chartnode.export_stem)
# `"Title": isValid(datum["field"]) ...` or `"Title": format(datum["field"], ...)`
# in the tooltip signal that Vega-Lite compiles from a chart's tooltip encoding.
TOOLTIP_FIELD = re.compile(r'"((?:[^"\\]|\\.)*)":\s*(?:[\w.]+\()*datum\["((?:[^"\\]|\\.)*)"\]')


def chart_rows(spec: dict) -> list[dict]:
    """The rows drawn by a compiled chart: its inline datasets, one after the other."""
    rows = []
    for dataset in spec.get("data", []):
        rows.extend(dataset.get("values", []))
    return rows


def _marks(marks: list[dict]):
    for mark in marks:
        yield mark
        yield from _marks(mark.get("marks", []))


def _signals(value) -> list[str]:
    """Every signal expression inside an encoding (a rule, or a list of conditional rules)."""
    if isinstance(value, dict):
        return [value["signal"]] if isinstance(value.get("signal"), str) else []
    return [signal for rule in value for signal in _signals(rule)] if isinstance(value, list) else []


def tooltip_columns(spec: dict) -> tuple[list[tuple[str, str]], str | None]:
    """The (title, field) pairs of the chart's first tooltip, and the dataset its mark draws.

    Chapters put the figures in tooltips already worded and formatted in the
    page's language, under translated titles: the best columns for a table.
    """
    data = {entry["name"]: entry for entry in spec.get("data", [])}
    for mark in _marks(spec.get("marks", [])):
        encode = mark.get("encode", {})
        tooltip = encode.get("update", {}).get("tooltip") or encode.get("enter", {}).get("tooltip")
        pairs = [
            (json.loads(f'"{title}"'), json.loads(f'"{field}"'))
            for signal in _signals(tooltip) for title, field in TOOLTIP_FIELD.findall(signal)
        ]
        source = mark.get("from", {}).get("data")
        while source in data and "values" not in data[source]:
            source = data[source].get("source")
        if pairs and source in data:
            return list(dict.fromkeys(pairs)), source
    return [], None


def _cell(value, lang: str) -> str:
    if isinstance(value, bool) or value is None:
        return "" if value is None else str(value)
    if isinstance(value, (int, float)):
        decimals = len(f"{value:.6f}".rstrip("0").partition(".")[2])
        return number(value, lang, decimals)
    return str(value)


def data_table(payload: dict, caption: str) -> str:
    """The chart's rows as an accessible HTML table, values as the reader sees them.

    Columns are the chart's tooltip (see `tooltip_columns`); a chart without
    one shows every column of its data, numbers in the page's format.
    """
    spec, lang = payload["spec"], payload["lang"]
    columns, source = tooltip_columns(spec)
    if columns:
        rows = next(entry["values"] for entry in spec["data"] if entry["name"] == source)
    else:
        rows = chart_rows(spec)
        columns = [(key, key) for key in dict.fromkeys(key for row in rows for key in row)]
    lines = list(dict.fromkeys(
        tuple(_cell(row.get(field), lang) for _, field in columns) for row in rows
    ))
    lines = [line for line in lines if any(line)]
    head = "".join(f'<th scope="col">{html.escape(title)}</th>' for title, _ in columns)
    body = "".join(
        f'<tr><th scope="row">{html.escape(line[0])}</th>'
        + "".join(f"<td>{html.escape(cell)}</td>" for cell in line[1:]) + "</tr>"
        for line in lines
    )
    return (
        f"<table><caption>{html.escape(caption)}</caption>"
        f"<thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"
    )


def write_csv(rows: list[dict], path: Path) -> None:
    columns = list(dict.fromkeys(key for row in rows for key in row))
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=columns)
        writer.writeheader()
        writer.writerows(rows)


RENDERED = ("csv", "svg", "png")
# Part of every export's cache key: a new vl-convert (Vega) or PNG scale makes new files.
RENDERER = f"vl-convert {vlc.__version__}, vega {vlc.get_vega_version()}, png scale 2"
renders = 0  # charts exported by this process, not found in the cache (tests and measurements read it)


def payload_digest(payload: dict) -> str:
    """A digest of what a chart's exports are made of: its spec, language and locales."""
    text = json.dumps(payload, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(f"{RENDERER}\0{text}".encode()).hexdigest()


def render_exports(payload: dict, folder: Path) -> None:
    """Write chart.csv, chart.svg and chart.png for one chart payload into `folder`.

    The SVG is the one the kernel drew (charts.chart_payload); the PNG is made from it,
    so Vega lays each chart out once (the same bytes as vl-convert's `vega_to_png`).
    """
    global renders
    renders += 1
    write_csv(chart_rows(payload["spec"]), folder / "chart.csv")
    (folder / "chart.svg").write_text(payload["svg"], encoding="utf-8")
    (folder / "chart.png").write_bytes(vlc.svg_to_png(payload["svg"], scale=2))


def cached_exports(payload: dict, cache: Path) -> Path:
    """The folder holding a chart's CSV, SVG and PNG, rendered once per content of the chart.

    Keyed by `payload_digest`, so a page written again (a prose edit, the other
    pages of a rebuilt edition) copies its charts' files instead of drawing them.
    Pages are written in parallel and both editions share the cache: each
    renders into its own folder and publishes it with one rename.
    """
    root = cache / "chart-exports"
    ready = root / payload_digest(payload)
    if all((ready / f"chart.{ext}").is_file() for ext in RENDERED):
        return ready
    root.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix=f"{ready.name}.", dir=root))
    try:
        render_exports(payload, work)
        try:
            work.rename(ready)
        except OSError:  # another process published it first, or a damaged copy is in the way
            if not all((ready / f"chart.{ext}").is_file() for ext in RENDERED):
                shutil.rmtree(ready, ignore_errors=True)
                work.rename(ready)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return ready


def export_chart(payload: dict, stem: Path, cache: Path) -> None:
    """<stem>.csv, <stem>.svg and <stem>.png for one chart payload, from the cache."""
    folder = cached_exports(payload, cache)
    stem.parent.mkdir(parents=True, exist_ok=True)
    for ext in RENDERED:
        shutil.copyfile(folder / f"chart.{ext}", stem.parent / f"{stem.name}.{ext}")


# `datum` handed whole to an expression (not `datum.x` or `datum["x"]`): every field may be read.
WHOLE_DATUM = re.compile(r"\bdatum\b(?!\s*[.\[])")


def drawn_fields_only(spec: dict) -> dict:
    """The spec with its inline rows cut to the fields the chart names anywhere.

    Chapters chart whole data-package rows (source, locator, the string as
    printed...); the CSV keeps them all for reviewers, while the page needs
    only what is drawn or shown in tooltips. A field is kept if its name
    appears anywhere in the spec outside the rows, which may keep a few too
    many but never one too few; a spec that reads whole rows keeps everything.
    """
    skeleton = json.dumps({**spec, "data": [{k: v for k, v in d.items() if k != "values"} for d in spec.get("data", [])]})
    if WHOLE_DATUM.search(skeleton):
        return spec
    def named(key: str) -> bool:
        return json.dumps(key)[1:-1] in skeleton

    data = []
    for dataset in spec.get("data", []):
        if "values" in dataset and isinstance(dataset["values"], list):
            dataset = {**dataset, "values": [
                {key: value for key, value in row.items() if named(key)} if isinstance(row, dict) else row
                for row in dataset["values"]
            ]}
        data.append(dataset)
    return {**spec, "data": data}
