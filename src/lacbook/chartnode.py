"""How a chart gets from the kernel's output into the page, with myst-nb's and Sphinx's own hooks.

- The kernel (`charts.render`) emits each chart under the book's own MIME type,
  `application/vnd.lacbook.chart+json`: the compiled Vega spec, the language
  and its number and time locales; plus an SVG for notebook viewers.
- `ChartMimeRenderer`, a myst-nb MIME render plugin (entry point group
  `myst_nb.mime_renderers`, declared in pyproject.toml), turns that output
  into a `lacbook_chart` node while Sphinx reads the page; the extension puts
  the MIME type first in myst-nb's priority for HTML builders
  (`nb_mime_priority_overrides`, set at `config-inited`).
- When Sphinx is about to write a page (`doctree-resolved`), each chart's
  CSV, SVG and PNG are exported into `<edition>/charts/`, named after the
  figure (`charts/fig-migration-venezuelans.svg`), and drawn only once per
  content of the chart (exports.cached_exports).
- The node's HTML visitor writes the chart's markup: the static image
  (the exported SVG, sized so that the live chart takes its place without
  moving the text), the download links and the data as a table. The spec
  the page script draws stays out of the page, in `charts/<figure>.js`
  (see `payload_script`): the page script loads it, and Vega, only when the
  chart scrolls into view (load-charts.js).
"""

from __future__ import annotations

import html
import json
import math
import re
from pathlib import Path

from docutils import nodes
from sphinx.application import Sphinx

from . import exports
from .chartmime import MIME_TYPE, title_text
from .locale import site_text

HTML_BUILDERS = ("html", "dirhtml", "singlehtml")


class lacbook_chart(nodes.General, nodes.Element):
    """A chart: its payload (the kernel's JSON output, as a string) is all the node holds."""


class ChartMimeRenderer:
    """myst-nb MIME render plugin (myst_nb.core.render.MimeRenderPlugin) for the book's charts."""

    # Left empty: the priority is the project's setting (`prefer_charts`), not every
    # project's that shares this environment.
    mime_priority_overrides = ()

    @staticmethod
    def handle_mime(renderer, data, inline: bool) -> list[nodes.Element] | None:
        if inline or data.mime_type != MIME_TYPE:
            return None
        content = data.content if isinstance(data.content, dict) else json.loads(data.string)
        node = lacbook_chart(payload=json.dumps(content, ensure_ascii=False, separators=(",", ":")))
        if data.line is not None:
            node.line = data.line
        return [node]


def prefer_charts(app: Sphinx, config) -> None:
    """HTML builders show the chart node; others keep myst-nb's choice (the SVG)."""
    config.nb_mime_priority_overrides = [
        *config.nb_mime_priority_overrides, *((builder, MIME_TYPE, 1) for builder in HTML_BUILDERS)
    ]


def cache_dir(config, doctreedir: str | Path) -> Path:
    return Path(config.lacbook_cache_dir or Path(doctreedir) / "lacbook-cache")


def labels() -> dict[str, str]:
    """What the visitor writes around a chart, from the extension's catalogue (lacbook.locale)."""
    return {
        "download": str(site_text("Download the chart:")),
        "csv": str(site_text("data (CSV)")),
        "svg": str(site_text("image (SVG)")),
        "png": str(site_text("image (PNG)")),
        "image": str(site_text("Chart")),
        "table": str(site_text("The chart's data as a table")),
    }


def export_stem(node: nodes.Element, payload: dict) -> str:
    """The file name of a chart's exports: its figure's name, else a digest of its content."""
    parent = node.parent
    while parent is not None and not isinstance(parent, nodes.figure):
        parent = parent.parent
    names = parent["names"] if parent is not None else []
    if names:
        return re.sub(r"[^\w.-]+", "-", names[0]).strip("-.") or "chart"
    return f"chart-{exports.payload_digest(payload)[:12]}"


# A chart's spec, outside the page: a script (not JSON, which a page opened from
# disk may not fetch) that files the payload under the chart's name, as Sphinx's
# searchindex.js does for the search index.
PAYLOAD_LINE = "(self.lacbookCharts=self.lacbookCharts||{})[%s]=%s;\n"
SVG_SIZE = re.compile(r'<svg[^>]*?\swidth="([\d.]+)"[^>]*?\sheight="([\d.]+)"')


