"""The house chart shapes (lacbook.chartkit), tested the way Altair tests its own charts:
each spec validates against the Vega-Lite schema, survives a JSON round trip, compiles and
draws to SVG with vl-convert in both languages, and says everything a reader is told
(title, description, tooltip titles, legends) in the page's language."""

from __future__ import annotations

import ast
import json
import re
from pathlib import Path

import altair as alt
import pandas as pd
import pytest
import vl_convert as vlc

from lacbook import charts
from lacbook.i18n import VEGA_FORMAT_LOCALE

LANGS = ("en", "es")
# Words each test chart is given, per language: what a chapter passes from its catalogue.
WORDS = {
    "en": {"title": "People reached by platform", "subtitle": "Logarithmic scale", "axis": "People",
           "description": "Dot chart of people targeted and reached", "place": "Platform", "value": "Figure",
           "ends": ("Targeted", "Reached"), "parts": ("Funding received", "Unmet", "Not reported"), "menu": "Show "},
    "es": {"title": "Personas alcanzadas por plataforma", "subtitle": "Escala logarítmica", "axis": "Personas",
           "description": "Gráfico de puntos de la población meta y alcanzada", "place": "Plataforma",
           "value": "Cifra", "ends": ("Meta", "Alcanzadas"), "parts": ("Fondos recibidos", "Sin cubrir", "Sin datos"),
           "menu": "Mostrar "},
}
ROWS = pd.DataFrame({
    "place": ["colombia", "peru", "chile"], "place_name": ["Colombia", "Perú", "Chile"],
    "targeted": [34300.0, 170.0, 240.0], "reached": [2717.0, 50.0, float("nan")],
    "required": [4.38e6, 2.89e6, 4.55e5], "received": [1.44e6, float("nan"), 12600.0],
    "qualifier": ["more_than", "at_most", "exact"], "group": ["a", "b", "a"],
    "text": ["34,300", "170", "not reported"],
})


def build(shape: str, lang: str, monkeypatch) -> alt.TopLevelMixin:
    """One chart of each shape, with the words of `lang`."""
    monkeypatch.setenv("LACBOOK_LANG", lang)
    w = WORDS[lang]
    words = dict(title=w["title"], subtitle=w["subtitle"], description=w["description"])
    tooltip = {"place_name": w["place"], "text": w["value"]}
    if shape == "dumbbell":
        return charts.dumbbell(ROWS, y="place_name", start="targeted", end="reached", ends=w["ends"], unit="persons",
                               log=True, note="text", axis_title=w["axis"], tooltip=tooltip, **words)
    if shape == "bars":
        return charts.bars(ROWS, label="place_name", value="targeted", text="text", qualifier="qualifier",
                           section="group", unit="persons", axis_title=w["axis"], tooltip=tooltip, **words)
    if shape == "stacked_shares":
        shares = ROWS.assign(share=[50.0, 30.0, 20.0], row=w["value"])
        return charts.stacked_shares(shares, y="row", part="place_name", share="share", text="text",
                                     colours=dict(zip(ROWS["place_name"], charts.PALETTE)), tooltip=tooltip, **words)
    if shape == "diverging":
        gaps = ROWS.assign(gap=[-6.0, 14.0, 0.3], band=[1.0, 2.0, 0.5])
        return charts.diverging(gaps, y="place_name", value="gap", band="band", label="text", colour="group",
                                axis_title=w["axis"], tooltip=tooltip, **words)
    if shape == "linked":
        chosen = charts.pick("place")
        top = charts.dumbbell(ROWS, y="place_name", start="targeted", end="reached", ends=w["ends"],
                              unit="persons", log=True, axis_title=w["axis"], tooltip=tooltip, highlight=chosen,
                              title=w["title"])
        bottom = charts.bars(ROWS, label="place_name", value="received", high="required", text="text", unit="usd",
                             parts=w["parts"], axis_title=w["axis"], tooltip=tooltip, highlight=chosen,
                             title=w["subtitle"])
        return charts.linked(top, bottom, title=w["title"], description=w["description"])
    if shape == "lollipops_by_choice":
        tidy = ROWS.melt(id_vars=["place", "place_name", "text"], value_vars=["targeted", "reached"],
                         var_name="year").assign(series=lambda d: d["year"])
        return charts.lollipops_by_choice(tidy, x="year", series="series", value="value", choose="place",
                                          options=dict(zip(ROWS["place"], ROWS["place_name"])),
                                          menu=w["menu"], axis_title=w["axis"], tooltip=tooltip, **words)
    raise ValueError(shape)


