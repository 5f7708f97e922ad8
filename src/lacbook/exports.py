"""Files a reader can take away from every chart: its data (CSV) and images (SVG, PNG).

They are made while Sphinx writes each page, from the compiled chart that the
page already carries, so they exist without JavaScript, follow the page's
language and number format, and never go stale behind the execution cache.
The links, a static image for readers without JavaScript, and the chart's
data as an HTML table (for screen readers, and for anyone who wants the
numbers) are added under each chart.
"""

from __future__ import annotations

import csv
import html
import json
import re
from pathlib import Path

import vl_convert as vlc

from .charts import title_text
from .i18n import number

SPEC = re.compile(r'(<script type="application/json" class="lacbook-chart__spec">)(.*?)(</script>)', re.S)
FOLDER = "charts"  # inside each edition: <lang>/charts/<page>-<n>.<ext>
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


def export_chart(payload: dict, stem: Path) -> None:
    """Write <stem>.csv, <stem>.svg and <stem>.png for one chart payload."""
    spec, locale = payload["spec"], payload["formatLocale"]
    times = payload.get("timeFormatLocale")
    write_csv(chart_rows(spec), stem.with_suffix(".csv"))
    stem.with_suffix(".svg").write_text(
        vlc.vega_to_svg(spec, format_locale=locale, time_format_locale=times), encoding="utf-8"
    )
    stem.with_suffix(".png").write_bytes(
        vlc.vega_to_png(spec, scale=2, format_locale=locale, time_format_locale=times)
    )


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


def add_downloads(body: str, pagename: str, outdir: Path, labels: dict[str, str]) -> str:
    """Export every chart of a page body and put its download links and fallback under it."""
    up = "../" * pagename.count("/")
    folder = outdir / FOLDER
    count = 0

    def downloads(match: re.Match) -> str:
        nonlocal count
        count += 1
        name = f"{pagename.replace('/', '-')}-{count}"
        payload = json.loads(match.group(2))
        folder.mkdir(parents=True, exist_ok=True)
        export_chart(payload, folder / name)
        href = f"{up}{FOLDER}/{name}"
        title = html.escape(str(payload["spec"].get("description") or labels["image"]))
        caption = title_text(payload["spec"]) or labels["image"]
        links = " · ".join(
            f'<a href="{href}.{ext}" download>{html.escape(labels[ext])}</a>' for ext in ("csv", "svg", "png")
        )
        lean = {**payload, "spec": drawn_fields_only(payload["spec"])}
        inline = json.dumps(lean, ensure_ascii=False, separators=(",", ":")).replace("</", "<\\/")
        return (
            match.group(1) + inline + match.group(3)
            + f'<noscript><img class="lacbook-chart__static" src="{href}.svg" alt="{title}"></noscript>'
            + f'<p class="lacbook-chart__downloads">{html.escape(labels["download"])} {links}</p>'
            + f'<details class="lacbook-chart__table"><summary>{html.escape(labels["table"])}</summary>'
            # Wide tables scroll inside the column; a scrolling box must be reachable by keyboard.
            + f'<div class="lacbook-chart__scroll" tabindex="0" role="region" aria-label="{html.escape(caption)}">'
            + data_table(payload, caption) + "</div></details>"
        )

    return SPEC.sub(downloads, body)