def payload_script(name: str, payload: dict) -> str:
    """The chart's payload as the page script reads it: only the fields the chart draws."""
    lean = {**payload, "spec": exports.drawn_fields_only(payload["spec"])}
    del lean["svg"]  # the page links the exported file instead
    text = json.dumps(lean, ensure_ascii=False, separators=(",", ":"))
    return PAYLOAD_LINE % (json.dumps(name), text)


def read_payload_script(text: str) -> dict:
    """The payload back from `payload_script`'s text (for tests and measurements)."""
    start = text.index("]=") + 2
    return json.loads(text[start:].rstrip().removesuffix(";"))


def svg_size(svg: str) -> tuple[int, int]:
    """The width and height an exported SVG declares (vl-convert writes both), in whole pixels."""
    found = SVG_SIZE.search(svg)
    if not found:
        raise ValueError("the exported SVG declares no width and height")
    return math.ceil(float(found[1])), math.ceil(float(found[2]))


def chart_markup(payload: dict, chart_id: str, href: str, size: tuple[int, int], text: dict[str, str]) -> str:
    """The chart as the page script (load-charts.js) and the browser tests read it."""
    spec = payload["spec"]
    title = title_text(spec)
    caption = title or text["image"]
    alt = str(spec.get("description") or text["image"])
    name = href.rsplit("/", 1)[-1]
    links = " · ".join(
        f'<a href="{html.escape(href)}.{ext}" download>{html.escape(text[ext])}</a>' for ext in ("csv", "svg", "png")
    )
    width, height = size
    return (
        f'<div class="lacbook-chart" id="{chart_id}" data-title="{html.escape(title)}" '
        f'data-chart="{html.escape(name)}" data-payload="{html.escape(href)}.js">'
        '<div class="lacbook-chart__view"></div>'
        # Shown until the live chart replaces it, and for good without JavaScript; the
        # browser fetches it only near the screen (browsers load every image when scripts are off).
        f'<img class="lacbook-chart__static" src="{html.escape(href)}.svg" alt="{html.escape(alt)}" '
        f'width="{width}" height="{height}" loading="lazy" decoding="async">'
        f'<p class="lacbook-chart__downloads">{html.escape(text["download"])} {links}</p>'
        f'<details class="lacbook-chart__table"><summary>{html.escape(text["table"])}</summary>'
        # Wide tables scroll inside the column; a scrolling box must be reachable by keyboard.
        f'<div class="lacbook-chart__scroll" tabindex="0" role="region" aria-label="{html.escape(caption)}">'
        + exports.data_table(payload, caption) + "</div></details></div>"
    )


def export_charts(app: Sphinx, doctree: nodes.document, docname: str) -> None:
    """doctree-resolved: export each chart of the page and tell its node where the files are.

    Runs as Sphinx is about to write the page; the files come from the cache
    unless the chart itself changed.
    """
    if app.builder.format != "html":
        return
    cache = cache_dir(app.config, app.doctreedir)
    up = "../" * app.builder.get_target_uri(docname).count("/")
    for number, node in enumerate(doctree.findall(lacbook_chart), start=1):
        payload = json.loads(node["payload"])
        stem = export_stem(node, payload)
        target = Path(app.outdir) / exports.FOLDER / stem
        exports.export_chart(payload, target, cache)
        (target.parent / f"{stem}.js").write_text(payload_script(stem, payload), encoding="utf-8")
        node["href"] = f"{up}{exports.FOLDER}/{stem}"
        node["size"] = svg_size((target.parent / f"{stem}.svg").read_text(encoding="utf-8")[:2000])
        node["chart_id"] = f"lacbook-chart-{number}"


def visit_chart_html(self, node: lacbook_chart) -> None:
    """Write the chart's markup (HTML translator); its files were exported by `export_charts`."""
    self.body.append(chart_markup(json.loads(node["payload"]), node["chart_id"], node["href"], node["size"], labels()))
    raise nodes.SkipNode


def on_page(doctree) -> bool:
    """Whether a page (its resolved doctree, from html-page-context) shows a chart."""
    return doctree is not None and any(True for _ in doctree.findall(lacbook_chart))


def setup(app: Sphinx) -> dict:
    app.add_node(lacbook_chart, html=(visit_chart_html, None))
    app.connect("config-inited", prefer_charts)
    app.connect("doctree-resolved", export_charts)
    return {"parallel_read_safe": True, "parallel_write_safe": True, "version": "1"}