SHAPES = ["dumbbell", "bars", "stacked_shares", "diverging", "linked", "lollipops_by_choice"]


def strings(spec, keys=("title", "subtitle", "description", "text", "name")) -> set[str]:
    """Every reader-facing string of a spec: titles, subtitles, descriptions, tooltip and menu names."""
    found = set()
    if isinstance(spec, dict):
        for key, value in spec.items():
            if key in keys and isinstance(value, str) and not value.startswith("data-"):
                found.add(value)
            elif key in keys and isinstance(value, list) and all(isinstance(v, str) for v in value):
                found.add(" ".join(value))
            if key == "domain" and isinstance(value, list):
                found |= {v for v in value if isinstance(v, str)}
            found |= strings(value, keys)
    elif isinstance(spec, list):
        for item in spec:
            found |= strings(item, keys)
    return found


@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("lang", LANGS)
def test_spec_is_valid_round_trips_and_draws(shape, lang, monkeypatch):
    chart = build(shape, lang, monkeypatch)
    spec = chart.to_dict(validate=True)  # against Altair's Vega-Lite schema (once: the round trips need not)
    assert json.loads(chart.to_json(validate=False)) == spec
    assert type(chart).from_dict(spec, validate=False).to_dict(validate=False) == spec
    svg = vlc.vegalite_to_svg(spec, vl_version=charts.VEGA_LITE_VERSION, format_locale=VEGA_FORMAT_LOCALE[lang])
    assert svg.startswith("<svg") and "<text" in svg
    assert WORDS[lang]["title"].split()[0] in svg  # the title is drawn
    assert spec["description"] == WORDS[lang]["description"]


@pytest.mark.parametrize("shape", SHAPES)
def test_reader_facing_words_are_complete_and_in_the_page_language(shape, monkeypatch):
    english = strings(build(shape, "en", monkeypatch).to_dict())
    spanish = strings(build(shape, "es", monkeypatch).to_dict())
    words = WORDS["es"]
    assert words["description"] in spanish
    assert {words["place"], words["value"]} <= spanish  # every tooltip title given, translated
    shared = {"Colombia", "Chile", "Perú", "34,300", "170", "not reported", "a", "b", "targeted", "reached",
              "pick", "choice"}  # the test's data, and parameter names no reader sees
    left_in_english = (english - shared) & spanish
    assert not left_in_english, f"English words in the Spanish chart: {sorted(left_in_english)}"


def test_qualifiers_are_drawn_and_explained_in_the_legend(monkeypatch):
    spec = build("bars", "es", monkeypatch).to_dict()
    legends = strings(spec)
    assert "Cota inferior: la cifra real es mayor" in legends
    assert "Cota superior: la cifra real es menor" in legends
    assert "Lower bound: the true figure is higher" not in legends


def test_a_missing_figure_is_a_gap_not_a_zero(monkeypatch):
    spec = build("dumbbell", "en", monkeypatch).to_dict()
    points = next(layer for layer in spec["layer"] if layer["mark"]["type"] == "point")
    drawn = spec["datasets"][points["data"]["name"]]
    assert [(row["place_name"], row["_which"]) for row in drawn if row["place_name"] == "Chile"] == [
        ("Chile", "Targeted")]  # no 'Reached' point at zero for a figure Chile did not report


