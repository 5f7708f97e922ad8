"""The book's charts: the house chart shapes (`chartkit`), the Altair theme, and the
renderer that puts charts into pages offline.

Chapters draw every chart with one of the shapes re-exported here (`dumbbell`,
`bars`, `stacked_shares`, `diverging`, `linked` with `pick`, `lollipops_by_choice`).

Altair's default HTML output loads Vega from a CDN, which the book must never
do. `use()` switches every chart of a chapter to a renderer that emits, besides a
static SVG for notebook viewers, the compiled Vega spec and the language's
number locale under the book's own MIME type; the extension writes it into
the page (chartnode.py) and the site's page script draws it with Vega's View
from a copy served by the site itself.
"""

from __future__ import annotations

import os

import altair as alt
import vl_convert as vlc

from .chartkit import (PALETTE, as_text, bars, colour_map, compact_labels, described, diverging, dumbbell,
                       figure_tooltip, indicator_label, indicator_tooltip, linked, lollipops_by_choice, pick,
                       stacked_shares)
from .chartmime import MIME_TYPE, title_text
from .i18n import PACKAGE_CATALOGUE, VEGA_FORMAT_LOCALE, language, translator

__all__ = ["PALETTE", "as_text", "bars", "colour_map", "compact_labels", "described", "diverging", "dumbbell",
           "figure_tooltip", "indicator_label", "indicator_tooltip", "linked", "lollipops_by_choice", "pick",
           "stacked_shares", "render", "use", "MIME_TYPE"]

VEGA_TIME_LOCALE = {"en": "en-US", "es": "es-ES"}

THEME = "lacbook"
RENDERER = "lacbook"
BUILD_FLAG = "LACBOOK_BUILD"  # set by the build for its kernels (build.kernel_environment)
VEGA_LITE_VERSION = "v" + ".".join(alt.SCHEMA_VERSION.lstrip("v").split(".")[:2])

FONT = "system-ui, -apple-system, 'Segoe UI', Roboto, 'Helvetica Neue', Arial, sans-serif"

COMPOUND_VIEWS = {"hconcat", "vconcat", "concat", "facet", "repeat"}


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


def notebook_svg(spec: dict, lang: str) -> str:
    """The chart as a static SVG in the language's number format, for notebook viewers."""
    return vlc.vegalite_to_svg(spec, vl_version=VEGA_LITE_VERSION, format_locale=VEGA_FORMAT_LOCALE[lang],
                               time_format_locale=vlc.get_time_format_locale(VEGA_TIME_LOCALE[lang]))


def chart_payload(spec: dict, lang: str) -> dict:
    """What the page needs to draw a chart (the compiled Vega spec and the language's locales),
    and the static image the site shows until then and offers for download, drawn once, here."""
    if not COMPOUND_VIEWS & spec.keys():
        # Single and layered views re-lay themselves out to the column's width.
        spec = {"width": "container", **spec}
    vega = vlc.vegalite_to_vega(spec, vl_version=VEGA_LITE_VERSION)
    locales = {"format_locale": VEGA_FORMAT_LOCALE[lang],
               "time_format_locale": vlc.get_time_format_locale(VEGA_TIME_LOCALE[lang])}
    return {
        "lang": lang,
        "formatLocale": locales["format_locale"],
        "timeFormatLocale": locales["time_format_locale"],
        "spec": vega,
        "svg": vlc.vega_to_svg(vega, **locales),
    }


def render(spec: dict, **_metadata) -> dict:
    """Mime bundle for a chart: a static SVG in the page's locale, and in the book the chart itself.

    A reviewer running a chapter in JupyterLab sees the SVG (JupyterLab skips
    the book's own MIME type); in a build, myst-nb hands the book's MIME type
    (`MIME_TYPE`: the compiled Vega spec, the number locale and the site's SVG,
    which is also the notebook's) to the extension's renderer (lacbook.chartnode),
    which writes it into the page.
    """
    lang = language()
    text = f"[chart] {title_text(spec)}"
    if not os.environ.get(BUILD_FLAG):
        return {"image/svg+xml": notebook_svg(spec, lang), "text/plain": text}
    payload = chart_payload(spec, lang)
    return {"image/svg+xml": payload["svg"], MIME_TYPE: payload, "text/plain": text}


def use(chapter: str = PACKAGE_CATALOGUE):
    """Enable the theme and the offline renderer in this kernel; return what a chapter's cells
    need besides: the edition's language and the chapter's `_` (`i18n.translator`: its own
    catalogue, charts/<chapter>.po, then the package's)."""
    alt.theme.register(THEME, enable=True)(theme)
    alt.renderers.register(RENDERER, render)
    alt.renderers.enable(RENDERER)
    return language(), translator(chapter)
