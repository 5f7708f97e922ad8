"""Files a reader can take away from every chart: its data (CSV) and images (SVG, PNG).

They are made while Sphinx writes each page, from the compiled chart that the
page already carries, so they exist without JavaScript, follow the page's
language and number format, and never go stale behind the execution cache.
The links, and a static image for readers without JavaScript, are added
under each chart.
"""

from __future__ import annotations

import csv
import html
import json
import re
from pathlib import Path

import vl_convert as vlc

SPEC = re.compile(r'(<script type="application/json" class="lacbook-chart__spec">)(.*?)(</script>)', re.S)
FOLDER = "charts"  # inside each edition: <lang>/charts/<page>-<n>.<ext>


def chart_rows(spec: dict) -> list[dict]:
    """The rows drawn by a compiled chart: its inline datasets, one after the other."""
    rows = []
    for dataset in spec.get("data", []):
        rows.extend(dataset.get("values", []))
    return rows


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
        links = " · ".join(
            f'<a href="{href}.{ext}" download>{html.escape(labels[ext])}</a>' for ext in ("csv", "svg", "png")
        )
        return (
            match.group(0)
            + f'<noscript><img class="lacbook-chart__static" src="{href}.svg" alt="{title}"></noscript>'
            + f'<p class="lacbook-chart__downloads">{html.escape(labels["download"])} {links}</p>'
        )

    return SPEC.sub(downloads, body)