def test_log_axis_ticks_powers_of_ten_in_the_page_format(monkeypatch):
    spec = build("dumbbell", "es", monkeypatch).to_dict()
    axis = next(layer["encoding"]["x"] for layer in spec["layer"] if layer["mark"]["type"] == "point")
    assert axis["scale"]["type"] == "log"
    assert axis["axis"]["values"] == [10, 100, 1000, 10000, 100000]
    assert "mil" in axis["axis"]["labelExpr"]  # Spanish short form, not d3's "k"


def test_linked_panels_share_one_selection(monkeypatch):
    spec = build("linked", "en", monkeypatch).to_dict()
    params = [param for view in spec["vconcat"] for layer in view["layer"] for param in layer.get("params", [])]
    params += spec.get("params", [])
    assert {param["name"] for param in params} == {"pick"}
    assert len(spec["vconcat"]) == 2 and all(view["width"] == 290 for view in spec["vconcat"])


def test_indicator_labels_come_from_the_data_package():
    assert charts.indicator_label("people_targeted", "en") == "People targeted"
    assert charts.indicator_label("people_targeted", "es") == "Población meta"


CHAPTERS = sorted((Path(__file__).resolve().parents[1] / "book").glob("*.md"))
CELL = re.compile(r"```\{code-cell\}[^\n]*\n(.*?)```", re.S)


@pytest.mark.parametrize("chapter", CHAPTERS, ids=lambda path: path.stem)
def test_chapters_draw_charts_with_the_house_shapes_and_show_them_in_a_notebook(chapter):
    """No Altair in chapters; a chart cell glues with display, so that JupyterLab shows the chart,
    and carries remove-output, so that the page shows it once, in its figure."""
    cells = CELL.findall(chapter.read_text(encoding="utf-8"))
    assert not [cell for cell in cells if "alt." in cell], f"{chapter.name}: Altair in a chapter cell"
    for cell in cells:
        if 'glue("fig-' in cell:
            assert "remove-output" in cell.splitlines()[0], f"{chapter.name}: chart cell without remove-output"
            assert "display=False" not in cell, f"{chapter.name}: a chart glued without display"


SHARED_BY_EVERY_CELL = {"lang", "_"}  # set by the first cell: charts.use("<chapter>")


def names_read_from_earlier_cells(cells: list[str]) -> list[tuple[int, str]]:
    """(cell number, name) for each name a cell reads that an earlier cell assigned."""
    assigned, found = set(), []
    for number, cell in enumerate(cells, start=1):
        body = "\n".join(line for line in cell.splitlines() if not line.startswith(":tags:"))
        names = [node for node in ast.walk(ast.parse(body)) if isinstance(node, ast.Name)]
        stored = {node.id for node in names if isinstance(node.ctx, ast.Store)}
        read = {node.id for node in names if isinstance(node.ctx, ast.Load)} - stored
        found += [(number, name) for name in sorted(read & assigned - SHARED_BY_EVERY_CELL)]
        assigned |= stored
    return found


@pytest.mark.parametrize("chapter", CHAPTERS, ids=lambda path: path.stem)
def test_each_cell_makes_the_values_it_reads(chapter):
    """A reviewer can read any cell alone: besides imports, `lang` and `_`, it reads nothing
    that a cell above (often hidden) assigned."""
    cells = CELL.findall(chapter.read_text(encoding="utf-8"))
    assert names_read_from_earlier_cells(cells) == [], chapter.name


def test_a_value_carried_from_a_hidden_cell_is_found():
    cells = [":tags: [remove-cell]\nrows = load()\nlang = 'en'\n", "chart = draw(rows, lang)\n"]
    assert names_read_from_earlier_cells(cells) == [(2, "rows")]


