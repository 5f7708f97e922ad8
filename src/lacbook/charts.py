"""The book's Altair theme and the renderer that puts charts into pages offline.

Altair's default HTML output loads Vega from a CDN, which the book must never
do. `use()` switches every chart of a chapter to a renderer that writes a
placeholder plus the compiled Vega spec and the language's number locale into
the page; the site's page script (see `site.py`) draws them with Vega's View
from a copy served by the site itself.
"""

from __future__ import annotations

import html
import json
import os
from itertools import count

import altair as alt
import vl_convert as vlc

from .i18n import MONEY_PREFIX, VEGA_FORMAT_LOCALE, language

VEGA_TIME_LOCALE = {"en": "en-US", "es": "es-ES"}

THEME = "lacbook"
RENDERER = "lacbook"
BUILD_FLAG = "LACBOOK_BUILD"  # set by the build for its kernels (build.kernel_environment)
VEGA_LITE_VERSION = "v" + ".".join(alt.SCHEMA_VERSION.lstrip("v").split(".")[:2])

# Okabe-Ito: distinguishable with the common forms of colour blindness.
PALETTE = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000"]
FONT = "system-ui, -apple-system, 'Segoe UI', Roboto, 'Helvetica Neue', Arial, sans-serif"

COMPOUND_VIEWS = {"hconcat", "vconcat", "concat", "facet", "repeat"}

_chart_ids = count(1)


def theme() -> dict:
    """Shared look: column width, readable type, colour-blind-safe categories."""
    return {
        "config": {
            "view": {"continuousWidth": 560, "continuousHeight": 320, "stroke": None},
            "autosize": {"type": "fit-x", "contains": "padding"},
            "font": FONT,
            "title": {"fontSize": 15, "anchor": "start", "subtitleFontSize": 12, "subtitleColor": "#444"},
            "axis": {"labelFontSize": 12, "titleFontSize": 12, "labelLimit": 220, "gridColor": "#e5e5e5"},
            "legend": {"labelFontSize": 12, "titleFontSize": 12, "orient": "bottom", "direction": "horizontal"},
            "range": {"category": PALETTE},
            "bar": {"stroke": "#ffffff", "strokeWidth": 0.5},
        }
    }


# Babel's short forms (i18n.compact): 1.5M / 20K in English, 1,5 M / 20 mil in Spanish.
COMPACT_UNITS = {"en": ("", "K", "M"), "es": ("\u00a0", "mil", "M")}


def compact_labels(money: bool = False, lang: str | None = None) -> str:
    """A Vega label expression writing axis numbers as the text does (`i18n.compact`, `i18n.money`).

    d3's SI format ("~s") gives "20k", "1.5M" and "1G" in every language; this
    gives the page's own short forms, with its decimal mark (Vega's `format`
    follows the page's number locale).
    """
    lang = lang or language()
    space, thousand, million = COMPACT_UNITS[lang]
    prefix = json.dumps(MONEY_PREFIX[lang] if money else "")
    value = "datum.value"
    return (
        f"{prefix} + (abs({value}) >= 1e6 ? format({value} / 1e6, '~r') + '{space}{million}'"
        f" : abs({value}) >= 1e3 ? format({value} / 1e3, '~r') + '{space}{thousand}'"
        f" : format({value}, '~r'))"
    )


def render(spec: dict, **_metadata) -> dict:
    """Mime bundle for a chart: in the book, placeholder + compiled Vega spec + number locale.

    Outside a build (a reviewer running a chapter in JupyterLab), a static SVG
    drawn by vl-convert in the same locale: the notebook needs no chart script.
    """
    lang = language()
    if not os.environ.get(BUILD_FLAG):
        svg = vlc.vegalite_to_svg(spec, vl_version=VEGA_LITE_VERSION, format_locale=VEGA_FORMAT_LOCALE[lang],
                                  time_format_locale=vlc.get_time_format_locale(VEGA_TIME_LOCALE[lang]))
        return {"image/svg+xml": svg, "text/plain": f"[chart] {title_text(spec)}"}
    if not COMPOUND_VIEWS & spec.keys():
        # Single and layered views re-lay themselves out to the column's width.
        spec = {"width": "container", **spec}
    vega = vlc.vegalite_to_vega(spec, vl_version=VEGA_LITE_VERSION)
    payload = {
        "lang": lang,
        "formatLocale": VEGA_FORMAT_LOCALE[lang],
        "timeFormatLocale": vlc.get_time_format_locale(VEGA_TIME_LOCALE[lang]),
        "spec": vega,
    }
    # "</" inside a <script> block would end it early; JSON allows the escape.
    data = json.dumps(payload, ensure_ascii=False, separators=(",", ":")).replace("</", "<\\/")
    chart_id = f"lacbook-chart-{next(_chart_ids)}"
    title = title_text(spec)
    markup = (
        f'<div class="lacbook-chart" id="{chart_id}" data-title="{html.escape(title)}">'
        '<div class="lacbook-chart__view"></div>'
        f'<script type="application/json" class="lacbook-chart__spec">{data}</script>'
        "</div>"
    )
    return {"text/html": markup, "text/plain": f"[chart] {title}"}


def title_text(spec: dict) -> str:
    """A chart's title as one line, from a Vega-Lite or a compiled Vega spec."""
    title = spec.get("title", "")
    if isinstance(title, dict):
        title = title.get("text", "")
    return " ".join(title) if isinstance(title, list) else str(title)


def use() -> None:
    """Enable the theme and the offline renderer in this kernel."""
    alt.theme.register(THEME, enable=True)(theme)
    alt.renderers.register(RENDERER, render)
    alt.renderers.enable(RENDERER)