def test_as_text_takes_units_from_indicators_from_rows_or_as_given(monkeypatch):
    monkeypatch.setenv("LACBOOK_LANG", "es")
    frame = pd.DataFrame({"requirements": [4.38e6, float("nan")], "funding_share": [33.0, 7.5],
                          "total": [48204.0, 78.8], "unit": ["persons", "percent"], "gap": [-39.0, 0.4]})
    texts = charts.as_text(frame, None, "requirements", "funding_share", "total", gap="change")
    assert list(texts["requirements_text"]) == ["US$\u00a04,38\u00a0M", "sin datos reportados"]  # indicators.csv: usd
    assert list(texts["funding_share_text"]) == ["33\u00a0%", "7,5\u00a0%"]  # indicators.csv: percent
    assert list(texts["total_text"]) == ["48.204", "78,8\u00a0%"]  # each row's own unit
    assert list(texts["gap_text"]) == ["\u221239\u00a0%", "+0,4\u00a0%"]  # a unit named outright


def test_indicator_tooltip_titles_text_columns_with_indicator_labels(monkeypatch):
    monkeypatch.setenv("LACBOOK_LANG", "es")
    assert charts.indicator_tooltip("people_targeted", "requirements", place_name="Plataforma") == {
        "place_name": "Plataforma", "people_targeted_text": "Población meta",
        "requirements_text": charts.indicator_label("requirements", "es")}


def test_dumbbell_notes_say_which_figure_is_missing(monkeypatch):
    monkeypatch.setenv("LACBOOK_LANG", "en")
    rows = ROWS.assign(targeted=[34300.0, 170.0, float("nan")], reached=[2717.0, float("nan"), float("nan")],
                       share=["7.9%", "not reported", "not reported"])
    chart = charts.dumbbell(rows, y="place_name", start="targeted", end="reached", unit="persons", log=True,
                            note="share", note_as="{value} reached", missing="reached: not reported",
                            axis_title="People", tooltip={"place_name": "Platform", "share": "Reached"}, title="T")
    spec = chart.to_dict()
    note = next(layer for layer in spec["layer"] if layer["mark"]["type"] == "text")
    assert [row["_note"] for row in spec["datasets"][note["data"]["name"]]] == [
        "7.9% reached", "reached: not reported", "not reported"]
    assert note["encoding"]["text"]["title"] == "Reached"  # what a screen reader hears before the note
    assert spec["layer"][1]["encoding"]["shape"]["scale"]["domain"] == ["targeted", "reached"]  # no ends: field names


def test_bars_word_their_figures_and_say_what_is_missing(monkeypatch):
    monkeypatch.setenv("LACBOOK_LANG", "en")
    rows = ROWS.assign(share=["33%", "not reported", "2.8%"])
    chart = charts.bars(rows, label="place_name", value="received", text="share", text_as="{value} funded",
                        missing="funding not reported", unit="usd", axis_title="US dollars",
                        tooltip={"place_name": "Platform"}, title="T")
    spec = chart.to_dict()
    drawn = {row["place_name"]: row["_text"] for data in spec["datasets"].values() for row in data if "_text" in row}
    assert drawn == {"Colombia": "33% funded", "Perú": "funding not reported", "Chile": "2.8% funded"}


def test_colours_may_be_listed_in_the_order_values_appear():
    assert charts.colour_map(["#111111", "#222222"], ["b", "a", "b"]) == {"b": "#111111", "a": "#222222"}
    assert charts.colour_map(None, ["x"]) == {"x": charts.PALETTE[0]}
    assert charts.colour_map({"a": "#333333"}, ["b"]) == {"a": "#333333"}


@pytest.mark.parametrize(("lang", "labels"), [("en", ["34.3K", "170", "n/a"]), ("es", ["34,3\u00a0mil", "170", "n/d"])])
def test_lollipops_are_labelled_short_and_a_gap_says_so(lang, labels, monkeypatch):
    spec = build("lollipops_by_choice", lang, monkeypatch).to_dict()
    rows = next(iter(spec["datasets"].values()))
    assert [row["_label"] for row in rows if row["year"] == "targeted"] == labels[:2] + ["240"]
    assert [row["_label"] for row in rows if row["place"] == "chile"] == ["240", labels[2]]


def test_use_gives_a_chapter_its_language_and_catalogue(monkeypatch):
    monkeypatch.setenv("LACBOOK_LANG", "es")
    lang, translate = charts.use("responses")
    assert lang == "es" and translate("Platform") == "Plataforma"
